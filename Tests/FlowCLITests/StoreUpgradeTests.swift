import FlowCLI
@testable import FlowStore
import Foundation
import Testing

/// A command that opens a store written by an older flowc says, before the pause, that it is
/// upgrading it; the upgraded store then works, and the note is not repeated.
@Suite struct StoreUpgradeTests {
    @Test func anOlderStoreIsUpgradedWithANoteOnce() throws {
        let db = try Examples.db()
        try SQLiteStore.forgeFile(path: db, schemaVersion: 2, sql: "")

        let run = flowc("run", Examples.template, "--deals", Examples.deals, "--db", db, "--now", "2024-12-01T00:00:00Z")
        #expect(run.code == 0, "\(run.err)")
        #expect(run.err == "note: upgrading the store \(db) from schema version 2 to \(SQLiteStore.currentSchemaVersion) (once; a large store takes a while)\n"
                + "note: 3 deals the run wrote have timers already due by the clock (2024-12-01T00:00:00Z), their records being dated "
                + "earlier: the next `flowc tick` fires them at once (due dates, escalations, idle warnings, returns to the public pool)\n")
        #expect(try SQLiteStore(path: db).schemaVersion() == SQLiteStore.currentSchemaVersion)

        let show = flowc("deal", "show", "D-1001", "--db", db)
        #expect(show.code == 0, "\(show.err)")
        #expect(show.err.isEmpty, "\(show.err)")
    }

    @Test func aNewOrMissingStoreGetsNoNote() throws {
        let db = try Examples.db()
        let run = flowc("run", Examples.template, "--deals", Examples.deals, "--db", db, "--now", "2024-12-01T00:00:00Z")
        #expect(run.code == 0)
        #expect(run.err == "note: 3 deals the run wrote have timers already due by the clock (2024-12-01T00:00:00Z), their records being dated "
                + "earlier: the next `flowc tick` fires them at once (due dates, escalations, idle warnings, returns to the public pool)\n", "\(run.err)")
        // A file that is not SQLite is the store's error, as before, with no note.
        let junk = try tempDir(["junk.sqlite": "not a database"]) + "/junk.sqlite"
        let show = flowc("deal", "show", "D-1001", "--db", junk)
        #expect(show.code != 0)
        #expect(!show.err.contains("note: upgrading"))
    }

    /// The view columns of a store upgraded from before schema 2 are computed by the first
    /// command that opens it, a writing one too; and a view command that finds some still
    /// missing computes them under the writer lock rather than failing (store review, finding
    /// 2: after a `flowc tick` upgraded the store, `deals` and `report` failed for good with
    /// "attempt to write a readonly database").
    @Test func viewColumnsLeftEmptyByAnUpgradeAreComputed() throws {
        let unprojected = """
            UPDATE deals SET template_id = NULL, fields = NULL, probability = NULL, created_at = NULL, closed_at = NULL,
                status_changed_at = NULL, open_nodes = NULL, due_at = NULL, pool_since = NULL, pool_arrival = NULL,
                returns_at = NULL, last_record_at = NULL
            """
        let now = ["--now", "2024-07-01T00:00:00Z"]
        // A writing command first.
        let ticked = try Examples.loaded()
        try SQLiteStore(path: ticked).execute(sql: unprojected)
        #expect(try SQLiteStore(path: ticked).unprojectedSnapshots(limit: 10).count == 6)
        let tick = flowc(["tick", "--db", ticked, "--at", "2024-06-05T00:00:00Z"] + now)
        #expect(tick.code == 0, "\(tick.err)")
        #expect(try SQLiteStore(path: ticked).unprojectedSnapshots(limit: 10).isEmpty)
        let deals = flowc(["deals", "--db", ticked] + now)
        #expect(deals.code == 0 && deals.err.isEmpty, "\(deals.err)")
        #expect(deals.out.contains("D-1001"))
        // A view command first, on a store whose schema is current: it is opened read-only.
        let viewed = try Examples.loaded()
        try SQLiteStore(path: viewed).execute(sql: unprojected)
        let report = flowc(["report", "--db", viewed] + now)
        #expect(report.code == 0, "\(report.err)")
        #expect(report.err.isEmpty, "\(report.err)")
        #expect(try SQLiteStore(path: viewed).unprojectedSnapshots(limit: 10).isEmpty)
    }
}
