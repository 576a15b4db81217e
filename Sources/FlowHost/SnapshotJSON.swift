import FlowExpr
import FlowRuntime
import FlowStore
import Foundation

/// A direct JSON writer for what the host stores with every event — the snapshot, the logged
/// event and the effects — producing the same bytes as the runtime's `encoded()` (Foundation's
/// `JSONEncoder` with sorted keys: no whitespace, `nil` properties omitted).
///
/// Why it exists: a bulk run stores one snapshot, one event and its effects per event, and a timer
/// sweep one snapshot and its effects per due deal; `JSONEncoder` spent 60–70% of a run's time on
/// them (about 0.3 ms per snapshot of the standard template). This writer walks the public
/// properties instead, straight into one growing byte buffer: members are written in the sorted
/// order by hand (no closure per key, no copy of the value written), strings are copied as UTF-8
/// in one go unless a byte needs an escape, and numbers are written digit by digit.
///
/// - Important: It must stay byte-identical to `JSONEncoder`. `SnapshotJSONTests` compares the
///   two over every snapshot, event and effect of the example runs (and strings with every
///   escape), so a property added to these types, or a change of their encoding, fails that test
///   rather than reaching a store. A new event action fails to compile here.
enum SnapshotJSON {
    static func encode(_ s: DealSnapshot) -> [UInt8] {
        var w = Writer(capacity: 4096)
        w.snapshot(s)
        return w.bytes
    }

    static func encode(_ e: LoggedEvent) -> [UInt8] {
        var w = Writer(capacity: 512)
        w.open()
        w.key("context"); w.context(e.context)
        w.key("event"); w.event(e.event)
        w.key("schemaVersion"); w.int(e.schemaVersion)
        w.close()
        return w.bytes
    }

    /// An effect as the outbox keeps it: its id and its canonical JSON.
    static func record(_ e: Effect) -> EffectRecord {
        EffectRecord(effectID: e.id, payload: Data(encode(e)))
    }

    static func encode(_ e: Effect) -> [UInt8] {
        var w = Writer(capacity: 2048)
        w.effect(e)
        return w.bytes
    }

    /// How many bytes at the start of `b` a JSON string holds as they are (no `"`, `\` or
    /// control character). Eight bytes at a time: a byte below 0x20 or equal to 0x22 or 0x5C is
    /// found with the usual word tricks (a borrow reaching the byte's top bit), exact for "is
    /// there any", then the word is looked at byte by byte.
    @inline(__always)
    static func cleanPrefix(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        var k = 0
        if let p = b.baseAddress {
            let raw = UnsafeRawPointer(p)
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            @inline(__always)
            func clean(_ x: UInt64) -> Bool {
                let quote = x ^ (ones &* 0x22)
                let backslash = x ^ (ones &* 0x5C)
                let control = (x &- ones &* 0x20) & ~x
                let zeroQuote = (quote &- ones) & ~quote
                let zeroBackslash = (backslash &- ones) & ~backslash
                return (control | zeroQuote | zeroBackslash) & highs == 0
            }
            while k + 8 <= b.count {
                if !clean(raw.loadUnaligned(fromByteOffset: k, as: UInt64.self)) { return SnapshotJSON.cleanBytes(b, from: k) }
                k += 8
            }
            // Every whole word was clean: the last bytes as the (overlapping) last word, where all
            // clean is the common answer.
            if k < b.count, b.count >= 8, clean(raw.loadUnaligned(fromByteOffset: b.count - 8, as: UInt64.self)) { return b.count }
        }
        return SnapshotJSON.cleanBytes(b, from: k)
    }

    /// The index of the first byte at or after `start` that needs an escape (`b.count` if none),
    /// looked at byte by byte.
    @inline(__always)
    static func cleanBytes(_ b: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var k = start
        while k < b.count {
            let c = b[k]
            if c < 0x20 || c == 0x22 || c == 0x5C { break }
            k += 1
        }
        return k
    }

    /// Writes JSON into a byte buffer that it owns (hence not copyable).
    ///
    /// Objects: `open()`, then for each member in sorted order `key(name)` and its value, then
    /// `close()`. `key` writes the comma itself when a member came before (the byte before it is
    /// not the object's `{`: no value ends in `{`), so an optional member is simply skipped.
    struct Writer: ~Copyable {
        private var base: UnsafeMutablePointer<UInt8>
        private var count = 0
        private var capacity: Int

        init(capacity: Int = 256) {
            self.capacity = max(capacity, 32)
            base = UnsafeMutablePointer<UInt8>.allocate(capacity: self.capacity)
        }

        deinit { base.deallocate() }

        /// What was written so far.
        var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

        /// Makes room for `n` more bytes.
        @inline(__always)
        private mutating func reserve(_ n: Int) {
            if count + n > capacity { grow(n) }
        }

        private mutating func grow(_ n: Int) {
            let newCapacity = max(capacity * 2, count + n)
            let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
            newBase.initialize(from: base, count: count)
            base.deallocate()
            base = newBase
            capacity = newCapacity
        }

        /// One byte; room for it must have been reserved.
        @inline(__always)
        private mutating func put(_ b: UInt8) {
            base[count] = b
            count += 1
        }

        /// Bytes in memory; room for them must have been reserved. Short runs (keys, words,
        /// ids) are copied in two overlapping loads and stores, without a call to `memcpy`.
        @inline(__always)
        private mutating func put(_ p: UnsafePointer<UInt8>, _ n: Int) {
            let from = UnsafeRawPointer(p)
            let to = UnsafeMutableRawPointer(base + count)
            if n >= 8 && n <= 16 {
                to.storeBytes(of: from.loadUnaligned(as: UInt64.self), as: UInt64.self)
                to.storeBytes(of: from.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self), toByteOffset: n - 8, as: UInt64.self)
            } else if n >= 4 && n < 8 {
                to.storeBytes(of: from.loadUnaligned(as: UInt32.self), as: UInt32.self)
                to.storeBytes(of: from.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self), toByteOffset: n - 4, as: UInt32.self)
            } else if n < 4 {
                for k in 0..<n { base[count + k] = p[k] }
            } else {
                to.copyMemory(from: from, byteCount: n)
            }
            count += n
        }

        @inline(__always)
        mutating func raw(_ s: StaticString) {
            reserve(s.utf8CodeUnitCount)
            put(s)
        }

        /// A static string's bytes; room for them must have been reserved. (A one-character
        /// literal may be held as a scalar, without bytes to point to.)
        @inline(__always)
        private mutating func put(_ s: StaticString) {
            if s.hasPointerRepresentation {
                put(s.utf8Start, s.utf8CodeUnitCount)
            } else {
                s.withUTF8Buffer { for c in $0 { put(c) } }
            }
        }

        @inline(__always)
        mutating func byte(_ b: UInt8) {
            reserve(1)
            put(b)
        }

        mutating func null() { raw("null") }
        mutating func bool(_ b: Bool) { b ? raw("true") : raw("false") }

        /// Decimal digits written straight into the buffer (no `String` per number), two at a
        /// time from the end; one- and two-digit numbers (counts, indexes) take a short path.
        mutating func int(_ i: Int64) {
            reserve(20)  // "-9223372036854775808"
            if i < 0 { put(UInt8(ascii: "-")) }
            var v = i.magnitude
            if v < 10 {
                put(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v))
                return
            }
            let pairs: StaticString = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
            let pair = pairs.utf8Start
            var digits = 2
            var rest = v
            while rest >= 100 {
                rest /= 10
                digits += 1
            }
            var at = count + digits
            count = at
            while v >= 100 {
                let two = Int(truncatingIfNeeded: v % 100)
                v /= 100
                at -= 2
                base[at] = pair[2 * two]
                base[at + 1] = pair[2 * two + 1]
            }
            if v >= 10 {
                let two = Int(truncatingIfNeeded: v)
                base[at - 2] = pair[2 * two]
                base[at - 1] = pair[2 * two + 1]
            } else {
                base[at - 1] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: v)
            }
        }

        mutating func int(_ i: Int) { int(Int64(i)) }

        /// A string as Foundation's JSON writer escapes it (`"`, `\`, and control characters;
        /// `/` kept as is).
        mutating func string(_ s: String) {
            var s = s
            s.withUTF8 { string(utf8: $0) }
        }

        /// The UTF-8 bytes of a string: scanned once, eight bytes at a time, and copied in one go
        /// when no byte needs an escape (most text), else escaped from the first byte that needs it.
        @inline(__always)
        mutating func string(utf8 b: UnsafeBufferPointer<UInt8>) {
            let clean = SnapshotJSON.cleanPrefix(b)
            reserve(b.count + 2)
            put(0x22)
            if let p = b.baseAddress { put(p, clean) }
            if clean < b.count {
                escape(UnsafeBufferPointer(rebasing: b[clean...]))
                byte(0x22)
            } else {
                put(0x22)
            }
        }

        /// The rest of a string that needs escapes (up to six bytes per byte).
        private mutating func escape(_ b: UnsafeBufferPointer<UInt8>) {
            reserve(6 * b.count)
            let hex: StaticString = "0123456789abcdef"
            for c in b {
                switch c {
                case 0x22: put(0x5C); put(0x22)
                case 0x5C: put(0x5C); put(0x5C)
                case 0x0A: put(0x5C); put(UInt8(ascii: "n"))
                case 0x0D: put(0x5C); put(UInt8(ascii: "r"))
                case 0x09: put(0x5C); put(UInt8(ascii: "t"))
                case 0x08: put(0x5C); put(UInt8(ascii: "b"))
                case 0x0C: put(0x5C); put(UInt8(ascii: "f"))
                case 0x00..<0x20:
                    put(0x5C); put(UInt8(ascii: "u")); put(UInt8(ascii: "0")); put(UInt8(ascii: "0"))
                    put(hex.utf8Start[Int(c >> 4)])
                    put(hex.utf8Start[Int(c & 0x0F)])
                default: put(c)
                }
            }
        }

        // MARK: Structure

        @inline(__always)
        mutating func open() { byte(UInt8(ascii: "{")) }
        @inline(__always)
        mutating func close() { byte(UInt8(ascii: "}")) }
        @inline(__always)
        mutating func openArray() { byte(UInt8(ascii: "[")) }
        @inline(__always)
        mutating func closeArray() { byte(UInt8(ascii: "]")) }

        /// `,` between array elements: before every element but the first.
        @inline(__always)
        mutating func separator(_ index: Int) { if index > 0 { byte(UInt8(ascii: ",")) } }

        /// `"name":`, after a `,` when a member came before in this object.
        @inline(__always)
        mutating func key(_ name: StaticString) {
            let n = name.utf8CodeUnitCount
            reserve(n + 4)
            if count > 0, base[count - 1] != UInt8(ascii: "{") { put(UInt8(ascii: ",")) }
            put(0x22)
            put(name)
            put(0x22)
            put(UInt8(ascii: ":"))
        }

        /// A member whose name is text (a language of `Effect.text`), escaped as any string.
        mutating func key(text name: String) {
            if count > 0, base[count - 1] != UInt8(ascii: "{") { byte(UInt8(ascii: ",")) }
            string(name)
            byte(UInt8(ascii: ":"))
        }

        // Optional members: the key only when there is a value.
        mutating func key(_ name: StaticString, int value: Int64?) { if let value { key(name); int(value) } }
        mutating func key(_ name: StaticString, int value: Int?) { if let value { key(name); int(value) } }
        mutating func key(_ name: StaticString, string value: String?) { if let value { key(name); string(value) } }
        mutating func key(_ name: StaticString, value: ExprValue?) { if let value { key(name); self.value(value) } }

        mutating func strings(_ list: [String]) {
            openArray()
            for (i, s) in list.enumerated() { separator(i); string(s) }
            closeArray()
        }

        // MARK: The stored types

        mutating func snapshot(_ s: DealSnapshot) {
            open()
            key("closedAt", int: s.closedAt)
            key("createdAt"); int(s.createdAt)
            key("dealID"); string(s.dealID)
            key("decisions"); openArray()
            for (i, d) in s.decisions.enumerated() { separator(i); decision(d) }
            closeArray()
            key("decisionsDropped"); int(s.decisionsDropped)
            key("fields"); openArray()
            for (i, v) in s.fields.enumerated() {
                separator(i)
                if let v { value(v) } else { null() }
            }
            closeArray()
            key("groupChats"); openArray()
            for (i, c) in s.groupChats.enumerated() { separator(i); chat(c) }
            closeArray()
            key("idleWarned"); bool(s.idleWarned)
            key("lastEventAt"); int(s.lastEventAt)
            key("lastEventID"); string(s.lastEventID)
            key("lastStatusChangeAt"); int(s.lastStatusChangeAt)
            key("loseReason", string: s.loseReason)
            key("machineHash"); string(s.machineHash)
            key("nodes"); openArray()
            for (i, n) in s.nodes.enumerated() { separator(i); node(n) }
            closeArray()
            key("owner", string: s.owner)
            key("pool"); string(s.pool.rawValue)
            key("previousOwner", string: s.previousOwner)
            key("probability", int: s.probability)
            key("records"); openArray()
            for (i, r) in s.records.enumerated() { separator(i); record(r) }
            closeArray()
            key("recordsDropped"); int(s.recordsDropped)
            key("releasedAt", int: s.releasedAt)
            key("roleMembers"); openArray()
            for (i, people) in s.roleMembers.enumerated() { separator(i); strings(people) }
            closeArray()
            key("schemaVersion"); int(s.schemaVersion)
            key("sequence"); int(s.sequence)
            key("status"); string(s.status.rawValue)
            key("templateID"); string(s.templateID)
            key("templateVersion"); string(s.templateVersion)
            key("withheld"); openArray()
            for (i, w) in s.withheld.enumerated() {
                separator(i)
                open()
                key("person"); string(w.person)
                key("until"); int(w.until)
                close()
            }
            closeArray()
            close()
        }

        mutating func value(_ v: ExprValue) {
            open()
            switch v {
            case .null:
                key("type"); raw("\"null\"")
            case .boolean(let b):
                key("type"); raw("\"boolean\"")
                key("value"); bool(b)
            case .integer(let i):
                key("type"); raw("\"integer\"")
                key("value"); int(i)
            case .decimal(let d):
                key("type"); raw("\"decimal\"")
                key("value"); string(d.description)
            case .money(let amount, let currency):
                key("amount"); string(amount.description)
                key("currency"); string(currency)
                key("type"); raw("\"money\"")
            case .text(let s):
                key("type"); raw("\"text\"")
                key("value"); string(s)
            case .date(let days):
                key("days"); int(days)
                key("type"); raw("\"date\"")
            case .datetime(let seconds):
                key("seconds"); int(seconds)
                key("type"); raw("\"datetime\"")
            case .duration(let seconds):
                key("seconds"); int(seconds)
                key("type"); raw("\"duration\"")
            case .enumValue(let e):
                key("type"); raw("\"enum\"")
                key("value"); string(e)
            case .list(let elements):
                key("elements"); openArray()
                for (i, e) in elements.enumerated() { separator(i); value(e) }
                closeArray()
                key("type"); raw("\"list\"")
            }
            close()
        }

        mutating func node(_ n: NodeState) {
            open()
            key("activatedAt", int: n.activatedAt)
            key("arrivals"); int(n.arrivals)
            key("blockedAt", int: n.blockedAt)
            key("deliverables"); openArray()
            for (i, b) in n.deliverables.enumerated() { separator(i); bool(b) }
            closeArray()
            key("dueAt", int: n.dueAt)
            key("entries"); int(n.entries)
            key("escalatedAt", int: n.escalatedAt)
            key("finishedAt", int: n.finishedAt)
            key("inPlan"); bool(n.inPlan)
            key("outcome", int: n.outcome)
            key("status"); string(n.status.rawValue)
            close()
        }

        mutating func decision(_ d: Decision) {
            open()
            key("at"); int(d.at)
            key("detail", string: d.detail)
            key("expression", int: d.expression)
            key("kind"); string(d.kind.rawValue)
            key("node", int: d.node)
            key("reads"); openArray()
            for (i, r) in d.reads.enumerated() {
                separator(i)
                open()
                key("slot"); int(r.slot)
                key("value", value: r.value)
                close()
            }
            closeArray()
            key("result", value: d.result)
            key("sequence"); int(d.sequence)
            key("target", int: d.target)
            close()
        }

        mutating func context(_ c: StepContext) {
            open()
            key("actorCanAssign"); bool(c.actorCanAssign)
            key("now"); int(c.now)
            key("ownedOpenDeals"); int(c.ownedOpenDeals)
            if c.quotaWaived { key("quotaWaived"); bool(true) }
            if c.rules != 1 { key("rules"); int(c.rules) }
            key("utcOffset"); int(c.utcOffset)
            close()
        }

        private mutating func assignments(_ list: [FieldAssignment]) {
            openArray()
            for (i, f) in list.enumerated() {
                separator(i)
                open()
                key("field"); string(f.field)
                key("value"); value(f.value)
                close()
            }
            closeArray()
        }

        /// `DealEvent`'s own flat form (its `encode(to:)`), keys sorted.
        mutating func event(_ e: DealEvent) {
            open()
            key("actor", string: e.actor)
            key("at"); int(e.at)
            switch e.action {
            case .create(let deal, let owner, let fieldList, let members):
                key("deal"); string(deal)
                key("fields"); assignments(fieldList)
                key("id"); string(e.id)
                key("members"); openArray()
                for (i, m) in members.enumerated() {
                    separator(i)
                    open()
                    key("person"); string(m.person)
                    key("role"); string(m.role)
                    close()
                }
                closeArray()
                key("owner", string: owner)
            case .setFields(let list):
                key("fields"); assignments(list)
                key("id"); string(e.id)
            case .tickDeliverable(let node, let deliverable, let done):
                key("deliverable"); string(deliverable)
                key("done"); bool(done)
                key("id"); string(e.id)
                key("node"); string(node)
            case .complete(let node, let outcome):
                key("id"); string(e.id)
                key("node"); string(node)
                key("outcome", string: outcome)
            case .rework(let node, let target, let reason):
                key("id"); string(e.id)
                key("node"); string(node)
                key("reason"); string(reason)
                key("target"); string(target)
            case .addRoleMember(let role, let person), .removeRoleMember(let role, let person):
                key("id"); string(e.id)
                key("person"); string(person)
                key("role"); string(role)
            case .lose(let reason):
                key("id"); string(e.id)
                key("reason", string: reason)
            case .win(let node):
                key("id"); string(e.id)
                key("node", string: node)
            case .claim, .release, .tick:
                key("id"); string(e.id)
            case .joinChat(let person, let chat):
                key("chat", string: chat)
                key("id"); string(e.id)
                key("person"); string(person)
            case .assign(let to):
                key("id"); string(e.id)
                key("to"); string(to)
            case .migrate(let from, let to, let map):
                key("from"); string(from)
                key("id"); string(e.id)
                key("map"); openArray()
                for (i, entry) in map.enumerated() {
                    separator(i)
                    open()
                    key("new"); string(entry.new)
                    key("old"); string(entry.old)
                    close()
                }
                closeArray()
                key("to"); string(to)
            case .note(let node, let text):
                key("id"); string(e.id)
                key("node"); string(node)
                key("text"); string(text)
            case .link(let node, _, let title):
                key("id"); string(e.id)
                key("node"); string(node)
                key("title", string: title)
            }
            key("type"); string(e.action.name)
            // `url` sorts after `type`.
            if case .link(_, let url, _) = e.action { key("url"); string(url) }
            close()
        }

        mutating func effect(_ e: Effect) {
            open()
            key("at"); int(e.at)
            key("chatID", string: e.chatID)
            key("dealID"); string(e.dealID)
            key("definition", int: e.definition)
            key("detail", string: e.detail)
            key("event", string: e.event)
            key("eventID"); string(e.eventID)
            key("fields"); openArray()
            for (i, f) in e.fields.enumerated() {
                separator(i)
                open()
                key("field"); string(f.field)
                key("text"); string(f.text)
                key("value", value: f.value)
                close()
            }
            closeArray()
            key("id"); string(e.id)
            key("index"); int(e.index)
            key("kind"); string(e.kind.rawValue)
            key("node", string: e.node)
            key("people"); strings(e.people)
            key("person", string: e.person)
            key("team", string: e.team)
            key("templateID", string: e.templateID)
            key("templateVersion", string: e.templateVersion)
            key("text"); open()
            if e.text.count == 1 {
                // One text (the common case): no sorting.
                for (language, text) in e.text { key(text: language); string(text) }
            } else {
                for (language, text) in e.text.sorted(by: { $0.key < $1.key }) { key(text: language); string(text) }
            }
            close()
            key("to"); openArray()
            for (i, r) in e.to.enumerated() {
                separator(i)
                open()
                key("people"); strings(r.people)
                key("recipient"); string(r.recipient)
                key("role", int: r.role)
                close()
            }
            closeArray()
            key("trigger"); string(e.trigger)
            key("url", string: e.url)
            close()
        }

        mutating func record(_ r: NodeRecord) {
            open()
            key("at"); int(r.at)
            key("author", string: r.author)
            key("kind"); string(r.kind.rawValue)
            key("node"); int(r.node)
            key("sequence"); int(r.sequence)
            key("text"); string(r.text)
            key("url", string: r.url)
            close()
        }

        mutating func chat(_ c: GroupChatState) {
            open()
            key("chatID"); string(c.chatID)
            key("effect"); int(c.effect)
            key("members"); strings(c.members)
            key("roles"); openArray()
            for (i, r) in c.roles.enumerated() { separator(i); int(r) }
            closeArray()
            close()
        }
    }
}
