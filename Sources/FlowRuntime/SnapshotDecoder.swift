public import FlowExpr

/// A direct reader of stored snapshots of the current schema version: the bytes → `DealSnapshot`
/// without Foundation's `JSONSerialization` and `JSONDecoder`.
///
/// Why it exists: a timer sweep loads every due deal's snapshot, and decoding through Foundation
/// took about 0.6 ms per standard-sale snapshot, more than everything else the sweep does for
/// that deal (issue 3: a sweep over 1,000,000 deals with 1 % due must take under a second).
///
/// It is strict and only a fast path: anything it does not expect (another schema version, an
/// unknown or repeated key, a number that is not a plain integer, a missing property) makes it
/// give up (`nil`), and ``DealSnapshot/decode(_:)`` then takes the Foundation path, which either
/// reads it or says why not. It is meant to accept only what the Foundation path accepts, with
/// the same result: `SnapshotDecoderTests` checks that both give equal snapshots for every
/// intermediate snapshot of the example runs, for text with every kind of escape, and that it
/// gives up on the cases above.
enum SnapshotDecoder {
    struct GiveUp: Error {}

    static func decode(_ bytes: [UInt8]) -> DealSnapshot? {
        bytes.withUnsafeBufferPointer { b in
            var r = Reader(b: b)
            do {
                let s = try r.snapshot()
                r.space()
                return r.i == b.count ? s : nil
            } catch {
                return nil
            }
        }
    }

    /// A cursor over the JSON bytes. Every method throws `GiveUp` on anything unexpected.
    struct Reader {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0

        mutating func space() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }

        mutating func expect(_ c: UInt8) throws(GiveUp) {
            space()
            guard i < b.count, b[i] == c else { throw GiveUp() }
            i += 1
        }

        /// Consumes `c` if it is next.
        mutating func take(_ c: UInt8) -> Bool {
            space()
            if i < b.count, b[i] == c { i += 1; return true }
            return false
        }

        /// `null` if it is next.
        mutating func null() -> Bool {
            space()
            if i + 4 <= b.count, b[i] == 0x6E, b[i + 1] == 0x75, b[i + 2] == 0x6C, b[i + 3] == 0x6C { i += 4; return true }
            return false
        }

        mutating func bool() throws(GiveUp) -> Bool {
            space()
            if i + 4 <= b.count, b[i] == 0x74, b[i + 1] == 0x72, b[i + 2] == 0x75, b[i + 3] == 0x65 { i += 4; return true }
            if i + 5 <= b.count, b[i] == 0x66, b[i + 1] == 0x61, b[i + 2] == 0x6C, b[i + 3] == 0x73, b[i + 4] == 0x65 { i += 5; return false }
            throw GiveUp()
        }

        /// A plain integer (`-12`, `0`); fractions and exponents give up.
        mutating func int() throws(GiveUp) -> Int64 {
            space()
            var negative = false
            if i < b.count, b[i] == 0x2D { negative = true; i += 1 }
            let start = i
            var value: Int64 = 0
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                let (m, o1) = value.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(b[i] - 0x30))
                guard !o1, !o2 else { throw GiveUp() }
                value = a
                i += 1
            }
            guard i > start, i - start == 1 || b[start] != 0x30 else { throw GiveUp() }
            if i < b.count, b[i] == 0x2E || b[i] == 0x65 || b[i] == 0x45 { throw GiveUp() }
            return negative ? -value : value
        }

        mutating func smallInt() throws(GiveUp) -> Int {
            let v = try int()
            guard let n = Int(exactly: v) else { throw GiveUp() }
            return n
        }

        mutating func string() throws(GiveUp) -> String {
            try expect(0x22)
            let start = i
            // Fast path: no escapes.
            while i < b.count, b[i] != 0x22, b[i] != 0x5C {
                guard b[i] >= 0x20 else { throw GiveUp() }
                i += 1
            }
            guard i < b.count else { throw GiveUp() }
            if b[i] == 0x22 {
                let raw = UnsafeBufferPointer(rebasing: b[start..<i])
                i += 1
                // ASCII needs no validation (and most of a snapshot's text is ASCII).
                if raw.allSatisfy({ $0 < 0x80 }) { return String(decoding: raw, as: UTF8.self) }
                guard let s = String(validating: raw, as: UTF8.self) else { throw GiveUp() }
                return s
            }
            var bytes = Array(b[start..<i])
            while true {
                guard i < b.count else { throw GiveUp() }
                let c = b[i]
                if c == 0x22 { i += 1; break }
                guard c >= 0x20 else { throw GiveUp() }
                if c != 0x5C { bytes.append(c); i += 1; continue }
                i += 1
                guard i < b.count else { throw GiveUp() }
                let e = b[i]
                i += 1
                switch e {
                case 0x22, 0x5C, 0x2F: bytes.append(e)
                case 0x62: bytes.append(0x08)
                case 0x66: bytes.append(0x0C)
                case 0x6E: bytes.append(0x0A)
                case 0x72: bytes.append(0x0D)
                case 0x74: bytes.append(0x09)
                case 0x75:
                    var scalar = try hex4()
                    if scalar >= 0xD800, scalar < 0xDC00 {
                        guard i + 2 <= b.count, b[i] == 0x5C, b[i + 1] == 0x75 else { throw GiveUp() }
                        i += 2
                        let low = try hex4()
                        guard low >= 0xDC00, low < 0xE000 else { throw GiveUp() }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if scalar >= 0xDC00, scalar < 0xE000 {
                        throw GiveUp()
                    }
                    guard let u = Unicode.Scalar(scalar) else { throw GiveUp() }
                    bytes.append(contentsOf: String(Character(u)).utf8)
                default: throw GiveUp()
                }
            }
            guard let s = String(validating: bytes, as: UTF8.self) else { throw GiveUp() }
            return s
        }

        mutating func hex4() throws(GiveUp) -> UInt32 {
            guard i + 4 <= b.count else { throw GiveUp() }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = b[i]
                let d: UInt32
                switch c {
                case 0x30...0x39: d = UInt32(c - 0x30)
                case 0x41...0x46: d = UInt32(c - 0x41 + 10)
                case 0x61...0x66: d = UInt32(c - 0x61 + 10)
                default: throw GiveUp()
                }
                v = v << 4 | d
                i += 1
            }
            return v
        }

        /// The bytes of a key or enum word, which must be written without escapes.
        mutating func word() throws(GiveUp) -> UnsafeBufferPointer<UInt8> {
            try expect(0x22)
            let start = i
            while i < b.count, b[i] != 0x22 {
                guard b[i] != 0x5C, b[i] >= 0x20 else { throw GiveUp() }
                i += 1
            }
            guard i < b.count else { throw GiveUp() }
            i += 1
            return UnsafeBufferPointer(rebasing: b[start..<(i - 1)])
        }

        /// Which of `words` the next string is, compared on bytes (no `String` is built).
        mutating func choice(_ words: [StaticString]) throws(GiveUp) -> Int {
            let w = try word()
            for (n, candidate) in words.enumerated() where candidate.utf8CodeUnitCount == w.count {
                if UnsafeBufferPointer(start: candidate.utf8Start, count: w.count).elementsEqual(w) { return n }
            }
            throw GiveUp()
        }

        /// Reads an object whose keys are among `keys`, calling `field` with each key's index;
        /// `field` must consume the value. An unknown key, or a key written twice (Foundation would
        /// not necessarily agree on which one wins), gives up.
        mutating func object(_ keys: [StaticString], _ field: (inout Reader, Int) throws(GiveUp) -> Void) throws(GiveUp) {
            try expect(0x7B)
            if take(0x7D) { return }
            var seen: UInt64 = 0
            repeat {
                let key = try choice(keys)
                guard seen & (1 << UInt64(key)) == 0 else { throw GiveUp() }
                seen |= 1 << UInt64(key)
                try expect(0x3A)
                try field(&self, key)
            } while take(0x2C)
            try expect(0x7D)
        }

        mutating func array<T>(_ element: (inout Reader) throws(GiveUp) -> T) throws(GiveUp) -> [T] {
            try expect(0x5B)
            var out: [T] = []
            if take(0x5D) { return out }
            repeat { out.append(try element(&self)) } while take(0x2C)
            try expect(0x5D)
            return out
        }

        mutating func optional<T>(_ value: (inout Reader) throws(GiveUp) -> T) throws(GiveUp) -> T? {
            if null() { return nil }
            return try value(&self)
        }

        mutating func raw<T: RawRepresentable & CaseIterable>(_: T.Type) throws(GiveUp) -> T where T.RawValue == String {
            let w = try word()
            for c in T.allCases where c.rawValue.utf8.elementsEqual(w) { return c }
            throw GiveUp()
        }

        // MARK: The snapshot's types

        // The keys of each object, as the writer (`SnapshotJSON` in FlowHost) writes them.
        static let valueKeys: [StaticString] = ["type", "value", "amount", "currency", "days", "seconds", "elements"]
        static let nodeKeys: [StaticString] = ["status", "activatedAt", "dueAt", "blockedAt", "escalatedAt", "finishedAt", "deliverables", "outcome", "arrivals", "entries", "inPlan"]
        static let chatKeys: [StaticString] = ["effect", "chatID", "roles", "members"]
        static let decisionKeys: [StaticString] = ["sequence", "at", "kind", "node", "expression", "reads", "result", "target", "detail"]
        static let readKeys: [StaticString] = ["slot", "value"]
        static let recordKeys: [StaticString] = ["node", "kind", "text", "url", "author", "at", "sequence"]
        static let snapshotKeys: [StaticString] = ["schemaVersion", "dealID", "templateID", "templateVersion", "machineHash", "createdAt", "sequence", "lastEventID", "lastEventAt", "fields", "nodes", "status", "pool", "owner", "previousOwner", "releasedAt", "roleMembers", "lastStatusChangeAt", "idleWarned", "loseReason", "closedAt", "probability", "groupChats", "decisions", "decisionsDropped", "records", "recordsDropped"]

        /// The `type` words of `ExprValue`'s JSON form (see `ExprValue+Codable.swift`).
        static let valueTypes: [StaticString] = ["null", "boolean", "integer", "decimal", "money", "text", "date", "datetime", "duration", "enum", "list"]

        mutating func value() throws(GiveUp) -> ExprValue {
            var type: Int?
            var value: ExprValue?
            var text: String?
            var int: Int64?
            var bool: Bool?
            var amount: String?
            var currency: String?
            var elements: [ExprValue]?
            try object(Reader.valueKeys) { (r: inout Reader, key: Int) throws(GiveUp) in
                switch key {
                case 0: type = try r.choice(Reader.valueTypes)  // type
                case 1:  // value
                    // `value` is a string, an integer or a boolean, by type (read below).
                    r.space()
                    guard r.i < r.b.count else { throw GiveUp() }
                    switch r.b[r.i] {
                    case 0x22: text = try r.string()
                    case 0x74, 0x66: bool = try r.bool()
                    default: int = try r.int()
                    }
                case 2: amount = try r.string()  // amount
                case 3: currency = try r.string()  // currency
                case 4, 5:  // days, seconds
                    guard int == nil else { throw GiveUp() }
                    int = try r.int()
                case 6: elements = try r.array { (r: inout Reader) throws(GiveUp) in try r.value() }  // elements
                default: throw GiveUp()
                }
            }
            switch type {  // the index in `valueTypes`
            case 0: value = .null
            case 1: value = bool.map(ExprValue.boolean)
            case 2: value = int.map(ExprValue.integer)
            case 3: value = text.flatMap(ExprDecimal.init).map(ExprValue.decimal)
            case 4:
                if let a = amount.flatMap(ExprDecimal.init), let currency { value = .money(amount: a, currency: currency) }
            case 5: value = text.map(ExprValue.text)
            case 6: value = int.map { .date(days: $0) }
            case 7: value = int.map { .datetime(seconds: $0) }
            case 8: value = int.map { .duration(seconds: $0) }
            case 9: value = text.map(ExprValue.enumValue)
            case 10: value = elements.map(ExprValue.list)
            default: break
            }
            guard let value else { throw GiveUp() }
            return value
        }

        mutating func node() throws(GiveUp) -> NodeState {
            var n = NodeState(deliverables: 0)
            var have: UInt8 = 0
            try object(Reader.nodeKeys) { (r: inout Reader, key: Int) throws(GiveUp) in
                switch key {
                case 0: n.status = try r.raw(NodeStatus.self); have |= 1  // status
                case 1: n.activatedAt = try r.optional { (r: inout Reader) throws(GiveUp) in try r.int() }  // activatedAt
                case 2: n.dueAt = try r.optional { (r: inout Reader) throws(GiveUp) in try r.int() }  // dueAt
                case 3: n.blockedAt = try r.optional { (r: inout Reader) throws(GiveUp) in try r.int() }  // blockedAt
                case 4: n.escalatedAt = try r.optional { (r: inout Reader) throws(GiveUp) in try r.int() }  // escalatedAt
                case 5: n.finishedAt = try r.optional { (r: inout Reader) throws(GiveUp) in try r.int() }  // finishedAt
                case 6: n.deliverables = try r.array { (r: inout Reader) throws(GiveUp) in try r.bool() }; have |= 2  // deliverables
                case 7: n.outcome = try r.optional { (r: inout Reader) throws(GiveUp) in try r.smallInt() }  // outcome
                case 8: n.arrivals = try r.smallInt(); have |= 4  // arrivals
                case 9: n.entries = try r.smallInt(); have |= 8  // entries
                case 10: n.inPlan = try r.bool(); have |= 16  // inPlan
                default: throw GiveUp()
                }
            }
            guard have == 31 else { throw GiveUp() }
            return n
        }

        mutating func chat() throws(GiveUp) -> GroupChatState {
            var effect: Int?, chatID: String?, roles: [Int]?, members: [String]?
            try object(Reader.chatKeys) { (r: inout Reader, key: Int) throws(GiveUp) in
                switch key {
                case 0: effect = try r.smallInt()  // effect
                case 1: chatID = try r.string()  // chatID
                case 2: roles = try r.array { (r: inout Reader) throws(GiveUp) in try r.smallInt() }  // roles
                case 3: members = try r.array { (r: inout Reader) throws(GiveUp) in try r.string() }  // members
                default: throw GiveUp()
                }
            }
            guard let effect, let chatID, let roles, let members else { throw GiveUp() }
            return GroupChatState(effect: effect, chatID: chatID, roles: roles, members: members)
        }

        mutating func decision() throws(GiveUp) -> Decision {
            var sequence: Int64?, at: Int64?, kind: Decision.Kind?, node: Int?, expression: Int?
            var reads: [FieldRead]?, result: ExprValue?, target: Int?, detail: String?
            try object(Reader.decisionKeys) { (r: inout Reader, key: Int) throws(GiveUp) in
                switch key {
                case 0: sequence = try r.int()  // sequence
                case 1: at = try r.int()  // at
                case 2: kind = try r.raw(Decision.Kind.self)  // kind
                case 3: node = try r.optional { (r: inout Reader) throws(GiveUp) in try r.smallInt() }  // node
                case 4: expression = try r.optional { (r: inout Reader) throws(GiveUp) in try r.smallInt() }  // expression
                case 5:  // reads
                    reads = try r.array { (r: inout Reader) throws(GiveUp) in
                        var slot: Int?
                        var value: ExprValue?
                        try r.object(Reader.readKeys) { (r: inout Reader, key: Int) throws(GiveUp) in
                            switch key {
                            case 0: slot = try r.smallInt()  // slot
                            case 1: value = try r.optional { (r: inout Reader) throws(GiveUp) in try r.value() }  // value
                            default: throw GiveUp()
                            }
                        }
                        guard let slot else { throw GiveUp() }
                        return FieldRead(slot: slot, value: value)
                    }
                case 6: result = try r.optional { (r: inout Reader) throws(GiveUp) in try r.value() }  // result
                case 7: target = try r.optional { (r: inout Reader) throws(GiveUp) in try r.smallInt() }  // target
                case 8: detail = try r.optional { (r: inout Reader) throws(GiveUp) in try r.string() }  // detail
                default: throw GiveUp()
                }
            }
            guard let sequence, let at, let kind, let reads else { throw GiveUp() }
            return Decision(sequence: sequence, at: at, kind: kind, node: node, expression: expression, reads: reads, result: result,
                            target: target, detail: detail)
        }

        mutating func record() throws(GiveUp) -> NodeRecord {
            var node: Int?, kind: NodeRecord.Kind?, text: String?, url: String?, author: String?, at: Int64?, sequence: Int64?
            try object(Reader.recordKeys) { (r: inout Reader, key: Int) throws(GiveUp) in
                switch key {
                case 0: node = try r.smallInt()  // node
                case 1: kind = try r.raw(NodeRecord.Kind.self)  // kind
                case 2: text = try r.string()  // text
                case 3: url = try r.optional { (r: inout Reader) throws(GiveUp) in try r.string() }  // url
                case 4: author = try r.optional { (r: inout Reader) throws(GiveUp) in try r.string() }  // author
                case 5: at = try r.int()  // at
                case 6: sequence = try r.int()  // sequence
                default: throw GiveUp()
                }
            }
            guard let node, let kind, let text, let at, let sequence else { throw GiveUp() }
            return NodeRecord(node: node, kind: kind, text: text, url: url, author: author, at: at, sequence: sequence)
        }

        mutating func snapshot() throws(GiveUp) -> DealSnapshot {
            var schemaVersion: Int?, dealID: String?, templateID: String?, templateVersion: String?, machineHash: String?
            var createdAt: Int64?, sequence: Int64?, lastEventID: String?, lastEventAt: Int64?
            var fields: [ExprValue?]?, nodes: [NodeState]?, status: DealStatus?, pool: PoolPlacement?
            var owner: String?, previousOwner: String?, releasedAt: Int64?, roleMembers: [[String]]?
            var lastStatusChangeAt: Int64?, idleWarned: Bool?, loseReason: String?, closedAt: Int64?, probability: Int?
            var groupChats: [GroupChatState]?, decisions: [Decision]?, decisionsDropped: Int?
            var records: [NodeRecord]?, recordsDropped: Int?
            try object(Reader.snapshotKeys) { (r: inout Reader, key: Int) throws(GiveUp) in
                switch key {
                case 0:  // schemaVersion
                    schemaVersion = try r.smallInt()
                    guard schemaVersion == DealSnapshot.currentSchemaVersion else { throw GiveUp() }
                case 1: dealID = try r.string()  // dealID
                case 2: templateID = try r.string()  // templateID
                case 3: templateVersion = try r.string()  // templateVersion
                case 4: machineHash = try r.string()  // machineHash
                case 5: createdAt = try r.int()  // createdAt
                case 6: sequence = try r.int()  // sequence
                case 7: lastEventID = try r.string()  // lastEventID
                case 8: lastEventAt = try r.int()  // lastEventAt
                case 9: fields = try r.array { (r: inout Reader) throws(GiveUp) in try r.optional { (r: inout Reader) throws(GiveUp) in try r.value() } }  // fields
                case 10: nodes = try r.array { (r: inout Reader) throws(GiveUp) in try r.node() }  // nodes
                case 11: status = try r.raw(DealStatus.self)  // status
                case 12: pool = try r.raw(PoolPlacement.self)  // pool
                case 13: owner = try r.optional { (r: inout Reader) throws(GiveUp) in try r.string() }  // owner
                case 14: previousOwner = try r.optional { (r: inout Reader) throws(GiveUp) in try r.string() }  // previousOwner
                case 15: releasedAt = try r.optional { (r: inout Reader) throws(GiveUp) in try r.int() }  // releasedAt
                case 16:  // roleMembers
                    roleMembers = try r.array { (r: inout Reader) throws(GiveUp) in try r.array { (r: inout Reader) throws(GiveUp) in try r.string() } }
                case 17: lastStatusChangeAt = try r.int()  // lastStatusChangeAt
                case 18: idleWarned = try r.bool()  // idleWarned
                case 19: loseReason = try r.optional { (r: inout Reader) throws(GiveUp) in try r.string() }  // loseReason
                case 20: closedAt = try r.optional { (r: inout Reader) throws(GiveUp) in try r.int() }  // closedAt
                case 21: probability = try r.optional { (r: inout Reader) throws(GiveUp) in try r.smallInt() }  // probability
                case 22: groupChats = try r.array { (r: inout Reader) throws(GiveUp) in try r.chat() }  // groupChats
                case 23: decisions = try r.array { (r: inout Reader) throws(GiveUp) in try r.decision() }  // decisions
                case 24: decisionsDropped = try r.smallInt()  // decisionsDropped
                case 25: records = try r.array { (r: inout Reader) throws(GiveUp) in try r.record() }  // records
                case 26: recordsDropped = try r.smallInt()  // recordsDropped
                default: throw GiveUp()
                }
            }
            guard let schemaVersion, let dealID, let templateID, let templateVersion, let machineHash, let createdAt, let sequence,
                  let lastEventID, let lastEventAt, let fields, let nodes, let status, let pool, let roleMembers,
                  let lastStatusChangeAt, let idleWarned, let groupChats, let decisions, let decisionsDropped,
                  let records, let recordsDropped else { throw GiveUp() }
            return DealSnapshot(
                schemaVersion: schemaVersion, dealID: dealID, templateID: templateID, templateVersion: templateVersion,
                machineHash: machineHash, createdAt: createdAt, sequence: sequence, lastEventID: lastEventID,
                lastEventAt: lastEventAt, fields: fields, nodes: nodes, status: status, pool: pool, owner: owner,
                previousOwner: previousOwner, releasedAt: releasedAt, roleMembers: roleMembers,
                lastStatusChangeAt: lastStatusChangeAt, idleWarned: idleWarned, loseReason: loseReason, closedAt: closedAt,
                probability: probability, groupChats: groupChats, decisions: decisions, decisionsDropped: decisionsDropped,
                records: records, recordsDropped: recordsDropped)
        }
    }
}
