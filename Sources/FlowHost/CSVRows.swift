public import Foundation

/// The rows of a CSV deals file, one at a time, read a chunk at a time from a file (or from bytes
/// in memory): the rows ``CSVReader/rows(_:)`` gives for the whole text, with the same lines,
/// cells and texts, without holding the file.
///
/// A row ends at a line feed outside quotes; each row's bytes are then read by
/// ``CSVReader/rows(_:)``. A quoted cell that is not closed swallows the rest of the file, which
/// ``next()`` gives as ``Row/unclosed``. A row longer than `maxRowBytes` (its bytes without its
/// line break, so that a lone CR, which is a cell's text, counts) is given as ``Row/tooLarge``;
/// read from a file, it is read to its end without being kept.
public struct CSVRows {
    public enum Row {
        case row(CSVRow)
        /// A quoted cell is not closed: nothing from this line on can be framed. `text` is the
        /// rest of the input as written, without its last line break, when all of it is within
        /// `maxRowBytes` (nil otherwise).
        case unclosed(line: Int, error: HostError, text: String?)
        /// A row over the limit: the line it starts on, its length in bytes (without its line
        /// break, LF or CRLF) and its first `maxRowBytes` bytes as text.
        case tooLarge(line: Int, length: Int, head: String)
    }

    /// The input; the next row starts at its `start`.
    private var input: ChunkedInput
    /// The line the next row starts on.
    private var line = 1
    private var begun = false
    private let maxRowBytes: Int

    /// The rows of bytes in memory.
    public init(bytes: [UInt8], maxRowBytes: Int = Int.max) {
        input = ChunkedInput(bytes: bytes)
        self.maxRowBytes = max(0, maxRowBytes)
    }

    /// The rows of an open file, read from its current offset.
    public init(file: FileHandle, maxRowBytes: Int = Int.max, chunkBytes: Int = RecordLines.defaultChunkBytes) {
        input = ChunkedInput(file: file, chunkBytes: chunkBytes)
        self.maxRowBytes = max(0, maxRowBytes)
    }

    /// The next row (empty lines are skipped), or nil after the last one.
    /// - Throws: ``RecordLines/ReadError`` when the file cannot be read.
    public mutating func next() throws -> Row? {
        while true {
            guard let (end, bytes, firstLine) = try advance() else { return nil }
            if end.quoted, end.dropped.count > 0 {
                return .unclosed(line: firstLine, error: RecordReader.fail(HostMessages.Record.csvQuote, "the row"), text: nil)
            }
            let length = bytes.count + end.dropped.count - end.lineBreak
            if !end.quoted, length > maxRowBytes {
                return .tooLarge(line: firstLine, length: length, head: String(decoding: bytes.prefix(maxRowBytes), as: UTF8.self))
            }
            // The file's own byte-order mark is dropped above; one at a later row's start is text.
            let (rows, problem) = CSVReader.rows(String(decoding: bytes, as: UTF8.self), atFileStart: false)
            if let problem {
                // Only a quote open at the end of the input: the row is the rest of it.
                var rest = bytes
                if rest.last == 0x0A { rest = rest.dropLast() }
                if rest.last == 0x0D { rest = rest.dropLast() }
                let text = bytes.count <= maxRowBytes ? String(decoding: rest, as: UTF8.self) : nil
                // The lines the open quote took in, after its own (QA round 12: the summary
                // counted one record for a file of three rows, and nothing said why).
                var lines = 1
                var seen = 1
                for b in rest where b == 0x0A {
                    seen += 1
                    if seen > problem.line { lines += 1 }
                }
                let after = lines - 1
                let error = after == 0 ? problem.error
                    : RecordReader.fail(HostMessages.Record.csvQuoteRest, "the row", String(after), after == 1 ? "" : "s")
                return .unclosed(line: firstLine + problem.line - 1, error: error, text: text)
            }
            guard var row = rows.first else { continue }
            row.line += firstLine - 1
            return .row(row)
        }
    }

    /// How many rows ``next()`` would give before the end or an unclosed quote (rows and rows too
    /// large), counted from their bytes without reading their cells: a quick pass for a progress
    /// indicator.
    /// - Throws: ``RecordLines/ReadError`` when the file cannot be read.
    public mutating func countRows() throws -> Int {
        var count = 0
        while let (end, bytes, _) = try advance() {
            if end.quoted { break }
            // An empty line is not a row, nor one of blanks and empty cells (`,,`) unless it is
            // over the size limit (then measured, as any row); a line of a lone CR is a row (the
            // CR is a cell's text).
            let length = bytes.count + end.dropped.count - end.lineBreak
            let blank = length <= maxRowBytes && end.dropped.count == 0 && bytes.dropLast(end.lineBreak).allSatisfy { $0 == 0x2C || $0 == 0x20 || $0 == 0x09 }
            if length > 0 && !blank { count += 1 }
        }
        return count
    }

    /// The next row's bytes (its first `maxRowBytes` and what followed the last drop), where it
    /// ends, and the line it starts on; nil after the last one.
    private mutating func advance() throws -> (end: RowEnd, bytes: ArraySlice<UInt8>, line: Int)? {
        if !begun {
            begun = true
            while input.bytes.count < 3, !input.atEnd { try input.readMore() }
            if input.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { input.start = 3 }
        }
        guard let end = try rowEnd() else { return nil }
        let bytes = input.bytes[input.start..<end.index]
        let firstLine = line
        line += Self.lineFeeds(bytes) + end.dropped.lineFeeds
        input.start = end.index
        return (end, bytes, firstLine)
    }

    private static func lineFeeds(_ bytes: some Collection<UInt8>) -> Int {
        bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }

    /// The bytes of an over-long row that were not kept.
    private struct Dropped {
        var count = 0
        var lineFeeds = 0
    }

    /// Where a row ends: after its line feed, or at the end of the input (where its quote may
    /// still be open).
    private struct RowEnd {
        var index: Int
        var quoted: Bool
        var dropped: Dropped
        /// The bytes of the row's line break: 2 for CRLF, 1 for LF, 0 at the end of the input.
        var lineBreak: Int
    }

    /// Where the row starting at `start` ends; nil when no byte is left. Reads more of the file
    /// as needed, dropping what is over `maxRowBytes` of the row before each read.
    private mutating func rowEnd() throws -> RowEnd? {
        var i = input.start
        var quoted = false, wasQuoted = false, cellEmpty = true
        var dropped = Dropped()
        var crlf = false
        /// Drops the row's bytes scanned past its first `maxRowBytes`, then reads the next chunk.
        func readMore() throws {
            if i - input.start > maxRowBytes {
                let keep = input.start + maxRowBytes
                dropped.count += i - keep
                dropped.lineFeeds += Self.lineFeeds(input.bytes[keep..<i])
                input.drop(keep..<i)
                i = keep
            }
            i -= input.compact()
            try input.readMore()
        }
        while true {
            if i == input.bytes.count {
                if input.atEnd {
                    return i > input.start || dropped.count > 0 ? RowEnd(index: i, quoted: quoted, dropped: dropped, lineBreak: 0) : nil
                }
                try readMore()
                continue
            }
            let b = input.bytes[i]
            // A quote in a quoted cell and a CR outside one are decided by the next byte.
            if (quoted && b == 0x22) || (!quoted && b == 0x0D), i + 1 == input.bytes.count, !input.atEnd {
                try readMore()
                continue
            }
            if quoted {
                if b == 0x22 {
                    if i + 1 < input.bytes.count, input.bytes[i + 1] == 0x22 {
                        i += 2
                        continue
                    }
                    quoted = false
                }
                i += 1
                continue
            }
            switch b {
            case 0x22 where cellEmpty && !wasQuoted:
                quoted = true
                wasQuoted = true
            case 0x2C:
                cellEmpty = true
                wasQuoted = false
            case 0x0D where i + 1 < input.bytes.count && input.bytes[i + 1] == 0x0A:
                // The CR of a CRLF, whose LF is the next byte (a CR is decided before a read).
                crlf = true
            case 0x0A:
                return RowEnd(index: i + 1, quoted: false, dropped: dropped, lineBreak: crlf ? 2 : 1)
            default:
                cellEmpty = false
            }
            i += 1
        }
    }

    /// Whether a file is UTF-8 throughout, read a chunk at a time (a sequence cut by a chunk's
    /// end is completed by the next).
    public static func isUTF8(_ file: FileHandle, chunkBytes: Int = RecordLines.defaultChunkBytes) throws -> Bool {
        try firstNonUTF8Line(file, chunkBytes: chunkBytes) == nil
    }

    /// The line (1-based) of a file's first byte that is not UTF-8, read a chunk at a time; nil
    /// when the file is UTF-8 throughout.
    public static func firstNonUTF8Line(_ file: FileHandle, chunkBytes: Int = RecordLines.defaultChunkBytes) throws -> Int? {
        var carry: [UInt8] = []
        // Line feeds in the chunks already checked.
        var feeds = 0
        while let data = try ChunkedInput.chunk(of: file, upTo: chunkBytes) {
            let bytes = carry + data
            // The last sequence may go on in the next chunk: keep it back.
            var lead = bytes.count - 1
            while lead > 0, bytes.count - lead < 4, bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
            let b = bytes[lead]
            let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
            let cut = bytes.count - lead < length ? lead : bytes.count
            if let line = firstNonUTF8Line(in: bytes[..<cut]) { return feeds + line }
            feeds += Self.lineFeeds(bytes[..<cut])
            carry = Array(bytes[cut...])
        }
        return firstNonUTF8Line(in: carry).map { feeds + $0 }
    }

    /// The line (1-based) of the first byte of `bytes` that is not UTF-8; nil when they are UTF-8.
    public static func firstNonUTF8Line(in bytes: some Collection<UInt8>) -> Int? {
        guard String(validating: bytes, as: UTF8.self) == nil else { return nil }
        // Rare: find the bad byte, scalar by scalar.
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var line = 1
        while case .valid(let scalar) = parser.parseScalar(from: &iterator) {
            if scalar.count == 1, scalar.first == 0x0A { line += 1 }
        }
        return line
    }
}
