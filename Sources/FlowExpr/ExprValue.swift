/// A run-time value of the expression language.
public enum ExprValue: Sendable, Hashable, CustomStringConvertible {
    /// An unset field, or the result of arithmetic on one.
    case null
    case boolean(Bool)
    case integer(Int64)
    case decimal(ExprDecimal)
    case money(amount: ExprDecimal, currency: String)
    case text(String)
    /// Days since 1970-01-01.
    case date(days: Int64)
    /// Seconds since 1970-01-01T00:00:00Z.
    case datetime(seconds: Int64)
    case duration(seconds: Int64)
    /// The value of an enum field (one of its declared identifiers).
    case enumValue(String)
    case list([ExprValue])

    /// Whether the value is `null`.
    public var isNull: Bool { self == .null }

    /// Plain text for tests and logs: `12.5`, `100000 CNY`, `"text"`, `2024-05-01`, `1d12h`.
    public var description: String {
        switch self {
        case .null: "null"
        case .boolean(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .decimal(let value): value.description
        case .money(let amount, let currency): "\(amount) \(currency)"
        case .text(let text): quoted(text)
        case .date(let days): CivilCalendar.formatDate(days)
        case .datetime(let seconds): CivilCalendar.formatDatetime(seconds)
        case .duration(let seconds): formatDuration(seconds)
        case .enumValue(let value): value
        case .list(let elements): "[" + elements.map(\.description).joined(separator: ", ") + "]"
        }
    }

    /// The name of the value's kind, for messages about values that do not fit.
    var kindName: String {
        switch self {
        case .null: "null"
        case .boolean: "boolean"
        case .integer: "integer"
        case .decimal: "decimal"
        case .money(_, let currency): "money(\(currency))"
        case .text: "text"
        case .date: "date"
        case .datetime: "datetime"
        case .duration: "duration"
        case .enumValue: "enum"
        case .list: "list"
        }
    }

    /// A date from a calendar date; nil if it does not exist (`2024-02-30`).
    public static func date(year: Int, month: Int, day: Int) -> ExprValue? {
        let (y, m, d) = (Int64(year), Int64(month), Int64(day))
        guard m >= 1, m <= 12, d >= 1, d <= CivilCalendar.daysInMonth(y, m) else { return nil }
        return .date(days: CivilCalendar.days(year: y, month: m, day: d))
    }

    /// Parses `YYYY-MM-DD` into a date value.
    public static func date(parsing text: String) -> ExprValue? {
        CivilCalendar.parseDate(text).map { .date(days: $0) }
    }

    /// Parses an ISO-8601 datetime with zone (`2024-05-01T09:30:00+08:00`) into a datetime value.
    public static func datetime(parsing text: String) -> ExprValue? {
        CivilCalendar.parseDatetime(text).map { .datetime(seconds: $0) }
    }
}
