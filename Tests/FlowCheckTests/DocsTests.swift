import FlowCheck
import FlowDiagnostics
import FlowYAML
import Foundation
import Testing

/// A fenced ```yaml block of a Markdown file.
struct DocBlock: CustomStringConvertible, Sendable {
    var file: String
    var line: Int
    var info: String
    var text: String
    var description: String { "\(file):\(line)" }
}

func yamlBlocks() -> [DocBlock] {
    var files = repoFiles("docs", suffix: ".md")
    files.append("README.md")
    var blocks: [DocBlock] = []
    for file in files {
        guard let text = try? String(contentsOfFile: repoRoot + "/" + file, encoding: .utf8) else { continue }
        var inBlock: (line: Int, info: String, lines: [String])?
        for (i, line) in text.components(separatedBy: "\n").enumerated() {
            if let b = inBlock {
                if line.hasPrefix("```") {
                    blocks.append(DocBlock(file: file, line: b.line, info: b.info, text: b.lines.joined(separator: "\n") + "\n"))
                    inBlock = nil
                } else {
                    inBlock?.lines.append(line)
                }
            } else if line.hasPrefix("```yaml") {
                inBlock = (i + 1, String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces), [])
            }
        }
    }
    return blocks
}

@Suite struct DocsTests {
    static let templates = repoFiles("templates", suffix: ".flow.yaml")
    static let blocks = yamlBlocks()

    @Test(arguments: templates)
    func bundledTemplateChecksClean(_ path: String) {
        let (lines, result) = shortForm(path)
        #expect(lines.isEmpty, "\(path):\n\(lines.joined(separator: "\n"))")
        #expect(result.template != nil)
    }

    @Test func thereAreAtLeastFiveTemplates() {
        #expect(Self.templates.filter { !$0.contains("/fragments/") }.count >= 5)
    }

    @Test(arguments: blocks)
    func documentationExampleBehavesAsItSays(_ block: DocBlock) {
        let path = "\(block.file):\(block.line).flow.yaml"
        let bytes = Array(block.text.utf8)
        let first = block.text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        if block.info == "yaml bad" {
            guard first.hasPrefix("# expect: "), let code = DiagnosticCode(parsing: first.dropFirst("# expect: ".count).trimmingCharacters(in: .whitespaces)) else {
                Issue.record("\(block): a `yaml bad` block starts with `# expect: FCxxxx`")
                return
            }
            let result = TemplateChecker.check(path: path, bytes: bytes, fs: DiskFileSystem(base: repoRoot + "/docs"))
            #expect(result.diagnostics.contains { $0.code == code }, "\(block) should report \(code); got \(result.diagnostics.map(\.code))")
        } else if DocsTests.isCompleteTemplate(block.text) {
            let result = TemplateChecker.check(path: path, bytes: bytes, fs: DiskFileSystem(base: repoRoot + "/docs"))
            let shown = result.diagnostics.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? "") \($0.code) \($0.message.text)" }
            #expect(result.diagnostics.isEmpty, "\(block) should check clean:\n\(shown.joined(separator: "\n"))")
        } else {
            let read = YAMLReader.read(SourceFile(path: path, bytes: bytes))
            #expect(read.diagnostics.isEmpty, "\(block) is not well-formed YAML: \(read.diagnostics.map(\.message.text))")
        }
    }

    /// A block is a complete template (checked clean) when it has `flowc: 1` and a `template:` or
    /// `fragment:` header at top level; a block that starts with `# file:` shows one file of a
    /// reuse example whose other files are not on disk, and is only read as YAML.
    static func isCompleteTemplate(_ text: String) -> Bool {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.first?.hasPrefix("# file:") == true { return false }
        return lines.contains { $0.hasPrefix("flowc: 1") } && lines.contains { $0.hasPrefix("template:") || $0.hasPrefix("fragment:") }
    }

    @Test func templatesValidateAgainstTheJSONSchema() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", repoRoot + "/grammar/check-schema.py"]
        p.currentDirectoryURL = URL(fileURLWithPath: repoRoot)
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "check-schema.py failed:\n\(String(decoding: out, as: UTF8.self))")
    }
}
