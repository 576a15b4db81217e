extension Duration {
    /// What to write instead of `text`, which is no duration: the same time in whole units
    /// (`1.5d` → `1d12h`), the unit's letter (`30 days`, `2D` → `30d`, `2d`), days for months
    /// (`1M` → `30d`), the units in order (`1h2d`, `1d1d` → `2d1h`, `2d`); else the forms a
    /// duration takes. The help's format has the replacement as `{0}` when there is one, so that
    /// a caller writing durations behind a `+` (a scenario's step, a record's time) says `+30d`.
    public static func advice(_ text: String) -> (format: String, replacement: String?) {
        let digits = text.prefix { $0.isNumber || $0 == "-" }
        let written = text.dropFirst(digits.count).trimmingSpaces
        let rest = written.lowercased()
        // `30 d` and `2D` too (QA round 22); `M` is a month, below.
        let unit: String? = switch rest {
        case "m" where written == "m": "m"
        case "": "d"
        default: unitLetter(forWord: rest)
        }
        let isMonth = ["M", "mo", "month", "months", "月", "个月"].contains(String(written))
        if let whole = SyntaxReader.fractionalDuration(text) {
            return (SyntaxMessages.Formats.write, whole)
        } else if !digits.isEmpty, let unit {
            return (SyntaxMessages.Formats.write, String(digits) + unit)
        } else if isMonth, let n = Int(digits), n > 0, n <= 1_000 {
            // Months differ in length: a template writes days (QA round 17: `1M` got the forms only).
            return (SyntaxMessages.Formats.noMonthUnit, String(n * 30) + "d")
        } else if let ordered = SyntaxReader.inUnitOrder(text) {
            return (SyntaxMessages.Formats.unitsInOrder, ordered)
        }
        return (SyntaxMessages.Formats.durationForms, nil)
    }
}
