import Testing
import FlowDiagnostics
@testable import FlowYAML

/// Spans are byte offsets (libyaml's marks count characters); line and column come from the file.
@Suite struct ReaderSpanTests {
    @Test func scalarSpansAreBytesAfterCJKText() throws {
        let text = "stage: 初步洽谈\nnext: [报价阶段, x]\n"
        let r = read(text)
        let doc = try #require(r.document)
        #expect(r.diagnostics.isEmpty)
        let stage = try #require(doc.node("stage"))
        #expect(doc.span(stage).range == 7..<19)
        #expect(doc.text(stage) == "初步洽谈")
        let x = try #require(doc.node("next", 1))
        let xAt = byteOffset(of: "x]", in: text)
        #expect(doc.span(x).range == xAt..<xAt + 1)
        #expect(doc.file.location(of: xAt) == SourceLocation(line: 2, column: 14, offset: xAt))
        let seq = try #require(doc.node("next"))
        let open = byteOffset(of: "[", in: text)
        #expect(doc.span(seq).range == open..<xAt + 2)
        #expect(doc.isFlow(seq))
    }

    @Test func libyamlCharacterMarksBecomeByteOffsets() throws {
        // The LIBYAML-NOTES example: `[` is character 5 but byte 11.
        let r = read("é€😀: [x]\n")
        let doc = try #require(r.document)
        let seq = try #require(doc.node("é€😀"))
        #expect(doc.span(seq).range == 11..<14)
        #expect(doc.file.location(of: 11).column == 6)
        let key = try #require(doc.pairs(doc.root).first?.key)
        #expect(doc.span(key).range == 0..<9)
    }

    @Test func quotedSpansIncludeTheQuotes() throws {
        let text = "a: \"中文\\n\"\nb: 'it''s'\n"
        let doc = try #require(read(text).document)
        let a = try #require(doc.node("a"))
        #expect(doc.source(a) == "\"中文\\n\"")
        #expect(doc.text(a) == "中文\n")
        let b = try #require(doc.node("b"))
        #expect(doc.source(b) == "'it''s'")
        #expect(doc.style(b) == .singleQuoted)
    }

    @Test func blockScalarSpanEndsAtItsLastContentCharacter() throws {
        let text = "a: |\n  第一行\n  second\n\n\nb: >-\n  folded\n  text\n# trailing comment\n"
        let doc = try #require(read(text).document)
        let a = try #require(doc.node("a"))
        #expect(doc.span(a).start == 3)
        #expect(doc.span(a).end == byteOffset(of: "second", in: text) + 6)
        #expect(doc.text(a) == "第一行\nsecond\n")
        let b = try #require(doc.node("b"))
        #expect(doc.source(b) == ">-\n  folded\n  text")
        #expect(doc.text(b) == "folded text")
        #expect(doc.style(b) == .folded)
    }

    @Test func blockContainerSpansRunFromFirstToLastChild() throws {
        let text = "root:\n  - 甲\n  - k: v\n    k2: [1, 2]\nother: 1\n"
        let doc = try #require(read(text).document)
        let seq = try #require(doc.node("root"))
        #expect(doc.source(seq) == "- 甲\n  - k: v\n    k2: [1, 2]")
        let inner = try #require(doc.node("root", 1))
        #expect(doc.source(inner) == "k: v\n    k2: [1, 2]")
        #expect(doc.span(doc.root).range == 0..<(text.utf8.count - 1))
    }

    @Test func containerEndingInAnAliasEndsAtTheAlias() throws {
        let text = "base: &b 1\nlist:\n  - x\n  - *b\n"
        let doc = try #require(read(text).document)
        let list = try #require(doc.node("list"))
        #expect(doc.source(list) == "- x\n  - *b")
        #expect(doc.span(doc.root).end == byteOffset(of: "*b", in: text) + 2)
        // The alias is stored as its anchor's node.
        let item = try #require(doc.node("list", 1))
        #expect(doc.text(item) == "1")
        #expect(doc.source(item) == "&b 1")
    }

    @Test func nodeSpansStartAtTheirProperties() throws {
        let text = "a: &anchor !!str 值\n"
        let doc = try #require(read(text).document)
        let a = try #require(doc.node("a"))
        #expect(doc.source(a) == "&anchor !!str 值")
        #expect(doc.value(a) == .string("值"))
    }

    @Test func crlfLineEndsKeepByteSpans() throws {
        let text = "a: 1\r\nb:\r\n  - 中\r\n  - \"x\"\r\n"
        let r = read(text)
        let doc = try #require(r.document)
        let x = try #require(doc.node("b", 1))
        let at = byteOffset(of: "\"x\"", in: text)
        #expect(doc.span(x).range == at..<at + 3)
        #expect(doc.file.location(of: at) == SourceLocation(line: 4, column: 5, offset: at))
    }

    @Test func utf8ByteOrderMarkAtFileStartIsSkipped() throws {
        let text = "\u{FEFF}name: 初步\nnext: x\n"
        let r = read(text)
        #expect(r.diagnostics.isEmpty)
        let doc = try #require(r.document)
        #expect(doc.count(doc.root) == 2)
        let name = try #require(doc.pairs(doc.root).first?.key)
        #expect(doc.span(name).range == 3..<7)
        let x = try #require(doc.node("next"))
        let at = byteOffset(of: "x\n", in: text)
        #expect(doc.span(x).range == at..<at + 1)
        #expect(doc.file.location(of: at) == SourceLocation(line: 2, column: 7, offset: at))
    }

    @Test func byteOrderMarkBeforeAnErrorKeepsItsPosition() throws {
        let text = "\u{FEFF}a: [1, 2\n"
        let r = read(text)
        let d = try #require(r.diagnostics.first)
        #expect(d.code.description == "FC0101")
        let label = try #require(d.labels.first)
        #expect(label.span.start == byteOffset(of: "[", in: text))
    }

    @Test func emptyValuesSitAfterTheColon() throws {
        let text = "a:\n\n# note\nb: 1\n"
        let doc = try #require(read(text).document)
        let a = try #require(doc.node("a"))
        #expect(doc.value(a) == .null)
        #expect(doc.span(a).range == 2..<2)
    }

    @Test func mappingPairsAndSequenceItemsKeepSourceOrder() throws {
        let doc = try #require(read("z: 1\na: [x, y, z]\nm: {k: v}\n").document)
        #expect(doc.pairs(doc.root).map { doc.text($0.key) } == ["z", "a", "m"])
        #expect(doc.count(doc.root) == 3)
        let a = try #require(doc.node("a"))
        #expect(doc.items(a).map { doc.text($0) } == ["x", "y", "z"])
        #expect(doc.kind(a) == .sequence)
        #expect(doc.text(a) == nil)
        #expect(doc.value(a) == nil)
        let m = try #require(doc.node("m"))
        #expect(doc.isFlow(m))
        #expect(doc.count(m) == 1)
        #expect(doc.items(m).isEmpty)
        #expect(doc.pairs(a).isEmpty)
    }
}
