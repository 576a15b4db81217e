import FlowExpr
import FlowIR
import FlowRuntime
import Foundation
import Testing

/// Untrusted events never crash the runner; whatever is accepted folds back to the same snapshot.
@Suite struct HostileInputTests {
    /// SplitMix64: a small deterministic generator, so a failure can be reproduced from its seed.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { next() % 100 < percent }
        /// Mostly a sensible item, sometimes junk.
        mutating func pick<T>(_ good: [T], junk: [T]) -> T { chance(85) || junk.isEmpty ? pick(good) : pick(junk) }
    }

    static let goodNames = ["talks", "review", "audit_check", "legal_review", "finance_review", "signing", "loss_review"]
    static let badNames = ["won", "lost", "review_done", "contract_review", "", "\u{0}", "💥", String(repeating: "z", count: 300)]
    static let goodPeople = ["alice", "bob", "mia", "carl"]
    static let badPeople = ["", "a\u{7}b", String(repeating: "p", count: 400)]
    static let roles = ["sales_owner", "sales_manager", "presales", "legal", "contact", "nope", ""]
    static let values: [ExprValue] = [
        .null, .text(""), .text(String(repeating: "长", count: 30_000)), .integer(Int64.max), .integer(Int64.min),
        .decimal(ExprDecimal(significand: Int64.max, scale: 18) ?? .zero), .money(amount: ExprDecimal(Int64.max), currency: "CNY"),
        .money(amount: ExprDecimal(-5), currency: "CNY"), .money(amount: ExprDecimal(5), currency: "XXX"), .boolean(true),
        .date(days: Int64.max), .datetime(seconds: Int64.min), .duration(seconds: 1), .enumValue("gold"), .enumValue(""),
        .list([.enumValue("crm"), .list([])]), .list(Array(repeating: .enumValue("bi"), count: 2_000)),
    ]
    static let fields = ["customer_name", "quote", "cost", "margin", "strategic", "tier", "modules", "headcount", "discount",
                         "close_date", "visited_at", "notes", "nope"]

    static func action(_ r: inout Random) -> DealAction {
        switch r.next() % 12 {
        case 0: return .setFields((0..<Int(r.next() % 4)).map { _ in FieldAssignment(r.pick(fields), r.pick(values)) })
        case 1: return .tickDeliverable(node: r.pick(goodNames, junk: badNames), deliverable: r.pick(["visit_record", "x", ""]), done: r.chance(80))
        case 2: return .complete(node: r.pick(goodNames, junk: badNames), outcome: r.chance(50) ? r.pick(["approve", "reject", "x"]) : nil)
        case 3: return .rework(node: r.pick(goodNames, junk: badNames), target: r.pick(goodNames, junk: badNames), reason: r.pick(["", " ", "scope", String(repeating: "r", count: 70_000)]))
        case 4: return .addRoleMember(role: r.pick(roles), person: r.pick(goodPeople, junk: badPeople))
        case 5: return .removeRoleMember(role: r.pick(roles), person: r.pick(goodPeople, junk: badPeople))
        case 6: return .lose(reason: r.chance(70) ? r.pick(["price", "competitor", "x", ""]) : nil)
        case 7: return .win(node: r.chance(50) ? r.pick(goodNames, junk: badNames) : nil)
        case 8: return .claim
        case 9: return .release
        case 10: return .assign(to: r.pick(goodPeople, junk: badPeople))
        default: return .tick
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func randomEventsNeverCrashAndTheLogReplays(_ seed: UInt64) throws {
        var r = Random(state: seed)
        var d = try Mini.deal()
        var time = t0
        var accepted = 0
        // 500 events: enough that every seed gets 40 or more accepted (each rules version refuses
        // a little more of what the random walk tries).
        for i in 0..<500 {
            time += r.chance(3) ? -Int64(r.next() % UInt64(hour)) : Int64(r.next() % UInt64(2 * day))
            let actor: String? = r.chance(90) ? r.pick(Self.goodPeople, junk: Self.badPeople) : nil
            let e = DealEvent(id: r.chance(3) ? "e\(i - 1)" : "e\(i)", at: time, actor: actor, Self.action(&r))
            let context = StepContext(now: r.chance(5) ? time - 1 : time, ownedOpenDeals: Int(r.next() % 4), actorCanAssign: r.chance(20))
            let before = d.snapshot
            switch Runner.step(d.pm, d.snapshot, e, context: context) {
            case .success(let outcome):
                d.snapshot = outcome.snapshot
                d.log.append((e, context))
                d.allEffects += outcome.effects
                accepted += 1
                #expect(Set(outcome.effects.map(\.id)).count == outcome.effects.count)
            case .failure(let refusal):
                #expect(d.snapshot == before)
                #expect(refusal.code.hasPrefix("FC11"))
                #expect(!refusal.message.isEmpty)
            }
        }
        #expect(accepted >= 40, "seed \(seed): too few events accepted to explore the flow")
        guard case .success(let replay) = d.replayed() else {
            Issue.record("seed \(seed): the accepted log does not replay")
            return
        }
        #expect(replay.snapshot == d.snapshot, "seed \(seed)")
        #expect(replay.effects == d.allEffects, "seed \(seed)")
    }

    @Test func garbageEventsAndSnapshotsAreDecodingErrorsNotCrashes() {
        let inputs = ["", "{", "[]", #"{"id": "e", "at": 1, "type": "explode"}"#, #"{"id": "e", "at": "soon", "type": "tick"}"#,
                      #"{"id": "e", "at": 1, "type": "set_fields", "fields": [{"field": "x", "value": {"type": "money", "amount": "1e9", "currency": "CNY"}}]}"#,
                      String(repeating: "[", count: 10_000)]
        for input in inputs {
            #expect(throws: (any Error).self) { try JSONDecoder().decode(DealEvent.self, from: Data(input.utf8)) }
            #expect(throws: Refusal.self) { try DealSnapshot.decode(Array(input.utf8)) }
        }
    }

    @Test func hostileJSONIsRefusedByTheScenarioReader() {
        let inputs = [String(repeating: "[", count: 100_000), #"{"a": 1, "a": 2}"#, #"{"a": "\ud800"}"#, "\"\u{1}\"", "1 2", "-", "1.", "{\"a\"}", ""]
        for input in inputs {
            if case .success = JSONValue.parse(Array(input.utf8)) { Issue.record("accepted \(input.prefix(20))") }
        }
        #expect(JSONValue.parse(Array(#"{"b": [1, -2.50, "\u00e9\ud83d\ude00", true, null]}"#.utf8))
                == .success(.object([("b", .array([.number("1"), .number("-2.50"), .string("é😀"), .bool(true), .null]))])))
    }

    /// Strings without an escape are made straight from the input; with one, byte by byte. Both
    /// give the same text and refuse the same bytes at the same offsets.
    @Test func stringsWithAndWithoutEscapesReadAndFailAlike() {
        func parse(_ bytes: [UInt8]) -> Result<JSONValue, JSONParseError> { JSONValue.parse(bytes) }
        #expect(parse(Array(#"["星辰科技", "", "a\"b", "tab\tend", "中\u6587"]"#.utf8))
                == .success(.array([.string("星辰科技"), .string(""), .string("a\"b"), .string("tab\tend"), .string("中文")])))
        // Invalid UTF-8, without and with an escape before it: refused after the closing quote.
        let bad: [UInt8] = [0x22, 0x61, 0xFF, 0x22]
        #expect(parse(bad).failure?.offset == 4)
        #expect(parse(bad).failure?.message == "invalid UTF-8")
        let badEscaped: [UInt8] = [0x22, 0x5C, 0x6E, 0xFF, 0x22]
        #expect(parse(badEscaped).failure?.offset == 5)
        #expect(parse(badEscaped).failure?.message == "invalid UTF-8")
        // A control character where it stands; an unterminated string at the end.
        #expect(parse(Array("\"ab\u{1}c\"".utf8)).failure?.offset == 3)
        #expect(parse(Array("\"ab\u{1}c\"".utf8)).failure?.message == "control character in a string")
        #expect(parse(Array("\"abc".utf8)).failure?.message == "unterminated string")
        #expect(parse(Array("\"ab\\".utf8)).failure?.message == "unterminated escape")
        // What a spreadsheet or a hand-written line does (QA round 19): a comma before the end,
        // a key in single quotes; said at the byte, with what JSON wants.
        #expect(parse(Array(#"{"a": 1,}"#.utf8)).failure?.message == "a `,` before `}`: JSON allows no comma after the last entry; remove it")
        #expect(parse(Array(#"{"a": 1,}"#.utf8)).failure?.offset == 8)
        #expect(parse(Array(#"[1, 2, ]"#.utf8)).failure?.message == "a `,` before `]`: JSON allows no comma after the last item; remove it")
        #expect(parse(Array(#"{'a': 1}"#.utf8)).failure?.message == "expected a key: JSON writes keys and texts in double quotes, `\"a\"`")
    }
}

/// Text from deals printed on a terminal: one line, no escapes.
@Suite struct InlineTextTests {
    @Test func lineBreaksAndControlCharactersAreShownNotObeyed() {
        #expect(Names.inline("客户希望下周演示") == "客户希望下周演示")
        #expect(Names.inline("line1\nline2\r\nline3\rend") == "line1 ↵ line2 ↵ line3 ↵ end")
        #expect(Names.inline("red\u{1B}[31m!\u{07}") == "red\\u{1B}[31m!\\u{7}")
        #expect(Names.inline("a\tb") == "a b")
        #expect(Names.inline("abc\u{202E}fed") == "abc\\u{202E}fed")
        #expect(Names.inline("x\u{9B}2J") == "x\\u{9B}2J")
    }
}
