import Testing
import FlowDiagnostics

@Suite struct SourceFileTests {
    @Test func lineAndColumnCountCharactersNotBytes() {
        let f = SourceFile(path: "t.yaml", text: "name: 初步洽谈\nid: x\n")
        // `x` is on line 2, column 5.
        let xOffset = Array("name: 初步洽谈\nid: ".utf8).count
        #expect(f.location(of: xOffset) == SourceLocation(line: 2, column: 5, offset: xOffset))
        // The `谈` character starts at byte 15 and is column 10 of line 1.
        #expect(f.location(of: 15).column == 10)
    }

    @Test func aByteOrderMarkIsNotAColumnOfLineOne() {
        let text = "\u{FEFF}flowc: 2\nid: x\n"
        let f = SourceFile(path: "t", text: text)
        // `2` is the 8th character an editor shows on line 1; the mark is three bytes before it.
        let two = Array("\u{FEFF}flowc: ".utf8).count
        #expect(f.location(of: two) == SourceLocation(line: 1, column: 8, offset: two))
        #expect(f.location(of: 3).column == 1)
        #expect(f.location(of: 0).column == 1)
        // Line 2 is not affected.
        let x = Array("\u{FEFF}flowc: 2\nid: ".utf8).count
        #expect(f.location(of: x).column == 5)
        // A file without the mark is counted from its first byte.
        #expect(SourceFile(path: "t", text: "flowc: 2\n").location(of: 7).column == 8)
    }

    @Test func crlfAndLoneCRBothEndLines() {
        let f = SourceFile(path: "t", text: "a\r\nb\rc\n")
        #expect(f.lineStarts == [0, 3, 5, 7])
        #expect(f.lineText(1) == "a")
        #expect(f.lineText(2) == "b")
        #expect(f.location(of: 5) == SourceLocation(line: 3, column: 1, offset: 5))
    }

    @Test func messageFormatsSubstituteArguments() {
        #expect(Message("unknown key `{0}`; did you mean `{1}`?", ["nmae", "name"]).text == "unknown key `nmae`; did you mean `name`?")
        #expect(Message("{0} and {9}", ["a"]).text == "a and {9}")
    }

    @Test func codesPrintWithFourDigits() {
        #expect(DiagnosticCode(101).description == "FC0101")
        #expect(DiagnosticCode(parsing: "fc0402") == DiagnosticCode(402))
        #expect(DiagnosticCode(parsing: "FC12") == nil)
    }

    @Test func cjkTakesTwoCells() {
        #expect(DisplayWidth.of("初步洽谈") == 8)
        #expect(DisplayWidth.of("abc") == 3)
        // Emoji: two cells each, a sequence drawn as one picture too (review V4: a family
        // counted 6, a rocket 1, and the columns after them started early).
        #expect(DisplayWidth.of("👨‍👩‍👧") == 2)
        #expect(DisplayWidth.of("🚀") == 2)
        #expect(DisplayWidth.of("🇨🇳") == 2)
        #expect(DisplayWidth.of("👍🏽") == 2)
        #expect(DisplayWidth.of("1️⃣") == 2)
        #expect(DisplayWidth.of("👨‍👩‍👧 家族企业 🇨🇳 é") == 16)
        #expect(DisplayWidth.of("é") == 1 && DisplayWidth.of("e\u{301}") == 1)
    }
}
