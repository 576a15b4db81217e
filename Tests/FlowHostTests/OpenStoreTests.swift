import FlowHost
import FlowRuntime
@testable import FlowStore
import Foundation
import Testing

/// `DealService.open(writingTo:)`: what every flowc command that changes deals does before its
/// first step, for a program that embeds the runner (docs/embedding.md).
@Suite struct OpenStoreTests {
    let now = at("2024-06-03T02:00:00Z")

    @Test func aStoreIsCreatedAndHeldUntilTheServiceGoes() throws {
        let db = try temporaryDirectory() + "/deals.sqlite"
        do {
            let (service, notes) = try DealService.open(writingTo: db, clock: { [now] in now })
            #expect(notes == [])
            let machine = try service.machines.register(standard)
            let created = service.create(NewDealInput(dealID: "D-1", owner: "li.si", fields: [WrittenValue("customer_name", .string("远山物流"))]),
                                         machine: machine)
            #expect((try? created.get())?.created == true)
            // A second writer finds the lock held: it waits, then gives up at its timeout.
            var waited = 0
            #expect(throws: HostError.self) { _ = try DealService.open(writingTo: db, lockTimeout: 0.2, waiting: { waited += 1 }) }
            #expect(waited == 1)
        }
        // Released with the service: the next writer opens the store and finds the deal.
        let again = try DealService.open(writingTo: db, lockTimeout: 5)
        #expect(try again.service.view("D-1").snapshot.owner == "li.si")
        // Or released by hand, the service kept for reading.
        again.service.writerLock = nil
        let other = try DealService.open(writingTo: db, lockTimeout: 5)
        #expect(try again.service.view("D-1").snapshot.owner == "li.si")
        // It writes no more (QA round 26, E8: it wrote while another service held the lock).
        let refused = again.service.apply([EventInput(actor: "li.si", .set([WrittenValue("competitor", .string("x"))]))], to: "D-1")
        #expect(refused.error?.code == "FC1212" && refused.error?.message.contains("let the store's writer lock go") == true, "\(String(describing: refused.error))")
        #expect(again.service.tick(at: now + 400 * 86_400).failure?.code == "FC1212")
        #expect(try other.service.view("D-1").snapshot.sequence == 1)
    }

    @Test func aFileThatIsNotAStoreIsRefusedBeforeTheLock() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/deals.jsonl"
        try Data("{\"id\": \"D-1\"}\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: HostError.self) { _ = try DealService.open(writingTo: path) }
        do {
            _ = try DealService.open(writingTo: path)
        } catch {
            #expect(error.code == "FC1212")
            #expect(error.message.contains(StoreError.notSQLite), "\(error.message)")
        }
        // Nothing was made beside it.
        #expect(!FileManager.default.fileExists(atPath: path + ".machines"))
    }

    @Test func aStoreWithTwoNamesIsRefusedForWriting() throws {
        let dir = try temporaryDirectory()
        let db = dir + "/deals.sqlite"
        _ = try DealService.open(writingTo: db)
        try FileManager.default.linkItem(atPath: db, toPath: dir + "/copy.sqlite")
        do {
            _ = try DealService.open(writingTo: db)
            Issue.record("a hard-linked store was opened for writing")
        } catch {
            #expect(error.message.contains("has 2 names (hard links)"), "\(error.message)")
        }
        #expect(StoreFile.refusal(at: db, writing: false) == nil)
        #expect(StoreFile.refusal(at: dir, writing: false)?.message.contains("directory") == true)
    }

    /// QA round 26, E6: the paths the commands refuse are refused here too, with their codes,
    /// and nothing is made beside them.
    @Test func aPathThatNamesNoStoreIsRefusedAsTheCommandsRefuseIt() throws {
        let dir = try temporaryDirectory()
        func refusal(_ path: String) -> HostError? {
            do { _ = try DealService.open(writingTo: path); return nil } catch { return error }
        }
        for blank in ["", " ", "\t"] {
            let e = refusal(blank)
            #expect(e?.code == "FC1212" && e?.message.hasPrefix("the store failed: the store path is empty") == true, "\(String(describing: e))")
        }
        #expect(refusal(dir + "/new/")?.message.contains("`\(dir)/new/` ends with `/`: it names a directory, not a store file") == true)
        let missing = refusal(dir + "/nowhere/deals.sqlite")
        #expect(missing?.code == "FC1216", "\(String(describing: missing))")
        #expect(!FileManager.default.fileExists(atPath: dir + "/nowhere"))
        #expect(!FileManager.default.fileExists(atPath: " .machines"))
    }

    /// QA round 26, E4: a store failure (FC1212) says what kind it is, for a host to retry a busy
    /// store and stop at one from a newer flowc without reading the message.
    @Test func aStoreFailureSaysItsKind() throws {
        let dir = try temporaryDirectory()
        func kind(_ path: String, lockTimeout: Double? = nil) -> HostError.StoreProblem? {
            do { _ = try DealService.open(writingTo: path, lockTimeout: lockTimeout); return nil } catch { return error.storeProblem }
        }
        let db = dir + "/deals.sqlite"
        do {
            let held = try DealService.open(writingTo: db)
            #expect(kind(db, lockTimeout: 0.1) == .busy)
            // Worded for a library host too: the lock's other holder may be a service, and the
            // timeout its `lockTimeout:` (QA round 26).
            do { _ = try DealService.open(writingTo: db, lockTimeout: 0.1); Issue.record("not refused") } catch {
                #expect("\(error)".contains("another writer held its writer lock"), "\(error)")
                #expect("\(error)".contains("`lockTimeout:` for a library host"), "\(error)")
            }
            held.service.writerLock = nil
        }
        // SQLite's own lock, held by a program other than flowc (QA round 27, M2), is `.busy`
        // too, after `lockTimeout`.
        do {
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            holder.arguments = ["python3", "-c", """
                import sqlite3, sys
                c = sqlite3.connect(sys.argv[1], isolation_level=None)
                c.execute('BEGIN EXCLUSIVE')
                print('locked', flush=True)
                sys.stdin.read()
                """, db]
            let input = Pipe(), output = Pipe()
            holder.standardInput = input
            holder.standardOutput = output
            try holder.run()
            #expect(String(decoding: output.fileHandleForReading.readData(ofLength: 7), as: UTF8.self) == "locked\n")
            #expect(kind(db, lockTimeout: 0) == .busy)
            try input.fileHandleForWriting.close()
            holder.waitUntilExit()
            #expect(kind(db, lockTimeout: 0) == nil)
        }
        let text = dir + "/deals.jsonl"
        try Data("{}\n".utf8).write(to: URL(fileURLWithPath: text))
        #expect(kind(text) == .notAStore)
        #expect(kind("") == .path)
        #expect(kind(dir) == .path)
        let newer = dir + "/newer.sqlite"
        do {
            let store = try SQLiteStore(path: newer)
            try store.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
            try store.close()
        }
        #expect(kind(newer) == .newerSchema)
        // Wrapped with a deal's words, the kind stays; other codes have none.
        let refused = try DealService.open(writingTo: dir + "/other.sqlite").service
            .apply([EventInput(.set([]))], to: "nobody")
        #expect(refused.error?.code == "FC1203" && refused.error?.storeProblem == nil)
    }

    /// QA round 26, E10: a store restored without its `.machines` directory is said so when
    /// opened, rather than by every deal failing FC1210 one at a time.
    @Test func aStoreWithoutItsMachinesIsSaidSo() throws {
        let dir = try temporaryDirectory()
        let db = dir + "/deals.sqlite"
        do {
            let (service, notes) = try DealService.open(writingTo: db, clock: { [now] in now })
            #expect(notes.isEmpty)
            let m = try service.machines.register(standard)
            _ = service.create(NewDealInput(dealID: "D-1", owner: "li.si", fields: [WrittenValue("customer_name", .string("甲"))]), machine: m)
        }
        #expect(try DealService.open(writingTo: db).notes.isEmpty)
        for file in try FileManager.default.contentsOfDirectory(atPath: db + ".machines") where file.hasSuffix(".ir.json") {
            try FileManager.default.removeItem(atPath: db + ".machines/" + file)
        }
        let notes = try DealService.open(writingTo: db).notes
        #expect(notes == ["the machine archive (the `.machines` directory beside the store's file) has no machine for deal `D-1`: its deals cannot be stepped until the directory is restored with the file (a store is both)"])
        // A negative limit of pending effects is none, in both stores (SQLite read it as all).
        let service = try DealService.open(writingTo: db).service
        #expect(try service.store.undeliveredEffects(limit: -1).isEmpty)
        #expect(try !service.store.undeliveredEffects(limit: 10).isEmpty)
    }
}
