public import FlowExpr
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
        /// FC1003: an index points outside its array, or an id repeats.
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
        let raw: Any
        do { raw = try JSONSerialization.jsonObject(with: Data(bytes)) } catch {
            throw IRLoadError(kind: .malformed, message: "not JSON (\(bytes.isEmpty ? "empty file" : "truncated or corrupted"))")
        }
        guard let obj = raw as? [String: Any], obj["format"] as? String == Machine.formatName else {
            throw IRLoadError(kind: .unknownFormat, message: "not a flowc IR file (no `\"format\": \"\(Machine.formatName)\"`)")
        }
        guard let written = obj["formatVersion"] else {
            throw IRLoadError(kind: .unknownFormat, message: "missing `formatVersion`")
        }
        guard let version = written as? Int else {
            if let text = written as? String {
                throw IRLoadError(kind: .unknownFormat, message: "`formatVersion` must be a number, not a string (`\"\(text)\"`)")
            }
            throw IRLoadError(kind: .unknownFormat, message: "`formatVersion` must be a whole number such as 1")
        }
        guard version <= Machine.currentFormatVersion, version >= 1 else {
            throw IRLoadError(kind: .unknownFormat, message: "format version \(version) is not known to this flowc (it reads 1 to \(Machine.currentFormatVersion))")
        }
        let machine: Machine
        do { machine = try JSONDecoder().decode(Machine.self, from: Data(bytes)) } catch {
            throw IRLoadError(kind: .malformed, message: "not a valid machine: \(describe(error))")
        }
        return try verify(machine)
    }

    /// The values the runner takes as given: a probability is a percentage, durations and the
    /// quota are not negative.
    static func checkRanges(_ m: Machine) throws(IRLoadError) {
        func out(_ path: String, node: String? = nil, _ value: some BinaryInteger, _ rule: String) -> IRLoadError {
            IRLoadError(kind: .valueOutOfRange, message: "`\(path)`\(node.map { " (`\($0)`)" } ?? "") is \(value): \(rule)")
        }
        let negativeDuration = "a duration cannot be negative"
        for (i, n) in m.nodes.enumerated() {
            if let p = n.probability, !(0...100).contains(p) {
                throw out("nodes[\(i)].probability", node: n.id, p, "a probability is from 0 to 100")
            }
            for (key, value) in [("due", n.due), ("estimate", n.estimate), ("escalate.after", n.escalate?.after)] {
                if let value, value < 0 { throw out("nodes[\(i)].\(key)", node: n.id, value, negativeDuration) }
            }
        }
        for (key, value) in [("cooldown", m.pool.cooldown), ("idleAfter", m.pool.idleAfter), ("idleWarn", m.pool.idleWarn)] {
            if let value, value < 0 { throw out("pool.\(key)", value, negativeDuration) }
        }
        if let q = m.pool.quota, q < 0 { throw out("pool.quota", q, "a quota cannot be negative") }
    }

    static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, let ctx)?: return "missing `\(path(ctx.codingPath + [key]))`"
        case .typeMismatch(_, let ctx)?, .valueNotFound(_, let ctx)?: return "wrong value at `\(path(ctx.codingPath))`"
        case .dataCorrupted(let ctx)?: return "\(ctx.debugDescription) at `\(path(ctx.codingPath))`"
        default: return "\(error)"
        }
    }

    static func path(_ keys: [any CodingKey]) -> String {
        keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    /// Checks the hash, then every index, every id and every value's range, and type-checks every
    /// expression.
    ///
    /// The hash comes first: a file edited by hand is reported as edited, whatever the edit broke.
    /// The other checks are for a machine whose hash matches, written by another tool or a bug.
    public static func verify(_ m: Machine) throws(IRLoadError) -> VerifiedMachine {
        guard IRCompiler.contentHash(m) == m.template.hash else {
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
        try checkRanges(m)
        // Expressions: re-check against the fields, and their reads must be what the compiler recorded.
        var types: [ExprType] = []
        var table: [String: ExprType] = [:]
        for f in m.fields {
            guard let t = f.exprType else { throw IRLoadError(kind: .badExpression, message: "field `\(f.id)` has an unknown type `\(f.type)`") }
            types.append(t)
            table[f.id] = t
        }
        let env = ExprFieldTable(table)
        var checked: [CheckedExpr] = []
        for (i, x) in m.expressions.enumerated() {
            let c = ExprChecker.check(ExprParser.parse(x.source), in: env, expecting: x.type == "boolean" ? .boolean : nil)
            let reads = c.referencedFields.compactMap { id in m.fields.firstIndex { $0.id == id } }
            guard !c.hasErrors, reads == x.reads else {
                throw IRLoadError(kind: .badExpression, message: "expressions[\(i)] `\(x.source)` does not check against the fields")
            }
            checked.append(c)
        }
        return VerifiedMachine(machine: m, expressions: checked, fieldTypes: types)
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
