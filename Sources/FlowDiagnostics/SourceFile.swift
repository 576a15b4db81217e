/// An immutable source text, kept as bytes, with a line table built once on first use.
///
/// Positions everywhere in flowc are byte offsets into a `SourceFile`. Line and column are computed
/// only when a diagnostic is rendered, through the line table; columns count Unicode scalars, as an
/// editor does, so that a caret lines up under CJK text.
public final class SourceFile: Sendable {
    /// The path as the user gave it (used in rendered diagnostics).
    public let path: String
    /// The raw bytes of the file.
    public let bytes: [UInt8]
    /// Byte offset at which each line starts; line 1 starts at offset 0.
    public let lineStarts: [Int]

    /// - Parameters:
    ///   - path: the path shown to the user.
    ///   - bytes: the file's content.
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        var starts = [0]
        starts.reserveCapacity(bytes.count / 24 + 1)
        bytes.withUnsafeBytes { raw in
            let n = raw.count
            var i = 0
            while true {
                i = ByteScan.firstIndex(of: 0x0A, or: 0x0D, in: raw, from: i)
                guard i < n else { break }
                // CR LF ends one line, as do a lone LF and a lone CR.
                if raw[i] == 0x0D, i + 1 < n, raw[i + 1] == 0x0A { i += 1 }
                starts.append(i + 1)
                i += 1
            }
        }
        self.lineStarts = starts
    }

    /// Convenience for tests and in-memory sources.
    public convenience init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }

    /// The 1-based line containing `offset`.
    public func line(of offset: Int) -> Int {
        let o = max(0, min(offset, bytes.count))
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= o { lo = mid } else { hi = mid - 1 }
        }
        return lo + 1
    }

    /// The 1-based line and column (in Unicode scalars) of a byte offset.
    ///
    /// A UTF-8 byte-order mark at the start of the file is not a column: editors do not show or
    /// count it, so the first character after it is column 1.
    public func location(of offset: Int) -> SourceLocation {
        let o = max(0, min(offset, bytes.count))
        let line = line(of: o)
        var column = 1
        var i = columnStart(ofLine: line)
        while i < o {
            i += segmentLength(at: i)
            column += 1
        }
        return SourceLocation(line: line, column: column, offset: o)
    }

    /// Whether the file starts with a UTF-8 byte-order mark (EF BB BF).
    public var hasByteOrderMark: Bool {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
    }

    /// The byte offset at which column 1 of a 1-based line starts: the line's first byte, or on
    /// line 1 the byte after a byte-order mark.
    public func columnStart(ofLine line: Int) -> Int {
        let start = line >= 1 && line <= lineStarts.count ? lineStarts[line - 1] : bytes.count
        return line == 1 && hasByteOrderMark ? 3 : start
    }

    /// The byte range of a 1-based line, without its line terminator.
    public func lineRange(_ line: Int) -> Range<Int> {
        guard line >= 1, line <= lineStarts.count else { return bytes.count..<bytes.count }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] : bytes.count
        while end > start, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        return start..<end
    }

    /// The text of a 1-based line, decoded leniently (invalid UTF-8 becomes U+FFFD).
    public func lineText(_ line: Int) -> String {
        String(decoding: bytes[lineRange(line)], as: UTF8.self)
    }

    /// The text of a byte range, decoded leniently.
    public func text(_ range: Range<Int>) -> String {
        let lo = max(0, min(range.lowerBound, bytes.count))
        let hi = max(lo, min(range.upperBound, bytes.count))
        return String(decoding: bytes[lo..<hi], as: UTF8.self)
    }

    /// Byte length of the UTF-8 sequence a lead byte starts (1 for invalid lead bytes).
    @inlinable
    /// The bytes of the column that starts at `i`: the scalar's length from its lead byte, cut
    /// short at the first byte that does not continue it. In valid UTF-8 that is the scalar; in
    /// a file that is not, a lead byte without its continuation is a column of its own and the
    /// ASCII byte after it (a `,` after a GBK lead byte) is the next, as an editor shows them.
    public func segmentLength(at i: Int) -> Int {
        let length = SourceFile.scalarLength(leadByte: bytes[i])
        var k = 1
        while k < length, i + k < bytes.count, bytes[i + k] & 0xC0 == 0x80 { k += 1 }
        return k
    }

    public static func scalarLength(leadByte b: UInt8) -> Int {
        if b < 0x80 { return 1 }
        if b >= 0xF0 && b < 0xF8 { return 4 }
        if b >= 0xE0 { return b < 0xF0 ? 3 : 1 }
        if b >= 0xC0 { return 2 }
        return 1
    }
}

/// A 1-based line and column, with the byte offset they were computed from.
public struct SourceLocation: Sendable, Hashable, Codable {
    public var line: Int
    public var column: Int
    public var offset: Int
    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
    }
}

/// A half-open byte range in one source file.
public struct SourceSpan: Sendable, Hashable {
    public var file: SourceFile
    public var start: Int
    public var end: Int

    public init(file: SourceFile, start: Int, end: Int) {
        self.file = file
        self.start = start
        self.end = max(start, end)
    }

    public var range: Range<Int> { start..<end }

    /// The span without a YAML anchor it starts with (`&name` and the blanks after it; a name of
    /// letters, digits, `_` and `-`, as libyaml reads one); itself otherwise.
    public var afterYAMLAnchor: SourceSpan {
        let bytes = file.bytes
        guard start < end, end <= bytes.count, bytes[start] == 0x26 else { return self }
        var i = start + 1
        while i < end, bytes[i] == 0x2D || bytes[i] == 0x5F || (bytes[i] >= 0x30 && bytes[i] <= 0x39) || (bytes[i] | 0x20 >= 0x61 && bytes[i] | 0x20 <= 0x7A) { i += 1 }
        while i < end, bytes[i] == 0x20 || bytes[i] == 0x09 || bytes[i] == 0x0A || bytes[i] == 0x0D { i += 1 }
        return i < end ? SourceSpan(file: file, start: i, end: end) : self
    }

    /// Spans are equal when they cover the same bytes of the same path (the same file loaded
    /// twice, e.g. a parent template checked on its own and through a child, compares equal).
    public static func == (a: SourceSpan, b: SourceSpan) -> Bool {
        a.start == b.start && a.end == b.end && (a.file === b.file || a.file.path == b.file.path)
    }

    public func hash(into h: inout Hasher) {
        h.combine(file.path)
        h.combine(start)
        h.combine(end)
    }
}
