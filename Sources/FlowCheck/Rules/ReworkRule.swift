import FlowDiagnostics
import FlowSyntax

/// Rework only goes back.
///
/// Rejects a `rework` target from which the node itself cannot be reached: rework returns a
/// deal to a node it has passed. Language reference: "rework".
enum ReworkRule: TemplateRule {
    static let name = "ReworkRule"
    static let summary = "rework targets are earlier nodes"
    static let codes = [CheckMessages.reworkTarget]

    static func check(_ ctx: inout RuleContext) {
        for (i, n) in ctx.template.nodes.enumerated() where ctx.nodeIndex[n.id.value] == i {
            for r in n.rework {
                guard let target = ctx.nodeIndex[r.value] else { continue }
                let seen = ctx.graph.reachable(from: [target]) { $0.isForward }
                // A node on the way that leads somewhere unknown might have led back here.
                if !seen[i], seen.indices.contains(where: { seen[$0] && ctx.hasUnknownTransitions[$0] }) { continue }
                if !seen[i] || target == i {
                    ctx.report(CheckMessages.reworkTarget.at(r.span, r.value, n.id.value))
                }
            }
        }
    }
}
