/// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), in UTC.
///
/// Pure integer arithmetic: no Foundation calendar, no time zone database, no wall clock.
enum CivilCalendar {
    /// Day numbers this far from the epoch are shown raw instead of as a calendar date; the
    /// conversions below are exact well beyond this, and it keeps intermediates far from overflow.
    static let printableDays: Int64 = 1_000_000_000

    static func isLeap(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    static func daysInMonth(_ year: Int64, _ month: Int64) -> Int64 {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The day number of a valid calendar date (H. Hinnant's `days_from_civil`).
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The calendar date of a day number; nil when it is too far from the epoch to print.
    static func civil(_ days: Int64) -> (year: Int64, month: Int64, day: Int64)? {
        guard days.magnitude <= UInt64(printableDays) else { return nil }
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Floor division (rounds toward negative infinity), for splitting seconds into days.
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    // MARK: Text

    private static func digits(_ bytes: ArraySlice<UInt8>) -> Int64? {
        guard !bytes.isEmpty else { return nil }
        var value: Int64 = 0
        for b in bytes {
            guard b >= 0x30, b <= 0x39 else { return nil }
            value = value * 10 + Int64(b - 0x30)
        }
        return value
    }

    /// Parses exactly `YYYY-MM-DD` (year 0001…9999, a real calendar day).
    static func parseDate(_ text: String) -> Int64? {
        try? readDate(text).get()
    }

    /// `parseDate`, saying which rule a text that is not a date breaks.
    static func readDate(_ text: String) -> Result<Int64, CalendarProblem> {
        let bytes = Array(text.utf8)
        guard bytes.count == 10 else { return .failure(.dateForm) }
        return readDate(bytes[...])
    }

    private static func readDate(_ b: ArraySlice<UInt8>) -> Result<Int64, CalendarProblem> {
        let s = b.startIndex
        guard b.count == 10, b[s + 4] == UInt8(ascii: "-"), b[s + 7] == UInt8(ascii: "-"),
              let year = digits(b[s..<(s + 4)]), let month = digits(b[(s + 5)..<(s + 7)]),
              let day = digits(b[(s + 8)..<(s + 10)]) else { return .failure(.dateForm) }
        guard year >= 1 else { return .failure(.year) }
        guard month >= 1, month <= 12 else { return .failure(.month) }
        guard day >= 1, day <= daysInMonth(year, month) else { return .failure(.day(days: Int(daysInMonth(year, month)))) }
        return .success(days(year: year, month: month, day: day))
    }

    /// Parses ISO-8601 `YYYY-MM-DDTHH:MM[:SS[.fraction]]` followed by `Z` or `±HH:MM`, to seconds
    /// since the epoch (UTC). The zone is required. Leniently (``readDatetime(_:strict:)``):
    /// a fraction of a second is dropped, any offset to ±23:59 taken. For text read as a
    /// datetime where a value stored before must read as it did (`datetime(text_field)` on a
    /// replay, a view's filter); what a person writes is read strictly.
    static func parseDatetime(_ text: String) -> Int64? {
        try? readDatetime(text, strict: false).get()
    }

    /// The largest offset of a zone in use, either side of UTC: 14 hours (UTC-12 to UTC+14).
    static let maxZoneOffset: Int64 = 14 * 3_600

    /// Every zone in use is a whole number of quarter hours from UTC (UTC+05:45, UTC-09:30).
    static let zoneOffsetStep: Int64 = 900

    /// `parseDatetime`, saying which rule a text that is not a datetime breaks.
    /// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, in seconds since 1970.
    static let firstInstant: Int64 = -62_135_596_800
    static let lastInstant: Int64 = 253_402_300_799

    ///
    /// Strictly (the default), a fraction of a second other than zeros is refused, since flowc
    /// keeps instants to the second and would drop it without a word (QA round 43, T3), and an
    /// offset must be one a zone uses: within ±14:00, in whole quarter hours (T4: `+18:00`, a
    /// typo for `+08:00`, moved the time by ten hours unsaid).
    static func readDatetime(_ text: String, strict: Bool = true) -> Result<Int64, CalendarProblem> {
        let b = Array(text.utf8)
        guard b.count >= 16, b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"),
              let hour = digits(b[11..<13]), let minute = digits(b[14..<16]) else { return .failure(.datetimeForm) }
        let day: Int64
        switch readDate(b[0..<10]) {
        case .success(let d): day = d
        case .failure(.dateForm): return .failure(.datetimeForm)
        case .failure(let problem): return .failure(problem)
        }
        guard hour <= 23 else { return .failure(.hour) }
        guard minute <= 59 else { return .failure(.minute) }
        var i = 16
        var second: Int64 = 0
        var fraction: Range<Int>?
        if i < b.count, b[i] == UInt8(ascii: ":") {
            guard i + 3 <= b.count, let s = digits(b[(i + 1)..<(i + 3)]) else { return .failure(.datetimeForm) }
            guard s <= 59 else { return .failure(.second) }
            second = s
            i += 3
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                let fractionStart = i
                while i < b.count, b[i] >= 0x30, b[i] <= 0x39 { i += 1 }
                guard i > fractionStart else { return .failure(.datetimeForm) }
                // `.000` (JavaScript's `toISOString()`) drops nothing.
                if strict, b[fractionStart..<i].contains(where: { $0 != 0x30 }) {
                    fraction = (fractionStart - 1)..<i
                }
            }
        }
        guard i < b.count else { return .failure(.zoneMissing) }
        var offset: Int64 = 0
        if b[i] == UInt8(ascii: "Z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard i + 6 <= b.count, b[i + 3] == UInt8(ascii: ":"),
                  let zoneHour = digits(b[(i + 1)..<(i + 3)]), let zoneMinute = digits(b[(i + 4)..<(i + 6)]) else { return .failure(.datetimeForm) }
            guard zoneHour <= 23, zoneMinute <= 59 else { return .failure(.zone) }
            offset = (zoneHour * 3600 + zoneMinute * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            if strict, offset.magnitude > maxZoneOffset.magnitude || offset % zoneOffsetStep != 0 { return .failure(.zone) }
            i += 6
        } else {
            return .failure(.datetimeForm)
        }
        guard i == b.count else { return .failure(.datetimeForm) }
        if let fraction {
            return .failure(.fraction(whole: String(decoding: b[..<fraction.lowerBound] + b[fraction.upperBound...], as: UTF8.self)))
        }
        let instant = day * 86_400 + hour * 3600 + minute * 60 + second - offset
        // In UTC within the years 1 to 9999, as every instant flowc shows and stores is (QA
        // round 14: `9999-12-31T23:59:59-14:00` is in the year 10000 and was stored, then shown blank).
        guard (Self.firstInstant...Self.lastInstant).contains(instant) else { return .failure(.outOfYears) }
        return .success(instant)
    }

    private static func padded(_ value: Int64, _ width: Int) -> String {
        let text = String(value.magnitude)
        let pad = String(repeating: "0", count: max(0, width - text.count))
        return (value < 0 ? "-" : "") + pad + text
    }

    /// `2024-05-01`; `date(N)` (the raw day number) far outside the calendar.
    static func formatDate(_ days: Int64) -> String {
        guard let (y, m, d) = civil(days) else { return "date(\(days))" }
        return "\(padded(y, 4))-\(padded(m, 2))-\(padded(d, 2))"
    }

    /// `2024-05-01T17:30:00+08:00`: the instant in the zone `utcOffset` seconds east of UTC;
    /// `…Z` when the zone is nil or UTC (or the instant is outside the calendar).
    static func formatDatetime(_ seconds: Int64, utcOffset: Int?) -> String {
        guard let offset = utcOffset, offset != 0, abs(offset) < 86_400 else { return formatDatetime(seconds) }
        let (local, overflow) = seconds.addingReportingOverflow(Int64(offset))
        let text = overflow ? "" : formatDatetime(local)
        guard text.hasSuffix("Z") else { return formatDatetime(seconds) }
        let minutes = Int64(abs(offset) / 60)
        return text.dropLast() + (offset < 0 ? "-" : "+") + padded(minutes / 60, 2) + ":" + padded(minutes % 60, 2)
    }

    /// `2024-05-01T09:30:00Z`.
    static func formatDatetime(_ seconds: Int64) -> String {
        let day = floorDiv(seconds, 86_400)
        // The remainder directly: `day * 86_400` overflows for the most negative instants.
        let rest = seconds % 86_400 < 0 ? seconds % 86_400 + 86_400 : seconds % 86_400
        guard civil(day) != nil else { return "datetime(\(seconds))" }
        return "\(formatDate(day))T\(padded(rest / 3600, 2)):\(padded(rest % 3600 / 60, 2)):\(padded(rest % 60, 2))Z"
    }
}

/// Why a text is not a date or a datetime: the rule of `YYYY-MM-DD` and ISO-8601 it breaks.
public enum CalendarProblem: Sendable, Hashable, Error {
    /// Not shaped `YYYY-MM-DD`.
    case dateForm
    /// Not shaped `YYYY-MM-DDTHH:MM[:SS[.fraction]]` with a zone.
    case datetimeForm
    /// Year 0000.
    case year
    /// A month outside 01–12.
    case month
    /// A day outside the month, which has `days` days.
    case day(days: Int)
    case hour, minute, second
    /// No `Z` or `±HH:MM` at the end.
    case zoneMissing
    /// A zone offset no zone uses: beyond ±14:00 or not in whole quarter hours (read leniently,
    /// hours or minutes out of range).
    case zone
    /// A fraction of a second that is not zero, which would be dropped; `whole` is the text
    /// without it.
    case fraction(whole: String)
    /// An instant that in UTC falls before the year 1 or after 9999.
    case outOfYears
}

/// Instants as people read them in text outputs.
public enum TimeText {
    /// ISO-8601 in the zone `utcOffset` seconds east of UTC (`2024-06-03T10:00:00+08:00`), or in
    /// UTC with `Z` when the zone is not known.
    public static func iso(_ seconds: Int64, utcOffset: Int64?) -> String {
        CivilCalendar.formatDatetime(seconds, utcOffset: utcOffset.flatMap { Int(exactly: $0) })
    }
}
