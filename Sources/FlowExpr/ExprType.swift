/// The static type of an expression or a field.
public indirect enum ExprType: Sendable, Hashable, CustomStringConvertible {
    case text
    case integer
    case decimal
    /// Money in one currency (three uppercase letters, e.g. `CNY`).
    case money(currency: String)
    case boolean
    /// A calendar date, without time or zone.
    case date
    /// An instant, to the second.
    case datetime
    case duration
    /// An enum: one of the declared values (identifiers), compared with string literals.
    case enumeration(values: [String])
    case list(ExprType)
    /// The type of the `null` literal; fits anywhere a value is expected.
    case null

    /// How the type is written in messages: `money(CNY)`, `list(text)`, `enum(a, b)`.
    public var description: String {
        switch self {
        case .text: "text"
        case .integer: "integer"
        case .decimal: "decimal"
        case .money(let currency): "money(\(currency))"
        case .boolean: "boolean"
        case .date: "date"
        case .datetime: "datetime"
        case .duration: "duration"
        case .enumeration(let values): "enum(\(values.joined(separator: ", ")))"
        case .list(let element): "list(\(element))"
        case .null: "null"
        }
    }

    /// `integer` or `decimal`.
    public var isNumeric: Bool { self == .integer || self == .decimal }

    var isMoney: Bool {
        if case .money = self { return true }
        return false
    }

    var currency: String? {
        if case .money(let currency) = self { return currency }
        return nil
    }

    var listElement: ExprType? {
        if case .list(let element) = self { return element }
        return nil
    }

    var enumValues: [String]? {
        if case .enumeration(let values) = self { return values }
        return nil
    }

    /// Whether a value of type `self` may be used where `expected` is required: the same type,
    /// `integer` for `decimal`, `null` for anything, and lists element-wise.
    public func isAssignable(to expected: ExprType) -> Bool {
        switch (self, expected) {
        case (.null, _): true
        case (.integer, .decimal): true
        case (.enumeration(let a), .enumeration(let b)): Set(a) == Set(b)
        case (.list(let a), .list(let b)): a.isAssignable(to: b)
        default: self == expected
        }
    }
}

/// The outcome of joining two types into one (for list elements, `coalesce`, `min`, `max`).
enum TypeJoin {
    case joined(ExprType)
    case currencyMismatch
    case mismatch
}

extension ExprType {
    /// The common type of two values that may stand for each other: `null` joins anything,
    /// `integer` and `decimal` join as `decimal`, money only within one currency.
    static func join(_ a: ExprType, _ b: ExprType) -> TypeJoin {
        switch (a, b) {
        case (.null, _): return .joined(b)
        case (_, .null): return .joined(a)
        case (.integer, .decimal), (.decimal, .integer): return .joined(.decimal)
        case (.money(let x), .money(let y)): return x == y ? .joined(a) : .currencyMismatch
        case (.enumeration(let x), .enumeration(let y)): return Set(x) == Set(y) ? .joined(a) : .mismatch
        case (.list(let x), .list(let y)):
            switch join(x, y) {
            case .joined(let element): return .joined(.list(element))
            case .currencyMismatch: return .currencyMismatch
            case .mismatch: return .mismatch
            }
        default: return a == b ? .joined(a) : .mismatch
        }
    }
}
