import FlowDiagnostics
import FlowSyntax

/// The start node can start a deal.
///
/// Rejects a start node (the first node, or `start:`) that is an end, a join or a fork.
/// Language reference: "nodes", "start".
enum StartNodeRule: TemplateRule {
    static let name = "StartNodeRule"
    static let summary = "the start node is a task or an approval"
    static let codes = [CheckMessages.badStart]

    static func check(_ ctx: inout RuleContext) {
        guard let s = ctx.startIndex else { return }
        let n = ctx.template.nodes[s]
        let kind = n.effectiveKind
        if kind != .task, kind != .approval {
            ctx.report(CheckMessages.badStart.at(ctx.template.start?.span ?? n.id.span, n.id.value, kind.rawValue))
        }
    }
}
