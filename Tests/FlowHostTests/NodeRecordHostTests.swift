import FlowExpr
import FlowHost
import FlowIR
import FlowRuntime
import FlowStore
import Foundation
import Testing

/// Node records through the host: event records, the store, the byte-identical snapshot writer.
@Suite struct NodeRecordHostTests {
    @Test(arguments: StoreKind.allCases)
    func notesAndLinksAreReadAppliedStoredAndReplayed(_ kind: StoreKind) throws {
        let s = try service(kind)
        try runExamples(s)
        let note = try RecordReader.event(try JSONValue.parse(Array(#"{"add_note": {"node": "initial_talks", "text": "客户希望下周演示"}, "by": "li.si"}"#.utf8)).get(),
                                          path: "", defaultTime: .now)
        #expect(note.action == .note(node: "initial_talks", text: "客户希望下周演示"))
        let link = try RecordReader.event(try JSONValue.parse(Array(#"{"add_link": {"node": "initial_talks", "url": "https://docs.example.com/q/42", "title": "报价单"}}"#.utf8)).get(),
                                          path: "", defaultTime: .now)
        let before = try s.view("D-1003")
        var atOnce = [note, link]
        for i in atOnce.indices { atOnce[i].at = .same }
        let outcome = try #require(s.apply(atOnce, to: "D-1003").value)
        #expect(outcome.applied == 2)
        #expect(outcome.snapshot.records.map(\.kind) == [.note, .link])
        #expect(outcome.snapshot.lastStatusChangeAt == before.snapshot.lastStatusChangeAt)
        #expect(outcome.index.nextTimerAt == before.index.nextTimerAt)
        #expect(try s.store.snapshot(of: "D-1003")?.payload == Data(outcome.snapshot.encoded()))
        #expect(try s.replay("D-1003").matches)
        let history = try s.history("D-1003")
        #expect(history.suffix(2).map { DealService.describe($0.event.action) }
            == ["note on `initial_talks`: 客户希望下周演示", "link on `initial_talks`: 报价单 <https://docs.example.com/q/42>"])
        // A refusal names the deal and the event.
        let refused = s.apply([EventInput(at: .same, .note(node: "order_payment", text: "早了"))], to: "D-1003").error
        #expect(refused?.code == "FC1171")
    }

    @Test(arguments: [
        (#"{"add_note": {"node": "a"}}"#, ".add_note: missing `text`"),
        (#"{"add_link": {"url": "https://a.cn"}}"#, ".add_link: missing `node`"),
        (#"{"add_link": {"node": "a", "url": "https://a.cn", "tilte": "x"}}"#, "unknown key `tilte`"),
        (#"{"add_note": "text only"}"#, "expected an object"),
        // A flag-like action is `true`: `false` or another value must not perform it.
        (#"{"release": false}"#, "events[0].release: expected `true`"),
        (#"{"claim": false}"#, "events[0].claim: expected `true`"),
        (#"{"claim": "no"}"#, "events[0].claim: expected `true`"),
        (#"{"tick": 0}"#, "events[0].tick: expected `true`"),
        (#"{"win": false}"#, "events[0].win: expected `true` or a node id"),
        (#"{"lose": false}"#, "events[0].lose: expected `true` or a lose reason"),
        (#"{"rework": "solution_review", "reason": "price"}"#, "events[0]: missing `to`"),
        // A key of another action would be ignored without a word.
        (#"{"complete": "a", "to": "b"}"#, "events[0].to: `to` goes with `rework`, not with `complete`"),
        (#"{"set": {"x": 1}, "outcome": "approve"}"#, "events[0].outcome: `outcome` goes with `complete`, not with `set`"),
        (#"{"claim": true, "undo": true}"#, "events[0].undo: `undo` goes with `deliverables`, not with `claim`"),
        // An event that changes nothing is refused rather than logged.
        (#"{"set": {}}"#, "events[0].set: is empty: name at least a field"),
        (#"{"deliverables": {"node": "a", "done": []}}"#, "events[0].deliverables.done: is empty: name at least a deliverable"),
        (#"{"deliverables": {"node": "a", "done": ["x"], "undo": true}, "undo": false}"#,
         "events[0].deliverables.undo: `undo` is given beside `deliverables` and inside it, with different values"),
        (#"{"deliverables": {"node": "a", "done": ["x"], "undo": 1}}"#, "events[0].deliverables.undo: expected"),
    ])
    func malformedRecordEventsAreLocated(_ json: String, _ fragment: String) throws {
        let value = try JSONValue.parse(Array(json.utf8)).get()
        do {
            _ = try RecordReader.event(value, path: "events[0]", defaultTime: .now)
            Issue.record("accepted \(json)")
        } catch {
            #expect(error.code == "FC1220")
            #expect(error.message.contains(fragment), "\(error.message)")
        }
    }

    /// `undo` unticks deliverables written beside `deliverables` or inside it (where the docs'
    /// table shows it; it was "unknown key `undo`" there).
    @Test(arguments: [
        #"{"deliverables": {"node": "a", "done": ["x"]}, "undo": true}"#,
        #"{"deliverables": {"node": "a", "done": ["x"], "undo": true}}"#,
        #"{"deliverables": {"node": "a", "done": ["x"], "undo": true}, "undo": true}"#,
    ])
    func undoIsReadBesideOrInsideDeliverables(_ json: String) throws {
        let value = try JSONValue.parse(Array(json.utf8)).get()
        let event = try RecordReader.event(value, path: "events[0]", defaultTime: .now)
        #expect(event.action == .deliverables(node: "a", done: ["x"], undo: true))
    }

    /// Scenario steps and event records are one format read by one reader (`StepFormat`): the
    /// same malformed step gets the same message at the same key in both, an empty `set` included.
    @Test(arguments: [
        #"{"set": {}}"#, #"{"deliverables": {"node": "a", "done": []}}"#, #"{"claim": false}"#, #"{"lose": null}"#,
        #"{"rework": "a", "reason": "x"}"#, #"{"rework": "a", "to": null}"#, #"{"complete": "a", "undo": true}"#,
        #"{"add_member": {"role": "legal"}}"#, #"{"add_link": {"node": "a", "url": 3}}"#, #"{"tick": true, "win": true}"#,
    ])
    func aStepIsReadAlikeInScenariosAndRecords(_ json: String) throws {
        let step = try JSONValue.parse(Array(json.utf8)).get()
        let scenario = JSONValue.object([("scenario", .string("x")), ("template", .string("t")), ("start", .number("0")),
                                         ("deal", .object([])), ("steps", .array([step]))])
        guard case .failure(let inScenario) = Scenario.parse(scenario) else { Issue.record("the scenario accepted \(json)"); return }
        do {
            _ = try RecordReader.event(step, path: "steps[0]", defaultTime: .now)
            Issue.record("the record reader accepted \(json)")
        } catch {
            #expect(error.message == "not a valid record: " + inScenario.description.replacingOccurrences(of: "a step has", with: "an event has"))
        }
    }

    @Test func theSnapshotWriterStaysByteIdenticalWithRecordsAndTheNewEvents() throws {
        let s = try service(.memory)
        let m = try s.machines.register(standard)
        let deal = NewDealInput(dealID: "R-1", at: .absolute(at("2024-05-06T09:00:00Z")), owner: "amy", fields: [WrittenValue("customer_name", .string("甲"))])
        let nasty = "quote \" backslash \\ tab \t nl \n 中文 😀"
        let created = try #require(s.create(deal, machine: m, events: [
            EventInput(actor: "amy", .note(node: "initial_talks", text: nasty)),
            EventInput(.link(node: "initial_talks", url: "https://a.cn/x?y=1&z=\"2\"", title: nil)),
            EventInput(actor: "amy", .link(node: "initial_talks", url: "http://b.cn/", title: "标题")),
        ]).value)
        #expect(created.snapshot.records.count == 3)
        #expect(DealService.encode(created.snapshot) == created.snapshot.encoded())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for entry in try s.log(of: "R-1") { #expect(entry.encoded() == (try encoder.encode(entry)), "\(entry.event.id)") }
        for action: DealAction in [.migrate(from: "sha256:a", to: "sha256:b", map: []),
                                   .migrate(from: "sha256:a", to: "sha256:b", map: [NodeMapping("x", "y"), NodeMapping("甲", "乙")]),
                                   .note(node: "n", text: "t"), .link(node: "n", url: "https://u", title: nil), .link(node: "n", url: "https://u", title: "t")] {
            for actor in [nil, "amy"] as [String?] {
                let entry = LoggedEvent(event: DealEvent(id: "e", at: 7, actor: actor, action), context: StepContext(now: 9))
                #expect(entry.encoded() == (try encoder.encode(entry)), "\(action.name)")
            }
        }
    }
}
