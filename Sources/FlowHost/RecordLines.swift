import FlowDiagnostics
public import Foundation

/// The lines of a JSON Lines records file, one at a time, numbered from 1. A file is read a chunk
/// at a time, so that a run holds a batch of records rather than the whole file (a deals file can
/// be larger than the memory a run should take).
///
/// A line ends at LF, and a CR before the LF is not part of it. A UTF-8 byte-order mark at the
/// start of the file is not part of line 1 (as in a CSV file), so that its byte offsets are the
/// ones an editor shows. A line longer than
/// `maxLineBytes` is read to its end without being kept: its ``Line/length`` is the whole
/// length and its ``Line/bytes`` only the first `maxLineBytes` (in memory, the whole line).
public struct RecordLines {
    public struct Line {
        public var number: Int
        /// The line, or its first `maxLineBytes` when it is longer (read from a file).
        public var bytes: ArraySlice<UInt8>
        /// The line's length in bytes, CR excluded.
        public var length: Int
    }

    /// How many bytes a file is read at a time.
    public static let defaultChunkBytes = 1 << 20

    /// The input; the next line starts at its `start`.
    private var input: ChunkedInput
    private var number = 0
    private var begun = false
    private let maxLineBytes: Int
    /// Asked between chunks of a line that goes on: true stops the reading (``ReadError``).
    public var isInterrupted: () -> Bool = { false }

    /// The lines of bytes in memory.
    public init(bytes: [UInt8]) {
        input = ChunkedInput(bytes: bytes)
        maxLineBytes = Int.max
    }

    /// The lines of an open file, read from its current offset.
    public init(file: FileHandle, maxLineBytes: Int, chunkBytes: Int = Self.defaultChunkBytes) {
        input = ChunkedInput(file: file, chunkBytes: chunkBytes)
        self.maxLineBytes = max(0, maxLineBytes)
    }

    /// Whether the input is UTF-16 text (known once a line was read).
    public private(set) var isUTF16 = false

    /// The bytes ``startsAsUTF16(_:)`` looks at.
    public static let utf16Probe = 64

    /// Whether `bytes` start as UTF-16 text: with a byte-order mark, little- or big-endian, or
    /// without one, as text whose first characters are ASCII, every other byte zero (review of
    /// the inputs, I15: such a file was rejected line by line, its line feeds splitting its
    /// characters, or taken for GBK). UTF-8 text has no zero bytes.
    public static func startsAsUTF16(_ bytes: some Collection<UInt8>) -> Bool {
        let head = Array(bytes.prefix(utf16Probe))
        if head.starts(with: [0xFF, 0xFE]) || head.starts(with: [0xFE, 0xFF]) { return true }
        let units = head.count / 2
        guard units >= 2 else { return false }
        var little = 0, big = 0
        for i in 0..<units {
            let (a, b) = (head[2 * i], head[2 * i + 1])
            if a != 0, b == 0 { little += 1 }
            if a == 0, b != 0 { big += 1 }
        }
        // Most units: a line of a deals file or a CSV header starts with ASCII (`{"id"`, `deal,`).
        return max(little, big) * 4 >= units * 3
    }

    /// The next line, or nil after the last one.
    /// - Throws: ``ReadError`` when the file cannot be read.
    public mutating func next() throws -> Line? {
        if !begun {
            begun = true
            while input.bytes.count < Self.utf16Probe, !input.atEnd { try input.readMore() }
            if input.bytes.starts(with: [0xEF, 0xBB, 0xBF]) { input.start = 3 }
            isUTF16 = Self.startsAsUTF16(input.bytes)
        }
        // Bytes of the current line already scanned (no LF among them), and how many of them
        // were dropped because the line is over the limit.
        var scan = input.start
        var dropped = Dropped()
        while true {
            if let lf = input.bytes[scan...].firstIndex(of: 0x0A) {
                let line = finish(at: lf, scanned: scan, dropped: dropped)
                input.start = lf + 1
                return line
            }
            if input.atEnd {
                guard input.start < input.bytes.count || dropped.count > 0 else { return nil }
                let line = finish(at: input.bytes.count, scanned: scan, dropped: dropped)
                input.start = input.bytes.count
                return line
            }
            // No LF yet: the line goes on in the next chunk.
            if dropped.count > 0 {
                dropped.drop(input.bytes[scan...])
                input.drop(from: scan)
            } else if input.bytes.count - input.start > maxLineBytes {
                dropped.drop(input.bytes[(input.start + maxLineBytes)...])
                input.drop(from: input.start + maxLineBytes)
            }
            _ = input.compact()
            scan = input.bytes.count
            if isInterrupted() { throw ReadError(interrupted: ()) }
            try input.readMore()
        }
    }

    /// The bytes of an over-long line that were not kept.
    private struct Dropped {
        var count = 0
        var endsWithCR = false

        mutating func drop(_ bytes: ArraySlice<UInt8>) {
            guard let last = bytes.last else { return }
            count += bytes.count
            endsWithCR = last == 0x0D
        }
    }

    /// The line from `start` to `end` (an LF, or the end of the input). When the line is over
    /// the limit, only `start..<scanned` was kept; `scanned..<end` is still in the buffer.
    private mutating func finish(at end: Int, scanned: Int, dropped: Dropped) -> Line {
        number += 1
        let (bytes, start) = (input.bytes, input.start)
        if dropped.count > 0 {
            let cr = end > scanned ? bytes[end - 1] == 0x0D : dropped.endsWithCR
            return Line(number: number, bytes: bytes[start..<scanned], length: scanned - start + dropped.count + (end - scanned) - (cr ? 1 : 0))
        }
        var stop = end
        if stop > start, bytes[stop - 1] == 0x0D { stop -= 1 }
        let kept = stop - start > maxLineBytes ? start + maxLineBytes : stop
        return Line(number: number, bytes: bytes[start..<kept], length: stop - start)
    }

    /// Why a file could not be read, in the system's words (`Is a directory`, `Input/output error`).
    public struct ReadError: Error, CustomStringConvertible {
        public let description: String

        init(_ error: any Error) {
            description = SystemError.reason(error)
        }

        init(interrupted: Void) { description = "interrupted" }
    }

    /// Counts the lines that are not blank (spaces and tabs only), for a progress indicator.
    public static func countRecords(_ file: FileHandle, chunkBytes: Int = defaultChunkBytes) throws -> Int {
        var counter = RecordCounter()
        while let data = try ChunkedInput.chunk(of: file, upTo: chunkBytes) { counter.add(data) }
        return counter.total
    }
}

/// Counts the records (lines that are not blank: spaces, tabs and a CR only) of bytes given in
/// pieces.
struct RecordCounter {
    private var complete = 0
    private var blank = true

    mutating func add(_ bytes: some Sequence<UInt8>) {
        for b in bytes {
            if b == 0x0A {
                if !blank { complete += 1 }
                blank = true
            } else if b != 0x20 && b != 0x09 && b != 0x0D {
                blank = false
            }
        }
    }

    var total: Int { blank ? complete : complete + 1 }
}
