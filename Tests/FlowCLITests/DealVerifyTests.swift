import FlowCLI
import Foundation
import Testing
@testable import FlowStore
import FlowRuntime

/// `flowc deal verify`: each deal's stored snapshot is the fold of its log, checked on demand.
@Suite struct DealVerifyTests {
    @Test func everyDealOfTheExamplesIsTheFoldOfItsLog() throws {
        let db = try Examples.loaded()
        let all = flowc("deal", "verify", "--db", db)
        #expect(all.code == 0, "\(all.err)")
        #expect(all.out == "verified 6 deals: each snapshot is the fold of its log; the store's structure is sound\n")
        #expect(flowc("deal", "verify", "D-1003", "--db", db).out == "verified 1 deal: each snapshot is the fold of its log\n")
        // A deal that is not in the store is named, and counted apart from those that differ.
        let missing = flowc("deal", "verify", "D-1003", "D-9", "--db", db)
        #expect(missing.code == 1)
        #expect(missing.out == "D-9: error[FC1203]: there is no deal `D-9` in the store\nverified 1 deal: each snapshot is the fold of its log; 1 not in the store\n")
    }

    /// The store's own structure: a table gone is found with the deals all matching, said, and
    /// exit 1 (QA round 41, A4: `verify` passed a store whose outbox was gone).
    @Test func aTableGoneIsFoundByTheStructureCheck() throws {
        let db = try Examples.loaded()
        let store = try SQLiteStore(path: db)
        try store.execute(sql: "DROP TABLE customer_key_backfill")
        try store.close()
        let r = flowc("deal", "verify", "--db", db)
        #expect(r.code == 1)
        #expect(r.out == "store: the table `customer_key_backfill` is missing\nverified 6 deals: each snapshot is the fold of its log; the store's structure has 1 problem: restore the store from a backup\n", "\(r.out)")
        let json = flowc("deal", "verify", "--json", "--db", db)
        #expect(json.code == 1)
        let o = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect(o["structure"] as? [String] == ["the table `customer_key_backfill` is missing"])
        // Deals named: their logs only.
        #expect(flowc("deal", "verify", "D-1003", "--db", db).code == 0)
    }

    /// A deal row gone, its log and outbox rows left: the structure check counts them (QA round
    /// 44, R2: `outbox list` said the store was damaged, and `deal verify` that it was sound).
    @Test func rowsOfADealWhoseRowIsGoneAreFound() throws {
        let db = try Examples.loaded()
        let store = try SQLiteStore(path: db)
        try store.execute(sql: "PRAGMA foreign_keys = OFF")
        try store.execute(sql: "DELETE FROM deals WHERE deal_id = 'D-1003'")
        try store.close()
        let r = flowc("deal", "verify", "--db", db)
        #expect(r.code == 1)
        let lines = r.out.split(separator: "\n").filter { $0.hasPrefix("store: ") }
        #expect(lines.count == 2, "\(r.out)")
        #expect(lines.first?.hasSuffix(" logged events belong to no deal row: the rows of their deals are gone") == true, "\(r.out)")
        #expect(lines.last?.hasSuffix(" outbox effects belong to no deal row: the rows of their deals are gone") == true, "\(r.out)")
    }

    /// A store failure partway through a command names the store, in text and in JSON's
    /// `location`, as a failure to open it does (QA round 41, A8).
    @Test func aStoreFailureAfterTheOpenNamesTheStore() throws {
        let db = try Examples.loaded()
        let store = try SQLiteStore(path: db)
        try store.execute(sql: "DROP TABLE outbox")
        try store.close()
        let r = flowc("outbox", "list", "--db", db)
        #expect(r.code == 2)
        #expect(r.err.hasPrefix("\(db): error[FC1212]: the store failed: SQLite error 1: no such table: outbox"), "\(r.err)")
        let json = flowc("outbox", "list", "--json", "--db", db)
        let o = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: [String: Any]])
        #expect(o["error"]?["location"] as? String == db, "\(json.out)")
    }

    /// A log that stops replaying (here an event logged under runner rules this flowc does not
    /// know, FC1177): `verify` names the deal, and `history` and `why` show what replays, then
    /// fail with the reason, rather than pass a shortened history off as the whole.
    @Test func aLogThatStopsReplayingIsNamedByVerifyHistoryAndWhy() throws {
        let db = try Examples.loaded()
        let store = try SQLiteStore(path: db)
        try store.execute(sql: """
            DROP TRIGGER events_no_update;
            UPDATE events SET payload = replace(payload, '"rules":\(StepContext.currentRules)', '"rules":99')
            WHERE deal = (SELECT id FROM deals WHERE deal_id = 'D-1005') AND seq = 2
            """)
        try store.close()
        let verify = flowc("deal", "verify", "D-1005", "--db", db)
        #expect(verify.code == 1)
        #expect(verify.out.contains("FC1177"), "\(verify.out)")
        // Numbered as the log is, from 1: the second entry is #2.
        #expect(verify.out.contains("the log does not replay: event #2 ("), "\(verify.out)")
        let history = flowc("deal", "history", "D-1005", "--db", db)
        #expect(history.code != 0)
        #expect(history.out.hasPrefix("#1 ") && !history.out.contains("\n#2 "), "\(history.out)")
        #expect(history.err.contains("error[FC1213]") && history.err.contains("FC1177"), "\(history.err)")
        let why = flowc("deal", "why", "D-1005", "--db", db)
        #expect(why.code != 0)
        #expect(why.err.contains("error[FC1213]"), "\(why.err)")
    }

    @Test func aSnapshotEditedInTheStoreIsNamed() throws {
        let db = try Examples.loaded()
        let store = try SQLiteStore(path: db)
        try store.execute(sql: #"UPDATE deals SET snapshot = replace(snapshot, '"idleWarned":false', '"idleWarned":true') WHERE deal_id = 'D-1005'"#)
        try store.close()
        let r = flowc("deal", "verify", "--db", db)
        #expect(r.code == 1)
        #expect(r.out.hasPrefix("D-1005: "), "\(r.out)")
        #expect(r.out.hasSuffix("verified 6 deals: 1 differs; the store's structure is sound\n"), "\(r.out)")
        // In JSON, for a monitor that runs it from cron (review of the CLI, C7: no JSON form).
        let json = flowc("deal", "verify", "--json", "--db", db)
        #expect(json.code == 1)
        let o = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect(o["checked"] as? Int == 6 && o["matching"] as? Int == 5 && (o["missing"] as? [String])?.isEmpty == true)
        let differing = try #require(o["differing"] as? [[String: Any]])
        #expect(differing.count == 1 && differing[0]["deal"] as? String == "D-1005", "\(json.out)")
        #expect((differing[0]["problem"] as? String).map { r.out.hasPrefix("D-1005: " + $0) } == true, "\(json.out)")
        #expect(differing[0]["code"] is NSNull, "\(json.out)")
        // A stored deal that cannot be read: its code apart from its words (QA round 31).
        let again = try SQLiteStore(path: db)
        try again.execute(sql: "UPDATE deals SET snapshot = '{' WHERE deal_id = 'D-1001'")
        try again.close()
        let unreadable = try #require(try JSONSerialization.jsonObject(with: Data(flowc("deal", "verify", "D-1001", "--json", "--db", db).out.utf8)) as? [String: Any])
        let entry = try #require((unreadable["differing"] as? [[String: Any]])?.first)
        #expect(entry["code"] as? String == "FC1213" && (entry["problem"] as? String)?.hasPrefix("the stored deal `D-1001` cannot be read") == true, "\(entry)")
        let named = flowc("deal", "verify", "D-1003", "nope", "D-1003", "nope", "--json", "--db", db)
        #expect(named.code == 1)
        #expect(named.out == #"{"checked":1,"differing":[],"matching":1,"missing":["nope"],"structure":[]}"# + "\n", "\(named.out)")
        let unknown = flowc("deal", "verify", "nope", "--db", db)
        #expect(unknown.code == 1)
        #expect(unknown.out.contains("nope: error[FC1203]"), "\(unknown.out)")
    }
}
