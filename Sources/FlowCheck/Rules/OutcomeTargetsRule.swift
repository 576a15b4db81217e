import FlowDiagnostics
import FlowSyntax

/// An approval's outcomes lead to different places.
///
/// Warns when two outcomes of one approval lead to the same node, which is usually a
/// copy-paste slip. Language reference: "approvals".
enum OutcomeTargetsRule: TemplateRule {
    static let name = "OutcomeTargetsRule"
    static let summary = "an approval's outcomes lead to different nodes"
    static let codes = [CheckMessages.duplicateTarget]

    static func check(_ ctx: inout RuleContext) {
        for n in ctx.template.nodes where n.effectiveKind == .approval {
            var first: [String: Located<String>] = [:]
            for o in n.outcomes {
                if let f = first[o.target.value] {
                    ctx.report(CheckMessages.duplicateTarget.at(o.target.span, f.value, o.name.value, o.target.value))
                } else {
                    first[o.target.value] = o.name
                }
            }
        }
    }
}
