import Testing
import FlowDiagnostics

@Suite struct HumanRendererTests {
    let plain = HumanRenderer(color: false)

    @Test func primarySpanLabelsNotesAndFixItRenderLikeRustc() {
        let f = SourceFile(path: "templates/x.flow.yaml", text: """
            flowc: 1
            nodes:
              start:
                next: propsal
              proposal:
                title: quote
            """)
        let target = f.testSpan(of: "propsal")
        let d = RenderTestMessages.unknownNode.at(target, "propsal", "proposal")
            .label(target, "not defined")
            .label(f.testSpan(of: "proposal"), "similar node defined here")
            .note("nodes are declared under `nodes:`")
            .fix(target, "proposal")
        #expect(plain.render(d) == """
            templates/x.flow.yaml:4:11: error[FC0302]: unknown node `propsal`; did you mean `proposal`?
              |
            4 |     next: propsal
              |           ^^^^^^^ not defined
            5 |   proposal:
              |   -------- similar node defined here
              |
              = note: nodes are declared under `nodes:`
              = help: replace with `proposal`

            """)
    }

    @Test func caretsSitUnderChineseCharactersTwoCellsEach() {
        let f = SourceFile(path: "模板/销售.flow.yaml", text: "nodes:\n  初步洽谈: {next: 方案报价}\n")
        let d = RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "方案报价"), "方案报价").label(f.testSpan(of: "方案报价"), "未定义的节点")
        // Column 16 counts characters; the carets start at display cell 19 and cover 8 cells.
        #expect(plain.render(d) == """
            模板/销售.flow.yaml:2:16: error[FC0303]: unknown node `方案报价`
              |
            2 |   初步洽谈: {next: 方案报价}
              |                    ^^^^^^^^ 未定义的节点

            """)
    }

    /// A character of several scalars takes the cells a terminal gives it, not the sum of its
    /// scalars': a family joined by ZWJ and `⚠️` (a text symbol with the emoji selector) two
    /// each, `é` written `e` + U+0301 one. The carets after them, and under them, line up.
    @Test func caretsSitAfterAndUnderEmojiSequencesAsTheTerminalDrawsThem() {
        let f = SourceFile(path: "t.flow.yaml", text: "nodes:\n  a: {name: \"👨\u{200D}👩\u{200D}👧⚠\u{FE0F}e\u{301}\", next: b}\n")
        let name = f.testSpan(of: "👨\u{200D}👩\u{200D}👧⚠\u{FE0F}e\u{301}")
        let d = RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "b}"), "b").label(name, "the name")
        // `  a: {name: "` is 13 cells, the name 5 (2 + 2 + 1), `", next: ` 9: `b}` at cell 27.
        // (Column 32 counts scalars, as every position does.)
        #expect(plain.render(d) == """
            t.flow.yaml:2:32: error[FC0303]: unknown node `b`
              |
            2 |   a: {name: "👨\u{200D}👩\u{200D}👧⚠\u{FE0F}e\u{301}", next: b}
              |                            ^^
              |              ----- the name

            """)
    }

    /// A subdivision flag (🏴 and its tag characters) takes two cells, and a Hangul syllable
    /// written in parts (U+1100 U+1161 U+11A8) two, as the terminal draws them (QA round 30, N12:
    /// ten and six).
    @Test func caretsSitAfterTagFlagsAndHangulInParts() {
        let scotland = "🏴\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}"
        let f = SourceFile(path: "t.flow.yaml", text: "a: \"\(scotland)\u{1100}\u{1161}\u{11A8}\", next: b}\n")
        let d = RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "b}"), "b").label(f.testSpan(of: scotland + "\u{1100}\u{1161}\u{11A8}"), "the name")
        // `a: "` is 4 cells, the flag 2 and the syllable 2, `", next: ` 9: `b}` at cell 17.
        #expect(plain.render(d) == """
            t.flow.yaml:1:\(4 + 7 + 3 + 9 + 1): error[FC0303]: unknown node `b`
              |
            1 | a: "\(scotland)\u{1100}\u{1161}\u{11A8}", next: b}
              |                  ^^
              |     ---- the name

            """)
    }

    @Test func tabsAreFourSpacesInTheLineAndTheUnderline() {
        let f = SourceFile(path: "t.flow.yaml", text: "nodes:\n\tstart:\t{next: propsal}\n")
        let d = RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "propsal"), "propsal")
        #expect(plain.render(d) == """
            t.flow.yaml:2:16: error[FC0303]: unknown node `propsal`
              |
            2 |     start:    {next: propsal}
              |                      ^^^^^^^

            """)
    }

    @Test func spanOverATabUnderlinesFourCells() {
        let f = SourceFile(path: "t.flow.yaml", text: "a:\t1\n")
        let d = RenderTestMessages.unreachable.at(SourceSpan(file: f, start: 2, end: 3), "a")
        #expect(plain.render(d) == """
            t.flow.yaml:1:3: warning[FC0501]: node `a` cannot be reached
              |
            1 | a:    1
              |   ^^^^

            """)
    }

    @Test func spanAtEndOfFileAfterTheLastLineBreakPointsAtTheEmptyLastLine() {
        let f = SourceFile(path: "t.flow.yaml", text: "a: 1\nb: 2\n")
        let d = RenderTestMessages.unreachable.at(SourceSpan(file: f, start: 10, end: 10), "b")
        #expect(plain.render(d) == """
            t.flow.yaml:3:1: warning[FC0501]: node `b` cannot be reached
              |
            3 |
              | ^

            """)
    }

    @Test func spanAtEndOfFileWithoutLineBreakPointsPastTheLastCharacter() {
        let f = SourceFile(path: "t.flow.yaml", text: "a: [1, 2")
        let d = RenderTestMessages.braces.at(SourceSpan(file: f, start: 8, end: 8), "2")
        #expect(plain.render(d) == """
            t.flow.yaml:1:9: error[FC0401]: expected `}` after `2`
              |
            1 | a: [1, 2
              |         ^

            """)
    }

    @Test func spanOnAnEmptyLineGetsOneCaret() {
        let f = SourceFile(path: "t.flow.yaml", text: "a: 1\n\nb: 2\n")
        let d = RenderTestMessages.unreachable.at(SourceSpan(file: f, start: 5, end: 6), "b")
        #expect(plain.render(d) == """
            t.flow.yaml:2:1: warning[FC0501]: node `b` cannot be reached
              |
            2 |
              | ^

            """)
    }

    @Test func multiLineSpanShowsFirstAndLastLineAndElidesTheMiddle() {
        let f = SourceFile(path: "t.flow.yaml", text: """
            nodes:
              start: {next: [a,
                b,
                c,
                d]}
              end: {}
            """)
        let from = f.testSpan(of: "[a,").start
        let to = f.testSpan(of: "d]").end
        let d = RenderTestMessages.unreachable.at(SourceSpan(file: f, start: from, end: to), "start")
            .label(SourceSpan(file: f, start: from, end: to), "this list")
        #expect(plain.render(d) == """
            t.flow.yaml:2:17: warning[FC0501]: node `start` cannot be reached
              |
            2 |   start: {next: [a,
              |                 ^^^
            ...
            5 |     d]}
              |     ^^ this list

            """)
    }

    @Test func multiLineSpanOverTwoLinesHasNoEllipsis() {
        let f = SourceFile(path: "t.flow.yaml", text: "k: [a,\n  b]\n")
        let s = SourceSpan(file: f, start: 3, end: 11)
        let d = RenderTestMessages.unreachable.at(s, "k")
        #expect(plain.render(d) == """
            t.flow.yaml:1:4: warning[FC0501]: node `k` cannot be reached
              |
            1 | k: [a,
              |    ^^^
            2 |   b]
              |   ^^

            """)
    }

    @Test func labelsOnFarLinesAreSeparatedByAnEllipsisAndSortedByLine() {
        var text = "nodes:\n  proposal: {}\n"
        for i in 1...8 { text += "  n\(i): {}\n" }
        text += "  start: {next: propsal}\n"
        let f = SourceFile(path: "t.flow.yaml", text: text)
        let d = RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "propsal"), "propsal")
            .label(f.testSpan(of: "proposal"), "a similar name is declared here")
        #expect(plain.render(d) == """
            t.flow.yaml:11:17: error[FC0303]: unknown node `propsal`
               |
             2 |   proposal: {}
               |   -------- a similar name is declared here
            ...
            11 |   start: {next: propsal}
               |                 ^^^^^^^

            """)
    }

    @Test func twoMarksOnOneLineGetOneRowEachPrimaryFirst() {
        let f = SourceFile(path: "t.flow.yaml", text: "a: {next: b, also: b}\n")
        let d = RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "b", occurrence: 2), "b")
            .label(f.testSpan(of: "b", occurrence: 1), "first use")
        #expect(plain.render(d) == """
            t.flow.yaml:1:20: error[FC0303]: unknown node `b`
              |
            1 | a: {next: b, also: b}
              |                    ^
              |           - first use

            """)
    }

    @Test func labelInAnotherFileGetsItsOwnSnippetWithItsPosition() {
        let main = SourceFile(path: "templates/a.flow.yaml", text: "include: [common.flow.yaml]\nnodes:\n  start: {next: propsal}\n")
        let other = SourceFile(path: "templates/common.flow.yaml", text: "nodes:\n  proposal: {}\n")
        let d = RenderTestMessages.unknownNodeShort.at(main.testSpan(of: "propsal"), "propsal")
            .label(other.testSpan(of: "proposal"), "declared here")
        #expect(plain.render(d) == """
            templates/a.flow.yaml:3:17: error[FC0303]: unknown node `propsal`
              |
            3 |   start: {next: propsal}
              |                 ^^^^^^^
             ::: templates/common.flow.yaml:2:3
              |
            2 |   proposal: {}
              |   -------- declared here

            """)
    }

    @Test func diagnosticWithoutSpanPrintsOnlyTheFirstLine() {
        let d = DriverMessages.noTemplates.inFile("templates/", "templates/")
        #expect(plain.render(d) == "templates/: error[FC0002]: no template files found in `templates/`\n")
    }

    @Test func helpWinsOverFixItsAndOtherFixItsNameTheirText() {
        let f = SourceFile(path: "t.flow.yaml", text: "a: {next: propsal}\n")
        let s = f.testSpan(of: "propsal")
        let withHelp = RenderTestMessages.unknownNodeShort.at(s, "propsal").help("did you mean `proposal`?").fix(s, "proposal")
        #expect(plain.render(withHelp).hasSuffix("  |\n  = help: did you mean `proposal`?\n"))
        let elsewhere = RenderTestMessages.unknownNodeShort.at(s, "propsal")
            .fix(f.testSpan(of: "next"), "goto")
            .fix(SourceSpan(file: f, start: 3, end: 3), " ")
            .fix(SourceSpan(file: f, start: 0, end: 1), "")
        #expect(plain.render(elsewhere).hasSuffix("""
              |
              = help: replace `next` with `goto`
              = help: insert ` `
              = help: remove `a`

            """))
    }

    @Test func contextLinesShowNeighboursButNotTheEmptyLineAfterTheLastBreak() {
        let f = SourceFile(path: "t.flow.yaml", text: "a: 1\nb: 2\nc: 3\n")
        let d = RenderTestMessages.unreachable.at(f.testSpan(of: "c"), "c")
        #expect(HumanRenderer(color: false, contextLines: 2).render(d) == """
            t.flow.yaml:3:1: warning[FC0501]: node `c` cannot be reached
              |
            1 | a: 1
            2 | b: 2
            3 | c: 3
              | ^

            """)
    }

    @Test func controlCharactersInSourceAndMessagesAreNotSentToTheTerminal() {
        let f = SourceFile(path: "t.flow.yaml", text: "a: \u{1B}[31mx\n")
        let d = RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "x"), "\u{1B}[2J\nx")
        let out = plain.render(d)
        #expect(!out.contains("\u{1B}"))
        #expect(out == """
            t.flow.yaml:1:9: error[FC0303]: unknown node `\u{FFFD}[2J x`
              |
            1 | a: \u{FFFD}[31mx
              |         ^

            """)
    }

    @Test func invalidUTF8CountsOneColumnPerBadByteAsTheLocationDoes() {
        let f = SourceFile(path: "t.flow.yaml", bytes: Array("a: ".utf8) + [0xFF, 0xFE] + Array(" x\n".utf8))
        let d = RenderTestMessages.unknownNodeShort.at(SourceSpan(file: f, start: 6, end: 7), "x")
        #expect(plain.render(d) == """
            t.flow.yaml:1:7: error[FC0303]: unknown node `x`
              |
            1 | a: \u{FFFD}\u{FFFD} x
              |       ^

            """)
    }

    @Test func spanPastTheEndOfTheFileIsClampedNotATrap() {
        let f = SourceFile(path: "t.flow.yaml", text: "a: 1")
        let d = RenderTestMessages.unreachable.at(SourceSpan(file: f, start: 2, end: 999), "a")
        #expect(plain.render(d) == """
            t.flow.yaml:1:3: warning[FC0501]: node `a` cannot be reached
              |
            1 | a: 1
              |   ^^

            """)
    }

    @Test func colourWrapsSeverityCodeGutterAndCaretsInANSI() {
        let f = SourceFile(path: "t.flow.yaml", text: "a: b\n")
        let d = RenderTestMessages.unreachable.at(f.testSpan(of: "b"), "b").note("n")
        let e = "\u{1B}["
        #expect(HumanRenderer(color: true).render(d) == """
            \(e)1mt.flow.yaml:1:4:\(e)0m \(e)1;33mwarning[FC0501]\(e)0m\(e)1m: node `b` cannot be reached\(e)0m
            \(e)1;34m  |\(e)0m
            \(e)1;34m1 |\(e)0m a: b
            \(e)1;34m  |\(e)0m    \(e)1;33m^\(e)0m
            \(e)1;34m  |\(e)0m
              \(e)1;34m=\(e)0m \(e)1mnote:\(e)0m n

            """)
        let error = RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "b"), "b")
        #expect(HumanRenderer(color: true).render(error).contains("\(e)1;31merror[FC0303]\(e)0m"))
        #expect(HumanRenderer(color: true).render(error).contains("\(e)1;31m^\(e)0m"))
        #expect(!HumanRenderer(color: false).render(error).contains(e))
    }

    @Test(arguments: [
        (true, [String: String](), true),
        (false, [:], false),
        (true, ["NO_COLOR": "1"], false),
        (true, ["NO_COLOR": ""], true),
        (false, ["FORCE_COLOR": "1"], true),
        (false, ["FORCE_COLOR": ""], true),
        (false, ["FORCE_COLOR": "0"], false),
        (true, ["NO_COLOR": "1", "FORCE_COLOR": "1"], false),
        (true, ["TERM": "dumb"], false),
        (false, ["TERM": "dumb", "FORCE_COLOR": "1"], true),
        (true, ["TERM": "xterm-256color"], true),
    ])
    func colourFollowsNoColorForceColorTermAndTheTerminal(isTerminal: Bool, environment: [String: String], expected: Bool) {
        #expect(HumanRenderer.shouldUseColor(isTerminal: isTerminal, environment: environment) == expected)
    }

    @Test func cappedListEndsWithWhatWasLeftOutAndTheSummary() {
        let f = SourceFile(path: "t.flow.yaml", text: "a: 1\nb: 2\nc: 3\nd: 4\n")
        let all = [
            RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "a"), "a"),
            RenderTestMessages.unreachable.at(f.testSpan(of: "b"), "b"),
            RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "c"), "c"),
            RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "d"), "d"),
        ]
        let capped = CappedDiagnostics(all, limit: 2)
        #expect(plain.render(capped, summary: DiagnosticCounts(counting: all)) == """
            t.flow.yaml:1:1: error[FC0303]: unknown node `a`
              |
            1 | a: 1
              | ^

            t.flow.yaml:3:1: error[FC0303]: unknown node `c`
              |
            3 | c: 3
              | ^

            1 more error and 1 more warning not shown
            3 errors, 1 warning

            """)
        #expect(plain.render(CappedDiagnostics(all, limit: 2), summary: nil).hasSuffix("2 more diagnostics not shown\n"))
    }

    @Test func summaryUsesSingularAndPluralAndLeavesOutZeroes() {
        #expect(DiagnosticCounts(errors: 1, warnings: 1).summaryLine == "1 error, 1 warning")
        #expect(DiagnosticCounts(errors: 2, warnings: 0).summaryLine == "2 errors")
        #expect(DiagnosticCounts(errors: 0, warnings: 3).summaryLine == "3 warnings")
        #expect(DiagnosticCounts(errors: 0, warnings: 1, notes: 2).summaryLine == "1 warning, 2 notes")
        #expect(DiagnosticCounts().summaryLine == "no errors or warnings")
        #expect(plain.render(CappedDiagnostics([], limit: 10), summary: DiagnosticCounts()) == "no errors or warnings\n")
    }

    @Test func threeOmittedErrorsSayErrors() {
        let f = SourceFile(path: "t.flow.yaml", text: "abcd\n")
        let all = (0..<4).map { RenderTestMessages.unknownNodeShort.at(SourceSpan(file: f, start: $0, end: $0 + 1), "x") }
        let out = plain.render(CappedDiagnostics(all, limit: 1), summary: DiagnosticCounts(counting: all))
        #expect(out.hasSuffix("\n\n3 more errors not shown\n4 errors\n"))
    }
}

/// The bag says once a problem read twice through an alias (one fix-it, the other message as a
/// note; QA round 35, A5), and keeps apart two problems at one place without an edit (a node
/// missing two keys; review of the session).
@Suite struct DiagnosticBagFoldTests {
    static let spec = MessageSpec(999, .error, "test", "{0}", explanation: "")

    @Test func aProblemReadTwiceIsSaidOnceAndTwoProblemsStayTwo() {
        let file = SourceFile(path: "t.yaml", bytes: Array("a: b\n".utf8))
        let span = SourceSpan(file: file, start: 3, end: 4)
        var bag = DiagnosticBag()
        bag.add(Self.spec.at(span, "unknown `b` in x").help("did you mean `c`?").fix(span, "c"))
        bag.add(Self.spec.at(span, "unknown `b` in y").help("did you mean `c`?").fix(span, "c"))
        let once = bag.sorted()
        #expect(once.count == 1 && once.first?.notes.map(\.text) == ["also: unknown `b` in y"])
        var two = DiagnosticBag()
        two.add(Self.spec.at(span, "missing `id`"))
        two.add(Self.spec.at(span, "missing `name`"))
        #expect(two.sorted().count == 2)
    }
}
