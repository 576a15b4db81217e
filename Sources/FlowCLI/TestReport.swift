import FlowDiagnostics
import FlowRuntime
import Foundation

/// What `flowc test` ran, kept for its machine-readable forms (`--format json`, `--format
/// junit`): a CI server reads the results without parsing `PASS`/`FAIL` lines (review of the
/// CLI, C7: "`test` has no machine-readable form for CI").
struct TestReport {
    /// One template tested: its scenarios, or why they could not run.
    struct Suite {
        var path: String
        var id: String?
        var version: String?
        /// The template's errors, when it has any (its scenarios are then not run).
        var diagnostics: [Diagnostic] = []
        var cases: [Case] = []
        /// Said about the template and not about one scenario (no scenarios for it).
        var notes: [String] = []
        /// Files in its scenarios directory not run for their name (`lost.senario.yaml`), said
        /// as in the text form.
        var warnings: [String] = []
    }

    /// One scenario's result.
    struct Case {
        enum Status: String {
            /// Every step behaved as the scenario says.
            case pass
            /// A step did not: `failure` says which and how.
            case fail
            /// The scenario could not be run: its file has errors, or the template has.
            case error
        }

        var file: String
        var name: String
        var status: Status
        /// Why it is not a pass, in a few words (`the scenario file has errors`).
        var reason: String?
        /// The step that failed, with its place in the file.
        var failure: ScenarioFailure?
        var line: Int?
        var column: Int?
        /// The scenario file's problems (status `error`).
        var diagnostics: [Diagnostic] = []
        var seconds: Double
    }

    var suites: [Suite] = []

    var passed: Int { suites.reduce(0) { $0 + $1.cases.filter { $0.status == .pass }.count } }
    var failed: Int { suites.reduce(0) { $0 + $1.cases.filter { $0.status != .pass }.count } }

    // MARK: JSON

    /// One object, keys sorted: `passed`, `failed`, `templates`, `warnings` (docs/json.md).
    var json: String {
        let templates: [[String: Any]] = suites.map { suite in
            var t: [String: Any] = [
                "path": suite.path,
                "diagnostics": suite.diagnostics.map(Self.diagnosticObject),
                "notes": suite.notes,
                "scenarios": suite.cases.map(Self.caseObject),
            ]
            if let id = suite.id { t["id"] = id }
            if let version = suite.version { t["version"] = version }
            return t
        }
        let object: [String: Any] = ["passed": passed, "failed": failed, "templates": templates, "warnings": suites.flatMap(\.warnings)]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private static func caseObject(_ c: Case) -> [String: Any] {
        var o: [String: Any] = ["file": c.file, "name": c.name, "status": c.status.rawValue, "seconds": (c.seconds * 1000).rounded() / 1000]
        if let reason = c.reason { o["reason"] = reason }
        if let f = c.failure {
            o["step"] = f.step
            o["heading"] = f.heading
            o["problems"] = f.problems
            o["context"] = f.context
        }
        if let line = c.line { o["line"] = line }
        if let column = c.column { o["column"] = column }
        if !c.diagnostics.isEmpty { o["diagnostics"] = c.diagnostics.map(diagnosticObject) }
        return o
    }

    /// A diagnostic as `flowc check --format json` gives it.
    private static func diagnosticObject(_ d: Diagnostic) -> Any {
        let line = JSONLinesRenderer().render(d)
        return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) ?? ["message": d.message]
    }

    // MARK: JUnit XML

    /// The JUnit XML that CI servers read (Jenkins, GitLab, GitHub actions' reporters): a
    /// `testsuite` per template, a `testcase` per scenario; a step that did not behave as
    /// expected is a `failure`, a scenario that could not run (its file or the template has
    /// errors) an `error`.
    var junit: String {
        var out = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        // A template that could not be read is an error of its own, so that a CI server shows it
        // red, not a suite of no tests (QA round 34, S7).
        func unread(_ suite: Suite) -> Bool { suite.cases.isEmpty && !suite.diagnostics.isEmpty }
        let unreadable = suites.filter(unread).count
        let errors = suites.reduce(0) { $0 + $1.cases.filter { $0.status == .error }.count } + unreadable
        let failures = suites.reduce(0) { $0 + $1.cases.filter { $0.status == .fail }.count }
        let total = suites.reduce(0.0) { $0 + $1.cases.reduce(0.0) { $0 + $1.seconds } }
        out += #"<testsuites name="flowc test" tests="\#(passed + failed + unreadable)" failures="\#(failures)" errors="\#(errors)" time="\#(Self.seconds(total))">"# + "\n"
        for suite in suites {
            let sErrors = suite.cases.filter { $0.status == .error }.count + (unread(suite) ? 1 : 0)
            let sFailures = suite.cases.filter { $0.status == .fail }.count
            let time = suite.cases.reduce(0.0) { $0 + $1.seconds }
            out += #"  <testsuite name="\#(Self.attribute(suite.path))" tests="\#(suite.cases.count + (unread(suite) ? 1 : 0))" failures="\#(sFailures)" errors="\#(sErrors)" time="\#(Self.seconds(time))">"# + "\n"
            let classname = suite.id ?? suite.path
            if unread(suite) {
                let text = HumanRenderer(color: false).render(CappedDiagnostics(suite.diagnostics, limit: 100), summary: nil)
                out += #"    <testcase name="\#(Self.attribute(suite.notes.first ?? "the template"))" classname="\#(Self.attribute(classname))" file="\#(Self.attribute(suite.path))" time="0.000">"#
                    + "\n" + #"      <error message="\#(Self.attribute(suite.notes.first ?? "error"))" type="\#(suite.diagnostics.first?.code.description ?? "not-run")">"#
                    + Self.xml(text) + "</error>\n    </testcase>\n"
            }
            for c in suite.cases {
                out += #"    <testcase name="\#(Self.attribute(c.name))" classname="\#(Self.attribute(classname))" file="\#(Self.attribute(c.file))" time="\#(Self.seconds(c.seconds))""#
                switch c.status {
                case .pass:
                    out += "/>\n"
                case .fail:
                    let f = c.failure
                    let place = c.line.map { "\(c.file):\($0):\(c.column ?? 1)\n" } ?? ""
                    out += ">\n" + #"      <failure message="\#(Self.attribute(f?.heading ?? c.reason ?? "failed"))" type="scenario">"#
                        + Self.xml(place + (f?.description ?? "")) + "</failure>\n    </testcase>\n"
                case .error:
                    let text = c.diagnostics.isEmpty ? (c.reason ?? "") : HumanRenderer(color: false).render(CappedDiagnostics(c.diagnostics, limit: 100), summary: nil)
                    out += ">\n" + #"      <error message="\#(Self.attribute(c.reason ?? "error"))" type="\#(c.diagnostics.first?.code.description ?? "not-run")">"#
                        + Self.xml(text) + "</error>\n    </testcase>\n"
                }
            }
            var said = suite.notes + suite.warnings
            if !suite.diagnostics.isEmpty {
                said.append(HumanRenderer(color: false).render(CappedDiagnostics(suite.diagnostics, limit: 100), summary: DiagnosticCounts(counting: suite.diagnostics)))
            }
            if !said.isEmpty { out += "    <system-out>" + Self.xml(said.joined(separator: "\n")) + "</system-out>\n" }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    /// Seconds with millisecond precision, as JUnit's `time` (`0.004`).
    private static func seconds(_ s: Double) -> String { String(format: "%.3f", s) }

    /// Text for an XML attribute: as ``xml(_:)``, and line ends and tabs as references, which a
    /// parser would otherwise read as spaces (QA round 30, N11).
    static func attribute(_ s: String) -> String {
        xml(s).replacingOccurrences(of: "\n", with: "&#10;").replacingOccurrences(of: "\r", with: "&#13;").replacingOccurrences(of: "\t", with: "&#9;")
    }

    /// Text for an XML attribute or element: markup characters as entities, and the control
    /// characters XML 1.0 cannot hold at all written as their code (`\u{1B}`), as in
    /// flowc's messages.
    static func xml(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            case _ where u.value < 0x20 || (0xFFFE...0xFFFF).contains(u.value):
                out += "\\u{" + String(u.value, radix: 16, uppercase: true) + "}"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
