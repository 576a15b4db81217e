import FlowExpr
import FlowIR
import FlowRuntime
import Foundation
import Testing

/// Versions of testdata/run/mini.flow.yaml, made by editing its text.
enum MiniVersion {
    static let text: String = (try? String(contentsOfFile: repoRoot + "/" + Mini.path, encoding: .utf8)) ?? ""

    /// The mini template with a new version number and the given edits (literal replacements,
    /// each of which must apply).
    static func make(_ version: String, _ edits: [(String, String)] = [], renameTalks: Bool = false) throws -> PreparedMachine {
        var t = text.replacingOccurrences(of: "version: 1.0.0", with: "version: \(version)")
        if renameTalks {
            t = t.replacingOccurrences(of: "- id: talks", with: "- id: first_talks")
                .replacingOccurrences(of: "reject: talks", with: "reject: first_talks")
                .replacingOccurrences(of: "rework: [talks]", with: "rework: [first_talks]")
        }
        for (old, new) in edits {
            guard t.contains(old) else { throw SetupError(description: "edit `\(old)` does not apply") }
            t = t.replacingOccurrences(of: old, with: new)
        }
        return try machine(yaml: t)
    }
}

/// Migrates a test deal and continues it on the new machine (the log keeps the migrate event).
extension Deal {
    /// The deal moved to `new` by a `migrate` event `after` seconds on, or the refusal.
    /// - Parameter rules: the runner rules to migrate under (a log written by an older flowc).
    mutating func migrate(to new: PreparedMachine, map: [NodeMapping] = [], after: Int64 = hour,
                          rules: Int = StepContext.currentRules) throws -> Result<(Deal, MigrationOutcome), Refusal> {
        guard let s = snapshot else { throw SetupError(description: "no deal to migrate") }
        let e = DealEvent(id: "m\(counter + 1)", at: time + after, .migrate(from: s.machineHash, to: new.machine.template.hash, map: map))
        let context = StepContext(now: e.at, rules: rules)
        switch Runner.migrate(from: pm, to: new, s, e, context: context, limits: limits) {
        case .failure(let refusal): return .failure(refusal)
        case .success(let outcome):
            var next = Deal(new, at: e.at)
            next.snapshot = outcome.snapshot
            next.counter = counter + 1
            next.log = log + [(e, context)]
            next.limits = limits
            return .success((next, outcome))
        }
    }
}


@Suite struct MigrationTests {
    /// Replays a migrated deal's log across its machines and compares with its snapshot.
    func replayMatches(_ d: Deal, initial: PreparedMachine, machines: [PreparedMachine]) -> Bool {
        let byHash = Dictionary(uniqueKeysWithValues: machines.map { ($0.machine.template.hash, $0) })
        let replayed = Runner.replay(initial, events: d.log.map(\.0), contexts: d.log.map(\.1), limits: d.limits) { byHash[$0] }
        guard case .success(let outcome) = replayed else { return false }
        return outcome.snapshot == d.snapshot
    }

    /// A claim restarted the node's due clock; a migration keeps counting from there, not from
    /// the node's first activation (which would put the long-passed date back).
    @Test func aMigrationKeepsTheDueClockAClaimRestarted() throws {
        var d = try Mini.deal()
        try d.apply(.tick, after: 11 * day)
        try d.apply(.claim, by: "bob", after: 2 * day)
        let claimedAt = d.time
        #expect(d.node("talks")?.dueAt == claimedAt + 5 * day)
        let same = try MiniVersion.make("1.0.1")
        guard case .success(let (moved, _)) = try d.migrate(to: same) else {
            Issue.record("the migration was refused")
            return
        }
        #expect(moved.node("talks")?.status == .active && moved.node("talks")?.dueAt == claimedAt + 5 * day)
        // A new `due` counts from the claim too.
        let longer = try MiniVersion.make("1.1.0", [("    due: 5d\n    escalate: {after: 1d, to: sales_manager}", "    due: 8d\n    escalate: {after: 1d, to: sales_manager}")])
        guard case .success(let (again, _)) = try d.migrate(to: longer) else {
            Issue.record("the migration was refused")
            return
        }
        #expect(again.node("talks")?.dueAt == claimedAt + 8 * day)
        #expect(replayMatches(again, initial: d.pm, machines: [d.pm, longer]))
    }

    @Test func nodesMatchedByIDKeepTheirStateAndTheFoldEqualsTheSnapshot() throws {
        var d = try Mini.atFork()
        let old = d.pm
        let v2 = try MiniVersion.make("1.1.0")
        let (moved, outcome) = try d.migrate(to: v2).get()
        let s = try #require(moved.snapshot)
        #expect(s.machineHash == v2.machine.template.hash)
        #expect(s.templateVersion == "1.1.0")
        #expect(moved.active == ["legal_review", "finance_review"])
        #expect(s.sequence == d.snapshot!.sequence + 1)
        #expect(s.decisions.last?.kind == .migration)
        #expect(outcome.moves.contains(NodeMove(from: "talks", to: "talks", status: .done)))
        #expect(outcome.moves.contains(NodeMove(from: "legal_review", to: "legal_review", status: .active)))
        #expect(moved.field("quote") == money(100))
        #expect(moved.field("margin") == money(50))
        #expect(moved.members("legal") == ["lee"])
        #expect(s.owner == "alice" && s.pool == .private)
        #expect(s.groupChats.count == d.snapshot!.groupChats.count)
        #expect(replayMatches(moved, initial: old, machines: [old, v2]))
        #expect(Runner.initialMachineHash(events: moved.log.map(\.0), current: s.machineHash) == old.machine.template.hash)
        // `why` reads on the new machine, migration included.
        #expect(Runner.explain(v2.machine, s).contains { $0.hasPrefix("the deal moved to another version of its template at") })
    }

    /// A chat follows its `group_chat` effect by place (node, trigger, rank), not by index in the
    /// machine's effect list: a notify added before it kept the chat out of step (QA: the chat
    /// was dropped, new role members were not added, and a rework created a second chat).
    @Test func aGroupChatFollowsItsEffectWhenAnEffectIsAddedBeforeIt() throws {
        var d = try Mini.deal()
        #expect(d.snapshot?.groupChats.count == 1)
        let chatID = try #require(d.snapshot?.groupChats.first?.chatID)
        let v2 = try MiniVersion.make("1.1.0", [("    on_enter:\n      - group_chat:", "    on_enter:\n      - notify: {to: [owner], message: \"hello\"}\n      - group_chat:")])
        var (moved, outcome) = try d.migrate(to: v2).get()
        #expect(!outcome.notes.contains { $0.contains("group chat") }, "\(outcome.notes)")
        let chat = try #require(moved.snapshot?.groupChats.first)
        #expect(chat.chatID == chatID && v2.machine.effects[chat.effect].kind == .groupChat)
        try moved.apply(.addRoleMember(role: "presales", person: "paula"), by: "alice", after: hour)
        #expect(moved.effects.contains { $0.kind == .groupChatAddMember && $0.people == ["paula"] }, "\(moved.kinds)")
        // Under rules 3 (a migration logged then replays so) the chat was matched by index: dropped.
        let e = DealEvent(id: "m", at: d.time + hour, .migrate(from: try #require(d.snapshot?.machineHash), to: v2.machine.template.hash, map: []))
        let old = try Runner.migrate(from: d.pm, to: v2, try #require(d.snapshot), e, context: StepContext(now: e.at, rules: 3)).get()
        #expect(old.snapshot.groupChats.isEmpty)
        // A chat whose effect is gone is dropped with a note that says what follows.
        let v3 = try MiniVersion.make("1.2.0", [("      - group_chat: {name: \"{customer_name} 群\", roles: [sales_owner, presales, legal]}\n", "      - notify: {to: [owner], message: \"hello\"}\n")])
        let (_, dropped) = try d.migrate(to: v3).get()
        #expect(dropped.notes.contains { $0.contains("group chat `\(chatID)` has no matching `group_chat` effect in the new version") && $0.contains("entering its node again creates a new chat") },
                "\(dropped.notes)")
    }

    /// A chat the migration drops (its effect moved from `on_enter` to `on_complete` of `talks`,
    /// at the same index of the machine's effects): the chat the deal creates on the new version
    /// has an id of its own (rules 15). Under 14 it took the dropped chat's id, and a deliverer
    /// had two chats under one id (QA round 36, D1); such a log replays as it was.
    @Test func aChatCreatedAfterAMigrationNeverTakesTheIdOfAnEarlierOne() throws {
        var d = try Mini.deal()
        let original = try #require(d.snapshot?.groupChats.first)
        // The id the chat had under rules 14: from the deal and the effect's index alone.
        func legacy(_ effect: Int) -> String { "chat-" + String(Effect.stableID(dealID: "deal-1", eventID: "group_chat", index: effect).dropFirst(3)) }
        let v2 = try MiniVersion.make("1.1.0", [
            ("    on_enter:\n      - group_chat: {name: \"{customer_name} 群\", roles: [sales_owner, presales, legal]}\n",
             "    on_complete:\n      - group_chat: {name: \"{customer_name} 群\", roles: [sales_owner, presales, legal]}\n"),
        ])
        let (moved, outcome) = try d.migrate(to: v2).get()
        #expect(moved.snapshot?.groupChats.isEmpty == true, "\(outcome.notes)")
        for rules in [StepContext.currentRules, 14] {
            var next = moved
            try next.apply(.setFields([FieldAssignment("quote", money(100)), FieldAssignment("cost", money(50))]), by: "alice")
            try next.apply(.tickDeliverable(node: "talks", deliverable: "visit_record", done: true), by: "alice")
            let created = try next.apply(.complete(node: "talks", outcome: nil), by: "alice", rules: rules).filter { $0.kind == .groupChatCreate }
            let chat = try #require(created.first)
            #expect(chat.chatID != original.chatID)
            // Under 14, the id a chat of the dropped chat's effect index had: the dropped chat's too.
            #expect(chat.definition == original.effect)
            #expect((chat.chatID == legacy(original.effect)) == (rules == 14), "rules \(rules)")
            #expect(replayMatches(next, initial: d.pm, machines: [d.pm, v2]))
        }
    }

    /// A migration that shortens `due` puts the node's due date before the migration: under
    /// rules 5 the node is blocked since that date and escalates a day after it, as `escalate`
    /// says, and `why` gives both times (QA round 16: under 4 it was blocked at the migration's
    /// time and escalated a day after that).
    @Test(arguments: [4, 5])
    func aDueDateTheMigrationPutInThePastBlocksFromThatDate(_ rules: Int) throws {
        var d = try Mini.deal()
        let talks = try #require(d.m.nodes.firstIndex { $0.id == "talks" })
        let v2 = try MiniVersion.make("1.1.0", [("    due: 5d\n", "    due: 2d\n")])
        var (moved, _) = try d.migrate(to: v2, after: 3 * day).get()
        let migratedAt = moved.time
        let activated = try #require(moved.snapshot?.nodes[talks].activatedAt)
        #expect(moved.snapshot?.nodes[talks].dueAt == activated + 2 * day)
        try moved.apply(.tick, after: hour, rules: rules)
        let node = try #require(moved.snapshot?.nodes[talks])
        #expect(node.status == .blocked)
        if rules >= 5 {
            #expect(node.blockedAt == activated + 2 * day)
            // Escalated a day after the due date, at the migration's time (no timer fires before it).
            #expect(node.escalatedAt == migratedAt)
            let why = Runner.explain(v2.machine, try #require(moved.snapshot))
            let due = ExprValue.datetime(seconds: activated + 2 * day).description, marked = ExprValue.datetime(seconds: migratedAt).description
            #expect(why.contains("`talks` passed its due date at \(due), before the deal's last event (a migration that shortened its `due`), and was marked blocked at \(marked), as of its due date"), "\(why)")
        } else {
            #expect(node.blockedAt == migratedAt)
            #expect(node.escalatedAt == nil)
        }
        #expect(replayMatches(moved, initial: d.pm, machines: [d.pm, v2]))
    }

    /// A plain version bump records no projection decision for a pending node that was out of
    /// the flow ahead and stays out (QA: `why` said it "left the flow ahead"); under rules 3 it did.
    @Test(arguments: [3, 4])
    func aMigrationRecordsOnlyTheProjectionsThatChange(_ rules: Int) throws {
        let d = try Mini.deal(fields: [FieldAssignment("strategic", .boolean(true))])
        let audit = try #require(d.m.nodes.firstIndex { $0.id == "audit_check" })
        #expect(d.snapshot?.nodes[audit].inPlan == false)
        let v2 = try MiniVersion.make("1.0.1")
        let e = DealEvent(id: "m", at: d.time + hour, .migrate(from: try #require(d.snapshot?.machineHash), to: v2.machine.template.hash, map: []))
        let moved = try Runner.migrate(from: d.pm, to: v2, try #require(d.snapshot), e, context: StepContext(now: e.at, rules: rules)).get()
        let projections = moved.snapshot.decisions.filter { $0.kind == .projection && $0.sequence == moved.snapshot.sequence }
        #expect(projections.count == (rules >= 4 ? 0 : 1), "\(projections)")
        #expect(moved.snapshot.nodes[audit].inPlan == false)
    }

    /// A node new in the version, tailored out, is not said to have "left" a flow it was never in
    /// (QA); a node the old version had, tailored out by the new one, is. Under rules 8 the new
    /// node had no decision at the migration; under 9 it has one that says it is new and out of
    /// the flow ahead (QA round 27, M11).
    @Test(arguments: [8, 9])
    func aNewTailoredOutNodeIsNotSaidToLeaveTheFlow(_ rules: Int) throws {
        var d = try Mini.deal()
        let v2 = try MiniVersion.make("1.1.0", [
            ("    kind: join\n    next: signing\n", "    kind: join\n    next: extra_check\n  - {id: extra_check, name: Extra check, owner: sales_owner, when: \"strategic\", next: signing}\n"),
        ])
        let (moved, _) = try d.migrate(to: v2, rules: rules).get()
        let snapshot = try #require(moved.snapshot)
        let extra = try #require(v2.machine.nodes.firstIndex { $0.id == "extra_check" })
        #expect(snapshot.nodes[extra].status == .pending && !snapshot.nodes[extra].inPlan)
        if rules < 9 {
            #expect(!snapshot.decisions.contains { $0.node == extra }, "\(snapshot.decisions.filter { $0.node == extra })")
        } else {
            #expect(snapshot.decisions.filter { $0.node == extra }.map(\.kind) == [.projection])
            let why = Runner.explain(v2.machine, snapshot)
            #expect(why.contains("`extra_check`, new in this version, is not in the flow ahead: `strategic` is false (reads strategic = false)"), "\(why)")
            #expect(!why.contains { $0.contains("`extra_check` left the flow ahead") }, "\(why)")
        }
        #expect(replayMatches(moved, initial: d.pm, machines: [d.pm, v2]))
        // When its condition holds later, it comes into the flow ahead (it was never in it).
        var later = moved
        try later.apply(.setFields([FieldAssignment("strategic", .boolean(true))]), after: hour)
        let laterWhy = Runner.explain(v2.machine, try #require(later.snapshot))
        #expect(laterWhy.contains("`extra_check` comes into the flow ahead: `strategic` is now true (reads strategic = true)"), "\(laterWhy)")
        // A node the old version had, whose condition the new one makes false, did leave it.
        let v3 = try MiniVersion.make("1.2.0", [("    when: \"not strategic\"", "    when: \"strategic\"")])
        let (narrowed, _) = try d.migrate(to: v3).get()
        let why = Runner.explain(v3.machine, try #require(narrowed.snapshot))
        #expect(why.contains("`audit_check` left the flow ahead: `strategic` is now false (reads strategic = false)"), "\(why)")
    }

    /// A node the new version adds ahead of the deal with a `when` that holds gets a projection
    /// decision at the migration under rules 9 (`why` says it is new and in the flow ahead, with
    /// the values read); under 8 it had none. One it adds behind the deal gets none.
    @Test func aNodeTheNewVersionAddsAheadIsExplainedAtTheMigration() throws {
        let extra = "    kind: join\n    next: extra_check\n  - {id: extra_check, name: Extra check, owner: sales_owner, when: \"strategic\", next: signing}\n"
        var d = try Mini.deal(fields: [FieldAssignment("strategic", .boolean(true))])
        let v2 = try MiniVersion.make("1.1.0", [("    kind: join\n    next: signing\n", extra)])
        let added = try #require(v2.machine.nodes.firstIndex { $0.id == "extra_check" })
        let (moved, _) = try d.migrate(to: v2).get()
        let snapshot = try #require(moved.snapshot)
        #expect(snapshot.nodes[added].inPlan)
        let decisions = snapshot.decisions.filter { $0.node == added }
        #expect(decisions.map(\.kind) == [.projection] && decisions.first?.sequence == snapshot.sequence)
        let why = Runner.explain(v2.machine, snapshot, decisionsOf: snapshot.sequence)
        #expect(why.contains("`extra_check`, new in this version, is in the flow ahead: `strategic` is true (reads strategic = true)"), "\(why)")
        #expect(replayMatches(moved, initial: d.pm, machines: [d.pm, v2]))
        // Set false later, it leaves the flow ahead it was in.
        var later = moved
        try later.apply(.setFields([FieldAssignment("strategic", .boolean(false))]), after: hour)
        let laterWhy = Runner.explain(v2.machine, try #require(later.snapshot))
        #expect(laterWhy.contains("`extra_check` left the flow ahead: `strategic` is now false (reads strategic = false)"), "\(laterWhy)")
        // Under rules 8 (a migration logged then replays so) the node had no decision.
        let (old, _) = try d.migrate(to: v2, rules: 8).get()
        #expect(!(try #require(old.snapshot)).decisions.contains { $0.node == added })
        #expect(replayMatches(old, initial: d.pm, machines: [d.pm, v2]))
        // A node added behind the deal (before `review`; the deal is past it, at the fork) is not
        // in the flow ahead.
        var past = try Mini.pastTalks(fields: [FieldAssignment("strategic", .boolean(true))])
        try past.apply(.complete(node: "review", outcome: "approve"), by: "mia", after: hour)
        let v3 = try MiniVersion.make("1.2.0", [
            ("      - default: review\n", "      - default: extra_check\n"),
            ("  - id: review\n", "  - {id: extra_check, name: Extra check, owner: sales_owner, when: \"strategic\", next: review}\n  - id: review\n"),
        ])
        let behind = try #require(v3.machine.nodes.firstIndex { $0.id == "extra_check" })
        let (moved3, _) = try past.migrate(to: v3).get()
        #expect(moved3.active == ["legal_review", "finance_review"])
        let snapshot3 = try #require(moved3.snapshot)
        #expect(!snapshot3.decisions.contains { $0.node == behind }, "\(snapshot3.decisions)")
    }

    /// A blocked node the new version makes no longer overdue is shown as becoming active; one
    /// still overdue keeps its state, with no `becomes` (QA round 27, M7).
    @Test func aMoveSaysTheStateANodeGetsOnTheNewVersion() throws {
        var d = try Mini.deal()
        try d.apply(.tick, after: 5 * day + hour)
        let v2 = try MiniVersion.make("1.1.0", [("    due: 5d\n", "    due: 30d\n")])
        let (_, outcome) = try d.migrate(to: v2, after: minute).get()
        #expect(outcome.moves == [NodeMove(from: "talks", to: "talks", status: .blocked, becomes: .active)])
        let still = try MiniVersion.make("1.2.0", [("    due: 5d\n", "    due: 2d\n")])
        let (_, kept) = try d.migrate(to: still, after: minute).get()
        #expect(kept.moves == [NodeMove(from: "talks", to: "talks", status: .blocked)])
        // A later due date that has passed too: still blocked, since that date (rules 16; QA
        // round 43, F10); under 15 since the old one, before the node's own due date.
        let later = try MiniVersion.make("1.3.0", [("    due: 5d\n", "    due: 5d30m\n")])
        let (moved, stays) = try d.migrate(to: later, after: minute).get()
        #expect(stays.moves == [NodeMove(from: "talks", to: "talks", status: .blocked)])
        let talks = try #require(moved.node("talks"))
        let activated = try #require(talks.activatedAt)
        #expect(talks.status == .blocked && talks.dueAt == activated + 5 * day + 30 * minute)
        #expect(talks.blockedAt == talks.dueAt, "\(talks)")
        let before = try #require(d.node("talks")?.blockedAt)
        #expect(before == activated + 5 * day)
        #expect(replayMatches(moved, initial: d.pm, machines: [d.pm, later]))
        let (movedBefore, _) = try d.migrate(to: later, after: minute, rules: 15).get()
        #expect(movedBefore.node("talks")?.blockedAt == before)
        #expect(replayMatches(movedBefore, initial: d.pm, machines: [d.pm, later]))
    }

    /// A done node a mapping sends after the deal's open nodes is marked and noted (QA round 27,
    /// M5), and the deal moves; a done node the mapping keeps before the deal's open nodes (one
    /// a rejection loops back to, so after them too) is not.
    @Test func aDoneNodeMappedAheadOfTheDealIsNoted() throws {
        var d = try Mini.pastTalks()
        #expect(d.active == ["review"])
        let v2 = try MiniVersion.make("1.1.0")
        let (moved, outcome) = try d.migrate(to: v2, map: [NodeMapping("talks", "signing")]).get()
        #expect(outcome.moves.first == NodeMove(from: "talks", to: "signing", status: .done, aheadOf: ["review"]))
        #expect(outcome.notes.contains("`signing` is done (as `talks`), but the new version puts it after `review`, where the deal is: it shows done ahead of the deal until the deal gets there, and is entered again then; if the mapping is a slip, map `talks` to the node it became (`--map talks=NODE`)"), "\(outcome.notes)")
        #expect(moved.node("signing")?.status == .done)
        // Renamed, or kept, talks comes before review (and after it too: a rejection goes back
        // to it), as it did: not ahead of the deal.
        let renamed = try MiniVersion.make("2.0.0", renameTalks: true)
        let (_, rename) = try d.migrate(to: renamed, map: [NodeMapping("talks", "first_talks")]).get()
        #expect(rename.moves.allSatisfy { $0.aheadOf == nil } && rename.notes.isEmpty, "\(rename)")
        let (_, loop) = try d.migrate(to: v2).get()
        #expect(loop.moves.allSatisfy { $0.aheadOf == nil } && loop.notes.isEmpty, "\(loop)")
    }

    @Test func theDealGoesOnOnTheNewMachineAndStillReplays() throws {
        var d = try Mini.atFork()
        let old = d.pm
        let v2 = try MiniVersion.make("2.0.0", renameTalks: true)
        var (moved, _) = try d.migrate(to: v2, map: [NodeMapping("talks", "first_talks")]).get()
        try moved.apply(.complete(node: "legal_review", outcome: nil), by: "lee", after: hour)
        try moved.apply(.complete(node: "finance_review", outcome: nil), by: "fay", after: hour)
        #expect(moved.active == ["signing"])
        try moved.apply(.rework(node: "signing", target: "first_talks", reason: "报价有误"), by: "alice", after: hour)
        #expect(moved.active == ["first_talks"])
        #expect(replayMatches(moved, initial: old, machines: [old, v2]))
        // Without the target machine the log does not replay: FC1162 at the migrate event.
        let missing = Runner.replay(old, events: moved.log.map(\.0), contexts: moved.log.map(\.1)) { _ in nil }
        #expect(missing.failure?.refusal.code == "FC1162")
        #expect(missing.failure?.eventID == moved.log.first { if case .migrate = $0.0.action { true } else { false } }?.0.id)
    }

    @Test func aRenamedActiveNodeNeedsAMappingAndItsDueDateFollowsTheNewVersion() throws {
        var d = try Mini.deal()
        let activated = try #require(d.node("talks")?.activatedAt)
        let v2 = try MiniVersion.make("2.0.0", [("    due: 5d\n", "    due: 8d\n")], renameTalks: true)
        let refusal = try d.migrate(to: v2).failure
        #expect(refusal?.code == "FC1166")
        #expect(refusal?.message == "node `talks` is active and does not exist in the new version: map it to a node of the new version (`--map talks=NODE`)")
        let (moved, outcome) = try d.migrate(to: v2, map: [NodeMapping("talks", "first_talks")]).get()
        #expect(moved.active == ["first_talks"])
        #expect(outcome.moves == [NodeMove(from: "talks", to: "first_talks", status: .active)])
        let node = try #require(moved.node("first_talks"))
        #expect(node.activatedAt == activated)
        #expect(node.dueAt == activated + 8 * day)
        #expect(Runner.nextTimer(v2, moved.snapshot!) == activated + 7 * day)   // the idle warning (7d) comes first
        #expect(Runner.pendingTimers(v2, moved.snapshot!).contains { $0.kind == .due && $0.at == activated + 8 * day })
    }

    @Test func aBlockedNodeIsOpenAgainWhenTheNewDueDateIsLater() throws {
        var d = try Mini.deal()
        try d.apply(.tick, after: 5 * day + hour)
        #expect(d.node("talks")?.status == .blocked)
        let v2 = try MiniVersion.make("1.1.0", [("    due: 5d\n", "    due: 30d\n")])
        let (moved, _) = try d.migrate(to: v2, after: minute).get()
        #expect(moved.node("talks")?.status == .active)
        #expect(moved.node("talks")?.blockedAt == nil)
        let still = try MiniVersion.make("1.2.0", [("    due: 5d\n", "    due: 2d\n")])
        let (kept, _) = try d.migrate(to: still, after: minute).get()
        #expect(kept.node("talks")?.status == .blocked)
        #expect(kept.node("talks")?.dueAt == kept.node("talks")!.activatedAt! + 2 * day)
    }

    /// The version a deal inside the contract fork moves to gives the fork a third branch:
    /// nothing could start it, so the join would wait for ever. Refused (FC1178), under rules 3;
    /// a log written under rules 2 still replays as it was. Once past the join, the deal moves.
    static let thirdBranch: [(String, String)] = [
        ("branches: [legal_review, finance_review]", "branches: [legal_review, finance_review, compliance_review]"),
        ("  - id: review_done\n", "  - id: compliance_review\n    name: Compliance review\n    owner: legal\n    next: review_done\n  - id: review_done\n"),
    ]

    /// A deal inside a fork whose done branch node the new version puts into another branch,
    /// one still under way (QA round 32, R5: three parallel reviews made two, the compliance
    /// review now after the legal one). The join counts its arrivals again on the new version, a
    /// branch having arrived when none of its nodes is open: it waits for the legal branch. Under
    /// rules 9 it kept the compliance review's arrival, released when finance arrived, and the
    /// deal was at signing with the legal review still open; such a log replays as it was.
    @Test func aJoinCountsItsBranchesAgainWhenADoneNodeMovesIntoAnOpenBranch() throws {
        let v15 = try MiniVersion.make("1.5.0", Self.thirdBranch)
        let v2 = try MiniVersion.make("2.0.0", [
            ("  - id: review_done\n", "  - id: compliance_review\n    name: Compliance review\n    owner: legal\n    next: review_done\n  - id: review_done\n"),
            ("    rework: [talks]\n    next: review_done\n", "    rework: [talks]\n    next: compliance_review\n"),
        ])
        var d = Deal(v15)
        try d.apply(.create(dealID: "deal-1", owner: "alice", fields: [FieldAssignment("customer_name", .text("星辰科技"))], members: Mini.members),
                    by: "alice")
        try d.apply(.setFields([FieldAssignment("quote", money(100)), FieldAssignment("cost", money(50))]), by: "alice")
        try d.finish("talks", by: "alice", after: hour)
        try d.apply(.complete(node: "review", outcome: "approve"), by: "mia", after: hour)
        try d.apply(.complete(node: "compliance_review", outcome: nil), by: "lee", after: hour)
        #expect(d.node("review_done")?.status == .waiting && d.node("review_done")?.arrivals == 1)

        var (moved, outcome) = try d.migrate(to: v2).get()
        // Neither branch has arrived: legal is under way (its compliance review done ahead of
        // it), and so is finance.
        #expect(moved.node("review_done")?.status == .pending && moved.node("review_done")?.arrivals == 0)
        #expect(outcome.snapshot.openNodes.map { v2.machine.nodes[$0].id } == ["legal_review", "finance_review"])
        try moved.apply(.complete(node: "finance_review", outcome: nil), by: "fay", after: hour)
        #expect(moved.active == ["legal_review"], "the join waits for the legal branch")
        #expect(moved.node("review_done")?.status == .waiting && moved.node("review_done")?.arrivals == 1)
        try moved.apply(.complete(node: "legal_review", outcome: nil), by: "lee", after: hour)
        #expect(moved.active == ["compliance_review"])
        try moved.apply(.complete(node: "compliance_review", outcome: nil), by: "lee", after: hour)
        #expect(moved.active == ["signing"])
        #expect(moved.node("review_done")?.entries == 1)
        #expect(replayMatches(moved, initial: v15, machines: [v15, v2]))

        // Under rules 9 the join kept its count and released with the legal branch open; the
        // log replays so.
        var (old, _) = try d.migrate(to: v2, rules: 9).get()
        #expect(old.node("review_done")?.arrivals == 1)
        try old.apply(.complete(node: "finance_review", outcome: nil), by: "fay", after: hour)
        #expect(Set(old.active) == ["legal_review", "signing"])
        #expect(replayMatches(old, initial: v15, machines: [v15, v2]))
    }

    /// Two forks in a row, and a deal inside the second (x0 done; x and y open), with the same
    /// template as 1.1.0 to migrate to.
    static func insideSecondFork() throws -> (deal: Deal, next: PreparedMachine) {
        let text = """
            flowc: 1
            template: {id: two, version: 1.0.0, name: Two}
            roles: {o: {name: O, owner: true}}
            nodes:
              - {id: talks, name: Talks, owner: o, next: f}
              - {id: f, name: F, kind: fork, branches: [a, b], join: j}
              - {id: a, name: A, owner: o, next: j}
              - {id: b, name: B, owner: o, next: j}
              - {id: j, name: J, kind: join, next: g}
              - {id: g, name: G, kind: fork, branches: [x0, y], join: k}
              - {id: x0, name: X0, owner: o, next: x}
              - {id: x, name: X, owner: o, next: k}
              - {id: y, name: Y, owner: o, on_enter: [{notify: {to: [owner], message: "y entered"}}], next: k}
              - {id: k, name: K, kind: join, next: sign}
              - {id: sign, name: Sign, owner: o, next: won}
              - {id: won, name: Won, kind: won}
            """
        var d = Deal(try machine(yaml: text))
        try d.apply(.create(dealID: "d", owner: "o", fields: [], members: []), by: "o")
        for node in ["talks", "a", "b", "x0"] { try d.apply(.complete(node: node, outcome: nil), by: "o", after: hour) }
        return (d, try machine(yaml: text.replacingOccurrences(of: "version: 1.0.0", with: "version: 1.1.0")))
    }

    /// A mapping that leaves one open node after another on the new version: the deal would
    /// enter the later one again, still open, when it leaves the earlier one (QA round 33, Q1: a
    /// review's `on_enter` went out twice; Q2: an open branch node mapped past its join left the
    /// join waiting for ever). Refused, FC1182 (rules 12); branch nodes before their waiting
    /// join are the deal's normal place. Under rules 11 such a deal moved, and its log replays so.
    @Test func aDealWhoseOpenNodesWouldComeOneAfterAnotherIsRefused() throws {
        var (d, next) = try Self.insideSecondFork()
        #expect(d.active == ["x", "y"])
        // An open node moved back before a fork whose other branch stays open.
        let back = try d.migrate(to: next, map: [NodeMapping("x", "a")]).failure
        #expect(back?.code == "FC1182")
        #expect(back?.message == "node `y` (active) would come after `a` (from `x`, active), both open on the new version: the deal would enter `y` again when it leaves `a`; check the mapping `--map x=a`, or migrate the deal once it has left `a`", "\(back?.message ?? "")")
        // An open branch node moved past its join.
        let past = try d.migrate(to: next, map: [NodeMapping("x", "sign")]).failure
        #expect(past?.code == "FC1182")
        #expect(past?.message == "node `sign` (from `x`, active) would come after `y` (active), both open on the new version: the deal would enter `sign` again when it leaves `y`; check the mapping `--map x=sign`, or migrate the deal once it has left `y`", "\(past?.message ?? "")")
        // Without a mapping the deal moves, inside its second fork, its join after its branches.
        try d.apply(.complete(node: "x", outcome: nil), by: "o", after: hour)
        #expect(d.node("k")?.status == .waiting)
        let (moved, _) = try d.migrate(to: next).get()
        #expect(moved.active == ["y"] && moved.node("k")?.status == .waiting)
        // Under rules 11 the mapping moved it back, and the log replays so.
        var (before, _) = try Self.insideSecondFork()
        var (old, _) = try before.migrate(to: next, map: [NodeMapping("x", "a")], rules: 11).get()
        #expect(old.active == ["a", "y"])
        #expect(replayMatches(old, initial: before.pm, machines: [before.pm, next]))
        try old.apply(.complete(node: "a", outcome: nil), by: "o", after: hour)
        #expect(old.node("y")?.entries == 2, "entered twice, as it was")
    }

    /// "After" follows the transitions that lead forward: a branch whose approval can send the
    /// deal back before the fork does not put the other branch after it, so a deal inside the
    /// fork moves (QA round 34, S1: refused FC1182 with nothing mapped).
    @Test func aBranchThatCanGoBackBeforeItsForkIsNotBeforeTheOtherBranch() throws {
        let text = """
            flowc: 1
            template: {id: back, version: 1.0.0, name: Back}
            roles: {o: {name: O, owner: true}}
            nodes:
              - {id: talks, name: Talks, owner: o, next: f}
              - {id: f, name: F, kind: fork, branches: [a, b], join: j}
              - {id: a, name: A, owner: o, next: ap}
              - {id: ap, name: AP, kind: approval, owner: o, outcomes: {ok: j, redo: talks}}
              - {id: b, name: B, owner: o, next: j}
              - {id: j, name: J, kind: join, next: won}
              - {id: won, name: Won, kind: won}
            """
        var d = Deal(try machine(yaml: text))
        try d.apply(.create(dealID: "d", owner: "o", fields: [], members: []), by: "o")
        try d.apply(.complete(node: "talks", outcome: nil), by: "o", after: hour)
        #expect(d.active == ["a", "b"])
        let next = try machine(yaml: text.replacingOccurrences(of: "version: 1.0.0", with: "version: 1.1.0"))
        #expect(try d.migrate(to: next).failure == nil)
        try d.apply(.complete(node: "a", outcome: nil), by: "o", after: hour)
        #expect(try d.migrate(to: next).failure == nil, "at the approval, the other branch open")
    }

    @Test func aDealInsideAForkIsRefusedWhenTheForkGainsABranch() throws {
        var d = try Mini.atFork()
        try d.apply(.complete(node: "legal_review", outcome: nil), by: "lee", after: hour)
        #expect(d.node("review_done")?.status == .waiting)
        let v2 = try MiniVersion.make("2.0.0", Self.thirdBranch)
        let refusal = try d.migrate(to: v2).failure
        #expect(refusal?.code == "FC1178")
        #expect(refusal?.message == "the deal is inside fork `contract_review`; on the new version its branch `compliance_review` has no node the deal reached (new, or mapped elsewhere): join `review_done` would wait for ever")

        // Two branches new: both named, in one run (QA round 36, C12).
        let v3 = try MiniVersion.make("3.0.0", [
            ("branches: [legal_review, finance_review]", "branches: [legal_review, finance_review, compliance_review, tax_review]"),
            ("  - id: review_done\n", "  - id: compliance_review\n    name: Compliance review\n    owner: legal\n    next: review_done\n"
                + "  - id: tax_review\n    name: Tax review\n    owner: finance\n    next: review_done\n  - id: review_done\n"),
        ])
        #expect(try d.migrate(to: v3).failure?.message == "the deal is inside fork `contract_review`; on the new version its branches `compliance_review`, `tax_review` have no node the deal reached (new, or mapped elsewhere): join `review_done` would wait for ever")

        // The same before any branch arrived (the join still pending).
        var fresh = try Mini.atFork()
        #expect(try fresh.migrate(to: v2).failure?.code == "FC1178")

        // Mapping the active branch onto the new one leaves no branch unentered... but `finance_review`
        // would then be the unentered one: still refused, naming it.
        let mapped = try d.migrate(to: v2, map: [NodeMapping("finance_review", "compliance_review")]).failure
        #expect(mapped?.message.contains("its branch `finance_review` has no node the deal reached") == true)

        // Past the join, the new branch is ahead of nothing: the deal moves.
        try d.apply(.complete(node: "finance_review", outcome: nil), by: "fay", after: hour)
        #expect(d.node("review_done")?.status == .done)
        #expect(try d.migrate(to: v2).failure == nil)
    }

    /// A deal lost from inside a fork (its branches closed, its join back to pending) will never
    /// reach the join: a version that gives the fork a branch moves it, and the join stays
    /// pending (rules 14; QA round 34, S4). Under rules 10 to 13 the migration counted the closed
    /// branches as arrived, set the join waiting, and refused such a version (FC1178); a
    /// same-version move under those rules replays as it was.
    @Test func aDealLostFromInsideAForkIsNotInsideItForAMigration() throws {
        var d = try Mini.atFork()
        try d.apply(.complete(node: "legal_review", outcome: nil), by: "lee", after: hour)
        #expect(d.node("review_done")?.status == .waiting)
        try d.apply(.lose(reason: "price"), by: "alice", after: hour)
        #expect(d.active == ["loss_review"])
        #expect(d.node("review_done")?.status == .pending && d.node("review_done")?.arrivals == 0)

        let v2 = try MiniVersion.make("2.0.0", Self.thirdBranch)
        var (moved, _) = try d.migrate(to: v2).get()
        #expect(moved.active == ["loss_review"])
        #expect(moved.node("review_done")?.status == .pending && moved.node("review_done")?.arrivals == 0)
        #expect(moved.node("compliance_review")?.status == .pending)
        try moved.apply(.setFields([FieldAssignment("notes", .text("too dear"))]), by: "alice", after: hour)
        try moved.apply(.complete(node: "loss_review", outcome: nil), by: "alice", after: hour)
        #expect(moved.snapshot?.status == .lost)
        #expect(replayMatches(moved, initial: d.pm, machines: [d.pm, v2]))

        // Under rules 13 the same version was refused, and a same-version move set the join waiting.
        #expect(try d.migrate(to: v2, rules: 13).failure?.code == "FC1178")
        let same = try MiniVersion.make("1.0.1")
        let (old, _) = try d.migrate(to: same, rules: 13).get()
        #expect(old.node("review_done")?.status == .waiting && old.node("review_done")?.arrivals == 1)
        #expect(replayMatches(old, initial: d.pm, machines: [d.pm, same]))
        let (now, _) = try d.migrate(to: same).get()
        #expect(now.node("review_done")?.status == .pending && now.node("review_done")?.arrivals == 0)
    }

    /// The version puts the node the deal works on inside a branch of a fork the deal has not
    /// entered (a review step made one of two parallel ones): nothing would start the other
    /// branch, and the join would wait for ever. Refused (FC1179) under rules 6; a log written
    /// under rules 5 still replays as it was. A deal past the new fork moves.
    static let newForkAroundTalks: [(String, String)] = [
        ("  - id: talks\n", """
          - id: lead
            name: Lead
            owner: sales_owner
            next: intro
          - id: intro
            name: Intro
            kind: fork
            branches: [talks, intro_call]
            join: intro_done
          - id: talks

        """),
        ("""
            next:
              - if: "quote < cost"
                to: audit_check
              - default: review

        """, """
            next: intro_done
          - id: intro_call
            name: Intro call
            owner: presales
            next: intro_done
          - id: intro_done
            name: Intro done
            kind: join
            next:
              - if: "quote < cost"
                to: audit_check
              - default: review

        """),
    ]

    @Test func aDealIsRefusedWhenItsNodeWouldBeInsideAForkItHasNotEntered() throws {
        var d = try Mini.deal()
        let v2 = try MiniVersion.make("2.0.0", Self.newForkAroundTalks)
        let refusal = try d.migrate(to: v2).failure
        #expect(refusal?.code == "FC1179")
        #expect(refusal?.message == "node `talks` is active and would be `talks`, inside fork `intro`, which the deal has not entered: its join `intro_done` would wait for ever; map `talks` onto a node before fork `intro` (`--map talks=NODE`), or migrate the deal once it has moved past `talks`")
        // Under rules 5 it moved, and its log replays so.
        let s = try #require(d.snapshot)
        let e = DealEvent(id: "m1", at: d.time + hour, .migrate(from: s.machineHash, to: v2.machine.template.hash, map: []))
        let old = StepContext(now: e.at, rules: 5)
        let outcome = try Runner.migrate(from: d.pm, to: v2, s, e, context: old).get()
        let replayed = Runner.replay(d.pm, events: d.log.map(\.0) + [e], contexts: d.log.map(\.1) + [old]) {
            $0 == v2.machine.template.hash ? v2 : nil
        }
        #expect(try replayed.get().snapshot == outcome.snapshot)
        // Past the new fork's join (at the review), the deal moves; `talks` is done there.
        try d.apply(.setFields([FieldAssignment("quote", money(100)), FieldAssignment("cost", money(50))]), by: "alice")
        try d.finish("talks", by: "alice", after: hour)
        #expect(d.active == ["review"])
        let (moved, _) = try d.migrate(to: v2).get()
        #expect(moved.active == ["review"])
    }

    /// A migration logged under rules 2 (before FC1178) replays as it was: the stuck deal folds
    /// to its stored snapshot.
    @Test func aForkMigrationLoggedUnderRules2StillReplays() throws {
        let d = try Mini.atFork()
        let v2 = try MiniVersion.make("2.0.0", Self.thirdBranch)
        let s = try #require(d.snapshot)
        let e = DealEvent(id: "m1", at: d.time + hour, .migrate(from: s.machineHash, to: v2.machine.template.hash, map: []))
        let old = StepContext(now: e.at, rules: 2)
        let outcome = try Runner.migrate(from: d.pm, to: v2, s, e, context: old).get()
        #expect(outcome.snapshot.nodes.count == v2.machine.nodes.count)
        let replayed = Runner.replay(d.pm, events: d.log.map(\.0) + [e], contexts: d.log.map(\.1) + [old]) {
            $0 == v2.machine.template.hash ? v2 : nil
        }
        #expect(try replayed.get().snapshot == outcome.snapshot)
        #expect(Runner.migrate(from: d.pm, to: v2, s, e, context: StepContext(now: e.at)).failure?.code == "FC1178")
    }

    /// Every reason a migration refuses a deal, for a report that lists them all: each node
    /// without a counterpart, each field value refused; the mapping's own problem alone.
    @Test func everyProblemOfARefusedMigrationIsListed() throws {
        var d = try Mini.deal()
        try d.apply(.setFields([FieldAssignment("headcount", .integer(7))]))
        let v2 = try MiniVersion.make("2.0.0", [("headcount: {type: integer, min: 0, max: 100000}", "headcount: {type: boolean}")], renameTalks: true)
        let s = try #require(d.snapshot)
        let problems = Runner.migrationProblems(from: d.pm, to: v2, s, map: [])
        #expect(problems.map(\.code) == ["FC1166", "FC1170"])
        #expect(try d.migrate(to: v2).failure == problems.first)
        #expect(Runner.migrationProblems(from: d.pm, to: v2, s, map: [NodeMapping("talks", "nowhere")]).map(\.code) == ["FC1167"])
        let v11 = try MiniVersion.make("1.1.0")
        #expect(Runner.migrationProblems(from: d.pm, to: v11, s, map: []).isEmpty)
    }

    @Test func mappingsAreChecked() throws {
        var d = try Mini.deal()
        let v2 = try MiniVersion.make("2.0.0", renameTalks: true)
        let unknown = try d.migrate(to: v2, map: [NodeMapping("talks", "frist_talks")]).failure
        #expect(unknown?.code == "FC1167")
        #expect(unknown?.message == "the mapping sends `talks` to `frist_talks`, which is not a node of the new version (did you mean `first_talks`?)")
        #expect(try d.migrate(to: v2, map: [NodeMapping("talks", "first_talks"), NodeMapping("talks", "review")]).failure?.code == "FC1168")
        let join = try d.migrate(to: v2, map: [NodeMapping("talks", "review_done")]).failure
        #expect(join?.code == "FC1169")
        #expect(join?.message == "node `talks` is active, but would move to `review_done`, a join node, which cannot be active")
    }

    /// A done node cannot become an end node of an open deal (the deal would read as won or
    /// lost while it is open), nor a join unless it was one (a done join means every branch
    /// arrived): FC1169, naming both kinds. A done join still moves onto a join.
    @Test func aDoneNodeIsRefusedOnAnEndOrAJoin() throws {
        var d = try Mini.atFork()
        #expect(d.node("talks")?.status == .done)
        let v2 = try MiniVersion.make("2.0.0", renameTalks: true)
        let won = try d.migrate(to: v2, map: [NodeMapping("talks", "won")]).failure
        #expect(won?.code == "FC1169")
        #expect(won?.message == "node `talks` is done, but would move to `won`, a won node, which cannot be done while the deal is open: a won node is done only once the deal is won")
        #expect(try d.migrate(to: v2, map: [NodeMapping("talks", "lost")]).failure?.code == "FC1169")
        let join = try d.migrate(to: v2, map: [NodeMapping("talks", "review_done")]).failure
        #expect(join?.code == "FC1169")
        #expect(join?.message == "node `talks` is done, but would move to `review_done`, a join node, which cannot be done coming from a task node: a join is done only once all its branches have arrived")
        let fork = try d.migrate(to: v2, map: [NodeMapping("talks", "first_talks"), NodeMapping("contract_review", "review_done")]).failure
        #expect(fork?.message.hasSuffix("which cannot be done coming from a fork node: a join is done only once all its branches have arrived") == true)

        // Past the join: the done join is renamed onto the new version's join.
        try d.apply(.complete(node: "legal_review", outcome: nil), by: "lee", after: hour)
        try d.apply(.complete(node: "finance_review", outcome: nil), by: "fay", after: hour)
        #expect(d.node("review_done")?.status == .done)
        let v3 = try MiniVersion.make("3.0.0", [("join: review_done", "join: reviews_joined"), ("next: review_done", "next: reviews_joined"),
                                                ("  - id: review_done\n", "  - id: reviews_joined\n")])
        let (moved, outcome) = try d.migrate(to: v3, map: [NodeMapping("review_done", "reviews_joined")]).get()
        #expect(outcome.moves.contains(NodeMove(from: "review_done", to: "reviews_joined", status: .done)))
        #expect(moved.active == ["signing"])
    }

    @Test func mergedNodesKeepTheOpenState() throws {
        var d = try Mini.pastTalks()
        #expect(d.active == ["review"])
        // talks (done) and review (active) become one node.
        let v11 = try MiniVersion.make("1.1.0")
        let (moved, outcome) = try d.migrate(to: v11, map: [NodeMapping("talks", "review")]).get()
        #expect(moved.node("review")?.status == .active)
        #expect(moved.node("review")?.entries == 2)
        #expect(moved.node("talks")?.status == .pending)
        #expect(outcome.notes.contains("nodes `talks` (done) and `review` (active) merge into `review`, which keeps the state of `review`"))
    }

    /// Every problem of where the nodes land is listed, each check on its own, so that a report
    /// shows them in one run (QA round 36, C12: a deal refused FC1178 showed its FC1182 only in the
    /// run after the first was fixed). The migration itself is refused for the first.
    @Test func everyProblemOfWhereTheNodesLandIsListed() throws {
        var d = try Mini.atFork()
        let v15 = try MiniVersion.make("1.5.0", Self.thirdBranch)
        let map = [NodeMapping("finance_review", "signing")]
        let s = try #require(d.snapshot)
        let problems = Runner.migrationProblems(from: d.pm, to: v15, s, map: map)
        #expect(problems.map(\.code) == ["FC1178", "FC1182"], "\(problems.map(\.message))")
        #expect(problems.last?.message.hasPrefix("node `signing` (from `finance_review`, active) would come after `legal_review` (active)") == true,
                "\(problems.map(\.message))")
        #expect(try d.migrate(to: v15, map: map).failure == problems.first)
        // A deal whose nodes land well has none.
        try d.apply(.complete(node: "legal_review", outcome: nil), by: "lee", after: hour)
        try d.apply(.complete(node: "finance_review", outcome: nil), by: "fay", after: hour)
        #expect(Runner.migrationProblems(from: d.pm, to: v15, try #require(d.snapshot), map: []).isEmpty)
    }

    /// Inside a fork, merging one branch into another leaves the merged branch unentered on the
    /// new version (its join would wait for it): refused, FC1178, naming that branch.
    @Test func mergingBranchesOfAForkTheDealIsInsideIsRefused() throws {
        var d = try Mini.atFork()
        try d.apply(.complete(node: "legal_review", outcome: nil), by: "lee", after: hour)
        #expect(d.node("review_done")?.status == .waiting)
        let v11 = try MiniVersion.make("1.1.0")
        let refusal = try d.migrate(to: v11, map: [NodeMapping("legal_review", "finance_review")]).failure
        #expect(refusal?.code == "FC1178")
        #expect(refusal?.message.contains("its branch `legal_review` has no node the deal reached (new, or mapped elsewhere)") == true)
    }

    /// A fork and its join merged into one task (QA round 27, M3): with one branch done, the
    /// join waiting and the other branch open, the merged task keeps the open branch's state,
    /// which a task can hold, so the deal moves (rules 8); under rules 7 the waiting join was
    /// checked alone and the deal refused (FC1169). A merge whose kept state the task cannot
    /// hold (the join waiting, every other merged node done) is still refused.
    @Test func aForkMergedIntoOneTaskIsCheckedByTheStateItKeeps() throws {
        var d = try Mini.atFork()
        try d.apply(.complete(node: "legal_review", outcome: nil), by: "lee", after: hour)
        #expect(d.node("review_done")?.status == .waiting)
        #expect(d.node("finance_review")?.status == .active)
        // 2.0.0: the fork, its branches and its join are one task, `contracts`.
        let v2 = try MiniVersion.make("2.0.0", [
            ("outcomes: {approve: contract_review, reject: talks}", "outcomes: {approve: contracts, reject: talks}"),
            ("""
              - id: contract_review
                name: Contract review
                kind: fork
                branches: [legal_review, finance_review]
                join: review_done
              - id: legal_review
                name: Legal review
                owner: legal
                probability: 70
                rework: [talks]
                next: review_done
              - id: finance_review
                name: Finance review
                owner: finance
                probability: 60
                on_enter:
                  - requirement: {team: finance_ops, title: "credit check {customer_name}", assignee_role: finance}
                next: review_done
              - id: review_done
                name: Review done
                kind: join
                next: signing
            """, """
              - id: contracts
                name: Contracts
                owner: legal
                next: signing
            """),
        ])
        let all = ["contract_review", "legal_review", "finance_review", "review_done"].map { NodeMapping($0, "contracts") }
        let (moved, outcome) = try d.migrate(to: v2, map: all).get()
        #expect(moved.node("contracts")?.status == .active)
        #expect(moved.active == ["contracts"])
        #expect(outcome.moves.contains(NodeMove(from: "review_done", to: "contracts", status: .waiting)))
        // One note for the whole merge, naming every node and the state kept (QA round 36, C14:
        // a note per pair, the first naming a state the merge did not keep).
        #expect(outcome.notes.filter { $0.contains("merge into") } == ["nodes `contract_review` (done), `legal_review` (done), `finance_review` (active) and `review_done` (waiting) merge into `contracts`, which keeps the state of `finance_review`"], "\(outcome.notes)")
        #expect(replayMatches(moved, initial: d.pm, machines: [d.pm, v2]))
        // The deal goes on from the merged task.
        var next = moved
        try next.apply(.complete(node: "contracts", outcome: nil), by: "lee", after: hour)
        #expect(next.active == ["signing"])

        // Under rules 7 the same migration is refused, as it was.
        let s = try #require(d.snapshot)
        let event = DealEvent(id: "m7", at: d.time + hour, .migrate(from: s.machineHash, to: v2.machine.template.hash, map: all))
        let old = Runner.migrate(from: d.pm, to: v2, s, event, context: StepContext(now: event.at, rules: 7)).failure
        #expect(old?.code == "FC1169")
        #expect(old?.message == "node `review_done` is waiting, but would move to `contracts`, a task node, which cannot be waiting")
        #expect(Runner.migrationProblems(from: d.pm, to: v2, s, map: all, rules: 7).map(\.code) == ["FC1169"])
        #expect(Runner.migrationProblems(from: d.pm, to: v2, s, map: all).isEmpty)

        // The kept state is checked: the join waiting and the done branch onto the task, the
        // open branch elsewhere, leaves a waiting task: refused.
        let waiting = try d.migrate(to: v2, map: [NodeMapping("contract_review", "contracts"), NodeMapping("legal_review", "contracts"),
                                                  NodeMapping("review_done", "contracts"), NodeMapping("finance_review", "signing")]).failure
        #expect(waiting?.code == "FC1169")
        #expect(waiting?.message == "node `review_done` is waiting, but would move to `contracts`, a task node, which cannot be waiting")
    }

    @Test func fieldsAreMatchedByIDAndAnIncompatibleValueRefusesTheDeal() throws {
        var d = try Mini.deal(fields: [FieldAssignment("headcount", .integer(120)), FieldAssignment("notes", .text("首次拜访"))])
        let textual = try MiniVersion.make("2.0.0", [("headcount: {type: integer, min: 0, max: 100000}", "headcount: {type: text}")])
        let wrong = try d.migrate(to: textual).failure
        #expect(wrong?.code == "FC1170")
        #expect(wrong?.message.hasPrefix("field `headcount` holds 120, which the new version refuses:") == true)
        // What to do, in the message (QA round 19: said only by `flowc explain FC1170`).
        #expect(wrong?.message.hasSuffix("; set `headcount` to a value the new version takes (or to null) on this deal, then migrate it again") == true, "\(wrong?.message ?? "")")
        let narrower = try MiniVersion.make("2.0.1", [("headcount: {type: integer, min: 0, max: 100000}", "headcount: {type: integer, min: 0, max: 100}")])
        #expect(try d.migrate(to: narrower).failure?.code == "FC1170")
        // A removed field is dropped with a note; a new field gets its default.
        let removed = try MiniVersion.make("2.1.0", [("  notes: {type: text}\n", "  region: {type: text, default: 华东}\n"),
                                                     ("    requires: [notes]\n", "")])
        let (moved, outcome) = try d.migrate(to: removed).get()
        #expect(outcome.notes.contains("field `notes` is not in the new version: its value 首次拜访 is dropped (it stays in the log)"))
        #expect(moved.field("region") == .text("华东"))
        #expect(moved.field("headcount") == .integer(120))
    }

    /// A ticked deliverable the mapped node does not have is dropped with a note, as a forgotten
    /// outcome is (QA round 41, M3: a split node lost the tick without a word).
    @Test func aTickedDeliverableTheNewNodeLacksIsNoted() throws {
        var d = try Mini.deal()
        try d.apply(.tickDeliverable(node: "talks", deliverable: "visit_record", done: true))
        let v2 = try MiniVersion.make("2.0.0", [("    deliverables: [visit_record]\n", "    deliverables: [call_record]\n")])
        let (moved, outcome) = try d.migrate(to: v2).get()
        #expect(outcome.notes.contains("deliverable `visit_record` of node `talks` is done, and `talks` has no such deliverable in the new version: the tick is dropped (it stays in the log)"), "\(outcome.notes)")
        #expect(moved.snapshot?.nodes.first?.deliverables == [false])
        // A deliverable the new node has too moves without a note.
        let same = try MiniVersion.make("2.0.1", [("    deliverables: [visit_record]\n", "    deliverables: [call_record, visit_record]\n")])
        let (kept, quiet) = try d.migrate(to: same).get()
        #expect(!quiet.notes.contains { $0.hasPrefix("deliverable") }, "\(quiet.notes)")
        #expect(kept.snapshot?.nodes.first?.deliverables == [false, true])
    }

    /// A chat kept by a migration follows the roles it was made with; when the new version's
    /// `group_chat` there lists others, a note says so (QA round 41, M1: people added to a role
    /// the company took out of the chat were still added, with no word of it).
    @Test func aKeptChatWhoseRolesTheNewVersionChangedIsNoted() throws {
        var d = try Mini.deal()
        let v2 = try MiniVersion.make("2.0.0", [("roles: [sales_owner, presales, legal]", "roles: [sales_owner, presales, finance]")])
        let (moved, outcome) = try d.migrate(to: v2).get()
        let chat = try #require(moved.snapshot?.groupChats.first)
        #expect(outcome.notes.contains("group chat `\(chat.chatID)` keeps following the roles it was made with, `sales_owner`, `presales`, `legal`, where the new version's `group_chat` lists `sales_owner`, `presales`, `finance`: a person added later to `finance` is not added to the chat, and one added to `legal` still is"), "\(outcome.notes)")
        // The same roles: no note.
        let same = try MiniVersion.make("2.0.1", [("version: 2.0.1", "version: 2.0.1")])
        let (_, quiet) = try d.migrate(to: same).get()
        #expect(!quiet.notes.contains { $0.contains("keeps following") }, "\(quiet.notes)")
    }

    /// A node the new version puts before where the deal is (half of a split node) is noted:
    /// the deal does not pass it (QA round 41, M2, M3).
    @Test func aNodeAddedBehindTheDealIsNoted() throws {
        var d = try Mini.deal()
        try d.apply(.tickDeliverable(node: "talks", deliverable: "visit_record", done: true))
        try d.apply(.setFields([FieldAssignment("quote", money(100)), FieldAssignment("cost", money(50))]), by: "alice")
        try d.finish("talks", by: "alice", after: hour)
        let open = try #require(d.snapshot).nodes.indices.filter { try! #require(d.snapshot).nodes[$0].status == .active }.map { d.pm.machine.nodes[$0].id }
        let v2 = try MiniVersion.make("2.0.0", [("    next:\n      - if: \"quote < cost\"", "    next: prep\n  - id: prep\n    name: Prep\n    owner: sales_owner\n    next:\n      - if: \"quote < cost\"")])
        let (_, outcome) = try d.migrate(to: v2).get()
        #expect(outcome.notes.contains("node `prep` is new in this version and comes before \(open.map { "`\($0)`" }.joined(separator: ", ")), where the deal is: the deal does not pass it, and it stays pending unless the deal is sent back before it"), "\(outcome.notes)")
        // A node added ahead of the deal is not.
        var fresh = try Mini.deal()
        let (_, ahead) = try fresh.migrate(to: v2).get()
        #expect(!ahead.notes.contains { $0.hasPrefix("node `prep`") }, "\(ahead.notes)")
    }

    /// An idle warning a migration made due at once is explained so, as an idle return made due
    /// at once is (QA round 41, M5: `why` gave the warning's time, six days after the status
    /// change under a five-day warning, and no reason).
    @Test func anIdleWarningAMigrationMadeDueIsExplained() throws {
        var d = try Mini.deal()
        let start = try #require(d.snapshot).lastStatusChangeAt
        let v2 = try MiniVersion.make("2.0.0", [("warn: 7d", "warn: 5d")])
        let (moved, _) = try d.migrate(to: v2, after: 6 * day).get()
        var next = moved
        try next.apply(.tick, after: hour)
        func iso(_ t: Int64) -> String { TimeText.iso(t, utcOffset: nil) }
        let snapshot = try #require(next.snapshot)
        let line = try #require(Runner.explain(next.m, snapshot).first { $0.hasPrefix("no status change since") })
        #expect(line == "no status change since \(iso(start)): idle warning at \(iso(start + 6 * day)), due at \(iso(start + 5 * day)) on the version the deal moved to: the migration made it due at once", "\(line)")
        // A warning a tick sent on time is said as before.
        var plain = try Mini.deal()
        try plain.apply(.tick, after: 7 * day + hour)
        let plainSnapshot = try #require(plain.snapshot)
        let own = try #require(Runner.explain(plain.m, plainSnapshot).first { $0.hasPrefix("no status change since") })
        #expect(!own.contains("migration"), "\(own)")
    }

    /// A node blocked before a migration shortened its `due` keeps the time it was marked
    /// blocked, after its new due date: `why` says why (QA round 41, M6).
    @Test func aBlockedNodeWhoseDueAMigrationShortenedSaysSo() throws {
        var d = try Mini.deal()
        try d.apply(.tick, after: 5 * day + hour)
        #expect(d.node("talks")?.status == .blocked)
        let v2 = try MiniVersion.make("2.0.0", [("    due: 5d\n", "    due: 3d\n")])
        let (moved, _) = try d.migrate(to: v2).get()
        let snapshot = try #require(moved.snapshot)
        let line = try #require(Runner.explain(moved.m, snapshot).first { $0.hasPrefix("node `talks`") })
        let due = try #require(moved.node("talks")?.dueAt)
        #expect(line.hasSuffix("; it was marked blocked before a migration moved its due date to \(TimeText.iso(due, utcOffset: nil)), which it is overdue from"), "\(line)")
        // A node blocked on its own due date says nothing more.
        let before = try #require(d.snapshot)
        let own = try #require(Runner.explain(d.m, before).first { $0.hasPrefix("node `talks`") })
        #expect(!own.contains("migration"), "\(own)")
    }

    @Test func rolesByIDAndTheOwnerRoleFollowsThePool() throws {
        var d = try Mini.deal()
        let v2 = try MiniVersion.make("2.0.0", [("  audit: {name: Audit}\n", "  auditor: {name: Audit}\n"), ("    owner: audit\n", "    owner: auditor\n"),
                                                ("      - bot_card: {to: [audit, sales_manager]", "      - bot_card: {to: [auditor, sales_manager]")])
        let (moved, outcome) = try d.migrate(to: v2).get()
        #expect(moved.members("sales_owner") == ["alice"])
        #expect(moved.members("presales") == ["pete"])
        #expect(moved.members("auditor").isEmpty)
        #expect(outcome.notes.contains("role `audit` is not in the new version: `ada` dropped"))
    }

    @Test func unsafeOrPointlessMigrationsAreRefusedAndChangeNothing() throws {
        var d = try Mini.lostToPool()
        let v2 = try MiniVersion.make("1.1.0")
        let closed = try d.migrate(to: v2).failure
        #expect(closed?.code == "FC1165")
        #expect(closed?.message == "the deal is lost; closed deals are not migrated")

        var open = try Mini.deal()
        var (moved, _) = try open.migrate(to: v2).get()
        let s = try #require(moved.snapshot)
        // Already there.
        #expect(try moved.migrate(to: v2).failure?.code == "FC1164")
        // A plain step cannot migrate.
        #expect(moved.refuse(.migrate(from: s.machineHash, to: "sha256:" + String(repeating: "0", count: 64), map: []))?.code == "FC1162")
        // The event must name the machine it is applied with.
        let v3 = try MiniVersion.make("1.2.0")
        let e = DealEvent(id: "m9", at: moved.time + hour, .migrate(from: s.machineHash, to: v2.machine.template.hash, map: []))
        #expect(Runner.migrate(from: v2, to: v3, s, e, context: StepContext(now: e.at)).failure?.code == "FC1163")
        // The machine given as the old one must be the deal's.
        let f = DealEvent(id: "m9", at: moved.time + hour, .migrate(from: s.machineHash, to: v3.machine.template.hash, map: []))
        #expect(Runner.migrate(from: open.pm, to: v3, s, f, context: StepContext(now: f.at)).failure?.code == "FC1103")
        // Out of order.
        let g = DealEvent(id: "m9", at: moved.time - day, .migrate(from: s.machineHash, to: v3.machine.template.hash, map: []))
        #expect(Runner.migrate(from: v2, to: v3, s, g, context: StepContext(now: moved.time)).failure?.code == "FC1106")
    }

    @Test func migrateEventsRoundTripThroughJSON() throws {
        let e = DealEvent(id: "m1", at: 5, actor: "ops", .migrate(from: "sha256:a", to: "sha256:b", map: [NodeMapping("talks", "first_talks")]))
        let encoded = e.encoded()
        #expect(String(decoding: encoded, as: UTF8.self)
            == #"{"actor":"ops","at":5,"from":"sha256:a","id":"m1","map":[{"new":"first_talks","old":"talks"}],"to":"sha256:b","type":"migrate"}"#)
        #expect(try JSONDecoder().decode(DealEvent.self, from: Data(encoded)) == e)
    }
}

extension MigrationTests {
    /// A migration or a node record refused with `code` (for the refusal catalogue's test).
    static func produce(_ code: String) throws -> Refusal? {
        var d = try Mini.deal()
        let v11 = try MiniVersion.make("1.1.0")
        let renamed = try MiniVersion.make("2.0.0", renameTalks: true)
        switch code {
        case "FC1162": return d.refuse(.migrate(from: d.snapshot?.machineHash ?? "", to: v11.machine.template.hash, map: []))
        case "FC1163":
            let s = try #require(d.snapshot)
            let e = DealEvent(id: "m", at: d.time, .migrate(from: s.machineHash, to: renamed.machine.template.hash, map: []))
            return Runner.migrate(from: d.pm, to: v11, s, e, context: StepContext(now: d.time)).failure
        case "FC1164":
            var (moved, _) = try d.migrate(to: v11).get()
            return try moved.migrate(to: v11).failure
        case "FC1165": var lost = try Mini.lostToPool(); return try lost.migrate(to: v11).failure
        case "FC1166": return try d.migrate(to: renamed).failure
        case "FC1167": return try d.migrate(to: renamed, map: [NodeMapping("talks", "nowhere")]).failure
        case "FC1168": return try d.migrate(to: renamed, map: [NodeMapping("talks", "first_talks"), NodeMapping("talks", "review")]).failure
        case "FC1169": return try d.migrate(to: renamed, map: [NodeMapping("talks", "won")]).failure
        case "FC1170":
            try d.apply(.setFields([FieldAssignment("headcount", .integer(7))]))
            let text = try MiniVersion.make("2.0.0", [("headcount: {type: integer, min: 0, max: 100000}", "headcount: {type: boolean}")])
            return try d.migrate(to: text).failure
        case "FC1178":
            var inside = try Mini.atFork()
            return try inside.migrate(to: MiniVersion.make("2.0.0", thirdBranch)).failure
        case "FC1179": return try d.migrate(to: MiniVersion.make("2.0.0", newForkAroundTalks)).failure
        case "FC1182":
            var (inside, next) = try insideSecondFork()
            return try inside.migrate(to: next, map: [NodeMapping("x", "sign")]).failure
        case "FC1171": return d.refuse(.note(node: "signing", text: "too early"), by: "alice")
        case "FC1172": return d.refuse(.note(node: "talks", text: "  \n "), by: "alice")
        case "FC1173": return d.refuse(.link(node: "talks", url: "javascript:alert(1)", title: nil), by: "alice")
        default: return nil
        }
    }
}
