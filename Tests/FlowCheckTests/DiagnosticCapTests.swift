import FlowCheck
import FlowDiagnostics
import Testing

/// Review of the checker, C15: each stage keeps at most `DiagnosticCap.perStage` diagnostics,
/// then FC0007 (an error) at the first one left out, so that a file of one mistake repeated a
/// million times is refused in bounded memory (it took 2.8 GB and 31 seconds for 5.6 MB).
@Suite struct DiagnosticCapTests {
    func check(_ text: String) -> [Diagnostic] {
        TemplateChecker.check(path: "big.flow.yaml", bytes: Array(text.utf8), fs: MemoryFileSystem([:])).diagnostics
    }

    @Test func repeatedKeysStopAtTheCapWithFC0007WhereTheFirstOneLeftOutIs() {
        let n = DiagnosticCap.perStage + 500
        let text = "flowc: 1\nfields:\n" + String(repeating: "  f: 1\n", count: n + 1)
        let ds = check(text)
        let duplicates = ds.filter { $0.code.description == "FC0102" }
        #expect(duplicates.count == DiagnosticCap.perStage)
        // The reader's marker, at the first duplicate left out: the key on line 2 (`fields:`)
        // + 1 (its first entry) + the cap + 1. (The parser, which reports each `f: 1` as not a
        // mapping, has its own marker.)
        let capped = ds.filter { $0.code.description == "FC0007" }
        let reader = capped.first { $0.location?.column == 3 }
        #expect(reader?.severity == .error)
        #expect(reader?.message.text == "more than 10000 problems: the rest are not reported")
        #expect(reader?.location?.line == 2 + 1 + DiagnosticCap.perStage + 1, "\(capped.map { String(describing: $0.location) })")
        #expect(ds.count <= 3 * (DiagnosticCap.perStage + 1))
    }

    @Test func aCascadeOfTheParserStopsAtTheCap() {
        let n = DiagnosticCap.perStage + 50
        let text = "flowc: 1\ntemplate: {id: t, version: 1.0.0, name: T}\nfields:\n"
            + (0..<n).map { "  f\($0): 1\n" }.joined()
        let ds = check(text)
        let notMappings = ds.filter { $0.code.description == "FC0203" }
        #expect(notMappings.count == DiagnosticCap.perStage, "\(notMappings.count)")
        #expect(ds.contains { $0.code.description == "FC0007" && $0.location?.line == 3 + DiagnosticCap.perStage + 1 })
    }

    @Test func trimKeepsOneMarkerHoweverManyMoreCome() {
        let file = SourceFile(path: "x.yaml", bytes: Array("a: 1\n".utf8))
        let d = DriverMessages.notACode.at(SourceSpan(file: file, start: 0, end: 1), "X")
        var list: [Diagnostic] = []
        for _ in 0..<7 {
            list.append(d)
            DiagnosticCap.trim(&list, cap: 3)
        }
        #expect(list.map(\.code.description) == ["FC0003", "FC0003", "FC0003", "FC0007"])
        #expect(list.last?.message.text == "more than 3 problems: the rest are not reported")
        list += [d, d, d]
        DiagnosticCap.trim(&list, cap: 3)
        #expect(list.count == 4)
    }
}
