import FlowCheck
import FlowDiagnostics
import Foundation
import Testing

/// The repository root, found from this file's path.
let repoRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// Files under a repository directory with a suffix, as repository-relative paths, sorted.
func repoFiles(_ dir: String, suffix: String) -> [String] {
    let full = repoRoot + "/" + dir
    guard let walker = FileManager.default.enumerator(atPath: full) else { return [] }
    var out: [String] = []
    while let rel = walker.nextObject() as? String {
        if rel.hasSuffix(suffix) { out.append(dir + "/" + rel) }
    }
    return out.sorted()
}

/// Checks a repository-relative template path and renders the short form of each diagnostic.
func shortForm(_ path: String) -> (lines: [String], result: CheckResult) {
    let result = TemplateChecker.check(path: path, fs: DiskFileSystem(base: repoRoot))
    let lines = result.diagnostics.map { d -> String in
        let loc = d.location.map { ":\($0.line):\($0.column)" } ?? ""
        return "\(d.path)\(loc): \(d.severity.rawValue)[\(d.code)]: \(d.message.text)"
    }
    return (lines, result)
}

let updateGoldens = ProcessInfo.processInfo.environment["FLOWC_UPDATE"] == "1"

@Suite struct GoldenTests {
    static let errCases = repoFiles("testdata/check/err", suffix: ".flow.yaml")
    static let okCases = repoFiles("testdata/check/ok", suffix: ".flow.yaml")

    @Test(arguments: errCases)
    func errorCaseMatchesItsGolden(_ path: String) throws {
        let (lines, _) = shortForm(path)
        let goldenPath = repoRoot + "/" + path.replacingOccurrences(of: ".flow.yaml", with: ".diag")
        let actual = lines.joined(separator: "\n") + "\n"
        if updateGoldens {
            try actual.write(toFile: goldenPath, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOfFile: goldenPath, encoding: .utf8)
        #expect(actual == expected, "diagnostics differ from \(goldenPath); run FLOWC_UPDATE=1 swift test and review the diff")
        #expect(!lines.isEmpty, "an err case must produce at least one diagnostic")
    }

    @Test(arguments: okCases)
    func okCaseChecksClean(_ path: String) {
        let (lines, _) = shortForm(path)
        #expect(lines.isEmpty, "\(path) should check clean:\n\(lines.joined(separator: "\n"))")
    }

    @Test func thereAreGoldenCases() {
        #expect(Self.errCases.count >= 20)
        #expect(!Self.okCases.isEmpty)
    }

    /// Codes that no template file can produce under the default limits, and the test that covers each.
    static let coveredElsewhere: [String: String] = [
        "FC0001": "FlowCLITests: missing file exits 2",
        "FC0002": "FlowCLITests: empty directory exits 2",
        "FC0007": "FlowCheckTests: DiagnosticCapTests (over 10,000 problems in a file)",
        "FC0008": "FlowCLITests: reportAndRunSayWhyTheyCannotWrite, GraphCommandTests (an output that cannot be written)",
        "FC0108": "FlowYAMLTests: file over the size limit (custom limit) and the 50 MB hostile input",
        "FC0115": "FlowYAMLTests: scalar over the limit (custom limit)",
    ]

    @Test func everyCheckTimeCodeHasAGoldenTest() throws {
        var seen = Set<String>()
        for path in Self.errCases {
            let golden = repoRoot + "/" + path.replacingOccurrences(of: ".flow.yaml", with: ".diag")
            guard let text = try? String(contentsOfFile: golden, encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                if let open = line.range(of: "[FC"), let close = line[open.upperBound...].firstIndex(of: "]") {
                    seen.insert("FC" + line[open.upperBound..<close])
                }
            }
        }
        let missing = DiagnosticCatalogue.all
            .filter { !(432...439).contains($0.code.number) }   // FC0432–FC0439 are evaluation-time codes
            .map(\.code.description)
            .filter { !seen.contains($0) && Self.coveredElsewhere[$0] == nil }
        #expect(missing.isEmpty, "codes without a golden test: \(missing.joined(separator: ", "))")
    }

    @Test func everyCodeIsUniqueAndExplained() {
        let codes = DiagnosticCatalogue.all.map(\.code)
        #expect(Set(codes).count == codes.count)
        for spec in DiagnosticCatalogue.all {
            #expect(spec.explanation.count > 40, "\(spec.code) needs a real explanation")
            #expect(!spec.format.hasSuffix("."), "\(spec.code): messages have no trailing period")
        }
    }
}
