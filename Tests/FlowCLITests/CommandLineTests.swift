@testable import FlowCLI
import Foundation
import Testing

/// The command line as a whole (white-box review of the CLI, C2, C11, C12, C13).
@Suite struct CommandLineTests {
    /// A misspelt command is named, with a did-you-mean and the commands there are, at every
    /// level and after `help`; a command group without a command is a usage error (they printed
    /// "2 unexpected arguments", or a help with exit 0).
    @Test func aMisspeltCommandIsNamedWithADidYouMean() {
        let top = "error: `chek` is not a command of `flowc` (did you mean `check`?); its commands: check, compile, explain, rules, test, run, "
            + "deal, pool, tick, migrate, graph, deals, report, outbox (`flowc --help` tells more)\n"
        for args in [["chek", "x.flow.yaml"], ["help", "chek"]] {
            let r = flowc(args)
            #expect(r.code == 2, "\(args)")
            #expect(r.err == top, "\(r.err)")
            #expect(r.out.isEmpty)
        }
        let sub = flowc(["deal", "shw", "D-1"])
        #expect(sub.code == 2)
        #expect(sub.err == "error: `shw` is not a command of `flowc deal` (did you mean `show`?); its commands: create, event, show, history, why, verify (`flowc deal --help` tells more)\n", "\(sub.err)")
        let bare = flowc(["pool"])
        #expect(bare.code == 2)
        #expect(bare.err == "error: `flowc pool` takes a command: list, claim, release, assign, sweep (`flowc pool --help` tells more)\n", "\(bare.err)")
        // What names a command still runs it; help on a group is still help.
        #expect(flowc(["help", "deal"]).code == 0)
        // `help` on itself says what it does.
        let helpHelp = flowc(["help", "help"])
        #expect(helpHelp.code == 0 && helpHelp.out.hasPrefix("flowc help [COMMAND [SUBCOMMAND]]: the help of a command"), "\(helpHelp)")
        #expect(flowc(["deal", "--help"]).code == 0)
        #expect(flowc(["explain", "FC0201"]).code == 0)
        #expect(flowc(["--version"]).code == 0)
    }

    /// Negative values of numeric options get their range, not "Missing value"; a file size past
    /// the 1 GiB the reader takes is refused, not a trap (`Int.max`, a script's "no limit").
    @Test func numericOptionsAreHeldToTheirRange() {
        let t = Examples.template
        let huge = flowc(["check", t, "--max-file-size", "9223372036854775807"])
        #expect(huge.code == 2)
        #expect(huge.err.hasPrefix("Error: --max-file-size must be from 1 to 1073741824 bytes (1 GiB)\n"), "\(huge.err)")
        #expect(flowc(["check", t, "--max-file-size", "1073741824"]).code == 0)
        let negative = flowc(["check", t, "--max-file-size", "-1"])
        #expect(negative.err.hasPrefix("Error: --max-file-size must be from 1 to 1073741824 bytes (1 GiB)\n"), "\(negative.err)")
        #expect(flowc(["check", t, "--max-diagnostics", "-1"]).err.hasPrefix("Error: --max-diagnostics must be at least 1\n"))
        let wait = flowc(["deal", "show", "D-1", "--lock-timeout", "-1"])
        #expect(wait.code == 2)
        #expect(wait.err.hasPrefix("Error: --lock-timeout: seconds, from 0 (do not wait) to a year\n"), "\(wait.err)")
    }

    /// `--at` is one grammar, said alike on every command that takes it (review of the CLI, C15):
    /// a delay (`+1d`) follows the deal's last event, so a creation, which has none, takes a time
    /// only (it took `+1d` from now and refused it as in the future), and every help says that
    /// the time may not be later than now.
    @Test func atIsReadAndDescribedAlikeEverywhere() throws {
        let db = try Examples.loaded()
        let create = flowc(["deal", "create", Examples.template, "--id", "AT1", "--owner", "q", "--set", "customer_name=AT1co", "--at", "+1d", "--db", db])
        #expect(create.code == 2)
        #expect(create.err.hasPrefix("Error: --at: `+1d` is a delay, which only an event on a deal takes (after its last event): give an ISO-8601 datetime with zone (2024-06-01T09:00:00+08:00) or epoch seconds\n"), "\(create.err)")
        let dated = flowc(["deal", "create", Examples.template, "--id", "AT1", "--owner", "q", "--set", "customer_name=AT1co", "--at", "2024-06-01T00:00:00Z", "--db", db])
        #expect(dated.code == 0, "\(dated.err)")
        let event = "When: +3d (after the deal's last event), ISO-8601 with zone, or epoch seconds; not later than now (default: now)."
        for command in [["deal", "event"], ["pool", "claim"], ["pool", "release"], ["pool", "assign"]] {
            let help = flowc(command + ["--help"]).out.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            #expect(help.contains(event), "\(command): \(help)")
        }
        for command in [["tick"], ["pool", "sweep"]] {
            let help = flowc(command + ["--help"]).out.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            #expect(help.contains("ISO-8601 with zone, or epoch seconds; not later than now (default: now)."), "\(command): \(help)")
        }
        // One wording everywhere, milliseconds told as `--now` tells them (QA round 30, N14).
        for command in [["tick"], ["pool", "sweep"], ["deal", "create", Examples.template, "--id", "AT2", "--owner", "q"]] {
            let r = flowc(command + ["--at", "1719000000000", "--db", db])
            #expect(r.code == 2 && r.err.hasPrefix("Error: --at: `1719000000000` as epoch seconds is past the year 9999; as milliseconds (which `date +%s%3N` writes), it is `1719000000` in seconds\n"), "\(command): \(r.err)")
        }
        for command in [["deal", "event", "D-1004", "--set", "intent=low"], ["pool", "claim", "D-1004", "--by", "q"]] {
            let r = flowc(command + ["--at", "-1h", "--db", db])
            #expect(r.code == 2 && r.err.hasPrefix("Error: --at: expected +3d (after the deal's last event), an ISO-8601 datetime with zone (2024-06-01T09:00:00+08:00) or epoch seconds\n"), "\(command): \(r.err)")
        }
        // A delay after the claimed deal's last event is taken as a delay.
        let claim = flowc(["pool", "claim", "D-1004", "--by", "q", "--at", "+1h", "--db", db])
        #expect(claim.code == 0, "\(claim.err)")
    }

    /// Every command with a `--format` takes `human` and `text` for its form for people, whatever
    /// its own word for it (review of the CLI, C7: `--format human` failed on report, `--format
    /// text` on check, both on deals).
    @Test func theFormForPeopleIsHumanOrTextEverywhere() throws {
        let db = try Examples.loaded()
        let now = ["--now", "2024-07-01T00:00:00Z"]
        let commands: [[String]] = [
            ["check", Examples.template], ["deals", "--db", db] + now, ["report", "--db", db] + now,
            ["migrate", "--to", Examples.template, "--db", db], ["test", repoRoot + "/templates/standard-sale.flow.yaml"],
        ]
        for command in commands {
            let plain = flowc(command)
            #expect(!plain.out.isEmpty, "\(command)")
            for word in ["human", "text"] {
                let named = flowc(command + ["--format", word])
                #expect(named.code == plain.code, "\(command) \(word): \(named.err)")
                #expect(named.out == plain.out, "\(command) \(word)")
            }
        }
        #expect(flowc(["deals", "--db", db, "--format", "table"]).code == 0)
        #expect(flowc(["deals", "--db", db, "--format", "prose"]).code == 2)
    }

    /// `flowc check -` checks the template on standard input (an editor's unsaved buffer), under
    /// the name `--stdin-name` gives it, from which its includes are resolved (review of the CLI,
    /// C19: "cannot read `-`").
    @Test func checkReadsATemplateFromStandardInput() throws {
        let text = try String(contentsOfFile: Examples.template, encoding: .utf8)
        let named = flowc(["check", "-", "--stdin-name", Examples.template], standardInput: text)
        #expect(named.code == 0, "\(named.out)")
        #expect(named.out == "checked 1 file: no problems\n")
        // A mistake is located under the name given.
        let typo = text.replacingOccurrences(of: "  via: loss_review", with: "  via: loss_reveiw")
        #expect(typo != text)
        let wrong = flowc(["check", "-", "--stdin-name", Examples.template, "--format", "json"], standardInput: typo)
        #expect(wrong.code == 1)
        #expect(wrong.out.contains(#""code":"FC0302""#) && wrong.out.contains(#""path":"\#(Examples.template)""#), "\(wrong.out)")
        // Unnamed, it is `<stdin>` in the current directory, where the template's include is not.
        let unnamed = flowc(["check", "-"], standardInput: text)
        #expect(unnamed.code == 1)
        #expect(unnamed.out.hasPrefix("<stdin>:26:11: error[FC0305]: cannot load `fragments/common-roles.flow.yaml`"), "\(unnamed.out)")
        // Held to the size limit, read no further than one byte past it (an endless stream is
        // refused at once; QA round 30, N1).
        let large = flowc(["check", "-", "--max-file-size", "100"], standardInput: text)
        #expect(large.code == 1)
        #expect(large.out.hasPrefix("<stdin>: error[FC0108]: file is at least 101 bytes, more than the limit of 100\n"), "\(large.out)")
        // A stream of exactly the limit is read whole.
        #expect(flowc(["check", "-", "--stdin-name", Examples.template, "--max-file-size", "\(text.utf8.count)"], standardInput: text).code == 0)
        // A saved view is checked as a view, as its file is (QA round 30, N3: nine template errors).
        let viewPath = repoRoot + "/templates/views/big-open-deals.view.yaml"
        let view = flowc(["check", "-", "--stdin-name", viewPath], standardInput: try String(contentsOfFile: viewPath, encoding: .utf8))
        #expect(view.code == 0 && view.out == "checked 1 file: no problems\n", "\(view.out)")
        let badView = flowc(["check", "-", "--stdin-name", viewPath], standardInput: "flowc: 1\nview: {id: v}\ntemplate: ../standard-sale.flow.yaml\nwhere: amout > 1\n")
        #expect(badView.code == 1 && badView.out.contains("big-open-deals.view.yaml:4:8: error["), "\(badView.out)")
        // With files, once.
        #expect(flowc(["check", "-", Examples.template, "--stdin-name", repoRoot + "/templates/copy.flow.yaml"], standardInput: text).out == "checked 2 files: no problems\n")
        #expect(flowc(["check", "-", "-"], standardInput: text).code == 2)
        #expect(flowc(["check", Examples.template, "--stdin-name", "x.flow.yaml"]).code == 2)
        #expect(flowc(["check", "-", "--stdin-name", repoRoot + "/templates"], standardInput: text).err.contains("not a directory"))
    }

    /// A file whose name is not UTF-8 (GBK, from a zip made on Chinese Windows) cannot be opened
    /// through a name flowc was given as text; it is said so, not only "no such file", even when
    /// `check DIR` found it (CLI review, C8).
    @Test func aFileNameThatIsNotUTF8IsSaidSo() throws {
        let dir = try tempDir([:])
        // The GBK bytes of 中, made through the system's byte paths.
        let name = Array(dir.utf8).map { CChar(bitPattern: $0) } + [CChar(bitPattern: 0x2F), CChar(bitPattern: 0xD6), CChar(bitPattern: 0xD0)]
            + Array(".flow.yaml".utf8).map { CChar(bitPattern: $0) } + [0]
        let fd = open(name, O_CREAT | O_WRONLY, 0o644)
        #expect(fd >= 0)
        close(fd)
        let r = flowc(["check", dir])
        #expect(r.code == 2)
        #expect(r.out.contains(".flow.yaml`: its name is not UTF-8 (`\u{FFFD}` stands for the bytes that are not), as a GBK name"), "\(r.out)")
        let run = flowc(["run", Examples.template, "--deals", dir + "/\u{FFFD}\u{FFFD}.jsonl", "--db", dir + "/d.sqlite"])
        #expect(run.code == 2)
        #expect(run.err.contains(".jsonl`: its name is not UTF-8 (`\u{FFFD}` stands for the bytes that are not)"), "\(run.err)")
        // A name that is simply missing says only that.
        #expect(flowc(["check", dir + "/none.flow.yaml"]).out.contains("`: no such file or directory\n"))
    }

    /// `run --format` is the deals file's format; `json`, the output format of every other
    /// command's `--format`, is answered with `--json` (CLI review, C9).
    @Test func runsFormatJSONPointsToJSON() throws {
        let r = flowc(["run", Examples.template, "--deals", Examples.deals, "--db", "/nonexistent/x.sqlite", "--format", "json"])
        #expect(r.code == 2)
        #expect(r.err.contains("run's --format says how the deals file is written, jsonl or csv (JSON Lines is `jsonl`); for the run's summary as JSON, use --json"), "\(r.err)")
        let other = flowc(["run", Examples.template, "--deals", Examples.deals, "--db", "/nonexistent/x.sqlite", "--format", "xml"])
        #expect(other.err.contains("the deals file's format is jsonl or csv, not `xml`"), "\(other.err)")
    }

    /// `tick`'s text report names at most 20 returned deals and counts the rest (QA round 29,
    /// N2: one line of 17,499 ids).
    @Test func tickNamesAtMostTwentyReturnedDeals() {
        #expect(TickCommand.returnedLine(["D-1", "D-2"]) == "returned to the public pool: D-1, D-2")
        let many = (1...25).map { "D-\($0)" }
        #expect(TickCommand.returnedLine(many) == "returned to the public pool: " + many.prefix(20).joined(separator: ", ")
            + ", and 5 more (`flowc pool list public` lists the public pool; --json or --verbose names every deal)")
    }

    /// `--now` in epoch seconds outside the years 1 to 9999 says so, and one in milliseconds
    /// gives its seconds (QA round 29, C12: "expected … or epoch seconds" for both).
    @Test func aNowOutOfRangeOrInMillisecondsIsSaidSo() {
        let ms = flowc(["deals", "--db", "/nonexistent/x.sqlite", "--now", "1764540000123"])
        #expect(ms.code == 2)
        #expect(ms.err.hasPrefix("Error: --now: `1764540000123` as epoch seconds is past the year 9999; as milliseconds (which `date +%s%3N` writes), it is `1764540000` in seconds\n"), "\(ms.err)")
        let far = flowc(["graph", Examples.template, "--deal", "D-1", "--db", "/nonexistent/x.sqlite", "--now", "253402300800000000"])
        #expect(far.err.hasPrefix("Error: --now: `253402300800000000` as epoch seconds is outside the years 1 to 9999\n"), "\(far.err)")
        #expect(flowc(["deals", "--db", "/nonexistent/x.sqlite", "--now", "soon"]).err.hasPrefix("Error: --now: expected an ISO-8601 datetime with zone"))
    }

    /// A file the system cannot read is said in the system's words, not Foundation's internals
    /// (`Error Domain=NSCocoaErrorDomain Code=256 …`).
    @Test func anUnreadableTemplateIsSaidInTheSystemsWords() throws {
        guard FileManager.default.fileExists(atPath: "/proc/self/mem") else { return }
        let r = flowc(["check", "/proc/self/mem"])
        #expect(r.code == 2)
        #expect(r.out.hasPrefix("/proc/self/mem: error[FC0001]: cannot read `/proc/self/mem`: input/output error\n"), "\(r.out)")
        #expect(!r.out.contains("NSCocoaErrorDomain"))
    }
}
