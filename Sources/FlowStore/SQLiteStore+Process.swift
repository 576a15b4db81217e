internal import CSQLiteTuning
internal import GRDBSQLite
internal import GRDB

extension SQLiteStore {
    /// SQLite's process-wide settings, made once, before the process's first connection opens:
    /// every opener in this module reads it first.
    ///
    /// - Memory statistics off: with them on (SQLite's default), every allocation and every
    ///   free takes a global mutex to count bytes, about 8 % of an append's instructions in the
    ///   durable bench. flowc never reads them (`sqlite3_memory_used`, the soft heap limit).
    ///
    /// A host that opened SQLite itself first keeps its own settings: `sqlite3_config` then
    /// changes nothing, which is harmless.
    static let processTuned: Bool = flowc_sqlite_disable_memory_statistics() == SQLITE_OK

    /// GRDB's default configuration, once the process is tuned: what every opener in this module
    /// starts from, so that none opens a connection before ``processTuned``.
    static func tunedConfiguration() -> Configuration {
        _ = processTuned
        return Configuration()
    }

    /// The bytes SQLite's memory statistics count as in use: 0 while they are off (a test
    /// checks that the settings above took).
    static var countedSQLiteMemory: Int64 { sqlite3_memory_used() }
}
