import ArgumentParser
import FlowCheck
import FlowDiagnostics
import FlowIR
import FlowRuntime
import FlowYAML
import Foundation

/// `flowc test TEMPLATE [SCENARIO...]`: runs a template's scenarios — a starting deal, events, and
/// what must hold after each — so that authors can test their own templates.
///
/// The scenarios of `DIR/NAME.flow.yaml` are the `*.scenario.yaml` (and `*.scenario.json`) files
/// under `DIR/scenarios/NAME/`; files named after the template are run instead. A directory runs
/// every template in it that has scenarios. docs/testing.md is the author's guide.
struct TestCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run a template's scenarios and report which pass.",
        discussion: """
            The scenarios of `DIR/NAME.flow.yaml` are the files ending in `.scenario.yaml`, \
            `.scenario.yml` or `.scenario.json` under `DIR/scenarios/NAME/`, subdirectories \
            included, in the order of their paths (see docs/testing.md); scenario files given after \
            the template (any path) are run instead. With a directory, every template in it that \
            has scenarios is tested. \
            The template is checked and compiled first; its errors are printed as by `flowc check`.

            Each scenario prints `PASS name` or `FAIL name` with the first step that did not \
            behave as expected and every mismatch of that step; the last line is \
            `N passed, M failed`. `--format json` (or `--json`) prints one object instead \
            (docs/json.md), `--format junit` JUnit XML for a CI server: a scenario whose step \
            failed is a `failure`, one that could not run (its file or the template has errors) \
            an `error`. Problems with files (one that cannot be read, no scenarios) stay on \
            standard error in every form.

            Exit codes: 0 every scenario passed; 1 a scenario failed, a scenario file has errors, \
            or the template has errors; 2 usage error, a file that cannot be read, or no scenario \
            to run.
            """
    )

    @Argument(help: "A template file, or a directory whose templates with scenarios are tested.")
    var template: String

    @Argument(help: "Scenario files to run instead of the template's own (with a template file only).")
    var scenarios: [String] = []

    @Option(name: .long, help: "Run only the scenarios whose name or file path contains this text.")
    var filter: String?

    @Option(name: .long, help: "Colour: auto (each of stdout and stderr when it is a terminal, unless NO_COLOR is set), always or never.")
    var color: ColorChoice = .auto

    /// The forms of `flowc test`'s results.
    enum Format: String, HumanFormNamed {
        case human, json, junit
        static var forPeople: Format { .human }
    }

    @Option(name: .customLong("format"), help: "Output: human, json (one object; docs/json.md) or junit (JUnit XML, for a CI server).")
    var formatOption: Format?

    @Flag(name: .long, help: "The same as --format json.")
    var json = false

    func validate() throws {
        if filter?.isEmpty == true { throw ValidationError("--filter needs a non-empty text") }
        if json, let f = formatOption, f != .json { throw ValidationError("--json asks for JSON and --format for another form: give one of them") }
    }

    func execute(_ context: CLIContext) -> Int32 {
        // Results go to standard output, problems with files to standard error: each coloured
        // by its own stream when auto.
        let colors = switch color {
        case .always: (output: true, error: true)
        case .never: (output: false, error: false)
        case .auto: (output: context.colorsOutput, error: context.colorsErrors)
        }
        let form: Format = json ? .json : formatOption ?? .human
        var run = TestRun(context: context, filter: filter, color: form == .human && colors.output, errorColor: colors.error, format: form)
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: template, isDirectory: &isDirectory)
        if exists, !isDirectory.boolValue, HostTemplates.isCompiled(template) {
            // Read as a template, a machine is some two hundred errors about missing keys.
            context.writeError(run.errorRenderer.render(ScenarioMessages.compiledMachine.inFile(template, template)))
            return ExitCode.usage
        }
        if exists, isDirectory.boolValue {
            guard scenarios.isEmpty else {
                context.writeError("error: scenario files can be named only after a template file, not after a directory\n")
                return ExitCode.usage
            }
            run.testDirectory(template)
        } else {
            run.testTemplate(template, explicit: scenarios.isEmpty ? nil : scenarios, inDirectory: false)
        }
        return run.finish(tested: template)
    }
}

/// Where the scenarios of a template are found.
enum ScenarioFiles {
    /// `DIR/scenarios/NAME` for `DIR/NAME.flow.yaml`.
    static func directory(for template: String) -> String {
        let dir = PathText.directory(of: template)
        var name = (template as NSString).lastPathComponent
        for suffix in [".flow.yaml", ".flow.yml", ".yaml", ".yml"] where name.hasSuffix(suffix) {
            name = String(name.dropLast(suffix.count))
            break
        }
        return (dir.isEmpty ? "" : dir + "/") + "scenarios/" + name
    }

    /// The endings of a scenario file's name, in lower case as templates' `.flow.yaml` is: a
    /// file named otherwise is not run, and is named in a warning (``misnamed(in:)``).
    static let suffixes = [".scenario.yaml", ".scenario.yml", ".scenario.json"]

    static func isScenario(_ path: String) -> Bool {
        suffixes.contains(where: path.hasSuffix)
    }

    /// The files under `directory` (relative to it, sorted) that are not run for their name but
    /// look meant to be: YAML or JSON files whose name does not end in a scenario suffix
    /// (`lost.senario.yaml`, `won.scenario.YAML`).
    static func misnamed(in directory: String) -> [String] {
        guard let walker = DirectoryTree.walker(directory) else { return [] }
        var out: [String] = []
        while let rel = walker.nextObject() as? String {
            guard walker.fileAttributes?[.type] as? FileAttributeType != .typeDirectory else { continue }
            // A blank after the ending (`won.scenario.yaml `, a name typed or pasted with one)
            // hides the ending from the suffix and from the eye: named too (QA round 28, I9).
            let lower = rel.lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
            if [".yaml", ".yml", ".json"].contains(where: lower.hasSuffix), !isScenario(rel) { out.append(rel) }
        }
        return out.sorted()
    }

    /// The name a misnamed file was most likely meant to have: its ending in lower case
    /// (`won.scenario.YAML` → `won.scenario.yaml`), a word close to `scenario` replaced
    /// (`lost.senario.yaml`, `won.scenarios.yaml`), else `.scenario` added (`lost.yml` →
    /// `lost.scenario.yml`).
    static func suggestedName(for path: String) -> String {
        let name = (path as NSString).lastPathComponent.trimmingCharacters(in: .whitespacesAndNewlines)
        let lower = name.lowercased()
        if let suffix = suffixes.first(where: lower.hasSuffix) { return String(name.dropLast(suffix.count)) + suffix }
        let ext = [".yaml", ".yml", ".json"].first(where: lower.hasSuffix) ?? ""
        var stem = String(name.dropLast(ext.count))
        if let dot = stem.lastIndex(of: "."), Suggestions.closest(to: stem[stem.index(after: dot)...].lowercased(), in: ["scenario"]) != nil {
            stem = String(stem[..<dot])
        }
        return stem + ".scenario" + ext
    }

    /// The scenario files under `directory` and its subdirectories, sorted; empty when there is
    /// no such directory.
    static func discover(in directory: String) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue,
              let walker = DirectoryTree.walker(directory) else { return [] }
        var found: [String] = []
        while let rel = walker.nextObject() as? String {
            if isScenario(rel) { found.append(directory + "/" + rel) }
        }
        return found.sorted()
    }

    /// Where the scenarios of a template with none might have been put by mistake: files in its
    /// directory with another ending (`won.scenarios.yaml`), or scenario files in a sibling
    /// directory named after the template's id (`scenarios/cnc_sale/` for `cnc-sale.flow.yaml`).
    /// The help to give, or nil.
    static func nearMiss(for directory: String, templateID: String?) -> String? {
        let fm = FileManager.default
        let misnamed = misnamed(in: directory)
        if let first = misnamed.first {
            return "`\(directory)/\(first)` is there, but a scenario file's name ends in `.scenario.yaml` (or `.scenario.yml`, `.scenario.json`)"
                + (misnamed.count > 1 ? " (and \(misnamed.count - 1) more file\(misnamed.count == 2 ? "" : "s") so named)" : "")
        }
        let parent = PathText.directory(of: directory)
        let name = (directory as NSString).lastPathComponent
        var candidates: [String] = []
        if let templateID, templateID != name { candidates.append(templateID) }
        let siblings = ((try? fm.contentsOfDirectory(atPath: parent)) ?? []).sorted()
        candidates += siblings.filter { $0 != name && !candidates.contains($0) && Suggestions.closest(to: name, in: [$0]) != nil }
        for candidate in candidates where !discover(in: parent + "/" + candidate).isEmpty {
            return "`\(parent)/\(candidate)/` holds scenario files: the scenarios of a template live in a directory named after its file, `\(directory)/`"
        }
        return nil
    }
}

/// One `flowc test` invocation: what it printed and counted so far.
private struct TestRun {
    let context: CLIContext
    let filter: String?
    /// Colour on standard output, and on standard error.
    let color: Bool
    let errorColor: Bool
    var passed = 0
    var failed = 0
    /// A file could not be read, or there was nothing to run: exit 2.
    var unusable = false
    var templatesWithScenarios = 0
    var printedTemplates = 0
    /// A template's `== PATH` line, printed before the first thing said under it: a template none
    /// of whose scenarios matches `--filter` says nothing (QA round 31, N5).
    var header: String?
    let format: TestCommand.Format
    /// What ran, for the JSON and JUnit forms.
    var report = TestReport()

    init(context: CLIContext, filter: String?, color: Bool, errorColor: Bool, format: TestCommand.Format) {
        self.context = context
        self.filter = filter
        self.color = color
        self.errorColor = errorColor
        self.format = format
    }

    /// Writes the text form's output (nothing in the JSON and JUnit forms, which are written whole
    /// at the end).
    mutating func say(_ text: String) {
        guard format == .human else { return }
        if let header {
            context.write((printedTemplates > 0 ? "\n" : "") + header)
            printedTemplates += 1
            self.header = nil
        }
        context.write(text)
    }

    /// Records a scenario's result in the report, in the suite of the template being tested.
    mutating func record(_ c: TestReport.Case) {
        if report.suites.isEmpty { report.suites.append(TestReport.Suite(path: c.file)) }
        report.suites[report.suites.count - 1].cases.append(c)
    }

    /// Renders what goes to standard output; ``errorRenderer`` what goes to standard error.
    var renderer: HumanRenderer { HumanRenderer(color: color) }
    var errorRenderer: HumanRenderer { HumanRenderer(color: errorColor) }

    /// - Parameter tested: the template or directory given to test.
    mutating func finish(tested: String) -> Int32 {
        header = nil
        // A filter that matched nothing says so below, without a count of nothing.
        if filter == nil || passed + failed > 0 {
            if printedTemplates > 0 { say("\n") }
            say("\(passed) passed, \(failed) failed\n")
        }
        // A run that could not start (no scenarios, a file that cannot be read) leaves standard
        // output to the failure's JSON object, or empty.
        let ranNone = passed + failed == 0 && report.suites.allSatisfy(\.cases.isEmpty)
        if format != .human, !(ranNone && (unusable || filter != nil)) {
            context.write(format == .json ? report.json : report.junit)
        }
        if unusable { return ExitCode.usage }
        if let filter, passed + failed == 0 {
            context.writeError(errorRenderer.render(ScenarioMessages.noScenarioMatches.inFile(tested, tested, filter)))
            return ExitCode.usage
        }
        return failed > 0 ? ExitCode.problems : ExitCode.clean
    }

    /// Every template in `directory` that has scenarios; fragments are skipped.
    mutating func testDirectory(_ directory: String) {
        let (files, problem) = TemplateFiles.expand(directory)
        if let problem {
            context.writeError(errorRenderer.render(problem))
            unusable = true
            return
        }
        for file in files { testTemplate(file, explicit: nil, inDirectory: true) }
        if templatesWithScenarios == 0, !unusable {
            let looked = (directory.hasSuffix("/") ? directory : directory + "/") + "…/scenarios/NAME/"
            context.writeError(errorRenderer.render(ScenarioMessages.noScenarios.inFile(directory, directory, looked)))
            unusable = true
        }
    }

    mutating func testTemplate(_ path: String, explicit: [String]?, inDirectory: Bool) {
        let checked = TemplateChecker.check(path: path)
        if checked.diagnostics.contains(where: { $0.code == DriverMessages.cannotRead.code }) {
            let errors = checked.diagnostics.filter { $0.severity == .error }
            context.writeError(errorRenderer.render(CappedDiagnostics(errors, limit: 100), summary: nil))
            // In the JSON and JUnit forms too, beside the templates that ran (QA round 33, Q7: a
            // clean pass there, with exit code 2).
            report.suites.append(TestReport.Suite(path: path, diagnostics: errors, notes: ["not tested: the template cannot be read"]))
            unusable = true
            return
        }
        if checked.template?.main.isFragment == true {
            if !inDirectory {
                context.writeError(errorRenderer.render(ScenarioMessages.fragment.inFile(path, path)))
                unusable = true
            }
            return
        }
        let files: [String]
        var misnamed: [String] = []
        if let explicit {
            files = explicit
        } else {
            let dir = ScenarioFiles.directory(for: path)
            files = ScenarioFiles.discover(in: dir)
            misnamed = ScenarioFiles.misnamed(in: dir).map { dir + "/" + $0 }
            if files.isEmpty {
                if inDirectory {
                    // The template before said nothing (its scenarios did not match --filter):
                    // its header is not this line's; under a filter the line is not said either
                    // (QA round 33, Q5).
                    header = nil
                    if filter == nil {
                        // Set apart from the template before, as a header is (QA round 34, S5).
                        header = "no scenarios for \(path) (add them under \(dir)/)\n"
                        say("")
                    }
                    report.suites.append(TestReport.Suite(path: path, notes: ["no scenarios (add them under \(dir)/)"]))
                    warnNotRun(misnamed)
                } else {
                    var d = ScenarioMessages.noScenarios.inFile(path, path, dir + "/")
                    if let help = ScenarioFiles.nearMiss(for: dir, templateID: checked.template?.main.header?.id?.value) { d = d.help(help) }
                    context.writeError(errorRenderer.render(d))
                    unusable = true
                }
                return
            }
        }
        templatesWithScenarios += 1
        header = "== \(path)\n"
        report.suites.append(TestReport.Suite(path: path))

        // The machine, or why there is none.
        var machine: VerifiedMachine?
        var notRun = ""
        if checked.hasErrors {
            let errors = checked.diagnostics.filter { $0.severity == .error }
            say(renderer.render(CappedDiagnostics(errors, limit: 100), summary: DiagnosticCounts(counting: errors)))
            report.suites[report.suites.count - 1].diagnostics = errors
            // Its id, when its header gives one, keeps its scenarios under one name in a CI
            // server's history whether or not it compiles (QA round 30, N11).
            report.suites[report.suites.count - 1].id = checked.template?.main.header?.id?.value
            notRun = "not run: the template has errors"
        } else {
            do {
                let verified = try IRLoader.verify(try IRCompiler.compile(checked))
                machine = verified
                header = "== \(path) (\(verified.machine.template.id) \(verified.machine.template.version))\n"
                report.suites[report.suites.count - 1].id = verified.machine.template.id
                report.suites[report.suites.count - 1].version = verified.machine.template.version
            } catch let error as CompileError {
                say(error.diagnostic.map { renderer.render(CappedDiagnostics([$0], limit: 100), summary: DiagnosticCounts(counting: [$0])) } ?? "error: \(error.message)\n")
                if let d = error.diagnostic { report.suites[report.suites.count - 1].diagnostics = [d] }
                report.suites[report.suites.count - 1].notes.append("the template does not compile: \(error.message)")
                notRun = "not run: the template does not compile"
            } catch {
                say("\(path): \(error)\n")
                report.suites[report.suites.count - 1].notes.append("the compiled template does not verify: \(error)")
                notRun = "not run: the compiled template does not verify"
            }
        }
        warnNotRun(misnamed)
        let templateCanonical = DiskFileSystem().canonical(path)
        for file in files {
            runScenario(file, template: path, canonical: templateCanonical, machine: machine, notRun: notRun)
        }
    }

    mutating func runScenario(_ path: String, template: String, canonical: String, machine: VerifiedMachine?, notRun: String) {
        started = ContinuousClock.now
        scenarioFile = path
        let bytes: [UInt8]
        switch DiskFileSystem().read(path, limits: .default) {
        case .success(let b): bytes = b
        case .failure(let problem):
            let reason = problem.kind == .notFound ? PathText.notFound("no such file or directory", path: path) : problem.detail
            context.writeError(errorRenderer.render(DriverMessages.cannotRead.inFile(path, path, reason)))
            unusable = true
            return
        }
        let source: ScenarioSource
        switch ScenarioSource.read(SourceFile(path: path, bytes: bytes)) {
        case .failure(let errors):
            guard matches(name: nil, path: path) else { return }
            fail(path, "the scenario file has errors", diagnostics: errors.diagnostics)
            return
        case .success(let s): source = s
        }
        // The template is the one under test: the key may be left out, and when it is written it
        // must name that template.
        var tree = source.tree
        if let written = tree["template"] {
            if case .string(let relative) = written {
                let dir = PathText.directory(of: path)
                let resolved = relative.hasPrefix("/") || dir.isEmpty ? relative : (dir as NSString).appendingPathComponent(relative)
                if DiskFileSystem().canonical(resolved) != canonical {
                    guard matches(name: tree["scenario"].flatMap(Self.text), path: path) else { return }
                    let d = ScenarioMessages.wrongTemplate.at(source.span(at: "template"), relative, template)
                    fail(tree["scenario"].flatMap(Self.text) ?? path, "the scenario file has errors", diagnostics: [d])
                    return
                }
            }
        } else if case .object(let entries) = tree {
            tree = .object(entries + [(key: "template", value: .string(template))])
        }
        let scenario: Scenario
        switch Scenario.parse(tree) {
        case .failure(let error):
            guard matches(name: tree["scenario"].flatMap(Self.text), path: path) else { return }
            // Every problem of the file, each at its place (sorted there by line).
            let ds = error.all.map { e in
                let d = ScenarioMessages.format.at(source.span(at: e.path, message: e.message, atKey: e.atKey), e.description)
                let help = path.lowercased().hasSuffix(".json") ? e.jsonHelp ?? e.help : e.help
                return help.map { d.help($0) } ?? d
            }
            fail(tree["scenario"].flatMap(Self.text) ?? path, "the scenario file has errors",
                 diagnostics: ds + ScenarioChecks.repeatedIDs(written: tree, source: source))
            return
        case .success(let s): scenario = s
        }
        guard matches(name: scenario.name, path: path) else { return }
        // Mistakes in the file that its format alone does not show, before any step runs.
        let problems = ScenarioChecks.problems(scenario, source: source, machine: machine)
        if !problems.isEmpty {
            fail(scenario.name, "the scenario file has errors", diagnostics: problems)
            return
        }
        guard let machine else {
            failed += 1
            say(paint("FAIL", red: true) + " \(Names.inline(scenario.name)) (\(notRun))\n")
            record(TestReport.Case(file: path, name: scenario.name, status: .error, reason: notRun, seconds: elapsed))
            return
        }
        let result = ScenarioRunner.run(scenario, machine: machine)
        guard let failure = result.failure else {
            passed += 1
            say(paint("PASS", red: false) + " \(Names.inline(scenario.name))\n")
            record(TestReport.Case(file: path, name: scenario.name, status: .pass, seconds: elapsed))
            return
        }
        failed += 1
        let at = Self.valueSpan(failure, source) ?? source.span(ofStep: min(failure.step, scenario.steps.count))
        let location = at.file.location(of: at.start)
        say(paint("FAIL", red: true) + " \(Names.inline(scenario.name))\n")
        say("  --> \(path):\(location.line):\(location.column)\n")
        say(failure.description + "\n")
        record(TestReport.Case(file: path, name: scenario.name, status: .fail, reason: "a step did not behave as expected", failure: failure,
                               line: location.line, column: location.column, seconds: elapsed))
    }

    /// Where a refused value is written, when a failure's first problem names its field (``field
    /// `seats` is given `many`…``): under the deal's `fields` for the creation, under the step's
    /// `set` for a step (QA round 44, A10: the creation's failure pointed at `deal:`).
    static func valueSpan(_ failure: ScenarioFailure, _ source: ScenarioSource) -> SourceSpan? {
        guard let problem = failure.problems.first, let open = problem.range(of: "field `"),
              let close = problem[open.upperBound...].firstIndex(of: "`") else { return nil }
        let field = String(problem[open.upperBound..<close])
        let mapping = failure.step == 0 ? "deal.fields" : "steps[\(failure.step - 1)].set"
        return source.pair(field, in: mapping).map { source.document.span($0.value) }
    }

    /// When the scenario being run started, and its file, for the report.
    var started = ContinuousClock.now
    var scenarioFile = ""

    /// Seconds since the scenario being run started.
    var elapsed: Double {
        let d = ContinuousClock.now - started
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    /// Files in a template's scenarios directory that look meant as scenarios but are not run for
    /// their name: one warning each, with the name to give it (it changes no count or exit code).
    mutating func warnNotRun(_ files: [String]) {
        for file in files {
            let warning = color ? "\u{1B}[1;33mwarning\u{1B}[0m" : "warning"
            let blank = file.last.map { $0.isWhitespace || $0.isNewline } == true ? " (its name ends in a blank)" : ""
            let why = "not run: a scenario file's name ends in `.scenario.yaml` (or `.scenario.yml`, `.scenario.json`), "
                + "in lower case; rename it `\(ScenarioFiles.suggestedName(for: file))`"
            say("\(file)\(blank): \(warning): \(why)\n")
            if report.suites.isEmpty { report.suites.append(TestReport.Suite(path: file)) }
            report.suites[report.suites.count - 1].warnings.append("\(file)\(blank): warning: \(why)")
        }
    }

    /// A scenario that could not be run: its diagnostics, as `flowc check` prints them.
    mutating func fail(_ name: String, _ why: String, diagnostics: [Diagnostic]) {
        failed += 1
        say(paint("FAIL", red: true) + " \(Names.inline(name)) (\(why))\n")
        var bag = DiagnosticBag()
        bag.add(contentsOf: diagnostics)
        let sorted = bag.sorted()
        say(renderer.render(CappedDiagnostics(sorted, limit: 100), summary: nil))
        record(TestReport.Case(file: scenarioFile, name: name, status: .error, reason: why, diagnostics: sorted, seconds: elapsed))
    }

    /// Whether `--filter` lets this scenario run.
    func matches(name: String?, path: String) -> Bool {
        guard let filter else { return true }
        return path.contains(filter) || name?.contains(filter) == true
    }

    /// A scenario's name as written; nil for none or a blank one, which the scenario is then
    /// reported under its file's path for (QA round 31, P4: `FAIL    ` and a testcase named "").
    static func text(_ value: JSONValue) -> String? {
        if case .string(let s) = value, !s.allSatisfy({ $0.isWhitespace }) { return s }
        return nil
    }

    func paint(_ word: String, red: Bool) -> String {
        guard color else { return word }
        return (red ? "\u{1B}[1;31m" : "\u{1B}[32m") + word + "\u{1B}[0m"
    }
}
