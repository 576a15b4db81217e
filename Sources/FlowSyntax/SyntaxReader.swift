import FlowDiagnostics
import FlowExpr
import FlowYAML

/// Typed access to YAML nodes that reports every shape, type and key problem as an FC02xx
/// diagnostic and keeps going.
struct SyntaxReader {
    let doc: YAMLDocument
    /// Capped (`DiagnosticCap`).
    var diagnostics: [Diagnostic] = [] { didSet { DiagnosticCap.trim(&diagnostics) } }
    /// References whose id holds a look-alike or invisible character (FC0206, reported), with the
    /// id they surely meant; the checker suggests it when it is declared.
    var lookAlikeReferences: [Located<String>] = []

    init(doc: YAMLDocument) { self.doc = doc }

    func span(_ id: YAMLNodeID) -> SourceSpan { doc.span(id) }

    /// "a mapping", "a list", "a string", … for messages.
    func describe(_ id: YAMLNodeID) -> String {
        switch doc.kind(id) {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar:
            switch doc.value(id) {
            case .null: return "nothing"
            case .bool(let b): return "the boolean `\(b)`"
            case .int(let i): return "the integer `\(i)`"
            // As written: the double it was read as (`1000.0` for `1e3`) is not what the author wrote.
            case .float(let f): return "the number `\(doc.text(id) ?? String(f))`"
            case .string(let s): return "the string `\(s.count > 40 ? String(s.prefix(40)) + "…" : s)`"
            case nil: return "a value"
            }
        }
    }

    /// Where to point when a whole container is concerned: its first key, or its first line.
    func anchor(_ id: YAMLNodeID) -> SourceSpan {
        if let first = doc.mappingPairs(id).first { return span(first.key) }
        let s = span(id)
        let line = s.file.lineRange(s.file.line(of: s.start))
        return SourceSpan(file: s.file, start: s.start, end: max(s.start + 1, min(s.end, line.upperBound)))
    }

    /// Reads a mapping, reporting unknown keys (with did-you-mean and a fix-it) and missing
    /// required keys. Returns nil (after a diagnostic) when the node is not a mapping.
    ///
    /// - Parameters:
    ///   - keys: the keys a mapping of this kind may have.
    ///   - context: what the mapping is, for messages; only evaluated when one is reported.
    ///   - allowed: the keys accepted here, when not every key of `Key`.
    ///   - readGuesses: a key reported unknown whose did-you-mean is a key not given is read as
    ///     that key (the template's sections: `feilds:` or `字段:` made every field unknown).
    mutating func mapping<Key: MappingKey>(_ id: YAMLNodeID, as keys: Key.Type, context: @autoclosure () -> String, allowed: [Key]? = nil,
                                           required: [Key] = [], missingAt: SourceSpan? = nil, readGuesses: Bool = false) -> Entries<Key>? {
        guard doc.kind(id) == .mapping else {
            diagnostics.append(wrongShape(id, "a mapping", context: context()))
            return nil
        }
        let table = Key.table
        var out = Entries<Key>()
        // Unknown keys right after a key whose value is empty are likely its entries, written at
        // its indentation: one error for the run, not one per entry (review of the checker, C6:
        // 30 fields so written gave 31 errors).
        var emptyKey: String?
        var stray: [(key: YAMLNodeID, name: String)] = []
        func flushStray() {
            defer { stray = [] }
            guard let first = stray.first, let owner = emptyKey else { return }
            var d = SyntaxMessages.unknownKey.at(span(first.key), first.name, context())
            for other in stray.dropFirst().prefix(3) { d = d.label(span(other.key), SyntaxMessages.Formats.alsoAtItsIndentation) }
            if stray.count > 1 { d = d.note(SyntaxMessages.Formats.strayKeys, String(stray.count), owner) }
            diagnostics.append(d.help(stray.count > 1 ? SyntaxMessages.Formats.indentThemUnder : SyntaxMessages.Formats.indentUnder, owner))
        }
        for (k, v) in doc.mappingPairs(id) {
            // The common case, decided on the key's bytes without building a `String`.
            if let i = doc.withUTF8(k, { table.match($0) }) ?? nil, allowed?.contains(table.keys[i]) ?? true {
                flushStray()
                emptyKey = doc.kind(v) == .scalar && doc.value(v) == .null ? table.keys[i].rawValue : nil
                // A key given twice is FC0102, "first defined here": the first is read. The last
                // was, and a second `fields:` at the end made every field of the first unknown,
                // 27 errors before the one that says why (QA round 22).
                if out[ordinal: i] == nil { out[ordinal: i] = (k, v) } else { out.repeated[i, default: []].append((k, v)) }
                continue
            }
            guard doc.kind(k) == .scalar, case .string(let name)? = doc.value(k) else {
                flushStray()
                emptyKey = nil
                diagnostics.append(SyntaxMessages.badKey.at(span(k), describe(k)))
                out.hasUnreadableKey = true
                continue
            }
            let names = allowed?.map(\.rawValue) ?? table.names
            if emptyKey != nil, !name.contains("\u{FF1A}"), Key.synonyms[name] == nil, Suggestions.closest(to: name, in: names) == nil {
                stray.append((k, name))
                continue
            }
            flushStray()
            emptyKey = nil
            var d = SyntaxMessages.unknownKey.at(span(k), name, context())
            // `{type： boolean}`: a full-width colon joins the key and its value into one key.
            func trimmed(_ t: Substring) -> String {
                String(t.drop { $0 == " " || $0 == "\u{3000}" }.reversed().drop { $0 == " " || $0 == "\u{3000}" }.reversed())
            }
            if let colon = name.firstIndex(of: "\u{FF1A}"), names.contains(trimmed(name[..<colon])) {
                let key = trimmed(name[..<colon])
                let value = trimmed(name[name.index(after: colon)...])
                d = d.help(SyntaxMessages.Formats.fullWidthColonInKey, key + ": " + value).fix(span(k), key + ": " + value)
                out.guesses.append(key)
                diagnostics.append(d)
                continue
            }
            if let meant = Key.synonyms[name], meant.rawValue == "default", doc.mappingPairs(id).count > 1 {
                // `else:` beside `if:` and `to:`: the other way is a branch of its own.
                let target = doc.text(v) ?? "NODE"
                d = d.help(SyntaxMessages.Formats.defaultOfItsOwn, name, target)
            } else if let meant = Key.synonyms[name], names.contains(meant.rawValue) {
                d = d.help(SyntaxMessages.Formats.didYouMean, meant.rawValue).fix(span(k), meant.rawValue)
                out.guesses.append(meant.rawValue)
            } else if let guess = Suggestions.closest(to: name, in: names) {
                d = d.help(SyntaxMessages.Formats.didYouMean, guess).fix(span(k), guess)
                out.guesses.append(guess)
            }
            diagnostics.append(d)
        }
        flushStray()
        if readGuesses {
            // After the keys given: a key written right is read, not its misspelt twin.
            for (k, v) in doc.mappingPairs(id) {
                guard doc.kind(k) == .scalar, case .string(let name)? = doc.value(k), Key(rawValue: name) == nil else { continue }
                let meant = Key.synonyms[name] ?? Suggestions.closest(to: name, in: allowed?.map(\.rawValue) ?? table.names).flatMap(Key.init(rawValue:))
                if let meant, allowed?.contains(meant) ?? true, out[meant] == nil { out[ordinal: table.ordinal(of: meant)] = (k, v) }
            }
        }
        // A required key that a full-width colon hid inside an unknown key is said there, once.
        for r in required where out[r] == nil && !out.guesses.contains(r.rawValue) {
            diagnostics.append(SyntaxMessages.missingKey.at(missingAt ?? anchor(id), r.rawValue, context()))
        }
        return out
    }

    /// Whether an empty value is written inside `{…}` or `[…]`: the next character written after
    /// it is `,`, `}` or `]`.
    func isInFlow(_ id: YAMLNodeID) -> Bool {
        let bytes = doc.file.bytes
        var i = span(id).end
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
        return i < bytes.count && (bytes[i] == 0x2C || bytes[i] == 0x7D || bytes[i] == 0x5D)
    }

    /// FC0203 for a value of the wrong shape where a mapping's `context` (already quoted as it
    /// should be shown: "field `amount`", "`roles`", "the template") is expected.
    func wrongShape(_ id: YAMLNodeID, _ expected: String, context: String) -> Diagnostic {
        var d = SyntaxMessages.wrongShape.at(span(id), expected, context, describe(id))
        d.message = Message(SyntaxMessages.Formats.wrongShapeOf, [expected, context, describe(id)])
        if doc.kind(id) == .scalar, case .null? = doc.value(id) { d = d.help(SyntaxMessages.Formats.entriesBelow) }
        return d
    }

    /// Reads a scalar as a string. Numbers are accepted and kept as written when `lenient`.
    /// - Parameter key: where the value is, for messages; only evaluated when one is reported.
    mutating func string(_ id: YAMLNodeID, key: @autoclosure () -> String, lenient: Bool = false) -> Located<String>? {
        guard doc.kind(id) == .scalar else {
            diagnostics.append(SyntaxMessages.wrongShape.at(span(id), "a string", key(), describe(id)))
            return nil
        }
        switch doc.value(id) {
        case .string(let s)?:
            return Located(s, span(id))
        case .int?, .float?:
            if lenient, let t = doc.text(id) { return Located(t, span(id)) }
        default:
            break
        }
        diagnostics.append(wrongType(id, "a string", key()))
        return nil
    }

    /// Reports what `string` would, without building the string when it is one (for values that
    /// are checked but not kept, such as descriptions).
    mutating func checkString(_ id: YAMLNodeID, key: @autoclosure () -> String) {
        if doc.isString(id) { return }
        _ = string(id, key: key())
    }

    func typeName(_ id: YAMLNodeID) -> String { doc.value(id)?.typeName ?? "value" }

    /// FC0204 for scalar `id`; a key with nothing after it (`fail: `) is said as such, not as
    /// "found null ``" (QA round 22).
    func wrongType(_ id: YAMLNodeID, _ expected: String, _ key: String) -> Diagnostic {
        let text = doc.text(id) ?? ""
        var d = SyntaxMessages.wrongType.at(span(id), expected, key, typeName(id), text)
        if text.isEmpty, case .null? = doc.value(id) {
            d.message = Message(SyntaxMessages.Formats.nothingWritten, [expected, key])
        }
        return d
    }

    /// The lists of ids with no display name, by their key: what they are, and an example.
    static let bareIdentifiers: [String: (String, String)] = [
        "values": (SyntaxMessages.Formats.enumValues, "in_review"),
        "reasons": (SyntaxMessages.Formats.loseReasons, "lost_to_competitor"),
        "outcomes": (SyntaxMessages.Formats.outcomeIDs, "reject"),
    ]

    /// Reads an identifier (`[a-z][a-z0-9_]*`, at most 64 characters).
    /// - Parameter definition: the id defines something (a node, role or field), rather than
    ///   referring to one.
    mutating func identifier(_ id: YAMLNodeID, key: String, definition: Bool = false) -> Located<String>? {
        // Usually a string scalar whose bytes already spell an identifier: checked on the bytes,
        // then made a `String` once.
        if doc.isString(id),
           let s = doc.withUTF8(id, { SyntaxReader.isIdentifier($0) ? String(decoding: $0, as: UTF8.self) : nil }) ?? nil {
            return Located(s, span(id))
        }
        guard let s = string(id, key: key) else { return nil }
        guard SyntaxReader.isIdentifier(s.value) else {
            var d = SyntaxMessages.badIdentifier.at(s.span, s.value)
            let fixed = SyntaxReader.suggestIdentifier(s.value)
            if let c = CharacterNames.firstDeceptive(in: s.value) {
                // It looks like an id: name the character that makes it none.
                d.message = Message(SyntaxMessages.Formats.deceptiveCharacter, [CharacterNames.showingInvisibles(s.value), CharacterNames.describe(c)])
            }
            if !definition, let fixed { lookAlikeReferences.append(Located(fixed, s.span)) }
            let parts = s.value.split { $0 == "\u{FF0C}" || $0 == "\u{3001}" }.map { String($0.filter { $0 != " " }) }
            if let lines = foldedItemLines(id) {
                // `- quote` with `cost` on the next line: YAML joined two items into one text
                // (QA round 39, R10: the help suggested the id `quote_cost`).
                let names = lines.map { "`\($0.text)`" }
                if names.count == 1 {
                    d = d.help(SyntaxMessages.Formats.foldedItem, names[0])
                } else {
                    d = d.help(SyntaxMessages.Formats.foldedItems, names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1])
                }
                for line in lines { d = d.fix(line.dash, "- ") }
            } else if parts.count > 1, parts.allSatisfy(SyntaxReader.isIdentifier) {
                // `quote，cost` in a list: a full-width comma (or 、) joined two entries into one.
                d = d.help(SyntaxMessages.Formats.fullWidthComma, parts.joined(separator: ", "))
            } else if let (what, example) = Self.bareIdentifiers[key] {
                // An enum's values, the lose reasons and an approval's outcomes have no display
                // name to move the text to (QA rounds 35 and 36, A12, C8: the help sent the author
                // to a `name:` there is not).
                if let fixed, fixed != s.value {
                    d = d.help(SyntaxMessages.Formats.bareIdentifierLike, what, fixed)
                } else {
                    d = d.help(SyntaxMessages.Formats.bareIdentifierRule, what, example)
                }
            } else if let fixed, fixed != s.value {
                d = d.help(SyntaxMessages.Formats.identifierLike, fixed)
            } else {
                d = d.help(SyntaxMessages.Formats.identifierRule)
            }
            diagnostics.append(d)
            return nil
        }
        return s
    }

    /// Where a `- ` would go to start a new list item at `key`, a key of the item whose first
    /// key is `itemFirstKey`: the two columns before `key` in the item's own dash column, when
    /// they are spaces; nil when the item has no `- ` before its first key.
    func missingDash(before key: YAMLNodeID, itemFirstKey: YAMLNodeID) -> SourceSpan? {
        YAMLReader.missingDash(in: doc.file, itemFirstKey: span(itemFirstKey).start, newItemKey: span(key).start)
    }

    /// The lines after the first of a plain list item that runs over several (`- quote` with
    /// `cost` under it, which YAML joins into `quote cost`), each with the two columns a `- `
    /// in the item's own dash column would take; nil unless the value is such an item and every
    /// line after its first is an id alone, indented past that column.
    func foldedItemLines(_ id: YAMLNodeID) -> [(text: String, dash: SourceSpan)]? {
        guard doc.kind(id) == .scalar, doc.style(id) == .plain else { return nil }
        let s = span(id)
        let file = s.file
        let bytes = file.bytes
        let first = file.line(of: s.start)
        let last = file.line(of: max(s.start, s.end - 1))
        guard last > first else { return nil }
        // The item's own `- `, with nothing but spaces before it on its line.
        let lineStart = file.lineRange(first).lowerBound
        var dash = s.start
        while dash > lineStart, bytes[dash - 1] == 0x20 { dash -= 1 }
        guard dash > lineStart, bytes[dash - 1] == 0x2D, bytes[lineStart..<(dash - 1)].allSatisfy({ $0 == 0x20 }) else { return nil }
        let column = dash - 1 - lineStart
        var lines: [(text: String, dash: SourceSpan)] = []
        for line in (first + 1)...last {
            let range = file.lineRange(line)
            let at = range.lowerBound + column
            guard at + 2 <= range.upperBound, bytes[at..<(at + 2)].allSatisfy({ $0 == 0x20 }) else { return nil }
            let text = String(decoding: bytes[at..<min(range.upperBound, s.end)], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            guard SyntaxReader.isIdentifier(text) else { return nil }
            lines.append((text, SourceSpan(file: file, start: at, end: at + 2)))
        }
        return lines
    }

    /// A mapping key that names an entry (`fields:`, `roles:`, `outcomes:`): a number, `~`,
    /// `true` or a collection there is no key at all (FC0215, as in every mapping), not a value
    /// of the section (review of the checker, C9: "expected a string for `fields`").
    mutating func keyID(_ k: YAMLNodeID, key: String, definition: Bool = true) -> Located<String>? {
        guard doc.kind(k) == .scalar, doc.isString(k) else {
            diagnostics.append(SyntaxMessages.badKey.at(span(k), describe(k)))
            return nil
        }
        return definition ? definitionID(k, key: key) : identifier(k, key: key)
    }

    /// Reads the id of a definition (a node, role or field). An invalid id is reported as by
    /// `identifier`; when a valid id can be suggested, the definition is kept under it, so that
    /// references already written the intended way do not turn into "unknown" errors too.
    mutating func definitionID(_ id: YAMLNodeID, key: String) -> Located<String>? {
        if let s = identifier(id, key: key, definition: true) { return s }
        guard doc.kind(id) == .scalar, case .string(let text)? = doc.value(id),
              let fixed = SyntaxReader.suggestIdentifier(text) else { return nil }
        return Located(fixed, span(id))
    }

    static func isIdentifier(_ s: String) -> Bool {
        var s = s
        // On the contiguous bytes: iterating `utf8` checked every index.
        return s.withUTF8 { isIdentifier($0) }
    }

    static func isIdentifier(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let f = u.first, f >= 0x61, f <= 0x7A, u.count <= 64 else { return false }
        return u.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }

    static func suggestIdentifier(_ s: String) -> String? {
        var out = ""
        // A look-alike letter stands for its ASCII one, an invisible character for nothing.
        for ch in CharacterNames.skeleton(s).unicodeScalars {
            if ch.properties.isAlphabetic && ch.isASCII { out += String(ch).lowercased() }
            else if ch.isASCII && ch.properties.numericType != nil { out += String(ch) }
            else if ch == " " || ch == "-" || ch == "_" { if !out.hasSuffix("_") { out += "_" } }
        }
        while out.hasSuffix("_") { out.removeLast() }
        return isIdentifier(out) ? out : nil
    }

    mutating func bool(_ id: YAMLNodeID, key: String) -> Located<Bool>? {
        if doc.kind(id) == .scalar, case .bool(let b)? = doc.value(id) { return Located(b, span(id)) }
        var d = doc.kind(id) == .scalar
            ? wrongType(id, "`true` or `false`", key)
            : SyntaxMessages.wrongShape.at(span(id), "`true` or `false`", key, describe(id))
        if let t = doc.text(id)?.lowercased(), ["yes", "on", "y"].contains(t) {
            d = d.help(SyntaxMessages.Formats.yesIsString, doc.text(id) ?? "").fix(span(id), "true")
        } else if let t = doc.text(id)?.lowercased(), ["no", "off", "n"].contains(t) {
            d = d.help(SyntaxMessages.Formats.noIsString, doc.text(id) ?? "").fix(span(id), "false")
        } else if let t = doc.text(id), doc.kind(id) == .scalar, let meant = Suggestions.closest(to: t.lowercased(), in: ["true", "false"]) {
            // `ture`, `flase` (QA round 22).
            d = d.help(SyntaxMessages.Formats.didYouMean, meant).fix(span(id), meant)
        }
        diagnostics.append(d)
        return nil
    }

    mutating func int(_ id: YAMLNodeID, key: String) -> Located<Int>? {
        if doc.kind(id) == .scalar, case .int(let i)? = doc.value(id), let v = Int(exactly: i) { return Located(v, span(id)) }
        // YAML reads an integer past 64 bits as a float: it is an integer, out of range.
        if doc.kind(id) == .scalar, case .float? = doc.value(id), let t = doc.text(id), ScalarValue.isIntegerSyntax(t) {
            diagnostics.append(SyntaxMessages.outOfRange.at(span(id), t, key, SyntaxMessages.Formats.integerRange))
            return nil
        }
        if doc.kind(id) == .scalar {
            diagnostics.append(wrongType(id, "an integer", key))
        } else {
            diagnostics.append(SyntaxMessages.wrongShape.at(span(id), "an integer", key, describe(id)))
        }
        return nil
    }

    /// Reads an integer percentage: as `int`, and `10%` (which YAML reads as text) is said to be
    /// written `10`.
    mutating func percentage(_ id: YAMLNodeID, key: String) -> Located<Int>? {
        if doc.kind(id) == .scalar, case .string(let t)? = doc.value(id), t.hasSuffix("%") || t.hasSuffix("\u{FF05}") {
            let number = String(t.dropLast().trimmingSpaces)
            if !number.isEmpty, number.allSatisfy({ $0.isASCII && $0.isNumber }) {
                diagnostics.append(SyntaxMessages.wrongType.at(span(id), "an integer", key, typeName(id), t)
                    .help(SyntaxMessages.Formats.percentWithoutSign, number).fix(span(id), number))
                return nil
            }
        }
        // `probability: 0.1`: a fraction where a percent is written.
        if doc.kind(id) == .scalar, case .float(let f)? = doc.value(id), f > 0, f < 1, let t = doc.text(id) {
            let percent = f * 100
            if percent == percent.rounded() {
                let whole = String(Int(percent))
                diagnostics.append(SyntaxMessages.wrongType.at(span(id), "an integer", key, "number", t)
                    .help(SyntaxMessages.Formats.fractionForPercent, t, whole).fix(span(id), whole))
                return nil
            }
        }
        return int(id, key: key)
    }

    mutating func number(_ id: YAMLNodeID, key: String) -> Located<Double>? {
        if doc.kind(id) == .scalar {
            switch doc.value(id) {
            case .int(let i)?:
                // A whole number beyond 2^53 may have no double of its own (IR review F7).
                if Int64(exactly: Double(i)) != i { return inexactBound(id, key, Double(i)) }
                return Located(Double(i), span(id))
            case .float(let f)? where f.isFinite:
                if !FieldBounds.isKeptExactly(doc.text(id) ?? "", as: f) { return inexactBound(id, key, f) }
                return Located(f, span(id))
            case .float(let f)?:
                let t = doc.text(id) ?? ""
                if f.isNaN || t.lowercased().hasSuffix("inf") {
                    var d = SyntaxMessages.wrongType.at(span(id), "a finite number", key, "number", t)
                    d.message = Message(SyntaxMessages.Formats.notFinite, [key, t])
                    diagnostics.append(d)
                } else {
                    // Written as a number, too large for any (`1e400`).
                    diagnostics.append(SyntaxMessages.outOfRange.at(span(id), t, key, SyntaxMessages.Formats.numberRange))
                }
                return nil
            default: break
            }
            diagnostics.append(wrongType(id, "a number", key))
        } else {
            diagnostics.append(SyntaxMessages.wrongShape.at(span(id), "a number", key, describe(id)))
        }
        return nil
    }

    /// FC0212 for a bound with more significant digits than flowc keeps: it would be read as
    /// `kept`, silently (IR review F7: `min: 0.10000000000000001` took 0.1).
    mutating func inexactBound(_ id: YAMLNodeID, _ key: String, _ kept: Double) -> Located<Double>? {
        let shown = FieldBounds.exact(kept)?.description ?? FieldBounds.format(kept)
        diagnostics.append(SyntaxMessages.outOfRange.at(span(id), doc.text(id) ?? "", key, Message(SyntaxMessages.Formats.boundDigits, [shown]).text))
        return nil
    }

    mutating func duration(_ id: YAMLNodeID, key: String) -> Located<Duration>? {
        guard doc.kind(id) == .scalar else {
            diagnostics.append(SyntaxMessages.wrongShape.at(span(id), "a duration", key, describe(id)))
            return nil
        }
        if let d = doc.withUTF8(id, { Duration.parse(utf8: $0) }) ?? nil { return Located(d, span(id)) }
        let text = doc.text(id) ?? ""
        if doc.withUTF8(id, { Duration.isWellFormed(utf8: $0) }) == true {
            // The form is right; a number is longer than a duration's numbers may be.
            diagnostics.append(SyntaxMessages.outOfRange.at(span(id), text, key, Message(SyntaxMessages.Formats.durationDigits, [String(Duration.maxDigits)]).text))
            return nil
        }
        var diag = SyntaxMessages.badDuration.at(span(id), text)
        let advice = Duration.advice(text)
        if let replacement = advice.replacement {
            diag = diag.help(advice.format, replacement).fix(span(id), replacement)
        } else {
            diag = diag.help(advice.format)
        }
        diagnostics.append(diag)
        return nil
    }

    /// The entries of a list written as one text, for `[…]`: without the full-width brackets an
    /// input method types for `[` and `]` (`【po_number】`, QA round 17: the fix kept them), and
    /// with `, ` for its full-width commas.
    static func listEntries(_ text: String) -> String {
        var t = Substring(text)
        if let first = t.first, let last = t.last, t.count > 1, "【［「〔".contains(first), "】］」〕".contains(last) {
            t = t.dropFirst().dropLast()
        }
        guard t.contains(where: { $0 == "，" || $0 == "、" }) else { return String(t) }
        return t.split(whereSeparator: { $0 == "，" || $0 == "、" }).map { String($0.trimmingSpaces) }.joined(separator: ", ")
    }

    /// `1.5d`, `0.5h`, `2.5 w`: a number with a fraction and one unit, written in whole units
    /// largest first (`1d12h`, `30m`, `17d12h`) when it comes to whole minutes; nil otherwise.
    static func fractionalDuration(_ text: String) -> String? {
        let t = Substring(text).trimmingSpaces
        guard let unitChar = t.last, let unit: Int = ["w": 10_080, "d": 1_440, "h": 60, "m": 1][unitChar.lowercased()] else { return nil }
        let number = t.dropLast().trimmingSpaces
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, parts[0].count <= 6, parts[1].count <= 6,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let whole = Int(parts[0]), let fraction = Int(parts[1]) else { return nil }
        var scale = 1
        for _ in 0..<parts[1].count { scale *= 10 }
        let tenths = (whole * scale + fraction) * unit
        guard tenths % scale == 0 else { return nil }
        let minutes = tenths / scale
        guard minutes > 0 else { return nil }
        var out = ""
        if minutes / 1_440 > 0 { out += "\(minutes / 1_440)d" }
        if minutes % 1_440 / 60 > 0 { out += "\(minutes % 1_440 / 60)h" }
        if minutes % 60 > 0 { out += "\(minutes % 60)m" }
        return out
    }

    /// A duration written with known units out of order or repeated (`1h2d`, `1d1d`), written
    /// largest unit first, each once (`2d1h`, `2d`); nil for anything else.
    static func inUnitOrder(_ text: String) -> String? {
        var totals: [UInt8: Int] = [:]
        var digits = ""
        var pairs = 0
        for b in text.utf8 {
            if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) {
                digits.append(Character(UnicodeScalar(b)))
                guard digits.count <= Duration.maxDigits else { return nil }
            } else if Duration.seconds(ofUnit: b) != nil, let n = Int(digits) {
                totals[b, default: 0] += n
                digits = ""
                pairs += 1
            } else {
                return nil
            }
        }
        guard digits.isEmpty, pairs > 1 else { return nil }
        let written = Duration.units.compactMap { u in totals[u.letter].map { "\($0)\(Character(UnicodeScalar(u.letter)))" } }.joined()
        return written == text ? nil : written
    }

    /// Reads a list; nil (after a diagnostic) when the node is not a sequence.
    mutating func list(_ id: YAMLNodeID, key: String) -> ArraySlice<YAMLNodeID>? {
        guard doc.kind(id) == .sequence else {
            var d = SyntaxMessages.wrongShape.at(span(id), "a list", key, describe(id))
            if doc.kind(id) == .scalar, let t = doc.text(id), t.hasPrefix("-"), t.count > 1 {
                // `-quote` under the key: list items written without the space after the dash.
                d = d.help(SyntaxMessages.Formats.dashNeedsSpace)
            } else if doc.kind(id) == .scalar, let t = doc.text(id), !t.isEmpty {
                let entries = Self.listEntries(t)
                d = d.help(SyntaxMessages.Formats.writeList, entries).fix(span(id), "[\(entries)]")
            } else if doc.kind(id) == .scalar, case .null? = doc.value(id) {
                // Inside `{…}` there are no lines below: the list goes in brackets (QA round 36, C19).
                d = isInFlow(id) ? d.help(SyntaxMessages.Formats.listInBrackets, key) : d.help(SyntaxMessages.Formats.entriesBelow)
            }
            diagnostics.append(d)
            return nil
        }
        return doc.items(id)
    }

    /// Reports `id` when it is an empty list (FC0209).
    mutating func refuseEmptyList(_ id: YAMLNodeID, key: String, help: String? = nil) {
        guard doc.kind(id) == .sequence, doc.count(id) == 0 else { return }
        var d = SyntaxMessages.emptyCollection.at(span(id), key)
        if let help { d = d.help(help) }
        diagnostics.append(d)
    }

    mutating func identifierList(_ id: YAMLNodeID, key: String) -> [Located<String>] {
        guard let items = list(id, key: key) else { return [] }
        return items.compactMap { identifier($0, key: key) }
    }

    mutating func stringList(_ id: YAMLNodeID, key: String) -> [Located<String>] {
        guard let items = list(id, key: key) else { return [] }
        return items.compactMap { string($0, key: key) }
    }

    /// Reads a display name: a string, or a mapping of language tags to strings.
    mutating func name(_ id: YAMLNodeID, key: String) -> LocalizedName? {
        if doc.kind(id) == .scalar {
            guard let s = string(id, key: key, lenient: true) else { return nil }
            if s.value.isEmpty {
                diagnostics.append(SyntaxMessages.emptyCollection.at(span(id), key))
                return nil
            }
            return LocalizedName(entries: [("", s.value)], span: s.span)
        }
        guard doc.kind(id) == .mapping else {
            diagnostics.append(SyntaxMessages.wrongShape.at(span(id), "a string or a mapping of languages", key, describe(id)))
            return nil
        }
        var entries: [(language: String, text: String)] = []
        entries.reserveCapacity(doc.count(id))
        for (k, v) in doc.mappingPairs(id) {
            // Usually decided on the key's bytes: a language tag is a string under the core
            // schema (and the reader has refused any tag saying otherwise).
            let lang: String
            if let tag = doc.withUTF8(k, { SyntaxReader.isLanguageTag($0) ? String(decoding: $0, as: UTF8.self) : nil }) ?? nil {
                lang = tag
            } else {
                guard case .string(let text)? = doc.value(k) else {
                    diagnostics.append(SyntaxMessages.badKey.at(span(k), describe(k)))
                    continue
                }
                // Its bytes are the key's, which are not a language tag.
                var d = SyntaxMessages.badLanguage.at(span(k), text)
                // `message: {customer_name}`: a placeholder YAML read as a mapping.
                if doc.count(id) == 1, doc.kind(v) == .scalar, case .null? = doc.value(v), SyntaxReader.isIdentifier(text) {
                    d = d.help(SyntaxMessages.Formats.placeholderAsMapping, key + ": \"{" + text + "}\"")
                }
                diagnostics.append(d)
                continue
            }
            if let s = string(v, key: "\(key).\(lang)", lenient: true) { entries.append((lang, s.value)) }
        }
        if doc.count(id) == 0 {
            diagnostics.append(SyntaxMessages.emptyCollection.at(span(id), key))
            return nil
        }
        return LocalizedName(entries: entries, span: span(id))
    }

    /// The scalars of a display name that `name(_:key:)` read: the string itself, or the text of
    /// each language.
    func nameScalars(_ id: YAMLNodeID) -> [ScalarText] {
        if doc.kind(id) == .scalar {
            return doc.text(id).map { [ScalarText(text: $0, scalar: id, document: doc, span: span(id))] } ?? []
        }
        var out: [ScalarText] = []
        for (k, v) in doc.mappingPairs(id) where doc.kind(v) == .scalar {
            guard doc.withUTF8(k, { SyntaxReader.isLanguageTag($0) }) == true, let t = doc.text(v) else { continue }
            out.append(ScalarText(text: t, scalar: v, document: doc, span: span(v)))
        }
        return out
    }

    /// `ll` or `lll` in lowercase ASCII letters, then `-` subtags of 2 to 8 ASCII letters or
    /// digits (`zh`, `zh-Hans`, `en-US`). Checked on bytes: a non-ASCII character fails it.
    static func isLanguageTag(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { isLanguageTag($0) }
    }

    static func isLanguageTag(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var first = true
        var length = 0
        for b in bytes {
            if b == UInt8(ascii: "-") {
                guard first ? (length == 2 || length == 3) : (2...8).contains(length) else { return false }
                first = false
                length = 0
                continue
            }
            let lower = b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")
            let upper = b >= UInt8(ascii: "A") && b <= UInt8(ascii: "Z")
            let digit = b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
            guard first ? lower : (lower || upper || digit) else { return false }
            length += 1
        }
        return first ? (length == 2 || length == 3) : (2...8).contains(length)
    }

    /// Reads an expression scalar (any scalar: `when: true` is the expression `true`).
    mutating func expression(_ id: YAMLNodeID, key: String) -> ExpressionText? {
        guard doc.kind(id) == .scalar, let t = doc.text(id) else {
            diagnostics.append(SyntaxMessages.wrongShape.at(span(id), "an expression", key, describe(id)))
            return nil
        }
        return ExpressionText(text: t, scalar: id, document: doc, span: span(id))
    }

    /// Reads a scalar into one of a fixed set of values, with did-you-mean.
    mutating func choice<T: RawRepresentable & CaseIterable & Sendable>(_ id: YAMLNodeID, key: String, what: String, _ type: T.Type) -> Located<T>? where T.RawValue == String {
        guard let s = string(id, key: key) else { return nil }
        if let v = T(rawValue: s.value) { return Located(v, s.span) }
        let all = T.allCases.map(\.rawValue)
        var d = SyntaxMessages.unknownValue.at(s.span, s.value, what)
        if T.self == FieldTypeName.self, let meant = FieldTypeName.meant(by: s.value) {
            // Another language's or tool's word for a type (QA round 44, A12: `number`).
            if let one = meant.fix { d = d.help(SyntaxMessages.Formats.typeWordElsewhere, s.value, one).fix(s.span, one) } else { d = d.help(meant.help) }
        } else if let guess = Suggestions.closest(to: s.value, in: all) {
            d = d.help(SyntaxMessages.Formats.didYouMean, guess).fix(s.span, guess)
        } else {
            d = d.note(SyntaxMessages.Formats.expectedOneOf, all.map { "`\($0)`" }.joined(separator: ", "))
        }
        diagnostics.append(d)
        return nil
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
}
