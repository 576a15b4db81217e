import Foundation
import Testing
@testable import FlowStore

/// What only the SQLite store has: a file, a schema version, query plans.
@Suite("SQLiteStore")
struct SQLiteStoreTests {
    final class Directory {
        let url: URL
        init() throws { url = try makeTemporaryDirectory() }
        deinit { try? FileManager.default.removeItem(at: url) }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    }

    @Test func storeIsCreatedOnFirstUseWithItsDirectoriesAndTheCurrentSchema() throws {
        let directory = try Directory()
        let path = directory.path("a/b/deals.sqlite")
        let store = try SQLiteStore(path: path)
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(try store.schemaVersion() == SQLiteStore.currentSchemaVersion)
        #expect(SQLiteStore.currentSchemaVersion == 5)
    }

    /// The busy handler waits as SQLite's own does, stops at the timeout, and tells of the wait
    /// once, after `noteAfter`, however many waits there are.
    @Test func theBusyHandlerWaitsToTheTimeoutAndTellsOnce() throws {
        #expect(SQLiteStore.busyWaited(beforeTry: 0) == 0)
        #expect(SQLiteStore.busyWaited(beforeTry: 3) == 8)
        #expect(SQLiteStore.busyWaited(beforeTry: 12) == 328)
        #expect(SQLiteStore.busyWaited(beforeTry: 15) == 628)
        final class Count: @unchecked Sendable { var n = 0 }
        let told = Count()
        let handler = SQLiteStore.busyHandler(timeout: 0.06, noteAfter: 0.03) { told.n += 1 }
        var tries = 0
        while handler(tries) { tries += 1 }
        // 1+2+5+10+15+20 = 53 ms slept before try 6, past 0.03 s; try 7 would be at 78 ms.
        #expect(tries == 7)
        #expect(told.n == 1)
        // A second wait on the same store is not told again.
        #expect(handler(0) && handler(5) && handler(6))
        #expect(told.n == 1)
        let never = SQLiteStore.busyHandler(timeout: 0, noteAfter: 0) { told.n += 1 }
        #expect(!never(0))
        #expect(told.n == 1)
    }

    /// An undelivered effect whose deal row cannot be read (a damaged store) fails the listing,
    /// rather than being left out of it (QA round 41, A3: `outbox list` said 28 effects waiting,
    /// with exit 0, where 36 were).
    @Test func anEffectWhoseDealRowCannotBeReadFailsTheOutbox() throws {
        let directory = try Directory()
        let store = try SQLiteStore(path: directory.path("deals.sqlite"))
        _ = try store.append(ToyHost.fresh("D-1", event: "e1", effects: ["x1"]))
        _ = try store.append(ToyHost.fresh("D-2", event: "e1", effects: ["x2", "x3"]))
        #expect(try store.undeliveredEffects(limit: 10).count == 3)
        try store.write { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            try db.execute(sql: "DELETE FROM deals WHERE deal_id = 'D-2'")
        }
        #expect {
            try store.undeliveredEffects(limit: 10)
        } throws: { error in
            (error as? StoreError)?.code == .database
                && (error as? StoreError)?.message == "undelivered effect `x2` (outbox position 2) belongs to a deal whose row cannot be read: the store is damaged (`flowc deal verify` names the deals it can)"
        }
    }

    /// A full disk and a damaged file are said in words an engineer acts on (QA round 41, A1: a
    /// full disk was "SQLite error 4874: disk I/O error", read as failing hardware; A8:
    /// "malformed" came with nothing to do).
    @Test func aFullDiskAndADamagedFileSayWhatToDo() {
        let full = StoreError.sqlite(13, "database or disk is full")
        #expect(full.message == "SQLite error 13: database or disk is full: the disk holding the store has no room left; free space on it and run the command again (what the failed write held was not written)")
        let shm = StoreError.sqlite(4874, "disk I/O error")
        #expect(shm.message == "SQLite error 4874: disk I/O error: the store's shared-memory file (its `-shm`) could not grow, which usually means the disk holding the store is full; free space on it and run the command again")
        let damaged = StoreError.sqlite(11, "database disk image is malformed")
        #expect(damaged.message == "SQLite error 11: database disk image is malformed: the store's file is damaged; `flowc deal verify` names the deals it can still read, and a backup of the store (its file, its `-wal` and its `.machines` directory, together) restores it")
        #expect(StoreError.sqlite(1, "no such table: outbox").message == "SQLite error 1: no such table: outbox")
    }

    /// A damaged page of an index the deals' logs never read, and a table gone: the store's
    /// structure check finds both, where replaying every deal found neither (QA round 41, A4).
    @Test func theStructureCheckFindsADamagedIndexAndAMissingTable() throws {
        let directory = try Directory()
        let path = directory.path("deals.sqlite")
        var store: SQLiteStore? = try SQLiteStore(path: path)
        var host = ToyHost()
        for n in 0..<200 { _ = try store?.append(host.next("D-\(n)", event: "e1", effects: ["x\(n)"])) }
        #expect(try store?.structureProblems(limit: 20) == [])
        let root = try store?.read { db in try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'outbox_pending'") } ?? nil
        let page = try store?.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") } ?? nil
        try store?.checkpoint()
        try store?.close()
        store = nil
        let file = try #require(FileHandle(forUpdatingAtPath: path))
        try file.seek(toOffset: UInt64((try #require(root) - 1) * (try #require(page)) + 8))
        try file.write(contentsOf: Data(repeating: 0xA5, count: 1500))
        try file.close()
        let damaged = try SQLiteStore(path: path)
        let problems = try damaged.structureProblems(limit: 20)
        #expect(!problems.isEmpty, "\(problems)")
        #expect(problems.count <= 20)
        let other = try SQLiteStore(path: directory.path("other.sqlite"))
        try other.execute(sql: "DROP TABLE customer_key_backfill")
        #expect(try other.structureProblems(limit: 20) == ["the table `customer_key_backfill` is missing"])
    }

    @Test func reopeningKeepsTheDataAndDoesNotMigrateAgain() throws {
        let directory = try Directory()
        let path = directory.path("deals.sqlite")
        var host = ToyHost()
        do {
            let store = try SQLiteStore(path: path)
            _ = try store.append([host.next("d1", event: "e1", effects: ["x"]), host.next("d1", event: "e2")])
            try store.close()
        }
        let store = try SQLiteStore(path: path)
        #expect(try store.allEvents(of: "d1").map(\.eventID) == ["e1", "e2"])
        #expect(try store.undeliveredEffects(limit: 5).map(\.effectID) == ["x"])
        #expect(try store.schemaVersion() == 5)
        #expect(try store.append(host.next("d1", event: "e3")) == .appended(sequence: 3))
    }

    /// A store in a directory the reader cannot write (a read-only mount, another user's store)
    /// is read as an immutable file once its writer has closed it: SQLite could not make the
    /// shared-memory file of a WAL reader, and read-only commands failed with "attempt to write
    /// a readonly database". (Run as root, the tests cannot take the directory's write
    /// permission away; this opens the file the way the store then does.)
    @Test func aClosedStoreReadsAsAnImmutableFile() throws {
        let directory = try Directory()
        let path = directory.path("odd dir #1?/deals.sqlite")
        do {
            let store = try SQLiteStore(path: path)
            var host = ToyHost()
            _ = try store.append([host.next("d1", event: "e1", effects: ["x"]), host.next("d1", event: "e2")])
            try store.close()
        }
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
        let uri = SQLiteStore.immutableURI(path)
        #expect(uri.hasPrefix("file:/") && uri.hasSuffix("/odd%20dir%20%231%3F/deals.sqlite?immutable=1"))
        let reader = try SQLiteStore(immutableAt: path)
        #expect(try reader.allEvents(of: "d1").map(\.eventID) == ["e1", "e2"])
        try reader.close()
        #expect(!FileManager.default.fileExists(atPath: path + "-shm"))
    }

    /// SQLite's memory statistics take a global mutex on every allocation; the store turns them
    /// off before the process's first connection (every opener in FlowStore goes through it).
    @Test func sqliteMemoryStatisticsAreOffOnceAStoreIsOpen() throws {
        let directory = try Directory()
        let store = try SQLiteStore(path: directory.path("deals.sqlite"))
        var host = ToyHost()
        _ = try store.append([host.next("d1", event: "e1", effects: ["x"])])
        #expect(SQLiteStore.processTuned)
        #expect(SQLiteStore.countedSQLiteMemory == 0)
    }

    /// A store left at schema version 2 (the log clustered by deal) is upgraded to version 3 (the
    /// log in append order) when a newer flowc opens it: every event keeps its deal, position in
    /// the deal's log, id and payload; re-delivered ids are still recognised; appends go on.
    @Test func aVersion2StoreIsUpgradedWithItsLogIntact() throws {
        let directory = try Directory()
        let path = directory.path("deals.sqlite")
        var host = ToyHost()
        var records: [AppendRecord] = []
        for round in 0..<6 {
            for deal in 0..<5 where deal <= round {
                records.append(host.next("d\(deal)", event: "e\(round)", amount: round + deal, effects: ["fx-\(deal)-\(round)"]))
            }
        }
        // The rows version 2 wrote for these records: each deal's row with its last snapshot,
        // its log clustered by deal, its effects.
        func text(_ data: Data) -> String { "'" + String(decoding: data, as: UTF8.self).replacingOccurrences(of: "'", with: "''") + "'" }
        var sql = ""
        for deal in 0..<5 {
            let mine = records.filter { $0.dealID == "d\(deal)" }
            let last = try #require(mine.last)
            sql += """
                INSERT INTO deals (id, deal_id, last_seq, template_hash, status, is_open, current_nodes, snapshot)
                VALUES (\(deal + 1), 'd\(deal)', \(mine.count), 't1', 'open', 1, '', \(text(last.snapshot)));

                """
            for (offset, record) in mine.enumerated() {
                sql += "INSERT INTO events (deal, seq, event_id, payload) VALUES (\(deal + 1), \(offset + 1), '\(record.eventID)', \(text(record.event)));\n"
                for effect in record.effects {
                    sql += "INSERT INTO outbox (deal, effect_id, event_seq, payload) VALUES (\(deal + 1), '\(effect.effectID)', \(offset + 1), \(text(effect.payload)));\n"
                }
            }
        }
        try SQLiteStore.forgeFile(path: path, schemaVersion: 2, sql: sql)
        let store = try SQLiteStore(path: path)
        #expect(try store.schemaVersion() == 5)
        #expect(try store.scalar("SELECT count(*) FROM pragma_table_info('events') WHERE name = 'position'") == "1")
        for deal in 0..<5 {
            let log = try store.allEvents(of: "d\(deal)", pageSize: 2)
            #expect(log.map(\.eventID) == (deal..<6).map { "e\($0)" })
            #expect(log.map(\.payload) == records.filter { $0.dealID == "d\(deal)" }.map(\.event))
        }
        #expect(try expectEverySnapshotIsTheFoldOfItsLog(store) == 5)
        #expect(try store.undeliveredEffects(limit: 100).count == records.count)
        // A re-delivered event is recognised through the rebuilt index; the log goes on.
        #expect(try store.append(records[0]) == .duplicate(sequence: 1))
        #expect(try store.append(host.next("d4", event: "e6")) == .appended(sequence: 3))
        #expect(try store.allEvents(of: "d4").map(\.eventID) == ["e4", "e5", "e6"])
        // The log is still append-only.
        #expect(throws: (any Error).self) { try store.execute(sql: "DELETE FROM events") }
        #expect(throws: (any Error).self) { try store.execute(sql: "UPDATE events SET payload = '{}'") }
    }

    /// A store of an older schema that this user cannot write is not read half-upgraded: the
    /// error says who can upgrade it (QA round 20). Tests run as root, which may write any file,
    /// so the decision is checked on its own, and by hand as another user (docs: the closing note).
    @Test func anOlderStoreThisUserCannotUpgradeSaysWhoCan() throws {
        let problem = try #require(SQLiteStore.upgradeNeeded(from: 4))
        #expect(problem.description.contains("the store is from an older flowc (schema version 4) and is upgraded to version 5 before it is read, which this user cannot do"), "\(problem)")
        // The command it names upgrades the store and changes nothing else (QA round 21: `flowc
        // tick` would also fire the timers that are due).
        #expect(problem.description.contains("(`flowc outbox ack --stdin --db … < /dev/null` upgrades it and changes nothing else)"), "\(problem)")
        #expect(SQLiteStore.upgradeNeeded(from: SQLiteStore.currentSchemaVersion) == nil)
        #expect(SQLiteStore.upgradeNeeded(from: 0) == nil)
        #expect(SQLiteStore.upgradeNeeded(from: 99) == nil)
        // The version is read from the file's header, as SQLite keeps it.
        let directory = try Directory()
        try SQLiteStore.forgeFile(path: directory.path("v4.sqlite"), schemaVersion: 4, sql: "")
        #expect(SQLiteStore.headerUserVersion(directory.path("v4.sqlite")) == 4)
        #expect(SQLiteStore.headerUserVersion(directory.path("none.sqlite")) == nil)
    }

    /// Version 5 indexes an owner's open deals by template: a version-4 file's deals are counted
    /// per template once upgraded, from the index alone.
    @Test func upgradingFromVersion4CountsAnOwnersDealsPerTemplate() throws {
        let directory = try Directory()
        let path = directory.path("v4.sqlite")
        var sql = ""
        for (n, template, open) in [(1, "sale", 1), (2, "sale", 1), (3, "renewal", 1), (4, "sale", 0)] {
            sql += """
                INSERT INTO deals (id, deal_id, last_seq, template_hash, status, is_open, owner, pool, current_nodes, template_id, snapshot)
                VALUES (\(n), 'd\(n)', 1, 'h', 'open', \(open), 'li', 'private', '', '\(template)', '{}');

                """
        }
        sql += "INSERT INTO deals (id, deal_id, last_seq, template_hash, status, is_open, owner, current_nodes, snapshot) VALUES (5, 'd5', 1, 'h', 'open', 1, 'li', '', '{}');\n"
        // Keys are computed again where they hold a format character (keys no longer keep one).
        sql += "UPDATE deals SET customer_key = 'customer_name' || char(31) || '星辰' || char(8203) || '科技' WHERE id = 1;\n"
        sql += "UPDATE deals SET customer_key = 'customer_name' || char(31) || '星辰科技' WHERE id = 2;\n"
        try SQLiteStore.forgeFile(path: path, schemaVersion: 4, sql: sql)
        let store = try SQLiteStore(path: path)
        #expect(try store.schemaVersion() == 5)
        // d5 has no view columns yet: it counts for both.
        #expect(try store.openDealCount(ownedBy: "li", template: "sale") == 3)
        #expect(try store.openDealCount(ownedBy: "li", template: "renewal") == 2)
        #expect(try store.scalar("SELECT sql FROM sqlite_master WHERE name = 'deals_owner_open'")?.contains("deals(owner, template_id, is_open)") == true)
        #expect(try store.scalar("SELECT group_concat(deal) FROM customer_key_backfill") == "1")
    }

    /// Opening tells the caller before it upgrades a store from an older flowc (from, to), and
    /// says nothing for a new file or a current one.
    @Test func openingSaysWhenItUpgradesAnOlderStore() throws {
        let directory = try Directory()
        var told: [String: [[Int]]] = [:]
        for (name, version) in [("v1.sqlite", 1), ("v2.sqlite", 2)] {
            try SQLiteStore.forgeFile(path: directory.path(name), schemaVersion: version, sql: "")
        }
        for name in ["v1.sqlite", "v2.sqlite", "new.sqlite", "v2.sqlite"] {
            let store = try SQLiteStore(path: directory.path(name)) { from, to in told[name, default: []].append([from, to]) }
            #expect(try store.schemaVersion() == SQLiteStore.currentSchemaVersion)
            try store.close()
        }
        // The second opening of v2.sqlite finds it current.
        #expect(told == ["v1.sqlite": [[1, 5]], "v2.sqlite": [[2, 5]]])
    }

    /// GRDB's WAL set-up sets `synchronous = NORMAL` on the writer after the store's own set-up;
    /// the durability asked for must be what the writer runs with (FULL: the log is synced at
    /// every commit, so an acknowledged append survives a power loss).
    @Test(arguments: [(SQLiteStore.Durability.powerLoss, 2), (.processCrash, 1)])
    func theWriterRunsWithTheDurabilityAskedFor(_ durability: SQLiteStore.Durability, synchronous: Int) throws {
        let directory = try Directory()
        let path = directory.path("deals.sqlite")
        do {
            let store = try SQLiteStore(path: path, durability: durability)
            #expect(try store.writerSynchronous() == synchronous)
            try store.close()
        }
        // Reopening an existing file (the schema already there) sets it again.
        let store = try SQLiteStore(path: path, durability: durability)
        #expect(try store.writerSynchronous() == synchronous)
    }

    /// A binding SQLite refuses is not dropped: the statement's next step throws it, with
    /// SQLite's message, and a reset clears it.
    @Test func aRefusedBindingFailsTheStepInsteadOfBindingNothing() throws {
        let directory = try Directory()
        let store = try SQLiteStore(path: directory.path("deals.sqlite"))
        try store.read { db in
            let statement = try RawStatement(cached: db.cachedStatement(sql: "SELECT ?1"), db)
            statement.bind(7, "out of range")
            #expect(throws: StoreError.self) { try statement.step() }
            statement.reset()
            statement.bind(1, "fine")
            #expect(try statement.step())
            #expect(statement.text(0) == "fine")
            statement.reset()
        }
    }

    @Test func aCheckpointEmptiesTheWriteAheadLogAndKeepsEverything() throws {
        let directory = try Directory()
        let path = directory.path("deals.sqlite")
        let store = try SQLiteStore(path: path)
        var host = ToyHost()
        _ = try store.append((0..<200).map { host.next("d\($0 % 7)", event: "e\($0)", effects: ["fx-\($0)"]) })
        let wal = path + "-wal"
        let before = try #require(try FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int)
        #expect(before > 0)
        try store.checkpoint()
        #expect(try FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int == 0)
        #expect(try store.allEvents(of: "d0").count == 29)
        #expect(try store.undeliveredEffects(limit: 1_000).count == 200)
        #expect(try expectEverySnapshotIsTheFoldOfItsLog(store) == 7)
    }

    /// Two stores on one file (as two processes would be): writes are serialised by SQLite, and a
    /// writer that stepped a snapshot the other one has since moved on is refused, not merged.
    @Test func aSecondWriterOnTheSameFileCannotAppendAStaleStep() throws {
        let directory = try Directory()
        let path = directory.path("deals.sqlite")
        let first = try SQLiteStore(path: path)
        let second = try SQLiteStore(path: path)
        var hostA = ToyHost()
        _ = try first.append(hostA.next("d1", event: "e1"))
        var hostB = hostA  // both have seen e1
        #expect(try first.append(hostA.next("d1", event: "from-a")) == .appended(sequence: 2))
        #expect(try second.append(hostB.next("d1", event: "from-b")).isRejected(.sequenceConflict))
        #expect(try second.allEvents(of: "d1").map(\.eventID) == ["e1", "from-a"])
        #expect(try first.deal("d1")?.lastSequence == 2)
    }

    @Test func aFileFromANewerFlowcIsRefused() throws {
        let directory = try Directory()
        let path = directory.path("deals.sqlite")
        do {
            let store = try SQLiteStore(path: path)
            try store.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v2-from-the-future')")
            try store.close()
        }
        #expect { try SQLiteStore(path: path) } throws: { ($0 as? StoreError)?.code == .newerSchema }
    }

    /// `user_version` is flowc's schema version: a file stamped with a later one is from a newer
    /// flowc, refused as one; and the stamp is never lowered. (It was accepted and stamped 3.)
    @Test func aFileStampedWithANewerSchemaVersionIsRefusedAndKeepsItsStamp() throws {
        let directory = try Directory()
        let path = directory.path("deals.sqlite")
        do {
            let store = try SQLiteStore(path: path)
            try store.execute(sql: "PRAGMA user_version = 99")
            try store.close()
        }
        #expect { try SQLiteStore(path: path) } throws: { ($0 as? StoreError)?.code == .newerSchema }
        #expect { try SQLiteStore(path: path, readOnly: true) } throws: { ($0 as? StoreError)?.code == .newerSchema }
        #expect(try SQLiteStore.inspect(path, "PRAGMA user_version") == "99")
    }

    /// A store opened to be read writes nothing: not the schema stamps, not the schema (a
    /// read-only file, a backup, another user's store can be read). A store of an older schema is
    /// still upgraded first.
    @Test func aStoreOpenedToBeReadWritesNothing() throws {
        let directory = try Directory()
        let path = directory.path("deals.sqlite")
        do {
            let store = try SQLiteStore(path: path)
            var host = ToyHost()
            _ = try store.append(host.next("d1", event: "e1"))
            try store.checkpoint()
            try store.close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let schemaBefore = try SQLiteStore.inspect(path, "PRAGMA schema_version")
        for _ in 0..<3 {
            let reader = try SQLiteStore(path: path, readOnly: true)
            #expect(try reader.deal("d1")?.lastSequence == 1)
            #expect(throws: StoreError.self) { try reader.append(ToyHost.fresh("d2", event: "e1")) }
            try reader.close()
        }
        #expect(try SQLiteStore.inspect(path, "PRAGMA schema_version") == schemaBefore)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func anotherApplicationsDatabaseIsRefused() throws {
        let directory = try Directory()
        let path = directory.path("other.sqlite")
        do {
            let store = try SQLiteStore(path: path)
            try store.execute(sql: "PRAGMA application_id = 1234")
            try store.close()
        }
        #expect { try SQLiteStore(path: path) } throws: { ($0 as? StoreError)?.code == .notAStore }
    }

    /// A file that is not SQLite at all is not a store (it was "SQLite error 26", a database
    /// failure, which reads as if a store were damaged).
    @Test func aFileThatIsNotSQLiteIsNotAStore() throws {
        let directory = try Directory()
        let path = directory.path("garbage.sqlite")
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        #expect { try SQLiteStore(path: path) } throws: {
            ($0 as? StoreError) == StoreError(.notAStore, "the file is not an SQLite database, so not a flowc store")
        }
    }

    @Test func theEventLogRefusesUpdatesAndDeletes() throws {
        let directory = try Directory()
        let store = try SQLiteStore(path: directory.path("deals.sqlite"))
        var host = ToyHost()
        _ = try store.append(host.next("d1", event: "e1"))
        #expect { try store.execute(sql: "UPDATE events SET payload = '{}'") } throws: {
            ($0 as? StoreError)?.message.contains("append-only") == true
        }
        #expect { try store.execute(sql: "DELETE FROM events") } throws: {
            ($0 as? StoreError)?.message.contains("append-only") == true
        }
        #expect(try store.allEvents(of: "d1").count == 1)
    }

    @Test func payloadsAreStoredAsReadableJSONText() throws {
        let directory = try Directory()
        let store = try SQLiteStore(path: directory.path("deals.sqlite"))
        var host = ToyHost()
        _ = try store.append(host.next("d1", event: "e1", amount: 7, effects: ["x"]))
        #expect(try store.scalar("SELECT typeof(payload) FROM events") == "text")
        #expect(try store.scalar("SELECT json_extract(payload, '$.amount') FROM events") == "7")
        #expect(try store.scalar("SELECT json_extract(payload, '$.total') FROM snapshots") == "7")
        #expect(try store.scalar("SELECT typeof(payload) FROM outbox") == "text")
        #expect(try store.allEvents(of: "d1").first?.payload == ToyDeal.encode(ToyDeal.Event(id: "e1", amount: 7)))
    }

    /// The queries the runner makes at scale are answered through an index, in index order: no
    /// table scan and no sort.
    @Test(arguments: [
        (SQLiteStore.dueDealsSQL, ["0", "10"], "COVERING INDEX deals_next_timer"),
        (SQLiteStore.dueDealsAfterSQL, ["0", "0", "d", "10"], "COVERING INDEX deals_next_timer"),
        (SQLiteStore.poolSQL(.person("li")), ["private", "li", "", "10"], "INDEX deals_pool_owner (pool=? AND owner=? AND deal_id>?)"),
        (SQLiteStore.poolSQL(.nobody), ["public", "", "10"], "INDEX deals_pool_owner (pool=? AND owner=? AND deal_id>?)"),
        (SQLiteStore.customerSQL, ["acme"], "PRIMARY KEY (key=?)"),
        (SQLiteStore.ownerCountSQL, ["li", "t"], "COVERING INDEX deals_owner_open (owner=?)"),
        (SQLiteStore.pendingSQL, ["0", "10"], "INDEX outbox_pending (position>?)"),
        (SQLiteStore.eventsSQL, ["d1", "0", "10"], "INDEX events_deal_seq (deal=? AND seq>?)"),
    ] as [(String, [String?], String)])
    func hotQueriesUseTheirIndex(sql: String, arguments: [String?], index: String) throws {
        let directory = try Directory()
        let store = try SQLiteStore(path: directory.path("deals.sqlite"))
        let plan = try store.queryPlan(sql, arguments: arguments)
        #expect(plan.contains { $0.contains(index) }, "\(plan)")
        #expect(!plan.contains { $0.hasPrefix("SCAN") && !$0.contains("INDEX") }, "\(plan)")
        #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
    }
}
