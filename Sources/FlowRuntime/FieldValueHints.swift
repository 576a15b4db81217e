public import FlowExpr

/// The form a value written the way a spreadsheet or another system writes it should take, for
/// the message that refuses it (QA round 12: `1,200,000`, `￥1,200,000.00`, `120万`, `2024/5/6`,
/// `2024年5月6日` and `TRUE` were refused with no word on what to write). Never used to read a
/// value: a hint is shown, the value stays refused, so that nothing is read in a way the author
/// did not check.
public enum FieldValueHints {
    /// What to write instead of `written` for a field of `type` (`write `1200000 CNY``), or nil
    /// when nothing close reads.
    /// - Parameter zone: the host's zone, seconds east of UTC, for a datetime's example (nil:
    ///   unknown, `+08:00`).
    public static func hint(_ written: String, type: ExprType, zone: Int64? = nil) -> String? {
        guard let s = suggestion(written, type: type, zone: zone) else { return nil }
        if case .datetime = type { return "write it with its zone, as `\(s)`" }
        if case .list = type { return "write a list: `\(s)`" }
        return "write `\(s)`"
    }

    static func suggestion(_ written: String, type: ExprType, zone: Int64? = nil) -> String? {
        let text = written.trimmingBlanks
        switch type {
        case .integer, .decimal, .money:
            // An amount with a currency code before or after it, in any case (`USD 1234.56`,
            // `1,234.56 usd`, QA round 18): the field's own currency only; another one is said
            // by the reading's own message.
            var amount = text
            var coded = false
            if case .money(let currency) = type, let (rest, code) = withoutCode(text) {
                guard code == currency else { return nil }
                amount = rest
                coded = true
            }
            // `number` gives nil for a number already plain: with the code moved, it is the hint.
            guard let n = number(amount) ?? (coded ? amount : nil) else { return nil }
            if case .money(let currency) = type, FieldValues.parse(n, as: type) != nil { return "\(n) \(currency)" }
            return FieldValues.parse(n, as: type) != nil ? n : nil
        case .date:
            guard let d = date(text)?.day, FieldValues.parse(d, as: type) != nil else { return nil }
            return d
        case .datetime:
            guard let (day, time) = date(text), let time else { return nil }
            let candidate = "\(day)T\(time)" + zoneText(zone ?? 8 * 3600)
            return FieldValues.parse(candidate, as: type) != nil ? candidate : nil
        case .enumeration(let values):
            // Another case, or blanks and hyphens for `_` (`Real Estate`, QA round 19).
            func key(_ s: String) -> String { String(s.lowercased().map { $0 == " " || $0 == "-" ? "_" : $0 }) }
            return values.first { key($0) == key(text) }
        case .list(let element):
            // One value, or values separated as in a CSV cell (`crm;erp`), for a list field: the
            // list, as JSON writes it (QA round 19).
            // Commas too when there is no `;` (`--set products=crm,erp`, QA round 20).
            let separators: Set<Character> = text.contains(where: { $0 == ";" || $0 == "；" }) ? [";", "；"] : [",", "，"]
            let items = text.split(whereSeparator: { separators.contains($0) }).map { String($0).trimmingBlanks }.filter { !$0.isEmpty }
            guard !items.isEmpty else { return nil }
            var out: [String] = []
            for item in items {
                guard let v = FieldValues.parse(item, as: element) != nil ? item : suggestion(item, type: element, zone: zone) else { return nil }
                out.append("\"" + v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"")
            }
            return "[" + out.joined(separator: ", ") + "]"
        case .boolean:
            let lower = text.lowercased()
            if ["true", "yes", "y", "t", "1", "是", "对", "真"].contains(lower) { return "true" }
            if ["false", "no", "n", "f", "0", "否", "错", "假"].contains(lower) { return "false" }
            return nil
        default:
            return nil
        }
    }

    /// `+08:00`, `-05:00`, `+00:00` for an offset in seconds east of UTC (whole minutes).
    static func zoneText(_ seconds: Int64) -> String {
        let minutes = seconds.magnitude / 60
        func two(_ n: UInt64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return (seconds < 0 ? "-" : "+") + two(minutes / 60) + ":" + two(minutes % 60)
    }

    /// The text without a three-letter currency code written before or after it (separated by
    /// blanks), and the code in capitals; nil without one.
    static func withoutCode(_ text: String) -> (String, String)? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\u{3000}" || $0 == "\t" })
        guard words.count == 2 else { return nil }
        func isCode(_ w: Substring) -> Bool { w.count == 3 && w.allSatisfy { $0.isASCII && $0.isLetter } }
        if isCode(words[1]), !isCode(words[0]) { return (String(words[0]), words[1].uppercased()) }
        if isCode(words[0]), !isCode(words[1]) { return (String(words[1]), words[0].uppercased()) }
        return nil
    }

    /// `1,200,000`, `￥1,200,000.00`, `1200000元`, `120万`, `1.2e6`, `１２００`: the plain number.
    static func number(_ text: String) -> String? {
        var s = ""
        for c in text.unicodeScalars {
            switch c.value {
            case 0xFF10...0xFF19: s.unicodeScalars.append(Unicode.Scalar(c.value - 0xFF10 + 0x30)!)  // full-width digits
            case 0xFF0E: s.append(".")
            case 0xFF0C: s.append(",")
            case 0xFF0D: s.append("-")
            case 0x20, 0x3000, 0x09: continue
            default: s.unicodeScalars.append(c)
            }
        }
        for symbol in ["￥", "¥", "$", "€", "£", "RMB", "CNY"] where s.hasPrefix(symbol) { s.removeFirst(symbol.count) }
        for unit in ["元", "圆", "RMB"] where s.hasSuffix(unit) { s.removeLast(unit.count) }
        var shift = 0
        if s.hasSuffix("亿") { shift = 8; s.removeLast() } else if s.hasSuffix("万") { shift = 4; s.removeLast() }
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }), let exponent = Int(s[s.index(after: e)...]), abs(exponent) <= 30 {
            shift += exponent
            s = String(s[..<e])
        }
        // Thousands separators: groups of three after the first.
        if s.contains(",") {
            let parts = s.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { return nil }
            let groups = parts[0].split(separator: ",", omittingEmptySubsequences: false)
            let head = groups[0].hasPrefix("-") ? groups[0].dropFirst() : groups[0]
            guard (1...3).contains(head.count), groups.dropFirst().allSatisfy({ $0.count == 3 }) else { return nil }
            s = groups.joined() + (parts.count == 2 ? "." + parts[1] : "")
        }
        let negative = s.hasPrefix("-")
        if negative { s.removeFirst() }
        let pieces = s.split(separator: ".", omittingEmptySubsequences: false)
        guard !s.isEmpty, pieces.count <= 2, pieces.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              !(pieces.count == 2 && pieces[0].isEmpty && pieces[1].isEmpty) else { return nil }
        var whole = String(pieces[0])
        var fraction = pieces.count == 2 ? String(pieces[1]) : ""
        // Moves the decimal point `shift` places (right when positive).
        if shift > 0 {
            let moved = fraction.prefix(shift)
            whole += moved + String(repeating: "0", count: shift - moved.count)
            fraction = String(fraction.dropFirst(moved.count))
        } else if shift < 0 {
            let moved = -shift
            let padded = String(repeating: "0", count: max(0, moved - whole.count)) + whole
            fraction = String(padded.suffix(moved)) + fraction
            whole = String(padded.dropLast(moved))
        }
        whole = String(whole.drop { $0 == "0" })
        if whole.isEmpty { whole = "0" }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let out = (negative ? "-" : "") + whole + (fraction.isEmpty ? "" : "." + fraction)
        return out == text ? nil : out
    }

    /// `2024/5/6`, `2024-5-6`, `2024.5.6`, `2024年5月6日`, each perhaps with a time (`14:30`):
    /// the ISO day, and the time as `HH:MM:SS` when there is one.
    static func date(_ text: String) -> (day: String, time: String?)? {
        var numbers: [Int] = []
        var current = ""
        var timePart: Substring?
        var rest = Substring(text)
        if let space = rest.firstIndex(where: { $0 == " " || $0 == "T" || $0 == "\u{3000}" }) {
            timePart = rest[rest.index(after: space)...].drop { $0 == " " }
            rest = rest[..<space]
        }
        // A 12-hour clock (`10:30 PM`): the hour on the 24-hour one.
        var afternoon: Bool?
        if let t = timePart {
            let upper = t.uppercased()
            for (suffix, pm) in [("AM", false), ("PM", true), ("A.M.", false), ("P.M.", true)] where upper.hasSuffix(suffix) {
                afternoon = pm
                var clock = t.dropLast(suffix.count)
                while clock.last == " " { clock = clock.dropLast() }
                timePart = clock
                break
            }
        }
        for c in rest {
            if c.isASCII && c.isNumber {
                current.append(c)
            } else if ["/", "-", ".", "年", "月", "日"].contains(c) {
                // Digits past any year (`99999999999999999999/1/1`) are no date either.
                guard current.count <= 4, let n = Int(current) else { return nil }
                numbers.append(n)
                current = ""
            } else {
                return nil
            }
        }
        if !current.isEmpty {
            guard current.count <= 4, let n = Int(current) else { return nil }
            numbers.append(n)
        }
        // The year last (`06/30/2024`, `30/06/2024`), when the day cannot be taken for a month.
        if numbers.count == 3, numbers[2] >= 1000, numbers[0] <= 31, numbers[1] <= 31 {
            switch (numbers[0], numbers[1]) {
            case (1...12, 13...31): numbers = [numbers[2], numbers[0], numbers[1]]
            case (13...31, 1...12): numbers = [numbers[2], numbers[1], numbers[0]]
            default: return nil
            }
        }
        guard numbers.count == 3, (1...9999).contains(numbers[0]), (1...12).contains(numbers[1]), (1...31).contains(numbers[2]) else { return nil }
        func pad(_ n: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(n).count)) + String(n) }
        let day = "\(pad(numbers[0], 4))-\(pad(numbers[1], 2))-\(pad(numbers[2], 2))"
        guard let timePart, !timePart.isEmpty else { return (day, nil) }
        let hms = timePart.split(separator: ":").compactMap { Int($0) }
        guard (2...3).contains(hms.count), hms.count == timePart.split(separator: ":").count, (0...59).contains(hms[1]),
              hms.count == 2 || (0...59).contains(hms[2]) else { return (day, nil) }
        var hour = hms[0]
        if let afternoon {
            guard (1...12).contains(hour) else { return (day, nil) }
            hour = hour % 12 + (afternoon ? 12 : 0)
        }
        guard (0...23).contains(hour) else { return (day, nil) }
        return (day, "\(pad(hour, 2)):\(pad(hms[1], 2)):\(pad(hms.count == 3 ? hms[2] : 0, 2))")
    }
}

extension String {
    /// Without the blanks around it (spaces, tabs, the ideographic space).
    fileprivate var trimmingBlanks: String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\u{3000}" }
        return String(drop(while: blank).reversed().drop(while: blank).reversed())
    }
}
