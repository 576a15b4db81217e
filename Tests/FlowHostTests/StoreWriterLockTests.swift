import FlowHost
import FlowStore
import FlowDiagnostics
import Foundation
import Testing

@Suite struct StoreWriterLockTests {
    func temporaryDatabase() throws -> String {
        try temporaryDirectory() + "/deals.sqlite"
    }

    /// A store file and a symbolic link to it, `link.sqlite`, beside it.
    func linkedDatabase() throws -> (db: String, link: String) {
        let db = try temporaryDatabase()
        let link = (db as NSString).deletingLastPathComponent + "/link.sqlite"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "deals.sqlite")
        _ = FileManager.default.createFile(atPath: db, contents: nil)
        return (db, link)
    }

    /// A store this user may not write (a read-only directory or file system, another user's
    /// files) says what writing needs and that reading works (QA round 19: the bare
    /// "Permission denied" or SQLite's "attempt to write a readonly database"). The tests run as
    /// root, which the file system lets write anywhere, so the errors are made directly.
    @Test func anUnwritableStoreSaysWhatWritingNeeds() {
        let denied = StoreWriterLock.cannot("open", "/srv/s.sqlite.machines/writer.lock", EACCES)
        #expect(denied.code == "FC1212")
        #expect(denied.message == "the store failed: cannot open /srv/s.sqlite.machines/writer.lock: Permission denied; "
            + HostMessages.Phrase.notWritable)
        #expect(StoreWriterLock.cannot("open", "/x", EIO).message == "the store failed: cannot open /x: Input/output error")
        let readonly = HostError.store(StoreError(.database, "SQLite error 8: attempt to write a readonly database"))
        #expect(readonly.message.hasSuffix("; " + HostMessages.Phrase.notWritable))
    }

    /// A second writer waits, says so once, and goes on as soon as the first lets go; the lock
    /// lives in the machines directory, which it makes.
    @Test func aSecondWriterWaitsForTheFirst() throws {
        let db = try temporaryDatabase()
        var first: StoreWriterLock? = try StoreWriterLock.acquire(besideDatabase: db)
        defer { withExtendedLifetime(first) {} }
        #expect(FileManager.default.fileExists(atPath: db + ".machines/writer.lock"))
        #expect(secondWriter(on: db) { first = nil } == ["waiting", "released", "acquired"])
    }

    /// What a second writer on `db` does while the first holds the lock until `release`: the
    /// order of its waiting, the release and its acquiring. Bounded: a second writer let in at
    /// once never waits, and the order then shows it.
    func secondWriter(on db: String, release: () -> Void) -> [String] {
        let waited = DispatchSemaphore(value: 0)
        let acquired = DispatchSemaphore(value: 0)
        let order = OrderLog()
        Thread {
            let second = try? StoreWriterLock.acquire(besideDatabase: db) { order.add("waiting"); waited.signal() }
            order.add(second == nil ? "failed" : "acquired")
            acquired.signal()
        }.start()
        _ = waited.wait(timeout: .now() + 10)
        order.add("released")
        release()
        acquired.wait()
        return order.entries
    }

    /// The lock file deleted by hand while a writer holds the lock lets no second writer in: the
    /// machines directory is locked too.
    @Test func deletingTheLockFileDoesNotLetASecondWriterIn() throws {
        let db = try temporaryDatabase()
        var first: StoreWriterLock? = try StoreWriterLock.acquire(besideDatabase: db)
        defer { withExtendedLifetime(first) {} }
        try FileManager.default.removeItem(atPath: StoreWriterLock.path(besideDatabase: db))
        #expect(secondWriter(on: db) { first = nil } == ["waiting", "released", "acquired"])
    }

    /// One store named by two paths (a symbolic link to it, a path through `..`): SQLite writes
    /// the same file, so the second writer waits for the first as on one path.
    @Test func aWriterThroughASymbolicLinkWaitsForTheOneOnTheFile() throws {
        let (db, link) = try linkedDatabase()
        let directory = (db as NSString).deletingLastPathComponent
        var first: StoreWriterLock? = try StoreWriterLock.acquire(besideDatabase: db)
        defer { withExtendedLifetime(first) {} }
        #expect(secondWriter(on: link) { first = nil } == ["waiting", "released", "acquired"])
        let dotted = directory + "/sub/../deals.sqlite"
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
        var again: StoreWriterLock? = try StoreWriterLock.acquire(besideDatabase: link)
        defer { withExtendedLifetime(again) {} }
        #expect(secondWriter(on: dotted) { again = nil } == ["waiting", "released", "acquired"])
        #expect(StoreWriterLock.path(besideDatabase: link) == StoreWriterLock.path(besideDatabase: db))
    }

    /// A store created through a symbolic link made in advance (its target not there yet): the
    /// lock is where the link points, shared with a writer naming the target (two such writers
    /// got in at once and made duplicate open deals).
    @Test func aLinkToAStoreNotMadeYetLocksWhereItPoints() throws {
        let db = try temporaryDatabase()
        let directory = (db as NSString).deletingLastPathComponent
        let link = directory + "/link.sqlite"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "deals.sqlite")
        #expect(!FileManager.default.fileExists(atPath: db))
        #expect(StoreWriterLock.path(besideDatabase: link) == StoreWriterLock.path(besideDatabase: db))
        // Through a chain of links, and a loop stops.
        try FileManager.default.createSymbolicLink(atPath: directory + "/chain.sqlite", withDestinationPath: "link.sqlite")
        #expect(StorePath.canonical(directory + "/chain.sqlite") == StorePath.canonical(db))
        try FileManager.default.createSymbolicLink(atPath: directory + "/loop.sqlite", withDestinationPath: "loop.sqlite")
        #expect(StorePath.canonical(directory + "/loop.sqlite").hasSuffix("/loop.sqlite"))
    }

    /// The machines of a store named through a link are archived beside the real file, and
    /// machines an older flowc archived beside the link are still found.
    @Test func theMachineArchiveIsBesideTheRealFileAndStillReadsBesideTheLink() throws {
        let (db, link) = try linkedDatabase()
        let throughLink = DirectoryMachineArchive(besideDatabase: link)
        #expect(throughLink.directory == DirectoryMachineArchive(besideDatabase: db).directory)
        let hash = "sha256:" + String(repeating: "a", count: 64)
        try FileManager.default.createDirectory(atPath: link + ".machines", withIntermediateDirectories: true)
        try Data("old".utf8).write(to: URL(fileURLWithPath: link + ".machines/" + String(repeating: "a", count: 64) + ".ir.json"))
        #expect(try DirectoryMachineArchive(besideDatabase: db).load(hash: hash) == nil)
        #expect(try throughLink.load(hash: hash) == Array("old".utf8))
        // Read through the link once, it is kept beside the real file as well.
        #expect(try DirectoryMachineArchive(besideDatabase: db).load(hash: hash) == Array("old".utf8))
    }

    @Test func aFreeLockIsTakenWithoutWaiting() throws {
        let db = try temporaryDatabase()
        var waited = false
        _ = try StoreWriterLock.acquire(besideDatabase: db) { waited = true }
        _ = try StoreWriterLock.acquire(besideDatabase: db) { waited = true }  // the first was released
        #expect(!waited)
    }

    @Test func aDatabaseInAMissingDirectoryIsAnError() {
        #expect(throws: HostError.self) {
            _ = try StoreWriterLock.acquire(besideDatabase: "/nonexistent-\(UUID().uuidString)/deals.sqlite")
        }
    }
}

/// Entries appended from several threads.
final class OrderLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ entry: String) { lock.withLock { list.append(entry) } }
    var entries: [String] { lock.withLock { list } }
}

@Suite struct SystemErrorTests {
    @Test func foundationFileErrorsAreSaidInPlainWords() throws {
        let dir = try temporaryDirectory()
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir + "/file"))
        for target in [dir + "/file/inside", dir + "/missing/inside", dir] {
            do {
                try Data("y".utf8).write(to: URL(fileURLWithPath: target), options: .atomic)
                Issue.record("wrote \(target)")
            } catch {
                let reason = SystemError.reason(error)
                #expect(!reason.contains("NSCocoaErrorDomain") && !reason.contains("could not be completed"), "\(target): \(reason)")
                #expect(!reason.isEmpty)
            }
        }
        #expect(SystemError.reason(POSIXError(.ENOTDIR)) == "Not a directory")
    }
}
