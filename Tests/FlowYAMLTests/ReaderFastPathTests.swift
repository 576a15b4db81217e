import FlowDiagnostics
@testable import FlowYAML
import Testing

/// The reader's word-at-a-time paths (character marks to byte offsets, encoding validation, line
/// table) against the one-byte-at-a-time definitions, on texts mixing ASCII with 2-, 3- and
/// 4-byte characters.
@Suite struct ReaderFastPathTests {
    static let pieces: [String] = ["a", "bc", "key: value\n", "  ", "\n", "\r\n", "é", "中文", "😀", "ß", "\u{0301}", "#", "{x}", "- "]

    static func texts(count: Int, seed: UInt64) -> [String] {
        var state = seed
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        return (0..<count).map { _ in (0..<(next() % 40)).map { _ in pieces[next() % pieces.count] }.joined() }
    }

    @Test func characterMarksMapToTheirBytesInAnyOrder() {
        var state: UInt64 = 99
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for text in Self.texts(count: 500, seed: 5) {
            for bom in [false, true] {
                let bytes = (bom ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8)
                // Where each character starts, counting as libyaml does (after any BOM).
                var starts: [Int] = []
                var i = bom ? 3 : 0
                while i < bytes.count {
                    starts.append(i)
                    i += SourceFile.scalarLength(leadByte: bytes[i])
                }
                starts.append(bytes.count)
                var marks = CharToByte(bytes: bytes)
                for _ in 0..<60 {
                    let target = next() % starts.count
                    #expect(marks.offset(target) == starts[target], "\(text.debugDescription) bom \(bom) char \(target)")
                }
            }
        }
    }

    /// The first NUL or invalid UTF-8 byte, one byte at a time (a sequence that breaks off is
    /// found at its lead byte).
    static func firstProblem(_ b: [UInt8]) -> Int? {
        let n = b.count
        var i = 0
        while i < n {
            let c = b[i]
            if c < 0x80 {
                if c == 0 { return i }
                i += 1
                continue
            }
            var need = 0
            var minValue: UInt32 = 0
            var value: UInt32 = 0
            if c & 0xE0 == 0xC0 { need = 1; value = UInt32(c & 0x1F); minValue = 0x80 }
            else if c & 0xF0 == 0xE0 { need = 2; value = UInt32(c & 0x0F); minValue = 0x800 }
            else if c & 0xF8 == 0xF0 { need = 3; value = UInt32(c & 0x07); minValue = 0x10000 }
            else { return i }
            if i + need >= n { return i }
            for k in 1...need {
                let cc = b[i + k]
                guard cc & 0xC0 == 0x80 else { return i }  // the lead byte whose sequence breaks
                value = (value << 6) | UInt32(cc & 0x3F)
            }
            if value < minValue || value > 0x10FFFF || (0xD800...0xDFFF).contains(value) { return i }
            i += need + 1
        }
        return nil
    }

    @Test func encodingProblemsAreFoundAtTheirFirstByte() {
        let bad: [[UInt8]] = [[0x00], [0xFF], [0xC3], [0xE4, 0xB8], [0xED, 0xA0, 0x80], [0xC0, 0x80], [0x80], [0xF4, 0x90, 0x80, 0x80],
                              [0xE0, 0x80, 0x80], [0xF0, 0x80, 0x80, 0x80], [0xF8, 0x80, 0x80], [0xFE, 0x80, 0x80], [0xEF, 0x80, 0x41]]
        for text in Self.texts(count: 300, seed: 6) {
            let good = Array(text.utf8)
            #expect(YAMLReader.validateEncoding(SourceFile(path: "t", bytes: good)) == nil)
            for b in bad {
                for cut in [0, good.count / 3, good.count / 2, good.count] {
                    let bytes = Array(good[..<cut]) + b + Array(good[cut...])
                    let d = YAMLReader.validateEncoding(SourceFile(path: "t", bytes: bytes))
                    #expect(d?.span?.start == Self.firstProblem(bytes), "\(text.debugDescription) \(b) at \(cut)")
                }
            }
        }
    }

    @Test func lineTablesMatchAByteByByteScan() {
        for text in Self.texts(count: 500, seed: 7) + ["\r", "\n", "\r\n", "a\rb\nc\r\nd", ""] {
            let bytes = Array(text.utf8)
            var expected = [0]
            var i = 0
            while i < bytes.count {
                if bytes[i] == 0x0A {
                    expected.append(i + 1)
                } else if bytes[i] == 0x0D {
                    if i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 }
                    expected.append(i + 1)
                }
                i += 1
            }
            #expect(SourceFile(path: "t", bytes: bytes).lineStarts == expected, "\(text.debugDescription)")
        }
    }
}
