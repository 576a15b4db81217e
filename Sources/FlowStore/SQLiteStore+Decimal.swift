internal import Foundation
internal import GRDB

/// The SQL functions that let SQLite compare, sort, group and sum money and decimal fields
/// exactly (``ViewDecimal``). SQLite has no decimal type: `json_extract` reads a JSON number as a
/// binary float. These read the number's JSON text instead (`fields -> '$.amount'`, which SQLite
/// returns as written) and are registered on every connection of the store.
extension SQLiteStore {
    /// `flowc_decimal_key(text)`: the ``ViewDecimal/key`` blob of a JSON number, which compares
    /// and sorts as the number; null for null, a non-number or a number that is not a decimal.
    static let decimalKeyFunction = "flowc_decimal_key"
    /// `flowc_decimal_sum(text)`: the exact sum of JSON numbers as text (`0` for none; unset
    /// values and non-numbers count 0), or the float sum when the exact one would overflow.
    static let decimalSumFunction = "flowc_decimal_sum"

    static let decimalKey = DatabaseFunction(decimalKeyFunction, argumentCount: 1, pure: true) { values in
        guard case .string(let text) = values[0].storage, let d = ViewDecimal(text) else { return nil }
        return Data(d.key)
    }

    struct DecimalSum: DatabaseAggregate {
        var exact: ViewDecimal? = ViewDecimal(0)
        var float = 0.0

        init() {}

        mutating func step(_ values: [DatabaseValue]) {
            guard case .string(let text) = values[0].storage else { return }
            if let d = ViewDecimal(text) {
                exact = exact?.adding(d)
                float += d.double
            } else if let r = Double(text) {
                // A number beyond the decimals (more places than 18, or huge): only a float sum.
                exact = nil
                float += r
            }
        }

        func finalize() -> (any DatabaseValueConvertible)? {
            exact.map(\.description) ?? float
        }
    }

    static let decimalSum = DatabaseFunction(decimalSumFunction, argumentCount: 1, pure: true, aggregate: DecimalSum.self)

    /// Registers the functions on a connection (each of the pool's, as it opens).
    static func addViewFunctions(_ db: Database) {
        db.add(function: decimalKey)
        db.add(function: decimalSum)
    }
}
