import ArgumentParser
import FlowCLI
import FlowDiagnostics
import Foundation
import Testing

let repoRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// Runs flowc in-process and returns (exit code, stdout, stderr).
/// `terminal`: both streams are a terminal; `terminals`: which of them is (over `terminal`).
/// `directory`: the run's current directory (where a pipe's rejects file goes), the process's
/// when nil.
func flowc(_ args: String..., terminal: Bool = false, terminals: (output: Bool, error: Bool)? = nil, env: [String: String] = [:],
           directory: String? = nil) -> (code: Int32, out: String, err: String)
{
    let ctx = CLIContext(capture: true, terminals: terminals ?? (terminal, terminal), environment: env, currentDirectory: directory)
    let code = Flowc.run(args, context: ctx)
    return (code, ctx.out, ctx.err)
}

/// `flowc` with an argument list a test builds, and standard input when given; `terminals`: which
/// of the streams is a terminal.
func flowc(_ args: [String], standardInput: String? = nil, terminals: (output: Bool, error: Bool) = (false, false)) -> (code: Int32, out: String, err: String) {
    let ctx = CLIContext(capture: true, terminals: terminals)
    if let standardInput { ctx.standardInput = Array(standardInput.utf8) }
    let code = Flowc.run(args, context: ctx)
    return (code, ctx.out, ctx.err)
}

/// This test binary again, as a child process that runs the one test `filter` names (`Suite/test`)
/// with `variable` set to `value` (such a test does its work only when the variable is set);
/// not started.
func testChild(_ filter: String, _ variable: String, _ value: String) throws -> Process {
    let child = Process()
    child.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
    child.arguments = ["--testing-library", "swift-testing", "--filter", filter]
    child.environment = ProcessInfo.processInfo.environment.merging([variable: value]) { $1 }
    return child
}

/// Sends a started `child` SIGINT, as Ctrl-C would, once `ready` says so (polled every 10 ms, for
/// two minutes at most), and waits for it to end.
func interrupt(_ child: Process, when ready: () -> Bool) {
    let started = Date()
    while child.isRunning, Date().timeIntervalSince(started) < 120, !ready() { usleep(10_000) }
    kill(child.processIdentifier, SIGINT)
    child.waitUntilExit()
}

/// Makes `path` a named pipe that gives `text` once to the first reader (as `<(…)` gives a
/// command's output). Opening a pipe blocks until the other end opens it: the writer runs on a
/// thread of its own.
func pipe(_ text: String, at path: String) throws {
    guard mkfifo(path, 0o600) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    let writer = Thread {
        guard let handle = FileHandle(forWritingAtPath: path) else { return }
        handle.write(Data(text.utf8))
        try? handle.close()
    }
    writer.start()
}

/// testdata/run/mini.flow.yaml; with `header`, its `template:` line replaced by that one (another
/// id, version or name).
func miniTemplate(header: String? = nil) throws -> String {
    let mini = try String(contentsOfFile: repoRoot + "/testdata/run/mini.flow.yaml", encoding: .utf8)
    let line = "template: {id: mini, version: 1.0.0, name: Mini}"
    #expect(mini.contains(line))
    return header.map { mini.replacingOccurrences(of: line, with: $0) } ?? mini
}

/// The directory this test process makes its scratch directories in, removed when the process
/// exits (the suite left some 20,000 a run in the system's temporary directory).
let scratchRoot: String = {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("flowc-tests-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: FileManager.default.temporaryDirectory.appendingPathComponent("flowc-tests-\(getpid())").path) }
    return root
}()

/// A temporary directory holding the given files, inside ``scratchRoot``.
func tempDir(_ files: [String: String]) throws -> String {
    let dir = scratchRoot + "/flowc-cli-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for (name, text) in files {
        let path = dir + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
    return dir
}

let cleanTemplate = """
    flowc: 1
    template: {id: mini, version: 1, name: {zh: 迷你流程, en: Mini}}
    fields:
      quote: {type: money, currency: CNY}
      cost: {type: money, currency: CNY}
    roles:
      sales_owner: {name: 销售负责人, owner: true}
    nodes:
      - id: initial_talks
        name: {zh: 初步洽谈, en: Initial talks}
        owner: sales_owner
        next:
          - if: "quote < cost"
            to: loss_review
          - default: won
      - {id: loss_review, name: 输单复盘, owner: sales_owner, next: lost}
      - {id: won, name: 赢单, kind: won}
      - {id: lost, name: 输单, kind: lost}
    lose: {via: loss_review, reasons: [price]}

    """

let brokenTemplate = cleanTemplate
    .replacingOccurrences(of: "to: loss_review", with: "to: loss_reveiw")

let warningTemplate = cleanTemplate.replacingOccurrences(of: "lose: {via: loss_review, reasons: [price]}\n", with: "")

@Suite struct CheckCommandTests {
    @Test func cleanTemplateExitsZero() throws {
        let dir = try tempDir(["a.flow.yaml": cleanTemplate])
        let r = flowc("check", dir + "/a.flow.yaml")
        #expect(r.code == 0)
        #expect(r.out.contains("checked 1 file: no problems"))
    }

    @Test func errorsExitOneWithLocatedShortForm() throws {
        let dir = try tempDir(["a.flow.yaml": brokenTemplate])
        let path = dir + "/a.flow.yaml"
        let r = flowc("check", path)
        #expect(r.code == 1)
        #expect(r.out.hasPrefix("\(path):14:13: error[FC0302]: unknown node `loss_reveiw`\n"))
        #expect(r.out.contains("^^^^^^^^^^^"))
        #expect(r.out.contains("did you mean `loss_review`?"))
        #expect(r.out.contains("1 error"))
    }

    @Test func warningsAloneExitZeroUnlessTreatedAsErrors() throws {
        let dir = try tempDir(["a.flow.yaml": warningTemplate])
        let path = dir + "/a.flow.yaml"
        let plain = flowc("check", path)
        #expect(plain.code == 0)
        #expect(plain.out.contains("warning[FC0705]"))
        let strict = flowc("check", "--warnings-as-errors", path)
        #expect(strict.code == 1)
        #expect(strict.out.contains("error[FC0705]"))
        let quiet = flowc("check", "--quiet", path)
        #expect(quiet.code == 0)
        #expect(quiet.out.isEmpty)
    }

    @Test func missingFileIsAnIOErrorExitingTwo() {
        let r = flowc("check", "/nonexistent/nowhere.flow.yaml")
        #expect(r.code == 2)
        #expect(r.out.contains("error[FC0001]"))
    }

    @Test func directoryWithoutTemplatesExitsTwo() throws {
        let dir = try tempDir(["readme.txt": "nothing"])
        let r = flowc("check", dir)
        #expect(r.code == 2)
        #expect(r.out.contains("error[FC0002]"))
    }

    @Test func directoriesAreSearchedRecursively() throws {
        let dir = try tempDir(["a.flow.yaml": cleanTemplate, "sub/b.flow.yaml": brokenTemplate, "sub/c.yaml": "not: checked"])
        let r = flowc("check", dir)
        #expect(r.code == 1)
        #expect(r.out.contains("sub/b.flow.yaml:14:13"))
        #expect(!r.out.contains("c.yaml"))
    }

    @Test func jsonFormatIsOneParseableObjectPerDiagnostic() throws {
        let dir = try tempDir(["a.flow.yaml": brokenTemplate])
        let r = flowc("check", "--format", "json", dir + "/a.flow.yaml")
        #expect(r.code == 1)
        let lines = r.out.split(separator: "\n")
        #expect(lines.count == 1)
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(obj["code"] as? String == "FC0302")
        #expect(obj["line"] as? Int == 14)
        #expect(obj["column"] as? Int == 13)
        #expect(obj["severity"] as? String == "error")
    }

    @Test func sarifFormatValidatesAgainstTheSchema() throws {
        let dir = try tempDir(["a.flow.yaml": brokenTemplate, "b.flow.yaml": warningTemplate])
        let r = flowc("check", "--format", "sarif", dir)
        #expect(r.code == 1)
        let sarifPath = dir + "/out.sarif"
        try r.out.write(toFile: sarifPath, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", repoRoot + "/Tests/scripts/validate-sarif.py", sarifPath]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(String(decoding: output, as: UTF8.self))")
        let log = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(log["version"] as? String == "2.1.0")
    }

    @Test func colourOnlyOnATerminalAndNeverWithNO_COLOR() throws {
        let dir = try tempDir(["a.flow.yaml": brokenTemplate])
        let path = dir + "/a.flow.yaml"
        #expect(!flowc("check", path).out.contains("\u{1B}["))
        #expect(flowc("check", path, terminal: true).out.contains("\u{1B}["))
        #expect(!flowc("check", path, terminal: true, env: ["NO_COLOR": "1"]).out.contains("\u{1B}["))
        #expect(flowc("check", "--color", "always", path).out.contains("\u{1B}["))
        #expect(!flowc("check", "--color", "never", path, terminal: true).out.contains("\u{1B}["))
    }

    @Test func diagnosticsAreCappedWithACount() throws {
        var t = cleanTemplate
        let many = (0..<12).map { "  - {id: extra_\($0), name: 多余, owner: sales_owner, next: nowhere_\($0)}" }
        t = t.replacingOccurrences(of: "  - {id: won, name: 赢单, kind: won}", with: many.joined(separator: "\n") + "\n  - {id: won, name: 赢单, kind: won}")
        let dir = try tempDir(["a.flow.yaml": t])
        let r = flowc("check", "--max-diagnostics", "3", dir + "/a.flow.yaml")
        #expect(r.code == 1)
        #expect(r.out.contains("not shown"))
        #expect(r.out.components(separatedBy: "error[").count - 1 == 3)
        // The cap is for people reading a terminal: the machine forms carry every diagnostic,
        // as `--help` and language.md §19 say.
        let all = flowc("check", dir + "/a.flow.yaml", "--format", "json").out.split(separator: "\n").count
        #expect(all > 3)
        let json = flowc("check", "--max-diagnostics", "3", "--format", "json", dir + "/a.flow.yaml")
        #expect(json.code == 1)
        #expect(json.out.split(separator: "\n").count == all)
        let sarif = flowc("check", "--max-diagnostics", "3", "--format", "sarif", dir + "/a.flow.yaml")
        #expect(sarif.code == 1)
        #expect(sarif.out.components(separatedBy: "\"ruleId\"").count - 1 == all)
        #expect(flowc("check", "--help").out.contains("human output only"))
    }

    @Test func bundledTemplatesCheckCleanThroughTheCLI() {
        let r = flowc("check", repoRoot + "/templates")
        #expect(r.code == 0, "\(r.out)")
    }
}

@Suite struct CompileCommandTests {
    @Test func compileWritesAnIRThatLoadsBack() throws {
        let dir = try tempDir(["a.flow.yaml": cleanTemplate])
        let out = dir + "/a.ir.json"
        let r = flowc("compile", dir + "/a.flow.yaml", "-o", out)
        #expect(r.code == 0, "\(r.err)")
        #expect(r.err.contains("sha256:"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        #expect(json["format"] as? String == "flowc-ir")
        #expect(json["formatVersion"] as? Int == 1)
    }

    /// `-o` naming the template itself (by its path, or through a link) would replace an
    /// author's template with its IR, or its picture: a usage error, and the template stays.
    @Test func anOutputThatIsTheInputIsRefused() throws {
        let dir = try tempDir(["a.flow.yaml": cleanTemplate])
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.yaml", withDestinationPath: "a.flow.yaml")
        for output in [dir + "/a.flow.yaml", dir + "/./a.flow.yaml", dir + "/link.yaml"] {
            let r = flowc("compile", dir + "/a.flow.yaml", "-o", output)
            #expect(r.code == 2)
            #expect(r.err == "\(output): error[FC0008]: cannot write `\(output)`: it is the template being compiled: the IR would replace it; name another file with -o\n")
            let g = flowc("graph", dir + "/a.flow.yaml", "-o", output)
            #expect(g.code == 2)
            #expect(g.err.hasPrefix("\(output): error[FC0008]: cannot write `\(output)`: it is the template being drawn"), "\(g.err)")
        }
        #expect(try String(contentsOfFile: dir + "/a.flow.yaml", encoding: .utf8) == cleanTemplate)
    }

    /// A compiled machine given to `compile` is said to be one (FC1307, exit 2), not read as a
    /// template (some two hundred errors about missing keys); nothing is written.
    @Test func compilingACompiledMachineIsRefused() throws {
        let dir = try tempDir(["a.flow.yaml": cleanTemplate])
        #expect(flowc("compile", dir + "/a.flow.yaml", "-o", dir + "/a.json").code == 0)
        let r = flowc("compile", dir + "/a.json", "-o", dir + "/z.json")
        #expect(r.code == 2)
        #expect(r.err == "\(dir)/a.json: error[FC1307]: `\(dir)/a.json` is already a compiled machine (flowc IR): "
            + "`flowc compile` takes the template it was compiled from (`.flow.yaml`)\n", "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/z.json"))
        // The output-is-the-input check still comes first.
        let same = flowc("compile", dir + "/a.json", "-o", dir + "/a.json")
        #expect(same.code == 2)
        #expect(same.err.hasPrefix("\(dir)/a.json: error[FC0008]: cannot write `\(dir)/a.json`: it is the template being compiled"), "\(same.err)")
        // A `.json` that does not exist is unreadable, as any missing file.
        let missing = flowc("compile", dir + "/missing.json")
        #expect(missing.code == 2)
        #expect(!missing.err.contains("FC1307"), "\(missing.err)")
        let explained = flowc("explain", "FC1307")
        #expect(explained.code == 0, "\(explained.err)")
        #expect(explained.out.hasPrefix("FC1307: compile-compiled-machine (error)\n"), "\(explained.out)")
    }

    /// An output never replaces a deal store (any SQLite database), a file of a store's machine
    /// archive, or a file the template includes: `graph --deal D --db S -o S` and `compile -o S`
    /// wrote over every deal, exit 0; a fragment shared by four templates was replaced by an IR.
    @Test func anOutputNeverReplacesAStoreAnArchiveFileOrAnIncludedFile() throws {
        let db = try Examples.loaded()
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let graph = flowc("graph", Examples.template, "--deal", "D-1001", "--db", db, "-o", db)
        #expect(graph.code == 2)
        #expect(graph.err == "\(db): error[FC0008]: cannot write `\(db)`: it is an SQLite database (a deal store?), which an output never replaces\n", "\(graph.err)")
        let compile = flowc("compile", Examples.template, "-o", db)
        #expect(compile.code == 2)
        #expect(compile.err.hasSuffix("\(db): error[FC0008]: cannot write `\(db)`: it is an SQLite database (a deal store?), which an output never replaces\n"), "\(compile.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        // Nor its write-ahead log, where a writer that died may have left committed writes.
        try Data("log".utf8).write(to: URL(fileURLWithPath: db + "-wal"))
        let wal = flowc("compile", Examples.template, "-o", db + "-wal")
        #expect(wal.code == 2)
        #expect(wal.err.hasSuffix("it belongs to an SQLite database (a deal store?), which an output never replaces\n"), "\(wal.err)")
        #expect(try String(contentsOfFile: db + "-wal", encoding: .utf8) == "log")
        try FileManager.default.removeItem(atPath: db + "-wal")
        let archive = db + ".machines"
        let machine = try #require(try FileManager.default.contentsOfDirectory(atPath: archive).first { $0.hasSuffix(".ir.json") })
        let report = flowc("report", "--db", db, "--html", archive + "/" + machine)
        #expect(report.code == 2)
        #expect(report.err.contains("it is in a deal store's machine archive"), "\(report.err)")
        #expect(flowc("deal", "show", "D-1001", "--db", db).code == 0)

        let dir = try tempDir([:])
        try FileManager.default.copyItem(atPath: repoRoot + "/templates", toPath: dir + "/t")
        let fragment = dir + "/t/fragments/common-roles.flow.yaml"
        let text = try String(contentsOfFile: fragment, encoding: .utf8)
        let c = flowc("compile", dir + "/t/standard-sale.flow.yaml", "-o", fragment)
        #expect(c.code == 2)
        #expect(c.err.hasSuffix("a file the template includes: the IR would replace it; name another file with -o\n"), "\(c.err)")
        let g = flowc("graph", dir + "/t/standard-sale.flow.yaml", "-o", dir + "/t/./fragments/common-roles.flow.yaml")
        #expect(g.code == 2)
        #expect(g.err.contains("a file the template includes: the picture would replace it"), "\(g.err)")
        #expect(try String(contentsOfFile: fragment, encoding: .utf8) == text)
        // Nor another template.
        let renewal = dir + "/t/renewal-upsell.flow.yaml"
        let other = flowc("compile", dir + "/t/standard-sale.flow.yaml", "-o", renewal)
        #expect(other.code == 2)
        #expect(other.err.hasSuffix("it is a template (`.flow.yaml`), which an output never replaces\n"), "\(other.err)")
        #expect(flowc("check", renewal).code == 0)
    }

    @Test func compileRefusesATemplateWithErrors() throws {
        let dir = try tempDir(["a.flow.yaml": brokenTemplate])
        let r = flowc("compile", dir + "/a.flow.yaml", "-o", dir + "/a.ir.json")
        #expect(r.code == 1)
        #expect(r.err.contains("error[FC0302]"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/a.ir.json"))
    }

    @Test func compilePrintsTheTemplatesWarningsOnStandardErrorAsCheckDoes() throws {
        let dir = try tempDir(["a.flow.yaml": warningTemplate])
        let r = flowc("compile", dir + "/a.flow.yaml", "-o", dir + "/a.json")
        #expect(r.code == 0, "\(r.err)")
        #expect(r.err.hasPrefix("\(dir)/a.flow.yaml:2:16: warning[FC0705]: the template has no `lose`: open deals cannot be lost\n"), "\(r.err)")
        #expect(r.err.contains("\n1 warning\n"), "\(r.err)")
        #expect(r.err.contains("compiled `mini` 1 (4 nodes) to \(dir)/a.json\n"), "\(r.err)")
        #expect(FileManager.default.fileExists(atPath: dir + "/a.json"))
        // Written to standard output, the IR stays apart from them.
        let toStdout = flowc("compile", dir + "/a.flow.yaml")
        #expect(toStdout.code == 0)
        #expect(toStdout.out.hasPrefix("{"))
        #expect(toStdout.err.contains("warning[FC0705]"))
        let quiet = flowc("compile", "--quiet", dir + "/a.flow.yaml", "-o", dir + "/q.json")
        #expect(quiet.code == 0)
        // Errors only, as its help says: not the line that says what was written either (CLI
        // review, C16: it was printed).
        #expect(quiet.err.isEmpty, "\(quiet.err)")
        #expect(FileManager.default.fileExists(atPath: dir + "/q.json"))
    }

    @Test func compileRefusingATemplateShowsItsWarningsWithItsErrors() throws {
        let broken = brokenTemplate.replacingOccurrences(of: "lose: {via: loss_review, reasons: [price]}\n", with: "")
        let dir = try tempDir(["a.flow.yaml": broken])
        let r = flowc("compile", dir + "/a.flow.yaml", "-o", dir + "/a.json")
        #expect(r.code == 1)
        #expect(r.err.contains("warning[FC0705]"), "\(r.err)")
        #expect(r.err.contains("error[FC0302]"), "\(r.err)")
        #expect(r.err.contains("\n1 error, 1 warning\n"), "\(r.err)")
        let quiet = flowc("compile", "-q", dir + "/a.flow.yaml", "-o", dir + "/a.json")
        #expect(quiet.code == 1)
        #expect(quiet.err.contains("error[FC0302]"))
        #expect(!quiet.err.contains("warning"), "\(quiet.err)")
    }

    @Test func graphPrintsTheTemplatesWarningsUnlessQuiet() throws {
        let dir = try tempDir(["a.flow.yaml": warningTemplate])
        let r = flowc("graph", dir + "/a.flow.yaml")
        #expect(r.code == 0)
        #expect(r.out.contains("digraph"), "\(r.out.prefix(40))")
        #expect(r.err.hasPrefix("\(dir)/a.flow.yaml:2:16: warning[FC0705]: the template has no `lose`: open deals cannot be lost\n"), "\(r.err)")
        let quiet = flowc("graph", "--quiet", dir + "/a.flow.yaml")
        #expect(quiet.code == 0)
        #expect(quiet.err.isEmpty, "\(quiet.err)")
        // Written to a file: the line that says so is left out too.
        let toFile = flowc("graph", "--quiet", dir + "/a.flow.yaml", "--format", "svg", "-o", dir + "/a.svg")
        #expect(toFile.code == 0)
        #expect(toFile.err.isEmpty, "\(toFile.err)")
        #expect(FileManager.default.fileExists(atPath: dir + "/a.svg"))
        #expect(flowc("graph", dir + "/a.flow.yaml", "--format", "svg", "-o", dir + "/b.svg").err.contains("wrote the svg"))
    }

    @Test func compileOfAMissingFileExitsTwo() {
        #expect(flowc("compile", "/nonexistent/x.flow.yaml").code == 2)
    }

    /// A fragment has no flow: compiling it wrote a machine of 0 nodes that no command loads.
    @Test func compileRefusesAFragmentAsTestDoes() throws {
        let dir = try tempDir([:])
        let fragment = repoRoot + "/templates/fragments/common-roles.flow.yaml"
        let message = "\(fragment): error[FC1305]: `\(fragment)` is a fragment: it has no flow of its own; use a template that includes it\n"
        let r = flowc("compile", fragment, "-o", dir + "/f.json")
        #expect(r.code == 2)
        #expect(r.err == message, "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/f.json"))
        let test = flowc("test", fragment)
        #expect(test.code == 2)
        #expect(test.err == message, "\(test.err)")
        let graph = flowc("graph", fragment)
        #expect(graph.code == 2)
        #expect(graph.err == message, "\(graph.err)")
    }
}

/// A file that cannot be written is said so in plain words, by every command that writes one
/// (Foundation's own text on Linux is "The operation could not be completed. (NSCocoaErrorDomain
/// error 512.)").
@Suite struct WriteErrorTests {
    @Test func compileSaysWhyItCannotWrite() throws {
        let dir = try tempDir(["a.flow.yaml": cleanTemplate])
        let toDirectory = flowc("compile", dir + "/a.flow.yaml", "-o", dir)
        #expect(toDirectory.code == 2)
        #expect(toDirectory.err == "\(dir): error[FC0008]: cannot write `\(dir)`: is a directory\n")
        let noParent = flowc("compile", dir + "/a.flow.yaml", "-o", dir + "/none/a.json")
        #expect(noParent.code == 2)
        // The missing part is named, as the rejects file names it (QA round 33, Q6).
        #expect(noParent.err == "\(dir)/none/a.json: error[FC0008]: cannot write `\(dir)/none/a.json`: the directory `\(dir)/none` does not exist\n")
    }

    @Test func graphSaysWhyItCannotWrite() throws {
        let dir = try tempDir(["a.flow.yaml": cleanTemplate])
        let r = flowc("graph", dir + "/a.flow.yaml", "-o", dir)
        #expect(r.code == 2)
        #expect(r.err == "\(dir): error[FC0008]: cannot write `\(dir)`: is a directory\n")
    }

    @Test func reportAndRunSayWhyTheyCannotWrite() throws {
        let db = try Examples.loaded()
        let dir = try tempDir([:])
        let report = flowc("report", "--db", db, "--html", dir, "--format", "json")
        #expect(report.code == 2)
        #expect(report.err == "\(dir): error[FC0008]: cannot write `\(dir)`: is a directory\n")
        // An empty path is named as such (it was "NSCocoaErrorDomain error 512"; QA round 14, m6).
        let empty = flowc("report", "--db", db, "--html", "", "--format", "json")
        #expect(empty.code == 2)
        #expect(empty.err == "--html: error[FC0008]: cannot write ``: the path is empty; name a file\n")
        let graph = flowc("graph", Examples.template, "-o", "")
        #expect(graph.err == "-o: error[FC0008]: cannot write ``: the path is empty; name a file\n")
        #expect(flowc("compile", Examples.template, "-o", "").err == "-o: error[FC0008]: cannot write ``: the path is empty; name a file\n")
        let onStore = flowc("report", "--db", db, "--html", db, "--format", "json")
        #expect(onStore.code == 2)
        #expect(onStore.err == "\(db): error[FC0008]: cannot write `\(db)`: it is the store being reported on: the page would replace it; name another file with --html\n")
        #expect(flowc("deal", "verify", "--db", db).code == 0)
        // A file that is there but whose directory takes no new file (the page is written beside
        // it and renamed over it): that is the reason, not "no such file" (QA round 30, N16).
        if FileManager.default.fileExists(atPath: "/proc/version") {
            let proc = flowc("report", "--db", db, "--html", "/proc/version", "--format", "json")
            #expect(proc.code == 2)
            #expect(proc.err == "/proc/version: error[FC0008]: cannot write `/proc/version`: cannot create a file in `/proc` to replace it with: no such file or directory\n", "\(proc.err)")
            // A new file there, a page or a picture (QA round 33, Q6).
            let new = flowc("report", "--db", db, "--html", "/proc/new.html", "--format", "json")
            #expect(new.err == "/proc/new.html: error[FC0008]: cannot write `/proc/new.html`: cannot create a file in `/proc`: no such file or directory\n", "\(new.err)")
            let picture = flowc("graph", Examples.template, "-o", "/proc/g.svg")
            #expect(picture.err == "/proc/g.svg: error[FC0008]: cannot write `/proc/g.svg`: cannot create a file in `/proc`: no such file or directory\n", "\(picture.err)")
        }
        // A directory that is not there is said as the rejects file says it (Q6).
        let nowhere = flowc("report", "--db", db, "--html", dir + "/none/r.html", "--format", "json")
        #expect(nowhere.err == "\(dir)/none/r.html: error[FC0008]: cannot write `\(dir)/none/r.html`: the directory `\(dir)/none` does not exist\n", "\(nowhere.err)")
        // A file where the directory would be (QA round 34, S6).
        try "x".write(toFile: dir + "/plain", atomically: true, encoding: .utf8)
        let underFile = flowc("report", "--db", db, "--html", dir + "/plain/r.html", "--format", "json")
        #expect(underFile.err == "\(dir)/plain/r.html: error[FC0008]: cannot write `\(dir)/plain/r.html`: `\(dir)/plain` is not a directory\n", "\(underFile.err)")
        let emptyRejects = flowc("run", Examples.template, "--deals", Examples.bad, "--db", db + ".other", "--rejects", "")
        #expect(emptyRejects.code == 2)
        #expect(emptyRejects.err == "error: the rejects file's path is empty: name a file (or /dev/null) with --rejects or --events-rejects\n")
        #expect(!FileManager.default.fileExists(atPath: db + ".other"), "nothing is run")
        let run = flowc("run", Examples.template, "--deals", Examples.bad, "--db", db, "--rejects", dir)
        #expect(run.code == 2)
        #expect(run.err.hasSuffix("\(dir): error[FC0008]: cannot write `\(dir)`: it is a directory (the rejects file)\n"), "\(run.err)")
    }
}

@Suite struct OtherCommandTests {
    @Test func explainPrintsTheLongExplanation() {
        let r = flowc("explain", "FC0302")
        #expect(r.code == 0)
        #expect(r.out.hasPrefix("FC0302: unknown-node (error)"))
        #expect(r.out.contains("propsal"))
    }

    /// A deals file checked as a template says what it is (QA round 22).
    @Test func aDealsFileCheckedAsATemplateIsNamedAsSuch() {
        let r = flowc("check", Examples.deals, "--format", "json")
        #expect(r.code == 1)
        let first = r.out.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.contains("`standard-sale.deals.jsonl` looks like a file of deal records, not a template (`*.flow.yaml`): "
                               + "`flowc run TEMPLATE --deals FILE` runs it"), "\(r.out)")
        #expect(first.contains(#""help":null"#), "\(first)")
        #expect(!flowc("check", Examples.template).out.contains("deal records"))
    }

    @Test func explainAcceptsLowercaseAndListsAllWithoutACode() {
        #expect(flowc("explain", "fc0101").code == 0)
        // The number alone, as a scenario's `refused: 1115` takes it (QA round 22).
        #expect(flowc("explain", "302").out.hasPrefix("FC0302: unknown-node (error)"))
        #expect(flowc("explain", "1115").out.hasPrefix("FC1115:"))
        #expect(flowc("explain", "12345").code == 2)
        let all = flowc("explain")
        #expect(all.code == 0)
        #expect(all.out.contains("FC0505"))
    }

    /// `flowc help explain` promises each code with its one-line meaning.
    @Test func theListGivesEachCodeItsOneLineMeaning() throws {
        let lines = flowc("explain").out.split(separator: "\n").map(String.init)
        let unknownNode = try #require(lines.first { $0.hasPrefix("FC0302 ") })
        #expect(unknownNode.hasPrefix("FC0302  error    unknown-node "))
        #expect(unknownNode.hasSuffix("  unknown node `…`"), "\(unknownNode)")
        // A message that is only a detail (libyaml's words) gives way to the explanation.
        let yaml = try #require(lines.first { $0.hasPrefix("FC0101 ") })
        #expect(yaml.hasSuffix("  The file is not well-formed YAML"), "\(yaml)")
        for line in lines {
            let columns = line.split(separator: " ", omittingEmptySubsequences: true)
            #expect(columns.count >= 4, "no meaning: \(line)")
            #expect(!line.contains("{0}"), "\(line)")
            #expect(line.count < 200, "\(line)")
        }
        #expect(flowc("help", "explain").out.contains("one-line meaning"))
    }

    @Test(arguments: ["FC1001", "FC1002", "FC1003", "FC1004", "FC1005", "FC1006", "FC1101", "FC1121", "FC1201", "FC1214", "FC1301", "FC1305"])
    func explainKnowsRunnerHostAndScenarioCodes(_ code: String) {
        let r = flowc("explain", code)
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.hasPrefix(code + ": "))
    }

    @Test func everyCodeOfEveryCatalogueIsListedOnce() {
        let codes = flowc("explain").out.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(codes.count > 150)
        #expect(Set(codes).count == codes.count, "a code is defined twice")
    }

    /// The error a corrupt machine file shows is one `flowc explain` knows, with an example.
    @Test func explainKnowsTheMachineLoadersCodes() throws {
        let dir = try tempDir(["a.flow.yaml": cleanTemplate])
        #expect(flowc("compile", dir + "/a.flow.yaml", "-o", dir + "/a.json").code == 0)
        let edited = try String(contentsOfFile: dir + "/a.json", encoding: .utf8).replacingOccurrences(of: "迷你流程", with: "改过的")
        try edited.write(toFile: dir + "/a.json", atomically: true, encoding: .utf8)
        let r = flowc("graph", dir + "/a.json")
        #expect(r.code == 1)
        #expect(r.err.contains("error[FC1004]: the content does not match its hash"), "\(r.err)")
        let explained = flowc("explain", "FC1004")
        #expect(explained.code == 0, "\(explained.err)")
        #expect(explained.out.hasPrefix("FC1004: ir-hash-mismatch (error)\n"), "\(explained.out)")
        #expect(explained.out.contains("flowc compile"))
        let listed = flowc("explain").out.split(separator: "\n").first { $0.hasPrefix("FC1004 ") }
        #expect(listed?.hasPrefix("FC1004  error    ir-hash-mismatch ") == true, "\(listed ?? "")")
        #expect(listed?.hasSuffix("  The machine's content does not match the hash written in it (`template.hash`): the file …") == true, "\(listed ?? "")")
    }

    @Test func explainRejectsUnknownCodesWithExitTwo() {
        let r = flowc("explain", "FC9999")
        #expect(r.code == 2)
        #expect(r.err.contains("no diagnostic FC9999"))
        #expect(flowc("explain", "banana").code == 2)
    }

    @Test(arguments: [["--help"], ["check", "--help"], ["compile", "--help"], ["explain", "--help"], ["rules", "--help"], ["help", "check"]])
    func everyCommandHasHelp(_ args: [String]) {
        let ctx = CLIContext(capture: true)
        let code = Flowc.run(args, context: ctx)
        #expect(code == 0)
        #expect(ctx.out.contains("USAGE"))
    }

    @Test func usageErrorsExitTwo() {
        #expect(flowc("check").code == 2)
        #expect(flowc("check", "--format", "xml", "x").code == 2)
        #expect(flowc("frobnicate").code == 2)
        #expect(flowc("check", "--max-diagnostics", "0", "x").code == 2)
    }

    @Test func versionPrints() {
        let r = flowc("--version")
        #expect(r.code == 0)
        #expect(r.out.contains(FlowcVersion.current))
    }

    @Test func rulesReferenceInDocsIsGeneratedFromTheRules() throws {
        let generated = flowc("rules").out
        let path = repoRoot + "/docs/rules.md"
        if ProcessInfo.processInfo.environment["FLOWC_UPDATE"] == "1" {
            try generated.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let onDisk = try String(contentsOfFile: path, encoding: .utf8)
        #expect(onDisk == generated, "docs/rules.md is stale; run FLOWC_UPDATE=1 swift test")
    }
}

/// docs/cli.md is every command's `--help`, generated: an option cannot be added, changed or
/// dropped without the reference following.
@Suite struct CommandReferenceTests {
    static func reference() -> String {
        var out = """
            # Command reference

            Every command's `--help`, as `flowc help COMMAND` prints it. This file is generated \
            (`FLOWC_UPDATE=1 swift test --filter CommandReference`) and a test keeps it in step \
            with the commands. What the commands do is told in the README, examples/README.md and \
            docs/*.md; this page is the list of their arguments and options.

            """
        func add(_ command: any ParsableCommand.Type, path: [String]) {
            let name = path.joined(separator: " ")
            out += "\n## `\(name)`\n\n```text\n"
            out += Flowc.helpMessage(for: command, columns: 100).trimmingCharacters(in: .whitespacesAndNewlines) + "\n```\n"
            for sub in command.configuration.subcommands {
                add(sub, path: path + [sub._commandName])
            }
        }
        for sub in Flowc.configuration.subcommands { add(sub, path: ["flowc", sub._commandName]) }
        return out
    }

    @Test func theCommandReferenceInDocsIsEveryCommandsHelp() throws {
        let generated = Self.reference()
        let path = repoRoot + "/docs/cli.md"
        if ProcessInfo.processInfo.environment["FLOWC_UPDATE"] == "1" {
            try generated.write(toFile: path, atomically: true, encoding: .utf8)
        }
        let onDisk = try String(contentsOfFile: path, encoding: .utf8)
        #expect(onDisk == generated, "docs/cli.md is stale; run FLOWC_UPDATE=1 swift test --filter CommandReference")
        // Every command is in it, the nested ones included.
        for name in ["flowc check", "flowc run", "flowc deal create", "flowc pool sweep", "flowc outbox ack"] {
            #expect(onDisk.contains("\n## `\(name)`\n"))
        }
    }
}
