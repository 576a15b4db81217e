public import FlowDiagnostics
import FlowSyntax

/// Conditional branches can all be taken, and some branch always matches.
///
/// Rejects a conditional `next` without `default` (a deal matching no condition would be stuck;
/// an always-true condition does not stand for one) and branches after a `default`; warns about
/// conditions that are always true or false (including node `when` conditions) and branches
/// shadowed by an earlier identical or always-true condition. Language reference: "conditional branches", "tailoring".
enum BranchSetRule: TemplateRule {
    static let name = "BranchSetRule"
    static let summary = "conditional branch sets have a final default and no dead branches"
    static let codes = [CheckMessages.noDefault, CheckMessages.shadowedByDefault, CheckMessages.constantCondition,
                        CheckMessages.shadowedByCondition]

    static func check(_ ctx: inout RuleContext) {
        for n in ctx.template.nodes {
            if let w = n.when, let c = ctx.expressions[ExpressionKey(w.span)]?.constantBool {
                ctx.report(CheckMessages.constantCondition.at(w.span, String(c)))
            }
            guard case .conditional(let branches, let span)? = n.next else { continue }
            var sawDefault = false
            var sawAlwaysTrue = false
            var conditions: [String: SourceSpan] = [:]
            for b in branches {
                if sawDefault {
                    ctx.report(CheckMessages.shadowedByDefault.at(firstLine(b.span)))
                    continue
                }
                guard let cond = b.condition else {
                    sawDefault = true
                    continue
                }
                if sawAlwaysTrue {
                    ctx.report(CheckMessages.shadowedByCondition.at(cond.span, format: CheckMessages.Formats.afterAlwaysTrue))
                    continue
                }
                let key = normalizedSpaces(cond.text)
                if let first = conditions[key] {
                    ctx.report(CheckMessages.shadowedByCondition.at(cond.span).label(first, CheckMessages.Formats.sameCondition))
                    continue
                }
                conditions[key] = cond.span
                if let c = ctx.expressions[ExpressionKey(cond.span)]?.constantBool {
                    ctx.report(CheckMessages.constantCondition.at(cond.span, String(c)))
                    if c { sawAlwaysTrue = true }
                }
            }
            // An entry that could not be read (reported already) may be the default. A condition
            // that is always true does not stand for one: the machine needs its `default`.
            if !sawDefault && !branches.isEmpty && !n.unreadKeys.contains("next") {
                var d: Diagnostic
                if sawAlwaysTrue, let always = branches.first(where: { b in
                    b.condition.flatMap { ctx.expressions[ExpressionKey($0.span)]?.constantBool } == true
                }) {
                    d = CheckMessages.noDefault.at(firstLine(span), format: CheckMessages.Formats.alwaysTrueIsNoDefault)
                        .help(CheckMessages.Formats.writeAlwaysTrueAsDefault, always.target.value)
                } else {
                    d = CheckMessages.noDefault.at(firstLine(span))
                    var targets: [String] = []
                    for b in branches where !targets.contains(b.target.value) { targets.append(b.target.value) }
                    if !targets.isEmpty { d = d.help(CheckMessages.Formats.addDefault, targets.map { "`\($0)`" }.joined(separator: ", ")) }
                }
                ctx.report(d)
            }
        }
    }

    /// The text with each run of whitespace made one space, and none at either end, so that
    /// conditions differing only in spacing compare equal.
    static func normalizedSpaces(_ text: String) -> String {
        // ASCII text (the usual case) is done on bytes, where whitespace is tab, LF, VT, FF, CR
        // and space; other text by characters, with Unicode's whitespace.
        let ascii: String?? = text.utf8.withContiguousStorageIfAvailable { b in
            var out: [UInt8] = []
            out.reserveCapacity(b.count)
            for c in b {
                if c >= 0x80 { return nil }
                if c == 0x20 || (c >= 0x09 && c <= 0x0D) {
                    if out.last != 0x20, !out.isEmpty { out.append(0x20) }
                } else {
                    out.append(c)
                }
            }
            if out.last == 0x20 { out.removeLast() }
            return String(decoding: out, as: UTF8.self)
        }
        if let ascii = ascii ?? nil { return ascii }
        return text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func firstLine(_ span: SourceSpan) -> SourceSpan { span.onFirstLine }
}

extension SourceSpan {
    /// The part of the span on its first line (at least one byte): a branch list is marked by its
    /// first line, not underlined over many. The compiler uses it to report as check does.
    public var onFirstLine: SourceSpan {
        let line = file.lineRange(file.line(of: start))
        return SourceSpan(file: file, start: start, end: max(start + 1, min(end, line.upperBound)))
    }
}
