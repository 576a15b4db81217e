import Testing
@testable import FlowDiagnostics

/// A source line wider than `HumanRenderer.maxLineWidth` is shown as a window around the error,
/// cut with `…`, with the carets still under the offending text.
@Suite struct LongLineRenderingTests {
    let plain = HumanRenderer(color: false)

    /// The rows of a rendering, and the display cell at which `needle` starts in the source row.
    func rows(_ text: String) -> [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }

    @Test func aLongLineIsCutToAWindowAroundTheCaret() {
        let filler = String(repeating: "a + ", count: 2_500)
        let f = SourceFile(path: "v.view.yaml", text: "where: \"\(filler)propsal + \(filler)1\"\n")
        let d = RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "propsal"), "propsal")
        let out = rows(plain.render(d))
        let source = out[2]
        let carets = out[3]
        #expect(source.hasPrefix("1 | …"))
        #expect(source.hasSuffix("…"))
        // The gutter (4 cells), the window and the two `…`.
        #expect(DisplayWidth.of(source) <= 4 + HumanRenderer.maxLineWidth + 2)
        // The carets sit exactly under `propsal`.
        let caretStart = carets.firstIndex(of: "^").map { carets.distance(from: carets.startIndex, to: $0) } ?? -1
        let wordStart = source.range(of: "propsal").map { source.distance(from: source.startIndex, to: $0.lowerBound) } ?? -2
        #expect(caretStart == wordStart)
        #expect(carets.filter { $0 == "^" }.count == 7)
    }

    /// Diagnostics rendered together lay out each source line once and keep it for the next ones;
    /// they read exactly as rendered one by one, a line longer than what is laid out whole (laid
    /// out around each underline) included.
    @Test func diagnosticsRenderedTogetherReadAsRenderedOneByOne() {
        let long = String(repeating: "👨\u{200D}👩\u{200D}👧 e\u{301} + ", count: 6_000)
        let f = SourceFile(path: "t.flow.yaml", text: "a: \"x1 \(long) x2\"\nb: x3\nc: \"\(long) x4 \(long) x5\"\n")
        let ds = ["x1", "x2", "x3", "x4", "x5", "x1"].map { RenderTestMessages.unknownNodeShort.at(f.testSpan(of: $0), $0) }
        let together = plain.render(CappedDiagnostics(ds, limit: ds.count), summary: nil)
        #expect(together == ds.map { plain.render($0) }.joined(separator: "\n"))
        #expect(together.contains("^^"))
    }

    @Test func aLongLineWithTheErrorAtItsStartIsCutOnlyAtTheEnd() {
        let f = SourceFile(path: "v.view.yaml", text: "propsal" + String(repeating: " + b", count: 1_000) + "\n")
        let d = RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "propsal"), "propsal")
        let out = rows(plain.render(d))
        #expect(out[2].hasPrefix("1 | propsal + b"))
        #expect(out[2].hasSuffix("…"))
        #expect(out[3] == "  | ^^^^^^^")
    }

    /// Combining marks, joiners and variation selectors make one character of several scalars:
    /// a long line of them is cut like any other (fuzzing, Z1: 161 `e` + U+0301 trapped the
    /// renderer, and `flowc check` died with no output).
    @Test(arguments: ["e\u{301}", "\u{FFFD}\u{7FD}", "👩\u{200D}💻", "☺\u{FE0F}"])
    func aLongLineOfJoinedCharactersIsCutWithoutATrap(_ unit: String) {
        let f = SourceFile(path: "v.view.yaml", text: String(repeating: unit, count: 161) + " propsal " + String(repeating: unit, count: 200) + "\n")
        let d = RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "propsal"), "propsal")
        let out = rows(plain.render(d))
        let source = out[2]
        #expect(source.contains(" propsal "), "\(source)")
        #expect(out[3].filter { $0 == "^" }.count == 7)
        // The whole line from its start, as the fuzzer's file had it.
        let whole = SourceFile(path: "z.flow.yaml", text: String(repeating: unit, count: 161) + "\n")
        let all = RenderTestMessages.unknownNodeShort.at(SourceSpan(file: whole, start: 0, end: whole.bytes.count - 1), "x")
        #expect(rows(plain.render(all)).count > 3)
        // An accent of no width keeps the window's cut and the carets right. (A sequence joined
        // by U+200D or a variation selector is laid out a scalar at a time, not as a terminal
        // shows it: the carets may be off there, which is left as it was.)
        guard unit == "e\u{301}" else { return }
        #expect(source.hasPrefix("1 | …") && source.hasSuffix("…"), "\(source)")
        #expect(DisplayWidth.of(source) <= 4 + HumanRenderer.maxLineWidth + 2)
        let caretCell = DisplayWidth.of(String(out[3].prefix { $0 != "^" }))
        let wordCell = source.range(of: "propsal").map { DisplayWidth.of(String(source[..<$0.lowerBound])) } ?? -1
        #expect(caretCell == wordCell)
        #expect(rows(plain.render(all))[2].hasSuffix("…"))
    }

    @Test func chineseTextIsNeverCutInsideACharacter() {
        let f = SourceFile(path: "v.view.yaml", text: String(repeating: "初步洽谈", count: 100) + " propsal " + String(repeating: "方案报价", count: 100) + "\n")
        let d = RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "propsal"), "propsal")
        let out = rows(plain.render(d))
        let source = out[2]
        #expect(DisplayWidth.of(source) <= 4 + HumanRenderer.maxLineWidth + 2)
        let caretCell = DisplayWidth.of(String(out[3].prefix { $0 != "^" }))
        let wordCell = source.range(of: "propsal").map { DisplayWidth.of(String(source[..<$0.lowerBound])) } ?? -1
        #expect(caretCell == wordCell)
        #expect(!source.contains("\u{FFFD}"))
    }

    @Test func aLineAtTheLimitIsShownWhole() {
        let line = "propsal" + String(repeating: "x", count: HumanRenderer.maxLineWidth - 7)
        let f = SourceFile(path: "v.view.yaml", text: line + "\n")
        let d = RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "propsal"), "propsal")
        #expect(rows(plain.render(d))[2] == "1 | " + line)
    }
}

/// A line too long to lay out whole (a 30 MB minified value under a diagnostic cost 1.25 GB:
/// QA round 14) is laid out only around its mark, and says that it goes on before and after.
@Suite struct LongLineWindowTests {
    @Test func aLineOverTheLimitIsLaidOutAroundItsFocus() {
        let long = String(repeating: "长", count: 200_000)
        let file = SourceFile(path: "l.yaml", text: "a: 1\nb: \"" + long + "\"\n")
        let lineStart = file.lineRange(2).lowerBound
        let focus = lineStart + 300_000
        let display = DisplayLine(file: file, line: 2, tabWidth: 4, focus: focus)
        #expect(display.cutBefore && display.cutAfter)
        #expect(display.width <= 2 * DisplayLine.maxLaidOutBytes)
        #expect(display.width > 0)
        let short = DisplayLine(file: file, line: 1, tabWidth: 4)
        #expect(!short.cutBefore && !short.cutAfter && short.text == "a: 1")
    }
}
