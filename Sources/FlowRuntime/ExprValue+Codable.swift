public import FlowExpr

/// Field values in snapshots and events, as tagged JSON objects that round-trip exactly:
///
/// ```json
/// {"type": "money", "amount": "120000.50", "currency": "CNY"}
/// {"type": "text", "value": "星辰科技"}
/// {"type": "date", "days": 19844}
/// {"type": "list", "elements": [{"type": "enum", "value": "crm"}]}
/// ```
///
/// Decimals and money amounts are strings (exact, no binary floating point); dates are day
/// numbers since 1970-01-01, datetimes and durations seconds.
extension ExprValue: Codable {
    private enum Key: String, CodingKey { case type, value, amount, currency, days, seconds, elements }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let type = try c.decode(String.self, forKey: .type)
        func decimal(_ key: Key) throws -> ExprDecimal {
            let text = try c.decode(String.self, forKey: key)
            guard let value = ExprDecimal(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "`\(text)` is not a decimal number")
            }
            return value
        }
        switch type {
        case "null": self = .null
        case "boolean": self = .boolean(try c.decode(Bool.self, forKey: .value))
        case "integer": self = .integer(try c.decode(Int64.self, forKey: .value))
        case "decimal": self = .decimal(try decimal(.value))
        case "money": self = .money(amount: try decimal(.amount), currency: try c.decode(String.self, forKey: .currency))
        case "text": self = .text(try c.decode(String.self, forKey: .value))
        case "date": self = .date(days: try c.decode(Int64.self, forKey: .days))
        case "datetime": self = .datetime(seconds: try c.decode(Int64.self, forKey: .seconds))
        case "duration": self = .duration(seconds: try c.decode(Int64.self, forKey: .seconds))
        case "enum": self = .enumValue(try c.decode(String.self, forKey: .value))
        case "list": self = .list(try c.decode([ExprValue].self, forKey: .elements))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown value type `\(type)`")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        switch self {
        case .null: try c.encode("null", forKey: .type)
        case .boolean(let b): try c.encode("boolean", forKey: .type); try c.encode(b, forKey: .value)
        case .integer(let i): try c.encode("integer", forKey: .type); try c.encode(i, forKey: .value)
        case .decimal(let d): try c.encode("decimal", forKey: .type); try c.encode(d.description, forKey: .value)
        case .money(let amount, let currency):
            try c.encode("money", forKey: .type); try c.encode(amount.description, forKey: .amount); try c.encode(currency, forKey: .currency)
        case .text(let s): try c.encode("text", forKey: .type); try c.encode(s, forKey: .value)
        case .date(let days): try c.encode("date", forKey: .type); try c.encode(days, forKey: .days)
        case .datetime(let s): try c.encode("datetime", forKey: .type); try c.encode(s, forKey: .seconds)
        case .duration(let s): try c.encode("duration", forKey: .type); try c.encode(s, forKey: .seconds)
        case .enumValue(let v): try c.encode("enum", forKey: .type); try c.encode(v, forKey: .value)
        case .list(let elements): try c.encode("list", forKey: .type); try c.encode(elements, forKey: .elements)
        }
    }
}

extension ExprValue {
    /// The value as people read it in effect texts: text and enum values as they are, money as
    /// `120000.5 CNY`, dates as `2024-05-01`, lists joined with `, `; null is the empty text.
    public var displayText: String {
        switch self {
        case .null: ""
        case .text(let s): s
        case .enumValue(let v): v
        case .list(let elements): elements.map(\.displayText).joined(separator: ", ")
        default: description
        }
    }
}
