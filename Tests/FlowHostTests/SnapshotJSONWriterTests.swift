import Foundation
import Testing
@testable import FlowHost

/// The snapshot writer's number and string primitives write what `String(i)` and Foundation's
/// escaping would.
@Suite struct SnapshotJSONWriterTests {
    @Test(arguments: [Int64.min, Int64.min + 1, -1_000_000_007, -10, -9, -1, 0, 1, 9, 10, 99, 100, 1_714_986_000, Int64.max - 1, Int64.max])
    func integersAreWrittenInDecimal(_ i: Int64) {
        var w = SnapshotJSON.Writer()
        w.int(i)
        #expect(String(decoding: w.bytes, as: UTF8.self) == String(i))
    }

    @Test func textWithoutEscapesIsCopiedAndTextWithEscapesIsEscaped() {
        var w = SnapshotJSON.Writer()
        w.string("星辰科技 / plain")
        w.string("a\"b\\c\nd\u{01}")
        #expect(String(decoding: w.bytes, as: UTF8.self) == #""星辰科技 / plain""a\"b\\c\nd\u0001""#)
    }

    /// Every control character, DEL, `/`, the line and paragraph separators, non-ASCII of two,
    /// three and four bytes, an escape at the very start and end, and text longer than the
    /// writer's first buffer: written as the runtime's encoder (Foundation's `JSONEncoder`, no
    /// escaped slashes) writes them.
    @Test(arguments: [
        "",
        String((0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }),
        "\u{7F} / // é 中文 😀 \u{2028}\u{2029}",
        "\"start and end\\",
        "\n",
        "tab\there, bell\u{07}, escape\u{1B}, unit separator\u{1F}",
        String(repeating: "客户 \"引号\" \\ 反斜杠\n", count: 400),
        "quote \" backslash \\ tab \t nl \n 中文 😀",
        "a\"bcdefghijklmnopqrstuvwxyz",
        String(repeating: "plain ASCII text without escapes ", count: 300),
    ])
    func stringsAreWrittenAsTheRuntimesEncoderWritesThem(_ text: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = String(decoding: try encoder.encode([text]), as: UTF8.self)
        var w = SnapshotJSON.Writer()
        w.byte(UInt8(ascii: "["))
        w.string(text)
        w.byte(UInt8(ascii: "]"))
        #expect(String(decoding: w.bytes, as: UTF8.self) == expected)
    }

    /// One character that needs an escape at every position of texts of 1 to 40 bytes (so in
    /// the first, a middle or the last eight-byte word, or in the bytes after the last whole
    /// word): escaped there and only there.
    @Test(arguments: ["\"", "\\", "\n", "\u{01}", "\u{1F}"])
    func anEscapeIsFoundAtEveryPosition(_ special: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for length in 1...40 {
            for position in 0..<length {
                let text = String(repeating: "a", count: position) + special + String(repeating: "b", count: length - position - 1)
                let expected = String(decoding: try encoder.encode([text]), as: UTF8.self)
                var w = SnapshotJSON.Writer()
                w.byte(UInt8(ascii: "["))
                w.string(text)
                w.byte(UInt8(ascii: "]"))
                #expect(String(decoding: w.bytes, as: UTF8.self) == expected, "length \(length), position \(position)")
            }
        }
    }

    /// Members after the first get a comma, optional members without a value are left out, and
    /// the buffer grows past its first capacity without losing what was written.
    @Test func objectsSeparateTheirMembersAndLeaveOutMissingOptionals() {
        var w = SnapshotJSON.Writer(capacity: 8)
        w.open()
        w.key("a", int: nil as Int64?)
        w.key("b"); w.int(Int64(1))
        w.key("c", string: nil)
        w.key("d", string: "x")
        w.key("e"); w.open(); w.close()
        w.key("f"); w.openArray(); w.separator(0); w.null(); w.separator(1); w.bool(true); w.closeArray()
        w.close()
        #expect(String(decoding: w.bytes, as: UTF8.self) == #"{"b":1,"d":"x","e":{},"f":[null,true]}"#)
    }
}
