import Foundation
public import FlowRuntime
import FlowDiagnostics
import FlowStore

/// Why the host did not apply something: a host problem (FC12xx, ``HostMessages``) or the
/// runner's refusal (FC11xx, ``FlowRuntime/RuntimeMessages``), as a code, the catalogue format
/// and its arguments.
///
/// Code decides control flow and tests; ``message`` is for people.
public struct HostError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `FC12xx` for the host, `FC11xx` for a refusal of the runner.
    public let code: String
    /// The catalogue format (`{0}`-style placeholders).
    public let format: String
    public private(set) var arguments: [String]
    /// For a store failure (FC1212), what kind it is, for a host to act on without reading the
    /// message (QA round 26: busy, written by a newer flowc and not a store were one code); nil
    /// for every other code.
    public private(set) var storeProblem: StoreProblem?

    /// The kinds of store failure (FC1212).
    public enum StoreProblem: String, Sendable, Hashable {
        /// Another writer holds the store (its writer lock past the timeout, or SQLite's own lock
        /// past its wait): nothing was changed; try again later.
        case busy
        /// Written by a newer flowc: this one does not know its schema and changes nothing.
        case newerSchema = "newer-schema"
        /// The file is not a flowc store (not SQLite, or SQLite without flowc's tables, or no
        /// regular file).
        case notAStore = "not-a-store"
        /// The path names no store file: empty, a directory, or one the system cannot follow.
        case path
        /// Anything else: the file system or SQLite failed (permissions, a full disk, damage).
        case failed
        /// Ctrl-C or TERM while waiting for the writer lock, or before a migration's write:
        /// nothing was changed.
        case interrupted
    }

    init(_ spec: HostMessageSpec, _ arguments: String...) {
        self.code = spec.code
        self.format = spec.format
        self.arguments = arguments
        if spec.code == HostMessages.storeFailed.code { storeProblem = .failed }
    }

    /// The same error, its store problem said.
    func problem(_ kind: StoreProblem) -> HostError {
        var copy = self
        copy.storeProblem = kind
        return copy
    }

    /// The same error with its argument `index` (which must exist) replaced.
    func with(argument index: Int, _ value: String) -> HostError {
        var copy = self
        copy.arguments[index] = value
        return copy
    }

    /// The runner's refusal, in its words, but for FC1107, which says whose clock it is.
    public init(_ refusal: Refusal) {
        self.code = refusal.code
        // The step's clock is the host's: say which it is and how a command sets it (QA round 22).
        self.format = refusal.code == RuntimeMessages.eventFromFuture.code ? HostMessages.Phrase.eventFromFuture : refusal.format
        self.arguments = refusal.arguments
    }

    /// A store failure (FC1212).
    init(_ error: any Error) {
        if let host = error as? HostError {
            self = host
        } else if let store = error as? StoreError {
            // SQLite's words for a file this user may not write (the directory writable, the file not).
            // Its message without the store's code, which ``storeProblem`` carries for programs
            // (QA round 31: `the store failed: not-a-store: …`, `busy: SQLite error 5: …`).
            let readonly = store.message.contains("readonly database")
            self.init(HostMessages.storeFailed, store.message + (readonly ? "; " + HostMessages.Phrase.notWritable : ""))
            switch store.code {
            case .newerSchema: storeProblem = .newerSchema
            case .notAStore: storeProblem = .notAStore
            // SQLITE_BUSY (5) and SQLITE_LOCKED (6): another connection held the database.
            case .busy: storeProblem = .busy
            case .database where store.message.contains("database is locked"): storeProblem = .busy
            default: storeProblem = .failed
            }
        } else {
            self.init(HostMessages.storeFailed, String(describing: error))
        }
    }

    /// The store's (or the file system's) failure as FC1212.
    public static func store(_ error: any Error) -> HostError { HostError(error) }

    /// FC1212: the store path is empty or blank (`--db ''`).
    public static func storePathEmpty() -> HostError {
        HostError(HostMessages.storeFailed, HostMessages.Phrase.storePathEmpty).problem(.path)
    }

    /// FC1212: the store path ends with `/` (`--db newdir/`).
    public static func storePathNamesDirectory(_ path: String) -> HostError {
        HostError(HostMessages.storeFailed, HostMessages.fill(HostMessages.Phrase.storePathIsDirectoryName, [path])).problem(.path)
    }

    /// FC1212: `--db` names a directory.
    public static func storeIsDirectory(_ path: String) -> HostError {
        HostError(HostMessages.storeFailed, HostMessages.fill(HostMessages.Phrase.storeIsDirectory, [path])).problem(.path)
    }

    /// FC1212: the system cannot follow `path` (a loop of symbolic links, …), in its words.
    public static func storeUnreachable(_ path: String, reason: String) -> HostError {
        HostError(HostMessages.storeFailed, HostMessages.fill(HostMessages.Phrase.storeUnreachable, [path, reason])).problem(.path)
    }

    /// FC1220: a record (a command line's step or `--record`) that is not one: `what` says why.
    public static func malformedRecord(_ what: String) -> HostError { HostError(HostMessages.malformedRecord, what) }

    /// FC1242: Ctrl-C or TERM while waiting for `what` (``HostMessages/Phrase``).
    public static func interruptedWaiting(_ what: String) -> HostError {
        HostError(HostMessages.interruptedWaiting, what).problem(.interrupted)
    }

    /// FC1243: a migration stopped after reading `read` of its `of` deals, before its write (or
    /// a dry run, which has none: QA round 44, R13).
    public static func interruptedMigration(read: Int, of total: Int, dryRun: Bool) -> HostError {
        HostError(HostMessages.interruptedMigration, String(read), String(total), total == 1 ? "" : "s",
                  dryRun ? HostMessages.Phrase.inADryRun : HostMessages.Phrase.beforeTheWrite).problem(.interrupted)
    }

    /// FC1215: no store at `path`, for a command that does not create one.
    /// - Parameter defaulted: the path is the default one (no `--db`, no `$FLOWC_DB`), which is said
    ///   with how to name another (QA round 32, D1: the README's main job made its store with
    ///   `--db`, and the manager commands after it, without one, found none).
    /// - Parameter empty: an empty file is at `path` (said so, with what to do).
    public static func noStore(_ path: String, defaulted: Bool = false, empty: Bool = false) -> HostError {
        HostError(HostMessages.noStore, path, empty ? HostMessages.Phrase.emptyStoreFile : defaulted ? HostMessages.Phrase.defaultStore : "")
    }

    /// FC1216: the directory of a store to be created at `path` does not exist.
    public static func storeDirectoryMissing(_ path: String) -> HostError {
        HostError(HostMessages.storeDirectoryMissing, PathText.directory(of: path), path)
    }

    private init(code: String, format: String, arguments: [String]) {
        self.code = code
        self.format = format
        self.arguments = arguments
    }

    /// The same error, its message placed inside `phrase` (a ``HostMessages/Phrase`` format whose
    /// last placeholder is the message): `deal `D-1`, event 3 (complete): …`. The code is kept.
    func within(_ phrase: String, _ arguments: String...) -> HostError {
        let count = arguments.count
        // Shift this error's placeholders past the phrase's own arguments.
        let shifted = Message.replacingPlaceholders(in: format) { n in n >= 0 ? "{\(n + count)}" : nil }
        // The phrase keeps its own placeholders; its last one becomes the shifted format.
        let combined = HostMessages.fill(phrase, (0..<count).map { "{\($0)}" } + [shifted])
        var wrapped = HostError(code: code, format: combined, arguments: arguments + self.arguments)
        wrapped.storeProblem = storeProblem
        return wrapped
    }

    /// Whether this is the host message `spec`.
    public func `is`(_ spec: HostMessageSpec) -> Bool { code == spec.code }

    /// Whether this is the runner's refusal `spec`.
    public func `is`(_ spec: RuntimeMessageSpec) -> Bool { code == spec.code }

    /// The message in the catalogue's language.
    public var message: String { HostMessages.fill(format, arguments) }

    /// `error[FC1201]: customer … already has …`.
    public var description: String { "error[\(code)]: \(message)" }
}
