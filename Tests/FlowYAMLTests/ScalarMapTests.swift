import Testing
import FlowDiagnostics
@testable import FlowYAML

/// Positions inside a scalar's decoded text map back to the exact byte in the file.
@Suite struct ScalarMapTests {
    struct Case {
        var doc: YAMLDocument
        var id: YAMLNodeID
        var source: String
        var value: String { doc.text(id) ?? "" }
        var map: ScalarMap { doc.scalarMap(id) }

        /// Source offset of `target` (its `occurrence`-th match in the decoded text).
        func offset(of target: String, occurrence: Int = 0) -> Int {
            doc.sourceOffset(of: byteOffset(of: target, in: value, occurrence: occurrence), inScalar: id)
        }
    }

    func scalar(_ source: String, _ path: Any...) throws -> Case {
        let r = read(source)
        #expect(r.diagnostics.isEmpty)
        let doc = try #require(r.document)
        var cur = doc.root
        for p in path {
            if let k = p as? String {
                cur = try #require(doc.lookup(cur, k))
            } else if let i = p as? Int {
                let items = doc.items(cur)
                cur = items[items.startIndex + i]
            }
        }
        #expect(doc.kind(cur) == .scalar)
        let c = Case(doc: doc, id: cur, source: source)
        #expect(c.map.isExact, "not exact: \(source.debugDescription)")
        return c
    }

    /// Every decoded byte copied from the source (not an escape, fold or line break) maps to the
    /// same byte, and every mapped offset stays inside the scalar's span.
    func expectFaithful(_ c: Case, mostlyCopied: Bool = true, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let value = Array(c.value.utf8)
        let bytes = c.doc.file.bytes
        let span = c.doc.span(c.id)
        let map = c.map
        var copied = 0
        for v in 0...value.count {
            let o = map.sourceOffset(of: v)
            #expect(o >= span.start && o <= span.end, sourceLocation: sourceLocation)
            if v < value.count, o < bytes.count, bytes[o] == value[v] { copied += 1 }
        }
        // Most text is copied as is; escapes and folds are a minority in these samples.
        if mostlyCopied { #expect(copied * 2 >= value.count, sourceLocation: sourceLocation) }
    }

    // MARK: Plain

    @Test func plainScalarWithCJKBeforeTheTarget() throws {
        let src = "when: 金额 > 100 && 阶段 == target\n"
        let c = try scalar(src, "when")
        #expect(c.offset(of: "target") == byteOffset(of: "target", in: src))
        #expect(c.offset(of: "阶段") == byteOffset(of: "阶段", in: src))
        let span = c.doc.sourceSpan(of: byteOffset(of: "阶段", in: c.value)..<byteOffset(of: " ==", in: c.value), inScalar: c.id)
        #expect(c.doc.file.text(span.range) == "阶段")
        #expect(c.doc.file.location(of: span.start).column == 19)
        expectFaithful(c)
    }

    @Test func multiLinePlainScalarFoldsLines() throws {
        let src = "when: 金额 > 100 and\n  阶段 == \"报价\"\n\n  and x\nnext: 1\n"
        let c = try scalar(src, "when")
        #expect(c.value == "金额 > 100 and 阶段 == \"报价\"\nand x")
        #expect(c.offset(of: "x") == byteOffset(of: "x\n", in: src))
        #expect(c.doc.file.location(of: c.offset(of: "x")) == SourceLocation(line: 4, column: 7, offset: c.offset(of: "x")))
        #expect(c.offset(of: "阶段") == byteOffset(of: "阶段", in: src))
        // The folded space points at the line break it replaces.
        let fold = byteOffset(of: "and ", in: c.value) + 3
        #expect(c.doc.sourceOffset(of: fold, inScalar: c.id) == byteOffset(of: "\n", in: src))
        // The kept `\n` points at the empty line's break.
        let kept = byteOffset(of: "\n", in: c.value)
        #expect(c.doc.sourceOffset(of: kept, inScalar: c.id) == byteOffset(of: "\n\n", in: src) + 1)
        expectFaithful(c)
    }

    @Test func plainScalarWithCRLFAndTabs() throws {
        let src = "a: 中\tx\r\n  \ty 文\r\n\r\n  z\r\n"
        let c = try scalar(src, "a")
        #expect(c.value == "中\tx y 文\nz")
        #expect(c.offset(of: "x") == byteOffset(of: "x", in: src))
        #expect(c.offset(of: "y") == byteOffset(of: "y", in: src))
        #expect(c.offset(of: "z") == byteOffset(of: "z", in: src))
        // A fold over CRLF covers both bytes.
        let fold = c.doc.sourceSpan(of: 5..<6, inScalar: c.id)
        #expect(fold.range == byteOffset(of: "\r\n", in: src)..<byteOffset(of: "\r\n", in: src) + 2)
        expectFaithful(c)
    }

    @Test func plainScalarInsideFlowCollection() throws {
        let src = "list: [甲 + 乙,\n  丙 *\n   x, y]\n"
        let c = try scalar(src, "list", 1)
        #expect(c.value == "丙 * x")
        #expect(c.offset(of: "x") == byteOffset(of: "x,", in: src))
        expectFaithful(c)
    }

    @Test func plainKeyAndTaggedPlainScalar() throws {
        let src = "a: &n !!str 数量 >= x\n"
        let c = try scalar(src, "a")
        #expect(c.map.contentStart == byteOffset(of: "数量", in: src))
        #expect(c.offset(of: "x") == byteOffset(of: "x", in: src))
        let k = try #require(c.doc.pairs(c.doc.root).first?.key)
        #expect(c.doc.sourceOffset(of: 0, inScalar: k) == 0)
    }

    // MARK: Single-quoted

    @Test func singleQuotedWithDoubledQuotesBeforeTheTarget() throws {
        let src = "a: '客户''s x'\n"
        let c = try scalar(src, "a")
        #expect(c.value == "客户's x")
        #expect(c.offset(of: "x") == byteOffset(of: "x", in: src))
        #expect(c.offset(of: "s") == byteOffset(of: "s", in: src))
        // `''` decodes to one quote that covers both source quotes.
        let q = byteOffset(of: "'", in: c.value)
        let span = c.doc.sourceSpan(of: q..<q + 1, inScalar: c.id)
        #expect(c.doc.file.text(span.range) == "''")
        #expect(c.map.contentStart == 4)
        expectFaithful(c)
    }

    @Test func singleQuotedMultiLineFolding() throws {
        let src = "a: '第一  \r\n   第二\r\n\r\n\r\n   ''x'''\r\n"
        let c = try scalar(src, "a")
        #expect(c.value == "第一 第二\n\n'x'")
        #expect(c.offset(of: "第二") == byteOffset(of: "第二", in: src))
        #expect(c.offset(of: "x") == byteOffset(of: "x", in: src))
        expectFaithful(c)
    }

    // MARK: Double-quoted

    @Test func doubleQuotedEscapesBeforeTheTarget() throws {
        let src = #"a: "\u4e2d\x41\U0001F600\t\"\\ 中 x""# + "\n"
        let c = try scalar(src, "a")
        #expect(c.value == "中A😀\t\"\\ 中 x")
        #expect(c.offset(of: "x") == byteOffset(of: "x\"", in: src))
        #expect(c.offset(of: "中", occurrence: 1) == byteOffset(of: "中", in: src))
        // The three bytes of `中` decoded from `\u4e2d` cover the six-byte escape.
        let esc = c.doc.sourceSpan(of: 0..<3, inScalar: c.id)
        #expect(c.doc.file.text(esc.range) == #"\u4e2d"#)
        // A byte in the middle of an escape's output points at its backslash.
        #expect(c.doc.sourceOffset(of: 1, inScalar: c.id) == 4)
        let emoji = byteOffset(of: "😀", in: c.value)
        let emojiSpan = c.doc.sourceSpan(of: emoji..<emoji + 4, inScalar: c.id)
        #expect(c.doc.file.text(emojiSpan.range) == #"\U0001F600"#)
        expectFaithful(c, mostlyCopied: false)
    }

    @Test(arguments: [
        (#"\0"#, "\u{0}"), (#"\a"#, "\u{7}"), (#"\b"#, "\u{8}"), (#"\t"#, "\t"), ("\\\t", "\t"),
        (#"\n"#, "\n"), (#"\v"#, "\u{B}"), (#"\f"#, "\u{C}"), (#"\r"#, "\r"), (#"\e"#, "\u{1B}"),
        (#"\ "#, " "), (#"\""#, "\""), (#"\/"#, "/"), (#"\\"#, "\\"), (#"\N"#, "\u{85}"),
        (#"\_"#, "\u{A0}"), (#"\L"#, "\u{2028}"), (#"\P"#, "\u{2029}"), (#"\x7e"#, "~"),
        (#"\u00e9"#, "é"), (#"\U00020000"#, "\u{20000}"),
    ] as [(String, String)])
    func everyEscapeMapsToItsBackslash(_ escape: String, _ decoded: String) throws {
        let src = "a: \"中\(escape)x\"\n"
        let c = try scalar(src, "a")
        #expect(c.value == "中\(decoded)x")
        #expect(c.offset(of: "x") == byteOffset(of: "x\"", in: src))
        let lo = 3
        let span = c.doc.sourceSpan(of: lo..<lo + decoded.utf8.count, inScalar: c.id)
        #expect(c.doc.file.text(span.range) == escape)
    }

    @Test func doubleQuotedEscapedLineBreaksAndFolding() throws {
        let src = "a: \"金额 \\\n   >= 10 \\\r\n\r\n  and   \n\n   x\"\n"
        let c = try scalar(src, "a")
        #expect(c.value == "金额 >= 10 \nand\nx")
        #expect(c.offset(of: ">=") == byteOffset(of: ">=", in: src))
        #expect(c.offset(of: "and") == byteOffset(of: "and", in: src))
        #expect(c.offset(of: "x") == byteOffset(of: "x\"", in: src))
        expectFaithful(c)
    }

    @Test func doubleQuotedInFlowMappingAfterCJKKey() throws {
        let src = "m: {名称: \"\\u4e2d文 x\", 其他: 1}\n"
        let c = try scalar(src, "m", "名称")
        #expect(c.offset(of: "x") == byteOffset(of: "x\"", in: src))
        #expect(c.offset(of: "文") == byteOffset(of: "文", in: src))
    }

    // MARK: Literal

    @Test func literalBlockWithCJKAndCRLF() throws {
        let src = "expr: |\r\n  金额 > 100\r\n\r\n  \t&& x\r\nnext: 1\r\n"
        let c = try scalar(src, "expr")
        #expect(c.value == "金额 > 100\n\n\t&& x\n")
        #expect(c.offset(of: "x") == byteOffset(of: "x\r", in: src))
        #expect(c.offset(of: "\t") == byteOffset(of: "\t", in: src))
        #expect(c.map.contentStart == byteOffset(of: "金额", in: src))
        // The final `\n` comes from a CRLF after the span's end: it is clamped to the span.
        let last = c.value.utf8.count - 1
        #expect(c.doc.sourceOffset(of: last, inScalar: c.id) == c.doc.span(c.id).end)
        expectFaithful(c)
    }

    @Test(arguments: [("|", "a\n  b\nx\n"), ("|-", "a\n  b\nx"), ("|+", "a\n  b\nx\n\n\n")])
    func literalChomping(_ header: String, _ expected: String) throws {
        let src = "k: \(header)   # comment 注释\n    a\n      b\n    x\n\n\nnext: 1\n"
        let c = try scalar(src, "k")
        #expect(c.value == expected)
        #expect(c.offset(of: "x") == byteOffset(of: "x\n", in: src))
        #expect(c.offset(of: "b") == byteOffset(of: "b\n", in: src))
        expectFaithful(c)
    }

    @Test(arguments: ["|2", "|2-", "|-2", "|+2"])
    func literalWithIndentationIndicator(_ header: String) throws {
        // The indicator counts from the enclosing mapping's indentation (2): content at column 4.
        let src = "outer:\n  inner: \(header)\n        深 x\n      y\n  other: 1\n"
        let c = try scalar(src, "outer", "inner")
        #expect(c.value.hasPrefix("    深 x\n  y"))
        #expect(c.offset(of: "x") == byteOffset(of: "x\n", in: src))
        #expect(c.offset(of: "y") == byteOffset(of: "y\n", in: src))
        #expect(c.offset(of: " ") == byteOffset(of: "    深", in: src))
        expectFaithful(c)
    }

    @Test func literalIndentationIndicatorAtTheTopLevelAndInASequence() throws {
        let top = try scalar("--- |1\n  x\n y\n")
        #expect(top.value == " x\ny\n")
        #expect(top.offset(of: "y") == byteOffset(of: "y", in: top.source))
        let c = try scalar("- a\n- |1\n   中 x\n", 1)
        #expect(c.value == "  中 x\n")
        #expect(c.offset(of: "x") == byteOffset(of: "x", in: c.source))
    }

    @Test func literalInASequenceWithLeadingEmptyLines() throws {
        let src = "steps:\n  - |\n\n      \n      第一 x\n        y\n  - z\n"
        let c = try scalar(src, "steps", 0)
        #expect(c.value == "\n\n第一 x\n  y\n")
        #expect(c.offset(of: "x") == byteOffset(of: "x", in: src))
        #expect(c.offset(of: "  y") == byteOffset(of: "  y", in: src))
        #expect(c.map.contentStart == byteOffset(of: "第一", in: src))
        expectFaithful(c)
    }

    @Test func literalAtEndOfFileWithoutLineBreak() throws {
        let src = "a: |\n  中文 x"
        let c = try scalar(src, "a")
        #expect(c.value == "中文 x")
        #expect(c.offset(of: "x") == src.utf8.count - 1)
        #expect(c.doc.sourceOffset(of: c.value.utf8.count, inScalar: c.id) == src.utf8.count)
    }

    // MARK: Folded

    @Test func foldedBlockFoldsLinesButKeepsMoreIndentedOnes() throws {
        let src = "d: >\n  第一行\n  接着 a\n\n  新段落\n    code x\n    more\n  back y\n"
        let c = try scalar(src, "d")
        #expect(c.value == "第一行 接着 a\n新段落\n  code x\n  more\nback y\n")
        #expect(c.offset(of: "a") == byteOffset(of: "a\n", in: src))
        #expect(c.offset(of: "x") == byteOffset(of: "x", in: src))
        #expect(c.offset(of: "more") == byteOffset(of: "more", in: src))
        #expect(c.offset(of: "y") == byteOffset(of: "y", in: src))
        // The space that joins the first two lines points at the line break it replaces.
        let fold = byteOffset(of: " 接着", in: c.value)
        #expect(c.doc.sourceOffset(of: fold, inScalar: c.id) == byteOffset(of: "\n  接着", in: src))
        expectFaithful(c)
    }

    @Test func foldedBlockWithTabsCRLFAndStripChomping() throws {
        let src = "d: >-\r\n  a\tb\r\n  c\r\n  \td\r\n  e x\r\n\r\n"
        let c = try scalar(src, "d")
        #expect(c.value == "a\tb c\n\td\ne x")
        #expect(c.offset(of: "x") == byteOffset(of: "x", in: src))
        #expect(c.offset(of: "\td") == byteOffset(of: "\td", in: src))
        expectFaithful(c)
    }

    @Test func foldedBlockWithKeepChompingAndIndicator() throws {
        let src = "- >+1\n  a\n b\n\n"
        let c = try scalar(src, 0)
        #expect(c.value == " a\nb\n\n")
        #expect(c.offset(of: "b") == byteOffset(of: "b", in: src))
    }

    // MARK: Edges

    @Test func emptyScalarsMapToTheirContentStart() throws {
        let doc = try #require(read("a:\nb: ''\nc: |\nd: 1\n").document)
        for key in ["a", "b", "c"] {
            let id = try #require(doc.node(key))
            let o = doc.sourceOffset(of: 0, inScalar: id)
            let span = doc.span(id)
            #expect(o >= span.start && o <= span.end)
            #expect(doc.sourceSpan(of: 0..<5, inScalar: id).range == o..<o)
        }
        let b = try #require(doc.node("b"))
        #expect(doc.sourceOffset(of: 0, inScalar: b) == byteOffset(of: "''", in: "a:\nb: ''\nc: |\nd: 1\n") + 1)
    }

    @Test func offsetsOutOfRangeAreClamped() throws {
        let c = try scalar("a: \"x中\"\n", "a")
        #expect(c.doc.sourceOffset(of: -5, inScalar: c.id) == 4)
        #expect(c.doc.sourceOffset(of: 99, inScalar: c.id) == 8)
        #expect(c.doc.sourceSpan(of: -3..<99, inScalar: c.id).range == 4..<8)
        #expect(c.doc.sourceSpan(of: 1..<4, inScalar: c.id).range == 5..<8)
    }

    @Test func containersAndForeignIdsFallBackInsideTheirSpan() throws {
        let doc = try #require(read("a: [1, 2]\n").document)
        let seq = try #require(doc.node("a"))
        #expect(doc.sourceOffset(of: 3, inScalar: seq) == 3)
        #expect(!doc.scalarMap(seq).isExact)
        let other = try #require(read(String(repeating: "k\(0): v\n", count: 1) + "x: [1, 2, 3, 4, 5, 6]\n").document)
        let far = try #require(other.node("x", 5))
        // An id from another, larger document: no trap, a position inside this file.
        let o = doc.sourceOffset(of: 0, inScalar: far)
        #expect(o >= 0 && o <= doc.file.bytes.count)
    }

    @Test func mismatchedTextFallsBackToTheContentStart() throws {
        let c = try scalar("a: 'abc x'\n", "a")
        // A document whose stored text differs from what the source decodes to.
        var text = c.doc.text
        if let i = text.lastIndex(of: UInt8(ascii: "x")) { text[i] = UInt8(ascii: "y") }
        let forged = YAMLDocument(file: c.doc.file, root: c.doc.root, records: c.doc.records, children: c.doc.children, text: text)
        let map = forged.scalarMap(c.id)
        #expect(!map.isExact)
        #expect(forged.sourceOffset(of: 4, inScalar: c.id) == 4)
        #expect(forged.sourceSpan(of: 4..<5, inScalar: c.id).range == 4..<10)
    }

    /// Every scalar of a varied document is mapped exactly.
    @Test func everyScalarOfAVariedDocumentIsExact() throws {
        let src = """
            # 模板
            flowc: 1
            name: "销售 \\u6d41程"
            stages:
              - id: 初步洽谈
                when: >
                  金额 > 100
                  and 阶段 == '报价'
                note: |+
                  第一行

              - id: 'it''s'
                guard: a
                  b   c

                  d
            keys: {甲: [1, 2.5, "x\\ty"], ? 乙 : 丙}
            tagged: !!str |2-
                 indented
            final: 'multi
              line ''q'''

            """
        let r = read(src)
        #expect(r.diagnostics.isEmpty)
        let doc = try #require(r.document)
        var scalars = 0
        for i in 0..<doc.nodeCount {
            let id = YAMLNodeID(i)
            guard doc.kind(id) == .scalar else { continue }
            scalars += 1
            let map = doc.scalarMap(id)
            #expect(map.isExact, "not exact: \(doc.source(id).debugDescription)")
            expectFaithful(Case(doc: doc, id: id, source: src))
        }
        #expect(scalars > 25)
    }
}

/// Generated scalars of every style, with CJK text, tabs, escapes, CRLF and empty lines: each one
/// libyaml accepts must be re-decoded byte for byte.
@Suite struct ScalarMapGeneratedTests {
    static let words = ["金额", "x", "a_b", "阶段==1", "😀", "é", "-1", "a#b", "q'q", "3.5", "中文字符"]

    func pick<T>(_ xs: [T], _ g: inout SeededGenerator) -> T { xs[Int(g.next() % UInt64(xs.count))] }

    func line(_ g: inout SeededGenerator, escapes: Bool) -> String {
        var parts: [String] = []
        for _ in 0..<(1 + Int(g.next() % 4)) {
            var w = pick(Self.words, &g)
            if escapes, g.next() % 3 == 0 {
                w += pick([#"\u4e2d"#, #"\x41"#, #"\t"#, #"\""#, #"\\"#, #"\U0001F600"#, #"\n"#, #"\ "#], &g)
            }
            parts.append(w)
        }
        return parts.joined(separator: pick([" ", "  ", "\t", " \t "], &g))
    }

    func scalarSource(_ g: inout SeededGenerator, nl: String, indent: String) -> String {
        let lines = (0..<(1 + Int(g.next() % 4))).map { _ in g.next() % 5 == 0 ? "" : "x" }
        switch g.next() % 5 {
        case 0:
            // Plain: continuation lines indented more than the key.
            let body = lines.map { $0.isEmpty ? "" : line(&g, escapes: false).replacing("#", with: "") }
            return body.enumerated().map { $0.offset == 0 ? ($0.element.isEmpty ? "p" : $0.element) : ($0.element.isEmpty ? "" : indent + "  " + $0.element) }
                .joined(separator: nl)
        case 1:
            let body = lines.map { $0.isEmpty ? "" : line(&g, escapes: false).replacing("'", with: "''") }
            return "'" + body.enumerated().map { $0.offset == 0 ? $0.element : ($0.element.isEmpty ? "" : indent + "   " + $0.element) }.joined(separator: nl) + "'"
        case 2:
            let body = lines.map { $0.isEmpty ? "" : line(&g, escapes: true).replacing("q'q", with: "q\\\"q") }
            let joiner = g.next() % 2 == 0 ? nl : "\\" + nl
            return "\"" + body.enumerated().map { $0.offset == 0 ? $0.element : ($0.element.isEmpty ? "" : indent + "  " + $0.element) }.joined(separator: joiner) + "\""
        default:
            let header = pick(["|", ">", "|-", ">+", "|2", ">-1", "|+", "> # 注释"], &g)
            var extra = ""
            if let d = header.first(where: \.isNumber), let n = Int(String(d)) { extra = String(repeating: " ", count: max(0, 2 - n)) }
            let body = lines.map { l -> String in
                if l.isEmpty { return "" }
                let more = g.next() % 4 == 0 ? pick(["  ", "\t"], &g) : ""
                return indent + "  " + extra + more + line(&g, escapes: false)
            }
            return header + nl + body.joined(separator: nl)
        }
    }

    @Test(arguments: 0..<8)
    func generatedScalarsAreMappedExactly(_ seed: Int) throws {
        var g = SeededGenerator(seed: UInt64(seed) &* 7919 &+ 17)
        var exact = 0
        var accepted = 0
        for _ in 0..<60 {
            let nl = pick(["\n", "\r\n"], &g)
            let nested = g.next() % 2 == 0
            let indent = nested ? "  " : ""
            var src = nested ? "outer:" + nl : ""
            for k in 0..<3 {
                src += indent + "k\(k): " + scalarSource(&g, nl: nl, indent: indent) + nl
            }
            let r = read(src)
            guard let doc = r.document, r.diagnostics.isEmpty else { continue }
            accepted += 1
            for i in 0..<doc.nodeCount {
                let id = YAMLNodeID(i)
                guard doc.kind(id) == .scalar else { continue }
                let map = doc.scalarMap(id)
                #expect(map.isExact, "not exact: \(doc.source(id).debugDescription) -> \((doc.text(id) ?? "").debugDescription)")
                if map.isExact { exact += 1 }
                let span = doc.span(id)
                let n = doc.text(id)?.utf8.count ?? 0
                for v in stride(from: 0, through: n, by: max(1, n / 7)) {
                    let o = map.sourceOffset(of: v)
                    #expect(o >= span.start && o <= span.end)
                }
            }
        }
        // Most generated files are valid YAML.
        #expect(accepted > 30)
        #expect(exact > 0)
    }
}

/// The shipped templates: every scalar in them is mapped exactly.
@Suite struct ScalarMapTemplateTests {
    @Test func everyScalarOfEveryTemplateIsMappedExactly() throws {
        let files = templateFiles()
        #expect(files.count >= 5)
        for (name, bytes) in files {
            let r = YAMLReader.read(SourceFile(path: name, bytes: bytes))
            #expect(r.diagnostics.isEmpty, "\(name): \(r.diagnostics.map { $0.message.text })")
            let doc = try #require(r.document, "\(name)")
            var inexact: [String] = []
            for i in 0..<doc.nodeCount where doc.kind(YAMLNodeID(i)) == .scalar {
                if !doc.scalarMap(YAMLNodeID(i)).isExact { inexact.append(doc.source(YAMLNodeID(i))) }
            }
            #expect(inexact.isEmpty, "\(name): \(inexact)")
        }
    }
}

/// Inputs the fuzzer (`fuzz/`, strict map mode) found, kept as regression tests.
@Suite struct ScalarMapFuzzFindings {
    func expectExact(_ source: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let r = read(source)
        guard let doc = r.document else {
            Issue.record("no document: \(r.codes)", sourceLocation: sourceLocation)
            return
        }
        for i in 0..<doc.nodeCount where doc.kind(YAMLNodeID(i)) == .scalar {
            #expect(doc.scalarMap(YAMLNodeID(i)).isExact, "\(doc.source(YAMLNodeID(i)).debugDescription)", sourceLocation: sourceLocation)
        }
    }

    @Test func anchorFollowedDirectlyByTheScalar() throws {
        // libyaml ends the anchor name at `:`; the plain scalar is `:* ag`.
        expectExact("&o:* ag")
        let doc = try #require(read("&o:* ag").document)
        #expect(doc.text(doc.root) == ":* ag")
        #expect(doc.sourceOffset(of: 3, inScalar: doc.root) == 5)
    }
}

extension ScalarMapFuzzFindings {
    @Test func byteOrderMarkBetweenPropertiesAndTheScalar() throws {
        let src = "aa: &a\n\n\u{FEFF}aa\n\n\n ;\n"
        expectExact(src)
        let doc = try #require(read(src).document)
        let v = try #require(doc.node("aa"))
        #expect(doc.text(v) == "aa\n\n;")
        #expect(doc.sourceOffset(of: 4, inScalar: v) == byteOffset(of: ";", in: src))
    }
}

extension ScalarMapFuzzFindings {
    @Test func indentationIndicatorDeepInTheLine() throws {
        // The header sits at column 300, after empty lines come more-indented ones: the guess
        // from the first content line finds the indentation.
        let key = String(repeating: "k", count: 298)
        let src = "\(key): |2\n\n\n    x\n  y\n"
        let r = read(src)
        let doc = try #require(r.document)
        let v = try #require(doc.node(key))
        #expect(doc.text(v) == "\n\n  x\ny\n")
        #expect(doc.scalarMap(v).isExact)
        #expect(doc.sourceOffset(of: 4, inScalar: v) == byteOffset(of: "x", in: src))
    }

    @Test func manyEmptyLinesBeforeABlockScalarsContentStayCheap() throws {
        let src = "a: |1\n" + String(repeating: "\n", count: 200_000) + "  x\n"
        let doc = try #require(read(src).document)
        let v = try #require(doc.node("a"))
        #expect(doc.scalarMap(v).isExact)
        #expect(doc.sourceOffset(of: 200_001, inScalar: v) == src.utf8.count - 2)
    }
}
