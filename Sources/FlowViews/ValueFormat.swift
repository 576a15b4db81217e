/// How views and the report write numbers and durations for people, so that `flowc deals` and
/// `flowc report` show the same amount the same way.
///
/// Amounts are rounded to the cent *half away from zero* on their exact decimal (`0.125` →
/// `0.13`, `2.675` → `2.68`, `-0.005` → `-0.01`), as a person rounds, and as the language's
/// `round` does. A sum that could only be kept as a binary float is first written as the
/// shortest decimal that reads back as that float (`0.125`, not `0.1249999…`), then rounded the
/// same way.
enum ValueFormat {
    // MARK: Amounts

    /// `1234567.895` → `1,234,567.90` (with `grouping`), `1234567.90` without. `plain` is a
    /// decimal as ``FlowExpr/ExprDecimal`` and ``FlowStore/ViewDecimal`` write it
    /// (`-?[0-9]+(.[0-9]+)?`); anything else is returned as it is.
    static func cents(_ plain: String, grouping: Bool) -> String {
        var text = plain[...]
        let negative = text.hasPrefix("-")
        if negative { text = text.dropFirst() }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0]
        let fraction = parts.count > 1 ? parts[1] : ""
        guard !whole.isEmpty, (whole + fraction).allSatisfy({ $0.isASCII && $0.isNumber }) else { return plain }
        // Digits of the value × 100, rounded half away from zero on the third place.
        var digits = Array((whole + fraction.prefix(2) + String(repeating: "0", count: max(0, 2 - fraction.count))).utf8)
        if let third = fraction.dropFirst(2).first, third >= "5" {
            var i = digits.count - 1
            while i >= 0 {
                if digits[i] == UInt8(ascii: "9") {
                    digits[i] = UInt8(ascii: "0")
                    i -= 1
                } else {
                    digits[i] += 1
                    break
                }
            }
            if i < 0 { digits.insert(UInt8(ascii: "1"), at: 0) }
        }
        while digits.count > 3, digits.first == UInt8(ascii: "0") { digits.removeFirst() }
        let cents = String(decoding: digits.suffix(2), as: UTF8.self)
        var integer = String(decoding: digits.dropLast(2), as: UTF8.self)
        if integer.isEmpty { integer = "0" }
        if grouping { integer = grouped(integer) }
        let isZero = digits.allSatisfy { $0 == UInt8(ascii: "0") }
        return (negative && !isZero ? "-" : "") + integer + "." + cents
    }

    /// A binary float rounded to the cent as its shortest decimal is (`0.125` → `0.13`);
    /// `—` when it is not finite.
    static func cents(_ value: Double, grouping: Bool) -> String {
        guard value.isFinite else { return "—" }
        return cents(plain(value), grouping: grouping)
    }

    /// `1234567` → `1,234,567`.
    static func grouped(_ digits: String) -> String {
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return out
    }

    /// The shortest decimal that reads back as `value`, without an exponent: `1e-05` →
    /// `0.00001`, `1.2345678901234568e+16` → `12345678901234568`, `5.0` → `5`. Not finite: its
    /// description.
    static func plain(_ value: Double) -> String {
        guard value.isFinite else { return value.description }
        var text = value.description[...]
        let negative = text.hasPrefix("-")
        if negative { text = text.dropFirst() }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...].replacingOccurrences(of: "+", with: "")) ?? 0
            text = text[..<e]
        }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        var digits = String(parts[0]) + (parts.count > 1 ? String(parts[1]) : "")
        var point = parts[0].count + exponent
        if point <= 0 {
            digits = String(repeating: "0", count: 1 - point) + digits
            point = 1
        } else if point > digits.count {
            digits += String(repeating: "0", count: point - digits.count)
        }
        var whole = String(digits.prefix(point))
        var fraction = String(digits.dropFirst(point))
        while fraction.hasSuffix("0") { fraction.removeLast() }
        while whole.count > 1, whole.hasPrefix("0") { whole.removeFirst() }
        let body = fraction.isEmpty ? whole : whole + "." + fraction
        return negative && body != "0" ? "-" + body : body
    }

    // MARK: Durations

    /// A duration in one scale for every cell, so a column reads at a glance: whole days from a
    /// day up (`47d`, `42d`, `40d` for 40 days 18 hours), whole hours under a day (`18h`),
    /// whole minutes under an hour (`35m`), seconds under a minute (`20s`); never weeks. Cut
    /// toward zero (a deal is 40 days old until it is 41), and a negative duration (a time
    /// after `--now`) keeps its sign.
    static func duration(_ seconds: Int64) -> String {
        let (count, unit) = durationUnit(seconds)
        return String(seconds / count) + unit
    }

    /// The unit a duration is shown in: its length in seconds and its letter.
    static func durationUnit(_ seconds: Int64) -> (Int64, String) {
        switch seconds.magnitude {
        case 86_400...: (86_400, "d")
        case 3_600...: (3_600, "h")
        case 60...: (60, "m")
        default: (1, "s")
        }
    }

    /// The start of the unit a duration is shown in (`40d18h` → `40d`): a grouping by a duration
    /// puts together the values that are shown alike.
    static func durationBucket(_ seconds: Int64) -> Int64 {
        let (count, _) = durationUnit(seconds)
        return seconds / count * count
    }
}
