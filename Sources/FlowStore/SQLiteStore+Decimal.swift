internal import Foundation
internal import GRDB
internal import GRDBSQLite

/// The SQL functions that let SQLite compare, sort, group and sum money and decimal fields
/// exactly (``ViewDecimal``). SQLite has no decimal type: `json_extract` reads a JSON number as a
/// binary float. These read the number's JSON text instead (`fields -> '$.amount'`, which SQLite
/// returns as written) and are registered on every connection of the store.
///
/// They are registered through SQLite's C API, as the append path steps its statements: a sum
/// runs once per row of a grouped view, and GRDB's function wrappers (an array of values and a
/// Swift string per call) made the views benchmark's grouped view twice as slow.
extension SQLiteStore {
    /// `flowc_decimal_key(text)`: the ``ViewDecimal/key`` blob of a JSON number, which compares
    /// and sorts as the number; null for null, a non-number or a number that is not a decimal.
    static let decimalKeyFunction = "flowc_decimal_key"
    /// `flowc_decimal_sum(text)`: the exact sum of JSON numbers as text (`0` for none; unset
    /// values and non-numbers count 0), or the float sum when the exact one would overflow (or a
    /// number is beyond the decimals).
    static let decimalSumFunction = "flowc_decimal_sum"
    /// `flowc_decimal_weighted_sum(x, probability)`: Σ x × probability / 100, exactly, as
    /// ``decimalSumFunction`` sums (x a JSON number's text or a REAL column, probability an integer).
    static let decimalWeightedSumFunction = "flowc_decimal_weighted_sum"

    /// What a sum keeps between rows, in memory SQLite gives the aggregate (zeroed at first):
    /// the exact sum, until it is lost; from then on, the float sum.
    struct DecimalSumState {
        var exact: Int128
        var float: Double
        /// Set once the exact sum is lost.
        var inexact: Bool
    }

    /// Registers the functions on a connection (each of the pool's, as it opens).
    static func addViewFunctions(_ db: Database) throws {
        guard let connection = db.sqliteConnection else { throw StoreError(.database, "the database connection is closed") }
        let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC
        var rc = sqlite3_create_function_v2(connection, decimalKeyFunction, 1, flags, nil, { context, _, arguments in
            guard let context, let value = arguments?[0], let decimal = SQLiteStore.decimal(value) else {
                sqlite3_result_null(context)
                return
            }
            var key = UInt128(bitPattern: decimal.scaled) ^ (UInt128(1) << 127)
            key = key.bigEndian
            withUnsafeBytes(of: &key) { sqlite3_result_blob(context, $0.baseAddress, 16, SQLiteStore.transient) }
        }, nil, nil, nil)
        guard rc == SQLITE_OK else { throw StoreError(.database, "cannot register \(decimalKeyFunction): SQLite error \(rc)") }
        rc = sqlite3_create_function_v2(connection, decimalSumFunction, 1, flags, nil, nil, { context, _, arguments in
            guard let context, let value = arguments?[0],
                  let raw = sqlite3_aggregate_context(context, Int32(MemoryLayout<DecimalSumState>.stride)) else { return }
            SQLiteStore.add(value, times: 1, to: raw.bindMemory(to: DecimalSumState.self, capacity: 1))
        }, { context in
            SQLiteStore.finish(context, dividedBy: 1)
        }, nil)
        guard rc == SQLITE_OK else { throw StoreError(.database, "cannot register \(decimalSumFunction): SQLite error \(rc)") }
        rc = sqlite3_create_function_v2(connection, decimalWeightedSumFunction, 2, flags, nil, nil, { context, _, arguments in
            guard let context, let value = arguments?[0], let probability = arguments?[1],
                  let raw = sqlite3_aggregate_context(context, Int32(MemoryLayout<DecimalSumState>.stride)) else { return }
            // A deal without a probability weighs nothing, as SQLite's `x * NULL` adds nothing.
            guard sqlite3_value_type(probability) == SQLITE_INTEGER else { return }
            SQLiteStore.add(value, times: sqlite3_value_int64(probability), to: raw.bindMemory(to: DecimalSumState.self, capacity: 1))
        }, { context in
            SQLiteStore.finish(context, dividedBy: 100)
        }, nil)
        guard rc == SQLITE_OK else { throw StoreError(.database, "cannot register \(decimalWeightedSumFunction): SQLite error \(rc)") }
    }

    /// One row of a sum: `value × times` added to the state, exactly while it can be. A text is a
    /// JSON number's; a REAL (a column such as `amount`) is read as its shortest decimal, the
    /// number a host wrote when it has at most 15 significant digits.
    static func add(_ value: OpaquePointer, times: Int64, to state: UnsafeMutablePointer<DecimalSumState>) {
        let type = sqlite3_value_type(value)
        guard type == SQLITE_TEXT || type == SQLITE_FLOAT || type == SQLITE_INTEGER else { return }
        if state.pointee.inexact {
            // SQLite's own reading of the value: a number's float, 0 for anything else.
            state.pointee.float += sqlite3_value_double(value) * Double(times)
            return
        }
        let decimal = type == SQLITE_TEXT ? SQLiteStore.decimal(value) : ViewDecimal(shortest: sqlite3_value_double(value))
        if let decimal {
            let (product, o1) = decimal.scaled.multipliedReportingOverflow(by: Int128(times))
            let (sum, o2) = state.pointee.exact.addingReportingOverflow(product)
            if !o1, !o2 {
                state.pointee.exact = sum
                return
            }
            state.pointee.inexact = true
            state.pointee.float = ViewDecimal(scaled: state.pointee.exact).double + decimal.double * Double(times)
        } else if let number = type == SQLITE_TEXT ? SQLiteStore.float(value) : sqlite3_value_double(value), number.isFinite {
            // A number beyond the decimals: only a float sum from here on.
            state.pointee.inexact = true
            state.pointee.float = ViewDecimal(scaled: state.pointee.exact).double + number * Double(times)
        }
    }

    /// A sum's result: the exact sum ÷ `divisor` as text, or the float sum when it was lost.
    static func finish(_ context: OpaquePointer?, dividedBy divisor: Int128) {
        guard let context else { return }
        // Zero bytes: no row was summed (SQLite gives no memory then), the sum is 0.
        let raw = sqlite3_aggregate_context(context, 0)
        let state = raw?.bindMemory(to: DecimalSumState.self, capacity: 1).pointee
        if let state, state.inexact {
            sqlite3_result_double(context, state.float / Double(divisor))
        } else {
            let text = ViewDecimal(scaled: (state?.exact ?? 0) / divisor).description
            sqlite3_result_text(context, text, -1, SQLiteStore.transient)
        }
    }

    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// The text of an argument read as a decimal (nil when it is null or not one).
    static func decimal(_ value: OpaquePointer) -> ViewDecimal? {
        guard sqlite3_value_type(value) == SQLITE_TEXT, let text = sqlite3_value_text(value) else { return nil }
        return ViewDecimal(utf8: UnsafeBufferPointer(start: text, count: Int(sqlite3_value_bytes(value))))
    }

    /// The text of an argument read as a float (a JSON number beyond the decimals).
    static func float(_ value: OpaquePointer) -> Double? {
        guard let text = sqlite3_value_text(value) else { return nil }
        return Double(String(decoding: UnsafeBufferPointer(start: text, count: Int(sqlite3_value_bytes(value))), as: UTF8.self))
    }
}
