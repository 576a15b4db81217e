/// An error of the deal store: a stable code, for code and tests to branch on, and a message for
/// people. New codes may be added; switch over ``code`` with a default.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code (its raw value is what logs and JSON show).
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// A record with `afterSequence > 0` names a deal that does not exist.
        public static let unknownDeal = Code(rawValue: "unknown-deal")
        /// A record's `afterSequence` is not the deal's last sequence number (a stale snapshot
        /// was stepped, or the creating record names a deal that already exists).
        public static let sequenceConflict = Code(rawValue: "sequence-conflict")
        /// A record is malformed (empty id, negative sequence, an effect id repeated in it).
        public static let invalidRecord = Code(rawValue: "invalid-record")
        /// The database was written by a newer flowc whose schema this one does not know.
        public static let newerSchema = Code(rawValue: "newer-schema")
        /// The file is an SQLite database but not a flowc store.
        public static let notAStore = Code(rawValue: "not-a-store")
        /// SQLite itself failed (I/O, full disk, corruption).
        public static let database = Code(rawValue: "database")
        /// Another program held the database's lock past the store's busy timeout (SQLITE_BUSY,
        /// SQLITE_LOCKED); the write was not made.
        public static let busy = Code(rawValue: "busy")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    /// The message of `.notAStore` for a file that is not an SQLite database at all.
    public static let notSQLite = "the file is not an SQLite database, so not a flowc store"

    /// SQLite's failure `code` with its words; for SQLITE_BUSY (5) and SQLITE_LOCKED (6), what
    /// happened in flowc's (QA round 27: "database is locked" from a program other than flowc,
    /// a database browser or a backup, which flowc's writer lock does not see).
    public static func sqlite(_ code: Int32, _ words: String) -> StoreError {
        let primary = code & 0xFF
        if primary == 5 || primary == 6 {
            return StoreError(.busy, "SQLite error \(code): the store's database was locked by another program (a database browser, a backup, a script) past the lock timeout; what it held up was not done, try again")
        }
        // What to do for the failures an on-call engineer meets (QA round 41, A1, A8).
        let advice = switch (primary, code) {
        case (13, _): ": the disk holding the store has no room left; free space on it and run the command again (what the failed write held was not written)"
        case (_, 4874): ": the store's shared-memory file (its `-shm`) could not grow, which usually means the disk holding the store is full; free space on it and run the command again"
        case (11, _), (26, _): ": the store's file is damaged; `flowc deal verify` names the deals it can still read, and a backup of the store (its file, its `-wal` and its `.machines` directory, together) restores it"
        default: ""
        }
        return StoreError(.database, "SQLite error \(code): \(words)\(advice)")
    }

}
