import FlowCLI
import FlowDiagnostics
import FlowHost
import Foundation
import Testing

/// What a service that shells out to flowc relies on (QA round 13).
@Suite struct IntegratorTests {
    /// Blanks around a deal id and the people a command names are not part of them, on the
    /// command line as in files: `' wang '` is `wang`, and a retry by `wang` is the same creation.
    @Test func theCommandLineDropsBlanksAroundNames() throws {
        let db = try tempDir([:]) + "/s.sqlite"
        let created = flowc(["deal", "create", Examples.template, "--id", " T-1 ", "--owner", " wang ", "--role", "sales_manager= mia ",
                           "--set", "customer_name=空格", "--db", db])
        #expect(created.code == 0, "\(created.err)")
        #expect(created.out.hasPrefix("created deal `T-1`"), "\(created.out)")
        let again = flowc(["deal", "create", Examples.template, "--id", "T-1", "--owner", "wang", "--role", "sales_manager=mia",
                         "--set", "customer_name=空格", "--retry", "--db", db])
        #expect(again.code == 0, "\(again.err)")
        let member = flowc(["deal", "event", " T-1 ", #"{"add_member": {"role": "legal", "person": " lee "}}"#, "--by", " wang ", "--db", db])
        #expect(member.code == 0, "\(member.err)")
        // The reply names the deal as stored.
        #expect(member.out.hasPrefix("applied `add_member` to deal `T-1`\n"), "\(member.out)")
        let show = try #require(try JSONSerialization.jsonObject(with: Data(flowc(["deal", "show", "T-1", "--json", "--db", db]).out.utf8)) as? [String: Any])
        #expect(show["owner"] as? String == "wang")
        let roles = try #require(show["roles"] as? [String: [String]])
        #expect(roles["sales_manager"] == ["mia"] && roles["legal"] == ["lee"])
        #expect(flowc(["deal", "history", "T-1", "--db", db]).out.contains("by `wang`"))
        // The reading commands too, and a line end (a CSV row's CR in a shell loop; QA round 17).
        #expect(flowc(["deal", "show", " T-1 ", "--db", db]).code == 0)
        #expect(flowc(["deal", "why", "T-1\r", "--db", db]).code == 0)
        #expect(flowc(["deal", "history", "T-1\r\n", "--db", db]).code == 0)
        let unknown = flowc(["deal", "show", "T-\r2", "--db", db])
        #expect(unknown.err == "error[FC1203]: there is no deal `T- ↵ 2` in the store\n", "\(unknown.err)")
    }

    /// A retry names the same person acting: another person's retry under the id is refused
    /// (QA round 13: li's retry of wang's claim said "skipped", the deal still wang's). The
    /// pool commands take `--id` and `--retry` as `deal event` does.
    @Test func poolCommandsRetryTheSameClaimOnly() throws {
        let db = try tempDir([:]) + "/p.sqlite"
        #expect(flowc(["deal", "create", Examples.template, "--id", "P-1", "--set", "customer_name=公海客户", "--db", db]).code == 0)
        let claim = ["pool", "claim", "P-1", "--id", "claim-x", "--retry", "--db", db, "--json"]
        let first = flowc(claim + ["--by", "wang"])
        #expect(first.code == 0, "\(first.err)")
        let again = flowc(claim + ["--by", "wang"])
        #expect(again.code == 0, "\(again.err)")
        #expect(again.out.contains(#""applied":0"#) && again.out.contains(#""skipped":1"#), "\(again.out)")
        let other = flowc(claim + ["--by", "li"])
        #expect(other.code == 1)
        #expect(other.out.contains(#""code":"FC1205""#), "\(other.out)")
        #expect(other.err.contains("with another action or another person acting"), "\(other.err)")
        // Without --retry the id already logged is FC1214; --retry without --id is a usage error.
        #expect(flowc(["pool", "release", "P-1", "--by", "wang", "--id", "claim-x", "--db", db]).err.contains("FC1214"))
        #expect(flowc(["pool", "release", "P-1", "--by", "wang", "--retry", "--db", db]).code == 2)
        let release = ["pool", "release", "P-1", "--by", "wang", "--id", "rel-1", "--retry", "--db", db]
        #expect(flowc(release).code == 0)
        #expect(flowc(release).out.hasPrefix("already applied: `release` to deal `P-1` (event `rel-1`); nothing changed"))
    }

    /// `--lock-timeout` bounds the wait for another writer: past it the command changes nothing
    /// and says the store is busy (QA round 13: a stopped writer made every later command wait
    /// for ever, which a service's worker cannot afford).
    @Test func aWriterGivesUpAfterTheLockTimeout() throws {
        let db = try Examples.loaded()
        var held: StoreWriterLock? = try StoreWriterLock.acquire(besideDatabase: db)
        let started = Date()
        let r = flowc(["deal", "event", "D-1006", "--set", "intent=low", "--lock-timeout", "0.3", "--json", "--db", db])
        #expect(r.code == ExitCode.busy)
        #expect(Date().timeIntervalSince(started) >= 0.3)
        #expect(r.out.contains(#""code":"FC1212""#), "\(r.out)")
        #expect(r.out.contains(#""exit":75"#), "\(r.out)")
        #expect(r.err.contains("the store is busy: another writer held its writer lock"), "\(r.err)")
        #expect(held != nil)
        held = nil
        // Released, the same command goes through at once.
        #expect(flowc(["deal", "event", "D-1006", "--set", "intent=low", "--lock-timeout", "0", "--db", db]).code == 0)
        // A usage error stays 2, and is not taken for a busy store.
        #expect(flowc(["deal", "event", "D-1006", "--set", "intent=low", "--lock-timeout", "-1", "--db", db]).code == 2)
    }

    /// Every command that changes deals exits 75 (`EX_TEMPFAIL`) when the store is busy past
    /// `--lock-timeout`, so that a scheduler can tell "try again" from "fix the command" (2)
    /// without reading standard error (review of the CLI, C10: both were 2). The readers go on.
    @Test func everyWriterSaysABusyStoreWithItsOwnStatus() throws {
        let db = try Examples.loaded()
        let dir = PathText.directory(of: db)
        try "deal,owner,customer_name\nB-1,wang,Busy Co\n".write(toFile: dir + "/b.csv", atomically: true, encoding: .utf8)
        var held: StoreWriterLock? = try StoreWriterLock.acquire(besideDatabase: db)
        let wait = ["--lock-timeout", "0", "--db", db]
        let writers: [[String]] = [
            ["deal", "event", "D-1006", "--set", "intent=low"],
            ["deal", "create", Examples.template, "--id", "B-2", "--owner", "wang", "--set", "customer_name=Busy Two"],
            ["pool", "claim", "D-1004", "--by", "zhao"],
            ["pool", "sweep"],
            ["tick"],
            ["run", Examples.template, "--deals", dir + "/b.csv"],
            ["outbox", "ack", "1"],
            ["migrate", "--to", Examples.template, "--apply"],
        ]
        for command in writers {
            let r = flowc(command + wait)
            #expect(r.code == ExitCode.busy, "\(command): \(r.code) \(r.err)")
            #expect(r.err.contains("error[FC1212]: the store failed: the store is busy: another writer held its writer lock"), "\(command): \(r.err)")
            // Not waited for at all: no note says it is.
            #expect(!r.err.contains("waiting"), "\(command): \(r.err)")
        }
        // Reading commands do not wait for the writer lock.
        #expect(flowc(["deal", "show", "D-1006"] + wait).code == 0)
        #expect(flowc(["deals"] + wait).code == 0)
        // A malformed option is still a usage error, and so is an `--at` after the clock, said
        // before the store is waited for (QA round 30, N4: 75 while the store was busy).
        #expect(flowc(["tick", "--frobnicate"] + wait).code == ExitCode.usage)
        for command in [["tick"], ["pool", "sweep"]] {
            let later = flowc(command + ["--at", "2099-01-01T00:00:00Z"] + wait)
            #expect(later.code == ExitCode.usage && later.err.hasPrefix("error: --at 2099-01-01T00:00:00Z is later than now"), "\(command): \(later.err)")
        }
        #expect(held != nil)
        held = nil
        #expect(flowc(["pool", "sweep"] + wait).code == 0)
    }

    /// `--json` is taken by every command that prints JSON, as the same as `--format json`
    /// (QA round 13: a service had to know which flag each command took).
    @Test func everyCommandWithJSONTakesTheJSONFlag() throws {
        let db = try Examples.loaded()
        let now = ["--now", "2024-06-20T00:00:00Z"]
        for args in [["deals"], ["report"], ["migrate", "--to", Examples.template]] {
            let flag = flowc(args + ["--json", "--db", db] + now)
            let format = flowc(args + ["--format", "json", "--db", db] + now)
            #expect(flag.code == format.code && flag.out == format.out && !flag.out.isEmpty, "\(args): \(flag.err)")
        }
        let broken = try tempDir(["b.flow.yaml": "flowc: 1\ntemplate: {id: b, version: 1.0.0}\nnodes: []\n"]) + "/b.flow.yaml"
        let check = flowc(["check", broken, "--json"])
        #expect(check.code == 1)
        #expect(check.out == flowc(["check", broken, "--format", "json"]).out && check.out.hasPrefix("{"), "\(check.out)")
    }

    /// A listing cut at its limit says so beside the JSON; the log is shown without its machine.
    @Test func cutListingsAndLogsWithoutTheirMachineAreSaid() throws {
        let db = try Examples.loaded()
        let pool = flowc(["pool", "list", "private", "--limit", "1", "--json", "--db", db])
        #expect(pool.code == 0)
        #expect(pool.out.split(separator: "\n").count == 1)
        #expect(pool.err.hasPrefix("note: more deals follow: --after "), "\(pool.err)")
        let outbox = flowc(["outbox", "list", "--limit", "1", "--json", "--db", db])
        #expect(outbox.err == "note: more effects wait: --after 1\n")
        // The machine archive gone: history --json still gives the log, with a note.
        let machines = db + ".machines"
        for file in try FileManager.default.contentsOfDirectory(atPath: machines) where file.hasSuffix(".ir.json") {
            try FileManager.default.removeItem(atPath: machines + "/" + file)
        }
        let history = flowc(["deal", "history", "D-1001", "--json", "--db", db])
        #expect(history.code == 0, "\(history.err)")
        #expect(history.out.split(separator: "\n").count > 1 && !history.out.contains(#""effects""#))
        #expect(history.out.contains(#""sequence":1}"#) || history.out.contains(#""sequence":1,"#))
        #expect(history.err.hasPrefix("note: the lines carry no effects or moves, since the deal cannot be replayed: error[FC1210]"), "\(history.err)")
        // And in text, as many lines as events, each with its id (it failed, QA round 15).
        let text = flowc(["deal", "history", "D-1001", "--db", db])
        #expect(text.code == 0, "\(text.err)")
        let lines = text.out.split(separator: "\n")
        #expect(lines.count == history.out.split(separator: "\n").count)
        #expect(lines.first == "#1 2024-05-06T01:00:00Z create (owner `zhang.san`) by `zhang.san` [`create`]", "\(text.out)")
        #expect(text.err.hasPrefix("note: the nodes each event moved and the effects it emitted are not shown, since the deal cannot be replayed: error[FC1210]"), "\(text.err)")
    }
}
