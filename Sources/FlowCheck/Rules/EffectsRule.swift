import FlowDiagnostics
import FlowSyntax

/// Effects can be performed.
///
/// Rejects notifications and bot cards without recipients, group chats without roles, webhook
/// URLs that are not http(s), and `{placeholders}` naming unknown fields; warns when `contacts`
/// is notified but no role is external. Language reference: "effects".
enum EffectsRule: TemplateRule {
    static let name = "EffectsRule"
    static let summary = "effects have recipients, valid URLs and placeholders naming real fields"
    static let codes = [CheckMessages.noRecipients, CheckMessages.emptyGroup, CheckMessages.badWebhook,
                        CheckMessages.badPlaceholder, CheckMessages.contactsWithoutExternal]

    static func check(_ ctx: inout RuleContext) {
        let t = ctx.template
        var all: [EffectSyntax] = t.effects.flatMap(\.effects)
        for n in t.nodes { all += n.onEnter + n.onComplete }
        let hasExternal = t.roles.contains(where: \.external)
        let fieldNames = t.fields.map(\.id.value)
        for e in all {
            switch e.kind.value {
            case .notify, .botCard:
                if e.recipients.isEmpty { ctx.report(CheckMessages.noRecipients.at(e.recipientsSpan ?? e.kind.span, e.kind.value.rawValue)) }
            case .groupChat:
                if e.recipients.isEmpty { ctx.report(CheckMessages.emptyGroup.at(e.recipientsSpan ?? e.kind.span)) }
            case .webhook:
                if let u = e.url, !isHTTPURL(u.value) { ctx.report(CheckMessages.badWebhook.at(u.span, u.value)) }
            case .requirement:
                break
            }
            if !hasExternal, let c = e.recipients.first(where: { $0.value == "contacts" }) {
                ctx.report(CheckMessages.contactsWithoutExternal.at(c.span))
            }
            for text in e.text {
                for name in placeholders(text.value) where ctx.fieldIndex[name] == nil
                    && !ctx.mayBeUnnamed(name, t.unnamedFields, known: fieldNames) {
                    var d = CheckMessages.badPlaceholder.at(locate("{" + name + "}", in: text.span), name)
                    if let g = Suggestions.closest(to: name, in: fieldNames) { d = d.help(CheckMessages.Formats.didYouMean, g) }
                    ctx.report(d)
                }
            }
        }
    }

    /// The span of `needle` inside `span` when it is written there verbatim, else `span`.
    static func locate(_ needle: String, in span: SourceSpan) -> SourceSpan {
        let n = Array(needle.utf8)
        let b = span.file.bytes
        guard !n.isEmpty, span.end <= b.count, span.end - span.start >= n.count else { return span }
        var i = span.start
        while i + n.count <= span.end {
            if b[i] == n[0], Array(b[i..<i + n.count]) == n { return SourceSpan(file: span.file, start: i, end: i + n.count) }
            i += 1
        }
        return span
    }

    /// Names inside `{…}`; `{{` is a literal brace.
    static func placeholders(_ s: String) -> [String] {
        var out: [String] = []
        var chars = Array(s)
        var i = 0
        while i < chars.count {
            if chars[i] == "{" {
                if i + 1 < chars.count, chars[i + 1] == "{" { i += 2; continue }
                if let close = chars[(i + 1)...].firstIndex(of: "}") {
                    out.append(String(chars[(i + 1)..<close]).trimmingCharacters(in: .whitespaces))
                    i = close + 1
                    continue
                }
            }
            i += 1
        }
        chars.removeAll()
        return out
    }

    static func isHTTPURL(_ s: String) -> Bool {
        for scheme in ["https://", "http://"] where s.lowercased().hasPrefix(scheme) {
            let rest = s.dropFirst(scheme.count)
            let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            return !host.isEmpty && !host.contains(" ") && !s.contains(" ")
        }
        return false
    }
}

import Foundation
