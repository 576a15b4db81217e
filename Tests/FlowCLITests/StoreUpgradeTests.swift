import FlowCLI
@testable import FlowStore
import Foundation
import Synchronization
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
                + "earlier: the next `flowc tick` fires them at once (due dates, escalations, idle warnings, returns to the public pool): `D-1003`, `D-1005`, `D-1006`\n")
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
                + "earlier: the next `flowc tick` fires them at once (due dates, escalations, idle warnings, returns to the public pool): `D-1003`, `D-1005`, `D-1006`\n", "\(run.err)")
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

    /// A deal listed for its customer keys that the store cannot find again by its id (a damaged
    /// id, not UTF-8) is counted as unreadable, and the command goes on (store review, finding 3:
    /// every writing command went round it for ever, holding the writer lock).
    @Test func aListedDealWithADamagedIdDoesNotStopTheBackfill() throws {
        let db = try Examples.loaded()
        try SQLiteStore(path: db).execute(sql: """
            UPDATE deals SET deal_id = CAST(x'44ff31' AS TEXT) WHERE deal_id = 'D-1003';
            INSERT INTO customer_key_backfill SELECT id FROM deals WHERE deal_id IN ('D-1001', CAST(x'44ff31' AS TEXT));
            """)
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<(code: Int32, out: String, err: String)?>(nil)
        Thread {
            let r = flowc("deal", "event", "D-1004", "--set", "intent=low", "--db", db, "--now", "2024-07-01T00:00:00Z")
            result.withLock { $0 = r }
            done.signal()
        }.start()
        #expect(done.wait(timeout: .now() + 60) == .success, "the command did not finish in 60 s")
        let r = try #require(result.withLock { $0 })
        #expect(r.code == 0, "\(r.err)")
        #expect(r.err.hasPrefix("note: \(db): computed the customer keys of 1 deal\nnote: \(db): 1 deal could not be read to compute its "
                                + "customer key (`D\u{FFFD}1`), and the duplicate check does not see it; `flowc deal verify` reports it\n"), "\(r.err)")
        #expect(try SQLiteStore(path: db).customerKeyBackfill(limit: 10).count == 1)
    }
}

/// A stored snapshot that does not count the events its log holds is refused for that deal,
/// FC1213, and a tick goes on with the other due deals (store review, finding 4: a sequence of
/// Int64.max overflowed in the step and the process stopped, a tick with it).
@Suite struct SnapshotOutOfStepTests {
    @Test func aSnapshotAheadOfItsLogIsRefusedNotStepped() throws {
        let db = try Examples.loaded()
        try SQLiteStore(path: db).execute(sql: """
            UPDATE deals SET snapshot = json_set(snapshot, '$.sequence', 9223372036854775807) WHERE deal_id = 'D-1003'
            """)
        let now = ["--now", "2024-07-01T00:00:00Z"]
        let event = flowc(["deal", "event", "D-1003", "--set", "intent=low", "--db", db] + now)
        #expect(event.code == 2)
        #expect(event.err == "error[FC1213]: deal `D-1003`, set: the stored deal `D-1003` cannot be read: its snapshot is after "
                + "event 9223372036854775807, its log after event 17 (a damaged store; `flowc deal verify` compares them)\n")
        let tick = flowc(["tick", "--db", db] + now)
        #expect(tick.code == 1)
        #expect(tick.out.contains("returned to the public pool: D-1005, D-1006"), "\(tick.out)")
        #expect(tick.err.contains("D-1003: error[FC1213]"), "\(tick.err)")
    }
}
