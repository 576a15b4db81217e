import Foundation
import Testing

/// A tick after missed ones fires an idle return whose warning came due too: the warning is
/// dropped (docs/runtime.md §7), and that is said, by `tick`, `pool sweep` and `deal why` (QA
/// round 38, F1: 30 of 227 returns after a week's outage went out unwarned, without a word).
@Suite struct IdleWarningCatchUpTests {
    /// A store with deal `A` (created 2024-04-25, warned by a tick on 2024-05-21) and deal `B`
    /// (created 2024-05-01, not warned yet): the standard template warns after 25 days and
    /// returns after 30.
    static func store() throws -> String {
        let db = try tempDir([:]) + "/s.sqlite"
        for (id, customer, at) in [("A", "甲公司", "2024-04-25T00:00:00Z"), ("B", "乙公司", "2024-05-01T00:00:00Z")] {
            let r = flowc("deal", "create", Examples.template, "--id", id, "--owner", "amy", "--set", "customer_name=\(customer)",
                          "--at", at, "--db", db, "--now", at)
            #expect(r.code == 0, "\(r.err)")
        }
        let warned = flowc("tick", "--db", db, "--at", "2024-05-21T00:00:00Z", "--now", "2024-05-21T00:00:00Z", "--json")
        #expect(warned.code == 0, "\(warned.err)")
        let kinds = (try JSONSerialization.jsonObject(with: Data(warned.out.utf8)) as? [String: Any])?["effects_by_kind"] as? [String: Int]
        #expect(kinds?["idle_warning"] == 1, "\(warned.out)")
        return db
    }

    @Test func aTickSaysWhichReturnsCameWithoutTheirWarning() throws {
        let db = try Self.store()
        let text = flowc("tick", "--db", db, "--at", "2024-06-01T00:00:00Z", "--now", "2024-06-01T00:00:00Z")
        #expect(text.code == 0, "\(text.err)")
        #expect(text.out.contains("\nreturned to the public pool: A, B\n"), "\(text.out)")
        #expect(text.out.hasSuffix("\n1 of them without their idle warning, which came due with the return (no tick ran between the two, "
            + "or a migration made both due; `flowc deal why` says which): B\n"), "\(text.out)")
        let why = flowc("deal", "why", "B", "--db", db)
        #expect(why.out.contains("no status change since 2024-05-01T00:00:00Z: returned to the public pool at 2024-05-31T00:00:00Z, "
            + "without the idle warning due at 2024-05-26T00:00:00Z: no tick ran between the two, and a warning of what had already happened is not sent"),
                "\(why.out)")
        // A, warned in time, says nothing of the kind.
        #expect(!flowc("deal", "why", "A", "--db", db).out.contains("without the idle warning"))
    }

    /// A migration to a version with shorter idle times makes the warning and the return due at
    /// once: `deal why` says the migration did it, not missed ticks (QA round 39, R7).
    @Test func aReturnAMigrationLeftUnwarnedIsSaidSo() throws {
        let db = try Self.store()
        let short = try Versions.write("standard-short-idle", [("  version: 1.0.0", "  version: 1.1.0"), ("    after: 30d\n    warn: 25d", "    after: 12d\n    warn: 10d")])
        let migrate = flowc("migrate", "--db", db, "--to", short, "--deal", "B", "--apply", "--now", "2024-05-22T00:00:00Z")
        #expect(migrate.code == 0, "\(migrate.out)\(migrate.err)")
        #expect(flowc("tick", "--db", db, "--at", "2024-05-22T00:00:01Z", "--now", "2024-05-22T00:00:01Z").out.contains("without their idle warning"))
        let why = flowc("deal", "why", "B", "--db", db)
        #expect(why.out.contains("without the idle warning due at 2024-05-11T00:00:00Z on the version the deal moved to: the migration made the two due at once"),
                "\(why.out)")
    }

    /// A deal's own events that come after its warning and return times return it unwarned: a
    /// run counts it, `deal event` says it (QA round 39, R8: only tick and sweep did).
    @Test func aRunAndADealEventSayItToo() throws {
        let dir = try tempDir(["d.jsonl": #"{"id": "R-1", "at": "2024-05-01T00:00:00Z", "owner": "amy", "fields": {"customer_name": "丙公司"}, "events": [{"at": "+35d", "by": "amy", "set": {"follow_up_notes": "late"}}]}"# + "\n"])
        let run = flowc("run", Examples.template, "--deals", dir + "/d.jsonl", "--db", dir + "/r.sqlite", "--now", "2024-07-01T00:00:00Z")
        #expect(run.code == 0, "\(run.out)\(run.err)")
        #expect(run.out.contains("; 1 return to the public pool without the idle warning, which came due with the return (`flowc deal why` says so)\n"), "\(run.out)")
        let json = flowc("run", Examples.template, "--deals", dir + "/d.jsonl", "--db", dir + "/j.sqlite", "--now", "2024-07-01T00:00:00Z", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect(object["returned_unwarned"] as? Int == 1)
        let db = try Self.store()
        let event = flowc("deal", "event", "B", "--set", "follow_up_notes=late", "--at", "2024-06-01T00:00:00Z", "--db", db, "--now", "2024-06-01T00:00:00Z")
        #expect(event.code == 0, "\(event.err)")
        #expect(event.out.contains("\n  note: returned to the public pool without the idle warning, which came due with the return (`flowc deal why` says so)\n"),
                "\(event.out)")
        let eventJSON = flowc("deal", "event", "B", "--set", "follow_up_notes=later", "--at", "2024-06-02T00:00:00Z", "--db", db,
                              "--now", "2024-06-02T00:00:00Z", "--json")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(eventJSON.out.utf8)) as? [String: Any])
        #expect(result["returnedUnwarned"] as? Int == 0, "\(eventJSON.out)")
        // A deal warned in time gets no such note.
        #expect(!flowc("deal", "event", "A", "--set", "follow_up_notes=late", "--at", "2024-06-01T00:00:00Z", "--db", db, "--now", "2024-06-01T00:00:00Z")
            .out.contains("without the idle warning"))
    }

    /// The JSON of `deal event` counts it, and a migration's own catch-up tick says it in its note
    /// (QA round 40, K6).
    @Test func theEventsJSONAndAMigrationsTickSayItToo() throws {
        let db = try Self.store()
        let json = flowc("deal", "event", "B", "--set", "follow_up_notes=late", "--at", "2024-06-01T00:00:00Z", "--db", db, "--now", "2024-06-01T00:00:00Z", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect(object["returnedUnwarned"] as? Int == 1, "\(json.out)")
        let other = try Self.store()
        let migrate = flowc("migrate", "--db", other, "--to", try Versions.renamed(), "--map", "initial_talks=first_contact", "--deal", "B",
                            "--now", "2024-06-01T00:00:00Z")
        #expect(migrate.out.contains("; the deal returns to the public pool without the idle warning, which came due with the return"), "\(migrate.out)")
    }

    @Test func theJSONAndASweepSayItToo() throws {
        let db = try Self.store()
        let json = flowc("tick", "--db", db, "--at", "2024-06-01T00:00:00Z", "--now", "2024-06-01T00:00:00Z", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect(object["returned_to_pool"] as? [String] == ["A", "B"])
        #expect(object["returned_unwarned"] as? [String] == ["B"])
        let other = try Self.store()
        let sweep = flowc("pool", "sweep", "--db", other, "--at", "2024-06-01T00:00:00Z", "--now", "2024-06-01T00:00:00Z")
        #expect(sweep.code == 0, "\(sweep.err)")
        #expect(sweep.out.hasPrefix("A returned to the public pool\nB returned to the public pool without its idle warning, which came due with the "
            + "return (no tick ran between the two, or a migration made both due)\n"), "\(sweep.out)")
    }
}
