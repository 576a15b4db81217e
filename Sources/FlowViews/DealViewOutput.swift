import FlowExpr
import FlowDiagnostics
import FlowHost
import FlowRuntime

/// The three forms of a view's output: a terminal table (aligned by display width, so Chinese
/// text lines up; control characters shown by their code, `\u{1B}`), CSV (RFC 4180, plain
/// values: amounts without currency) and JSON (an array of objects with plain JSON values:
/// money and decimals as exact numbers, durations in seconds, as a deal's fields are stored).
///
/// Amounts are shown to the cent, rounded half away from zero on the exact amount
/// (``ValueFormat``, as the report rounds); CSV and JSON rows keep every digit. Durations are in
/// one unit per value (``ValueFormat/duration(_:)``: days from a day up).
public enum DealViewOutput {
    public enum Format: String, Sendable, CaseIterable {
        case table, csv, json
    }

    /// - Parameter zone: the zone datetimes are written in, in the table and CSV (ISO-8601 with
    ///   its offset; seconds east of UTC); UTC with `Z` when nil. JSON keeps UTC.
    public static func render(_ result: DealViewResult, _ format: Format, zone: Int64? = nil) -> String {
        let (header, rows, plain) = cells(result, zone: zone)
        switch format {
        // Text from the store goes to a terminal: shown on one line, its control characters
        // by their code, as `deal show` and the report show them (CSV and JSON keep it as stored).
        case .table: return table(header, rows.map { $0.map(Names.inline) })
        case .csv: return ([header] + plain).map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
        case .json: return json(result)
        }
    }

    /// The list values of the rows that have an element holding `;` (or `；`), as `column of
    /// deal` (the deal's id when the view shows it): the CSV writes a list's elements separated
    /// by `;`, so `flowc run` would read that element back as several.
    public static func listsWithSeparators(_ result: DealViewResult) -> [String] {
        guard case .rows(let columns, let rows, _) = result else { return [] }
        let dealColumn = columns.firstIndex(of: "deal")
        var out: [String] = []
        for row in rows {
            for (i, value) in row.enumerated() {
                guard case .list(let items) = value,
                      items.contains(where: { DealViewEngine.text($0)?.contains(where: { $0 == ";" || $0 == "；" }) == true }) else { continue }
                let deal = dealColumn.flatMap { row.indices.contains($0) ? DealViewEngine.text(row[$0]) : nil }
                out.append("`\(columns[i])`" + (deal.map { " of `\(Names.inline($0))`" } ?? ""))
            }
        }
        return out
    }

    /// Header, display cells and plain cells.
    static func cells(_ result: DealViewResult, zone: Int64? = nil) -> ([String], [[String]], [[String]]) {
        switch result {
        case .rows(let columns, let rows, _):
            let display = rows.map { $0.map { displayText($0, zone: zone) } }
            let plain = rows.map { $0.map { plainCell($0, zone: zone) } }
            return (columns, display, plain)
        case .groups(let key, let sums, let types, let lines, _):
            let header = [key, "count"] + sums
            let display = lines.map { line in
                [line.value == .null ? "—" : displayText(line.value, zone: zone), String(line.count)]
                    + types.indices.map { sum(line, $0, types[$0], .table) }
            }
            let plain = lines.map { line in
                [Self.plainCell(line.value, zone: zone), String(line.count)] + types.indices.map { sum(line, $0, types[$0], .csv) }
            }
            return (header, display, plain)
        }
    }

    /// A value as the table shows it: money to the cent with its currency and thousands
    /// separators, everything else as CSV has it.
    static func displayText(_ value: ExprValue, zone: Int64? = nil) -> String {
        switch value {
        case .null: ""
        case .money(let a, let c): ValueFormat.cents(a.description, grouping: true) + " " + c
        case .datetime(let seconds): TimeText.iso(seconds, utcOffset: zone)
        default: DealViewEngine.text(value) ?? ""
        }
    }

    /// A group's sum of a field of `type`: an integer as an integer, money to the cent (with its
    /// currency in the table; exact in JSON), a decimal exactly; from the float only when the
    /// exact sum could not be kept.
    static func sum(_ line: DealViewResult.GroupLine, _ i: Int, _ type: ExprType, _ format: Format) -> String {
        let exact = line.exactSums.indices.contains(i) ? line.exactSums[i] : nil
        let float = line.sums.indices.contains(i) ? line.sums[i] : 0
        let plain = exact?.description ?? ValueFormat.plain(type == .integer ? float.rounded() : float)
        switch (type, format) {
        case (.money(let currency), .table): return ValueFormat.cents(plain, grouping: true) + " " + currency
        case (.money, .csv): return ValueFormat.cents(plain, grouping: false)
        default: return plain
        }
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        var widths = header.map { DisplayWidth.of($0) }
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], DisplayWidth.of(cell)) } }
        func line(_ cells: [String]) -> String {
            var out = ""
            for (i, cell) in cells.enumerated() {
                let pad = widths[i] - DisplayWidth.of(cell)
                out += cell + (i == cells.count - 1 ? "" : String(repeating: " ", count: pad + 2))
            }
            return out + "\n"
        }
        var out = line(header)
        out += line(widths.map { String(repeating: "-", count: $0) })
        for row in rows { out += line(row) }
        return out
    }

    /// A value as a CSV cell: as stored, a text made safe for spreadsheets.
    static func plainCell(_ value: ExprValue, zone: Int64? = nil) -> String {
        // In the command's zone (QA round 23: the table said 02:00Z where `deal show` said 10:00+08:00).
        if case .datetime(let seconds) = value { return TimeText.iso(seconds, utcOffset: zone) }
        let text = DealViewEngine.text(value) ?? ""
        switch value {
        // A list's elements separated by `;`, as `flowc run` reads a CSV list back (QA round
        // 24, m3: `erp, bi` came back as one element); its cell starts with its first element
        // (QA round 15: `["=HYPERLINK(…)"]`).
        case .list(let items): return spreadsheetSafe(items.compactMap(DealViewEngine.text).joined(separator: ";"))
        case .text, .enumValue: return spreadsheetSafe(text)
        default: return text
        }
    }

    /// A text cell that a spreadsheet would run as a formula (`=HYPERLINK(…)`, `@SUM(…)`, `+cmd|…`,
    /// `-2+3`, a leading tab or carriage return) with a `'` before it, which Excel and WPS show
    /// as text and hide (QA round 14: imported customer names became formulas in a manager's
    /// export). Numbers, dates and times are not texts and are written as they are.
    static func spreadsheetSafe(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return text }
        return "'" + text
    }

    static func csvField(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) || text.hasPrefix(" ") || text.hasSuffix(" ") else {
            return text
        }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func json(_ result: DealViewResult) -> String {
        switch result {
        case .rows(let columns, let rows, _):
            let objects = rows.map { row in
                "{" + zip(columns, row).map { name, value in
                    jsonString(name) + ":" + (DealService.plainJSON(value) ?? "null")
                }.joined(separator: ",") + "}"
            }
            return "[" + objects.joined(separator: ",\n") + "]\n"
        case .groups(let key, let sums, let types, let lines, _):
            let objects = lines.map { line in
                var members = [jsonString(key) + ":" + (DealService.plainJSON(line.value) ?? "null"), "\"count\":\(line.count)"]
                for (i, name) in sums.enumerated() { members.append(jsonString(name) + ":" + sum(line, i, types[i], .json)) }
                return "{" + members.joined(separator: ",") + "}"
            }
            return "[" + objects.joined(separator: ",\n") + "]\n"
        }
    }

    static func jsonString(_ text: String) -> String { DealService.plainJSON(.text(text)) ?? "\"\"" }
}
