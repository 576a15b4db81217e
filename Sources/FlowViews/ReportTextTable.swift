import FlowDiagnostics

/// A terminal table whose columns line up under Chinese text: widths are measured in display
/// cells (`DisplayWidth`: CJK counts two), and colour is added after padding, so escape codes
/// never shift a column.
struct ReportTextTable {
    enum Align { case left, right }

    struct Column {
        var title: String
        var align: Align
        init(_ title: String, _ align: Align = .left) { self.title = title; self.align = align }
    }

    /// One cell: its text (made one-line here) and an optional ANSI SGR style such as `"1;31"`.
    /// A cell that `spans` runs on past its column, ends its row, and does not widen the column
    /// (a line such as "… and 314 more" under a column of short ids).
    struct Cell {
        var text: String
        var style: String?
        var spans = false
        init(_ text: String, style: String? = nil, spans: Bool = false) {
            self.text = ReportTextFormat.oneLine(text)
            self.style = style
            self.spans = spans
        }
    }

    var columns: [Column]
    var rows: [[Cell]] = []
    /// Rows after which a dashed rule is drawn (e.g. before a total line).
    var rulesBefore: Set<Int> = []

    init(_ columns: [Column]) { self.columns = columns }

    mutating func add(_ cells: [Cell]) { rows.append(cells) }
    mutating func add(_ texts: String...) { rows.append(texts.map { Cell($0) }) }

    /// The table's lines: header, rule, rows; every line has the same display width, but a row
    /// with a cell that spans.
    func render(indent: String, color: Bool) -> [String] {
        var widths = columns.map { DisplayWidth.of($0.title) }
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count && !cell.spans {
                widths[i] = max(widths[i], DisplayWidth.of(cell.text))
            }
        }
        let gap = "  "
        func line(_ cells: [Cell], header: Bool) -> String {
            var parts: [String] = []
            for (i, column) in columns.enumerated() {
                let cell = i < cells.count ? cells[i] : Cell("")
                if cell.spans {
                    parts.append(Self.paint(cell.text, cell.style, color))
                    break
                }
                let room = max(0, widths[i] - DisplayWidth.of(cell.text))
                let fill = String(repeating: " ", count: room)
                let style = header ? "1" : cell.style
                let text = Self.paint(cell.text, style, color)
                parts.append(column.align == .left ? text + fill : fill + text)
            }
            return indent + parts.joined(separator: gap)
        }
        let rule = indent + widths.map { String(repeating: "-", count: $0) }.joined(separator: gap)
        var out = [line(columns.map { Cell($0.title) }, header: true), Self.paint(rule, "2", color)]
        for (i, row) in rows.enumerated() {
            if rulesBefore.contains(i) { out.append(Self.paint(rule, "2", color)) }
            out.append(line(row, header: false))
        }
        return out
    }

    /// Wraps text in an ANSI SGR style when colour is on.
    static func paint(_ text: String, _ style: String?, _ color: Bool) -> String {
        guard color, let style, !text.isEmpty else { return text }
        return "\u{1B}[\(style)m\(text)\u{1B}[0m"
    }
}

