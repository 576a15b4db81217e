@testable import FlowRuntime
import Testing

/// Effect texts split into literals and `{field}` placeholders when a machine is prepared.
@Suite struct TextPieceTests {
    @Test func placeholdersAndLiteralBraces() {
        let pieces = TextPiece.parse("报价 {quote}，{{不是}} {unknown} {", fieldSlot: ["quote": 4])
        #expect(pieces == [.literal("报价 "), .field(4), .literal("，{不是} {unknown} {")])
    }

    /// A text of many unclosed `{` (a machine not written by `flowc compile`: the checker refuses
    /// such a text, FC0708) is read in one pass: each `{` searched to the end for a `}` made every
    /// command that prepares the machine take minutes (IR review F5).
    @Test func manyUnclosedBracesAreOneLiteral() {
        let text = String(repeating: "x{", count: 200_000)
        #expect(TextPiece.parse(text, fieldSlot: ["x": 0]) == [.literal(text)])
        #expect(TextPiece.parse(text + "{x}", fieldSlot: ["x": 0]) == [.literal(text + "{x}")])
        #expect(TextPiece.parse("{x}" + text, fieldSlot: ["x": 0]) == [.field(0), .literal(text)])
    }
}
