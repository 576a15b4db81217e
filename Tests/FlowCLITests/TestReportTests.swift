@testable import FlowCLI
import Foundation
import FoundationXML
import Testing

/// `flowc test --format json|junit`: the results for a CI server, the same as the text form says
/// (review of the CLI, C7: `test` had no machine-readable form).
@Suite struct TestReportTests {
    /// A template with a passing scenario, a failing one, a file with errors and a misnamed file.
    static func mixed() throws -> String {
        let broken = passingScenario.replacingOccurrences(of: "expect: {status: won}", with: "expect: {statsu: won}")
            .replacingOccurrences(of: "scenario: a quote above cost is won at once", with: "scenario: a typo & <markup>")
        return try tempDir([
            "a.flow.yaml": cleanTemplate,
            "scenarios/a/above.scenario.yaml": passingScenario,
            "scenarios/a/below.scenario.yaml": failingScenario,
            "scenarios/a/typo.scenario.yaml": broken,
            "scenarios/a/lost.senario.yaml": passingScenario,
        ])
    }

    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func theJSONFormGivesEachScenarioWithWhatTheTextFormSays() throws {
        let dir = try Self.mixed()
        let r = flowc("test", dir + "/a.flow.yaml", "--format", "json")
        #expect(r.code == 1)
        #expect(r.err.isEmpty, "\(r.err)")
        // One object, on one line, and nothing else.
        #expect(r.out.hasSuffix("}\n") && r.out.split(separator: "\n").count == 1, "\(r.out)")
        let o = try Self.object(r.out)
        #expect(o["passed"] as? Int == 1 && o["failed"] as? Int == 2)
        let warnings = try #require(o["warnings"] as? [String])
        #expect(warnings == ["\(dir)/scenarios/a/lost.senario.yaml: warning: not run: a scenario file's name ends in `.scenario.yaml` "
            + "(or `.scenario.yml`, `.scenario.json`), in lower case; rename it `lost.scenario.yaml`"])
        let templates = try #require(o["templates"] as? [[String: Any]])
        #expect(templates.count == 1)
        let t = templates[0]
        #expect(t["path"] as? String == dir + "/a.flow.yaml" && t["id"] as? String == "mini" && t["version"] as? String == "1")
        #expect((t["diagnostics"] as? [Any])?.isEmpty == true)
        let scenarios = try #require(t["scenarios"] as? [[String: Any]])
        #expect(scenarios.map { $0["status"] as? String } == ["pass", "fail", "error"])
        #expect(scenarios.allSatisfy { ($0["seconds"] as? Double).map { $0 >= 0 } == true })

        let pass = scenarios[0]
        #expect(pass["name"] as? String == "a quote above cost is won at once")
        #expect(pass["file"] as? String == dir + "/scenarios/a/above.scenario.yaml")
        #expect(pass["reason"] == nil && pass["step"] == nil)

        let fail = scenarios[1]
        #expect(fail["file"] as? String == dir + "/scenarios/a/below.scenario.yaml")
        #expect(fail["reason"] as? String == "a step did not behave as expected")
        #expect(fail["step"] as? Int == 1 && fail["line"] as? Int == 7 && fail["column"] as? Int == 5)
        #expect(fail["heading"] as? String == "step 1 (complete initial_talks at 2024-05-06T02:00:00Z)")
        #expect(fail["problems"] as? [String] == ["expected active nodes [won], got [loss_review]", "expected pool public, got private"])
        #expect((fail["context"] as? [String])?.contains { $0.contains("at `initial_talks`, `quote < cost` was true") } == true)

        let error = scenarios[2]
        #expect(error["name"] as? String == "a typo & <markup>")
        #expect(error["reason"] as? String == "the scenario file has errors")
        let d = try #require((error["diagnostics"] as? [[String: Any]])?.first)
        #expect(d["code"] as? String == "FC1301" && d["line"] as? Int == 10 && d["column"] as? Int == 14)
        #expect(d["path"] as? String == dir + "/scenarios/a/typo.scenario.yaml")
        #expect((d["message"] as? String)?.hasPrefix("steps[0].expect: unknown key `statsu` (did you mean `status`?)") == true, "\(d)")

        // `--json` is the same form, as on every command that prints JSON.
        let again = flowc("test", dir + "/a.flow.yaml", "--json")
        #expect(again.code == 1)
        let other = try Self.object(again.out)
        #expect(other["passed"] as? Int == 1 && other["failed"] as? Int == 2)
    }

    @Test func theJUnitFormHasAFailureAndAnErrorWhereTheyBelong() throws {
        let dir = try Self.mixed()
        let r = flowc("test", dir + "/a.flow.yaml", "--format", "junit")
        #expect(r.code == 1)
        #expect(r.err.isEmpty, "\(r.err)")
        // Times vary from run to run: compared without them.
        let text = r.out.replacingOccurrences(of: #"time="[0-9]+\.[0-9]{3}""#, with: #"time="T""#, options: .regularExpression)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == #"<?xml version="1.0" encoding="UTF-8"?>"#)
        #expect(lines[1] == #"<testsuites name="flowc test" tests="3" failures="1" errors="1" time="T">"#)
        #expect(lines[2] == #"  <testsuite name="\#(dir)/a.flow.yaml" tests="3" failures="1" errors="1" time="T">"#)
        #expect(lines[3] == #"    <testcase name="a quote above cost is won at once" classname="mini" file="\#(dir)/scenarios/a/above.scenario.yaml" time="T"/>"#)
        #expect(lines[4] == #"    <testcase name="a quote below cost is wrongly expected to win" classname="mini" file="\#(dir)/scenarios/a/below.scenario.yaml" time="T">"#)
        #expect(lines[5] == #"      <failure message="step 1 (complete initial_talks at 2024-05-06T02:00:00Z)" type="scenario">\#(dir)/scenarios/a/below.scenario.yaml:7:5"#)
        #expect(lines[6] == "  step 1 (complete initial_talks at 2024-05-06T02:00:00Z):")
        #expect(lines[7] == "    - expected active nodes [won], got [loss_review]")
        // Markup in a name or a message is escaped.
        let error = try #require(lines.firstIndex { $0.hasPrefix(#"    <testcase name="a typo &amp; &lt;markup&gt;""#) })
        #expect(lines[error + 1].hasPrefix(#"      <error message="the scenario file has errors" type="FC1301">\#(dir)/scenarios/a/typo.scenario.yaml:10:14: error[FC1301]: steps[0].expect: unknown key `statsu` (did you mean `status`?)"#), "\(lines[error + 1])")
        #expect(lines.contains(#"    <system-out>\#(dir)/scenarios/a/lost.senario.yaml: warning: not run: a scenario file&apos;s name ends in `.scenario.yaml` (or `.scenario.yml`, `.scenario.json`), in lower case; rename it `lost.scenario.yaml`</system-out>"#), "\(text)")
        #expect(text.hasSuffix("  </testsuite>\n</testsuites>\n"))
        // Well-formed XML.
        let parsed = try? XMLDocument(data: Data(r.out.utf8))
        #expect(parsed?.rootElement()?.name == "testsuites")
    }

    /// A template with errors: its scenarios are errors (not run), its diagnostics are given.
    @Test func aTemplateWithErrorsGivesItsDiagnosticsAndErrors() throws {
        let dir = try tempDir(["a.flow.yaml": brokenTemplate, "scenarios/a/above.scenario.yaml": passingScenario])
        let json = flowc("test", dir + "/a.flow.yaml", "--json")
        #expect(json.code == 1)
        let t = try #require((try Self.object(json.out)["templates"] as? [[String: Any]])?.first)
        #expect((t["diagnostics"] as? [[String: Any]])?.contains { $0["code"] as? String == "FC0302" } == true)
        let s = try #require((t["scenarios"] as? [[String: Any]])?.first)
        #expect(s["status"] as? String == "error" && s["reason"] as? String == "not run: the template has errors")
        let junit = flowc("test", dir + "/a.flow.yaml", "--format", "junit")
        #expect(junit.out.contains(#"<error message="not run: the template has errors" type="not-run">"#), "\(junit.out)")
        #expect(junit.out.contains("error[FC0302]: unknown node `loss_reveiw`"), "\(junit.out)")
    }

    /// A directory: a template without scenarios is noted; nothing to run at all is the failure's
    /// JSON object, as for every command, and nothing on standard output for JUnit.
    @Test func aDirectoryAndNothingToRun() throws {
        let dir = try tempDir(["a.flow.yaml": cleanTemplate, "b.flow.yaml": cleanTemplate, "scenarios/a/above.scenario.yaml": passingScenario])
        let r = flowc("test", dir, "--json")
        #expect(r.code == 0, "\(r.err)")
        let templates = try #require(try Self.object(r.out)["templates"] as? [[String: Any]])
        #expect(templates.map { $0["path"] as? String } == [dir + "/a.flow.yaml", dir + "/b.flow.yaml"])
        #expect(templates[1]["notes"] as? [String] == ["no scenarios (add them under \(dir)/scenarios/b/)"])

        let empty = try tempDir(["a.flow.yaml": cleanTemplate])
        let none = flowc("test", empty + "/a.flow.yaml", "--json")
        #expect(none.code == 2)
        let e = try #require(try Self.object(none.out)["error"] as? [String: Any])
        #expect(e["code"] as? String == "FC1304")
        let junit = flowc("test", empty + "/a.flow.yaml", "--format", "junit")
        #expect(junit.code == 2 && junit.out.isEmpty && junit.err.contains("error[FC1304]"))
        // Two forms at once is a usage error, whichever the second is (QA round 30, N10).
        for other in ["junit", "human", "text"] {
            let both = flowc("test", dir, "--json", "--format", other)
            #expect(both.code == 2 && both.err.contains("--json asks for JSON and --format for another form: give one of them"), "\(other): \(both.err)")
        }
        #expect(flowc("test", dir, "--json", "--format", "json").code == 0)
        // A filter that matches nothing is a failure said as one, not an empty report (QA round
        // 30, N5).
        let unmatched = flowc("test", dir, "--filter", "nothing like it", "--json")
        #expect(unmatched.code == 2)
        // Coded, as the other failures to test anything are (QA round 43, T17).
        let failure = try #require(try Self.object(unmatched.out)["error"] as? [String: Any])
        #expect(failure["code"] as? String == "FC1308")
        #expect(failure["message"] as? String == "no scenario of `\(dir)` matches `--filter nothing like it`: the text is looked for as written, capitals counting, in each scenario's name and its file's path")
        let unmatchedXML = flowc("test", dir, "--filter", "nothing like it", "--format", "junit")
        #expect(unmatchedXML.code == 2 && unmatchedXML.out.isEmpty)
        // A template of the directory that cannot be read (a broken link) is in the result
        // beside those that ran, with its diagnostic (QA round 33, Q7: a clean pass, exit 2).
        try FileManager.default.createSymbolicLink(atPath: dir + "/broken.flow.yaml", withDestinationPath: dir + "/gone.flow.yaml")
        let broken = flowc("test", dir, "--json")
        #expect(broken.code == 2 && broken.err.contains("error[FC0001]"), "\(broken.err)")
        let listed = try #require(try Self.object(broken.out)["templates"] as? [[String: Any]])
        let unread = try #require(listed.first { $0["path"] as? String == dir + "/broken.flow.yaml" }, "\(broken.out)")
        #expect((unread["diagnostics"] as? [[String: Any]])?.first?["code"] as? String == "FC0001")
        #expect(unread["notes"] as? [String] == ["not tested: the template cannot be read"])
        let brokenXML = flowc("test", dir, "--format", "junit")
        #expect(brokenXML.code == 2 && brokenXML.out.contains("name=\"\(dir)/broken.flow.yaml\" tests=\"1\" failures=\"0\" errors=\"1\"")
                && brokenXML.out.contains("error[FC0001]"), "\(brokenXML.out)")
        // An error testcase of its own, so that a CI server shows it red (QA round 34, S7).
        let parsed = try XMLDocument(data: Data(brokenXML.out.utf8))
        let unreadCase = try #require(try parsed.nodes(forXPath: "//testsuite[@name='\(dir)/broken.flow.yaml']/testcase").first as? XMLElement)
        #expect(unreadCase.attribute(forName: "name")?.stringValue == "not tested: the template cannot be read")
        #expect((try unreadCase.nodes(forXPath: "error").first as? XMLElement)?.attribute(forName: "type")?.stringValue == "FC0001")
        let root = try #require(parsed.rootElement())
        #expect(root.attribute(forName: "errors")?.stringValue == "1", "\(brokenXML.out)")
    }

    /// A name with a line end or a tab keeps them in the XML attribute (a parser reads raw ones
    /// as spaces), a blank name is refused as a missing one is, and a template with errors keeps
    /// its id as the class name, so a CI server's history stays under one name (QA round 30, N11).
    @Test func namesAndClassNamesSurviveTheXML() throws {
        let lined = passingScenario.replacingOccurrences(of: "scenario: a quote above cost is won at once", with: #"scenario: "two\nlines\tand a tab""#)
        let blank = passingScenario.replacingOccurrences(of: "scenario: a quote above cost is won at once", with: #"scenario: "  ""#)
        let dir = try tempDir(["a.flow.yaml": cleanTemplate, "scenarios/a/lined.scenario.yaml": lined, "scenarios/a/blank.scenario.yaml": blank,
                               "b.flow.yaml": brokenTemplate, "scenarios/b/above.scenario.yaml": passingScenario])
        let r = flowc("test", dir, "--format", "junit")
        #expect(r.code == 1)
        #expect(r.out.contains(#"<testcase name="two&#10;lines&#9;and a tab" classname="mini""#), "\(r.out)")
        let parsed = try XMLDocument(data: Data(r.out.utf8))
        let names = try parsed.nodes(forXPath: "//testcase/@name").compactMap(\.stringValue)
        #expect(names.contains("two\nlines\tand a tab"), "\(names)")
        // The blank name is the file's error, at the key, and the scenario is named by its file
        // (QA round 31, P4: `<testcase name="">`).
        #expect(names.contains("\(dir)/scenarios/a/blank.scenario.yaml") && !names.contains { $0.allSatisfy(\.isWhitespace) }, "\(names)")
        #expect(r.out.contains(#"type="FC1301">\#(dir)/scenarios/a/blank.scenario.yaml:1:11: error[FC1301]: scenario: the name is blank"#), "\(r.out)")
        // The broken template's class is its id, as it would be if it compiled.
        let classes = Set(try parsed.nodes(forXPath: "//testcase/@classname").compactMap(\.stringValue))
        #expect(classes == ["mini"], "\(classes)")
    }

    /// Control characters cannot be in XML 1.0 at all: written as their codes.
    @Test func controlCharactersAreWrittenAsCodesInXML() {
        #expect(TestReport.xml("a\u{1B}[31mb\u{0}c\td\n") == "a\\u{1B}[31mb\\u{0}c\td\n")
        #expect(TestReport.xml(#"<"'&>"#) == "&lt;&quot;&apos;&amp;&gt;")
    }
}
