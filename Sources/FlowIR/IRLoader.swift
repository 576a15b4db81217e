public import FlowExpr
import FlowDiagnostics
import FlowSyntax
import Foundation

/// Why a machine file was refused. Codes are FC10xx (IR loading), distinct from template
/// diagnostics; `IRMessages` explains each.
public struct IRLoadError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// FC1001: not JSON, or JSON that is not a machine (truncated files land here).
        case malformed = "FC1001"
        /// FC1002: not a flowc IR, or a format version this flowc does not know.
        case unknownFormat = "FC1002"
        /// FC1003: an index points outside its array, an id repeats, or the flow has a shape `flowc check` refuses.
        case badReference = "FC1003"
        /// FC1004: the content does not match its hash (edited or corrupted).
        case hashMismatch = "FC1004"
        /// FC1005: an expression does not check against the machine's fields.
        case badExpression = "FC1005"
        /// FC1006: a value outside its range (a probability over 100, a negative duration).
        case valueOutOfRange = "FC1006"
    }

    public var kind: Kind
    public var message: String
    public var code: String { kind.rawValue }
    public var description: String { "error[\(code)]: \(message)" }
}

/// A machine that passed verification, with its expressions checked and ready to evaluate.
public struct VerifiedMachine: Sendable {
    public let machine: Machine
    /// `machine.expressions[i]`, checked against the fields.
    public let expressions: [CheckedExpr]
    /// Expression types of the fields, by slot.
    public let fieldTypes: [ExprType]
}

/// Loads and verifies IR files. A machine is trusted only after `verify`.
public enum IRLoader {
    /// Decodes and verifies a machine file.
    public static func load(_ bytes: [UInt8]) throws(IRLoadError) -> VerifiedMachine {
        let data = Data(bytes)
        try checkHeader(data)
        let machine: Machine
        do { machine = try JSONDecoder().decode(Machine.self, from: data) } catch {
            // The file as a tree, to say where the machine went wrong.
            let obj = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            throw IRLoadError(kind: .malformed, message: Message(IRMessages.Formats.notAMachine, [describe(error, in: obj)]).text)
        }
        return try verify(machine)
    }

    /// Refuses what is not JSON (FC1001), not a flowc IR, or of a format version this flowc does
    /// not read (FC1002). Read with `JSONDecoder`, whose parse is released when it returns:
    /// `JSONSerialization`'s tree of a 22 MB machine took 1.18 GB (massif), the peak of loading it.
    static func checkHeader(_ data: Data) throws(IRLoadError) {
        let header: Header
        do { header = try JSONDecoder().decode(Header.self, from: data) } catch {
            throw IRLoadError(kind: .malformed, message: "not JSON (\(data.isEmpty ? "empty file" : jsonProblem(data)))")
        }
        guard header.format == Machine.formatName else {
            throw IRLoadError(kind: .unknownFormat, message: "not a flowc IR file (no `\"format\": \"\(Machine.formatName)\"`)")
        }
        let version: Int
        switch header.version {
        case .missing: throw IRLoadError(kind: .unknownFormat, message: "missing `formatVersion`")
        case .text(let text):
            throw IRLoadError(kind: .unknownFormat, message: "`formatVersion` must be a number, not a string (`\"\(text)\"`)")
        case .other: throw IRLoadError(kind: .unknownFormat, message: "`formatVersion` must be a whole number such as 1")
        case .integer(let v): version = v
        }
        guard version <= Machine.currentFormatVersion, version >= 1 else {
            throw IRLoadError(kind: .unknownFormat, message: "format version \(version) is not known to this flowc (it reads 1 to \(Machine.currentFormatVersion))")
        }
    }

    /// What is wrong with a file that does not parse as JSON, as far as the system's parser says
    /// (the decoder says only "not valid JSON"; IR review F10: valid JSON nested too deep, and a
    /// file with more after its end, were both "truncated or corrupted").
    static func jsonProblem(_ data: Data) -> String {
        let said: String
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [])
            return "truncated or corrupted"
        } catch {
            said = ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String) ?? ""
        }
        // The parser's offset, "around character N".
        let offset = said.range(of: "around character ").map { said[$0.upperBound...].prefix { $0.isNumber } }.flatMap { Int($0) }
        let near = offset.map { " near byte \($0)" } ?? ""
        if said.contains("nested") { return "nested deeper than a machine can be\(near)" }
        if said.contains("end of file") { return "it ends in the middle: truncated" }
        return "corrupted\(near)"
    }

    /// The two keys of a machine file read before the rest, as written (any JSON value decodes).
    struct Header: Decodable {
        enum Version { case missing, integer(Int), text(String), other }
        enum Key: String, CodingKey { case format, formatVersion }
        var format: String?
        var version: Version = .missing

        init(from decoder: any Decoder) throws {
            guard let c = try? decoder.container(keyedBy: Key.self) else { return }
            format = try? c.decode(String.self, forKey: .format)
            guard c.contains(.formatVersion) else { return }
            if let v = try? c.decode(Int.self, forKey: .formatVersion) {
                version = .integer(v)
            } else if let text = try? c.decode(String.self, forKey: .formatVersion) {
                version = .text(text)
            } else {
                version = .other
            }
        }
    }

    /// The values the runner takes as given, within the bounds `flowc check` puts on the template
    /// values they come from: a probability is a percentage; a duration is positive (a cooldown
    /// may be zero) and at most `Duration.maxSeconds`, the longest a template can write; a quota
    /// is at least 1. A larger duration would put due times past any date a deal can show.
    static func checkRanges(_ m: Machine) throws(IRLoadError) {
        typealias F = IRMessages.Formats
        // The template's id and version are printed by most commands: no terminal control or
        // bidirectional override in them, as a template cannot write one (QA round 14).
        for (path, text) in [("template.id", m.template.id), ("template.version", m.template.version)] {
            if let bad = text.unicodeScalars.first(where: CharacterNames.isTerminalControl) {
                throw IRLoadError(kind: .valueOutOfRange, message: "\(path) holds the control character U+\(String(bad.value, radix: 16, uppercase: true))")
            }
        }
        func out(_ path: String, node: String? = nil, _ value: some BinaryInteger, _ rule: String) -> IRLoadError {
            let at = node.map { Message(F.ofNode, [$0]).text } ?? ""
            return IRLoadError(kind: .valueOutOfRange, message: Message(F.outOfRange, [path, at, String(value), rule]).text)
        }
        /// Why a duration is out of its bounds, or nil when it is within them.
        func durationProblem(_ seconds: Int64, zeroAllowed: Bool = false) -> String? {
            if seconds < 0 { return F.negativeDuration }
            if seconds == 0, !zeroAllowed { return F.zeroDuration }
            if seconds > Duration.maxSeconds {
                return Message(F.longDuration, [String(Duration.maxSeconds), Duration.longestText]).text
            }
            return nil
        }
        for (i, n) in m.nodes.enumerated() {
            if let p = n.probability, !(0...100).contains(p) {
                throw out("nodes[\(i)].probability", node: n.id, p, F.probabilityRange)
            }
            // An escalation's `after` may be 0: the template left it out, "at the breach".
            for (key, value, zeroAllowed) in [("due", n.due, false), ("estimate", n.estimate, false), ("escalate.after", n.escalate?.after, true)] {
                if let value, let problem = durationProblem(value, zeroAllowed: zeroAllowed) {
                    throw out("nodes[\(i)].\(key)", node: n.id, value, problem)
                }
            }
        }
        for (key, value, zeroAllowed) in [("cooldown", m.pool.cooldown, true), ("idleAfter", m.pool.idleAfter, false), ("idleWarn", m.pool.idleWarn, false)] {
            if let value, let problem = durationProblem(value, zeroAllowed: zeroAllowed) { throw out("pool.\(key)", value, problem) }
        }
        if let q = m.pool.quota, q < 1 { throw out("pool.quota", q, F.quotaRange) }
    }

    /// A decoding error in flowc's words, with the place of the value in the file: never the
    /// decoder's own text, which names Swift types.
    /// - Parameter json: the file as `JSONSerialization` read it, to show the value found.
    static func describe(_ error: any Error, in json: Any) -> String {
        typealias F = IRMessages.Formats
        if let choice = error as? UnknownChoice {
            return Message(F.notOneOf, [choice.path, choice.value, choice.what, choice.choices.joined(separator: ", ")]).text
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let ctx)?:
            return Message(F.missingKey, [path(ctx.codingPath + [key])]).text
        case .typeMismatch(let type, let ctx)?, .valueNotFound(let type, let ctx)?:
            let found = value(at: ctx.codingPath, in: json).map(kind(of:)) ?? F.kindOther
            return Message(F.wrongKind, [path(ctx.codingPath), kind(of: type), found]).text
        case .dataCorrupted(let ctx)?:
            // A number the decoder cannot hold is reported without its place: find it.
            if ctx.codingPath.isEmpty, case let (at, number)? = firstNonInteger(in: json, at: [], fractionsAt: ["min", "max"]) {
                return describe(number: number, at: at)
            }
            if let number = value(at: ctx.codingPath, in: json) as? NSNumber, !isBoolean(number) {
                return describe(number: number, at: path(ctx.codingPath))
            }
            return ctx.codingPath.isEmpty ? F.unreadableSomewhere : Message(F.unreadable, [path(ctx.codingPath)]).text
        default:
            return F.unreadableSomewhere
        }
    }

    /// A coding path as the messages write it: `nodes[0].transition.kind`.
    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    /// A number that is not a whole number of 64 bits, where one is needed.
    static func describe(number: NSNumber, at path: String) -> String {
        typealias F = IRMessages.Formats
        let d = number.doubleValue
        // A number too large for 64 bits is read as a decimal, which shows all its digits.
        guard d.isFinite, d == d.rounded() else { return Message(F.notWhole, [path, "\(number)"]).text }
        return Message(F.numberOutOfRange, [path, "\(number)", String(Int64.min), String(Int64.max)]).text
    }

    /// The first number (arrays in order, keys sorted) that is not a whole number of 64 bits,
    /// except under the keys that hold fractions (a field's `min` and `max`).
    static func firstNonInteger(in json: Any, at keys: [String], fractionsAt: Set<String>) -> (String, NSNumber)? {
        if let list = json as? [Any] {
            for (i, item) in list.enumerated() {
                if let found = firstNonInteger(in: item, at: keys + ["[\(i)]"], fractionsAt: fractionsAt) { return found }
            }
        } else if let object = json as? [String: Any] {
            for key in object.keys.sorted() where !fractionsAt.contains(key) {
                if let item = object[key], let found = firstNonInteger(in: item, at: keys + [".\(key)"], fractionsAt: fractionsAt) { return found }
            }
        } else if let number = json as? NSNumber, !isBoolean(number), number as? Int64 == nil {
            return (keys.joined().trimmingCharacters(in: CharacterSet(charactersIn: ".")), number)
        }
        return nil
    }

    /// The value at a decoder's coding path in the file as read, if it is there.
    static func value(at keys: [any CodingKey], in json: Any) -> Any? {
        var current: Any = json
        for key in keys {
            if let index = key.intValue, let list = current as? [Any] {
                guard list.indices.contains(index) else { return nil }
                current = list[index]
            } else if let object = current as? [String: Any], let next = object[key.stringValue] {
                current = next
            } else {
                return nil
            }
        }
        return current
    }

    /// What a value of the file is, as a message names it (`text `3d``, `a list`).
    static func kind(of value: Any) -> String {
        typealias F = IRMessages.Formats
        switch value {
        case is NSNull: return F.kindNull
        case let text as String:
            let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
            return Message(F.foundText, [shown]).text
        case is [Any]: return F.kindList
        case is [String: Any]: return F.kindObject
        case let number as NSNumber:
            if isBoolean(number) { return Message(F.foundValue, [number.boolValue ? "true" : "false"]).text }
            return number as? Int64 != nil ? F.kindWholeNumber : F.kindNumber
        default: return F.kindOther
        }
    }

    /// Whether `JSONSerialization` read this number as `true` or `false`. (A cast to `Bool`
    /// cannot tell: it succeeds for the numbers 0 and 1 as well.)
    static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }

    /// What a decoded type is, as a message names it.
    static func kind(of type: Any.Type) -> String {
        typealias F = IRMessages.Formats
        switch type {
        case is any BinaryInteger.Type: return F.kindWholeNumber
        case is any BinaryFloatingPoint.Type: return F.kindNumber
        case is String.Type: return F.kindText
        case is Bool.Type: return F.kindBoolean
        default:
            if ObjectIdentifier(type) == ObjectIdentifier([Any].self) { return F.kindList }
            if ObjectIdentifier(type) == ObjectIdentifier([String: Any].self) { return F.kindObject }
            return F.kindOther
        }
    }

    /// Checks the hash, then every index, every id, the flow's shape (``checkFlow(_:)``) and every
    /// value's range, and type-checks every expression.
    ///
    /// The hash comes first (`load` has already checked the format and decoded the file): a file
    /// edited by hand that still decodes is reported as edited, whatever the edit broke. The other
    /// checks are for a machine whose hash matches, written by another tool or a bug.
    public static func verify(_ m: Machine) throws(IRLoadError) -> VerifiedMachine {
        let hashed = IRCompiler.hashedJSON(m)
        guard IRCompiler.contentHash(ofHashed: hashed) == m.template.hash else {
            throw IRLoadError(kind: .hashMismatch, message: "the content does not match its hash \(m.template.hash); the file was edited or corrupted")
        }
        func bad(_ s: String) -> IRLoadError { IRLoadError(kind: .badReference, message: s) }
        let nn = m.nodes.count, nr = m.roles.count, nf = m.fields.count, ne = m.effects.count, nx = m.expressions.count
        func check(_ i: Int, _ n: Int, _ what: String) throws(IRLoadError) {
            if i < 0 || i >= n { throw bad("\(what) index \(i) is out of range (0..<\(n))") }
        }
        guard nn > 0 else { throw bad("the machine has no nodes") }
        try check(m.start, nn, "start node")
        if m.nodes[m.start].kind == .won || m.nodes[m.start].kind == .lost {
            throw bad("`start` is node \(m.start) (`\(m.nodes[m.start].id)`), an end node; a deal cannot start at its end")
        }
        for (kind, ids) in [("node", m.nodes.map(\.id)), ("role", m.roles.map(\.id)), ("field", m.fields.map(\.id))] where Set(ids).count != ids.count {
            throw bad("duplicate \(kind) id")
        }
        for (i, f) in m.fields.enumerated() {
            if let c = f.compute { try check(c, nx, "fields[\(i)].compute expression") }
        }
        // The special recipients cannot be roles (the compiler never makes one).
        if let r = m.roles.first(where: { TemplateParser.reservedRoleIDs.contains($0.id) }) {
            throw bad("role `\(r.id)` has the name of a special recipient")
        }
        // The group begins every customer key: an identifier, never a key's separators.
        if let g = m.customer.group, !TemplateParser.isIdentifier(g) {
            // Control characters shown by code point (the group may hold the keys' separators).
            let shown = g.unicodeScalars.map { $0.properties.generalCategory == .control ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined()
            throw bad("customer.group `\(shown)` is not an identifier")
        }
        for s in m.customer.identity + m.customer.profile { try check(s, nf, "customer field") }
        for (i, n) in m.nodes.enumerated() {
            let at = "nodes[\(i)] (`\(n.id)`)"
            if let o = n.owner { try check(o, nr, "\(at) owner role") }
            for p in n.participants { try check(p, nr, "\(at) participant role") }
            for f in n.requires { try check(f, nf, "\(at) required field") }
            if let w = n.when { try check(w, nx, "\(at) when expression") }
            for e in n.onEnter + n.onComplete { try check(e, ne, "\(at) effect") }
            for t in n.transition.targets + n.rework { try check(t, nn, "\(at) target node") }
            if case .branch(let bs, _) = n.transition { for b in bs { try check(b.condition, nx, "\(at) branch condition") } }
            if let e = n.escalate { try check(e.to, nr, "\(at) escalation role") }
            let terminal = n.kind == .won || n.kind == .lost
            if terminal != (n.transition == .end) { throw bad("\(at) is a `\(n.kind.rawValue)` node with the wrong transition") }
        }
        if let l = m.lose {
            try check(l.via, nn, "lose.via node")
            if let f = l.reasonField { try check(f, nf, "lose.reason_field field") }
            for f in l.from ?? [] { try check(f, nn, "lose.from node") }
        }
        for r in m.pool.idleNotify { if case .role(let i) = r { try check(i, nr, "pool.idle.notify role") } }
        if let a = m.pool.assignBy { try check(a, nr, "pool.assign_by role") }
        if let u = m.pool.idleUntil { try check(u, nn, "pool.idle.until node") }
        for (i, e) in m.effects.enumerated() {
            for r in e.recipients { if case .role(let x) = r { try check(x, nr, "effects[\(i)] recipient role") } }
            for f in e.fields { try check(f, nf, "effects[\(i)] field") }
            if let a = e.assigneeRole { try check(a, nr, "effects[\(i)] assignee role") }
        }
        for (name, list) in m.triggers { for e in list { try check(e, ne, "trigger `\(name)` effect") } }
        // `added` names the person an `on_role_added` effect is about: no other effect has one.
        if m.pool.idleNotify.contains(.added) { throw bad("pool.idle.notify names `added`, which only an `on_role_added` effect has") }
        var elsewhere = Set(m.nodes.flatMap { $0.onEnter + $0.onComplete })
        for (name, list) in m.triggers where name != "on_role_added" { elsewhere.formUnion(list) }
        for i in elsewhere.sorted() where m.effects[i].recipients.contains(.added) {
            throw bad("effects[\(i)] is sent to `added`, but not only from `on_role_added`")
        }
        try checkNames(m, json: hashed)
        try checkFlow(m)
        try checkLosePath(m)
        try checkRanges(m)
        // Expressions: re-check against the fields, and their reads must be what the compiler recorded.
        var types: [ExprType] = []
        var table: [String: ExprType] = [:]
        for f in m.fields {
            guard let t = f.exprType else { throw IRLoadError(kind: .badExpression, message: "field `\(f.id)` has an unknown type `\(f.type)`") }
            types.append(t)
            table[f.id] = t
        }
        try checkFields(m, types)
        // What each expression is used for, as the compiler checked it: a condition (`when`, a
        // branch) is boolean, a computed field's expression has the field's type (IR review F1:
        // a money field computed as text, a money condition counted false, were taken).
        // The type's name is what the compiler declares the expression to be (`boolean`, or the
        // computed field's type): a machine declaring another is refused, not trusted.
        var uses: [Int: (type: ExprType, name: String, use: String)] = [:]
        func use(_ x: Int, _ type: ExprType, _ name: String, _ what: String) throws(IRLoadError) {
            if let other = uses[x], other.type != type {
                throw IRLoadError(kind: .badExpression, message: Message(IRMessages.Formats.expressionTwoUses, [String(x), other.use, what]).text)
            }
            uses[x] = uses[x] ?? (type, name, what)
        }
        for (i, n) in m.nodes.enumerated() {
            if let w = n.when { try use(w, .boolean, "boolean", "the `when` of nodes[\(i)] (`\(n.id)`)") }
            if case .branch(let bs, _) = n.transition { for b in bs { try use(b.condition, .boolean, "boolean", "a branch condition of nodes[\(i)] (`\(n.id)`)") } }
        }
        for (i, f) in m.fields.enumerated() { if let c = f.compute { try use(c, types[i], f.type, "the `compute` of field `\(f.id)`") } }
        let env = ExprFieldTable(table)
        var checked: [CheckedExpr] = []
        for (i, x) in m.expressions.enumerated() {
            let expected = uses[i]?.type ?? (x.type == "boolean" ? .boolean : nil)
            // Leniently for instants: a machine compiled before `datetime('…')` literals were held
            // to the second and the zones in use loads as it did, and its deals replay.
            let c = ExprChecker.check(ExprParser.parse(x.source), in: env, expecting: expected, strictInstants: false)
            if let problem = firstError(of: c) {
                throw IRLoadError(kind: .badExpression, message: Message(IRMessages.Formats.expressionFails, [String(i), shown(x.source), problem]).text)
            }
            if let u = uses[i], x.type != u.name {
                throw IRLoadError(kind: .badExpression, message: Message(IRMessages.Formats.expressionDeclared, [String(i), shown(x.source), shown(x.type), u.use, u.name]).text)
            }
            let reads = c.referencedFields.compactMap { id in m.fields.firstIndex { $0.id == id } }
            guard reads == x.reads else {
                func names(_ slots: [Int]) -> String {
                    slots.isEmpty ? IRMessages.Formats.noFields
                        : slots.map { m.fields.indices.contains($0) ? "`\(m.fields[$0].id)`" : "field \($0)" }.joined(separator: ", ")
                }
                throw IRLoadError(kind: .badExpression, message: Message(IRMessages.Formats.expressionReads, [String(i), shown(x.source), names(reads), names(x.reads)]).text)
            }
            checked.append(c)
        }
        return VerifiedMachine(machine: m, expressions: checked, fieldTypes: types)
    }
}

extension IRLoader {
    /// The most characters of an expression a message shows: a machine's expression can be
    /// hundreds of kilobytes long, which no one reads on a terminal.
    static let shownExpressionLength = 80

    /// An expression as a message shows it: in backticks, cut after `shownExpressionLength`
    /// characters with its length said.
    static func shown(_ source: String) -> String {
        let count = source.count
        guard count > shownExpressionLength else { return "`\(source)`" }
        return Message(IRMessages.Formats.truncatedExpression, [String(source.prefix(shownExpressionLength)), String(count)]).text
    }

    /// The checker's first error in an expression, as `flowc check` words it (code, column,
    /// message), with how many more there are; nil when it has none.
    static func firstError(of c: CheckedExpr) -> String? {
        let errors = c.diagnostics.filter { $0.severity == .error }
        guard let first = errors.min(by: { $0.range.lowerBound < $1.range.lowerBound }) else { return nil }
        // Columns count characters, as an editor does; the range is in UTF-8 bytes.
        let utf8 = c.parsed.text.utf8
        let offset = min(max(first.range.lowerBound, 0), utf8.count)
        let column = String(decoding: utf8.prefix(offset), as: UTF8.self).count + 1
        let text = Message(IRMessages.Formats.expressionError, [first.code.description, String(column), first.message.text]).text
        return errors.count > 1 ? Message(IRMessages.Formats.moreErrors, [text, String(errors.count - 1)]).text : text
    }
}

extension FieldDef {
    /// The expression type of this field.
    public var exprType: ExprType? {
        func scalar(_ name: String) -> ExprType? {
            switch name {
            case "text": .text
            case "integer": .integer
            case "decimal": .decimal
            case "money": currency.map { .money(currency: $0) }
            case "boolean": .boolean
            case "date": .date
            case "datetime": .datetime
            case "enum": .enumeration(values: values ?? [])
            default: nil
            }
        }
        if type == "list" { return of.flatMap(scalar).map { .list($0) } }
        return scalar(type)
    }
}
