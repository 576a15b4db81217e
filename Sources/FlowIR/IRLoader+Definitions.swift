import FlowCheck
import FlowDiagnostics
import FlowExpr
import FlowSyntax
import Foundation

/// What `flowc check` holds every template to, checked again on a machine whose hash matches but
/// that `flowc compile` may not have written (IR review: a script can rewrite the hash): its
/// texts and ids, its lose path, and its fields' definitions.
extension IRLoader {
    /// No text of the machine (outside its source paths) holds a character no template text may
    /// (``TemplateParser/isForbiddenInText(_:)``, FC0116 in `check`: a terminal control, a
    /// bidirectional override), FC1006; and node, role and field ids, enum values and lose
    /// reasons are identifiers, FC1003 (IR review F4: an id with an escape sequence reached the
    /// terminal).
    /// - Parameter json: the machine's canonical JSON, as its hash was taken of it.
    static func checkNames(_ m: Machine, json bytes: [UInt8]) throws(IRLoadError) {
        typealias F = IRMessages.Formats
        // Every text, found in the machine's JSON, so that a new key cannot escape the check;
        // the source table's file paths aside (a path may hold anything). The JSON is scanned
        // as bytes first: a tree of a large machine's JSON takes gigabytes (`checkHeader`), so
        // one is built only to name the place of a character found (one in a path alone finds
        // no place, and the machine passes).
        guard holdsForbiddenCharacter(bytes) else { return try checkIdentifiers(m) }
        let json = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [])) ?? [:]
        func walk(_ value: Any, _ path: String) throws(IRLoadError) {
            if let text = value as? String {
                if let bad = text.unicodeScalars.first(where: TemplateParser.isForbiddenInText) {
                    throw IRLoadError(kind: .valueOutOfRange, message: Message(F.forbiddenCharacter, [path, CharacterNames.describe(bad)]).text)
                }
            } else if let list = value as? [Any] {
                for (i, item) in list.enumerated() { try walk(item, "\(path)[\(i)]") }
            } else if let object = value as? [String: Any] {
                for key in object.keys.sorted() where !(path.isEmpty && key == "sources") {
                    if let bad = key.unicodeScalars.first(where: TemplateParser.isForbiddenInText) {
                        throw IRLoadError(kind: .valueOutOfRange, message: Message(F.forbiddenCharacter, [path.isEmpty ? "a key" : "a key of \(path)", CharacterNames.describe(bad)]).text)
                    }
                    // A name's key for no language (`name: Won`) is `""`: shown so, not as a trailing dot.
                    if let item = object[key] { try walk(item, path.isEmpty ? key : key.isEmpty ? "\(path)[\"\"]" : "\(path).\(key)") }
                }
            }
        }
        try walk(json, "")
        try checkIdentifiers(m)
    }

    /// Whether canonical JSON holds, in a string, a character ``TemplateParser/isForbiddenInText(_:)``
    /// refuses: written as an escape (`\u001b`, `\r`, `\b`, `\f`; JSON escapes every C0
    /// control), or as it is (DEL, a C1 control, a bidirectional override or isolate).
    static func holdsForbiddenCharacter(_ bytes: [UInt8]) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == UInt8(ascii: "\\"), i + 1 < n {
                switch bytes[i + 1] {
                case UInt8(ascii: "r"), UInt8(ascii: "b"), UInt8(ascii: "f"): return true
                case UInt8(ascii: "u"):
                    guard i + 5 < n, let value = UInt32(String(decoding: bytes[(i + 2)...(i + 5)], as: UTF8.self), radix: 16) else { return true }
                    if let scalar = Unicode.Scalar(value), TemplateParser.isForbiddenInText(scalar) { return true }
                    i += 6
                    continue
                default:
                    i += 2
                    continue
                }
            }
            if b == 0x7F { return true }
            // C1 controls: C2 80…C2 9F; overrides and isolates: E2 80 AA…AE, E2 81 A6…A9.
            if b == 0xC2, i + 1 < n, (0x80...0x9F).contains(bytes[i + 1]) { return true }
            if b == 0xE2, i + 2 < n {
                if bytes[i + 1] == 0x80, (0xAA...0xAE).contains(bytes[i + 2]) { return true }
                if bytes[i + 1] == 0x81, (0xA6...0xA9).contains(bytes[i + 2]) { return true }
            }
            i += 1
        }
        return false
    }

    /// Node, role and field ids, enum values, lose reasons and outcomes are identifiers (FC1003).
    static func checkIdentifiers(_ m: Machine) throws(IRLoadError) {
        typealias F = IRMessages.Formats
        func identifier(_ text: String, _ place: String) throws(IRLoadError) {
            guard TemplateParser.isIdentifier(text) else {
                throw IRLoadError(kind: .badReference, message: Message(F.notAnIdentifier, [place, text]).text)
            }
        }
        for (i, n) in m.nodes.enumerated() { try identifier(n.id, "nodes[\(i)].id") }
        for (i, r) in m.roles.enumerated() { try identifier(r.id, "roles[\(i)].id") }
        for (i, f) in m.fields.enumerated() {
            try identifier(f.id, "fields[\(i)].id")
            for (k, v) in (f.values ?? []).enumerated() { try identifier(v, "fields[\(i)].values[\(k)]") }
        }
        for (i, r) in (m.lose?.reasons ?? []).enumerated() { try identifier(r, "lose.reasons[\(i)]") }
        for (i, n) in m.nodes.enumerated() {
            if case .outcomes(let os) = n.transition {
                for (k, o) in os.enumerated() { try identifier(o.name, "nodes[\(i)].outcomes[\(k)]") }
            }
        }
    }

    /// The lose path, followed forward from `lose.via` (a fork to its branches), reaches a `lost`
    /// node and no `won` node, as `flowc check` holds it (LosePathRule; IR review F3: a machine
    /// whose `lose.via` was a `won` node won the deal it lost).
    static func checkLosePath(_ m: Machine) throws(IRLoadError) {
        typealias F = IRMessages.Formats
        guard let via = m.lose?.via else { return }
        func name(_ i: Int) -> String { "nodes[\(i)] (`\(m.nodes[i].id)`)" }
        var seen: Set<Int> = [via]
        var stack = [via]
        var reachesLost = false
        while let v = stack.popLast() {
            switch m.nodes[v].kind {
            case .won: throw IRLoadError(kind: .badReference, message: Message(F.losePathWins, [name(via), name(v)]).text)
            case .lost: reachesLost = true
            default: break
            }
            let next: [Int] = if case .fork(let branches, _) = m.nodes[v].transition { branches } else { m.nodes[v].transition.targets }
            for t in next where seen.insert(t).inserted { stack.append(t) }
        }
        if !reachesLost { throw IRLoadError(kind: .badReference, message: Message(F.losePathNeverLost, [name(via)]).text) }
    }

    /// The fields as `flowc check` defines them (IR review F2, F3, F9): a default that is a value
    /// of its field (else a new deal silently went without it), an enum's values, a money
    /// field's currency, one owner role, computed fields that do not read each other in a
    /// cycle (both would stay unset for ever), and a lose reason field that can hold the reasons.
    /// - Parameter types: each field's expression type, by slot.
    static func checkFields(_ m: Machine, _ types: [ExprType]) throws(IRLoadError) {
        typealias F = IRMessages.Formats
        func definition(_ i: Int, _ problem: String) -> IRLoadError {
            IRLoadError(kind: .valueOutOfRange, message: Message(F.fieldDefinition, [String(i), m.fields[i].id, problem]).text)
        }
        for (i, f) in m.fields.enumerated() {
            if let values = f.values {
                if values.isEmpty, f.type == "enum" || f.of == "enum" { throw definition(i, F.noEnumValues) }
                var seen: Set<String> = []
                for v in values where !seen.insert(v).inserted { throw definition(i, Message(F.repeatedEnumValue, [v]).text) }
            } else if f.type == "enum" || f.of == "enum" {
                throw definition(i, F.noEnumValues)
            }
            if let c = f.currency, !CurrencyCodes.iso4217.contains(c) { throw definition(i, Message(F.unknownCurrency, [c]).text) }
            if let text = f.defaultValue, i < types.count, case .failure = FieldText.readDefault(text, as: types[i], min: f.min, max: f.max, strict: false) {
                throw definition(i, Message(F.unreadableDefault, [text]).text)
            }
            if let low = f.min, let high = f.max, low > high { throw definition(i, F.minAboveMax) }
            if f.compute != nil, f.required || f.defaultValue != nil { throw definition(i, F.computedAndWritten) }
        }
        for (i, n) in m.customer.normalize.enumerated() where !CustomerKeyNormalizers.all.contains(n) {
            throw IRLoadError(kind: .valueOutOfRange, message: Message(F.unknownNormalizer, [String(i), n, CustomerKeyNormalizers.all.joined(separator: ", ")]).text)
        }
        let owners = m.roles.filter(\.owner).count
        if owners != 1 { throw IRLoadError(kind: .badReference, message: Message(F.ownerRoles, [String(owners)]).text) }
        if let l = m.lose, let r = l.reasonField {
            let f = m.fields[r]
            if f.compute != nil { throw IRLoadError(kind: .badReference, message: Message(F.reasonFieldComputed, [f.id]).text) }
            let fits = f.type == "text" || (f.type == "enum" && Set(l.reasons).isSubset(of: f.values ?? []))
            if !fits { throw IRLoadError(kind: .badReference, message: Message(F.reasonFieldType, [f.id, f.type]).text) }
        }
        // Computed fields reading computed fields: a cycle among them (depth-first, by slot).
        var state = [UInt8](repeating: 0, count: m.fields.count)   // 0 new, 1 on the path, 2 done
        var path: [Int] = []
        func visit(_ i: Int) throws(IRLoadError) {
            state[i] = 1
            path.append(i)
            if let c = m.fields[i].compute, m.expressions.indices.contains(c) {
                for r in m.expressions[c].reads where m.fields.indices.contains(r) && m.fields[r].compute != nil {
                    if state[r] == 1 {
                        let cycle = path[(path.lastIndex(of: r) ?? 0)...].map { "`\(m.fields[$0].id)`" } + ["`\(m.fields[r].id)`"]
                        throw IRLoadError(kind: .badReference, message: Message(F.computeCycle, [cycle.joined(separator: " → ")]).text)
                    }
                    if state[r] == 0 { try visit(r) }
                }
            }
            path.removeLast()
            state[i] = 2
        }
        for i in m.fields.indices where state[i] == 0 && m.fields[i].compute != nil { try visit(i) }
    }
}
