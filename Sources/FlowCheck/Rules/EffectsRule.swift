import FlowDiagnostics
import FlowSyntax
import FlowYAML

/// Effects can be performed.
///
/// Rejects notifications and bot cards without recipients, group chats without roles, webhook
/// URLs that are not http(s), `{placeholders}` naming unknown fields (spaces around a name are
/// part of it, as for the runner), empty placeholders, and a `{` or `}` that is neither a
/// placeholder nor doubled (`{{`, `}}`): the runner would send it as written, and `added` (the
/// person just added to a role) anywhere but in `on_role_added` effects. Warns when
/// `contacts` is notified but no role is external. Language reference: "effects".
enum EffectsRule: TemplateRule {
    static let name = "EffectsRule"
    static let summary = "effects have recipients, valid URLs and placeholders naming real fields"
    static let codes = [CheckMessages.noRecipients, CheckMessages.emptyGroup, CheckMessages.badWebhook,
                        CheckMessages.badPlaceholder, CheckMessages.contactsWithoutExternal, CheckMessages.addedOutsideRoleAdded,
                        CheckMessages.placeholderOfAnotherLanguage]

    static func check(_ ctx: inout RuleContext) {
        let t = ctx.template
        let hasExternal = t.roles.contains(where: \.external)
        // Only needed when a placeholder is unknown.
        lazy var fieldNames = t.fields.map(\.id.value)
        func check(_ e: EffectSyntax, mayNameAdded: Bool = false) {
            if !mayNameAdded, e.kind.value != .groupChat, let a = e.recipients.first(where: { $0.value == "added" }) {
                ctx.report(CheckMessages.addedOutsideRoleAdded.at(a.span).help(CheckMessages.Formats.addedInEffect))
            }
            // `to: owner`: FC0203 already says to write `[owner]` (QA round 35, A8: "has no
            // recipients" beside it).
            switch e.kind.value {
            case _ where e.recipientsNotAList:
                break
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
            for text in e.text { checkPlaceholders(text, mayNameAdded: mayNameAdded) }
        }
        func checkPlaceholders(_ text: ScalarText, mayNameAdded: Bool) {
            let f = CheckMessages.Formats.self
            // The text's map to the file, made at its first diagnostic and kept: a message of
            // thousands of `x{` took seconds per thousand, each diagnostic decoding the whole
            // scalar again (IR review F5).
            var map: ScalarMap?
            func spanOf(_ range: Range<Int>) -> SourceSpan {
                if map == nil { map = text.map }
                return map?.sourceSpan(of: range) ?? text.span(of: range)
            }
            // `{{customer_name}}` and `${customer_name}`: another template language's placeholder,
            // valid text here that does not mean one.
            for (range, name, dollar) in Self.otherLanguagePlaceholders(text.text) where ctx.fieldIndex[name] != nil {
                let at = spanOf(range)
                let written = dollar ? "${" + name + "}" : "{{" + name + "}}"
                let reads = dollar ? Message(f.dollarAndValue, [name]).text : Message(f.literalText, ["{" + name + "}"]).text
                ctx.report(CheckMessages.placeholderOfAnotherLanguage.at(at, written, reads)
                    .help(dollar ? f.noDollar : f.singleBraces, "{" + name + "}").fix(at, "{" + name + "}"))
            }
            // `｛customer_name｝`: a placeholder typed in full-width mode, which no `{` check sees.
            for (range, name) in fullWidthPlaceholders(text.text) {
                let at = spanOf(range)
                var d = CheckMessages.badPlaceholder.at(at, format: f.fullWidthPlaceholder, "\u{FF5B}" + name + "\u{FF5D}")
                if ctx.fieldIndex[name] != nil || name == "added.person" || name == "added.role" {
                    d = d.help(f.writeInstead, "{" + name + "}").fix(at, "{" + name + "}")
                } else if let g = Suggestions.closest(to: name, in: fieldNames) {
                    d = d.help(f.writeInstead, "{" + g + "}").fix(at, "{" + g + "}")
                }
                ctx.report(d)
            }
            for p in placeholders(text.text) {
                let at = spanOf(p.range)
                switch p.kind {
                case .unclosed:
                    ctx.report(CheckMessages.badPlaceholder.at(at, format: f.unclosedPlaceholder).help(f.literalBraces))
                case .loneClose:
                    ctx.report(CheckMessages.badPlaceholder.at(at, format: f.loneCloseBrace).help(f.literalBraces))
                case .field(let name) where name.allSatisfy({ $0 == " " || $0 == "\t" }):
                    ctx.report(CheckMessages.badPlaceholder.at(at, format: f.emptyPlaceholder, "{" + name + "}").help(f.literalBraces))
                case .field(let name) where name == "added.person" || name == "added.role":
                    if !mayNameAdded {
                        ctx.report(CheckMessages.addedOutsideRoleAdded.at(at, format: f.addedPlaceholder, "{" + name + "}")
                            .help(CheckMessages.Formats.addedInEffect))
                    }
                case .field(let name):
                    guard ctx.fieldIndex[name] == nil else { continue }
                    // The name is taken as written: spaces around it are part of it.
                    let bare = name.trimmingCharacters(in: .whitespaces)
                    if bare != name, ctx.fieldIndex[bare] != nil {
                        ctx.report(CheckMessages.badPlaceholder.at(at, format: f.spacedPlaceholder, "{" + name + "}")
                            .help(f.writeInstead, "{" + bare + "}").fix(at, "{" + bare + "}"))
                        continue
                    }
                    if ctx.mayBeUnnamed(name, t.unnamedFields, known: fieldNames) { continue }
                    var d = CheckMessages.badPlaceholder.at(at, name)
                    if let id = ctx.field(displayed: bare) {
                        // The field's display name for its id (`{客户名称}`).
                        ctx.report(d.help(CheckMessages.Formats.displayNameForID, bare, id).fix(at, "{" + id + "}"))
                        continue
                    }
                    // A short word (`{id}`) is a word of too many ids to mean one of them.
                    if let g = Suggestions.closest(to: bare, in: fieldNames) ?? (bare.count >= 3 ? Suggestions.onlyContainingWord(bare, in: fieldNames) : nil) {
                        d = d.help(CheckMessages.Formats.didYouMean, g)
                    }
                    ctx.report(d)
                }
            }
        }
        // Template-wide effects first, then each node's, in place (no list of all of them).
        for (trigger, effects) in t.effects {
            for e in effects { check(e, mayNameAdded: trigger.value == .onRoleAdded) }
        }
        for n in t.nodes {
            for e in n.onEnter + n.onComplete { check(e) }
        }
        if let a = t.pool?.idle?.notify.first(where: { $0.value == "added" }) {
            ctx.report(CheckMessages.addedOutsideRoleAdded.at(a.span).help(CheckMessages.Formats.addedInIdleNotify))
        }
    }

    /// What a brace in an effect text is, as the runner reads it.
    struct Placeholder: Equatable, CustomStringConvertible {
        enum Kind: Equatable {
            /// `{name}`: the name between the braces, as written (spaces included).
            case field(String)
            /// A `{` with no `}` after it.
            case unclosed
            /// A `}` that closes nothing and is not doubled.
            case loneClose
        }
        var kind: Kind
        /// The UTF-8 bytes of the text it covers: `{name}`, or the lone brace.
        var range: Range<Int>
        var description: String { "\(kind)@\(range)" }
    }

    /// A byte of a name written as ids are in a placeholder: an ASCII letter, digit, `_` or `.`.
    static func isIDByte(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "_") || c == UInt8(ascii: ".") || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
            || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }

    /// `{{name}}` and `${name}` in a text, `name` written as ids are (ASCII letters, digits, `_`
    /// and `.`), with the UTF-8 range of the whole and whether it is the `$` form.
    static func otherLanguagePlaceholders(_ s: String) -> [(Range<Int>, String, Bool)] {
        let b = Array(s.utf8)
        func name(from start: Int) -> Int {
            var end = start
            while end < b.count, isIDByte(b[end]) { end += 1 }
            return end
        }
        let open = UInt8(ascii: "{"), close = UInt8(ascii: "}"), dollar = UInt8(ascii: "$")
        var out: [(Range<Int>, String, Bool)] = []
        var i = 0
        while i + 1 < b.count {
            if b[i] == open, b[i + 1] == open {
                let end = name(from: i + 2)
                if end > i + 2, end + 1 < b.count, b[end] == close, b[end + 1] == close {
                    out.append((i..<(end + 2), String(decoding: b[(i + 2)..<end], as: UTF8.self), false))
                    i = end + 2
                    continue
                }
                i += 2
                continue
            }
            if b[i] == dollar, b[i + 1] == open, i + 2 < b.count, b[i + 2] != open {
                let end = name(from: i + 2)
                if end > i + 2, end < b.count, b[end] == close {
                    out.append((i..<(end + 1), String(decoding: b[(i + 2)..<end], as: UTF8.self), true))
                    i = end + 1
                    continue
                }
            }
            i += 1
        }
        return out
    }

    /// `｛name｝` in a text: full-width braces (U+FF5B, U+FF5D) around a name written as ids are
    /// (ASCII letters, digits, `_` and `.`), with the UTF-8 range of the whole. Full-width braces
    /// around anything else are taken as the author's own punctuation.
    static func fullWidthPlaceholders(_ s: String) -> [(Range<Int>, String)] {
        let b = Array(s.utf8)
        let open: [UInt8] = [0xEF, 0xBD, 0x9B], close: [UInt8] = [0xEF, 0xBD, 0x9D]
        func at(_ i: Int, _ bytes: [UInt8]) -> Bool { i + 3 <= b.count && b[i] == bytes[0] && b[i + 1] == bytes[1] && b[i + 2] == bytes[2] }
        var out: [(Range<Int>, String)] = []
        var i = 0
        while i < b.count {
            guard at(i, open) else { i += 1; continue }
            var end = i + 3
            while end < b.count, isIDByte(b[end]) { end += 1 }
            if end > i + 3, at(end, close) {
                out.append((i..<(end + 3), String(decoding: b[(i + 3)..<end], as: UTF8.self)))
                i = end + 3
            } else {
                i += 3
            }
        }
        return out
    }

    /// The placeholders and lone braces of a text, read as the runner reads them (`TextPiece` in
    /// FlowRuntime): `{{` and `}}` are literal braces, `{name}` is a placeholder up to the first
    /// `}`, and any other brace is literal there, which an author never means.
    static func placeholders(_ s: String) -> [Placeholder] {
        // Texts are scanned on their UTF-8 bytes. A brace byte is a brace character unless a
        // neighbour joins it into a larger character (a combining mark after it); a text where
        // one does takes the character-by-character path.
        let fast: [Placeholder]?? = s.utf8.withContiguousStorageIfAvailable { b in
            let open = UInt8(ascii: "{"), close = UInt8(ascii: "}")
            guard b.contains(open) || b.contains(close) else { return [] }
            var out: [Placeholder] = []
            let n = b.count
            for i in 0..<n where b[i] == open || b[i] == close {
                if !isOwnCharacter(b, i) { return nil }
            }
            var i = 0
            while i < n {
                let c = b[i]
                if (c == open || c == close), i + 1 < n, b[i + 1] == c {
                    i += 2
                } else if c == open {
                    var end = i + 1
                    while end < n, b[end] != close, b[end] != open { end += 1 }
                    if end < n, b[end] == open {
                        // Another `{` before any `}`: this one is never closed (`{name … {amount}`).
                        out.append(Placeholder(kind: .unclosed, range: i..<(i + 1)))
                        i = end
                    } else if end < n {
                        out.append(Placeholder(kind: .field(String(decoding: UnsafeBufferPointer(rebasing: b[(i + 1)..<end]), as: UTF8.self)), range: i..<(end + 1)))
                        i = end + 1
                    } else {
                        out.append(Placeholder(kind: .unclosed, range: i..<(i + 1)))
                        i += 1
                    }
                } else if c == close {
                    out.append(Placeholder(kind: .loneClose, range: i..<(i + 1)))
                    i += 1
                } else {
                    i += 1
                }
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

    /// `placeholders` on characters, for texts where a brace byte may be part of a larger
    /// character (which is then no brace, as for the runner).
    static func placeholdersByCharacter(_ s: String) -> [Placeholder] {
        var out: [Placeholder] = []
        let chars = Array(s)
        // The UTF-8 offset of each character, and of the end.
        var offsets: [Int] = []
        offsets.reserveCapacity(chars.count + 1)
        var o = 0
        for c in chars {
            offsets.append(o)
            o += c.utf8.count
        }
        offsets.append(o)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if (c == "{" || c == "}"), i + 1 < chars.count, chars[i + 1] == c {
                i += 2
            } else if c == "{" {
                if let next = chars[(i + 1)...].firstIndex(where: { $0 == "{" || $0 == "}" }), chars[next] == "{" {
                    out.append(Placeholder(kind: .unclosed, range: offsets[i]..<offsets[i + 1]))
                    i = next
                } else if let end = chars[(i + 1)...].firstIndex(of: "}") {
                    out.append(Placeholder(kind: .field(String(chars[(i + 1)..<end])), range: offsets[i]..<offsets[end + 1]))
                    i = end + 1
                } else {
                    out.append(Placeholder(kind: .unclosed, range: offsets[i]..<offsets[i + 1]))
                    i += 1
                }
            } else if c == "}" {
                out.append(Placeholder(kind: .loneClose, range: offsets[i]..<offsets[i + 1]))
                i += 1
            } else {
                i += 1
            }
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
