import FlowCLI
import FlowDiagnostics
import Foundation
import Testing

/// Ctrl-C or TERM during `flowc tick` or `flowc pool sweep` stops it after the page of deals it
/// is writing, says how far it got and that running it again finishes, and exits 130 (review of
/// the CLI, C4: killed without a word, after some pages were written). The command is a child
/// process of this test binary, interrupted with SIGINT as Ctrl-C would once its first page is
/// in the store.
@Suite struct TickInterruptTests {
    static let childVariable = "FLOWC_TEST_INTERRUPTED_TICK"
    static let now = "2024-07-01T00:00:00Z"
    /// Ten pages of the sweep (500 deals a page), idle long enough by ``now`` to be returned to
    /// the public pool: the sweep is still going when its first page is seen.
    static let deals = 5_000

    /// A store of ``deals`` such deals, made once; each test works on a copy.
    static let fixture: Result<String, any Error> = Result {
        var lines: [String] = []
        for i in 0..<deals {
            lines.append(#"{"id": "T\#(i)", "owner": "o\#(i % 500)", "at": "2024-05-06T09:00:00Z", "fields": {"customer_name": "c\#(i)"}}"#)
        }
        let dir = try tempDir(["deals.jsonl": lines.joined(separator: "\n") + "\n"])
        let run = flowc("run", Examples.template, "--deals", dir + "/deals.jsonl", "--db", dir + "/deals.sqlite", "--now", now)
        guard run.code == 0 else { throw FixtureFailed(message: run.err) }
        return dir + "/deals.sqlite"
    }

    struct FixtureFailed: Error { var message: String }

    /// A copy of ``fixture``: its database and its machines.
    func store() throws -> String {
        let source = try Self.fixture.get()
        let db = try tempDir([:]) + "/deals.sqlite"
        for suffix in ["", "-wal", ".machines"] where FileManager.default.fileExists(atPath: source + suffix) {
            try FileManager.default.copyItem(atPath: source + suffix, toPath: db + suffix)
        }
        return db
    }

    @Test(arguments: [["tick"], ["tick", "--json"], ["pool", "sweep"]])
    func anInterruptedSweepSaysHowFarItGotAndExits130(_ command: [String]) throws {
        let db = try store()
        let dir = PathText.directory(of: db)
        #expect(Self.publicPool(db) == 0)

        let args = command + ["--db", db, "--now", Self.now]
        let child = try testChild("TickInterruptTests/interruptedTickChild", Self.childVariable, args.joined(separator: "\n"))
        let outPath = dir + "/child.out", errPath = dir + "/child.err"
        #expect(FileManager.default.createFile(atPath: outPath, contents: nil))
        #expect(FileManager.default.createFile(atPath: errPath, contents: nil))
        child.standardOutput = FileHandle(forWritingAtPath: outPath)
        child.standardError = FileHandle(forWritingAtPath: errPath)
        try child.run()
        // Interrupted once its first page is written (its handler is installed by then).
        interrupt(child) { (Self.publicPool(db) ?? 0) > 0 }
        let out = try String(contentsOfFile: outPath, encoding: .utf8)
        let err = try String(contentsOfFile: errPath, encoding: .utf8)
        #expect(child.terminationStatus == 130, "\(out)\(err)")

        // The deals ticked: those the store shows in the public pool, whole pages of them, fewer
        // than all.
        let ticked = try #require(Self.publicPool(db))
        #expect(ticked > 0 && ticked < Self.deals && ticked % 500 == 0, "\(ticked)")
        let rerun = "flowc " + command.filter { !$0.hasPrefix("-") }.joined(separator: " ")
        #expect(err.hasSuffix("interrupted: \(ticked) deals ticked before Ctrl-C or TERM stopped the sweep; "
            + "the deals not ticked stay due: run `\(rerun)` again to finish\n"), "\(err)")
        switch command {
        case ["tick"]:
            #expect(out.hasPrefix("ticked \(ticked) deals at 2024-07-01T00:00:00Z before it was interrupted: "), "\(out)")
        case ["tick", "--json"]:
            let json = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
            #expect(json["interrupted"] as? Bool == true)
            #expect((json["ticked"] as? [String])?.count == ticked)
        default:
            #expect(out.hasSuffix("swept at 2024-07-01T00:00:00Z before it was interrupted: \(ticked) deals returned to the public pool (\(ticked) ticked)\n"),
                    "\(out)")
        }

        // Nothing was lost: the deals not ticked stayed due, and the next sweep fires them.
        let again = flowc(args)
        #expect(again.code == 0, "\(again.err)")
        #expect(Self.publicPool(db) == Self.deals)
        if command == ["tick", "--json"] {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(again.out.utf8)) as? [String: Any])
            #expect(json["interrupted"] as? Bool == false)
            #expect((json["ticked"] as? [String])?.count == Self.deals - ticked)
        }
    }

    /// The deals in the public pool (nil when the store cannot be read).
    static func publicPool(_ db: String) -> Int? {
        let r = flowc("deals", "--db", db, "--group-by", "pool", "--format", "csv")
        guard r.code == 0 else { return nil }
        for row in r.out.split(separator: "\r\n").dropFirst() {
            let cells = row.split(separator: ",")
            if cells.first == "public" { return cells.dropFirst().first.flatMap { Int($0) } }
        }
        return 0
    }

    /// The child of ``anInterruptedSweepSaysHowFarItGotAndExits130(_:)``: the command, in this
    /// process, writing to its standard output and error as `flowc` does, whose exit status is
    /// the command's.
    @Test func interruptedTickChild() {
        guard let args = ProcessInfo.processInfo.environment[Self.childVariable] else { return }
        exit(Flowc.run(args.components(separatedBy: "\n"), context: CLIContext(capture: false, environment: ProcessInfo.processInfo.environment)))
    }
}
