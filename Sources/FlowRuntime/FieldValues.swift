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
        func wrong() -> Refusal { Refusal(RuntimeMessages.wrongType, def.id, kindName(value), typeName(type)) }
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
                throw Refusal(RuntimeMessages.unknownEnumValue, def.id, v, values.joined(separator: ", "), Names.didYouMean(v, among: values))
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

    /// Refuses a number outside the field's `min`/`max` (compared by `FieldBounds`, as the
    /// checker compares a default).
    static func bounds(_ number: ExprDecimal, _ value: ExprValue, _ def: FieldRef) throws(Refusal) {
        if def.min == nil, def.max == nil { return }
        guard FieldBounds.violation(number, min: def.min, max: def.max) != nil else { return }
        let range = [def.min.map { "min \(FieldBounds.format($0))" }, def.max.map { "max \(FieldBounds.format($0))" }].compactMap { $0 }.joined(separator: ", ")
        throw Refusal(RuntimeMessages.outOfRange, def.id, value.displayText, range)
    }

    /// A type as a message names what a field takes: `a date`, `an integer`, `money(CNY)`,
    /// `text` (QA round 43, T12: "is not date", "is not integer").
    public static func typeName(_ type: ExprType) -> String {
        switch type {
        case .integer: "an integer"
        case .decimal: "a decimal"
        case .boolean: "a boolean"
        case .date: "a date"
        case .datetime: "a datetime"
        case .duration: "a duration"
        case .text, .money, .enumeration, .list, .null: type.description
        }
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

    /// The default of a field as a new deal gets it (`FieldText.readDefault`: read by the
    /// field's type, within its `min` and `max`, the one reading `flowc check` gives every
    /// default); nil when the field has none, or when the machine's default fails that reading,
    /// which the checker refuses (FC0314) and only a machine compiled otherwise can hold.
    public static func defaultValue(slot: Int, in machine: VerifiedMachine) -> ExprValue? {
        guard machine.machine.fields.indices.contains(slot), machine.fieldTypes.indices.contains(slot),
              let text = machine.machine.fields[slot].defaultValue else { return nil }
        let field = machine.machine.fields[slot]
        // Leniently: a machine compiled before the checker held datetimes to the second keeps
        // its default, and its deals replay as they were created.
        return try? FieldText.readDefault(text, as: machine.fieldTypes[slot], min: field.min, max: field.max, strict: false).get()
    }

    /// Reads a scalar written as text (a template default, a scenario value) as a value of `type`
    /// (`FieldText.read`): `42`, `0.15`, `120000 CNY` or `120000` for money, `true`,
    /// `2024-05-01`, `2024-05-01T09:30:00+08:00`, an enum value. Nil when it does not fit.
    public static func parse(_ text: String, as type: ExprType) -> ExprValue? {
        try? FieldText.read(text, as: type).get()
    }
}
