import Foundation

/// The input of the records readers (``RecordLines``, ``CSVRows``): bytes in memory, or a file
/// read a chunk at a time. `bytes[start...]` is what the reader has not consumed yet.
struct ChunkedInput {
    private(set) var bytes: [UInt8]
    /// Where the bytes not consumed yet start.
    var start = 0
    /// Whether all of the input is in `bytes`.
    private(set) var atEnd: Bool
    private let file: FileHandle?
    private let chunkBytes: Int

    init(bytes: [UInt8]) {
        self.bytes = bytes
        atEnd = true
        file = nil
        chunkBytes = 0
    }

    init(file: FileHandle, chunkBytes: Int) {
        bytes = []
        atEnd = false
        self.file = file
        self.chunkBytes = max(1, chunkBytes)
    }

    /// Drops the consumed bytes; an index into `bytes` moves down by the count returned.
    mutating func compact() -> Int {
        let consumed = start
        if consumed > 0 {
            bytes.removeSubrange(0..<consumed)
            start = 0
        }
        return consumed
    }

    /// Drops `bytes[index...]` (what a reader need not keep of a line too long to hold).
    mutating func drop(from index: Int) {
        bytes.removeSubrange(index...)
    }

    /// Drops `bytes[range]` (what a reader need not keep of a row too long to hold).
    mutating func drop(_ range: Range<Int>) {
        bytes.removeSubrange(range)
    }

    /// Appends the file's next chunk, or notes the end of the input.
    /// - Throws: ``RecordLines/ReadError``.
    mutating func readMore() throws {
        guard let file, let data = try Self.chunk(of: file, upTo: chunkBytes) else {
            atEnd = true
            return
        }
        bytes.append(contentsOf: data)
    }

    /// A file's next chunk of at most `count` bytes; nil at its end.
    /// - Throws: ``RecordLines/ReadError``, the read error in the system's words.
    static func chunk(of file: FileHandle, upTo count: Int) throws -> Data? {
        let data: Data?
        do { data = try file.read(upToCount: max(1, count)) } catch { throw RecordLines.ReadError(error) }
        guard let data, !data.isEmpty else { return nil }
        return data
    }
}
