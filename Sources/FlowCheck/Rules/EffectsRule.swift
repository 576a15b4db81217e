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
        let hasExternal = t.roles.contains(where: \.external)
        // Only needed when a placeholder is unknown.
        lazy var fieldNames = t.fields.map(\.id.value)
        func check(_ e: EffectSyntax) {
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
                ctx.report(CheckMessages.contactsWithoutExternal.at(c.span).help(CheckMessages.Formats.markExternal))
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
        // Template-wide effects first, then each node's, in place (no list of all of them).
        for (_, effects) in t.effects { effects.forEach(check) }
        for n in t.nodes {
            n.onEnter.forEach(check)
            n.onComplete.forEach(check)
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
        // Texts are scanned on their UTF-8 bytes. A brace byte is a brace character unless a
        // neighbour joins it into a larger character (a combining mark after it); a text where
        // one does takes the character-by-character path.
        let fast: [String]?? = s.utf8.withContiguousStorageIfAvailable { b in
            guard b.contains(UInt8(ascii: "{")) else { return [] }
            var out: [String] = []
            let n = b.count
            for i in 0..<n where b[i] == UInt8(ascii: "{") || b[i] == UInt8(ascii: "}") {
                if !isOwnCharacter(b, i) { return nil }
            }
            var i = 0
            while i < n {
                if b[i] == UInt8(ascii: "{") {
                    if i + 1 < n, b[i + 1] == UInt8(ascii: "{") { i += 2; continue }
                    var close = i + 1
                    while close < n, b[close] != UInt8(ascii: "}") { close += 1 }
                    if close < n {
                        out.append(trimmed(UnsafeBufferPointer(rebasing: b[(i + 1)..<close])))
                        i = close + 1
                        continue
                    }
                }
                i += 1
            }
            return out
        }
        if let fast = fast ?? nil { return fast }
        return placeholdersByCharacter(s)
    }

    /// Whether the ASCII byte at `i` is a character of its own, not joined to a neighbour.
    ///
    /// Whether two characters are joined depends only on the two scalars at the boundary when one
    /// of them is ASCII punctuation (Unicode's grapheme rules: a prepended mark before, an
    /// extending or spacing mark after), so the two-scalar strings on each side are asked. Two
    /// ASCII bytes are never joined, except CR LF.
    private static func isOwnCharacter(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Bool {
        if i > 0, b[i - 1] >= 0x80 {
            var lead = i - 1
            while lead > 0, b[lead] & 0xC0 == 0x80 { lead -= 1 }
            if String(decoding: UnsafeBufferPointer(rebasing: b[lead...i]), as: UTF8.self).count != 2 { return false }
        }
        if i + 1 < b.count, b[i + 1] >= 0x80 {
            let end = min(b.count, i + 1 + SourceFile.scalarLength(leadByte: b[i + 1]))
            if String(decoding: UnsafeBufferPointer(rebasing: b[i..<end]), as: UTF8.self).count != 2 { return false }
        }
        return true
    }

    /// `text` with spaces trimmed as `trimmingCharacters(in: .whitespaces)` does; Foundation is
    /// only asked when the text starts or ends with a space, a tab or a non-ASCII byte.
    private static func trimmed(_ text: UnsafeBufferPointer<UInt8>) -> String {
        let s = String(decoding: text, as: UTF8.self)
        guard let first = text.first, let last = text.last else { return s }
        func plain(_ b: UInt8) -> Bool { b < 0x80 && b != UInt8(ascii: " ") && b != UInt8(ascii: "\t") }
        return plain(first) && plain(last) ? s : s.trimmingCharacters(in: .whitespaces)
    }

    /// `placeholders` on characters, for texts where a brace byte may be part of a larger character.
    static func placeholdersByCharacter(_ s: String) -> [String] {
        var out: [String] = []
        let chars = Array(s)
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
        return out
    }

    static func isHTTPURL(_ s: String) -> Bool {
        // ASCII text (URLs nearly always are) is checked on bytes: lowercasing the whole text
        // twice cost more than the rest of the rule. Other text by the character definition.
        let ascii: Bool?? = s.utf8.withContiguousStorageIfAvailable { b in
            guard b.allSatisfy({ $0 < 0x80 }) else { return nil }
            func hasPrefix(_ scheme: StaticString) -> Bool {
                let n = scheme.utf8CodeUnitCount
                guard b.count >= n else { return false }
                for i in 0..<n where b[i] | (b[i] >= 0x41 && b[i] <= 0x5A ? 0x20 : 0) != scheme.utf8Start[i] { return false }
                return true
            }
            let schemeLength = hasPrefix("https://") ? 8 : hasPrefix("http://") ? 7 : 0
            guard schemeLength > 0 else { return false }
            let space = UInt8(ascii: " ")
            let host = b[schemeLength...].prefix { $0 != UInt8(ascii: "/") && $0 != UInt8(ascii: "?") && $0 != UInt8(ascii: "#") }
            return !host.isEmpty && !host.contains(space) && !b.contains(space)
        }
        if let ascii = ascii ?? nil { return ascii }
        return isHTTPURLByCharacter(s)
    }

    /// `isHTTPURL` on characters.
    static func isHTTPURLByCharacter(_ s: String) -> Bool {
        for scheme in ["https://", "http://"] where s.lowercased().hasPrefix(scheme) {
            let rest = s.dropFirst(scheme.count)
            let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
            return !host.isEmpty && !host.contains(" ") && !s.contains(" ")
        }
        return false
    }
}

import Foundation
