import Testing
import FlowDiagnostics
@testable import FlowYAML

/// Every FC01xx hazard: its code, its exact span, and its line and column.
@Suite struct ReaderHazardTests {
    /// The only diagnostic of `r`, which must carry `code`.
    func single(_ r: YAMLReadResult, _ code: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> Diagnostic? {
        #expect(r.codes == [code], sourceLocation: sourceLocation)
        return r.diagnostics.first
    }

    func at(_ d: Diagnostic?) -> (Int, Int)? {
        guard let s = d?.span else { return nil }
        let l = s.file.location(of: s.start)
        return (l.line, l.column)
    }

    // MARK: FC0101

    @Test func malformedYAMLReportsLibyamlProblemAndContext() throws {
        let text = "nodes: [initial_talks, proposal\n"
        let r = read(text)
        #expect(r.document == nil)
        let d = try #require(single(r, "FC0101"))
        #expect(d.message.text == "did not find expected ',' or ']'")
        #expect(d.span?.range == 32..<32)
        #expect(at(d).map { $0 == (2, 1) } == true)
        let label = try #require(d.labels.first)
        #expect(label.message.text == "the `[` opened here")
        #expect(label.span.range == 7..<8)
    }

    @Test func malformedYAMLAfterCJKTextPointsAtTheRightByte() throws {
        let text = "名称: 值: 其他\n"
        let d = try #require(single(read(text), "FC0101"))
        #expect(d.message.text == "mapping values are not allowed in this context")
        let colon = byteOffset(of: ": 其他", in: text)
        #expect(d.span?.start == colon)
        #expect(at(d).map { $0 == (1, 6) } == true)
    }

    @Test func badEscapeInQuotedScalar() throws {
        let d = try #require(single(read("a: \"x\\qy\"\n"), "FC0101"))
        #expect(d.message.text == "found unknown escape character")
        #expect(d.span?.start == 5)
        #expect(d.labels.first?.message.text == "the quoted value that starts here")
        #expect(d.labels.first?.span.start == 3)
    }

    @Test func unterminatedQuoteAndBadIndentation() {
        #expect(read("key: \"unterminated\n").codes == ["FC0101"])
        #expect(read("a:\n  - x\n - y\n").codes == ["FC0101"])
        #expect(read("\t- x\n").codes == ["FC0101"])
        #expect(read("a: |0\n x\n").codes == ["FC0101"])
        #expect(read("a: 1\n...\nb: 2\n").codes == ["FC0101"])
        // libyaml 0.2.5 does not accept a document end marker with no document before it.
        #expect(read("...\n").codes == ["FC0101"])
    }

    // MARK: FC0102

    @Test func duplicateKeyInBlockMappingPointsAtBothKeys() throws {
        let text = "名称: 1\nb: 2\n名称: 3\n"
        let r = read(text)
        let d = try #require(single(r, "FC0102"))
        #expect(d.message.text == "duplicate key `名称`")
        let second = byteOffset(of: "名称", in: text, occurrence: 1)
        #expect(d.span?.range == second..<second + 6)
        #expect(at(d).map { $0 == (3, 1) } == true)
        #expect(d.labels.count == 1)
        #expect(d.labels.first?.span.range == 0..<6)
        #expect(d.labels.first?.message.text == "first defined here")
        // Duplicates are collected, not fatal: the document is still built.
        #expect(r.document != nil)
    }

    @Test func duplicateKeyInFlowMapping() throws {
        let text = "m: {a: 1, b: 2, a: 3}\n"
        let d = try #require(single(read(text), "FC0102"))
        #expect(d.span?.range == 16..<17)
        #expect(d.labels.first?.span.range == 4..<5)
    }

    @Test func everyDuplicateIsReported() {
        let r = read("a: 1\na: 2\na: 3\nb: {x: 1, x: 2}\n")
        #expect(r.codes == ["FC0102", "FC0102", "FC0102"])
        // Each repeat points back at the first definition.
        #expect(r.diagnostics.prefix(2).allSatisfy { $0.labels.first?.span.start == 0 })
    }

    @Test func sameKeyInDifferentMappingsIsFine() {
        let r = read("a: {k: 1}\nb:\n  k: 2\nc: [{k: 1}, {k: 2}]\n")
        #expect(r.diagnostics.isEmpty)
        #expect(r.document != nil)
    }

    @Test func duplicateKeyThroughAnAliasPointsAtTheAlias() throws {
        let text = "names: [&k key]\nm:\n  *k : 1\n  key: 2\n"
        let d = try #require(single(read(text), "FC0102"))
        let second = byteOffset(of: "key: 2", in: text)
        #expect(d.span?.range == second..<second + 3)
        let alias = byteOffset(of: "*k", in: text)
        #expect(d.labels.first?.span.range == alias..<alias + 2)
    }

    @Test func quotedAndPlainKeysWithTheSameTextAreDuplicates() {
        #expect(read("a: 1\n\"a\": 2\n").codes == ["FC0102"])
    }

    // MARK: FC0103

    @Test func customTagOnAScalar() throws {
        let d = try #require(single(read("a: !foo x\n"), "FC0103"))
        #expect(d.message.text == "tag `!foo` is not allowed")
        #expect(d.span?.range == 3..<7)
    }

    @Test func pythonObjectTagOnAMapping() throws {
        let text = "cmd: !!python/object:os.system {args: [ls]}\n"
        let d = try #require(single(read(text), "FC0103"))
        #expect(d.message.text == "tag `!!python/object:os.system` is not allowed")
        #expect(d.span?.range == 5..<30)
        #expect(at(d).map { $0 == (1, 6) } == true)
    }

    @Test func customTagAfterAnAnchorPointsAtTheTag() throws {
        let text = "a: &anchor !foo x\nb: &s !bar [1]\n"
        let d = try #require(single(read(text), "FC0103"))
        #expect(d.span?.range == 11..<15)
    }

    @Test func customTagsOnSequencesAndVerbatimTags() {
        #expect(read("a: !!python/tuple [1, 2]\n").codes == ["FC0103"])
        #expect(read("a: !<tag:example.com,2000:x> v\n").codes == ["FC0103"])
        #expect(read("a: !include other.yaml\n").codes == ["FC0103"])
        #expect(read("a: !!map [1]\n").codes == ["FC0103"])
    }

    @Test func coreTagsAreAllowed() {
        let r = read("a: !!str 1\nb: !!int 2\nc: !!float 3.5\nd: !!bool true\ne: !!null ~\nf: !!map {x: 1}\ng: !!seq [1]\n")
        #expect(r.diagnostics.isEmpty)
    }

    // MARK: FC0104

    static let billionLaughs = """
        a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
        b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
        c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
        d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
        e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
        f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
        g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
        h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
        i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]

        """

    @Test func billionLaughsIsRefusedBeforeExpanding() throws {
        let text = Self.billionLaughs
        let r = read(text)
        #expect(r.document == nil)
        let d = try #require(single(r, "FC0104"))
        #expect(d.message.text == "aliases expand to more than 100000 nodes")
        // The alias that crossed the budget: each `*d` is worth 1 + 9 * (1 + 9 * (1 + 9)) = 820
        // nodes, so the budget falls inside line 6 (`f:`), well before the end of the file.
        let l = try #require(d.location)
        #expect(l.line == 6)
        #expect(file(d).bytes[d.span?.start ?? 0] == UInt8(ascii: "*"))
        // Work done: a few hundred events and records, not millions.
        #expect(r.work.events < 200)
        #expect(r.work.nodes < 200)
    }

    @Test func aliasBudgetIsExactAtItsLimit() {
        var limits = YAMLLimits()
        limits.maxExpandedNodes = 4
        // root map (1) + a, seq, 3 items (5) + b (1) + alias worth 4 = 11 nodes; the alias adds 4.
        let ok = read("a: &s [1, 2, 3]\nb: *s\n", limits: limits)
        #expect(ok.diagnostics.isEmpty)
        #expect(ok.work.expandedNodes == 11)
        limits.maxExpandedNodes = 3
        #expect(read("a: &s [1, 2, 3]\nb: *s\n", limits: limits).codes == ["FC0104"])
    }

    @Test func nodesWrittenOutDoNotCountAgainstTheAliasBudget() {
        // 150,000 scalars and no alias: a large template is not a billion-laughs attack.
        let text = "k: [" + Array(repeating: "x", count: 150_000).joined(separator: ", ") + "]\n"
        let r = read(text)
        #expect(r.diagnostics.isEmpty)
        #expect(r.work.expandedNodes == 150_003)
    }

    func file(_ d: Diagnostic) -> SourceFile { d.span?.file ?? SourceFile(path: "", bytes: []) }

    // MARK: FC0105

    @Test func blockNestingDeeperThanTheLimit() throws {
        var text = ""
        for level in 0..<70 { text += String(repeating: "  ", count: level) + "k:\n" }
        let r = read(text)
        let d = try #require(single(r, "FC0105"))
        #expect(d.message.text == "nesting deeper than 64 levels")
        // The 65th mapping starts at the 65th key.
        #expect(at(d).map { $0 == (65, 129) } == true)
        #expect(d.span.map { $0.end - $0.start } == 1)
    }

    @Test func nestingAtTheLimitIsAccepted() {
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(read(ok).diagnostics.isEmpty)
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(read(deep).codes == ["FC0105"])
        var limits = YAMLLimits()
        limits.maxDepth = 3
        #expect(read("a: {b: [1]}\n", limits: limits).diagnostics.isEmpty)
        #expect(read("a: {b: [[1]]}\n", limits: limits).codes == ["FC0105"])
    }

    @Test func tenThousandDeepFlowNestingIsRefusedAfterFewEvents() throws {
        let text = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let r = read(text)
        let d = try #require(single(r, "FC0105"))
        #expect(d.span?.range == 64..<65)
        // Refused at the 65th `[`: libyaml has not scanned the rest (which costs O(depth) a token).
        #expect(r.work.events < 80)
        #expect(r.work.nodes == 64)
    }

    @Test func tenThousandDeepBlockNestingIsRefused() {
        let text = String(repeating: "- ", count: 10_000) + "x\n"
        let r = read(text)
        #expect(r.codes == ["FC0105"])
        #expect(r.work.events < 80)
    }

    // MARK: FC0106

    @Test func invalidUTF8ReportsTheExactByte() throws {
        let bytes = Array("名称: ".utf8) + [0xFF] + Array(" x\n".utf8)
        let d = try #require(single(read(bytes: bytes), "FC0106"))
        #expect(d.message.text == "invalid UTF-8 byte 0xFF")
        #expect(d.span?.range == 8..<9)
        #expect(at(d).map { $0 == (1, 5) } == true)
    }

    @Test(arguments: [
        ([0x61, 0x3A, 0x20, 0xC3, 0x28], 3, "C3"),               // a lead byte without its continuation
        ([0x61, 0x3A, 0x20, 0xE4, 0xB8], 3, "E4"),               // truncated at end of file
        ([0x61, 0x3A, 0x20, 0xC0, 0xAF], 3, "C0"),               // overlong `/`
        ([0x61, 0x3A, 0x20, 0xED, 0xA0, 0x80], 3, "ED"),         // UTF-16 surrogate
        ([0x61, 0x3A, 0x20, 0xF4, 0x90, 0x80, 0x80], 3, "F4"),   // beyond U+10FFFF
        ([0x61, 0x3A, 0x20, 0x80], 3, "80"),                     // lone continuation byte
        ([0xB5, 0xC4, 0xCA, 0xC7], 0, "B5"),                     // GBK text
    ] as [([UInt8], Int, String)])
    func invalidUTF8Forms(_ bytes: [UInt8], _ offset: Int, _ hex: String) throws {
        let d = try #require(single(read(bytes: bytes), "FC0106"))
        #expect(d.span?.range == offset..<offset + 1)
        #expect(d.message.arguments == [hex])
    }

    // MARK: FC0107

    @Test func nulByteIsReportedWhereItIs() throws {
        let bytes = Array("a: 中".utf8) + [0] + Array("\n".utf8)
        let d = try #require(single(read(bytes: bytes), "FC0107"))
        #expect(d.span?.range == 6..<7)
        // UTF-16 text is mostly NUL bytes.
        #expect(read(bytes: [0xFF, 0xFE, 0x61, 0x00]).codes == ["FC0106"])
        #expect(read(bytes: [0x61, 0x00, 0x3A, 0x00]).codes == ["FC0107"])
    }

    /// Review of the checker, C10: NEL, LS and PS are refused where they stand, named, rather
    /// than read by libyaml as line breaks (a name lost its NEL silently; an LS broke the next key).
    @Test(arguments: [([0xC2, 0x85] as [UInt8], "U+0085"), ([0xE2, 0x80, 0xA8], "U+2028"), ([0xE2, 0x80, 0xA9], "U+2029")])
    func unicodeLineBreaksAreRefusedWhereTheyStand(_ bytes: [UInt8], _ code: String) throws {
        let text = Array("name: \"ab".utf8) + bytes + Array("c\"\n".utf8)
        let r = read(bytes: text)
        let d = try #require(single(r, "FC0116"))
        #expect(d.span?.start == 9 && d.span?.end == 9 + bytes.count, "\(String(describing: d.span))")
        #expect(d.message.text.contains(code) && d.message.text.hasSuffix("is not allowed: YAML readers differ on it (libyaml takes it for a line break)"), "\(d.message.text)")
        // Elsewhere in CJK text, the fast path still passes other E2 characters.
        #expect(read("name: \"“引号” — 破折号\"\n").diagnostics.isEmpty)
    }

    /// Review of the checker, C11: a plain key over libyaml's 1024 characters says so.
    @Test func aKeyOverTheLimitSaysSo() throws {
        let long = read("flowc: 1\n" + String(repeating: "k", count: 1100) + ": 1\n")
        let d = try #require(single(long, "FC0101"))
        #expect(d.help?.text.hasPrefix("a key is at most 1024 characters long") == true, "\(String(describing: d.help))")
        // At the limit, the key is read.
        #expect(read("flowc: 1\n" + String(repeating: "k", count: 1000) + ": 1\n").diagnostics.isEmpty)
    }

    // MARK: FC0108

    @Test func fileOverTheSizeLimitIsRefusedBeforeParsing() throws {
        var limits = YAMLLimits()
        limits.maxFileBytes = 16
        limits.sizeOption = "flowc check --max-file-size"
        #expect(read("a: 0123456789ab\n", limits: limits).diagnostics.isEmpty)   // 16 bytes
        let r = read("a: 0123456789abc\n", limits: limits)                       // 17 bytes
        let d = try #require(single(r, "FC0108"))
        #expect(d.message.text == "file is 17 bytes, more than the limit of 16")
        // The whole file, with no line of it quoted, and the option that raises the limit.
        #expect(d.span == nil)
        #expect(d.help?.text == "is this the template you meant? `flowc check --max-file-size BYTES` reads a larger one, up to 1073741824")
        #expect(r.work.events == 0)
        // Even an invalid file is refused for its size first.
        #expect(read(bytes: [UInt8](repeating: 0, count: 17), limits: limits).codes == ["FC0108"])
        // A command with no option to raise the limit names none (QA round 25).
        limits.sizeOption = nil
        let fixed = try #require(single(read("a: 0123456789abc\n", limits: limits), "FC0108"))
        #expect(fixed.help?.text == "is this the file you meant? this command reads no file over 16 bytes")
    }

    @Test func sizeDiagnosticForAFileOnDisk() {
        #expect(YAMLReader.sizeDiagnostic(path: "big.yaml", size: 100) == nil)
        let d = YAMLReader.sizeDiagnostic(path: "big.yaml", size: 40 << 20)
        #expect(d?.code == DiagnosticCode(108))
        #expect(d?.path == "big.yaml")
    }

    @Test func sizeLimitIsCappedWhateverTheLimitsSay() {
        var limits = YAMLLimits()
        limits.maxFileBytes = Int.max
        let d = YAMLReader.sizeDiagnostic(path: "huge.yaml", size: (1 << 30) + 1, limits: limits)
        #expect(d?.code == DiagnosticCode(108))
        #expect(d?.message.arguments == [String((1 << 30) + 1), String(1 << 30)])
        #expect(d?.help?.text == "is this the template you meant? flowc reads no file over 1073741824 bytes")
        #expect(YAMLReader.sizeDiagnostic(path: "ok.yaml", size: 1 << 30, limits: limits) == nil)
    }

    // MARK: FC0109

    @Test func secondDocumentIsRefused() throws {
        let text = "a: 1\n---\nb: 2\n"
        let d = try #require(single(read(text), "FC0109"))
        #expect(d.span?.range == 5..<8)
        #expect(at(d).map { $0 == (2, 1) } == true)
    }

    @Test func explicitStartOfTheFirstDocumentIsFine() {
        #expect(read("---\na: 1\n").diagnostics.isEmpty)
        #expect(read("---\na: 1\n...\n").diagnostics.isEmpty)
        #expect(read("%YAML 1.2\n---\na: 1\n").diagnostics.isEmpty)
        #expect(read("---\na: 1\n---\n").codes == ["FC0109"])
    }

    // MARK: FC0110

    @Test(arguments: ["", "\n", "   \n\n", "# only a comment\n# and another\n", "---\n", "--- \n...\n", "\u{FEFF}", "--- # c\n"])
    func emptyFilesAreRefused(_ text: String) throws {
        let r = read(text)
        let d = try #require(single(r, "FC0110"))
        #expect(d.span?.range == 0..<0)
        #expect(r.document == nil)
    }

    @Test func explicitNullOrEmptyStringIsContent() {
        #expect(read("~\n").diagnostics.isEmpty)
        #expect(read("\"\"\n").diagnostics.isEmpty)
        #expect(read("!!str\n").diagnostics.isEmpty)
    }

    // MARK: FC0111

    @Test func undefinedAlias() throws {
        let text = "a: 1\nb: *nope\n"
        let d = try #require(single(read(text), "FC0111"))
        #expect(d.message.text == "alias `*nope` refers to no anchor defined before it")
        #expect(d.span?.range == 8..<13)
        #expect(at(d).map { $0 == (2, 4) } == true)
    }

    /// An alias before its anchor is told that the anchor is below, and where (QA round 35, A7:
    /// the help said to mark a node with the anchor already written one line down).
    @Test func aliasBeforeItsAnchorIsUndefined() throws {
        #expect(read("a: *x\nb: &x 1\n").codes == ["FC0111"])
        let d = try #require(read("a: *x\nb: &x 1\n").diagnostics.first)
        #expect(d.help?.text == "`&x` is defined below, on line 2: an alias repeats a node marked above it; move the node marked `&x` above this alias, or the alias below it")
        #expect(d.labels.first?.span.range == 9..<11)
        // A name that only starts the same (`&xy`) is no anchor `&x`.
        let other = try #require(read("a: *x\nb: &xy 1\n").diagnostics.first)
        #expect(other.help?.text == "mark the node to repeat with `&x` before this alias")
    }

    /// An alias one letter from an anchor defined above gets it (QA round 17).
    @Test func anAliasNearAnAnchorGetsADidYouMean() throws {
        let d = try #require(single(read("a: &esc2 {after: 1d}\nb: *esc3\n"), "FC0111"))
        #expect(d.help?.text == "did you mean `*esc2`? (`&esc2` is defined above)")
    }

    // MARK: FC0112

    @Test func mergeKeyInBlockMapping() throws {
        let text = "base: &b {x: 1}\nnode:\n  <<: *b\n  y: 2\n"
        let d = try #require(single(read(text), "FC0112"))
        let at = byteOffset(of: "<<", in: text)
        #expect(d.span?.range == at..<at + 2)
        #expect(d.help?.text == "write the keys out here, or share parts of templates with `extends:` or `include:`")
    }

    @Test func mergeKeyInFlowMappingAndQuotedLookalikes() {
        #expect(read("base: &b {x: 1}\nnode: {<<: *b}\n").codes == ["FC0112"])
        #expect(read("a: {\"<<\": 1}\n").diagnostics.isEmpty)
        #expect(read("a: <<\n").diagnostics.isEmpty)
        #expect(read("a: [<<]\n").diagnostics.isEmpty)
    }

    // MARK: FC0113

    @Test func recursiveAliasInASequence() throws {
        let text = "a: &x [1, *x]\n"
        let d = try #require(single(read(text), "FC0113"))
        #expect(d.message.text == "alias `*x` refers to a node that contains it")
        #expect(d.span?.range == 10..<12)
    }

    @Test func recursiveAliasInANestedMapping() {
        #expect(read("a: &x\n  b:\n    c: *x\n").codes == ["FC0113"])
        // An alias to a finished sibling is fine.
        #expect(read("a: &x [1]\nb: [*x, *x]\n").diagnostics.isEmpty)
    }

    // MARK: FC0114

    @Test func tagMismatch() throws {
        let d = try #require(single(read("a: !!int abc\n"), "FC0114"))
        #expect(d.message.text == "`abc` is not a valid `!!int`")
        #expect(d.span?.range == 3..<12)
    }

    @Test(arguments: ["!!bool yes", "!!null 0", "!!float x", "!!int 1.5", "!!int \"\"", "!!bool 'on'"])
    func tagMismatchForms(_ yaml: String) {
        #expect(read("a: \(yaml)\n").codes == ["FC0114"])
    }

    // MARK: FC0115

    @Test func scalarOverTheLengthLimit() throws {
        var limits = YAMLLimits()
        limits.maxScalarBytes = 8
        #expect(read("a: 12345678\n", limits: limits).diagnostics.isEmpty)
        let d = try #require(single(read("a: 123456789\n", limits: limits), "FC0115"))
        #expect(d.message.text == "scalar is 9 bytes, more than the limit of 8")
        #expect(d.span?.start == 3)
        // The limit counts decoded bytes: 3 CJK characters are 9 bytes.
        #expect(read("a: \"中文字\"\n", limits: limits).codes == ["FC0115"])
    }

    // MARK: FC0116

    @Test func controlCharacterIsAReaderError() throws {
        let text = "a: 名x\u{07}y\n"
        let d = try #require(single(read(text), "FC0116"))
        #expect(d.message.text == "control characters are not allowed")
        #expect(d.span?.range == 7..<8)
        #expect(at(d).map { $0 == (1, 6) } == true)
    }

    @Test(arguments: [
        ("a: \"x\u{1B}\"\n", 5, 1),      // ESC inside quotes
        ("a: x\u{7F}\n", 4, 1),          // DEL
        ("a: \u{80}\n", 3, 2),           // C1 control
        ("a: \u{FFFE}\n", 3, 3),         // noncharacter
        ("\u{FEFF}a: x\u{07}\n", 7, 1),  // after a byte-order mark
    ] as [(String, Int, Int)])
    func readerErrorsSpanTheWholeCharacter(_ text: String, _ offset: Int, _ length: Int) throws {
        let d = try #require(single(read(text), "FC0116"))
        #expect(d.span?.range == offset..<offset + length)
    }

    @Test func escapedControlCharactersAreFine() throws {
        let doc = try #require(read("a: \"\\a\\0\\e\"\n").document)
        let a = try #require(doc.node("a"))
        #expect(doc.text(a) == "\u{07}\u{00}\u{1B}")
    }

    // MARK: Catalogue

    @Test func everyMessageHasAnFC01CodeAndAnExplanation() {
        let codes = YAMLMessages.all.map(\.code.number)
        #expect(codes == Array(101...116))
        #expect(YAMLMessages.all.allSatisfy { !$0.explanation.isEmpty && !$0.name.isEmpty })
    }
}
