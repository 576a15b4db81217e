import FlowExpr
import FlowDiagnostics
import FlowHost
import FlowRuntime

/// The three forms of a view's output: a terminal table (aligned by display width, so Chinese
/// text lines up; control characters shown by their code, `\u{1B}`), CSV (RFC 4180, plain values: amounts without currency) and JSON (an array of
/// objects with plain JSON values).
public enum DealViewOutput {
    public enum Format: String, Sendable, CaseIterable {
        case table, csv, json
    }

    public static func render(_ result: DealViewResult, _ format: Format) -> String {
        let (header, rows, plain) = cells(result)
        switch format {
        // Text from the store goes to a terminal: shown on one line, its control characters
        // by their code, as `deal show` and the report show them (CSV and JSON keep it as stored).
        case .table: return table(header, rows.map { $0.map(Names.inline) })
        case .csv: return ([header] + plain).map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
        case .json: return json(result)
        }
    }

    /// Header, display cells and plain cells.
    static func cells(_ result: DealViewResult) -> ([String], [[String]], [[String]]) {
        switch result {
        case .rows(let columns, let rows, _):
            let display = rows.map { $0.map { displayText($0) } }
            let plain = rows.map { $0.map { DealViewEngine.text($0) ?? "" } }
            return (columns, display, plain)
        case .groups(let key, let sums, let currencies, let lines):
            let header = [key, "count"] + sums
            let display = lines.map { line in
                [line.key ?? "—", String(line.count)] + zip(line.sums, currencies).map { amount($0, $1) }
            }
            let plain = lines.map { line in [line.key ?? "", String(line.count)] + line.sums.map { cents($0) } }
            return (header, display, plain)
        }
    }

    static func displayText(_ value: ExprValue) -> String {
        switch value {
        case .null: ""
        case .money(let a, let c): amount(Double(a.description) ?? 0, c)
        default: DealViewEngine.text(value) ?? ""
        }
    }

    /// `1,234,567.50 CNY`.
    static func amount(_ value: Double, _ currency: String?) -> String {
        let text = cents(abs(value))
        let parts = text.split(separator: ".")
        var whole = String(parts.first ?? "0")
        var grouped = ""
        while whole.count > 3 {
            grouped = "," + whole.suffix(3) + grouped
            whole = String(whole.dropLast(3))
        }
        let sign = value < 0 ? "-" : ""
        let fraction = parts.count > 1 ? "." + parts[1] : ""
        return sign + whole + grouped + fraction + (currency.map { " " + $0 } ?? "")
    }

    /// Two decimals, no exponent.
    static func cents(_ value: Double) -> String {
        let c = (value * 100).rounded()
        guard c.magnitude < 9e17 else { return String(value) }
        let n = Int64(c)
        let whole = n.magnitude / 100
        let fraction = n.magnitude % 100
        return (n < 0 ? "-" : "") + String(whole) + "." + (fraction < 10 ? "0" : "") + String(fraction)
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
        case .groups(let key, let sums, _, let lines):
            let objects = lines.map { line in
                var members = [jsonString(key) + ":" + (line.key.map(jsonString) ?? "null"), "\"count\":\(line.count)"]
                for (name, value) in zip(sums, line.sums) { members.append(jsonString(name) + ":" + cents(value)) }
                return "{" + members.joined(separator: ",") + "}"
            }
            return "[" + objects.joined(separator: ",\n") + "]\n"
        }
    }

    static func jsonString(_ text: String) -> String { DealService.plainJSON(.text(text)) ?? "\"\"" }
}
