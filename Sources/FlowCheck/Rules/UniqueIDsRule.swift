import FlowDiagnostics
import FlowSyntax

/// Ids are unique within their kind.
///
/// Rejects two fields, roles or nodes with the same id (also across included fragments), two
/// deliverables or two outcomes of one node, and repeated enum values and lose reasons. Fields, roles and
/// outcomes are mapping keys: twice in one file they are a duplicate YAML key, reported by the
/// reader, so only repeats across files are reported here. Across files, the diagnostic is put
/// in the file being checked when one of the two is there. Language reference: "Identifiers".
enum UniqueIDsRule: TemplateRule {
    static let name = "UniqueIDsRule"
    static let summary = "ids of fields, roles, nodes, deliverables, outcomes, enum values and lose reasons are unique"
    static let codes = [CheckMessages.duplicateID]

    static func check(_ ctx: inout RuleContext) {
        let t = ctx.template
        // Fields, roles and nodes: `RuleContext` has found each id's first definition already.
        for i in t.fields.indices where !ctx.isFirstField[i] {
            report(&ctx, "field", t.fields[i].id, first: t.fields[ctx.fieldIndex[t.fields[i].id.value] ?? i].id.span, keyed: true)
        }
        for i in t.roles.indices where !ctx.isFirstRole[i] {
            report(&ctx, "role", t.roles[i].id, first: t.roles[ctx.roleIndex[t.roles[i].id.value] ?? i].id.span, keyed: true)
        }
        for i in t.nodes.indices where !ctx.isFirstDefinition[i] {
            report(&ctx, "node", t.nodes[i].id, first: t.nodes[ctx.nodeIndex[t.nodes[i].id.value] ?? i].id.span, keyed: false)
        }
        // Most of these lists are short or empty; `unique` does nothing for fewer than two ids.
        for n in t.nodes {
            unique(&ctx, "deliverable", n.deliverables.lazy.map(\.id), keyed: false)
            unique(&ctx, "outcome", n.outcomes.lazy.map(\.name), keyed: true)
        }
        for f in t.fields { unique(&ctx, "enum value", f.values, keyed: false) }
        if let reasons = t.lose?.reasons { unique(&ctx, "lose reason", reasons, keyed: false) }
    }

    /// - Parameter keyed: the ids are keys of one YAML mapping per file.
    static func unique(_ ctx: inout RuleContext, _ kind: String, _ ids: some Collection<Located<String>>, keyed: Bool) {
        guard ids.count > 1 else { return }
        if ids.count <= 8 {
            // Short lists (enum values, outcomes, deliverables): comparing with the earlier ids
            // is cheaper than hashing them all.
            for (i, id) in ids.enumerated() {
                if let f = ids.prefix(i).first(where: { $0.value == id.value }) { report(&ctx, kind, id, first: f.span, keyed: keyed) }
            }
            return
        }
        var first: [String: SourceSpan] = [:]
        for id in ids {
            guard let f = first[id.value] else {
                first[id.value] = id.span
                continue
            }
            report(&ctx, kind, id, first: f, keyed: keyed)
        }
    }

    /// The anchor written before `span` (on its line or the lines just above it) and the first
    /// alias of it after `span`: where a node repeated through an alias is written twice.
    static func aliasRepeating(_ span: SourceSpan) -> (anchor: SourceSpan, alias: SourceSpan)? {
        let bytes = span.file.bytes
        func isNameByte(_ b: UInt8) -> Bool { b > 0x20 && b != 0x2C && b != 0x5B && b != 0x5D && b != 0x7B && b != 0x7D }
        var i = min(span.start, bytes.count) - 1
        var lines = 0
        while i >= 0, lines < 4 {
            if bytes[i] == 0x0A { lines += 1 }
            if bytes[i] == 0x26, i == 0 || [0x20, 0x2D, 0x0A, 0x5B, 0x7B, 0x2C, 0x3A].contains(bytes[i - 1]) {
                var end = i + 1
                while end < bytes.count, isNameByte(bytes[end]) { end += 1 }
                guard end > i + 1 else { return nil }
                let alias = [0x2A] + Array(bytes[(i + 1)..<end])
                var j = span.end
                while j + alias.count <= bytes.count {
                    if bytes[j..<(j + alias.count)].elementsEqual(alias), j + alias.count == bytes.count || !isNameByte(bytes[j + alias.count]) {
                        return (SourceSpan(file: span.file, start: i, end: end), SourceSpan(file: span.file, start: j, end: j + alias.count))
                    }
                    j += 1
                }
                return nil
            }
            i -= 1
        }
        return nil
    }

    /// Reports `id`, a repeat of the id first defined at `first`.
    static func report(_ ctx: inout RuleContext, _ kind: String, _ id: Located<String>, first f: SourceSpan, keyed: Bool) {
        if keyed, f.file.path == id.span.file.path { return }
        if f == id.span {
            // The same node twice: an alias repeats it (`- *nurture`). Said at the alias, the
            // anchored node labelled (QA round 35, A6: both the caret and "first defined here" on
            // the one id written).
            var d = CheckMessages.duplicateID.at(f, kind, id.value)
            if let (anchor, alias) = aliasRepeating(f) {
                d = CheckMessages.duplicateID.at(alias, kind, id.value).label(anchor, CheckMessages.Formats.repeatedByAlias)
            }
            ctx.report(d.help(CheckMessages.Formats.aliasRepeatsID))
            return
        }
        let main = ctx.template.main.file.path
        if id.span.file.path != main, f.file.path == main {
            ctx.report(CheckMessages.duplicateID.at(f, kind, id.value).label(id.span, CheckMessages.Formats.alsoDefinedHere))
        } else {
            ctx.report(CheckMessages.duplicateID.at(id.span, kind, id.value).label(f, CheckMessages.Formats.firstDefinedHere))
        }
    }
}
