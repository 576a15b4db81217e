internal import Foundation
internal import GRDB
internal import GRDBSQLite

/// A prepared statement stepped through SQLite's C API, for the append path: binding a value
/// and reading a column are single C calls, where GRDB builds argument arrays of existentials and,
/// for each row, a dictionary of column names (a third of an append's CPU time in the bench).
///
/// Used only inside one `read` or `write` of the database, on that connection. Short texts are
/// bound with `SQLITE_TRANSIENT` (SQLite copies them); the large ones (snapshots, events, effects)
/// with ``run(bindingText:at:)``, which lends SQLite the caller's bytes for the run. A failed
/// binding is not dropped: the next ``step()`` throws it.
final class RawStatement {
    private let handle: OpaquePointer
    private let connection: OpaquePointer
    /// The GRDB statement that owns `handle`, kept alive while it is used.
    private let statement: Statement
    /// The first binding SQLite refused since the last reset (SQLITE_OK: none).
    private var bindingFailure = SQLITE_OK

    /// Wraps one of the connection's cached statements: GRDB prepares it once per connection
    /// and finalizes it; this wrapper only binds, steps and resets it.
    init(cached statement: Statement, _ db: Database) throws {
        guard let connection = db.sqliteConnection else { throw StoreError(.database, "the database connection is closed") }
        self.handle = statement.sqliteStatement
        self.connection = connection
        self.statement = statement
        reset()
    }

    /// Ready for new bindings and a new run (the previous bindings are cleared).
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        bindingFailure = SQLITE_OK
    }

    /// Keeps the first failed binding's code for ``step()``.
    private func check(_ code: Int32) {
        if code != SQLITE_OK && bindingFailure == SQLITE_OK { bindingFailure = code }
    }

    // MARK: Binding (1-based, as in SQL)

    func bind(_ index: Int32, _ value: Int64?) {
        check(value.map { sqlite3_bind_int64(handle, index, $0) } ?? sqlite3_bind_null(handle, index))
    }

    func bind(_ index: Int32, _ value: Int?) { bind(index, value.map(Int64.init)) }

    func bind(_ index: Int32, _ value: Bool) { check(sqlite3_bind_int64(handle, index, value ? 1 : 0)) }

    func bind(_ index: Int32, _ value: Double?) {
        check(value.map { sqlite3_bind_double(handle, index, $0) } ?? sqlite3_bind_null(handle, index))
    }

    func bind(_ index: Int32, _ value: StoreTime?) { bind(index, value?.millisecondsSinceEpoch) }

    /// Binds UTF-8 text.
    func bind(_ index: Int32, _ value: String?) {
        guard var value else {
            check(sqlite3_bind_null(handle, index))
            return
        }
        value.withUTF8 { bytes in
            guard let count = Int32(exactly: bytes.count) else { return check(SQLITE_TOOBIG) }
            if let base = UnsafeRawPointer(bytes.baseAddress)?.assumingMemoryBound(to: CChar.self) {
                check(sqlite3_bind_text(handle, index, base, count, Self.transient))
            } else {
                check(sqlite3_bind_text(handle, index, "", 0, Self.transient))
            }
        }
    }

    // MARK: Running

    /// Runs the statement one step: true when it produced a row, false when it is done.
    /// - Throws: ``StoreError`` `.database` with SQLite's message.
    func step() throws -> Bool {
        if bindingFailure != SQLITE_OK { throw Self.error(bindingFailure, connection) }
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code: throw Self.error(code, connection)
        }
    }

    /// Runs a statement that returns no row, to the end.
    func run() throws {
        while try step() {}
    }

    /// Binds bytes as TEXT without copying them and runs the statement to its end: SQLite reads
    /// the caller's buffer (`SQLITE_STATIC`), which stays valid for the run, and the binding is
    /// cleared before the buffer goes away. For the large texts of the append path (snapshots,
    /// events, effects), which a transient binding would copy once more.
    func run(bindingText value: Data, at index: Int32) throws {
        try value.withUnsafeBytes { bytes in
            guard let count = Int32(exactly: bytes.count) else { return check(SQLITE_TOOBIG) }
            if let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) {
                check(sqlite3_bind_text(handle, index, base, count, Self.static))
            } else {
                check(sqlite3_bind_text(handle, index, "", 0, Self.transient))
            }
            defer { sqlite3_bind_null(handle, index) }
            try run()
        }
    }

    /// Rows changed by the last statement run on the connection.
    var changes: Int32 { sqlite3_changes(connection) }

    /// The rowid of the last row inserted on the connection.
    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(connection) }

    // MARK: Reading the current row (0-based)

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    func optionalInt(_ column: Int32) -> Int? { optionalInt64(column).map { Int($0) } }

    func optionalDouble(_ column: Int32) -> Double? { isNull(column) ? nil : sqlite3_column_double(handle, column) }

    func optionalTime(_ column: Int32) -> StoreTime? { optionalInt64(column).map(StoreTime.init) }

    func text(_ column: Int32) -> String? {
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// The column's bytes (text or blob), copied.
    func data(_ column: Int32) -> Data {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let bytes = sqlite3_column_blob(handle, column) else { return Data() }
        return Data(bytes: bytes, count: count)
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    private static let `static` = unsafeBitCast(0, to: sqlite3_destructor_type.self)

    private static func error(_ code: Int32, _ connection: OpaquePointer) -> StoreError {
        StoreError.sqlite(code, String(cString: sqlite3_errmsg(connection)))
    }
}
