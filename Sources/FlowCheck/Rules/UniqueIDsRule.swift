import FlowDiagnostics
import FlowSyntax

/// Ids are unique within their kind.
///
/// Rejects two fields, roles or nodes with the same id (also across included fragments), two
/// deliverables or two outcomes of one node, and repeated enum values. Fields, roles and
/// outcomes are mapping keys: twice in one file they are a duplicate YAML key, reported by the
/// reader, so only repeats across files are reported here. Across files, the diagnostic is put
/// in the file being checked when one of the two is there. Language reference: "Identifiers".
enum UniqueIDsRule: TemplateRule {
    static let name = "UniqueIDsRule"
    static let summary = "ids of fields, roles, nodes, deliverables, outcomes and enum values are unique"
    static let codes = [CheckMessages.duplicateID]

    static func check(_ ctx: inout RuleContext) {
        let t = ctx.template
        unique(&ctx, "field", t.fields.map(\.id), keyed: true)
        unique(&ctx, "role", t.roles.map(\.id), keyed: true)
        unique(&ctx, "node", t.nodes.map(\.id), keyed: false)
        // Most of these lists are short or empty; `unique` does nothing for fewer than two ids.
        for n in t.nodes {
            unique(&ctx, "deliverable", n.deliverables.lazy.map(\.id), keyed: false)
            unique(&ctx, "outcome", n.outcomes.lazy.map(\.name), keyed: true)
        }
        for f in t.fields { unique(&ctx, "enum value", f.values, keyed: false) }
    }

    /// - Parameter keyed: the ids are keys of one YAML mapping per file.
    static func unique(_ ctx: inout RuleContext, _ kind: String, _ ids: some Collection<Located<String>>, keyed: Bool) {
        guard ids.count > 1 else { return }
        let main = ctx.template.main.file.path
        var first: [String: SourceSpan] = [:]
        for id in ids {
            guard let f = first[id.value] else {
                first[id.value] = id.span
                continue
            }
            if keyed, f.file.path == id.span.file.path { continue }
            if id.span.file.path != main, f.file.path == main {
                ctx.report(CheckMessages.duplicateID.at(f, kind, id.value).label(id.span, CheckMessages.Formats.alsoDefinedHere))
            } else {
                ctx.report(CheckMessages.duplicateID.at(id.span, kind, id.value).label(f, CheckMessages.Formats.firstDefinedHere))
            }
        }
    }
}
