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
}
