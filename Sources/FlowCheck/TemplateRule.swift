/// One validation rule: a single guarantee about templates, in its own file under `Rules/`.
///
/// Rules are registered, in order, in `TemplateRules.all`; the generated rule reference
/// (`flowc rules`, `docs/rules.md`) comes from `name`, `summary` and `codes`.
public protocol TemplateRule: Sendable {
    /// The rule's name, as in its file name (`TransitionTargetsExistRule`).
    static var name: String { get }
    /// What the rule guarantees, in one line.
    static var summary: String { get }
    /// The codes the rule may report.
    static var codes: [MessageSpec] { get }
    /// Checks the template, reporting into the context.
    static func check(_ context: inout RuleContext)
}

public import FlowDiagnostics
