public import Foundation

/// The rows of a CSV deals file, one at a time, read a chunk at a time from a file (or from bytes
/// in memory): the rows ``CSVReader/rows(_:)`` gives for the whole text, with the same lines,
/// cells and texts, without holding the file.
///
/// A row ends at a line feed outside quotes; each row's bytes are then read by
/// ``CSVReader/rows(_:)``. A quoted cell that is not closed swallows the rest of the file, which
/// ``next()`` gives as ``Row/unclosed``.
public struct CSVRows {
    public enum Row {
        case row(CSVRow)
        /// A quoted cell is not closed: nothing from this line on can be framed.
        case unclosed(line: Int, error: HostError)
    }

    private var buffer: [UInt8]
    private var start = 0
    /// The line the next row starts on.
    private var line = 1
    private var atEnd: Bool
    private var begun = false
    private let file: FileHandle?
    private let chunkBytes: Int

    /// The rows of bytes in memory.
    public init(bytes: [UInt8]) {
        buffer = bytes
        atEnd = true
        file = nil
        chunkBytes = 0
    }

    /// The rows of an open file, read from its current offset.
    public init(file: FileHandle, chunkBytes: Int = RecordLines.defaultChunkBytes) {
        buffer = []
        atEnd = false
        self.file = file
        self.chunkBytes = max(1, chunkBytes)
    }

    /// The next row (empty lines are skipped), or nil after the last one.
    /// - Throws: ``RecordLines/ReadError`` when the file cannot be read.
    public mutating func next() throws -> Row? {
        if !begun {
            begun = true
            try fill(atLeast: 3)
            if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { start = 3 }
        }
        while true {
            guard let end = try rowEnd() else { return nil }
            let bytes = buffer[start..<end]
            let firstLine = line
            line += bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            start = end
            // The file's own byte-order mark is dropped above; one at a later row's start is text.
            let (rows, problem) = CSVReader.rows(String(decoding: bytes, as: UTF8.self), atFileStart: false)
            if let problem { return .unclosed(line: firstLine + problem.line - 1, error: problem.error) }
            guard var row = rows.first else { continue }
            row.line += firstLine - 1
            return .row(row)
        }
    }

    /// Where the row starting at `start` ends (after its line feed, or at the end of the input);
    /// nil when no byte is left. Reads more of the file as needed.
    private mutating func rowEnd() throws -> Int? {
        var i = start
        var quoted = false, wasQuoted = false, cellEmpty = true
        while true {
            if i == buffer.count {
                if atEnd { return i > start ? i : nil }
                try compactAndRead(keeping: &i)
                continue
            }
            let b = buffer[i]
            // A quote in a quoted cell and a CR outside one are decided by the next byte.
            if (quoted && b == 0x22) || (!quoted && b == 0x0D), i + 1 == buffer.count, !atEnd {
                try compactAndRead(keeping: &i)
                continue
            }
            if quoted {
                if b == 0x22 {
                    if i + 1 < buffer.count, buffer[i + 1] == 0x22 {
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
            case 0x0D where i + 1 < buffer.count && buffer[i + 1] == 0x0A:
                break
            case 0x0A:
                return i + 1
            default:
                cellEmpty = false
            }
            i += 1
        }
    }

    /// Drops the bytes before `start` and reads a chunk; `index` (into the buffer) follows.
    private mutating func compactAndRead(keeping index: inout Int) throws {
        if start > 0 {
            buffer.removeSubrange(0..<start)
            index -= start
            start = 0
        }
        try readChunk()
    }

    private mutating func fill(atLeast count: Int) throws {
        while buffer.count - start < count, !atEnd { try readChunk() }
    }

    private mutating func readChunk() throws {
        guard let file else {
            atEnd = true
            return
        }
        let data: Data?
        do { data = try file.read(upToCount: chunkBytes) } catch { throw RecordLines.ReadError(error) }
        guard let data, !data.isEmpty else {
            atEnd = true
            return
        }
        buffer.append(contentsOf: data)
    }

    /// Whether a file is UTF-8 throughout, read a chunk at a time (a sequence cut by a chunk's
    /// end is completed by the next).
    public static func isUTF8(_ file: FileHandle, chunkBytes: Int = RecordLines.defaultChunkBytes) throws -> Bool {
        var carry: [UInt8] = []
        while true {
            let data: Data?
            do { data = try file.read(upToCount: max(1, chunkBytes)) } catch { throw RecordLines.ReadError(error) }
            guard let data, !data.isEmpty else { break }
            let bytes = carry + data
            // The last sequence may go on in the next chunk: keep it back.
            var lead = bytes.count - 1
            while lead > 0, bytes.count - lead < 4, bytes[lead] & 0xC0 == 0x80 { lead -= 1 }
            let b = bytes[lead]
            let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1
            let cut = bytes.count - lead < length ? lead : bytes.count
            guard String(validating: bytes[..<cut], as: UTF8.self) != nil else { return false }
            carry = Array(bytes[cut...])
        }
        return carry.isEmpty || String(validating: carry, as: UTF8.self) != nil
    }
}
