import Foundation
import Testing
import FlowDiagnostics

@Suite struct JSONLinesRendererTests {
    private func parse(_ line: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
        return try #require(object as? [String: Any])
    }

    @Test func diagnosticRoundTripsThroughAJSONParserWithEveryField() throws {
        let f = SourceFile(path: "模板/销售.flow.yaml", text: "nodes:\n  初步洽谈: {next: 方案报价}\n  方案: {}\n")
        let target = f.testSpan(of: "方案报价")
        let d = RenderTestMessages.unknownNode.at(target, "方案报价", "方案")
            .label(f.testSpan(of: "方案", occurrence: 2), "declared here")
            .note("node names are case-sensitive")
            .help("did you mean `{0}`?", "方案")
            .fix(target, "方案")
        let line = JSONLinesRenderer().render(d)
        #expect(!line.contains("\n"))
        let o = try parse(line)
        #expect(o["path"] as? String == "模板/销售.flow.yaml")
        #expect(o["line"] as? Int == 2)
        #expect(o["column"] as? Int == 16)
        #expect(o["endLine"] as? Int == 2)
        #expect(o["endColumn"] as? Int == 20)
        #expect(o["offset"] as? Int == target.start)
        #expect(o["endOffset"] as? Int == target.end)
        #expect(o["severity"] as? String == "error")
        #expect(o["code"] as? String == "FC0302")
        #expect(o["rule"] as? String == "unknown-node")
        #expect(o["message"] as? String == "unknown node `方案报价`; did you mean `方案`?")
        #expect(o["format"] as? String == "unknown node `{0}`; did you mean `{1}`?")
        #expect(o["arguments"] as? [String] == ["方案报价", "方案"])

        let labels = try #require(o["labels"] as? [[String: Any]])
        #expect(labels.count == 1)
        #expect(labels[0]["line"] as? Int == 3)
        #expect(labels[0]["column"] as? Int == 3)
        #expect(labels[0]["message"] as? String == "declared here")
        #expect(labels[0]["path"] as? String == "模板/销售.flow.yaml")

        let notes = try #require(o["notes"] as? [[String: Any]])
        #expect(notes.first?["message"] as? String == "node names are case-sensitive")
        let help = try #require(o["help"] as? [String: Any])
        #expect(help["message"] as? String == "did you mean `方案`?")
        #expect(help["format"] as? String == "did you mean `{0}`?")
        #expect(help["arguments"] as? [String] == ["方案"])

        let fixits = try #require(o["fixits"] as? [[String: Any]])
        #expect(fixits.first?["offset"] as? Int == target.start)
        #expect(fixits.first?["endOffset"] as? Int == target.end)
        #expect(fixits.first?["replacement"] as? String == "方案")
    }

    @Test func keysAreSortedAndNonASCIIIsWrittenAsUTF8() {
        let f = SourceFile(path: "t.flow.yaml", text: "a: 初步\n")
        let line = JSONLinesRenderer().render(RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "初步"), "初步"))
        #expect(line.contains("\"message\":\"unknown node `初步`\""))
        #expect(!line.contains("\\u"))
        let keys = ["arguments", "code", "column", "endColumn", "endLine", "endOffset", "fixits", "format",
                    "help", "labels", "line", "message", "notes", "offset", "path", "rule", "severity"]
        let positions = keys.compactMap { line.range(of: "\"\($0)\":")?.lowerBound }
        #expect(positions.count == keys.count)
        #expect(positions == positions.sorted())
    }

    @Test func aByteOrderMarkDoesNotShiftColumnsOfLineOne() throws {
        let f = SourceFile(path: "bom.flow.yaml", text: "\u{FEFF}flowc: 2\n")
        let o = try parse(JSONLinesRenderer().render(RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "2"), "2")))
        #expect(o["line"] as? Int == 1)
        #expect(o["column"] as? Int == 8)
        #expect(o["endColumn"] as? Int == 9)
        // Offsets stay byte offsets into the file, mark included.
        #expect(o["offset"] as? Int == 10)
    }

    @Test func diagnosticWithoutSpanHasNullPositions() throws {
        let d = DriverMessages.cannotRead.inFile("x.flow.yaml", "x.flow.yaml", "permission denied")
        let o = try parse(JSONLinesRenderer().render(d))
        for key in ["line", "column", "endLine", "endColumn", "offset", "endOffset", "help"] {
            #expect(o[key] is NSNull, "\(key) should be null")
        }
        #expect(o["message"] as? String == "cannot read `x.flow.yaml`: permission denied")
    }

    @Test func quotesBackslashesAndControlCharactersAreEscapedAndSurviveTheRoundTrip() throws {
        let f = SourceFile(path: "a \"b\"\\c.flow.yaml", text: "x\n")
        let nasty = "say \"hi\"\\\n\t\u{1}\u{7F}\u{2028}é😀"
        let line = JSONLinesRenderer().render(RenderTestMessages.unknownNodeShort.at(f.testSpan(of: "x"), nasty))
        #expect(!line.contains("\n"))
        #expect(line.contains("\\u0001"))
        let o = try parse(line)
        #expect(o["path"] as? String == "a \"b\"\\c.flow.yaml")
        #expect(o["arguments"] as? [String] == [nasty])
    }

    @Test func severalDiagnosticsAreOneLineEach() throws {
        let f = SourceFile(path: "t.flow.yaml", text: "a: 1\nb: 2\n")
        let ds = [RenderTestMessages.unreachable.at(f.testSpan(of: "a"), "a"), RenderTestMessages.unreachable.at(f.testSpan(of: "b"), "b")]
        let out = JSONLinesRenderer().render(ds)
        let lines = out.split(separator: "\n")
        #expect(out.hasSuffix("\n"))
        #expect(lines.count == 2)
        #expect(try parse(String(lines[1]))["line"] as? Int == 2)
    }
}
