import FlowExpr
import Foundation
import FlowIR
import FlowRuntime
import Testing

/// S4, S12: private and public pools, claiming, releasing, assigning.
@Suite struct PoolTests {
    @Test func lostDealReturnsToPublicPool() throws {
        let d = try Mini.lostToPool()
        let s = try #require(d.snapshot)
        #expect(s.status == .lost && s.pool == .public && s.owner == nil)
        #expect(s.previousOwner == "alice" && s.releasedAt == d.time && s.closedAt == d.time)
        #expect(d.members("sales_owner") == [])
        #expect(d.kinds == [.notify, .returnedToPool, .notify])
        #expect(d.effects[0].trigger == "on_lost" && d.effects[0].people == ["mia"])
        // Recipients are resolved while the owner still owns the deal.
        #expect(d.effects[1].person == "alice" && d.effects[1].people == ["alice"])
        #expect(d.effects[2].trigger == "on_return_to_pool" && d.effects[2].people == ["alice", "mia"])
        #expect(s.probability == 0)
        #expect(Runner.nextTimer(d.pm, s) == nil)
    }

    @Test func lostDealStaysPrivateWithoutLostToPublic() throws {
        let yaml = """
        flowc: 1
        template: {id: keep, version: 1.0.0, name: Keep}
        roles:
          sales_owner: {name: Owner, owner: true}
        nodes:
          - {id: a, name: A, owner: sales_owner, next: won}
          - {id: won, name: Won, kind: won}
          - {id: lost, name: Lost, kind: lost}
        lose: {via: lost}
        pool: {lost_to_public: false}
        """
        var d = Deal(try machine(yaml: yaml))
        try d.apply(.create(dealID: "d", owner: "o", fields: [], members: []))
        try d.apply(.lose(reason: nil))
        #expect(d.snapshot?.status == .lost && d.snapshot?.pool == .private && d.snapshot?.owner == "o")
        #expect(code(d.refuse(.claim, by: "p")) == "FC1150")
        #expect(code(d.refuse(.complete(node: "a", outcome: nil))) == "FC1105")
        // The owner can still put it in the public pool, where a colleague reopens it.
        try d.apply(.release, by: "o")
        try d.apply(.claim, by: "p")
        #expect(d.snapshot?.status == .open && d.active == ["a"])
    }

    @Test func claimRespectsQuotaAndCooldown() throws {
        var d = try Mini.lostToPool()
        let lostAt = d.time
        // The previous owner is cooling down for 3 days.
        let cooling = d.refuse(.claim, by: "alice", after: day)
        #expect(code(cooling) == "FC1152")
        #expect(cooling?.message == "`alice` owned this deal until 2024-05-07T02:00:00Z and can claim it again from 2024-05-10T02:00:00Z")
        // Bob already owns two open deals: the quota is 2.
        let full = d.refuse(.claim, by: "bob", after: day, owned: 2)
        #expect(code(full) == "FC1151")
        #expect(full?.message == "`bob` already owns 2 open deals of this template; the quota is 2")
        // Bob with one deal may claim; the lost deal reopens at the start node.
        try d.apply(.claim, by: "bob", after: day, owned: 1)
        let s = try #require(d.snapshot)
        #expect(s.status == .open && s.pool == .private && s.owner == "bob" && s.loseReason == nil && s.closedAt == nil)
        #expect(d.active == ["talks"])
        #expect(d.node("loss_review")?.status == .pending && d.node("loss_review")?.entries == 1)
        #expect(d.field("notes") == .text("too expensive"))
        // Bob joins the chat that follows the owner role; no second chat; then on_claim.
        #expect(d.kinds == [.groupChatAddMember, .notify])
        #expect(d.effects[0].person == "bob" && d.effects[1].trigger == "on_claim" && d.effects[1].people == ["bob"])
        #expect(s.lastStatusChangeAt == d.time)
        #expect(d.time == lostAt + day)
    }

    @Test func previousOwnerMayClaimAgainAfterTheCooldown() throws {
        var d = try Mini.lostToPool()
        try d.apply(.claim, by: "alice", after: 3 * day)
        #expect(d.snapshot?.owner == "alice")
    }

    /// Nobody can work a public-pool deal's flow, so its nodes' due dates mean nothing to the
    /// person who takes it out: each open node's due clock restarts at the claim, and a node
    /// blocked while the deal sat there is active again.
    @Test func aClaimedDealGetsFreshDueDates() throws {
        var d = try Mini.deal()
        // `talks` is due in 5 days and escalates a day later; the idle return comes at 10 days.
        try d.apply(.tick, after: 11 * day)
        #expect(d.snapshot?.pool == .public && d.node("talks")?.status == .blocked)
        #expect(d.node("talks")?.escalatedAt != nil)
        try d.apply(.claim, by: "bob", after: 2 * day)
        let claimedAt = d.time
        let talks = try #require(d.node("talks"))
        #expect(talks.status == .active && talks.dueAt == claimedAt + 5 * day)
        #expect(talks.blockedAt == nil && talks.escalatedAt == nil)
        #expect(talks.activatedAt == t0, "the node's own history is kept")
        // The restart is a decision of its own, which `why` and `history` show.
        let restart = try #require(d.snapshot?.decisions.last)
        #expect(restart.kind == .dueRestarted && restart.at == claimedAt && restart.detail == String(claimedAt + 5 * day))
        #expect(restart.node == d.m.nodes.firstIndex { $0.id == "talks" })
        let explained = Runner.explain(d.m, try #require(d.snapshot))
        #expect(explained.contains("`talks` is due again at 2024-05-24T01:00:00Z: the deal left the public pool at 2024-05-19T01:00:00Z, and its due clock started again"),
                "\(explained)")
        #expect(Runner.nextTimer(d.pm, try #require(d.snapshot)) == claimedAt + 5 * day)
        // Overdue again five days later: blocked, and bob (the owner role) is told.
        try d.apply(.tick, after: 5 * day)
        #expect(d.node("talks")?.status == .blocked)
        #expect(d.effects.first { $0.kind == .nodeBlocked }?.people == ["bob"])
    }

    /// A claim logged before the rule existed (rules 1) replays as it was stepped: the deal keeps
    /// its blocked node, so a store's snapshots still equal the fold of their logs after the
    /// upgrade (`flowc deal verify`).
    @Test func aClaimLoggedUnderRulesOneReplaysWithItsOwnRules() throws {
        var d = try Mini.deal()
        try d.apply(.tick, after: 11 * day)
        let e = d.event(.claim, by: "bob", after: 2 * day)
        let old = StepContext(now: e.at, rules: 1)
        guard case .success(let outcome) = Runner.step(d.pm, d.snapshot, e, context: old) else {
            Issue.record("the claim was refused")
            return
        }
        let talks = try #require(d.m.nodes.firstIndex { $0.id == "talks" })
        #expect(outcome.snapshot.nodes[talks].status == .blocked)
        d.log.append((e, old))
        d.snapshot = outcome.snapshot
        guard case .success(let replayed) = d.replayed() else {
            Issue.record("the log does not replay")
            return
        }
        #expect(replayed.snapshot == outcome.snapshot)
        // The context keeps its version through the log's JSON; an old entry has none, and is 1.
        let decoded = try JSONDecoder().decode(StepContext.self, from: JSONEncoder().encode(old))
        #expect(decoded.rules == 1)
        #expect(try JSONDecoder().decode(StepContext.self, from: Data(#"{"now": 1, "utcOffset": 0, "ownedOpenDeals": 0, "actorCanAssign": false}"#.utf8)).rules == 1)
        #expect(try JSONDecoder().decode(StepContext.self, from: JSONEncoder().encode(StepContext(now: 1))).rules == StepContext.currentRules)
    }

    /// A manager moving a deal between owners changes no deadline: it could be worked all along.
    @Test func assigningAnOwnedDealKeepsItsDueDates() throws {
        var d = try Mini.deal()
        try d.apply(.tick, after: 6 * day)
        let blockedAt = try #require(d.node("talks")?.blockedAt)
        try d.apply(.assign(to: "bob"), by: "mia", after: hour)
        #expect(d.node("talks")?.status == .blocked && d.node("talks")?.blockedAt == blockedAt)
        #expect(d.node("talks")?.dueAt == t0 + 5 * day)
        // Out of the public pool by assignment: fresh dates, as for a claim.
        try d.apply(.release, by: "mia", after: hour)
        try d.apply(.assign(to: "carol"), by: "mia", after: hour)
        #expect(d.node("talks")?.status == .active && d.node("talks")?.dueAt == d.time + 5 * day)
    }

    @Test func claimNeedsThePublicPoolAndAnActor() throws {
        var d = try Mini.deal()
        let r = d.refuse(.claim, by: "bob")
        #expect(code(r) == "FC1150")
        #expect(r?.message == "the deal is not in the public pool (owner: `alice`)")
        let anonymous = d.refuse(.claim, by: nil)
        #expect(code(anonymous) == "FC1158")
        // Named as a user writes it (QA round 16: `actor`, a key no record has).
        #expect(anonymous?.message == "`claim` needs the person acting: `by` in a record, `--by` on the command line")
    }

    @Test func ownerReleasesToThePublicPool() throws {
        var d = try Mini.deal()
        #expect(code(d.refuse(.release, by: "bob")) == "FC1156")
        try d.apply(.release, by: "alice", after: day)
        let s = try #require(d.snapshot)
        #expect(s.pool == .public && s.owner == nil && s.previousOwner == "alice" && s.releasedAt == d.time)
        #expect(d.kinds == [.returnedToPool, .notify])
        #expect(d.effects[0].detail == "release")
        #expect(s.status == .open && d.active == ["talks"])
        #expect(code(d.refuse(.release, by: "alice")) == "FC1155")
        #expect(code(d.refuse(.claim, by: "alice", after: day)) == "FC1152")
        try d.apply(.claim, by: "bob", after: day)
        #expect(d.snapshot?.owner == "bob")
    }

    @Test func managerMayReleaseForTheOwner() throws {
        var d = try Mini.deal()
        try d.apply(.release, by: "mia")
        #expect(d.snapshot?.pool == .public)
    }

    /// On its lose path the deal is not released (rules 6): it would go to the public pool open,
    /// and whoever claimed it would write someone else's loss review (the idle timer holds off
    /// for the same reason). Once lost it goes there by itself; a manager may still assign it.
    /// Under rules 5 the release was taken, and such a log still replays.
    @Test func aDealOnItsLosePathIsNotReleased() throws {
        var d = try Mini.deal()
        try d.apply(.lose(reason: "price"), by: "alice", after: day)
        #expect(d.active == ["loss_review"])
        for person in ["alice", "mia"] {
            let refused = d.refuse(.release, by: person, after: hour)
            #expect(code(refused) == "FC1180")
            #expect(refused?.message == "the deal is on its lose path, at `loss_review`: it goes to the public pool by itself once lost; complete `loss_review` first, or have a manager assign it")
        }
        var old = d
        try old.apply(.release, by: "alice", after: hour, rules: 5)
        #expect(old.snapshot?.pool == .public && old.snapshot?.status == .open)
        #expect(old.replayed().map(\.snapshot) == .success(old.snapshot))
        try d.apply(.assign(to: "bob"), by: "mia", after: hour)
        #expect(d.snapshot?.owner == "bob" && d.active == ["loss_review"])
        try d.apply(.setFields([FieldAssignment("notes", .text("too expensive"))]))
        try d.apply(.complete(node: "loss_review", outcome: nil), by: "bob", after: hour)
        #expect(d.snapshot?.pool == .public && d.snapshot?.status == .lost)
    }

    /// Who may assign and release is who is in `pool.assign_by` on the deal, so under rules 6
    /// only its members (or an actor the host vouches for) change who is in it: Bob could add
    /// himself as a manager and then assign the deal to himself. Other roles stay open to anyone.
    @Test func onlyManagersChangeWhoTheManagersAre() throws {
        var d = try Mini.deal()
        #expect(code(d.refuse(.assign(to: "bob"), by: "bob")) == "FC1153")
        let refused = d.refuse(.addRoleMember(role: "sales_manager", person: "bob"), by: "bob")
        #expect(code(refused) == "FC1181")
        #expect(refused?.message == "`bob` may not add someone to `sales_manager`: its members assign and release deals; only they, the deal's owner while it has no member, or an actor the host vouches for (`--can-assign`) may; ask one of them to add `bob`")
        #expect(code(d.refuse(.addRoleMember(role: "sales_manager", person: "bob"))) == "FC1158")
        #expect(code(d.refuse(.removeRoleMember(role: "sales_manager", person: "mia"), by: "bob")) == "FC1181")
        // A manager or the owner adds one; the host may vouch for an actor; anyone adds to other
        // roles.
        try d.apply(.addRoleMember(role: "sales_manager", person: "max"), by: "mia")
        // The owner adds one only while the role has no member (rules 11; QA round 32, R4: a
        // colleague the owner added could, as a member, remove the managers or add the owner).
        #expect(code(d.refuse(.addRoleMember(role: "sales_manager", person: "may"), by: "alice")) == "FC1181")
        try d.apply(.addRoleMember(role: "sales_manager", person: "may"), by: "mia")
        // The owner adds a manager but removes none (QA round 20: a rep removed their manager
        // from their own deal, who could then not assign it).
        let removing = d.refuse(.removeRoleMember(role: "sales_manager", person: "mia"), by: "alice")
        #expect(code(removing) == "FC1181")
        #expect(removing?.message.hasSuffix("; ask one of them to remove `mia`") == true, "\(removing?.message ?? "")")
        // ... nor adds themselves, then to remove the others as a member (QA round 21).
        let herself = d.refuse(.addRoleMember(role: "sales_manager", person: "alice"), by: "alice")
        #expect(code(herself) == "FC1181")
        // Told what the owner may do (QA round 35, A9: "only … the deal's owner … may").
        #expect(herself?.message == "`alice` may not add someone to `sales_manager`: its members assign and release deals; only they, the deal's owner (adding someone other than themselves, while it has no member), or an actor the host vouches for (`--can-assign`) may; ask one of them to add `alice`", "\(herself?.message ?? "")")
        try d.apply(.removeRoleMember(role: "sales_manager", person: "may"), by: "mia")
        try d.apply(.addRoleMember(role: "sales_manager", person: "bob"), by: "hr-system", canAssign: true)
        try d.apply(.addRoleMember(role: "legal", person: "liz"), by: "bob")
        try d.apply(.removeRoleMember(role: "sales_manager", person: "bob"), by: "max")
        #expect(d.members("sales_manager") == ["mia", "max"])
        // Under rules 10 the owner added a colleague to a role with managers in it, who then
        // removed them; such a log still replays.
        var loophole = try Mini.deal()
        try loophole.apply(.addRoleMember(role: "sales_manager", person: "pal"), by: "alice", rules: 10)
        try loophole.apply(.removeRoleMember(role: "sales_manager", person: "mia"), by: "pal", rules: 10)
        #expect(loophole.members("sales_manager") == ["pal"])
        #expect(loophole.replayed().map(\.snapshot) == .success(loophole.snapshot))
        // With no manager on the deal, the owner adds one.
        var empty = try Mini.deal()
        try empty.apply(.removeRoleMember(role: "sales_manager", person: "mia"), by: "mia")
        try empty.apply(.addRoleMember(role: "sales_manager", person: "max"), by: "alice")
        #expect(empty.members("sales_manager") == ["max"])
        #expect(code(empty.refuse(.addRoleMember(role: "sales_manager", person: "pal"), by: "alice")) == "FC1181")
        // Under rules 5 anyone did, and such a log still replays.
        var old = try Mini.deal()
        try old.apply(.addRoleMember(role: "sales_manager", person: "bob"), by: "bob", rules: 5)
        try old.apply(.assign(to: "bob"), by: "bob", rules: 5)
        #expect(old.snapshot?.owner == "bob")
        #expect(old.replayed().map(\.snapshot) == .success(old.snapshot))
    }

    /// A deal passed through a second person does not free the first: each former owner's
    /// cooldown runs to its end. (Only the last owner was remembered, so Alice could claim the
    /// deal back minutes after releasing it, once Bob had claimed and released it.)
    @Test func theCooldownCannotBeLaunderedThroughASecondPerson() throws {
        var d = try Mini.deal()
        try d.apply(.release, by: "alice", after: hour)
        let releasedAt = d.time
        try d.apply(.claim, by: "bob", after: minute)
        try d.apply(.release, by: "bob", after: minute)
        let again = d.refuse(.claim, by: "alice", after: minute)
        #expect(code(again) == "FC1152")
        #expect(again?.message.contains("can claim it again from \(ExprValue.datetime(seconds: releasedAt + 3 * day))") == true, "\(again?.message ?? "")")
        #expect(d.snapshot?.withheld.map(\.person) == ["alice", "bob"])
        // Through a manager's assignment too.
        try d.apply(.assign(to: "carol"), by: "mia", after: minute)
        try d.apply(.assign(to: "dave"), by: "mia", after: minute)
        try d.apply(.release, by: "dave", after: minute)
        #expect(code(d.refuse(.claim, by: "carol", after: minute)) == "FC1152")
        #expect(code(d.refuse(.claim, by: "alice", after: minute)) == "FC1152")
        // Once a cooldown ends, its person leaves the list and may claim.
        try d.apply(.claim, by: "alice", after: 3 * day)
        #expect(d.snapshot?.owner == "alice")
        #expect(d.snapshot?.withheld.isEmpty == true)
        #expect(try d.replayed().get().snapshot == d.snapshot)
    }

    @Test func managersAssign() throws {
        var d = try Mini.deal()
        let r = d.refuse(.assign(to: "bob"), by: "zed")
        #expect(code(r) == "FC1153")
        #expect(r?.message == "`zed` may not assign deals: assigning needs the role `sales_manager`")
        #expect(code(d.refuse(.assign(to: "alice"), by: "mia")) == "FC1157")
        #expect(code(d.refuse(.assign(to: "bob"), by: "mia", owned: 2)) == "FC1151")
        #expect(code(d.refuse(.assign(to: "bob"), by: nil)) == "FC1158")
        // From a private pool: the previous owner's cooldown starts, the new owner joins the chat.
        try d.apply(.assign(to: "bob"), by: "mia", after: day)
        var s = try #require(d.snapshot)
        #expect(s.owner == "bob" && s.previousOwner == "alice" && s.releasedAt == d.time && s.pool == .private)
        #expect(d.kinds == [.groupChatAddMember, .notify])
        #expect(d.effects[1].trigger == "on_claim" && d.effects[1].person == "bob")
        // A manager the host vouches for, from outside the deal; the cooldown does not apply to assignment.
        try d.apply(.assign(to: "alice"), by: "boss", after: hour, canAssign: true)
        s = try #require(d.snapshot)
        #expect(s.owner == "alice" && s.previousOwner == "bob")
    }

    @Test func managersAssignLostDealsFromThePublicPool() throws {
        var d = try Mini.lostToPool()
        try d.apply(.assign(to: "carol"), by: "mia", after: hour)
        #expect(d.snapshot?.owner == "carol" && d.snapshot?.status == .open && d.active == ["talks"])
    }

    @Test func assignNeedsAnAssignRole() throws {
        let yaml = """
        flowc: 1
        template: {id: noassign, version: 1.0.0, name: No assign}
        roles:
          sales_owner: {name: Owner, owner: true}
        nodes:
          - {id: a, name: A, owner: sales_owner, next: won}
          - {id: won, name: Won, kind: won}
          - {id: lost, name: Lost, kind: lost}
        lose: {via: lost}
        """
        var d = Deal(try machine(yaml: yaml))
        try d.apply(.create(dealID: "d", owner: "o", fields: [], members: []))
        #expect(code(d.refuse(.assign(to: "p"), by: "boss", canAssign: true)) == "FC1154")
        // No quota, no cooldown: anyone may claim right away.
        try d.apply(.release, by: "o")
        try d.apply(.claim, by: "o", owned: 1_000)
        #expect(d.snapshot?.owner == "o")
    }

    @Test func wonDealsCannotBeReleasedAssignedOrClaimed() throws {
        var d = try Mini.atFork()
        try d.apply(.complete(node: "legal_review", outcome: nil))
        try d.apply(.complete(node: "finance_review", outcome: nil))
        try d.apply(.win(node: nil))
        #expect(code(d.refuse(.release, by: "alice")) == "FC1105")
        #expect(code(d.refuse(.assign(to: "bob"), by: "mia")) == "FC1105")
        // The deal being won says more than its not being in the public pool (FC1150).
        #expect(d.refuse(.claim, by: "bob")?.message == "the deal is won; `claim` is not possible any more")
    }
}
