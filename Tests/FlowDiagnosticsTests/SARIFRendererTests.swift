import Foundation
import Testing
import FlowDiagnostics

@Suite struct SARIFRendererTests {
    /// A log that uses every feature: labels in two files, fix-its, notes, a file-level result,
    /// CJK and astral characters, and a format with a literal brace.
    static func sampleLog() -> String {
        let main = SourceFile(path: "templates/销售.flow.yaml", text: "nodes:\n  初步洽谈: {next: 方案报价}\n  😀x: {next: y}\n")
        let other = SourceFile(path: "templates\\common.flow.yaml", text: "nodes:\n  方案: {}\n")
        let target = main.testSpan(of: "方案报价")
        let emojiX = main.testSpan(of: "😀x")
        let x = SourceSpan(file: main, start: emojiX.start + 4, end: emojiX.end)
        let ds = [
            RenderTestMessages.unknownNode.at(target, "方案报价", "方案")
                .label(other.testSpan(of: "方案"), "declared here")
                .note("node names are case-sensitive")
                .fix(target, "方案"),
            RenderTestMessages.unreachable.at(x, "😀x").fix(SourceSpan(file: main, start: 0, end: 0), "# "),
            RenderTestMessages.braces.at(main.testSpan(of: "y"), "y"),
            DriverMessages.cannotRead.inFile("missing.flow.yaml", "missing.flow.yaml", "no such file or directory"),
        ]
        return SARIFRenderer(informationURI: "https://example.invalid/flowc")
            .render(ds, rules: RenderTestMessages.all + DriverMessages.all, toolVersion: "0.1.0", files: [main, other])
    }

    private func parse(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    private func run(_ log: [String: Any]) throws -> [String: Any] {
        let runs = try #require(log["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        return try #require(runs.first)
    }

    @Test func logHasOneRunWithToolRulesArtifactsAndResults() throws {
        let log = try parse(Self.sampleLog())
        #expect(log["version"] as? String == "2.1.0")
        #expect(log["$schema"] as? String == SARIFRenderer.schemaURI)
        let run = try run(log)
        #expect(run["columnKind"] as? String == "utf16CodeUnits")
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "flowc")
        #expect(driver["version"] as? String == "0.1.0")
        #expect(driver["informationUri"] as? String == "https://example.invalid/flowc")

        let rules = try #require(driver["rules"] as? [[String: Any]])
        #expect(rules.compactMap { $0["id"] as? String } == ["FC0001", "FC0302", "FC0401", "FC0501"])
        let unknown = rules[1]
        #expect(unknown["name"] as? String == "unknown-node")
        #expect((unknown["shortDescription"] as? [String: Any])?["text"] as? String == "unknown node `{0}`; did you mean `{1}`?")
        #expect((unknown["fullDescription"] as? [String: Any])?["text"] as? String == "A transition names a node that the template does not declare.")
        #expect((unknown["help"] as? [String: Any])?["markdown"] as? String == RenderTestMessages.unknownNode.explanation)
        #expect((unknown["defaultConfiguration"] as? [String: Any])?["level"] as? String == "error")
        #expect((rules[3]["defaultConfiguration"] as? [String: Any])?["level"] as? String == "warning")
        // SARIF reads single braces as placeholders: a literal one is doubled in messageStrings.
        let braces = try #require(((rules[2]["messageStrings"] as? [String: Any])?["default"] as? [String: Any])?["text"] as? String)
        #expect(braces == "expected `}}` after `{0}`")

        let artifacts = try #require(run["artifacts"] as? [[String: Any]])
        let uris = artifacts.compactMap { ($0["location"] as? [String: Any])?["uri"] as? String }
        #expect(uris == [
            "templates/%E9%94%80%E5%94%AE.flow.yaml",
            "templates/common.flow.yaml",
            "missing.flow.yaml",
        ])
        #expect(artifacts[0]["length"] as? Int == Array("nodes:\n  初步洽谈: {next: 方案报价}\n  😀x: {next: y}\n".utf8).count)
    }

    @Test func resultCarriesRuleLevelMessageLocationRelatedLocationsAndFixes() throws {
        let run = try run(try parse(Self.sampleLog()))
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 4)
        let r = results[0]
        #expect(r["ruleId"] as? String == "FC0302")
        #expect(r["ruleIndex"] as? Int == 1)
        #expect(r["level"] as? String == "error")
        let message = try #require(r["message"] as? [String: Any])
        #expect(message["text"] as? String == "unknown node `方案报价`; did you mean `方案`?")
        #expect(message["id"] as? String == "default")
        #expect(message["arguments"] as? [String] == ["方案报价", "方案"])

        let location = try #require((r["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
        #expect((location["artifactLocation"] as? [String: Any])?["index"] as? Int == 0)
        let region = try #require(location["region"] as? [String: Any])
        #expect(region["startLine"] as? Int == 2)
        #expect(region["startColumn"] as? Int == 16)
        #expect(region["endLine"] as? Int == 2)
        #expect(region["endColumn"] as? Int == 20)
        // "nodes:\n" is 7 units, "  初步洽谈: {next: " 15 more.
        #expect(region["charOffset"] as? Int == 22)
        #expect(region["charLength"] as? Int == 4)

        let related = try #require(r["relatedLocations"] as? [[String: Any]])
        #expect((related.first?["message"] as? [String: Any])?["text"] as? String == "declared here")
        let relatedLocation = try #require(related.first?["physicalLocation"] as? [String: Any])
        #expect((relatedLocation["artifactLocation"] as? [String: Any])?["uri"] as? String == "templates/common.flow.yaml")
        #expect((relatedLocation["region"] as? [String: Any])?["startLine"] as? Int == 2)

        let fix = try #require((r["fixes"] as? [[String: Any]])?.first)
        #expect((fix["description"] as? [String: Any])?["text"] as? String == "replace with `方案`")
        let change = try #require((fix["artifactChanges"] as? [[String: Any]])?.first)
        let replacement = try #require((change["replacements"] as? [[String: Any]])?.first)
        #expect((replacement["insertedContent"] as? [String: Any])?["text"] as? String == "方案")
        #expect((replacement["deletedRegion"] as? [String: Any])?["startColumn"] as? Int == 16)
        #expect((r["properties"] as? [String: Any])?["notes"] as? [String] == ["node names are case-sensitive"])
    }

    @Test func columnsCountUTF16CodeUnitsSoAnEmojiTakesTwo() throws {
        let results = try #require(try run(try parse(Self.sampleLog()))["results"] as? [[String: Any]])
        let region = try #require(((results[1]["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["region"] as? [String: Any])
        // "  😀x": the emoji is one character but two UTF-16 code units.
        #expect(region["startLine"] as? Int == 3)
        #expect(region["startColumn"] as? Int == 5)
        #expect(region["endColumn"] as? Int == 6)
        // An insertion is an empty deleted region.
        let fix = try #require((results[1]["fixes"] as? [[String: Any]])?.first)
        let deleted = try #require((((fix["artifactChanges"] as? [[String: Any]])?.first?["replacements"] as? [[String: Any]])?.first)?["deletedRegion"] as? [String: Any])
        #expect(deleted["charOffset"] as? Int == 0)
        #expect(deleted["charLength"] as? Int == 0)
    }

    @Test func aByteOrderMarkIsNotCountedInColumnsOrCharacterOffsets() throws {
        let f = SourceFile(path: "bom.flow.yaml", text: "\u{FEFF}flowc: 2\nnext: x\n")
        let x = f.testSpan(of: ": x")
        let ds = [
            RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "2"), "2"),
            RenderTestMessages.unknownNodeShort.at(SourceSpan(file: f, start: x.start + 2, end: x.end), "x"),
        ]
        let log = SARIFRenderer().render(ds, rules: RenderTestMessages.all, toolVersion: "1", files: [f])
        let results = try #require(try run(try parse(log))["results"] as? [[String: Any]])
        func region(_ i: Int) throws -> [String: Any] {
            try #require(((results[i]["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?["region"] as? [String: Any])
        }
        // "flowc: 2": the 2 is column 8 and the 8th character of the text an editor shows.
        #expect(try region(0)["startColumn"] as? Int == 8)
        #expect(try region(0)["charOffset"] as? Int == 7)
        // "next: x" on line 2: the text before it is "flowc: 2\n", 9 characters.
        #expect(try region(1)["startColumn"] as? Int == 7)
        #expect(try region(1)["charOffset"] as? Int == 15)
    }

    @Test func fileLevelResultHasALocationWithoutRegion() throws {
        let results = try #require(try run(try parse(Self.sampleLog()))["results"] as? [[String: Any]])
        let location = try #require((results[3]["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
        #expect(location["region"] == nil)
        #expect((location["artifactLocation"] as? [String: Any])?["uri"] as? String == "missing.flow.yaml")
        #expect((location["artifactLocation"] as? [String: Any])?["index"] as? Int == 2)
    }

    @Test func emptyRunStillListsTheFilesAndAnEmptyResultArray() throws {
        let f = SourceFile(path: "ok.flow.yaml", text: "flowc: 1\n")
        let run = try run(try parse(SARIFRenderer().render([], rules: DriverMessages.all, toolVersion: "1", files: [f])))
        #expect((run["results"] as? [Any])?.isEmpty == true)
        #expect((run["artifacts"] as? [Any])?.count == 1)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect((driver["rules"] as? [Any])?.isEmpty == true)
        #expect(driver["informationUri"] == nil)
    }

    @Test(arguments: [
        ("templates/a b.flow.yaml", "templates/a%20b.flow.yaml"),
        ("templates\\win.flow.yaml", "templates/win.flow.yaml"),
        ("/abs/x.flow.yaml", "file:///abs/x.flow.yaml"),
        ("C:\\work\\x.flow.yaml", "file:///C:/work/x.flow.yaml"),
        ("a#b?c%d:e.flow.yaml", "a%23b%3Fc%25d%3Ae.flow.yaml"),
    ])
    func pathsBecomeURIReferences(path: String, uri: String) throws {
        let f = SourceFile(path: path, text: "")
        let run = try run(try parse(SARIFRenderer().render([], rules: [], toolVersion: "1", files: [f])))
        let artifact = try #require((run["artifacts"] as? [[String: Any]])?.first)
        #expect((artifact["location"] as? [String: Any])?["uri"] as? String == uri)
    }

    @Test func logIsValidAgainstTheOfficialSARIFSchema() throws {
        let script = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/validate-sarif.py")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flowc-sarif-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }

        let valid = dir.appendingPathComponent("valid.sarif")
        try Data(Self.sampleLog().utf8).write(to: valid)
        let good = try Self.python(script.path, valid.path)
        #expect(good.status == 0, "validate-sarif.py rejected the log:\n\(good.output)")

        // The validator must also say no: a log without `version` is not SARIF.
        let invalid = dir.appendingPathComponent("invalid.sarif")
        try Data(#"{"runs": []}"#.utf8).write(to: invalid)
        let bad = try Self.python(script.path, invalid.path)
        #expect(bad.status == 1, "expected exit status 1 for an invalid log:\n\(bad.output)")
    }

    private static func python(_ arguments: String...) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
