/// Shared helpers for the renderers: walking a line's bytes scalar by scalar exactly as
/// `SourceFile.location` counts columns, and making source and message text safe to print.

/// One step of a walk over source bytes: the bytes `start..<end` form one column.
///
/// The walk splits bytes with `SourceFile.segmentLength(at:)`, the same rule that
/// `SourceFile.location(of:)` uses, so column n of a location is segment n of the walk even in a
/// file with invalid UTF-8. A segment that is not one valid scalar decodes as U+FFFD.
struct SourceSegment {
    var start: Int
    var end: Int
    var scalar: Unicode.Scalar
}

extension SourceFile {
    /// Calls `body` for each segment that starts in `range` (clamped to the file).
    func forEachSegment(in range: Range<Int>, _ body: (SourceSegment) -> Void) {
        let lo = max(0, min(range.lowerBound, bytes.count))
        let hi = max(lo, min(range.upperBound, bytes.count))
        var i = lo
        while i < hi {
            let length = SourceFile.scalarLength(leadByte: bytes[i])
            let end = min(i + segmentLength(at: i), hi)
            body(SourceSegment(start: i, end: end, scalar: decodeSegment(i, end, expected: length)))
            i = end
        }
    }

    private func decodeSegment(_ start: Int, _ end: Int, expected: Int) -> Unicode.Scalar {
        let b = bytes[start]
        if b < 0x80 { return Unicode.Scalar(b) }
        let replacement: Unicode.Scalar = "\u{FFFD}"
        guard end - start == expected else { return replacement }
        var iterator = bytes[start..<end].makeIterator()
        var decoder = UTF8()
        switch decoder.decode(&iterator) {
        case .scalarValue(let s):
            return iterator.next() == nil ? s : replacement
        case .emptyInput, .error:
            return replacement
        }
    }

    /// The 1-based line and UTF-16 column of a byte offset (SARIF's default column unit).
    func utf16Location(of offset: Int) -> (line: Int, column: Int) {
        let o = max(0, min(offset, bytes.count))
        let line = line(of: o)
        var column = 1
        // A byte-order mark is not a column (see `location(of:)`).
        forEachSegment(in: columnStart(ofLine: line)..<o) { column += $0.scalar.utf16.count }
        return (line, column)
    }
}

/// A source line prepared for a terminal: tabs expanded, control and bidi characters replaced
/// by U+FFFD, and the display cell at which each column starts, so an underline can be placed
/// under any byte range of the line.
struct DisplayLine {
    /// The printable text of the line.
    let text: String
    /// The byte offset (in the file) at which each segment starts, ascending.
    private let segmentStarts: [Int]
    /// `cells[k]` is the display cell at which segment k starts; the last entry is the width.
    private let cells: [Int]

    /// Where each segment's printable text ends in `text`, in Unicode scalars (which joining
    /// texts keeps, where `Character`s do not: a combining mark joins the character before it),
    /// for cutting a window.
    private let textEnds: [Int]

    /// Whether the line goes on before or after what is held (a line too long to lay out whole).
    private(set) var cutBefore = false
    private(set) var cutAfter = false

    /// The bytes of a line laid out at most: a longer one (a 30 MB minified value) is laid out
    /// only around `focus`, so that showing it costs the same as a short one (QA round 14: 1.25 GB).
    static let maxLaidOutBytes = 1 << 16

    init(file: SourceFile, line: Int, tabWidth: Int, focus: Int? = nil) {
        var text = ""
        var starts: [Int] = []
        var cells = [0]
        var ends: [Int] = []
        var cell = 0
        var scalars = 0
        var range = file.lineRange(line)
        if range.count > Self.maxLaidOutBytes {
            let at = min(max(focus ?? range.lowerBound, range.lowerBound), range.upperBound)
            var lo = max(range.lowerBound, at - Self.maxLaidOutBytes / 4)
            var hi = min(range.upperBound, lo + Self.maxLaidOutBytes)
            // On character boundaries: not inside a UTF-8 sequence.
            while lo > range.lowerBound, lo < file.bytes.count, file.bytes[lo] & 0xC0 == 0x80 { lo -= 1 }
            while hi < range.upperBound, hi < file.bytes.count, file.bytes[hi] & 0xC0 == 0x80 { hi += 1 }
            cutBefore = lo > range.lowerBound
            cutAfter = hi < range.upperBound
            range = lo..<hi
        }
        // The segment each printed scalar comes from, and whether any character of the line is
        // more than one scalar (most lines have none, and keep their scalars' widths).
        var segmentOfScalar: [Int] = []
        var joined = false
        file.forEachSegment(in: range) { segment in
            starts.append(segment.start)
            let shown = DisplayLine.printable(segment.scalar, tabWidth: tabWidth)
            text += shown.text
            let count = shown.text.unicodeScalars.count
            scalars += count
            ends.append(scalars)
            for _ in 0..<count { segmentOfScalar.append(starts.count - 1) }
            if shown.width == 0 || (segment.scalar.value > 0x7F && segment.scalar.properties.isEmoji) { joined = true }
            cell += shown.width
            cells.append(cell)
        }
        if joined {
            // A character of several scalars takes the cells the terminal gives it (an emoji
            // sequence two, as `DisplayWidth.of(Character)` says), all counted at its first
            // scalar; the scalars after it take none (a family joined by ZWJ was six cells, `⚠️`
            // one, and carets after them sat too far right).
            var widths = [Int](repeating: 0, count: starts.count)
            var at = 0
            for c in text {
                widths[segmentOfScalar[at]] += DisplayWidth.of(c)
                at += c.unicodeScalars.count
            }
            cells = [0]
            var sum = 0
            for w in widths {
                sum += w
                cells.append(sum)
            }
        }
        self.text = text
        self.segmentStarts = starts
        self.cells = cells
        self.textEnds = ends
    }

    /// The text of the segments that lie wholly within display cells `lo..<hi`, and the cell at
    /// which that text starts (at or after `lo`: a wide character cut by `lo` is left out).
    func window(_ lo: Int, _ hi: Int) -> (text: String, startCell: Int) {
        guard var first = cells.indices.dropLast().first(where: { cells[$0] >= lo }) else { return ("", width) }
        // Not on a mark of no width (a combining accent): it belongs to the character before,
        // which is left out, and would join the `…` put before the window.
        while first > 0, first < segmentStarts.count, cells[first + 1] == cells[first] { first += 1 }
        var last = first
        while last < segmentStarts.count, cells[last + 1] <= hi { last += 1 }
        let from = first == 0 ? 0 : textEnds[first - 1]
        let to = last == 0 ? 0 : textEnds[last - 1]
        // Cut in scalars: counted in `Character`s per segment, a line of 161 `e` + U+0301 had
        // fewer characters whole than its segments' sum, and the cut trapped (fuzzing, Z1).
        guard from < to else { return ("", cells[first]) }
        let all = text.unicodeScalars
        let start = all.index(all.startIndex, offsetBy: from), end = all.index(start, offsetBy: to - from)
        return (String(all[start..<end]), cells[first])
    }

    /// The total display width of the line.
    var width: Int { cells[cells.count - 1] }

    /// The display cell at which byte `offset` sits: the cells of every segment that starts
    /// before it (the end of the line for an offset past it).
    func cell(at offset: Int) -> Int {
        var lo = 0
        var hi = segmentStarts.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if segmentStarts[mid] < offset { lo = mid + 1 } else { hi = mid }
        }
        return cells[lo]
    }

    /// The display cells covered by the segments that start in `range`.
    func width(of range: Range<Int>) -> Int {
        max(0, cell(at: range.upperBound) - cell(at: range.lowerBound))
    }

    static func printable(_ s: Unicode.Scalar, tabWidth: Int) -> (text: String, width: Int) {
        if s == "\t" { return (String(repeating: " ", count: tabWidth), tabWidth) }
        if isUnsafeToPrint(s) { return ("\u{FFFD}", 1) }
        return (String(Character(s)), DisplayWidth.of(s))
    }

    /// Controls could drive the terminal (an ESC sequence in a hostile template) and bidi
    /// overrides could reorder what the author sees against where the caret points.
    static func isUnsafeToPrint(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return CharacterNames.isTerminalControl(s) || v == 0x061C || v == 0x200E || v == 0x200F
    }
}

enum RenderText {
    /// Message text safe for one terminal line: line breaks and tabs become spaces, other
    /// control and bidi characters U+FFFD.
    static func singleLine(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if s == "\n" || s == "\r" || s == "\t" {
                out.append(" ")
            } else if DisplayLine.isUnsafeToPrint(s) {
                out.append("\u{FFFD}")
            } else {
                out.append(s)
            }
        }
        return String(out)
    }

    /// `count` followed by the noun, in the singular for one: `1 error`, `2 errors`.
    static func counted(_ count: Int, _ singular: String, _ plural: String) -> String {
        "\(count) \(count == 1 ? singular : plural)"
    }
}
