@testable import FlowCLI
import Foundation
import Testing

@Suite struct DealCommandTests {
    @Test func createShowAdvanceAndExplainADeal() throws {
        let db = try Examples.db()
        let created = flowc("deal", "create", Examples.template, "--id", "X-1", "--owner", "amy", "--at", "2024-05-06T09:00:00+08:00",
                            "--set", "customer_name=星海航运有限公司", "--set", "amount=500000 CNY", "--set", "products=[\"crm\"]",
                            "--role", "sales_manager=mia", "--db", db)
        #expect(created.code == 0, "\(created.err)")
        #expect(created.out.hasPrefix("created deal `X-1` on `standard_sale` 1.0.0 (1 event)\n"))
        #expect(created.out.contains("deal `X-1` is open, in the private pool, owner `amy`"))
        #expect(created.out.contains("effect notify (on_create) → amy"))

        let show = flowc("deal", "show", "X-1", "--db", db)
        #expect(show.code == 0)
        #expect(show.out.contains("node `initial_talks` (初步洽谈) is active since 2024-05-06T01:00:00Z, due 2024-05-20T01:00:00Z"), "\(show.out)")
        #expect(show.out.contains("  amount = 500000 CNY"))
        #expect(show.out.contains("created 2024-05-06T01:00:00Z; 1 event, the last `create` at"), "\(show.out)")
        #expect(show.out.contains("  products = [\"crm\"]"))
        #expect(show.out.contains("  sales_manager: mia"))
        // The open node's checklist, each deliverable by id (S8).
        #expect(show.out.contains("deliverables:\n  `initial_talks` (active): 0 of 2 done: `first_visit_record` to do, `customer_profile_card` to do\n"), "\(show.out)")

        // A refusal: the node needs fields that are not set.
        let refused = flowc("deal", "event", "X-1", "--complete", "initial_talks", "--by", "amy", "--at", "+1h", "--db", db)
        #expect(refused.code == 1)
        #expect(refused.err.hasPrefix("error[FC1115]: deal `X-1`, complete: completing node `initial_talks` needs fields that are not set:"))

        let set = flowc("deal", "event", "X-1",
                        #"{"set": {"contact_name": "王", "contact_phone": "1", "intent": "high", "last_visit_at": "2024-05-06T10:00:00+08:00", "follow_up_notes": "ok"}}"#,
                        "--by", "amy", "--at", "+1h", "--db", db)
        #expect(set.code == 0, "\(set.err)")
        #expect(set.out.hasPrefix("applied `set` to deal `X-1`"))
        let ticked = flowc("deal", "event", "X-1", #"{"deliverables": {"node": "initial_talks", "done": ["first_visit_record", "customer_profile_card"]}}"#,
                           "--at", "+1m", "--db", db)
        #expect(ticked.code == 0, "\(ticked.err)")
        let done = flowc("deal", "event", "X-1", "--complete", "initial_talks", "--by", "amy", "--at", "+1m", "--db", db, "--json")
        #expect(done.code == 0, "\(done.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(done.out.utf8)) as? [String: Any])
        #expect(((json["deal"] as? [String: Any])?["activeNodes"] as? [String]) == ["requirement_negotiation"])
        #expect((json["effects"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["requirement", "bot_card", "group_chat_create", "notify"])

        let history = flowc("deal", "history", "X-1", "--db", db)
        #expect(history.code == 0)
        #expect(history.out.contains("#1 2024-05-06T01:00:00Z create (owner `amy`) by `amy` [`create`]"))
        #expect(history.out.contains("#3 2024-05-06T02:01:00Z deliverable `initial_talks`.`first_visit_record` done [`auto-3.1`]"))
        #expect(history.out.contains("completed `initial_talks`; entered `requirement_negotiation`"))
        let log = flowc("deal", "history", "X-1", "--db", db, "--json")
        #expect(log.out.split(separator: "\n").count == 5)
        // A deal the store does not have is FC1203, exit 1, in JSON too (QA round 11: exit 0,
        // nothing printed, which reads as a deal with no events).
        let none = flowc("deal", "history", "NOPE", "--db", db, "--json")
        #expect(none.code == 1)
        #expect(none.out == #"{"error":{"code":"FC1203","exit":1,"message":"there is no deal `NOPE` in the store"}}"# + "\n", "\(none.out)")
        #expect(none.err.contains("error[FC1203]"), "\(none.err)")
        // An id given by hand that the host would choose next: an event without an id gets
        // another (it was refused as already logged, FC1214).
        let named = flowc("deal", "event", "X-1", "--set", "follow_up_notes=a", "--id", "auto-7", "--at", "+1m", "--db", db)
        #expect(named.code == 0, "\(named.err)")
        let unnamed = flowc("deal", "event", "X-1", "--set", "follow_up_notes=b", "--at", "+1m", "--db", db)
        #expect(unnamed.code == 0, "\(unnamed.err)")
        let unnamed2 = flowc("deal", "event", "X-1", "--set", "follow_up_notes=c", "--at", "+1m", "--db", db)
        #expect(unnamed2.code == 0, "\(unnamed2.err)")
        #expect(flowc("deal", "history", "X-1", "--db", db).out.contains("[`auto-7-2`]"))
        // A retry (--retry) of an event with its id: the same event again is skipped, exit 0;
        // another action under the id is FC1205 (QA round 11: a CRM's retry after a timeout
        // could not be told from a refusal).
        let first = flowc("deal", "event", "X-1", "--set", "follow_up_notes=r", "--id", "crm-1", "--at", "+1m", "--retry", "--db", db, "--json")
        #expect(first.code == 0, "\(first.err)")
        #expect(first.out.contains(#""applied":1"#))
        let again = flowc("deal", "event", "X-1", "--set", "follow_up_notes=r", "--id", "crm-1", "--at", "+1m", "--retry", "--db", db, "--json")
        #expect(again.code == 0, "\(again.err)")
        #expect(again.out.contains(#""applied":0"#) && again.out.contains(#""skipped":1"#), "\(again.out)")
        let human = flowc("deal", "event", "X-1", "--set", "follow_up_notes=r", "--id", "crm-1", "--retry", "--db", db)
        #expect(human.out.hasPrefix("already applied: `set` to deal `X-1` (event `crm-1`); nothing changed"), "\(human.out)")
        let other = flowc("deal", "event", "X-1", "--set", "follow_up_notes=s", "--id", "crm-1", "--retry", "--db", db)
        #expect(other.code == 1)
        #expect(other.err.contains("error[FC1205]"), "\(other.err)")
        // A JSON object's keys in another order are the same event (QA round 26, E1).
        let keyed = flowc("deal", "event", "X-1", #"{"id": "crm-2", "set": {"follow_up_notes": "k", "competitor": "c"}}"#, "--at", "+1m", "--retry", "--db", db)
        #expect(keyed.code == 0, "\(keyed.err)")
        let reordered = flowc("deal", "event", "X-1", #"{"set": {"competitor": "c", "follow_up_notes": "k"}, "id": "crm-2"}"#, "--retry", "--db", db)
        #expect(reordered.code == 0, "\(reordered.err)")
        #expect(reordered.out.hasPrefix("already applied: `set` to deal `X-1` (event `crm-2`); nothing changed"), "\(reordered.out)")
        #expect(flowc("deal", "event", "X-1", "--set", "follow_up_notes=r", "--id", "crm-1", "--db", db).err.contains("error[FC1214]"))
        #expect(flowc("deal", "event", "X-1", "--set", "follow_up_notes=r", "--retry", "--db", db).code == 2)
        #expect(log.out.hasPrefix("{\"context\":{\"actorCanAssign\":false,"))

        let why = flowc("deal", "why", "X-1", "--db", db)
        #expect(why.code == 0)
        #expect(why.out.contains("path taken:"))
        // Decided at the creation: the node was never in the flow ahead, so it did not "leave" it.
        #expect(why.out.contains("`internal_audit` is not in the flow ahead from the start: `quote < cost` is false (reads quote = null, cost = null)"))
        #expect(!why.out.contains("left the flow ahead"))
        #expect(why.out.contains("at `requirement_negotiation`") == false)
        // A quote below cost brings it in for the first time: it "comes into" the flow ahead;
        // out and in again, it is "back".
        for (quote, cost) in [("90000 CNY", "100000 CNY"), ("120000 CNY", "100000 CNY"), ("80000 CNY", "100000 CNY")] {
            let set = flowc("deal", "event", "X-1", #"{"set": {"quote": "\#(quote)", "cost": "\#(cost)"}}"#, "--by", "amy", "--db", db)
            #expect(set.code == 0, "\(set.err)")
        }
        let ahead = flowc("deal", "why", "X-1", "--db", db).out
        #expect(ahead.contains("`internal_audit` comes into the flow ahead: `quote < cost` is now true (reads quote = 90000 CNY, cost = 100000 CNY)"), "\(ahead)")
        #expect(ahead.contains("`internal_audit` left the flow ahead: `quote < cost` is now false"))
        #expect(ahead.contains("`internal_audit` is back in the flow ahead: `quote < cost` is now true (reads quote = 80000 CNY, cost = 100000 CNY)"))

        let snapshot = flowc("deal", "show", "X-1", "--db", db, "--snapshot")
        #expect(snapshot.out.hasPrefix("{\"closedAt\"") || snapshot.out.hasPrefix("{\"createdAt\""))
        #expect(snapshot.out.contains(#""roleMembers":[[],"#), "\(snapshot.out)")
        // By name (QA round 11: `deal show --json` gave the slots of the compiled template).
        let byName = try #require(try JSONSerialization.jsonObject(with: Data(flowc("deal", "show", "X-1", "--db", db, "--json").out.utf8)) as? [String: Any])
        let fields = try #require(byName["fields"] as? [String: Any])
        #expect((fields["customer_name"] as? [String: Any])?["value"] as? String == "星海航运有限公司")
        #expect(fields["loss_analysis"] is NSNull)
        let nodes = try #require(byName["nodes"] as? [String: [String: Any]])
        #expect(nodes["initial_talks"]?["status"] as? String == "done")
        #expect((nodes["initial_talks"]?["deliverables"] as? [String: Bool]) == ["first_visit_record": true, "customer_profile_card": true])
        #expect((byName["roles"] as? [String: [String]])?["sales_manager"] == ["mia"])
        // In the public pool by now (idle since May): no timer runs.
        #expect(byName["nextTimerAt"] is NSNull && byName["pool"] as? String == "public")
        let decisions = try #require(byName["decisions"] as? [[String: Any]])
        #expect(decisions.contains { $0["condition"] as? String == "quote < cost" && $0["node"] as? String == "internal_audit"
            && ($0["reads"] as? [[String: Any]])?.compactMap { $0["field"] as? String } == ["quote", "cost"] })
        #expect(flowc("deal", "show", "X-1", "--db", db, "--json", "--snapshot").code == 2)
    }

    /// An effect addressed to groups with nobody in them (a public-pool deal's owner) is shown
    /// as reaching nobody, not as if it were sent.
    /// A creation sent again (`--retry`) is skipped when it is the same creation: a CRM whose
    /// call timed out can retry it (QA round 11: the retry was FC1102, exit 1, like a genuine
    /// refusal). Other values under the id are FC1204; without --retry the second call is FC1102.
    @Test func aCreationRetriedIsSkipped() throws {
        let db = try Examples.db()
        func create(_ extra: String...) -> (code: Int32, out: String, err: String) {
            flowc(["deal", "create", Examples.template, "--id", "R-1", "--set", "customer_name=重试客户", "--db", db] + extra)
        }
        let first = create("--owner", "amy", "--at", "2024-07-01T09:00:00+08:00", "--retry")
        #expect(first.code == 0, "\(first.err)")
        #expect(first.out.hasPrefix("created deal `R-1` on `standard_sale` 1.0.0 (1 event)\n"))
        // The time may differ (a retry without --at takes the time of the call).
        let again = create("--owner", "amy", "--retry", "--json")
        #expect(again.code == 0, "\(again.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(again.out.utf8)) as? [String: Any])
        #expect(json["applied"] as? Int == 0 && json["skipped"] as? Int == 1 && (json["effects"] as? [Any])?.isEmpty == true, "\(again.out)")
        let human = create("--owner", "amy", "--retry")
        #expect(human.out.hasPrefix("already created: deal `R-1`, by the same values; nothing changed\n"), "\(human.out)")
        let other = create("--owner", "bob", "--retry")
        #expect(other.code == 1)
        #expect(other.err.hasPrefix("error[FC1204]: deal `R-1`, create: deal `R-1` already exists and was created differently"), "\(other.err)")
        let plain = create("--owner", "amy")
        #expect(plain.code == 1)
        #expect(plain.err.hasPrefix("error[FC1102]"), "\(plain.err)")
        #expect(flowc("deal", "history", "R-1", "--db", db).out.split(separator: "\n").filter { $0.hasPrefix("#") }.count == 1)
        // A record's events not yet logged are applied on the retry; those logged are skipped.
        let record = #"{"id": "R-2", "owner": "amy", "at": "2024-07-01T09:00:00+08:00", "fields": {"customer_name": "重试客户二"}, "events": [{"set": {"intent": "high"}, "at": "+1h"}]}"#
        let longer = #"{"id": "R-2", "owner": "amy", "at": "2024-07-01T09:00:00+08:00", "fields": {"customer_name": "重试客户二"}, "events": [{"set": {"intent": "high"}, "at": "+1h"}, {"set": {"follow_up_notes": "ok"}, "at": "+1h"}]}"#
        #expect(flowc("deal", "create", Examples.template, "--record", record, "--retry", "--db", db).code == 0)
        let more = flowc("deal", "create", Examples.template, "--record", longer, "--retry", "--db", db)
        #expect(more.code == 0, "\(more.err)")
        #expect(more.out.hasPrefix("already created: deal `R-2`, by the same values; applied 1 of its events not yet logged\n"), "\(more.out)")
        #expect(flowc("deal", "history", "R-2", "--db", db).out.split(separator: "\n").filter { $0.hasPrefix("#") }.count == 3)
    }

    /// In JSON mode a failure is a JSON object on standard output too, with the code, the exit
    /// status and the place (QA round 11: refusals were text on standard error only). The text
    /// on standard error is unchanged.
    @Test func aFailureInJSONModeIsAnObject() throws {
        let db = try Examples.db()
        func error(_ out: String) throws -> [String: Any] {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any], "\(out)")
            return try #require(object["error"] as? [String: Any], "\(out)")
        }
        #expect(flowc("deal", "create", Examples.template, "--id", "J-1", "--owner", "amy", "--set", "customer_name=甲", "--db", db).code == 0)
        let twice = flowc("deal", "create", Examples.template, "--id", "J-1", "--owner", "amy", "--set", "customer_name=甲", "--db", db, "--json")
        #expect(twice.code == 1)
        #expect(twice.err.hasPrefix("error[FC1102]"))
        let e1 = try error(twice.out)
        #expect(e1["code"] as? String == "FC1102" && e1["exit"] as? Int == 1 && e1["location"] == nil)
        #expect(e1["message"] as? String == "deal `J-1`, create: deal `J-1` already exists")
        let missing = flowc("deals", "--db", db + ".none", "--format", "json")
        #expect(missing.code == 2)
        let e2 = try error(missing.out)
        #expect(e2["code"] as? String == "FC1215" && e2["exit"] as? Int == 2 && e2["location"] as? String == db + ".none")
        let column = flowc("deals", "--db", db, "--format=json", "--columns", "deal,nope")
        let e3 = try error(column.out)
        #expect(e3["code"] as? String == "FC1410" && e3["location"] as? String == "--columns:1:6", "\(column.out)")
        // A usage error: no code, the argument parser's message.
        let usage = flowc("deal", "event", "J-1", "--set", "intent=low", "--retry", "--json", "--db", db)
        #expect(usage.code == 2)
        let e4 = try error(usage.out)
        #expect(e4["code"] is NSNull && e4["exit"] as? Int == 2)
        #expect((e4["message"] as? String)?.hasPrefix("--retry needs the event's id") == true, "\(usage.out)")
        // Without JSON asked for, standard output stays empty; a success prints no error object.
        #expect(flowc("deal", "create", Examples.template, "--id", "J-1", "--owner", "amy", "--set", "customer_name=甲", "--db", db).out.isEmpty)
        #expect(!flowc("deal", "show", "J-1", "--db", db, "--json").out.contains("\"error\""))
        // Coloured error lines (a terminal) are read without their colour sequences.
        #expect(FailureJSON.parts("\u{1B}[1;31merror[FC1203]\u{1B}[0m: deal `X` is not in the store")
                == FailureJSON.Parts(code: "FC1203", location: nil, message: "deal `X` is not in the store"))
        #expect(FailureJSON.parts("x.sqlite: error[FC1203]: no") == FailureJSON.Parts(code: "FC1203", location: "x.sqlite", message: "no"))
        #expect(FailureJSON.parts("warning[FC0713]: not an error") == nil)
        #expect(FailureJSON.requested(["deals", "--", "--json"]) == false)
    }

    @Test func anEffectForNobodySaysSo() throws {
        let db = try Examples.db()
        let r = flowc("deal", "create", Examples.template, "--id", "P-1", "--set", "customer_name=无主客户", "--db", db)
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("effect notify (on_create) → nobody (no one in `owner`)"), "\(r.out)")
    }

    /// `deal show` lists each open node's checklist with what is done and what is left (S8).
    @Test func showListsTheOpenNodesDeliverables() throws {
        let db = try Examples.loaded()
        let before = flowc("deal", "show", "D-1003", "--db", db)
        // The customer first: identity, then profile, what is missing as `—` (S3, S11).
        #expect(before.out.contains("customer:\n  customer_name = \"远山物流股份有限公司\"\n  tax_id = \"91310000MA1FXXXX3C\"\n  industry = energy\n"), "\(before.out)")
        #expect(before.out.contains("  headcount = —\n"))
        #expect(!before.out.contains("fields:\n  customer_name"))
        #expect(before.out.contains("deliverables:\n  `legal_review` (active): 0 of 1 done: `legal_opinion` to do\n  `finance_review` (active): 0 of 2 done: `credit_check` to do, `invoice_details` to do\n"), "\(before.out)")
        let tick = flowc("deal", "event", "D-1003", #"{"deliverables": {"node": "finance_review", "done": ["invoice_details"]}}"#, "--by", "li.si",
                        "--at", "2024-05-10T00:00:00Z", "--db", db)
        #expect(tick.code == 0, "\(tick.err)")
        #expect(flowc("deal", "show", "D-1003", "--db", db).out.contains("  `finance_review` (active): 1 of 2 done: `credit_check` to do, `invoice_details` done\n"))
    }

    /// A timer the command's clock has passed is said to wait for `flowc tick`, where the node
    /// read active with its due date days behind (QA round 44, A9).
    @Test func showSaysATimerThatHasPassedWaitsForATick() throws {
        let db = try Examples.loaded()
        let late = flowc("deal", "show", "D-1003", "--db", db, "--now", "2030-01-01T00:00:00Z")
        #expect(late.code == 0, "\(late.err)")
        let line = try #require(late.out.split(separator: "\n").first { $0.hasPrefix("next timer: ") })
        #expect(line.hasSuffix(" (passed: the next `flowc tick` fires it, and what else is due)"), "\(line)")
        let early = flowc("deal", "show", "D-1003", "--db", db, "--now", "2024-05-07T00:00:00Z")
        let timer = try #require(early.out.split(separator: "\n").first { $0.hasPrefix("next timer: ") })
        #expect(!timer.contains("passed"), "\(timer)")
    }

    /// S7: a customer's contact added to the deal gets no internal card, and the output says the
    /// card reaches nobody (not the contact it is about); a colleague gets it.
    @Test func theCatchUpCardReachesColleaguesNotCustomerContacts() throws {
        let db = try Examples.loaded()
        let contact = flowc("deal", "event", "D-1003", #"{"add_member": {"role": "customer_contact", "person": "client.zhao"}}"#,
                            "--at", "2024-05-10T00:00:00Z", "--db", db)
        #expect(contact.code == 0, "\(contact.err)")
        #expect(contact.out.contains("effect bot_card (on_role_added) → nobody (no one in `added`)\n"), "\(contact.out)")
        #expect(!contact.out.contains("→ client.zhao"), "\(contact.out)")
        let colleague = flowc("deal", "event", "D-1003", #"{"add_member": {"role": "technical", "person": "tom"}}"#,
                              "--at", "2024-05-10T00:00:00Z", "--db", db)
        #expect(colleague.out.contains("effect bot_card (on_role_added) → tom\n"), "\(colleague.out)")
    }

    /// S10: anyone joins the deal's chat with `join_chat`; `deal show` lists the chats and members.
    @Test func anyoneJoinsTheChatAndShowListsItsMembers() throws {
        let db = try Examples.loaded()
        let before = flowc("deal", "show", "D-1003", "--db", db)
        let chatLine = try #require(before.out.split(separator: "\n").first { $0.hasPrefix("  chat-") })
        #expect(before.out.contains("group chats:\n" + chatLine + "\n"))
        // Each chat says where the template creates it, so that two chats can be told apart.
        #expect(chatLine.contains(" (on_enter of `requirement_negotiation`): "), "\(chatLine)")
        #expect(!chatLine.contains("olga"))
        let join = flowc("deal", "event", "D-1003", #"{"join_chat": {"person": "olga"}}"#, "--by", "olga", "--at", "2024-05-10T00:00:00Z", "--db", db)
        #expect(join.code == 0, "\(join.err)")
        #expect(join.out.contains("effect group_chat_add_member (join_chat) → olga"), "\(join.out)")
        #expect(flowc("deal", "show", "D-1003", "--db", db).out.contains(chatLine + ", olga\n"))
        let again = flowc("deal", "event", "D-1003", #"{"join_chat": {"person": "olga"}}"#, "--at", "2024-05-10T00:00:00Z", "--db", db)
        #expect(again.code == 1)
        #expect(again.err.contains("error[FC1175]: deal `D-1003`, join_chat: `olga` is already in every group chat of the deal"), "\(again.err)")
    }

    @Test func aDuplicateCustomerIsRefusedWithTheOwnersName() throws {
        let db = try Examples.loaded()
        let r = flowc("deal", "create", Examples.template, "--id", "X-2", "--owner", "bob", "--set", "customer_name=蓝鲸制造集团", "--db", db)
        #expect(r.code == 1)
        #expect(r.err == "error[FC1201]: deal `X-2`, create: customer `蓝鲸制造集团` already has open deal `D-1005` in `wang.wu`'s private pool\n")
        let record = flowc("deal", "create", Examples.template, "--record", #"{"id": "X-3", "owner": "bob", "fields": {"customer_name": "北辰医疗器械"}}"#, "--db", db)
        #expect(record.code == 1)
        #expect(record.err.contains("error[FC1201]") && record.err.contains("`li.si`'s private pool"))
    }

    @Test func unknownDealsAndBadInputsAreReported() throws {
        let db = try Examples.loaded()
        let unknown = flowc("deal", "why", "nope", "--db", db)
        #expect(unknown.code == 1)
        #expect(unknown.err == "error[FC1203]: there is no deal `nope` in the store\n")
        #expect(flowc("deal", "show", "nope", "--db", db).code == 1)
        #expect(flowc("deal", "history", "nope", "--db", db).code == 1)
        #expect(flowc("deal", "event", "nope", "--complete", "x", "--db", db).code == 1)
        // Usage errors.
        #expect(flowc("deal", "event", "D-1001", "--db", db).code == 2)
        #expect(flowc("deal", "event", "D-1001", #"{"tick": true}"#, "--complete", "x", "--db", db).code == 2)
        // A step that is not JSON is a malformed record, as one that is JSON but wrong (exit 1).
        let notJSON = flowc("deal", "event", "D-1001", "{not json", "--db", db)
        #expect(notJSON.code == 1 && notJSON.err.hasPrefix("error[FC1220]: not a valid record: the event is not JSON: byte "), "\(notJSON.err)")
        // Text that does not even start as an object is told what a step looks like, not what
        // the parser guessed from its first letter (review of the CLI, C10: "expected `null`").
        let words = flowc("deal", "event", "D-1001", "not json", "--db", db)
        #expect(words.code == 1)
        #expect(words.err == "error[FC1220]: not a valid record: the event `not json` is not a JSON object: a step is written "
            + #"`{"set": {"quote": "80000 CNY"}}`, `{"complete": "discovery"}`, …, or use --set, --complete, --note or --link"# + "\n", "\(words.err)")
        #expect(flowc("deal", "event", "D-1001", #"{"sett": 1}"#, "--db", db).code == 1)
        #expect(flowc("deal", "create", Examples.template, "--db", db).code == 2)
        #expect(flowc("deal", "create", Examples.template, "--id", "X", "--set", "nonsense", "--db", db).code == 2)
        // Said twice (the step and an option): refused rather than one silently winning.
        let twice = flowc("deal", "event", "D-1005", #"{"set": {"competitor": "x"}, "id": "zz"}"#, "--id", "yy", "--db", db)
        #expect(twice.code == 2)
        #expect(twice.err == "error: the step gives `id` and so does --id: give it once\n")
        #expect(flowc("deal", "event", "D-1005", #"{"tick": true, "at": "+1m"}"#, "--at", "+2m", "--db", db).code == 2)
        let record = flowc("deal", "create", Examples.template, "--record", #"{"id": "R-1", "owner": "amy", "fields": {"customer_name": "甲"}}"#,
                           "--at", "2024-05-06T09:00:00Z", "--db", db)
        #expect(record.code == 2)
        #expect(record.err.contains("--record replaces --id, --owner, --by, --at, --set and --role"), "\(record.err)")
        // A malformed event is a record error (FC1220), not a usage error.
        let malformed = flowc("deal", "event", "D-1001", #"{"complet": "x"}"#, "--db", db)
        #expect(malformed.code == 1)
        #expect(malformed.err.contains("error[FC1220]: not a valid record: the record: unknown key `complet` (did you mean `complete`?)"))
        // An event id already in the log is refused, not applied twice.
        let first = flowc("deal", "event", "D-1005", "--set", "competitor=竞品B", "--id", "note-1", "--db", db)
        #expect(first.code == 0, "\(first.err)")
        let repeated = flowc("deal", "event", "D-1005", "--set", "competitor=竞品C", "--id", "e2", "--db", db)
        #expect(repeated.code == 1)
        #expect(repeated.err == "error[FC1214]: deal `D-1005`, set: event `e2` is already in the log of deal `D-1005`\n")
        // A closed deal refuses work.
        let closed = flowc("deal", "event", "D-1001", "--set", "competitor=x", "--db", db)
        #expect(closed.code == 1)
        #expect(closed.err.contains("error[FC1105]"))
    }

    @Test func anOldDealRunsOnTheMachineItStartedOn() throws {
        let text = try String(contentsOfFile: repoRoot + "/testdata/run/mini.flow.yaml", encoding: .utf8)
        let dir = try tempDir(["mini.flow.yaml": text])
        let db = dir + "/deals.sqlite"
        let template = dir + "/mini.flow.yaml"
        #expect(flowc("deal", "create", template, "--id", "OLD", "--owner", "amy", "--set", "customer_name=甲", "--at", "2024-05-06T09:00:00Z", "--db", db).code == 0)
        // The template changes: a new version with a renamed first node.
        try text.replacingOccurrences(of: "version: 1.0.0", with: "version: 2.0.0").replacingOccurrences(of: "talks", with: "first_talks")
            .write(toFile: template, atomically: true, encoding: .utf8)
        #expect(flowc("deal", "create", template, "--id", "NEW", "--owner", "bob", "--set", "customer_name=乙", "--at", "2024-05-06T09:00:00Z", "--db", db).code == 0)
        let old = flowc("deal", "event", "OLD", #"{"deliverables": {"node": "talks", "done": ["visit_record"]}}"#, "--at", "+1h", "--db", db)
        #expect(old.code == 0, "\(old.err)")
        #expect(flowc("deal", "show", "OLD", "--db", db).out.contains("template `mini` 1.0.0"))
        #expect(flowc("deal", "show", "NEW", "--db", db).out.contains("template `mini` 2.0.0"))
        let wrong = flowc("deal", "event", "NEW", #"{"deliverables": {"node": "talks", "done": ["visit_record"]}}"#, "--at", "+1h", "--db", db)
        #expect(wrong.code == 1)
        #expect(wrong.err.contains("error[FC1120]: deal `NEW`, deliverables: unknown node `talks`"))
        // The old machine gone from the archive: the store cannot serve the deal, exit 2 (as a
        // store that cannot be read), not 1 (a refused event).
        let archive = db + ".machines"
        let files = try FileManager.default.contentsOfDirectory(atPath: archive).filter { $0.hasSuffix(".ir.json") }
        // A damaged file first: the message names it, so that it can be restored.
        for file in files {
            let path = archive + "/" + file
            var text = try String(contentsOfFile: path, encoding: .utf8)
            text = text.replacingOccurrences(of: "\"probability\"", with: "\"probabilitx\"")
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let damaged = flowc("deal", "show", "OLD", "--db", db)
        #expect(damaged.code == 2)
        #expect(damaged.err.contains("error[FC1210]"), "\(damaged.err)")
        #expect(files.contains { damaged.err.contains("(file `\(archive)/\($0)`)") }, "\(damaged.err)")
        #expect(damaged.err.contains("the machine sha256:") && damaged.err.contains(" of deal `OLD` cannot be loaded: "), "\(damaged.err)")
        // What to do, in the message (QA round 19: only `flowc explain FC1210` said it).
        #expect(damaged.err.contains("; restore the file, or run the template version the deal started on again (`flowc compile` it and compare the hash) with `flowc run` or `flowc deal create`, which stores its machine again"), "\(damaged.err)")
        // A view reads no one deal: the message names the template and its deals.
        let view = flowc("deals", "--db", db)
        #expect(view.code == 2)
        #expect(view.err.contains(" of template `mini` (1 deal) cannot be loaded: "), "\(view.err)")
        // A tick counts the due deals it could not tick in its summary (it said "nothing fired").
        let tick = flowc("tick", "--db", db)
        #expect(tick.code == 1)
        #expect(tick.out.contains("due deals not ticked (errors below)") || tick.out.contains("due deal not ticked (errors below)"), "\(tick.out)")
        #expect(tick.err.contains("error[FC1210]"), "\(tick.err)")
        for file in files { try FileManager.default.removeItem(atPath: archive + "/" + file) }
        let gone = flowc("deal", "show", "OLD", "--db", db)
        #expect(gone.code == 2)
        #expect(gone.err.contains("error[FC1210]"), "\(gone.err)")
        #expect(gone.err.contains("it is not in the machine archive (file `\(archive)/"), "\(gone.err)")
    }
}

/// Deals started on an older version than other open deals run on are said to be (QA round 16:
/// a month-old import file run again started six deals on the version the store had left).
@Suite struct OlderVersionNoteTests {
    @Test func versionsCompareByTheirNumbers() {
        #expect(VersionOrder.isNewer("1.10.0", than: "1.9.2"))
        #expect(VersionOrder.isNewer("v2", than: "1.9"))
        #expect(VersionOrder.isNewer("1.0.1", than: "1.0"))
        #expect(!VersionOrder.isNewer("1.0", than: "1.0.0"))
        #expect(!VersionOrder.isNewer("1.0.0", than: "1.1.0"))
        #expect(!VersionOrder.isNewer("draft", than: "1.0"))
    }

    @Test func aCreationOrARunOnAnOlderVersionIsNoted() throws {
        let dir = try tempDir([
            "v1.flow.yaml": try miniTemplate(),
            "v2.flow.yaml": try miniTemplate(header: "template: {id: mini, version: 1.1.0, name: Mini}"),
            "d.jsonl": #"{"id": "R-1", "owner": "bob", "fields": {"customer_name": "丙"}}"# + "\n",
        ])
        let db = dir + "/s.sqlite"
        let new = flowc("deal", "create", dir + "/v2.flow.yaml", "--id", "N-1", "--owner", "amy", "--set", "customer_name=甲", "--db", db)
        #expect(new.code == 0 && new.err.isEmpty, "\(new.err)")
        let old = flowc("deal", "create", dir + "/v1.flow.yaml", "--id", "O-1", "--owner", "amy", "--set", "customer_name=乙",
                      "--at", "2024-05-06T09:00:00Z", "--db", db)
        #expect(old.code == 0)
        let notes = old.err.split(separator: "\n").map(String.init)
        #expect(notes.count == 2, "\(old.err)")
        #expect(notes.first == "note: deal `O-1` runs on `mini` 1.0.0, while open deals of it run on 1.1.0 (1 open deal): "
                + "`flowc migrate --to TEMPLATE` moves deals to a newer version")
        // Created in 2024: its timers are due by today's clock (QA round 23).
        #expect(notes.last?.hasPrefix("note: deal `O-1` has a timer already due by the clock (") == true
                && notes.last?.hasSuffix("): the next `flowc tick` fires it at once") == true, "\(old.err)")
        let run = flowc("run", dir + "/v1.flow.yaml", "--deals", dir + "/d.jsonl", "--db", db)
        #expect(run.code == 0)
        #expect(run.err.hasSuffix("note: the deal created runs on `mini` 1.0.0, while open deals of it run on 1.1.0 (1 open deal): "
                + "`flowc migrate --to TEMPLATE` moves deals to a newer version\n"), "\(run.err)")
        // A deal of the old version claimed out of the public pool (a lost one reopens there).
        #expect(flowc("pool", "release", "O-1", "--by", "amy", "--at", "+1h", "--db", db).code == 0)
        let claim = flowc("pool", "claim", "O-1", "--by", "dan", "--at", "+1h", "--db", db)
        #expect(claim.code == 0, "\(claim.err)")
        #expect(claim.err == "note: deal `O-1` runs on `mini` 1.0.0, while open deals of it run on 1.1.0 (1 open deal): "
                + "`flowc migrate --to TEMPLATE` moves deals to a newer version\n")
        // On the newer version, nothing to say (the older one's deals are the user's choice).
        let newer = flowc("deal", "create", dir + "/v2.flow.yaml", "--id", "N-2", "--owner", "cy", "--set", "customer_name=丁", "--db", db)
        #expect(newer.code == 0 && newer.err.isEmpty, "\(newer.err)")
    }
}

/// A run that writes deals whose timers are already due by the clock says so (QA round 16: a
/// month-old import run again created six deals it had refused, dated as their records, and the
/// next tick blocked, escalated and idle-warned them in one burst).
@Suite struct TimersDueNoteTests {
    @Test func dealsWrittenWithTimersAlreadyDueAreCounted() throws {
        let mini = try miniTemplate()
        let old = #"{"id": "R-1", "owner": "bob", "at": "2024-05-06T09:00:00Z", "fields": {"customer_name": "甲"}}"#
        let older = #"{"id": "R-2", "owner": "amy", "at": "2024-05-01T09:00:00Z", "fields": {"customer_name": "乙"}}"#
        let recent = #"{"id": "R-3", "owner": "cy", "at": "2024-05-31T09:00:00Z", "fields": {"customer_name": "丙"}}"#
        let dir = try tempDir([
            "t.flow.yaml": mini,
            "one.jsonl": [old, recent].joined(separator: "\n") + "\n",
            "two.jsonl": older + "\n",
            "recent.jsonl": recent + "\n",
            "three.jsonl": [old, older, recent].joined(separator: "\n") + "\n",
        ])
        let db = dir + "/s.sqlite"
        let clock = "2024-06-01T08:00:00+08:00"
        let run = flowc("run", dir + "/t.flow.yaml", "--deals", dir + "/one.jsonl", "--db", db, "--now", clock)
        #expect(run.code == 0)
        #expect(run.err == "note: 1 deal the run wrote has a timer already due by the clock (2024-06-01T08:00:00+08:00), its records "
                + "being dated earlier: the next `flowc tick` fires it at once (due dates, escalations, idle warnings, "
                + "returns to the public pool): `R-1`\n", "\(run.err)")
        // Run again: nothing written, nothing to say, though R-1's timer is still due.
        let again = flowc("run", dir + "/t.flow.yaml", "--deals", dir + "/one.jsonl", "--db", db, "--now", clock)
        #expect(again.code == 0 && again.err.isEmpty, "\(again.err)")
        // The count is of deals written by this run, in the JSON summary as well.
        let json = flowc("run", dir + "/t.flow.yaml", "--deals", dir + "/two.jsonl", "--db", db, "--now", clock, "--json")
        #expect(json.code == 0)
        #expect(json.out.contains(#""timers_due":1"#) && json.out.contains(#""timers_due_deals":["R-2"]"#), "\(json.out)")
        #expect(json.err.hasPrefix("note: 1 deal the run wrote has a timer already due"), "\(json.err)")
        let fresh = dir + "/fresh.sqlite"
        let none = flowc("run", dir + "/t.flow.yaml", "--deals", dir + "/recent.jsonl", "--db", fresh, "--now", clock, "--json")
        #expect(none.code == 0 && none.err.isEmpty, "\(none.err)")
        #expect(none.out.contains(#""timers_due":0"#), "\(none.out)")
        // Two deals: the plural.
        let both = flowc("run", dir + "/t.flow.yaml", "--deals", dir + "/three.jsonl", "--db", dir + "/both.sqlite", "--now", clock)
        #expect(both.code == 0)
        // More than five: the first five by id, and how to list the rest.
        let seven = (1...7).map { #"{"id": "S-\#($0)", "owner": "o\#($0)", "at": "2024-05-01T09:00:00Z", "fields": {"customer_name": "客户\#($0)"}}"# }
        try (seven.reversed().joined(separator: "\n") + "\n").write(toFile: dir + "/seven.jsonl", atomically: true, encoding: .utf8)
        let many = flowc("run", dir + "/t.flow.yaml", "--deals", dir + "/seven.jsonl", "--db", dir + "/seven.sqlite", "--now", clock)
        #expect(many.err.hasSuffix("returns to the public pool): `S-1`, `S-2`, `S-3`, `S-4`, `S-5`, and 2 more "
                + "(`flowc deals --where 'due < now() or returns < now()'` lists the deals past a due date or a return)\n"), "\(many.err)")
        #expect(both.err.hasPrefix("note: 2 deals the run wrote have timers already due by the clock (2024-06-01T08:00:00+08:00), "
                + "their records being dated earlier: the next `flowc tick` fires them at once"), "\(both.err)")
    }
}

/// `deal show` says how a deal in the public pool got there, when and from whom (QA round 24, m5:
/// only `--json` had it).
@Suite struct DealShowPoolArrivalTests {
    @Test func aPublicDealSaysHowItCame() throws {
        let db = try Examples.loaded()
        let lost = flowc("deal", "show", "D-1002", "--db", db, "--utc-offset", "8h")
        #expect(lost.code == 0, "\(lost.err)")
        #expect(lost.out.contains("\nin the public pool since 2024-05-09T14:00:00+08:00: lost by `wang.wu` (competitor)\n"), "\(lost.out)")
        let idle = flowc("deal", "show", "D-1004", "--db", db)
        #expect(idle.out.contains("\nin the public pool since 2024-06-09T01:00:00Z: taken back from `zhang.san` by the idle timer\n"), "\(idle.out)")
        let owned = flowc("deal", "show", "D-1003", "--db", db)
        #expect(!owned.out.contains("in the public pool since"), "\(owned.out)")
        // A datetime field is in the command's zone, as the other times (QA round 25).
        let zoned = flowc("deal", "show", "D-1003", "--db", db, "--utc-offset", "8h")
        #expect(zoned.out.contains("\n  last_visit_at = 2024-05-07T09:00:00+08:00\n"), "\(zoned.out)")
        #expect(owned.out.contains("\n  last_visit_at = 2024-05-07T01:00:00Z\n"), "\(owned.out)")
    }
}
