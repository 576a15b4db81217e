/// Renders diagnostics for people, in the form rustc made familiar:
///
/// ```
/// templates/x.flow.yaml:12:11: error[FC0302]: unknown node `propsal`; did you mean `proposal`?
///    |
/// 12 |     next: propsal
///    |           ^^^^^^^ not defined
///    |
///    = help: replace with `proposal`
/// ```
///
/// - The first line is `path:line:col: severity[CODE]: message`, the column counted in characters
///   as `SourceFile.location` counts it; a diagnostic without a span prints `path: severity[CODE]:
///   message` and no source.
/// - The primary span is underlined with `^` under every display cell of its characters (CJK
///   characters take two cells, tabs are shown as four spaces in the line and the underline alike).
///   A label whose span is the primary span gives the carets their text.
/// - Other labels are underlined with `-` on their own rows, under their own line; a label in
///   another file gets its own snippet headed `::: path:line:col`.
/// - A span over several lines shows its first line, underlined from the start of the span to the
///   end of the line, and its last line, underlined from the first non-blank character to the end
///   of the span, with the label text there. Lines between are elided as `...` (one line is shown).
/// - Notes, help, and fix-its (as help `replace with `…``, when the diagnostic has no help) follow
///   as `= note:` and `= help:` rows.
///
/// Control and bidi-override characters in source and messages print as U+FFFD, so a hostile
/// template cannot drive the terminal or disguise the underlined text.
public struct HumanRenderer: Sendable {
    /// Whether to emit ANSI colours; decide with `shouldUseColor(isTerminal:environment:)`.
    public var color: Bool
    /// Unannotated source lines shown above and below each annotated line.
    public var contextLines: Int

    /// Source lines wider than this many display cells are shown as a window of this width
    /// around their first underline.
    public static let maxLineWidth = 160

    /// The number of spaces a tab is shown as, in source lines and underlines alike.
    public static let tabWidth = 4

    /// - Parameters:
    ///   - color: emit ANSI colour codes.
    ///   - contextLines: unannotated lines of source to show around each annotated line (0 shows
    ///     only the annotated lines, as rustc does).
    public init(color: Bool = false, contextLines: Int = 0) {
        self.color = color
        self.contextLines = max(0, contextLines)
    }

    /// Decides whether output should be coloured.
    ///
    /// `NO_COLOR` set to a non-empty value turns colour off; otherwise `FORCE_COLOR` set turns it on
    /// (except `FORCE_COLOR=0` or `false`, which mean "not forced" as in the npm ecosystem that
    /// introduced the variable); otherwise `TERM=dumb` turns it off; otherwise colour is used when
    /// the output is a terminal.
    public static func shouldUseColor(isTerminal: Bool, environment: [String: String]) -> Bool {
        if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
        if let force = environment["FORCE_COLOR"], force != "0", force.lowercased() != "false" { return true }
        if environment["TERM"] == "dumb" { return false }
        return isTerminal
    }

    /// Renders one diagnostic; the text ends with a newline.
    public func render(_ d: Diagnostic) -> String {
        render(d, lines: DisplayLines())
    }

    /// The source lines laid out for the diagnostics of one render, each once: many diagnostics
    /// on one long line (a generated template, 1,000 problems on a line of 14 KB) laid it out
    /// again for each (fuzzing: over 10 s under the sanitizers).
    /// The diagnostics come sorted by place, so the last few lines laid out are kept (a line of
    /// 64 KiB takes a few MB laid out: not every line of a file).
    final class DisplayLines {
        private var recent: [(key: Key, line: DisplayLine)] = []
        private static let kept = 8
        private struct Key: Hashable {
            var file: ObjectIdentifier
            var line: Int
            var focus: Int?
        }

        func line(_ file: SourceFile, _ line: Int, tabWidth: Int, focus: Int?) -> DisplayLine {
            // Where the underline is matters only to a line too long to lay out whole.
            let long = file.lineRange(line).count > DisplayLine.maxLaidOutBytes
            let key = Key(file: ObjectIdentifier(file), line: line, focus: long ? focus : nil)
            if let known = recent.first(where: { $0.key == key }) { return known.line }
            let display = DisplayLine(file: file, line: line, tabWidth: tabWidth, focus: focus)
            if recent.count == Self.kept { recent.removeFirst() }
            recent.append((key, display))
            return display
        }
    }

    private func render(_ d: Diagnostic, lines: DisplayLines) -> String {
        var rows: [String] = [header(d)]
        let groups = snippetGroups(d)
        let width = groups.map(\.gutterWidth).max() ?? 1
        for group in groups {
            rows.append(contentsOf: render(group, of: d, gutterWidth: width, lines: lines))
        }
        let trailer = trailerRows(d, gutterWidth: width)
        if !trailer.isEmpty {
            if !groups.isEmpty { rows.append(blankGutter(width)) }
            rows.append(contentsOf: trailer)
        }
        return rows.joined(separator: "\n") + "\n"
    }

    /// Renders capped diagnostics, a blank line between two, then the line saying how many were
    /// left out (if any) and the summary line.
    ///
    /// - Parameters:
    ///   - ds: the diagnostics to print.
    ///   - summary: the counts of every diagnostic, before capping (`DiagnosticCounts(counting:)`
    ///     over the full sorted list); nil prints no summary line.
    public func render(_ ds: CappedDiagnostics, summary: DiagnosticCounts?) -> String {
        let lines = DisplayLines()
        var out = ds.shown.map { render($0, lines: lines) }.joined(separator: "\n")
        var trailer: [String] = []
        if let omitted = DiagnosticCounts.omittedLine(shown: ds.shown, omitted: ds.omitted, total: summary) {
            trailer.append(omitted)
        }
        if let summary { trailer.append(summary.summaryLine) }
        if !trailer.isEmpty {
            if !out.isEmpty { out += "\n" }
            out += trailer.joined(separator: "\n") + "\n"
        }
        return out
    }
}

// MARK: - Layout

extension HumanRenderer {
    /// One underline: a span in one file, `^` for the primary span and `-` for labels.
    private struct Mark {
        var start: Int
        var end: Int
        var primary: Bool
        var message: String?
        var firstLine: Int
        var lastLine: Int
    }

    /// The marks of one file, with the lines to show.
    private struct SnippetGroup {
        var file: SourceFile
        var marks: [Mark]
        var isPrimaryFile: Bool
        /// Lines to show, ascending.
        var lines: [Int]
        var gutterWidth: Int { String(lines.last ?? 1).count }
    }

    private func snippetGroups(_ d: Diagnostic) -> [SnippetGroup] {
        var order: [ObjectIdentifier] = []
        var byFile: [ObjectIdentifier: (file: SourceFile, marks: [Mark])] = [:]
        func add(_ span: SourceSpan, primary: Bool, message: String?) {
            let file = span.file
            let n = file.bytes.count
            let start = max(0, min(span.start, n))
            let end = max(start, min(span.end, n))
            let first = file.line(of: start)
            let last = end > start ? file.line(of: end - 1) : first
            let mark = Mark(start: start, end: end, primary: primary, message: message, firstLine: first, lastLine: last)
            let key = ObjectIdentifier(file)
            if byFile[key] == nil {
                order.append(key)
                byFile[key] = (file, [])
            }
            byFile[key]?.marks.append(mark)
        }
        var labels = d.labels
        if let span = d.span {
            // A label on exactly the primary span is the text of the carets.
            let own = labels.firstIndex { $0.span == span }
            let message = own.map { RenderText.singleLine(labels[$0].message.text) }
            if let own { labels.remove(at: own) }
            add(span, primary: true, message: message)
        }
        for label in labels {
            add(label.span, primary: false, message: RenderText.singleLine(label.message.text))
        }
        let primaryFile = d.span.map { ObjectIdentifier($0.file) }
        return order.compactMap { key in
            guard let entry = byFile[key] else { return nil }
            return SnippetGroup(
                file: entry.file,
                marks: entry.marks,
                isPrimaryFile: key == primaryFile,
                lines: linesToShow(entry.file, entry.marks)
            )
        }
    }

    private func linesToShow(_ file: SourceFile, _ marks: [Mark]) -> [Int] {
        // A file that ends with a line break has an empty last "line"; show it only when a mark
        // is on it (a span at the end of the file), never as context.
        let count = file.lineStarts.count
        let lastContextLine = count > 1 && file.lineRange(count).isEmpty ? count - 1 : count
        var shown = Set<Int>()
        for m in marks {
            shown.insert(m.firstLine)
            shown.insert(m.lastLine)
            for anchor in [m.firstLine, m.lastLine] where contextLines > 0 {
                let lo = max(1, anchor - contextLines)
                let hi = min(lastContextLine, anchor + contextLines)
                if lo <= hi { shown.formUnion(lo...hi) }
            }
        }
        // A gap of exactly one line is filled: the line is shorter than the `...` that would hide it.
        let sorted = shown.sorted()
        for (a, b) in zip(sorted, sorted.dropFirst()) where b == a + 2 { shown.insert(a + 1) }
        return shown.sorted()
    }

    private func render(_ group: SnippetGroup, of d: Diagnostic, gutterWidth w: Int, lines: DisplayLines) -> [String] {
        var rows: [String] = []
        if !group.isPrimaryFile, let first = group.marks.min(by: { $0.start < $1.start }) {
            let loc = group.file.location(of: first.start)
            rows.append(String(repeating: " ", count: w) + paint(":::", gutterStyle) + " " + RenderText.singleLine("\(group.file.path):\(loc.line):\(loc.column)"))
        }
        rows.append(blankGutter(w))
        var previous: Int?
        for line in group.lines {
            if let previous, line > previous + 1 { rows.append(paint("...", gutterStyle)) }
            previous = line
            let focus = group.marks.filter { $0.firstLine == line || $0.lastLine == line }.map(\.start).min()
            let display = lines.line(group.file, line, tabWidth: Self.tabWidth, focus: focus)
            var marks = underlines(on: line, of: group, display: display)
            if display.width <= Self.maxLineWidth, !display.cutBefore, !display.cutAfter {
                rows.append(numberedRow(line, display.text, w))
            } else {
                // A very long line (a minified value, a 10,000-character expression) is shown as a
                // window of `maxLineWidth` cells around the first underline, marked with `…` where
                // it is cut, and the underlines are moved with it.
                let focus = marks.first?.column ?? 0
                let lo = max(0, min(focus - Self.maxLineWidth / 4, display.width - Self.maxLineWidth))
                let cut = display.window(lo, lo + Self.maxLineWidth)
                let before = cut.startCell > 0 || display.cutBefore ? "…" : ""
                let after = cut.startCell + DisplayWidth.of(cut.text) < display.width || display.cutAfter ? "…" : ""
                rows.append(numberedRow(line, before + cut.text + after, w))
                let shift = cut.startCell - before.count
                let end = lo + Self.maxLineWidth
                marks = marks.map { m in
                    var m = m
                    let column = min(max(m.column, cut.startCell), end)
                    m.width = max(1, min(m.column + m.width, end) - column)
                    m.column = column - shift
                    return m
                }
            }
            for underline in marks {
                let style = underline.primary ? severityStyle(d.severity) : secondaryStyle
                var text = String(repeating: " ", count: underline.column)
                    + paint(String(repeating: underline.primary ? "^" : "-", count: underline.width), style)
                if let message = underline.message, !message.isEmpty { text += " " + paint(message, style) }
                rows.append(paint(String(repeating: " ", count: w + 1) + "|", gutterStyle) + " " + text)
            }
        }
        return rows
    }

    private struct Underline {
        var column: Int
        var width: Int
        var primary: Bool
        var message: String?
    }

    private func underlines(on line: Int, of group: SnippetGroup, display: DisplayLine) -> [Underline] {
        let file = group.file
        let content = file.lineRange(line)
        var result: [(rank: Int, underline: Underline)] = []
        for (index, m) in group.marks.enumerated() where m.firstLine == line || m.lastLine == line {
            let range: Range<Int>
            var message: String? = m.message
            if m.firstLine == m.lastLine {
                range = m.start..<max(m.start, min(m.end, content.upperBound))
            } else if m.firstLine == line {
                range = m.start..<max(m.start, content.upperBound)
                message = nil
            } else {
                let from = content.first { file.bytes[$0] != 0x20 && file.bytes[$0] != 0x09 } ?? content.lowerBound
                let to = min(m.end, content.upperBound)
                range = (from < to ? from : content.lowerBound)..<max(content.lowerBound, to)
            }
            let underline = Underline(
                column: display.cell(at: range.lowerBound),
                width: max(1, display.width(of: range)),
                primary: m.primary,
                message: message
            )
            // The primary mark first, then left to right, then as given.
            result.append((m.primary ? -1 : index, underline))
        }
        return result.sorted { a, b in
            if a.underline.primary != b.underline.primary { return a.underline.primary }
            if a.underline.column != b.underline.column { return a.underline.column < b.underline.column }
            return a.rank < b.rank
        }.map(\.underline)
    }

    private func trailerRows(_ d: Diagnostic, gutterWidth w: Int) -> [String] {
        let indent = String(repeating: " ", count: w + 1)
        var rows: [String] = []
        func row(_ kind: String, _ text: String) {
            rows.append(indent + paint("=", gutterStyle) + " " + paint(kind + ":", "1") + " " + RenderText.singleLine(text))
        }
        for note in d.notes { row("note", note.text) }
        if let help = d.help {
            row("help", help.text)
        } else {
            for fix in d.fixIts { row("help", fix.helpText(primary: d.span)) }
        }
        return rows
    }

    private func header(_ d: Diagnostic) -> String {
        let position = d.location.map { "\(d.path):\($0.line):\($0.column)" } ?? d.path
        return paint(RenderText.singleLine(position) + ":", "1") + " "
            + paint("\(d.severity.rawValue)[\(d.code)]", severityStyle(d.severity))
            + paint(": " + RenderText.singleLine(d.message.text), "1")
    }

    private func numberedRow(_ line: Int, _ text: String, _ w: Int) -> String {
        let number = String(line)
        let gutter = String(repeating: " ", count: max(0, w - number.count)) + number + " |"
        let trimmed = String(text.reversed().drop { $0 == " " }.reversed())
        return paint(gutter, gutterStyle) + (trimmed.isEmpty ? "" : " " + trimmed)
    }

    private func blankGutter(_ w: Int) -> String {
        paint(String(repeating: " ", count: w + 1) + "|", gutterStyle)
    }

    // MARK: Colour

    private var gutterStyle: String { "1;34" }
    private var secondaryStyle: String { "1;34" }

    private func severityStyle(_ s: Severity) -> String {
        switch s {
        case .error: "1;31"
        case .warning: "1;33"
        case .note: "36"
        }
    }

    private func paint(_ text: String, _ style: String) -> String {
        guard color, !text.isEmpty else { return text }
        return "\u{1B}[\(style)m\(text)\u{1B}[0m"
    }
}

extension FixIt {
    /// How a fix-it reads as help: `replace with `x`` when it edits the primary span,
    /// `replace `old` with `x`` elsewhere, `insert `x`` for an empty span, `remove …` for an
    /// empty replacement.
    func helpText(primary: SourceSpan?) -> String {
        let old = span.file.text(span.range)
        let onPrimary = span == primary
        if span.start == span.end { return "insert `\(replacement)`" }
        if replacement.isEmpty { return onPrimary ? "remove this" : "remove `\(old)`" }
        return onPrimary ? "replace with `\(replacement)`" : "replace `\(old)` with `\(replacement)`"
    }
}
