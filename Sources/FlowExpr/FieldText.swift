public import FlowDiagnostics

/// Field values written as text: a template's `default` (the IR keeps it as text), a scenario's
/// value. The runner reads a default through `readDefault(_:as:min:max:)`; the checker reads it
/// through the same function before the template is compiled, so a default that `flowc check`
/// accepts is one the runner reads, as the same value.
public enum FieldText {
    /// Why a text is not a value of a field's type: the rule it breaks.
    public enum Problem: Sendable, Hashable, Error {
        /// Not a number at all (`12a`, `1e3` in a text that is read plainly).
        case notANumber
        /// A number with a fraction where an integer is expected.
        case notAnInteger
        /// An integer outside the 64-bit range.
        case integerRange
        /// A decimal with more than 18 significant digits or decimal places.
        case decimalPrecision
        /// A money amount written with another currency than the field's.
        case currency(expected: String)
        /// Neither `true` nor `false`.
        case notABoolean
        /// Not a date or a datetime, and why.
        case calendar(CalendarProblem)
        /// Not one of the enum's declared values.
        case notAValue(declared: [String])
        /// A type whose values are never written as one text (list, duration).
        case noTextForm
    }

    /// Reads a scalar written as text as a value of `type`: `42`, `-12.5`, `120000 CNY` or
    /// `120000` for money, `true`, `2024-05-01`, `2024-05-01T09:30:00+08:00`, an enum value.
    /// Numbers are read exactly: a decimal with more digits than fit is refused, never rounded.
    /// `strict: false` reads a datetime as flowc read it before it held what people write to the
    /// second and the zones in use (``CivilCalendar/readDatetime(_:strict:)``): for a default a
    /// machine compiled then still holds, which its deals were created with.
    public static func read(_ text: String, as type: ExprType, strict: Bool = true) -> Result<ExprValue, Problem> {
        switch type {
        case .text: return .success(.text(text))
        case .integer:
            if let i = Int64(text) { return .success(.integer(i)) }
            // A YAML float such as `3.0` written for an integer.
            if let d = ExprDecimal(text), d.scale == 0 { return .success(.integer(d.significand)) }
            if isPlainInteger(text) { return .failure(.integerRange) }
            return .failure(isPlainDecimal(text) ? .notAnInteger : .notANumber)
        case .decimal: return decimal(text).map { .decimal($0) }
        case .money(let currency):
            let parts = text.split(separator: " ", omittingEmptySubsequences: true)
            if parts.count == 2, isCurrencyCode(parts[1]) {
                guard String(parts[1]) == currency else { return .failure(.currency(expected: currency)) }
                return decimal(String(parts[0])).map { .money(amount: $0, currency: currency) }
            }
            if parts.count == 1 { return decimal(String(parts[0])).map { .money(amount: $0, currency: currency) } }
            return .failure(.notANumber)
        case .boolean:
            switch text {
            case "true": return .success(.boolean(true))
            case "false": return .success(.boolean(false))
            default: return .failure(.notABoolean)
            }
        case .date: return CivilCalendar.readDate(text).map { .date(days: $0) }.mapError { .calendar($0) }
        case .datetime: return CivilCalendar.readDatetime(text, strict: strict).map { .datetime(seconds: $0) }.mapError { .calendar($0) }
        case .enumeration(let values):
            return values.contains(text) ? .success(.enumValue(text)) : .failure(.notAValue(declared: values))
        case .duration, .list, .null: return .failure(.noTextForm)
        }
    }

    /// Why a field's default gives a new deal no value.
    public enum DefaultProblem: Sendable, Hashable, Error {
        /// The text is not a value of the field's type.
        case unreadable(Problem)
        /// A number outside the field's `min` or `max`.
        case outOfBounds(FieldBounds.Violation)
    }

    /// A field's default as a new deal gets it: the text the IR keeps, read by `read(_:as:)` and
    /// held to the field's `min` and `max`. The runner sets a new deal's field from this, and the
    /// checker refuses (FC0314) every default for which it fails, so that none vanishes.
    public static func readDefault(_ text: String, as type: ExprType, min: Double?, max: Double?, strict: Bool = true) -> Result<ExprValue, DefaultProblem> {
        switch read(text, as: type, strict: strict) {
        case .failure(let problem): return .failure(.unreadable(problem))
        case .success(let value):
            if let number = FieldBounds.number(of: value), let violation = FieldBounds.violation(number, min: min, max: max) {
                return .failure(.outOfBounds(violation))
            }
            return .success(value)
        }
    }

    /// A decimal from `12` or `-12.5`, exactly; exponent forms such as `1e3` are not read.
    static func decimal(_ text: String) -> Result<ExprDecimal, Problem> {
        if let d = ExprDecimal(text) { return .success(d) }
        return .failure(isPlainDecimal(text) ? .decimalPrecision : .notANumber)
    }

    /// `-?[0-9]+`.
    static func isPlainInteger(_ text: String) -> Bool {
        let digits = text.utf8.first == UInt8(ascii: "-") ? text.utf8.dropFirst() : text.utf8[...]
        return !digits.isEmpty && digits.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// `-?[0-9]+(\.[0-9]+)?`: the form `ExprDecimal` reads, whatever the number of digits.
    static func isPlainDecimal(_ text: String) -> Bool {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard isPlainInteger(String(parts[0])) else { return false }
        return parts.count == 1 || (!parts[1].isEmpty && parts[1].utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 })
    }

    static func isCurrencyCode(_ s: Substring) -> Bool {
        s.utf8.count == 3 && s.utf8.allSatisfy { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") }
    }

    // MARK: Numbers written in YAML

    /// The plain form (`1000`, `0.015`, `-12.5`) of a number written in YAML 1.2's float syntax
    /// (`1e3`, `1.5e-2`, `-12.50`, `.5`, `+3.`), digit for digit: no value is computed, so
    /// nothing is rounded. A number already in plain form is returned as written.
    ///
    /// - Returns: nil for text that is not in that syntax (`.inf`, `.nan`), and for a number
    ///   whose plain form would have more than `maxPlainDigits` digits, which no decimal holds.
    public static func plainNumber(yaml text: String) -> String? {
        if isPlainDecimal(text) { return text }
        var u = Array(text.utf8)[...]
        var negative = false
        if let sign = u.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            u = u.dropFirst()
        }
        let isDigit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }
        let integer = u.prefix(while: isDigit)
        u = u.dropFirst(integer.count)
        var fraction = u[u.startIndex..<u.startIndex]
        if u.first == UInt8(ascii: ".") {
            u = u.dropFirst()
            fraction = u.prefix(while: isDigit)
            u = u.dropFirst(fraction.count)
        }
        guard !integer.isEmpty || !fraction.isEmpty else { return nil }
        var exponent = 0
        if let e = u.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            u = u.dropFirst()
            var exponentNegative = false
            if let sign = u.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
                exponentNegative = sign == UInt8(ascii: "-")
                u = u.dropFirst()
            }
            let digits = u.prefix(while: isDigit)
            guard !digits.isEmpty else { return nil }
            u = u.dropFirst(digits.count)
            for d in digits {
                exponent = exponent * 10 + Int(d - 0x30)
                // Far past any plain form that could be written out; stop before it overflows.
                if exponent > 1_000_000_000 { return nil }
            }
            if exponentNegative { exponent = -exponent }
        }
        guard u.isEmpty else { return nil }
        // The significant digits, and where the point goes among them (before digit `point`;
        // negative or past the end when zeros must be added).
        let all = Array(integer) + Array(fraction)
        var first = all.startIndex
        var point = integer.count + exponent
        while first < all.endIndex, all[first] == 0x30 {
            first += 1
            point -= 1
        }
        var last = all.endIndex
        while last > first, last - first > point, all[last - 1] == 0x30 { last -= 1 }
        let digits = all[first..<last]
        if digits.isEmpty { return "0" }
        let width = point <= 0 ? 2 - point + digits.count : Swift.max(point, digits.count + 1)
        guard width <= maxPlainDigits else { return nil }
        var out: [UInt8] = negative ? [UInt8(ascii: "-")] : []
        if point <= 0 {
            out += [0x30, UInt8(ascii: ".")] + Array(repeating: 0x30, count: -point) + digits
        } else if point >= digits.count {
            out += digits + Array(repeating: 0x30, count: point - digits.count)
        } else {
            let split = digits.startIndex + point
            out += digits[..<split] + [UInt8(ascii: ".")] + digits[split...]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The longest plain form `plainNumber(yaml:)` writes out: well past the 19 digits any
    /// decimal or integer can hold, so that what it refuses is refused for its size.
    public static let maxPlainDigits = 64
}

extension FieldText.Problem {
    /// The rule broken, as a note for a diagnostic or a refusal.
    public var note: Message {
        typealias R = ExprMessages.ValueRules
        switch self {
        case .notANumber: return Message(R.plainNumber)
        case .notAnInteger: return Message(R.wholeNumber)
        case .integerRange: return Message(ExprMessages.Help.integerRange)
        case .decimalPrecision: return Message(R.decimalDigits)
        case .currency(let expected): return Message(R.currency, [expected])
        case .notABoolean: return Message(R.boolean)
        case .notAValue(let declared): return Message(ExprMessages.Help.declaredValues, [declared.map { "`\($0)`" }.joined(separator: ", ")])
        case .noTextForm: return Message(R.noTextForm)
        case .calendar(let problem): return problem.note
        }
    }
}

extension CalendarProblem {
    /// The rule of `YYYY-MM-DD` or ISO-8601 broken, as a note.
    public var note: Message {
        typealias R = ExprMessages.ValueRules
        switch self {
        case .dateForm: return Message(ExprMessages.Help.dateFormat)
        case .datetimeForm: return Message(ExprMessages.Help.datetimeFormat)
        case .year: return Message(R.year)
        case .month: return Message(R.month)
        case .day(let days): return Message(R.day, [String(days)])
        case .hour: return Message(R.hour)
        case .minute: return Message(R.minute)
        case .second: return Message(R.second)
        case .zoneMissing: return Message(R.zoneMissing)
        case .zone: return Message(R.zone)
        case .outOfYears: return Message(R.outOfYears)
        case .fraction(let whole): return Message(R.fraction, [whole])
        }
    }
}

/// A number against a field's `min` and `max`, which the IR keeps as doubles: the one
/// comparison the runner makes when a value is set and the checker makes for a default.
public enum FieldBounds {
    /// Which bound a number breaks.
    public enum Violation: Sendable, Hashable {
        case belowMin(Double)
        case aboveMax(Double)
    }

    /// The bound `number` breaks, `min` first; nil when it is within both.
    public static func violation(_ number: ExprDecimal, min: Double?, max: Double?) -> Violation? {
        if let min, compare(number, min) < 0 { return .belowMin(min) }
        if let max, compare(number, max) > 0 { return .aboveMax(max) }
        return nil
    }

    /// The number a field value holds (integer, decimal, money amount); nil for other values.
    public static func number(of value: ExprValue) -> ExprDecimal? {
        switch value {
        case .integer(let i): ExprDecimal(i)
        case .decimal(let d): d
        case .money(let amount, _): amount
        default: nil
        }
    }

    /// -1, 0 or 1: `number` against a bound written in the template (read exactly when it has a
    /// plain decimal form, else compared as a double). A runner's refusals follow it, so a change
    /// here would need a new runner rules version (docs/runtime.md §12).
    public static func compare(_ number: ExprDecimal, _ bound: Double) -> Int {
        if let exact = ExprDecimal(format(bound)) {
            return number < exact ? -1 : (exact < number ? 1 : 0)
        }
        let approx = Double(number.description) ?? 0
        return approx < bound ? -1 : (approx > bound ? 1 : 0)
    }

    /// The value a bound the IR keeps as `value` (a double) stands for: its shortest decimal
    /// form, or the whole number it is.
    public static func exact(_ value: Double) -> ExprDecimal? {
        if value.isFinite, value == value.rounded(), let whole = Int64(exactly: value) { return ExprDecimal(whole) }
        return ExprDecimal(format(value))
    }

    /// Whether the bound written as `text` is the bound `value` the IR keeps (a double): false
    /// for a bound of more significant digits than a double holds (`0.10000000000000001` is
    /// kept as `0.1`, `99999999999999999` as `100000000000000000`: IR review F7), which the
    /// checker refuses rather than move. True for forms not written as plain decimals (`1e3`).
    public static func isKeptExactly(_ text: String, as value: Double) -> Bool {
        guard let written = ExprDecimal(text.hasPrefix("+") ? String(text.dropFirst()) : text) else { return true }
        guard let kept = exact(value) else { return false }
        return !(written < kept) && !(kept < written)
    }

    /// A bound as messages show it: `10`, `0.5`.
    public static func format(_ bound: Double) -> String {
        if bound.isFinite, bound == bound.rounded(), abs(bound) < 1e15 { return String(Int64(bound)) }
        return String(bound)
    }
}
