import FlowHost
import FlowIR
import FlowRuntime
import FlowStore
import Foundation
import Testing

/// The standard template as version 1.1.0 with `initial_talks` renamed `first_contact` (and its
/// due date changed from 14d to 20d).
let standardRenamed: VerifiedMachine = {
    do {
        var text = String(decoding: try bytes("templates/standard-sale.flow.yaml"), as: UTF8.self)
        text = text.replacingOccurrences(of: "  version: 1.0.0", with: "  version: 1.1.0")
            .replacingOccurrences(of: "  - id: initial_talks", with: "  - id: first_contact")
        if let range = text.range(of: "    due: 14d") { text.replaceSubrange(range, with: "    due: 20d") }
        return try machine(yaml: text, path: "standard-sale.flow.yaml")
    } catch {
        fatalError("the renamed standard template does not compile: \(error)")
    }
}()

/// A machine archive that can be closed to writes, as a read-only copy of a store is.
final class ClosableArchive: MachineArchive, @unchecked Sendable {
    let base = InMemoryMachineArchive()
    var closed = false
    func load(hash: String) throws -> [UInt8]? { try base.load(hash: hash) }
    func save(hash: String, bytes: [UInt8]) throws {
        if closed { throw StoreError(.database, "the archive is read-only") }
        try base.save(hash: hash, bytes: bytes)
    }
}

/// Counts the calls of a `stop` closure.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    /// The number of calls so far, this one included.
    func next() -> Int { lock.withLock { n += 1; return n } }
}

@Suite struct MigrationServiceTests {
    /// A dry run writes nothing, not even the new version into the machine archive: it previews
    /// a migration on a read-only copy of a store (QA round 41, A9: it failed there, the only
    /// reading command that did). `--apply` still archives the version its deals move to.
    @Test func aDryRunWritesNoMachine() throws {
        let archive = ClosableArchive()
        let s = DealService(store: InMemoryStore(), machines: MachineRegistry(archive: archive), clock: { at("2024-05-10T09:00:00Z") })
        let m = try s.machines.register(standard)
        #expect(s.create(NewDealInput(dealID: "S-1", at: .absolute(at("2024-05-06T09:00:00Z")), owner: "alice",
                                      fields: [WrittenValue("customer_name", .string("北极星软件"))]), machine: m).error == nil)
        archive.closed = true
        let dry = try s.migrate(MigrationRequest(target: standardRenamed, map: [NodeMapping("initial_talks", "first_contact")]))
        #expect(dry.ok == 1)
        #expect(try archive.load(hash: standardRenamed.machine.template.hash) == nil)
        archive.closed = false
        let applied = try s.migrate(MigrationRequest(target: standardRenamed, map: [NodeMapping("initial_talks", "first_contact")], apply: true))
        #expect(applied.ok == 1)
        #expect(try archive.load(hash: standardRenamed.machine.template.hash) != nil)
    }

    /// A migration asked to stop (Ctrl-C in `flowc migrate`) stops at the next deal, or before
    /// its write, with FC1243 saying how far it read: no deal moved, no version archived, a dry
    /// run no different (QA round 43, F6: both went on to the end, and `--apply` wrote it all).
    @Test(arguments: [(true, 1), (false, 1), (true, 3), (false, 0)])
    func aMigrationAskedToStopWritesNothing(_ apply: Bool, _ after: Int) throws {
        let archive = ClosableArchive()
        let s = DealService(store: InMemoryStore(), machines: MachineRegistry(archive: archive), clock: { at("2024-05-10T09:00:00Z") })
        let m = try s.machines.register(standard)
        for (id, name) in [("S-1", "北极星软件"), ("S-2", "远山物流"), ("S-3", "青禾医疗")] {
            #expect(s.create(NewDealInput(dealID: id, at: .absolute(at("2024-05-06T09:00:00Z")), owner: "alice",
                                          fields: [WrittenValue("customer_name", .string(name))]), machine: m).error == nil)
        }
        let before = try ["S-1", "S-2", "S-3"].map { try s.store.snapshot(of: $0)?.payload }
        // Asked once before each deal and once before the write: stops after `after` deals.
        let asked = Counter()
        let request = MigrationRequest(target: standardRenamed, map: [NodeMapping("initial_talks", "first_contact")], apply: apply,
                                       stop: { asked.next() > after })
        do {
            _ = try s.migrate(request)
            Issue.record("the migration went on")
        } catch {
            #expect(error.code == "FC1243")
            #expect(error.message == "stopped by Ctrl-C or TERM after reading \(after) of 3 deals\(apply ? ", before the migration was written" : " in a dry run"): nothing was changed")
            #expect(error.storeProblem == .interrupted)
        }
        #expect(try ["S-1", "S-2", "S-3"].map { try s.store.snapshot(of: $0)?.payload } == before)
        #expect(try archive.load(hash: standardRenamed.machine.template.hash) == nil)
        // Not asked to stop, the same request moves all three.
        let applied = try s.migrate(MigrationRequest(target: standardRenamed, map: request.map, apply: true))
        #expect(applied.ok == 3)
    }

    /// A migration that would make a deal a duplicate customer (here a renewal moved out of its
    /// `customer.group` while a new-business deal of the customer is open) is refused for that
    /// deal, FC1201 naming the other deal's owner, as creating it would be.
    @Test(arguments: StoreKind.allCases)
    func aMigrationThatWouldDuplicateACustomerIsRefused(_ kind: StoreKind) throws {
        let s = try service(kind)
        let standardMachine = try s.machines.register(standard)
        let renewal = try s.machines.register(try machine("templates/renewal-upsell.flow.yaml"))
        let at = EventTime.absolute(at("2024-05-06T09:00:00Z"))
        let created = s.create(NewDealInput(dealID: "S-1", at: at, owner: "alice", fields: [WrittenValue("customer_name", .string("北极星软件"))],
                                            members: [RoleAssignment("sales_manager", "mia")]), machine: standardMachine)
        #expect(created.error == nil, "\(String(describing: created.error))")
        let renewed = s.create(NewDealInput(dealID: "R-1", at: at, owner: "cora",
                                            fields: [WrittenValue("customer_name", .string("北极星软件")), WrittenValue("contract_no", .string("HT-9")),
                                                     WrittenValue("contract_end_date", .string("2024-12-31"))],
                                            members: [RoleAssignment("customer_success", "cs"), RoleAssignment("sales_manager", "mia")]), machine: renewal)
        #expect(renewed.error == nil, "\(String(describing: renewed.error))")
        var text = String(decoding: try bytes("templates/renewal-upsell.flow.yaml"), as: UTF8.self)
        #expect(text.contains("  group: renewals\n") && text.contains("  version: 1.0.0\n"))
        text = text.replacingOccurrences(of: "  group: renewals\n", with: "").replacingOccurrences(of: "  version: 1.0.0\n", with: "  version: 1.1.0\n")
        let ungrouped = try machine(yaml: text, path: "renewal-upsell.flow.yaml")
        for apply in [false, true] {
            let report = try s.migrate(MigrationRequest(target: ungrouped, apply: apply))
            let r1 = try #require(report.deals.first { $0.deal == "R-1" })
            #expect(r1.outcome == .refused && r1.code == "FC1201", "\(r1)")
            #expect(r1.reason?.hasSuffix("already has open deal `S-1` in `alice`'s private pool") == true, "\(String(describing: r1.reason))")
        }
        #expect(try s.view("R-1").machine.machine.template.version == "1.0.0")
    }

    /// Two deals that only a new version's normalisation makes the same customer: the first is
    /// moved, the second refused, in one run.
    @Test(arguments: StoreKind.allCases)
    func twoDealsThatBecomeOneCustomerAreNotBothMoved(_ kind: StoreKind) throws {
        func version(_ v: String, normalize: String) -> String {
            """
            flowc: 1
            template: {id: norm, version: \(v), name: Norm}
            fields:
              customer_name: {type: text, required: true}
            customer:
              identity: [customer_name]
              normalize: \(normalize)
            roles:
              sales_owner: {name: Owner, owner: true}
            nodes:
              - {id: a, name: A, owner: sales_owner, next: won}
              - {id: won, name: Won, kind: won}
            """
        }
        let s = try service(kind)
        let v1 = try s.machines.register(try machine(yaml: version("1.0.0", normalize: "[]")))
        for (id, owner, name) in [("N-1", "amy", "Acme Inc."), ("N-2", "ben", "ACME")] {
            let r = s.create(NewDealInput(dealID: id, at: .absolute(at("2024-05-06T09:00:00Z")), owner: owner,
                                          fields: [WrittenValue("customer_name", .string(name))], members: []), machine: v1)
            #expect(r.error == nil, "\(String(describing: r.error))")
        }
        let v2 = try machine(yaml: version("1.1.0", normalize: "[lowercase, strip_legal_suffix]"))
        let report = try s.migrate(MigrationRequest(target: v2, apply: true))
        #expect(report.deals.map(\.deal) == ["N-1", "N-2"])
        #expect(report.deals[0].outcome == .ok && report.deals[0].applied)
        #expect(report.deals[1].code == "FC1201", "\(report.deals[1])")
        #expect(report.deals[1].reason?.hasSuffix("already has open deal `N-1` in `amy`'s private pool") == true)
    }

    @Test(arguments: StoreKind.allCases)
    func aDryRunWritesNothingAndReportsEveryDeal(_ kind: StoreKind) throws {
        let s = try service(kind)
        try runExamples(s)
        let ids = try s.store.allDealIDs()
        let before = try ids.map { try s.store.snapshot(of: $0)?.payload }
        let report = try s.migrate(MigrationRequest(target: standardRenamed))
        #expect(report.dryRun)
        // Every open deal has reached `initial_talks`, which has no counterpart without a mapping.
        let refused = report.deals.filter { $0.outcome == .refused }
        #expect(!refused.isEmpty)
        #expect(refused.allSatisfy { $0.code == "FC1166" })
        #expect(report.deals.filter { $0.outcome == .skipped }.allSatisfy { $0.code == "FC1165" })
        #expect(report.ok == 0)
        #expect(try ids.map { try s.store.snapshot(of: $0)?.payload } == before)
    }

    /// A node overdue at the migration's time is blocked at its due date, as `flowc tick` would
    /// have blocked it, by a `tick` logged before the migration, with its effects: the migration
    /// fires no timer, and the next event blocked it at the migration's time at the earliest
    /// (`why` said it passed its due date then; its escalation came as much later).
    @Test(arguments: StoreKind.allCases)
    func timersDueByTheMigrationFireFirstAtTheirOwnTime(_ kind: StoreKind) throws {
        let s = try service(kind, now: at("2024-06-30T00:00:00Z"))
        let standardMachine = try s.machines.register(standard)
        let created = s.create(NewDealInput(dealID: "T-1", at: .absolute(at("2024-06-01T00:00:00Z")), owner: "alice",
                                            fields: [WrittenValue("customer_name", .string("远山物流"))],
                                            members: [RoleAssignment("sales_manager", "mia")]), machine: standardMachine)
        #expect(created.error == nil, "\(String(describing: created.error))")
        let request = MigrationRequest(target: standardRenamed, map: [NodeMapping("initial_talks", "first_contact")], apply: true)
        let dry = try s.migrate(MigrationRequest(target: standardRenamed, map: request.map))
        let note = try #require(dry.deals.first?.notes.first)
        #expect(note.hasPrefix("timers due by 2024-06-30T00:00:00Z fire first, on the version the deal is on (a `tick` event before the migration): node_blocked"), "\(note)")
        #expect(try s.view("T-1").sequence == 1)
        // A deal the migration refuses gets no tick either, and no note that one fires (QA round
        // 36, C15: the JSON said a tick would be written).
        let refused = try s.migrate(MigrationRequest(target: standardRenamed, map: [NodeMapping("initial_talks", "won")], apply: true))
        #expect(refused.deals.first?.outcome == .refused, "\(refused.deals)")
        #expect(refused.deals.first?.notes.contains { $0.hasPrefix("timers due by") } == false, "\(refused.deals)")
        #expect(try s.view("T-1").sequence == 1)
        let report = try s.migrate(request)
        #expect(report.deals.first?.outcome == .ok && report.deals.first?.applied == true, "\(report.deals)")
        let history = try s.history("T-1")
        #expect(history.map { DealService.describe($0.event.action) }.suffix(2) == ["time passes", "migrate to \(standardRenamed.machine.template.hash)"])
        let view = try s.view("T-1")
        let n = try #require(view.machine.machine.nodes.firstIndex { $0.id == "first_contact" })
        // The tick before the migration blocked it at the old due date (14 days after
        // creation); the new version's due date (20 days) has passed too, so the node is blocked
        // since that date (rules 16, QA round 43, F10), never since the migration's time.
        #expect(view.snapshot.nodes[n].status == .blocked)
        #expect(view.snapshot.nodes[n].dueAt == at("2024-06-21T00:00:00Z"))
        #expect(view.snapshot.nodes[n].blockedAt == at("2024-06-21T00:00:00Z"))
        let blocked = try #require(history.dropLast().last?.effects.first { $0.kind == .nodeBlocked })
        #expect(blocked.node == "initial_talks" && blocked.at == at("2024-06-15T00:00:00Z"), "\(blocked)")
        #expect(try s.replay("T-1").matches)
        #expect(try s.store.undeliveredEffects(limit: 100).contains { String(decoding: $0.payload, as: UTF8.self).contains("node_blocked") })
    }

    /// A version that makes a node due at once, applied in the same second as events whose ids
    /// a tick at that second would take (a migration's own tick, a tick before it): the tick
    /// after the migration steps round them and fires (QA round 32, R1: FC1214, exit 1, the
    /// node not blocked until a tick at a later second).
    @Test(arguments: StoreKind.allCases)
    func aTickInTheSecondOfAMigrationFires(_ kind: StoreKind) throws {
        let start = at("2024-06-01T00:00:00Z"), now = at("2024-06-03T00:00:00Z")
        let s = try service(kind, now: now)
        let standardMachine = try s.machines.register(standard)
        #expect(s.create(NewDealInput(dealID: "T-2", at: .absolute(start), owner: "alice",
                                      fields: [WrittenValue("customer_name", .string("近山物流"))],
                                      members: [RoleAssignment("sales_manager", "mia")]), machine: standardMachine).error == nil)
        for id in ["tick-\(now)", "tick-\(now)-2"] {
            #expect(s.apply([EventInput(id: id, at: .absolute(now), actor: "alice", .set([WrittenValue("follow_up_notes", .string(id))]))],
                            to: "T-2").error == nil)
        }
        var text = String(decoding: try bytes("templates/standard-sale.flow.yaml"), as: UTF8.self)
        text = text.replacingOccurrences(of: "  version: 1.0.0", with: "  version: 1.2.0")
        let range = try #require(text.range(of: "    due: 14d"))
        text.replaceSubrange(range, with: "    due: 1d")
        let shorter = try machine(yaml: text, path: "standard-sale.flow.yaml")
        let report = try s.migrate(MigrationRequest(target: shorter, apply: true))
        #expect(report.deals.first?.outcome == .ok && report.deals.first?.applied == true, "\(report.deals)")
        let tick = s.tick(at: now)
        #expect(tick.refused.isEmpty, "\(tick.refused)")
        #expect(tick.ticked == ["T-2"])
        #expect(tick.effectsByKind["node_blocked"] == 1)
        #expect(try s.log(of: "T-2").last?.event.id == "tick-\(now)-3")
        #expect(try s.replay("T-2").matches)
    }

    @Test(arguments: StoreKind.allCases)
    func applyMovesSafeDealsAndEveryLogStillReplaysToItsSnapshot(_ kind: StoreKind) throws {
        let s = try service(kind)
        try runExamples(s)
        let request = MigrationRequest(target: standardRenamed, map: [NodeMapping("initial_talks", "first_contact")], apply: true)
        let report = try s.migrate(request)
        #expect(report.refused == 0, "\(report.deals.filter { $0.outcome == .refused })")
        #expect(report.ok > 0)
        let newHash = standardRenamed.machine.template.hash
        for d in report.deals where d.outcome == .ok {
            #expect(d.applied)
            let view = try s.view(d.deal)
            #expect(view.snapshot.machineHash == newHash)
            #expect(view.index.templateHash == newHash)
            // The host's writer stays byte-identical to the runtime's encoder on migrated snapshots.
            #expect(try s.store.snapshot(of: d.deal)?.payload == Data(view.snapshot.encoded()))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            for entry in try s.log(of: d.deal) { #expect(entry.encoded() == (try encoder.encode(entry))) }
            #expect(d.moves.contains { $0.from == "initial_talks" && $0.to == "first_contact" })
            #expect(d.event?.hasPrefix("migrate-" + String(newHash.dropFirst(7).prefix(16))) == true)
        }
        // The store's guarantee: every snapshot is the fold of its log, across the migration.
        for id in try s.store.allDealIDs() {
            let check = try s.replay(id)
            #expect(check.matches, "\(check)")
        }
        // A deal at `initial_talks` is at `first_contact`, with the new due date: 20 days from when
        // the node's due clock started, its activation or the claim that took the deal out of the
        // public pool (D-1006 is created there and claimed a day later).
        // (Overdue by the migration's time, it was blocked first, by the tick before the migration.)
        let atTalks = try #require(report.deals.first { d in
            d.outcome == .ok && d.moves.contains { $0.from == "initial_talks" && ($0.status == .active || $0.status == .blocked) }
        })
        let view = try s.view(atTalks.deal)
        let n = try #require(view.machine.machine.nodes.firstIndex { $0.id == "first_contact" })
        let st = view.snapshot.nodes[n]
        #expect(st.status == .active || st.status == .blocked)
        // History and why read across machines.
        let history = try s.history(atTalks.deal)
        let claimedAt = history.last { if case .claim = $0.event.action { true } else { false } }?.event.at
        #expect(st.dueAt == (claimedAt ?? st.activatedAt).map { $0 + 20 * day }, "\(atTalks.deal)")
        #expect(history.count == Int(view.sequence))
        #expect(history.last.map { DealService.describe($0.event.action) } == "migrate to \(newHash)")
        #expect(history.last?.moves.first?.hasPrefix("moved to version 1.1.0: `initial_talks` → `first_contact`") == true)
        let why = try s.why(atTalks.deal).joined(separator: "\n")
        #expect(why.contains("template `standard_sale` 1.1.0"))
        #expect(why.contains("the deal moved to another version of its template at"))
        // Running it again writes nothing: the moved deals are skipped as already there.
        let again = try s.migrate(request)
        #expect(again.ok == 0 && again.refused == 0)
        let codes: [String] = again.deals.filter { $0.outcome == .skipped }.compactMap(\.code)
        #expect(codes.allSatisfy { code in code == "FC1164" || code == "FC1165" })
        #expect(codes.count == again.deals.count)
        #expect(try s.view(atTalks.deal).sequence == view.sequence)
        // The deal goes on, on its new machine.
        let next = s.apply([EventInput(at: .now, actor: "zhang.san", .set([WrittenValue("follow_up_notes", .string("迁移后继续跟进"))]))],
                           to: atTalks.deal)
        #expect(next.error == nil, "\(String(describing: next.error))")
        #expect(try s.replay(atTalks.deal).matches)
    }

    /// A version that names other identity fields gives migrated deals other customer keys, though
    /// no field value changed.
    @Test(arguments: StoreKind.allCases)
    func aMigratedDealGetsTheCustomerKeysOfItsNewVersion(_ kind: StoreKind) throws {
        let s = try service(kind)
        try runExamples(s)
        #expect(try s.view("D-1003").index.customerKeys == ["customer_name\u{1F}远山物流", "tax_id\u{1F}91310000ma1fxxxx3c"])
        var text = String(decoding: try bytes("templates/standard-sale.flow.yaml"), as: UTF8.self)
        text = text.replacingOccurrences(of: "  version: 1.0.0", with: "  version: 1.2.0")
            .replacingOccurrences(of: "  identity: [customer_name, tax_id]", with: "  identity: [tax_id]")
        let taxOnly = try machine(yaml: text, path: "standard-sale.flow.yaml")
        let report = try s.migrate(MigrationRequest(target: taxOnly, deals: ["D-1003"], apply: true))
        #expect(report.ok == 1, "\(report.deals)")
        #expect(try s.view("D-1003").index.customerKeys == ["tax_id\u{1F}91310000ma1fxxxx3c"])
        #expect(try s.store.deal("D-1003")?.index.customerKeys == ["tax_id\u{1F}91310000ma1fxxxx3c"])
    }

    @Test func explicitDealsOfAnotherTemplateOrVersionAreRefused() throws {
        let s = try service(.memory)
        try runExamples(s)
        let other = try machine("templates/renewal-upsell.flow.yaml")
        let report = try s.migrate(MigrationRequest(target: other, deals: ["D-1003", "nope"]))
        #expect(report.deals.map(\.code) == ["FC1226", "FC1203"])
        let wrongSource = try s.migrate(MigrationRequest(target: standardRenamed, fromHash: "sha256:" + String(repeating: "a", count: 64), deals: ["D-1003"]))
        #expect(wrongSource.deals.map(\.code) == ["FC1227"])
        // A deal named and already on the target, the same command run again, is skipped, FC1164
        // (QA round 36, C11: refused FC1227).
        let standard = try machine("templates/standard-sale.flow.yaml")
        let moved = try s.migrate(MigrationRequest(target: standardRenamed, map: [NodeMapping("initial_talks", "first_contact")],
                                                   fromHash: standard.machine.template.hash, deals: ["D-1003"], apply: true))
        #expect(moved.deals.map(\.outcome) == [.ok], "\(moved.deals)")
        let again = try s.migrate(MigrationRequest(target: standardRenamed, map: [NodeMapping("initial_talks", "first_contact")],
                                                   fromHash: standard.machine.template.hash, deals: ["D-1003"], apply: true))
        #expect(again.deals.map(\.code) == ["FC1164"] && again.deals.map(\.outcome) == [.skipped], "\(again.deals)")
        // Implicitly, deals of other templates are not considered at all.
        #expect(try s.migrate(MigrationRequest(target: other)).deals.isEmpty)
    }

    @Test func aMappingFromAnUnknownNodeRefusesTheDealsItAppliesTo() throws {
        let s = try service(.memory)
        try runExamples(s)
        let request = MigrationRequest(target: standardRenamed, map: [NodeMapping("initial_talks", "first_contact"), NodeMapping("bogus_old", "first_contact")])
        let report = try s.migrate(request)
        let refused = report.deals.filter { $0.outcome == .refused }
        #expect(!refused.isEmpty && refused.allSatisfy { $0.code == "FC1228" })
        #expect(report.deals.filter { $0.outcome == .skipped }.allSatisfy { $0.code == "FC1165" })
        #expect(report.unknownSources == ["bogus_old"])
        let known = try s.migrate(MigrationRequest(target: standardRenamed, map: [NodeMapping("initial_talks", "first_contact")]))
        #expect(known.unknownSources.isEmpty && known.refused == 0)
    }

    @Test func nodeMappingsAreReadFromArgumentsAndFiles() {
        #expect(NodeMappingInput.pair("a=b").value == NodeMapping("a", "b"))
        #expect(NodeMappingInput.pair("a").error?.code == "FC1224")
        #expect(NodeMappingInput.pair("=b").error?.code == "FC1224")
        #expect(NodeMappingInput.pair("a=b=c").error?.code == "FC1224")
        let file = "# renames\ninitial_talks: first_contact\n'solution_review': \"方案评审\"  # quoted\n\n"
        #expect(NodeMappingInput.file(file, path: "m.yaml").value == [NodeMapping("initial_talks", "first_contact"), NodeMapping("solution_review", "方案评审")])
        let bad = NodeMappingInput.file("a: b\n- c\n", path: "m.yaml").error
        #expect(bad?.code == "FC1225")
        #expect(bad?.message == "m.yaml:2:1: not valid YAML: did not find expected key (help: line 2 starts a list item (`- `) where the mapping around it needs `key: value`; a list item goes under a key whose value is a list, in the column of that list's other items)")
        #expect(NodeMappingInput.file("a: [b, c]\n", path: "m.yaml").error?.code == "FC1225")
        #expect(NodeMappingInput.file("a: [b, c]\n", path: "m.yaml").error?.message == "m.yaml:1:4: `[b, c]` is not a node id (expected a plain string)")
        // Problems the YAML reader finds are located in the file, with line and column.
        #expect(NodeMappingInput.file("initial_talks: [first_contact\n", path: "m.yaml").error?.message
            == "m.yaml:2:1: not valid YAML: did not find expected ',' or ']'")
        let twice = NodeMappingInput.file("a: b\nc: d\na: e\n", path: "m.yaml").error
        #expect(twice?.code == "FC1225")
        #expect(twice?.message == "m.yaml:3:1: not valid YAML: duplicate key `a`")
        #expect(NodeMappingInput.file("- a: b\n", path: "m.yaml").error?.message == "m.yaml:1:1: expected a YAML mapping `old_node: new_node`")
        #expect(NodeMappingInput.file("a:\n", path: "m.yaml").error?.message == "m.yaml:1:1: `a` is mapped to no node id")
        #expect(NodeMappingInput.file("# nothing yet\n", path: "m.yaml").value == [])
        #expect(NodeMappingInput.file("{a: b, 'c': d}", path: "m.yaml").value == [NodeMapping("a", "b"), NodeMapping("c", "d")])
        #expect(NodeMappingInput.checked([NodeMapping("a", "b"), NodeMapping("a", "c")]).error?.code == "FC1224")
        #expect(NodeMappingInput.checked([NodeMapping("a", "b"), NodeMapping("a", "b")]).value == [NodeMapping("a", "b")])
    }

    /// Versions of numbers separated by dots are ordered part by part; others are not ordered
    /// (a migration to them is never said to go back: QA round 27, M4).
    @Test(arguments: [("1.9.0", "1.10.0", true), ("1.10.0", "1.9.0", false), ("2", "2.0.0", false), ("1.0", "1.0.1", true),
                      ("1.0.0", "1.0.0", false), ("1.0.0-rc1", "2.0.0", false), ("2024-q3", "2024-q4", false), ("v1", "v2", false),
                      ("1..0", "2.0.0", false), ("١.0", "2.0", false)])
    func versionsAreOrderedByTheirNumbers(_ a: String, _ b: String, _ older: Bool) {
        #expect(DealService.isOlder(a, than: b) == older)
    }

    /// A map file's entries keep their places.
    @Test func mapFileEntriesKeepTheirPlaces() throws {
        let read = try NodeMappingInput.located(Array("# map\ntalks: first_talks\n  \nreview:   review_b\n".utf8), path: "m.yaml").get()
        #expect(read.map(\.oldAt) == ["m.yaml:2:1", "m.yaml:4:1"])
        #expect(read.map(\.newAt) == ["m.yaml:2:8", "m.yaml:4:11"])
    }
}
