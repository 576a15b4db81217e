import FlowCLI
import FlowDiagnostics
import Foundation
import Testing

/// Colour and the progress line follow the terminal of the stream they are written to (review
/// of the CLI, C5: both followed standard output, so `2> log` filled the log with escape codes
/// and `\r` progress lines, and `> out` on a terminal showed no progress at all).
@Suite struct TerminalStreamsTests {
    static let escape = "\u{1B}["
    static let stdoutOnly = (output: true, error: false)
    static let stderrOnly = (output: false, error: true)

    @Test func diagnosticsOnStandardErrorAreColouredByItsTerminal() throws {
        let dir = try tempDir(["bad.flow.yaml": "id: x\nversion: 1\nflow:\n  - id: a\n    next: b\n"])
        let path = dir + "/bad.flow.yaml"
        let logged = flowc("compile", path, terminals: Self.stdoutOnly)
        #expect(logged.code == 1)
        #expect(logged.err.contains("error[FC0201]") && !logged.err.contains(Self.escape), "\(logged.err)")
        let shown = flowc("compile", path, terminals: Self.stderrOnly)
        #expect(shown.code == 1)
        #expect(shown.err.contains(Self.escape), "\(shown.err)")
        // NO_COLOR, FORCE_COLOR and TERM=dumb still decide before the terminal does.
        #expect(!flowc("compile", path, terminals: Self.stderrOnly, env: ["NO_COLOR": "1"]).err.contains(Self.escape))
        #expect(!flowc("compile", path, terminals: Self.stderrOnly, env: ["TERM": "dumb"]).err.contains(Self.escape))
        #expect(flowc("compile", path, env: ["FORCE_COLOR": "1"]).err.contains(Self.escape))

        // The errors of `deals --where`, on standard error, too.
        let db = try Examples.loaded()
        let filter = #"amount >> 1"#
        let whereLogged = flowc("deals", "--db", db, "--where", filter, terminals: Self.stdoutOnly)
        #expect(whereLogged.code == 1 && whereLogged.err.contains("error[") && !whereLogged.err.contains(Self.escape), "\(whereLogged.err)")
        let whereShown = flowc("deals", "--db", db, "--where", filter, terminals: Self.stderrOnly)
        #expect(whereShown.code == 1 && whereShown.err.contains(Self.escape), "\(whereShown.err)")
    }

    /// `--color` on every command that prints diagnostics, not only check, test and report
    /// (CLI review, C6: "Unknown option '--color'. Did you mean '--role'?").
    @Test func everyCommandThatPrintsDiagnosticsTakesColor() throws {
        let dir = try tempDir(["bad.flow.yaml": "id: x\nversion: 1\nflow:\n  - id: a\n    next: b\n"])
        let path = dir + "/bad.flow.yaml", db = dir + "/d.sqlite"
        let commands: [[String]] = [["compile", path], ["graph", path], ["run", path, "--deals", "/dev/null", "--db", db],
                                    ["deal", "create", path, "--id", "D-1", "--db", db], ["migrate", "--to", path, "--db", db]]
        for command in commands {
            let always = flowc(command + ["--color", "always"])
            #expect(always.err.contains("error[FC0201]") && always.err.contains(Self.escape), "\(command): \(always.err)")
            let never = flowc(command + ["--color", "never"], terminals: Self.stderrOnly)
            #expect(never.err.contains("error[FC0201]") && !never.err.contains(Self.escape), "\(command): \(never.err)")
        }
        let loaded = try Examples.loaded()
        // `deal event` takes it too (QA round 29, N4: refused as "give exactly one action").
        let event = flowc(["deal", "event", "D-1003", "--set", "intent=high", "--by", "li.si", "--db", loaded, "--color", "never"])
        #expect(event.code == 0, "\(event.err)")
        let filter = flowc(["deals", "--db", loaded, "--where", "amount >> 1", "--color", "always"])
        #expect(filter.code == 1 && filter.err.contains(Self.escape), "\(filter.err)")
    }

    @Test func whatGoesToStandardOutputIsColouredByItsTerminal() throws {
        let dir = try tempDir(["a.flow.yaml": brokenTemplate])
        let path = dir + "/a.flow.yaml"
        #expect(flowc("check", path, terminals: Self.stdoutOnly).out.contains(Self.escape))
        #expect(!flowc("check", path, terminals: Self.stderrOnly).out.contains(Self.escape))
        #expect(!flowc("check", "--color", "never", path, terminals: Self.stdoutOnly).out.contains(Self.escape))
        #expect(flowc("check", "--color", "always", path, terminals: Self.stderrOnly).out.contains(Self.escape))
        // `flowc test` writes to both: its results by standard output, a file it cannot read by
        // standard error.
        let template = repoRoot + "/templates/standard-sale.flow.yaml"
        #expect(flowc("test", template, terminals: Self.stdoutOnly).out.contains(Self.escape))
        #expect(!flowc("test", template, terminals: Self.stderrOnly).out.contains(Self.escape))
        let missing = dir + "/missing.flow.yaml"
        let logged = flowc("test", missing, terminals: Self.stdoutOnly)
        #expect(logged.code == 2 && logged.err.contains("error[") && !logged.err.contains(Self.escape), "\(logged.err)")
        #expect(flowc("test", missing, terminals: Self.stderrOnly).err.contains(Self.escape))
    }

    @Test func theProgressLineIsShownWhenStandardErrorIsATerminalOnly() throws {
        let progress = "\r\u{1B}[2K"
        let toLog = flowc("run", Examples.template, "--deals", Examples.deals, "--db", try Examples.db(), terminals: Self.stdoutOnly)
        #expect(toLog.code == 0)
        #expect(!toLog.err.contains(progress) && !toLog.err.contains("records (100%)"), "\(toLog.err)")
        let toTerminal = flowc("run", Examples.template, "--deals", Examples.deals, "--db", try Examples.db(), terminals: Self.stderrOnly)
        #expect(toTerminal.code == 0)
        #expect(toTerminal.err.contains("\(progress)\(Examples.deals): 6/6 records (100%)"), "\(toTerminal.err)")
        // A terminal that cannot take `\r` and `ESC[2K`.
        let dumb = flowc("run", Examples.template, "--deals", Examples.deals, "--db", try Examples.db(), terminal: true, env: ["TERM": "dumb"])
        #expect(dumb.code == 0)
        #expect(!dumb.err.contains(progress) && !dumb.err.contains("records (100%)"), "\(dumb.err)")
    }

    /// The progress line's "created" counts the deals created so far, those of the batch not
    /// written yet included (it said "0 created" at 100 % of a run that created 3).
    @Test func theProgressLineCountsTheDealsCreatedSoFar() throws {
        let db = try Examples.db()
        let r = flowc("run", Examples.template, "--deals", Examples.bad, "--db", db, "--rejects", PathText.directory(of: db) + "/bad.rejects.jsonl",
                      terminals: Self.stderrOnly)
        #expect(r.code == 1)
        #expect(r.out.contains("3 created"), "\(r.out)")
        #expect(r.err.contains("\(Examples.bad): 7/7 records (100%), 3 created, 4 rejected"), "\(r.err)")
    }
}
