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
}
