public import FlowExpr
public import FlowIR

/// Checking field values against the deal schema, and reading the schema's defaults.
public enum FieldValues {
    /// Checks `value` for the field at `slot` and returns what the deal stores: nil for `.null`,
    /// an integer widened for a decimal field, a text naming an enum value as that value.
    ///
    /// - Returns: the stored value, or a refusal: FC1112 wrong type, FC1113 out of range,
    ///   FC1114 not a declared enum value, FC1161 too long.
    public static func validate(_ value: ExprValue, slot: Int, in machine: VerifiedMachine,
                                limits: RunnerLimits = .default) -> Result<ExprValue?, Refusal> {
        guard machine.machine.fields.indices.contains(slot), machine.fieldTypes.indices.contains(slot) else {
            return .failure(Refusal(RuntimeMessages.unknownField, "#\(slot)", ""))
        }
        if case .null = value { return .success(nil) }
        do {
            return .success(try check(value, type: machine.fieldTypes[slot], field: FieldRef(fields: machine.machine.fields, slot: slot),
                                      limits: limits, inList: false))
        } catch {
            return .failure(error)
        }
    }

    /// The field a value is checked for, read only where needed (no copy of its definition per value).
    struct FieldRef {
        let fields: [FieldDef]
        let slot: Int
        var id: String { fields[slot].id }
        var min: Double? { fields[slot].min }
        var max: Double? { fields[slot].max }
    }

    static func check(_ value: ExprValue, type: ExprType, field def: FieldRef, limits: RunnerLimits, inList: Bool) throws(Refusal) -> ExprValue {
        func wrong() -> Refusal { Refusal(RuntimeMessages.wrongType, def.id, kindName(value), type.description) }
        switch (type, value) {
        case (.text, .text(let s)):
            if s.utf8.count > limits.maxTextBytes {
                throw Refusal(RuntimeMessages.limitExceeded, "the value of field `\(def.id)` (\(s.utf8.count) bytes)", "\(limits.maxTextBytes) bytes")
            }
            return value
        case (.integer, .integer(let i)):
            try bounds(ExprDecimal(i), value, def)
            return value
        case (.decimal, .integer(let i)):
            try bounds(ExprDecimal(i), value, def)
            return .decimal(ExprDecimal(i))
        case (.decimal, .decimal(let d)):
            try bounds(d, value, def)
            return value
        case (.money(let currency), .money(let amount, let c)):
            guard c == currency else { throw wrong() }
            try bounds(amount, value, def)
            return value
        case (.boolean, .boolean), (.date, .date), (.datetime, .datetime), (.duration, .duration):
            return value
        case (.enumeration(let values), .enumValue(let v)), (.enumeration(let values), .text(let v)):
            guard values.contains(v) else {
                throw Refusal(RuntimeMessages.unknownEnumValue, def.id, v, values.joined(separator: ", "))
            }
            return .enumValue(v)
        case (.list(let element), .list(let elements)):
            guard !inList else { throw wrong() }
            if elements.count > limits.maxListElements {
                throw Refusal(RuntimeMessages.limitExceeded, "the list in field `\(def.id)` (\(elements.count) elements)", "\(limits.maxListElements) elements")
            }
            var out: [ExprValue] = []
            out.reserveCapacity(elements.count)
            for e in elements {
                if e == .null { throw wrong() }
                out.append(try check(e, type: element, field: def, limits: limits, inList: true))
            }
            return .list(out)
        default:
            throw wrong()
        }
    }

    /// Refuses a number outside the field's `min`/`max`.
    static func bounds(_ number: ExprDecimal, _ value: ExprValue, _ def: FieldRef) throws(Refusal) {
        if def.min == nil, def.max == nil { return }
        func below(_ bound: Double) -> Bool { compare(number, bound) < 0 }
        func above(_ bound: Double) -> Bool { compare(number, bound) > 0 }
        let low = def.min.map(below) ?? false
        let high = def.max.map(above) ?? false
        guard low || high else { return }
        let range = [def.min.map { "min \(formatBound($0))" }, def.max.map { "max \(formatBound($0))" }].compactMap { $0 }.joined(separator: ", ")
        throw Refusal(RuntimeMessages.outOfRange, def.id, value.displayText, range)
    }

    /// -1, 0 or 1: `number` against a bound written in the template (read exactly when it has a
    /// plain decimal form, else compared as a double).
    static func compare(_ number: ExprDecimal, _ bound: Double) -> Int {
        if let exact = ExprDecimal(formatBound(bound)) {
            return number < exact ? -1 : (exact < number ? 1 : 0)
        }
        let approx = Double(number.description) ?? 0
        return approx < bound ? -1 : (approx > bound ? 1 : 0)
    }

    static func formatBound(_ bound: Double) -> String {
        if bound.isFinite, bound == bound.rounded(), abs(bound) < 1e15 { return String(Int64(bound)) }
        return String(bound)
    }

    /// The value's kind as messages name it (`text`, `money(USD)`, `list`).
    static func kindName(_ value: ExprValue) -> String {
        switch value {
        case .null: "null"
        case .boolean: "a boolean"
        case .integer: "an integer"
        case .decimal: "a decimal"
        case .money(_, let currency): "money(\(currency))"
        case .text: "text"
        case .date: "a date"
        case .datetime: "a datetime"
        case .duration: "a duration"
        case .enumValue: "an enum value"
        case .list: "a list"
        }
    }

    /// The default of a field, read from the template's text by the field's type; nil when the
    /// field has none (or the text does not fit the type, which the checker rejects).
    public static func defaultValue(slot: Int, in machine: VerifiedMachine) -> ExprValue? {
        guard machine.machine.fields.indices.contains(slot), machine.fieldTypes.indices.contains(slot),
              let text = machine.machine.fields[slot].defaultValue else { return nil }
        return parse(text, as: machine.fieldTypes[slot])
    }

    /// Reads a scalar written as text (a template default, a scenario value) as a value of `type`:
    /// `42`, `0.15`, `120000 CNY` or `120000` for money, `true`, `2024-05-01`,
    /// `2024-05-01T09:30:00+08:00`, an enum value. Nil when it does not fit.
    public static func parse(_ text: String, as type: ExprType) -> ExprValue? {
        switch type {
        case .text: return .text(text)
        case .integer:
            if let i = Int64(text) { return .integer(i) }
            // A YAML float such as `3.0` written for an integer.
            if let d = ExprDecimal(text), d.scale == 0 { return .integer(d.significand) }
            return nil
        case .decimal: return decimal(text).map { .decimal($0) }
        case .money(let currency):
            let parts = text.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count == 2, String(parts[1]) == currency, let d = decimal(String(parts[0])) { return .money(amount: d, currency: currency) }
            if parts.count == 1, let d = decimal(String(parts[0])) { return .money(amount: d, currency: currency) }
            return nil
        case .boolean:
            switch text {
            case "true": return .boolean(true)
            case "false": return .boolean(false)
            default: return nil
            }
        case .date: return ExprValue.date(parsing: text)
        case .datetime: return ExprValue.datetime(parsing: text)
        case .enumeration(let values): return values.contains(text) ? .enumValue(text) : nil
        case .duration, .list, .null: return nil
        }
    }

    /// A decimal from `12`, `-12.5` (exponent forms such as `1e3` are not read).
    static func decimal(_ text: String) -> ExprDecimal? { ExprDecimal(text) }
}
