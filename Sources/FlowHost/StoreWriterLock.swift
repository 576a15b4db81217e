import FlowDiagnostics
import Foundation

/// One writing command at a time on a store, across processes.
///
/// A command reads deals, steps them and appends the results; the rules that span deals (an
/// owner's quota, one live deal per customer) are checked against what it read. Two processes
/// doing that at once could each read the state before the other's append: both claims pass a
/// quota that allows one, two deals of one customer are created. SQLite serialises the appends,
/// not the read-step-append. So every command that writes holds this lock from before it reads
/// until it has written, and the others wait for it.
///
/// The lock is `flock(2)` on the directory `DB.machines`, beside the machines the store's deals run
/// on, and on the file `writer.lock` in it (which flowc before 2026-11-29 locked alone, so that an
/// older flowc on the same store still waits). The directory is the lock that counts: a lock file
/// deleted by hand while a command holds it would let the next command lock a new file and write
/// at the same time, but the directory cannot go while it holds the machines. A lock is released
/// when the holder's descriptor is closed, so also when the holder dies, and it never touches the
/// database file (closing a descriptor of that file would drop SQLite's own locks). Commands that
/// only read do not take it: SQLite gives each read a consistent state.
public final class StoreWriterLock {
    private let descriptors: [Int32]

    private init(descriptors: [Int32]) { self.descriptors = descriptors }

    deinit { for d in descriptors.reversed() { close(d) } }

    /// The lock file of the store at `databasePath`: beside its real path
    /// (``StorePath/canonical(_:)``), so that commands naming one store through a symbolic link
    /// and through its file exclude each other.
    public static func path(besideDatabase databasePath: String) -> String {
        StorePath.canonical(databasePath) + ".machines/writer.lock"
    }

    /// Takes the lock of the store at `databasePath`, waiting while another command holds it.
    /// - Parameter waiting: called once, before waiting, when the lock is held elsewhere (a
    ///   command says so rather than pause without a word).
    /// - Throws: ``HostError`` FC1212 when the lock file cannot be made or locked (its directory
    ///   is created if need be, but not the database's directory).
    /// - Parameter timeout: how long to wait, in seconds, before giving up with FC1212 (the
    ///   store is busy); nil waits as long as it takes.
    /// FC1212 for a file the lock could not be made or opened, with what writing needs when the
    /// system refused this user (a read-only directory or file system).
    public static func cannot(_ verb: String, _ path: String, _ code: Int32) -> HostError {
        let reason = "cannot \(verb) \(path): \(String(cString: strerror(code)))"
        let denied = code == EACCES || code == EPERM || code == EROFS
        return HostError(HostMessages.storeFailed, denied ? reason + "; " + HostMessages.Phrase.notWritable : reason)
    }

    /// - Parameter isInterrupted: asked between tries while waiting: true stops the wait with
    ///   FC1242 (a command's Ctrl-C or TERM; QA round 35, B4: the signal ended the process
    ///   without a word, its JSON or its exit status).
    public static func acquire(besideDatabase databasePath: String, timeout: Double? = nil, waiting: () -> Void = {},
                               isInterrupted: () -> Bool = { false }) throws(HostError) -> StoreWriterLock {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        let lockPath = path(besideDatabase: databasePath)
        let directory = PathText.directory(of: lockPath)
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw cannot("make", directory, errno)
        }
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD < 0 { throw cannot("open", directory, errno) }
        // Owned from here: closed by the lock, or on the error thrown below.
        var held = [dirFD]
        defer { if !held.isEmpty { for d in held { close(d) } } }
        var announced = false
        try lock(dirFD, directory, deadline: deadline, isInterrupted: isInterrupted) {
            announced = true
            waiting()
        }
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw cannot("open", lockPath, errno) }
        held.append(fd)
        try lock(fd, lockPath, deadline: deadline, isInterrupted: isInterrupted) { if !announced { waiting() } }
        let lock = StoreWriterLock(descriptors: held)
        held = []
        return lock
    }

    /// `flock(fd, LOCK_EX)`, calling `waiting` first when another holds it, tried every 20 ms
    /// until the deadline (if any) or an interrupt.
    private static func lock(_ fd: Int32, _ path: String, deadline: Date?, isInterrupted: () -> Bool, waiting: () -> Void) throws(HostError) {
        if flock(fd, LOCK_EX | LOCK_NB) == 0 { return }
        guard errno == EWOULDBLOCK else {
            throw HostError(HostMessages.storeFailed, "cannot lock \(path): \(String(cString: strerror(errno)))")
        }
        // Not said when there is no time to wait (`--lock-timeout 0`): the command gives up at once.
        if deadline.map({ Date() < $0 }) ?? true { waiting() }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                throw HostError(HostMessages.storeFailed, "cannot lock \(path): \(String(cString: strerror(errno)))")
            }
            if let deadline, Date() >= deadline {
                throw HostError(HostMessages.storeFailed, HostMessages.fill(HostMessages.Phrase.storeBusy, [path])).problem(.busy)
            }
            if isInterrupted() {
                throw HostError.interruptedWaiting(HostMessages.Phrase.anotherCommandWriting)
            }
            usleep(20_000)
        }
    }
}
