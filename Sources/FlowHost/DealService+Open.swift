import Foundation
import FlowDiagnostics
import FlowRuntime
import FlowStore

/// Opening a store for a host's work: what every flowc command that changes deals does before
/// its first step, for a program that embeds the runner (docs/embedding.md).
extension DealService {
    /// Opens the SQLite store at `path` for work that changes deals, creating it when it does
    /// not exist (its directory must), as `flowc run` and `flowc deal create` do:
    ///
    /// 1. refuses a path that is no store file (``StoreFile/refusal(at:writing:)``: a directory,
    ///    a pipe, a file with two names, a file that is not SQLite);
    /// 2. takes the store's writer lock (``StoreWriterLock``), waiting up to `lockTimeout`
    ///    seconds (nil: as long as it takes) while another process holds it, and calling
    ///    `waiting` once if it has to wait. The service holds it until it is released;
    /// 3. opens the store, upgrading an older schema first, its writes waiting up to `lockTimeout`
    ///    too while a program other than flowc holds the database's own lock (`onUpgrade` is told the versions
    ///    before it starts), and the machines archived beside it (`PATH.machines/`);
    /// 4. completes what an upgrade leaves to the host (``completeUpgrade()``).
    ///
    /// - Returns: the service, and notes for people about what opening it did or found (each
    ///   a sentence about the store, without its path).
    /// - Throws: the refusal, the lock's failure, or the store's, as a ``HostError``.
    public static func open(writingTo path: String, lockTimeout: Double? = nil,
                            clock: @escaping @Sendable () -> Int64 = DealService.wallClock, utcOffset: Int64 = 0,
                            waiting: () -> Void = {}, onUpgrade: ((Int, Int) -> Void)? = nil) throws(HostError) -> (service: DealService, notes: [String]) {
        if let refusal = StoreFile.pathRefusal(path) ?? StoreFile.refusal(at: path, writing: true) { throw refusal }
        // Another program's database, before the lock makes `PATH.machines/` beside it (QA
        // round 35, B2).
        do { try SQLiteStore.refuseForeign(at: path) } catch { throw HostError.store(error) }
        let lock = try StoreWriterLock.acquire(besideDatabase: path, timeout: lockTimeout, waiting: waiting)
        let store: SQLiteStore
        do {
            store = try SQLiteStore(path: path, busyTimeout: lockTimeout, onUpgrade: onUpgrade)
        } catch {
            throw HostError.store(error)
        }
        let service = DealService(store: store, machines: MachineRegistry(archive: DirectoryMachineArchive(besideDatabase: path)),
                                  clock: clock, utcOffset: utcOffset)
        service.writerLock = lock
        return (service, try service.openingNotes())
    }

    /// What a writer does on opening a store, with its notes: ``completeUpgrade()``, then
    /// ``archiveNote()``.
    public func openingNotes() throws(HostError) -> [String] {
        try completeUpgrade() + [archiveNote()].compactMap { $0 }
    }

    /// A note when the machine archive lacks the machine of the store's first deal: the store's
    /// file was copied or restored without its `.machines` directory, and every deal would fail
    /// (FC1210) one by one (QA round 26). One deal is read, so opening stays cheap.
    public func archiveNote() -> String? {
        guard let first = try? store.dealIDs(after: nil, limit: 1).first, let deal = try? store.deal(first) else { return nil }
        // Whether its file is there, not read: a machine can be megabytes.
        guard let file = machines.archive.location(of: deal.index.templateHash), !FileManager.default.fileExists(atPath: file) else { return nil }
        return HostMessages.fill(HostMessages.Upgrade.archiveMissing, [Names.inline(first)])
    }

    /// What a store upgraded by another flowc leaves to the host, done before any write: the
    /// customer keys of deals from before schema 4 (the duplicate check reads them), and the view
    /// columns of deals from before schema 2 (the quota counts by their template id). Cheap when
    /// there is nothing to do; a host that opens its ``SQLiteStore`` itself calls it once, under
    /// the writer lock.
    /// - Returns: notes for people: the keys computed, and the deals that could not be read to
    ///   compute theirs (the duplicate check does not see them; `flowc deal verify` names the
    ///   damage). Each note is a sentence about the store, without its path.
    public func completeUpgrade() throws(HostError) -> [String] {
        typealias M = HostMessages.Upgrade
        var notes: [String] = []
        let (written, skipped) = try backfillCustomerKeys()
        if written > 0 { notes.append(HostMessages.fill(written == 1 ? M.keyComputed : M.keysComputed, [String(written)])) }
        if !skipped.isEmpty {
            // A damaged deal: said at each command that writes, until it is mended (QA round 23: no name).
            let named = skipped.prefix(5).map { "`\(Names.inline($0))`" }.joined(separator: ", ") + (skipped.count > 5 ? ", …" : "")
            notes.append(HostMessages.fill(skipped.count == 1 ? M.keyUnreadable : M.keysUnreadable, [String(skipped.count), named]))
        }
        _ = try backfillProjections()
        return notes
    }
}

/// The file a store is kept in.
public enum StoreFile {
    /// Why the existing file at `path` cannot be opened as a store, nil when it can (or when
    /// nothing is there yet):
    /// - a directory (FC1212's kind: ``HostError/storeIsDirectory(_:)``);
    /// - not a regular file: a pipe would hang the open, a device is no file to keep deals in;
    /// - for `writing`, a file with several names (hard links): SQLite keeps a store's
    ///   write-ahead log beside the name it is opened by, so two names write two logs and
    ///   corrupt the store (QA: both runs said done). Reading one is harmless (backup snapshots
    ///   are often hard links);
    /// - a file that does not start as SQLite (a template or a deals file named by mistake).
    ///
    /// An empty file passes: a store being created, or one whose creation failed, which the
    /// caller tells apart.
    public static func refusal(at path: String, writing: Bool) -> HostError? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return HostError.storeIsDirectory(path)
        default: return HostError.store(StoreError(.notAStore, HostMessages.fill(HostMessages.Phrase.storeNotRegular, [path])))
        }
        if info.st_nlink > 1, writing {
            return HostError.store(StoreError(.database, HostMessages.fill(HostMessages.Phrase.storeHardLinked, [path, String(info.st_nlink)])))
        }
        if info.st_size > 0, startsAsSQLite(path) == false {
            return HostError.store(StoreError(.notAStore, StoreError.notSQLite))
        }
        return nil
    }

    /// Why `path` names no store file that can be opened or created, before anything is made
    /// beside it: an empty or blank path, one ending in `/` (a directory's name), a path the
    /// system cannot follow, or a new store in a directory that does not exist (FC1216). The
    /// commands check the same (QA round 26: the library opened `" "` and said SQLite's words
    /// for `""`).
    public static func pathRefusal(_ path: String) -> HostError? {
        if let problem = namesNoFile(path) { return problem }
        var info = stat()
        guard stat(path, &info) != 0 else { return nil }
        return unreachable(path, errno: errno) ?? directoryMissing(path)
    }

    /// A store path that names no file: empty or blank (`--db ''`), or ending in `/` (a
    /// directory, existing or not). SQLite took the first for a nameless database and left
    /// `.machines/` in the current directory; the second made a file named as the directory.
    public static func namesNoFile(_ path: String) -> HostError? {
        if path.allSatisfy(\.isWhitespace) { return HostError.storePathEmpty() }
        if path.hasSuffix("/") { return HostError.storePathNamesDirectory(path) }
        return nil
    }

    /// FC1212 for a store path the system cannot follow (a loop of symbolic links, a file used
    /// as a directory), in the system's words; nil when `stat` failed because nothing is there.
    /// SQLite would say "error 14", and a view would say there is no store.
    public static func unreachable(_ path: String, errno code: Int32) -> HostError? {
        guard code != ENOENT else { return nil }
        return HostError.storeUnreachable(path, reason: String(cString: strerror(code)))
    }

    /// ``unreachable(_:errno:)`` of `path`, read with `stat`.
    public static func unreachable(_ path: String) -> HostError? {
        var info = stat()
        return stat(path, &info) == 0 ? nil : unreachable(path, errno: errno)
    }

    /// FC1216 when the directory a new store at `path` would be created in does not exist.
    public static func directoryMissing(_ path: String) -> HostError? {
        let directory = PathText.directory(of: path)
        var isDirectory: ObjCBool = false
        guard !directory.isEmpty, !(FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue) else {
            return nil
        }
        return HostError.storeDirectoryMissing(path)
    }

    /// Whether the file at `path` starts with SQLite's 16-byte header; nil when it cannot be read.
    public static func startsAsSQLite(_ path: String) -> Bool? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 16)) == Data("SQLite format 3\u{0}".utf8)
    }
}
