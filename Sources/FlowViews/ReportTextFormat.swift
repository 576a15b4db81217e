import Foundation
import FlowDiagnostics
import FlowRuntime

/// Number, date and label formatting shared by the terminal and HTML reports, so the two pages of
/// one model show the same strings (amounts with thousands separators and two decimals, dates in
/// the model's UTC offset, Chinese names first).
enum ReportTextFormat {
    // MARK: Numbers

    /// `1234567.891` → `1,234,567.89`, rounded as `flowc deals` rounds (``ValueFormat``: half
    /// away from zero on the shortest decimal of the float, so `0.125` is `0.13`, as the deal's
    /// own amount shows); non-finite values (never produced by the builder, but the model is
    /// decodable from any JSON) render as `—` rather than trapping.
    static func money(_ value: Double) -> String {
        ValueFormat.cents(value, grouping: true)
    }

    /// An amount with its currency: `1,234,567.89 CNY` (the number alone without a currency).
    static func amount(_ value: Double, _ currency: String?) -> String {
        money(value) + (currency.map { " " + $0 } ?? "")
    }

    /// The open (or won) amounts of the totals, one per currency: `1,200.00 CNY; 3.03 USD`, or
    /// `—` when no template has an amount field.
    static func amounts(_ totals: [ReportModel.CurrencyTotals], _ which: KeyPath<ReportModel.CurrencyTotals, Double>) -> String {
        totals.isEmpty ? "—" : totals.map { amount($0[keyPath: which], $0.currency) }.joined(separator: "; ")
    }

    /// Whole numbers for chart axes: `1500000` → `1,500,000`.
    static func moneyWhole(_ value: Double) -> String {
        guard value.isFinite else { return "—" }
        let text = String(format: "%.0f", value)
        if text.hasPrefix("-") { return text == "-0" ? "0" : "-" + grouped(String(text.dropFirst())) }
        return grouped(text)
    }

    /// `12345` → `12,345`.
    static func count(_ n: Int) -> String {
        n < 0 ? "-" + grouped(String(n.magnitude)) : grouped(String(n))
    }

    /// `3 个商机 3 deals`, `1 个商机 1 deal`, in the page's language (QA round 37, E6: "1 deals").
    static func dealCount(_ n: Int, _ language: ReportLanguage) -> String {
        language.pick("\(count(n)) 个商机", "\(count(n)) deal" + (n == 1 ? "" : "s"))
    }

    private static func grouped(_ digits: String) -> String {
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return out
    }

    /// `40` → `40%`; nil → `—`.
    static func percent(_ p: Int?) -> String {
        guard let p else { return "—" }
        return "\(p)%"
    }

    // MARK: Dates

    /// `YYYY-MM-DD` of an instant (seconds since 1970, UTC) seen at `offset` seconds east of UTC.
    static func date(_ seconds: Int64, offset: Int64) -> String {
        let parts = civil(seconds, offset: offset)
        return "\(pad(parts.year, 4))-\(pad(parts.month, 2))-\(pad(parts.day, 2))"
    }

    /// `YYYY-MM-DD HH:MM` at the given offset.
    static func dateTime(_ seconds: Int64, offset: Int64) -> String {
        let parts = civil(seconds, offset: offset)
        return date(seconds, offset: offset) + " \(pad(parts.hour, 2)):\(pad(parts.minute, 2))"
    }

    /// `UTC+08:00`, `UTC-03:30`, `UTC`.
    static func offsetLabel(_ seconds: Int64) -> String {
        if seconds == 0 { return "UTC" }
        let sign = seconds < 0 ? "-" : "+"
        let minutes = seconds.magnitude / 60
        return "UTC\(sign)\(pad(Int64(minutes / 60), 2)):\(pad(Int64(minutes % 60), 2))"
    }

    private static func pad(_ v: Int64, _ width: Int) -> String {
        let s = String(v.magnitude)
        return (v < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// Civil date and time (proleptic Gregorian) of an instant at an offset; days from 1970 to
    /// year/month/day by Howard Hinnant's `civil_from_days`. Inputs are clamped so that any
    /// decoded model (even with absurd instants) renders without overflow.
    private static func civil(_ instant: Int64, offset: Int64) -> (year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64) {
        let limit: Int64 = 253_402_300_799  // 9999-12-31T23:59:59Z, in seconds
        let off = min(max(offset, -86_400), 86_400)
        let seconds = min(max(min(max(instant, -limit), limit) + off, -limit), limit)
        let days = floorDiv(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, secondOfDay / 3600, secondOfDay % 3600 / 60)
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    // MARK: Text

    /// User text made safe for one line of a terminal table: control characters (which could
    /// move the cursor or change colours) and line breaks become spaces; the bidirectional
    /// overrides, embeddings and isolates (which would reorder the rest of the row on a terminal
    /// that applies them) are shown by their code, `\u{202E}`, as `flowc deals` shows them
    /// (review of the views, V3: they were written raw).
    static func oneLine(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            let v = s.value
            let control = v < 0x20 || (v >= 0x7F && v < 0xA0) || v == 0x2028 || v == 0x2029
            out.append(control ? " " : s)
        }
        return Names.inline(String(out))
    }

    /// Cuts text to at most `width` display cells (CJK counts two), ending with `…` when cut.
    static func clip(_ text: String, width: Int) -> String {
        guard DisplayWidth.of(text) > width else { return text }
        var out = String.UnicodeScalarView()
        var used = 0
        for s in text.unicodeScalars {
            let w = DisplayWidth.of(s)
            if used + w > width - 1 { break }
            out.append(s)
            used += w
        }
        return String(out) + "…"
    }

    // MARK: Labels

    /// The name shown for a node or template: Chinese, else English, else the id.
    static func name(zh: String?, en: String?, id: String) -> String {
        if let zh, !zh.isEmpty { return zh }
        if let en, !en.isEmpty { return en }
        return id
    }

    /// How a deal got into the public pool, in Chinese and English.
    static func arrival(_ a: ReportModel.PoolRow.Arrival) -> (zh: String, en: String) {
        switch a {
        case .lost: ("输单", "lost")
        case .idle: ("闲置收回", "idle")
        case .released: ("主动释放", "released")
        case .created: ("无主创建", "created")
        }
    }

    static func state(_ s: ReportModel.AttentionItem.State) -> (zh: String, en: String) {
        switch s {
        case .blocked: ("阻塞", "blocked")
        case .overdue: ("逾期", "overdue")
        }
    }

    static func recordKind(_ k: ReportModel.RecordRow.Kind) -> (zh: String, en: String) {
        switch k {
        case .note: ("备注", "note")
        case .link: ("链接", "link")
        }
    }

    /// A forecast month (`YYYY-MM`) or the bucket of deals without an expected close date.
    static func month(_ m: String?) -> (zh: String, en: String) {
        guard let m, !m.isEmpty else { return ("未定", "no date") }
        return (m, m)
    }

    /// The messages an empty section shows, in both languages (the terminal prints `zh en`).
    /// What a cut list left out: items of a person (attention), deals (public pool, returning).
    static func moreItems(_ n: Int) -> (String, String) { ("…另有 \(count(n)) 项", "… and \(count(n)) more") }
    static func moreDeals(_ n: Int) -> (String, String) { ("…另有 \(count(n)) 个商机未列出", "… and \(count(n)) more deals not listed") }
    /// Overdue deals beyond those the attention list reads.
    static func unreadOverdue(_ n: Int) -> (String, String) {
        ("…另有 \(count(n)) 个逾期商机未读取（`flowc deals --where 'due <= now()'` 列出全部）",
         "… and \(count(n)) more overdue deals, not read for this list (`flowc deals --where 'due <= now()'` lists them all)")
    }

    enum Empty {
        static let funnel = ("没有进行中的商机", "no open deals")
        static let forecast = ("没有可预测的商机", "no open deals to forecast")
        static let attention = ("没有阻塞或逾期的节点", "no blocked or overdue nodes")
        static let publicPool = ("公海中没有商机", "no deals in the public pool")
        static func returning(_ days: Int) -> (String, String) {
            ("\(days) 天内没有将退回公海的商机", "no deals return to the public pool within \(days) days")
        }
        static let records = ("没有节点记录", "no node records")
    }
}
