import FlowExpr

/// A direct reader of stored snapshots of the current schema version: the bytes → `DealSnapshot`
/// without Foundation's `JSONSerialization` and `JSONDecoder`.
///
/// Why it exists: a timer sweep loads every due deal's snapshot, and decoding through Foundation
/// took about 0.6 ms per standard-sale snapshot, more than everything else the sweep does for
/// that deal (issue 3: a sweep over 1,000,000 deals with 1 % due must take under a second).
///
/// It reads the bytes in one pass without building a `String` for anything but text values: keys
/// and enum words are compared as bytes in place, expecting the writer's sorted key order first (so
/// a key costs about one comparison), and objects are read by a loop over their keys rather than a
/// closure per member. Node states and the common values, most of a snapshot, are first read in
/// the writer's exact form and, failing that, again by the general loop.
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
        /// Where the last node status was found among the statuses.
        var statusHint = 0

        /// Skips whitespace (which the writer never writes: one comparison when there is none).
        @inline(__always)
        mutating func space() {
            while i < b.count, b[i] <= 0x20 {
                let c = b[i]
                guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
                i += 1
            }
        }

        @inline(__always)
        mutating func expect(_ c: UInt8) throws(GiveUp) {
            space()
            guard i < b.count, b[i] == c else { throw GiveUp() }
            i += 1
        }

        /// Consumes `c` if it is next.
        @inline(__always)
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

        /// A plain integer (`-12`, `0`); fractions and exponents give up, and so do leading zeros
        /// and values outside `Int64` (as before: Foundation decides).
        mutating func int() throws(GiveUp) -> Int64 {
            space()
            var negative = false
            if i < b.count, b[i] == 0x2D { negative = true; i += 1 }
            let start = i
            // Up to 18 digits cannot overflow: no check per digit.
            let fast = min(b.count, start + 18)
            var value: Int64 = 0
            while i < fast {
                let d = b[i] &- 0x30
                if d >= 10 { break }
                value = value &* 10 &+ Int64(d)
                i += 1
            }
            if i == fast {
                while i < b.count {
                    let d = b[i] &- 0x30
                    if d >= 10 { break }
                    let (m, o1) = value.multipliedReportingOverflow(by: 10)
                    let (a, o2) = m.addingReportingOverflow(Int64(d))
                    guard !o1, !o2 else { throw GiveUp() }
                    value = a
                    i += 1
                }
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
            // Fast path: no escapes. `high` collects the bits of every byte: below 0x80, ASCII.
            var high: UInt8 = 0
            while i < b.count {
                let c = b[i]
                if c == 0x22 || c == 0x5C { break }
                guard c >= 0x20 else { throw GiveUp() }
                high |= c
                i += 1
            }
            guard i < b.count else { throw GiveUp() }
            if b[i] == 0x22 {
                let raw = UnsafeBufferPointer(rebasing: b[start..<i])
                i += 1
                // ASCII needs no validation (and most of a snapshot's text is ASCII).
                if high < 0x80 { return String(decoding: raw, as: UTF8.self) }
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

        /// Whether the `n` bytes at `x` and `y` are equal, compared eight (or four) at a time.
        @inline(__always)
        static func equal(_ x: UnsafeRawPointer, _ y: UnsafeRawPointer, _ n: Int) -> Bool {
            if n >= 8 {
                var k = 0
                while k + 8 < n {
                    if x.loadUnaligned(fromByteOffset: k, as: UInt64.self) != y.loadUnaligned(fromByteOffset: k, as: UInt64.self) { return false }
                    k += 8
                }
                return x.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self) == y.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
            }
            if n >= 4 {
                return x.loadUnaligned(as: UInt32.self) == y.loadUnaligned(as: UInt32.self)
                    && x.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self) == y.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
            }
            for k in 0..<n where x.load(fromByteOffset: k, as: UInt8.self) != y.load(fromByteOffset: k, as: UInt8.self) { return false }
            return true
        }

        /// Whether the string whose opening quote was just read is exactly `word` (which holds no
        /// quote, backslash or control character); if so, it is consumed with its closing quote.
        /// Compared in place, without looking for the string's end first.
        @inline(__always)
        mutating func matches(_ word: Word) -> Bool {
            let n = word.count
            guard i + n < b.count, b[i + n] == 0x22, let base = b.baseAddress,
                  Reader.equal(UnsafeRawPointer(base + i), UnsafeRawPointer(word.start), n) else { return false }
            i += n + 1
            return true
        }

        /// Which of `words` the next string is, trying `words[from...]` first, then the others;
        /// nil (nothing consumed after the opening quote) when it is none of them.
        @inline(__always)
        mutating func match(_ words: [Word], from: Int = 0) -> Int? {
            var n = from
            while n < words.count {
                if matches(words[n]) { return n }
                n += 1
            }
            n = 0
            while n < from, n < words.count {
                if matches(words[n]) { return n }
                n += 1
            }
            return nil
        }

        /// Which of `words` the next string is, compared on bytes (no `String` is built).
        mutating func choice(_ words: [Word]) throws(GiveUp) -> Int {
            try expect(0x22)
            guard let n = match(words) else { throw GiveUp() }
            return n
        }

        /// An enum read from its raw value, compared on bytes.
        mutating func raw<T>(_ table: WordTable<T>) throws(GiveUp) -> T {
            var hint = 0
            return try raw(table, hint: &hint)
        }

        /// An enum read from its raw value, trying the word at `hint` first (the last one read:
        /// most nodes have the same status) and leaving there the one read.
        mutating func raw<T>(_ table: WordTable<T>, hint: inout Int) throws(GiveUp) -> T {
            try expect(0x22)
            guard let n = match(table.words, from: hint) else { throw GiveUp() }
            hint = n
            return table.values[n]
        }

        // MARK: Objects and arrays, read by loops

        /// The state of an object being read: the keys seen (a key written twice gives up:
        /// Foundation would not necessarily agree on which one wins) and where the next key
        /// probably is in the key list.
        struct Members {
            /// The object's keys (a static list, fetched once per object rather than per key).
            let keys: [Word]
            var seen: UInt64 = 0
            var next = 0
            var first = true
        }

        /// `{`; `from` is where the first key probably is in `keys`.
        mutating func openObject(_ keys: [Word], from: Int = 0) throws(GiveUp) -> Members {
            try expect(0x7B)
            return Members(keys: keys, next: from)
        }

        /// The index in `o.keys` of the next member's key, its `:` consumed; nil at the object's
        /// end. The caller must then read the value. An unknown key gives up.
        ///
        /// The keys are in the writer's (sorted) order, so the next key is nearly always
        /// `o.keys[o.next]` or a little after it (optional members are left out); any order is
        /// still read.
        @inline(__always)
        mutating func nextKey(_ o: inout Members) throws(GiveUp) -> Int? {
            // The writer's form (`"` first, `,"` after) is tried first; anything else (whitespace,
            // the end of the object) takes the general path.
            if o.first {
                o.first = false
                if i < b.count, b[i] == 0x22 {
                    i += 1
                } else {
                    if take(0x7D) { return nil }
                    try expect(0x22)
                }
            } else if i + 1 < b.count, b[i] == 0x2C, b[i + 1] == 0x22 {
                i += 2
            } else {
                if !take(0x2C) {
                    try expect(0x7D)
                    return nil
                }
                try expect(0x22)
            }
            guard let key = match(o.keys, from: o.next), key < 64 else { throw GiveUp() }
            let bit: UInt64 = 1 &<< UInt64(key)
            guard o.seen & bit == 0 else { throw GiveUp() }
            o.seen |= bit
            o.next = key + 1
            if i < b.count, b[i] == 0x3A { i += 1 } else { try expect(0x3A) }
            return key
        }

        /// `[`, and whether an element follows (false for `[]`).
        mutating func openArray() throws(GiveUp) -> Bool {
            try expect(0x5B)
            return !take(0x5D)
        }

        /// After an element: whether another follows (`,`) or the array ends (`]`).
        mutating func nextElement() throws(GiveUp) -> Bool {
            if take(0x2C) { return true }
            try expect(0x5D)
            return false
        }

        @inline(__always)
        mutating func array<T>(_ element: (inout Reader) throws(GiveUp) -> T) throws(GiveUp) -> [T] {
            var out: [T] = []
            if try openArray() {
                repeat { out.append(try element(&self)) } while try nextElement()
            }
            return out
        }

        @inline(__always)
        mutating func optionalInt() throws(GiveUp) -> Int64? { null() ? nil : try int() }
        @inline(__always)
        mutating func optionalSmallInt() throws(GiveUp) -> Int? { null() ? nil : try smallInt() }
        @inline(__always)
        mutating func optionalString() throws(GiveUp) -> String? { null() ? nil : try string() }
        @inline(__always)
        mutating func optionalValue() throws(GiveUp) -> ExprValue? { null() ? nil : try value() }

        // MARK: The snapshot's types

        // The keys of each object in the writer's order (`SnapshotJSON` in FlowHost: sorted).
        static let valueKeys = Word.list(["amount", "currency", "days", "elements", "seconds", "type", "value"])
        static let nodeKeys = Word.list(["activatedAt", "arrivals", "blockedAt", "deliverables", "dueAt", "entries", "escalatedAt",
                                         "finishedAt", "inPlan", "outcome", "status"])
        static let chatKeys = Word.list(["chatID", "effect", "members", "roles"])
        static let decisionKeys = Word.list(["at", "detail", "expression", "kind", "node", "reads", "result", "sequence", "target"])
        static let readKeys = Word.list(["slot", "value"])
        static let recordKeys = Word.list(["at", "author", "kind", "node", "sequence", "text", "url"])
        static let withheldKeys = Word.list(["person", "until"])
        static let snapshotKeys = Word.list([
            "closedAt", "createdAt", "dealID", "decisions", "decisionsDropped", "fields", "groupChats", "idleWarned", "lastEventAt",
            "lastEventID", "lastStatusChangeAt", "loseReason", "machineHash", "nodes", "owner", "pool", "previousOwner", "probability",
            "records", "recordsDropped", "releasedAt", "roleMembers", "schemaVersion", "sequence", "status", "templateID",
            "templateVersion", "withheld",
        ])

        /// The `type` words of `ExprValue`'s JSON form (see `ExprValue+Codable.swift`).
        static let valueTypes = Word.list(["null", "boolean", "integer", "decimal", "money", "text", "date", "datetime", "duration", "enum", "list"])

        static let nodeStatuses = WordTable(NodeStatus.self)
        static let decisionKinds = WordTable(Decision.Kind.self)
        static let recordKinds = WordTable(NodeRecord.Kind.self)
        static let dealStatuses = WordTable(DealStatus.self)
        static let poolPlacements = WordTable(PoolPlacement.self)

        /// A value: the writer's `{"type":…,"value":…}` form of null, booleans, integers,
        /// decimals, texts and enum values is read directly (``valueInWriterOrder()``); any other
        /// form or type is read again from its start by the general loop.
        mutating func value() throws(GiveUp) -> ExprValue {
            let start = i
            if let v = try valueInWriterOrder() { return v }
            i = start
            return try valueInAnyOrder()
        }

        /// See ``value()``: nil (part of it possibly consumed) for anything but the writer's form
        /// of the common types. A value of the wrong kind gives up, as the general loop does.
        mutating func valueInWriterOrder() throws(GiveUp) -> ExprValue? {
            guard i < b.count, b[i] == 0x7B else { return nil }
            i += 1
            let keys = Reader.valueKeys
            guard keys.count == 7 else { return nil }
            var first = true
            // Money (`amount`, `currency`), dates and durations (`days`, `seconds`) and lists
            // (`elements`) write members before `type`: the general loop reads those.
            guard member(keys[5], &first) else { return nil }  // type
            let value: ExprValue
            switch try choice(Reader.valueTypes) {  // the index in `valueTypes`
            case 0: value = .null
            case 1:
                guard member(keys[6], &first) else { return nil }  // value
                value = .boolean(try bool())
            case 2:
                guard member(keys[6], &first) else { return nil }
                value = .integer(try int())
            case 3:
                guard member(keys[6], &first) else { return nil }
                guard let d = ExprDecimal(try string()) else { throw GiveUp() }
                value = .decimal(d)
            case 5:
                guard member(keys[6], &first) else { return nil }
                value = .text(try string())
            case 9:
                guard member(keys[6], &first) else { return nil }
                value = .enumValue(try string())
            default: return nil
            }
            guard i < b.count, b[i] == 0x7D else { return nil }
            i += 1
            return value
        }

        mutating func valueInAnyOrder() throws(GiveUp) -> ExprValue {
            var type: Int?
            var value: ExprValue?
            var text: String?
            var int: Int64?
            var bool: Bool?
            var amount: String?
            var currency: String?
            var elements: [ExprValue]?
            // Most values are `{"type":…,"value":…}`: `type` is tried first.
            var o = try openObject(Reader.valueKeys, from: 5)
            while let key = try nextKey(&o) {
                switch key {
                case 0: amount = try string()  // amount
                case 1: currency = try string()  // currency
                case 2, 4:  // days, seconds
                    guard int == nil else { throw GiveUp() }
                    int = try self.int()
                case 3: elements = try array { (r: inout Reader) throws(GiveUp) in try r.value() }  // elements
                case 5: type = try choice(Reader.valueTypes)  // type
                case 6:  // value
                    // `value` is a string, an integer or a boolean, by type (read below).
                    space()
                    guard i < b.count else { throw GiveUp() }
                    switch b[i] {
                    case 0x22: text = try string()
                    case 0x74, 0x66: bool = try self.bool()
                    default: int = try self.int()
                    }
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

        /// A node state: nodes are most of a snapshot's members, so the writer's exact form is
        /// tried first (``nodeInWriterOrder()``); anything else is read again from its start by
        /// the general loop.
        mutating func node() throws(GiveUp) -> NodeState {
            let start = i
            var n = NodeState(deliverables: 0)
            if try nodeInWriterOrder(&n) { return n }
            i = start
            return try nodeInAnyOrder()
        }

        /// `"name":` (after a `,` unless `first`) if it is next, exactly as the writer writes it;
        /// consumed, and `first` cleared, when it is.
        @inline(__always)
        mutating func member(_ key: Word, _ first: inout Bool) -> Bool {
            var k = i
            if !first {
                guard k < b.count, b[k] == 0x2C else { return false }
                k += 1
            }
            let n = key.count
            guard k + n + 2 < b.count, b[k] == 0x22, b[k + n + 1] == 0x22, b[k + n + 2] == 0x3A, let base = b.baseAddress,
                  Reader.equal(UnsafeRawPointer(base + k + 1), UnsafeRawPointer(key.start), n) else { return false }
            i = k + n + 3
            first = false
            return true
        }

        /// A node state exactly as the writer writes it (its keys in order, optional ones left
        /// out, no whitespace) read into `n` (a fresh state); false (part of it possibly consumed)
        /// for any other form. Values are read as the general loop reads them, so both give the
        /// same node or both give up. (Filling `n` rather than returning an optional spares a
        /// copy of the state per node.)
        mutating func nodeInWriterOrder(_ n: inout NodeState) throws(GiveUp) -> Bool {
            guard i < b.count, b[i] == 0x7B else { return false }
            i += 1
            let keys = Reader.nodeKeys
            guard keys.count == 11 else { return false }
            var first = true
            if member(keys[0], &first) { n.activatedAt = try optionalInt() }
            guard member(keys[1], &first) else { return false }
            n.arrivals = try smallInt()
            if member(keys[2], &first) { n.blockedAt = try optionalInt() }
            guard member(keys[3], &first) else { return false }
            var list: [Bool] = []
            if try openArray() {
                repeat { list.append(try bool()) } while try nextElement()
            }
            n.deliverables = list
            if member(keys[4], &first) { n.dueAt = try optionalInt() }
            guard member(keys[5], &first) else { return false }
            n.entries = try smallInt()
            if member(keys[6], &first) { n.escalatedAt = try optionalInt() }
            if member(keys[7], &first) { n.finishedAt = try optionalInt() }
            guard member(keys[8], &first) else { return false }
            n.inPlan = try bool()
            if member(keys[9], &first) { n.outcome = try optionalSmallInt() }
            guard member(keys[10], &first) else { return false }
            var hint = statusHint
            n.status = try raw(Reader.nodeStatuses, hint: &hint)
            statusHint = hint
            guard i < b.count, b[i] == 0x7D else { return false }
            i += 1
            return true
        }

        mutating func nodeInAnyOrder() throws(GiveUp) -> NodeState {
            var n = NodeState(deliverables: 0)
            var have: UInt8 = 0
            var o = try openObject(Reader.nodeKeys)
            while let key = try nextKey(&o) {
                switch key {
                case 0: n.activatedAt = try optionalInt()  // activatedAt
                case 1: n.arrivals = try smallInt(); have |= 4  // arrivals
                case 2: n.blockedAt = try optionalInt()  // blockedAt
                case 3:  // deliverables
                    var list: [Bool] = []
                    if try openArray() {
                        repeat { list.append(try bool()) } while try nextElement()
                    }
                    n.deliverables = list
                    have |= 2
                case 4: n.dueAt = try optionalInt()  // dueAt
                case 5: n.entries = try smallInt(); have |= 8  // entries
                case 6: n.escalatedAt = try optionalInt()  // escalatedAt
                case 7: n.finishedAt = try optionalInt()  // finishedAt
                case 8: n.inPlan = try bool(); have |= 16  // inPlan
                case 9: n.outcome = try optionalSmallInt()  // outcome
                case 10: n.status = try raw(Reader.nodeStatuses); have |= 1  // status
                default: throw GiveUp()
                }
            }
            guard have == 31 else { throw GiveUp() }
            return n
        }

        mutating func chat() throws(GiveUp) -> GroupChatState {
            var effect: Int?, chatID: String?, roles: [Int]?, members: [String]?
            var o = try openObject(Reader.chatKeys)
            while let key = try nextKey(&o) {
                switch key {
                case 0: chatID = try string()  // chatID
                case 1: effect = try smallInt()  // effect
                case 2: members = try array { (r: inout Reader) throws(GiveUp) in try r.string() }  // members
                case 3: roles = try array { (r: inout Reader) throws(GiveUp) in try r.smallInt() }  // roles
                default: throw GiveUp()
                }
            }
            guard let effect, let chatID, let roles, let members else { throw GiveUp() }
            return GroupChatState(effect: effect, chatID: chatID, roles: roles, members: members)
        }

        mutating func read() throws(GiveUp) -> FieldRead {
            var slot: Int?
            var value: ExprValue?
            var o = try openObject(Reader.readKeys)
            while let key = try nextKey(&o) {
                switch key {
                case 0: slot = try smallInt()  // slot
                case 1: value = try optionalValue()  // value
                default: throw GiveUp()
                }
            }
            guard let slot else { throw GiveUp() }
            return FieldRead(slot: slot, value: value)
        }

        mutating func decision() throws(GiveUp) -> Decision {
            var sequence: Int64?, at: Int64?, kind: Decision.Kind?, node: Int?, expression: Int?
            var reads: [FieldRead]?, result: ExprValue?, target: Int?, detail: String?
            var o = try openObject(Reader.decisionKeys)
            while let key = try nextKey(&o) {
                switch key {
                case 0: at = try int()  // at
                case 1: detail = try optionalString()  // detail
                case 2: expression = try optionalSmallInt()  // expression
                case 3: kind = try raw(Reader.decisionKinds)  // kind
                case 4: node = try optionalSmallInt()  // node
                case 5: reads = try array { (r: inout Reader) throws(GiveUp) in try r.read() }  // reads
                case 6: result = try optionalValue()  // result
                case 7: sequence = try int()  // sequence
                case 8: target = try optionalSmallInt()  // target
                default: throw GiveUp()
                }
            }
            guard let sequence, let at, let kind, let reads else { throw GiveUp() }
            return Decision(sequence: sequence, at: at, kind: kind, node: node, expression: expression, reads: reads, result: result,
                            target: target, detail: detail)
        }

        mutating func record() throws(GiveUp) -> NodeRecord {
            var node: Int?, kind: NodeRecord.Kind?, text: String?, url: String?, author: String?, at: Int64?, sequence: Int64?
            var o = try openObject(Reader.recordKeys)
            while let key = try nextKey(&o) {
                switch key {
                case 0: at = try int()  // at
                case 1: author = try optionalString()  // author
                case 2: kind = try raw(Reader.recordKinds)  // kind
                case 3: node = try smallInt()  // node
                case 4: sequence = try int()  // sequence
                case 5: text = try string()  // text
                case 6: url = try optionalString()  // url
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
            var records: [NodeRecord]?, recordsDropped: Int?, withheld: [Withheld]?
            var o = try openObject(Reader.snapshotKeys)
            while let key = try nextKey(&o) {
                switch key {
                case 0: closedAt = try optionalInt()  // closedAt
                case 1: createdAt = try int()  // createdAt
                case 2: dealID = try string()  // dealID
                case 3: decisions = try array { (r: inout Reader) throws(GiveUp) in try r.decision() }  // decisions
                case 4: decisionsDropped = try smallInt()  // decisionsDropped
                case 5: fields = try array { (r: inout Reader) throws(GiveUp) in try r.optionalValue() }  // fields
                case 6: groupChats = try array { (r: inout Reader) throws(GiveUp) in try r.chat() }  // groupChats
                case 7: idleWarned = try bool()  // idleWarned
                case 8: lastEventAt = try int()  // lastEventAt
                case 9: lastEventID = try string()  // lastEventID
                case 10: lastStatusChangeAt = try int()  // lastStatusChangeAt
                case 11: loseReason = try optionalString()  // loseReason
                case 12: machineHash = try string()  // machineHash
                case 13:  // nodes
                    var list: [NodeState] = []
                    if try openArray() {
                        repeat { list.append(try node()) } while try nextElement()
                    }
                    nodes = list
                case 14: owner = try optionalString()  // owner
                case 15: pool = try raw(Reader.poolPlacements)  // pool
                case 16: previousOwner = try optionalString()  // previousOwner
                case 17: probability = try optionalSmallInt()  // probability
                case 18: records = try array { (r: inout Reader) throws(GiveUp) in try r.record() }  // records
                case 19: recordsDropped = try smallInt()  // recordsDropped
                case 20: releasedAt = try optionalInt()  // releasedAt
                case 21:  // roleMembers
                    roleMembers = try array { (r: inout Reader) throws(GiveUp) in try r.array { (r: inout Reader) throws(GiveUp) in try r.string() } }
                case 22:  // schemaVersion
                    schemaVersion = try smallInt()
                    // Version 2 differs only by having no `withheld` (its upgrade adds an empty
                    // list), version 3 only by not knowing the `due_restarted` decision: both
                    // are read here too, so that a store written before reads as fast.
                    guard schemaVersion == DealSnapshot.currentSchemaVersion || schemaVersion == 3 || schemaVersion == 2 else { throw GiveUp() }
                case 23: sequence = try int()  // sequence
                case 24: status = try raw(Reader.dealStatuses)  // status
                case 25: templateID = try string()  // templateID
                case 26: templateVersion = try string()  // templateVersion
                case 27: withheld = try array { (r: inout Reader) throws(GiveUp) in try r.withheld() }  // withheld
                default: throw GiveUp()
                }
            }
            guard let schemaVersion, let dealID, let templateID, let templateVersion, let machineHash, let createdAt, let sequence,
                  let lastEventID, let lastEventAt, let fields, let nodes, let status, let pool, let roleMembers,
                  let lastStatusChangeAt, let idleWarned, let groupChats, let decisions, let decisionsDropped,
                  let records, let recordsDropped else { throw GiveUp() }
            // A version-2 snapshot has none (and must have none); a current one must have it.
            guard let withheld = schemaVersion == 2 ? (withheld == nil ? [] : nil) : withheld else { throw GiveUp() }
            return DealSnapshot(
                schemaVersion: DealSnapshot.currentSchemaVersion, dealID: dealID, templateID: templateID, templateVersion: templateVersion,
                machineHash: machineHash, createdAt: createdAt, sequence: sequence, lastEventID: lastEventID,
                lastEventAt: lastEventAt, fields: fields, nodes: nodes, status: status, pool: pool, owner: owner,
                previousOwner: previousOwner, releasedAt: releasedAt, roleMembers: roleMembers,
                lastStatusChangeAt: lastStatusChangeAt, idleWarned: idleWarned, loseReason: loseReason, closedAt: closedAt,
                probability: probability, groupChats: groupChats, decisions: decisions, decisionsDropped: decisionsDropped,
                records: records, recordsDropped: recordsDropped, withheld: withheld)
        }

        mutating func withheld() throws(GiveUp) -> Withheld {
            var person: String?, until: Int64?
            var o = try openObject(Reader.withheldKeys)
            while let key = try nextKey(&o) {
                switch key {
                case 0: person = try string()  // person
                case 1: until = try int()  // until
                default: throw GiveUp()
                }
            }
            guard let person, let until else { throw GiveUp() }
            return Withheld(person: person, until: until)
        }
    }

    /// A key or word as the address and length of its UTF-8 bytes, for comparing in place.
    ///
    /// The bytes are never freed or changed: those of a `StaticString` live in the binary, and
    /// ``WordTable`` copies its words once into storage kept for the life of the process (its
    /// tables are static). Hence unchecked `Sendable`.
    struct Word: @unchecked Sendable {
        let start: UnsafePointer<UInt8>
        let count: Int

        static func list(_ words: [StaticString]) -> [Word] {
            words.map { word in
                // A one-character literal may be held as a scalar, without bytes to point to.
                guard word.hasPointerRepresentation else { return word.withUTF8Buffer { kept(Array($0)) } }
                return Word(start: word.utf8Start, count: word.utf8CodeUnitCount)
            }
        }

        /// `bytes` copied into storage kept for the life of the process.
        static func kept(_ bytes: [UInt8]) -> Word {
            let storage = UnsafeMutablePointer<UInt8>.allocate(capacity: max(bytes.count, 1))
            storage.initialize(from: bytes, count: bytes.count)
            return Word(start: UnsafePointer(storage), count: bytes.count)
        }
    }

    /// An enum's raw values as words, built once from `allCases` (so a case added to the enum is
    /// read without a change here), for reading enum words without building a `String`. A raw
    /// value that JSON would escape is left out (``Reader/matches(_:)`` compares unescaped
    /// bytes): the reader then gives up on it and Foundation reads it.
    struct WordTable<T: RawRepresentable & CaseIterable & Sendable>: @unchecked Sendable where T.RawValue == String {
        let words: [Word]
        let values: [T]

        init(_: T.Type) {
            let plain = T.allCases.filter { !$0.rawValue.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) }
            values = plain
            words = plain.map { Word.kept(Array($0.rawValue.utf8)) }
        }
    }
}
