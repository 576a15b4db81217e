import Testing
import FlowDiagnostics
@testable import FlowYAML

/// One hostile input: a name for the test report, and the bytes (made when the case runs, so the
/// large ones are not all held in memory at once).
struct HostileInput: Sendable, CustomTestStringConvertible {
    var name: String
    var limits = YAMLLimits.default
    var make: @Sendable () -> [UInt8]
    /// Whether to map every scalar back to the source too (skipped for the huge inputs).
    var mapScalars = true

    var testDescription: String { name }

    init(_ name: String, limits: YAMLLimits = .default, mapScalars: Bool = true, _ make: @escaping @Sendable () -> [UInt8]) {
        self.name = name
        self.limits = limits
        self.mapScalars = mapScalars
        self.make = make
    }

    init(_ name: String, text: String) {
        self.init(name) { Array(text.utf8) }
    }
}

/// Whatever the bytes, the reader returns, never traps, and either builds a document or reports
/// at least one FC01xx diagnostic, with every position inside the file.
@Suite struct HostileInputTests {
    // MARK: The cases

    static let template = """
        # 模板
        flowc: 1
        template:
          id: standard_sale
          name: {zh: 标准销售流程, en: "Standard \\u0042 sale"}
          description: >-
            六阶段标准商机流程：初步洽谈、需求谈判。
            The six-stage process.
        defaults: &defaults {owner: sales, sla: 3d}
        stages:
          - id: 初步洽谈
            inherit: *defaults
            when: amount > 100 && stage == '报价'
            actions: [notify, 'assign owner', "escalate\\tnow"]
            note: |
              第一行
                缩进
          - id: 'it''s'
            settings: *defaults
            guard: !!str 1
            limits: {a: 0x1F, b: 0o17, c: .inf, d: ~, e: null, f: yes}

        """

    static let hazards: [HostileInput] = [
        .init("malformed", text: "nodes: [initial_talks, proposal\n"),
        .init("duplicate key", text: "a: 1\na: 2\n"),
        .init("duplicate flow key", text: "{a: 1, a: 2}\n"),
        .init("custom tag", text: "a: !foo x\n"),
        .init("python tag", text: "a: !!python/object:os.system {x: 1}\n"),
        .init("billion laughs", text: ReaderHazardTests.billionLaughs),
        .init("deep block", text: (0..<80).map { String(repeating: "  ", count: $0) + "k:\n" }.joined()),
        .init("deep flow", text: String(repeating: "{a: ", count: 80) + String(repeating: "}", count: 80)),
        .init("invalid utf-8") { Array("a: ".utf8) + [0xC3, 0x28] },
        .init("nul byte") { Array("a: b".utf8) + [0] },
        .init("too large", limits: { var l = YAMLLimits(); l.maxFileBytes = 4; return l }()) { Array("a: 12345".utf8) },
        .init("two documents", text: "a: 1\n---\nb: 2\n"),
        .init("empty", text: ""),
        .init("comments only", text: "# a\n# b\n"),
        .init("document start only", text: "---\n"),
        .init("undefined alias", text: "a: *x\n"),
        .init("merge key", text: "a: &a {x: 1}\nb: {<<: *a}\n"),
        .init("recursive alias", text: "a: &x [1, *x]\n"),
        .init("tag mismatch", text: "a: !!int abc\n"),
        .init("scalar too long", limits: { var l = YAMLLimits(); l.maxScalarBytes = 4; return l }(), mapScalars: true) { Array("a: 12345\n".utf8) },
        .init("control character", text: "a: x\u{07}y\n"),
        .init("byte-order mark", text: "\u{FEFF}a: 1\nb: 2\n"),
        .init("lone BOM then garbage", text: "\u{FEFF}\u{FEFF}]"),
    ]

    /// Characters that YAML gives meaning to, plus CJK text, CRLF and tabs: random strings of these
    /// reach deeper into the parser than random bytes, which mostly stop at the UTF-8 check.
    static let alphabet: [[UInt8]] = (Array("[]{}:,-?&*!|>'\"#%@`~ \n\t\r.0123456789abcxyz+\\<".utf8).map { [$0] })
        + ["中", "文", "😀", "\u{FEFF}", "\u{85}", "\u{2028}", "---", "...", "\n  ", "\r\n", ": ", "- ", "&a ", "*a", "!!str ", "<<: "].map { Array($0.utf8) }

    static func randomBytes(_ count: Int) -> [HostileInput] {
        (0..<count).map { i in
            HostileInput("random bytes #\(i)") {
                var g = SeededGenerator(seed: 0xF10C + UInt64(i))
                let length = Int(g.next() % UInt64([16, 128, 1024, 8192][i % 4]))
                switch i % 3 {
                case 0:
                    return (0..<length).map { _ in UInt8(truncatingIfNeeded: g.next()) }
                case 1:
                    // ASCII only: gets past the UTF-8 check to libyaml's reader and scanner.
                    return (0..<length).map { _ in UInt8(truncatingIfNeeded: g.next() % 0x80) }
                default:
                    var out: [UInt8] = []
                    while out.count < length { out += alphabet[Int(g.next() % UInt64(alphabet.count))] }
                    return out
                }
            }
        }
    }

    static func mutations(_ count: Int) -> [HostileInput] {
        (0..<count).map { i in
            HostileInput("mutated template #\(i)") {
                var g = SeededGenerator(seed: 0xBADC0DE + UInt64(i))
                var b = Array(template.utf8)
                for _ in 0..<(1 + Int(g.next() % 6)) {
                    guard !b.isEmpty else { break }
                    let at = Int(g.next() % UInt64(b.count))
                    switch g.next() % 6 {
                    case 0: b.insert(UInt8(truncatingIfNeeded: g.next()), at: at)
                    case 1: b.insert(contentsOf: alphabet[Int(g.next() % UInt64(alphabet.count))], at: at)
                    case 2: b.removeSubrange(at..<min(b.count, at + 1 + Int(g.next() % 8)))
                    case 3: b[at] ^= UInt8(1) << UInt8(g.next() % 8)
                    case 4:
                        // Duplicate a stretch (repeats keys, anchors, brackets).
                        let len = min(b.count - at, 1 + Int(g.next() % 40))
                        b.insert(contentsOf: b[at..<at + len], at: at)
                    default:
                        b[at] = alphabet[Int(g.next() % UInt64(alphabet.count))].first ?? 0x20
                    }
                }
                return b
            }
        }
    }

    static let large: [HostileInput] = [
        .init("huge plain scalar over the limit", mapScalars: false) { Array("a: ".utf8) + [UInt8](repeating: 0x78, count: 2 << 20) },
        .init("huge plain scalar under the limit") { Array("a: ".utf8) + [UInt8](repeating: 0x78, count: 1 << 19) },
        .init("huge double-quoted scalar with escapes") {
            var b = Array("a: \"".utf8)
            for _ in 0..<40_000 { b += Array("中\\u4e2d\\t ".utf8) }
            return b + Array("\"\n".utf8)
        },
        .init("huge block scalar") {
            var b = Array("a: >\n".utf8)
            for k in 0..<20_000 { b += Array((k % 7 == 0 ? "\n" : "  第 \(k) 行 text\n").utf8) }
            return b
        },
        .init("10,000-deep block nesting") { Array((String(repeating: "- ", count: 10_000) + "x\n").utf8) },
        .init("3,000-deep indented mappings") {
            var b: [UInt8] = []
            for level in 0..<3_000 { b += [UInt8](repeating: 0x20, count: level) + Array("k:\n".utf8) }
            return b
        },
        .init("10,000-deep flow sequences") { Array((String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)).utf8) },
        .init("10,000-deep flow mappings") { Array((String(repeating: "{a: ", count: 10_000) + String(repeating: "}", count: 10_000)).utf8) },
        .init("10,000 unclosed brackets") { Array(String(repeating: "[", count: 10_000).utf8) },
        .init("long line of flow items", mapScalars: false) { Array(("k: [" + String(repeating: "item, ", count: 60_000) + "]\n").utf8) },
        .init("long line of one key") { Array((String(repeating: "键", count: 200_000) + ": v\n").utf8) },
        .init("many keys", mapScalars: false) { Array((0..<40_000).map { "key_\($0): \($0)\n" }.joined().utf8) },
        .init("60,000 keys", mapScalars: false) { Array((0..<60_000).map { "key_\($0): \($0)\n" }.joined().utf8) },
        .init("many duplicate keys", mapScalars: false) { Array(String(repeating: "same: 1\n", count: 20_000).utf8) },
        .init("many anchors") { Array(("a: &x0 0\n" + (1..<5_000).map { "a\($0): &x\($0) [*x\($0 / 2)]\n" }.joined()).utf8) },
        .init("many documents") { Array(String(repeating: "---\na: 1\n", count: 10_000).utf8) },
    ]

    static let all: [HostileInput] = hazards + randomBytes(300) + mutations(300) + large

    // MARK: The property

    @Test(arguments: all)
    func readerReturnsADocumentOrAnFC01Diagnostic(_ input: HostileInput) {
        let bytes = input.make()
        let file = SourceFile(path: "hostile.yaml", bytes: bytes)
        let r = YAMLReader.read(file, limits: input.limits)
        #expect(r.document != nil || !r.diagnostics.isEmpty)
        for d in r.diagnostics {
            // FC01xx, or FC0007 where a stage's problems passed the cap.
            #expect((101...199).contains(d.code.number) || d.code.number == 7, "\(d.code): \(d.message.text)")
            if let s = d.span {
                #expect(s.start >= 0 && s.start <= s.end && s.end <= bytes.count, "\(d.code) span \(s.range) in \(bytes.count) bytes")
            }
            for l in d.labels {
                #expect(l.span.start >= 0 && l.span.end <= bytes.count)
            }
        }
        guard let doc = r.document else { return }
        for i in 0..<doc.nodeCount {
            let id = YAMLNodeID(i)
            let span = doc.span(id)
            #expect(span.start >= 0 && span.start <= span.end && span.end <= bytes.count)
            guard input.mapScalars, doc.kind(id) == .scalar else { continue }
            let map = doc.scalarMap(id)
            let n = map.count
            for v in [0, n / 3, n / 2, n - 1, n] where v >= 0 {
                let o = map.sourceOffset(of: v)
                #expect(o >= span.start && o <= span.end)
                let s = map.sourceSpan(of: v..<min(n, v + 2))
                #expect(s.start >= span.start && s.end <= span.end)
            }
        }
    }

    // MARK: The rest

    @Test func fiftyMegabytesAreRefusedBeforeParsing() throws {
        // Template-shaped lines, 50 MiB, made in memory.
        let line = Array("  key_名称: value text here, long enough to look real\n".utf8)
        var bytes = [UInt8](repeating: 0x20, count: 50 << 20)
        var i = 0
        while i + line.count <= bytes.count {
            bytes.replaceSubrange(i..<i + line.count, with: line)
            i += line.count
        }
        let r = YAMLReader.read(SourceFile(path: "big.yaml", bytes: bytes))
        #expect(r.codes == ["FC0108"])
        #expect(r.document == nil)
        // Refused before libyaml saw a byte.
        #expect(r.work.events == 0)
        #expect(r.diagnostics.first?.message.arguments == [String(50 << 20), String(32 << 20)])
    }

    @Test func billionLaughsStaysSmallInMemory() throws {
        let before = peakResidentBytes()
        var r: YAMLReadResult?
        for _ in 0..<20 { r = read(ReaderHazardTests.billionLaughs) }
        #expect(r?.codes == ["FC0104"])
        if let before, let after = peakResidentBytes() {
            // Coarse: the peak of the whole test process may only have grown a little.
            #expect(after - before < 200 << 20)
        }
    }

    @Test func manyKeysWithoutAliasesAreNotRefusedByTheAliasBudget() {
        // 120,001 nodes written out: the alias budget limits only what aliases add.
        let r = read((0..<60_000).map { "key_\($0): \($0)\n" }.joined())
        #expect(r.codes == [])
        #expect(r.work.nodes == 120_001)
    }
}
