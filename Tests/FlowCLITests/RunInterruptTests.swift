import FlowCLI
import FlowHost
import Foundation
import Testing

/// A run interrupted before the end of its input leaves the rejects file of the run before as it
/// was: its records were not all run again (review of the inputs, I10: Ctrl-C removed it, or put
/// the few rejects read so far in its place). The run is a child process of this test binary,
/// interrupted with SIGINT as Ctrl-C would.
@Suite struct RunInterruptTests {
    static let childVariable = "FLOWC_TEST_INTERRUPTED_RUN_DIR"

    /// Quiet (`-q`), the note says that the records rejected before the interrupt were not
    /// printed either (QA round 31, P3).
    @Test(arguments: [false, true])
    func anInterruptedRunLeavesTheEarlierRejectsFile(quiet: Bool) throws {
        let bad = #"{"id": "ZZ", "owner": "z", "fields": {"customer_name": "zz", "amount": "bad"}}"#
        let dir = try tempDir(["st.jsonl": bad + "\n"] .merging(quiet ? ["quiet": ""] : [:]) { $1 })
        // The run before: one reject.
        let first = flowc("run", Examples.template, "--deals", dir + "/st.jsonl", "--db", dir + "/st.sqlite", "--now", "2024-07-01T00:00:00Z")
        #expect(first.code == 1)
        let rejects = dir + "/st.rejects.jsonl"
        let before = try String(contentsOfFile: rejects, encoding: .utf8)
        #expect(before.contains(#""code":"FC1221""#))
        // This run: a bad record first, then many good ones; interrupted while it runs them.
        var lines = [#"{"id": "ZY", "owner": "z", "fields": {"customer_name": "zy", "amount": "bad"}}"#]
        for i in 0..<30_000 {
            lines.append(#"{"id": "S\#(i)", "owner": "o\#(i % 2000)", "at": "2024-05-06T09:00:00Z", "fields": {"customer_name": "c\#(i)"}}"#)
        }
        lines.append(bad)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: dir + "/st.jsonl"))
        let child = try testChild("RunInterruptTests/interruptedRunChild", Self.childVariable, dir)
        let errors = dir + "/child.err"
        #expect(FileManager.default.createFile(atPath: errors, contents: nil))
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle(forWritingAtPath: errors)
        try child.run()
        // Interrupted once the run has written its first batch (its handler is installed by then).
        interrupt(child) { (Self.created(dir) ?? 0) > 0 }
        let said = try String(contentsOfFile: errors, encoding: .utf8)
        #expect(child.terminationStatus == 130, "\(said)")
        #expect(said.contains("error[FC1241]: the run was interrupted after line"), "\(said)")
        #expect(said.contains("note: the run of \(dir)/st.jsonl stopped before its end, so the rejects file \(rejects) of the run before is left as it was"
            + (quiet ? " (the records it rejected so far were neither printed, -q, nor kept: running it again says them)" : "") + "; run"), "\(said)")
        #expect(said.contains("\(dir)/st.jsonl:1: error[FC1221]") == !quiet, "\(said)")
        #expect(try String(contentsOfFile: rejects, encoding: .utf8) == before)
    }

    static let waitingChildVariable = "FLOWC_TEST_WAITING_RUN_DIR"

    /// Ctrl-C while a run waits for another flowc command's hold on the store: the wait stops,
    /// FC1242 says nothing was changed, and the run exits 130 with its JSON failure object (QA
    /// round 35, B4: the signal ended the process, with no word, no JSON, no exit status).
    @Test func aRunInterruptedWhileWaitingForTheStoreSaysSo() throws {
        let dir = try tempDir([:])
        let db = dir + "/w.sqlite"
        #expect(flowc("run", Examples.template, "--deals", Examples.deals, "--db", db).code == 0)
        let before = Self.created(dir, store: "w.sqlite")
        // Another command's hold, taken here.
        let held = try StoreWriterLock.acquire(besideDatabase: db)
        let (child, said, output) = try Self.interruptWaitingRun(dir, once: "note: another flowc command is writing to")
        withExtendedLifetime(held) {}
        #expect(child.terminationReason == .exit, "killed by signal \(child.terminationStatus)")
        #expect(child.terminationStatus == 130, "\(said)")
        #expect(said.contains("\(db): error[FC1242]: stopped by Ctrl-C or TERM while waiting for the store, which another flowc command was writing to: nothing was changed"), "\(said)")
        let json = output.split(separator: "\n").first { $0.hasPrefix("{\"error\"") }
        #expect(json?.contains(#""code":"FC1242""#) == true && json?.contains(#""exit":130"#) == true, "\(json ?? "")")
        #expect(Self.created(dir, store: "w.sqlite") == before)
    }

    /// The same while another program holds the store's database (an `sqlite3` session in a
    /// transaction): the wait for its lock stops too.
    @Test func aRunInterruptedWhileAnotherProgramHoldsTheDatabaseSaysSo() throws {
        let dir = try tempDir([:])
        let db = dir + "/w.sqlite"
        #expect(flowc("run", Examples.template, "--deals", Examples.deals, "--db", db).code == 0)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = ["python3", "-c", "import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN IMMEDIATE'); open(sys.argv[1] + '.held', 'w').close(); time.sleep(60)", db]
        try holder.run()
        defer { holder.terminate() }
        let started = Date()
        while !FileManager.default.fileExists(atPath: db + ".held"), Date().timeIntervalSince(started) < 30 { usleep(10_000) }
        let (child, said, _) = try Self.interruptWaitingRun(dir, once: "note: another program holds the database of")
        #expect(child.terminationReason == .exit, "killed by signal \(child.terminationStatus)")
        #expect(child.terminationStatus == 130, "\(said)")
        #expect(said.contains("\(db): error[FC1242]: stopped by Ctrl-C or TERM while waiting for the store's database, which another program held: nothing was changed"), "\(said)")
    }

    /// Starts ``waitingRunChild()`` on the store `dir/w.sqlite`, sends it SIGINT once its standard
    /// error says `note`, and gives back the ended child, its standard error and its output.
    static func interruptWaitingRun(_ dir: String, once note: String) throws -> (Process, String, String) {
        let child = try testChild("RunInterruptTests/waitingRunChild", waitingChildVariable, dir)
        let errors = dir + "/child.err", output = dir + "/child.out"
        #expect(FileManager.default.createFile(atPath: errors, contents: nil) && FileManager.default.createFile(atPath: output, contents: nil))
        child.standardOutput = FileHandle(forWritingAtPath: output)
        child.standardError = FileHandle(forWritingAtPath: errors)
        try child.run()
        interrupt(child) { (try? String(contentsOfFile: errors, encoding: .utf8))?.contains(note) == true }
        return (child, try String(contentsOfFile: errors, encoding: .utf8), try String(contentsOfFile: output, encoding: .utf8))
    }

    /// The child of ``aRunInterruptedWhileWaitingForTheStoreSaysSo()``: the run on the process's
    /// own streams, whose exit status is the run's.
    @Test func waitingRunChild() {
        guard let dir = ProcessInfo.processInfo.environment[Self.waitingChildVariable] else { return }
        let context = CLIContext.process()
        exit(context.finish(Flowc.run(["run", Examples.template, "--deals", Examples.deals, "--db", dir + "/w.sqlite", "--json"], context: context)))
    }

    static let ignoringChildVariable = "FLOWC_TEST_IGNORING_RUN_DIR"

    /// A run started with SIGINT ignored (a job a script puts in the background) leaves it
    /// ignored: Ctrl-C meant for the script does not stop it (QA round 35, B7).
    @Test func aRunStartedWithCtrlCIgnoredIsNotStoppedByIt() throws {
        var lines: [String] = []
        for i in 0..<20_000 {
            lines.append(#"{"id": "G\#(i)", "owner": "o\#(i % 2000)", "at": "2024-05-06T09:00:00Z", "fields": {"customer_name": "c\#(i)"}}"#)
        }
        let dir = try tempDir(["g.jsonl": lines.joined(separator: "\n") + "\n"])
        let child = try testChild("RunInterruptTests/ignoringRunChild", Self.ignoringChildVariable, dir)
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        interrupt(child) { (Self.created(dir, store: "g.sqlite") ?? 0) > 0 }
        #expect(child.terminationReason == .exit && child.terminationStatus == 0, "\(child.terminationReason) \(child.terminationStatus)")
        #expect(Self.created(dir, store: "g.sqlite") == 20_000)
    }

    /// The child of ``aRunStartedWithCtrlCIgnoredIsNotStoppedByIt()``: SIGINT ignored, then the run.
    @Test func ignoringRunChild() {
        guard let dir = ProcessInfo.processInfo.environment[Self.ignoringChildVariable] else { return }
        signal(SIGINT, SIG_IGN)
        let context = CLIContext.process()
        exit(context.finish(Flowc.run(["run", Examples.template, "--deals", dir + "/g.jsonl", "--db", dir + "/g.sqlite",
                                       "--now", "2024-07-01T00:00:00Z", "--waive-quota", "-q"], context: context)))
    }

    static let pipeChildVariable = "FLOWC_TEST_CLOSED_PIPE_RUN_DIR"

    /// A run whose standard error is a pipe closed by its reader (`flowc run … 2>&1 | head -1`)
    /// runs every record and writes its rejects file; its status says that what it printed was
    /// lost, or that records were rejected (CLI review, C3: SIGPIPE killed it after 46 deals of
    /// 3,000, and the rejects it had reported were in no file).
    @Test func aRunWhoseOutputPipeIsClosedRunsToTheEnd() throws {
        var lines: [String] = []
        for i in 0..<3_000 {
            let field = i % 10 == 3 ? "custmer_tier" : "customer_name"
            lines.append(#"{"id": "P\#(i)", "owner": "o\#(i % 200)", "at": "2024-05-06T09:00:00Z", "fields": {"\#(field)": "c\#(i)"}}"#)
        }
        let dir = try tempDir(["p.jsonl": lines.joined(separator: "\n") + "\n"])
        let child = try testChild("RunInterruptTests/closedPipeRunChild", Self.pipeChildVariable, dir)
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        child.waitUntilExit()
        #expect(child.terminationReason == .exit, "killed by signal \(child.terminationStatus)")
        #expect(child.terminationStatus == 1)
        let rejects = try String(contentsOfFile: dir + "/p.rejects.jsonl", encoding: .utf8)
        #expect(rejects.split(separator: "\n").count == 300)
        #expect(Self.created(dir, store: "p.sqlite") == 2_700)
    }

    /// The child of ``aRunWhoseOutputPipeIsClosedRunsToTheEnd()``: the run on the process's own
    /// streams, whose exit status is the run's.
    @Test func closedPipeRunChild() {
        guard let dir = ProcessInfo.processInfo.environment[Self.pipeChildVariable] else { return }
        // Standard error becomes a pipe whose reader has gone, as `head -1`'s after its line (only
        // now: the test library writes its own lines there first).
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return }
        close(ends[0])
        dup2(ends[1], 2)
        close(ends[1])
        let context = CLIContext.process()
        exit(context.finish(Flowc.run(["run", Examples.template, "--deals", dir + "/p.jsonl", "--db", dir + "/p.sqlite",
                                       "--now", "2024-07-01T00:00:00Z", "--waive-quota"], context: context)))
    }

    static let stdinChildVariable = "FLOWC_TEST_STDIN_RUN_DIR"

    /// `--deals -` reads standard input (CLI review, C19: "cannot read `-`: no such file").
    @Test func aDealsFileOfDashIsStandardInput() throws {
        let dir = try tempDir([:])
        let child = try testChild("RunInterruptTests/stdinRunChild", Self.stdinChildVariable, dir)
        child.standardInput = FileHandle(forReadingAtPath: Examples.deals)
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        child.waitUntilExit()
        #expect(child.terminationStatus == 0)
        #expect(Self.created(dir, store: "in.sqlite") == 6)
        let both = flowc("run", Examples.template, "--deals", "-", "--events", "-", "--db", dir + "/x.sqlite")
        #expect(both.code == 2)
        #expect(both.err.hasPrefix("Error: --deals - and --events - both name standard input: give one of them as a file\n"), "\(both.err)")
    }

    /// The child of ``aDealsFileOfDashIsStandardInput()``.
    @Test func stdinRunChild() {
        guard let dir = ProcessInfo.processInfo.environment[Self.stdinChildVariable] else { return }
        let context = CLIContext.process()
        exit(context.finish(Flowc.run(["run", Examples.template, "--deals", "-", "--db", dir + "/in.sqlite", "--now", "2024-07-01T00:00:00Z"],
                                      context: context)))
    }

    static let spoolChildVariable = "FLOWC_TEST_SPOOL_RUN_DIR"

    /// A CSV run from standard input is read from a copy in TMPDIR that has no name while the run
    /// goes: killed (`kill -9`), it leaves nothing there (QA round 35, B6: the copy stayed).
    @Test func aKilledRunFromACSVPipeLeavesNoCopy() throws {
        var rows = ["id,owner,at,customer_name"]
        for i in 0..<20_000 { rows.append("C\(i),o\(i % 2000),2024-05-06T09:00:00Z,客户\(i)") }
        let dir = try tempDir(["c.csv": rows.joined(separator: "\n") + "\n", "spool/keep": ""])
        try FileManager.default.removeItem(atPath: dir + "/spool/keep")
        let child = try testChild("RunInterruptTests/spoolRunChild", Self.spoolChildVariable, dir)
        child.environment?["TMPDIR"] = dir + "/spool"
        child.standardInput = FileHandle(forReadingAtPath: dir + "/c.csv")
        let errors = dir + "/child.err"
        #expect(FileManager.default.createFile(atPath: errors, contents: nil))
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle(forWritingAtPath: errors)
        // The store held here: the child copies its input, then waits for the store, alive, with
        // its copy open (a run that finished before the check made the test fail at random).
        let held = try StoreWriterLock.acquire(besideDatabase: dir + "/c.sqlite")
        try child.run()
        let started = Date()
        func waiting() -> Bool { (try? String(contentsOfFile: errors, encoding: .utf8))?.contains("note: another flowc command is writing to") == true }
        while child.isRunning, Date().timeIntervalSince(started) < 120, !waiting() { usleep(10_000) }
        #expect(child.isRunning && waiting(), "\((try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/spool") == [], "no named copy while it runs")
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        withExtendedLifetime(held) {}
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/spool") == [])
    }

    /// The copy being made has no name either: a run killed while it copies a pipe still being
    /// written leaves nothing in TMPDIR (the copy had its name until its last byte was written).
    @Test func aRunKilledWhileCopyingAPipeLeavesNoCopy() throws {
        let dir = try tempDir(["spool/keep": ""])
        try FileManager.default.removeItem(atPath: dir + "/spool/keep")
        let fifo = dir + "/deals.csv"
        #expect(mkfifo(fifo, 0o600) == 0)
        // Held open for writing here, so the child's copy waits for more after the first rows.
        let writer = open(fifo, O_RDWR)
        #expect(writer >= 0)
        defer { close(writer) }
        let head = "id,owner,at,customer_name\nC1,o1,2024-05-06T09:00:00Z,客户1\n"
        #expect(head.withCString { write(writer, $0, strlen($0)) } == head.utf8.count)
        let child = try testChild("RunInterruptTests/spoolRunChild", Self.spoolChildVariable, dir)
        child.environment?["TMPDIR"] = dir + "/spool"
        child.standardInput = FileHandle(forReadingAtPath: fifo)
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        // The copy is being made once the child has read the rows written so far (read after
        // the copy's file is made) and one of its descriptors leads into the spool directory.
        func unread() -> Int32 {
            var pending: Int32 = 0
            return ioctl(writer, UInt(FIONREAD), &pending) == 0 ? pending : -1
        }
        func copyOpen() -> String? {
            let fds = "/proc/\(child.processIdentifier)/fd"
            return (try? FileManager.default.contentsOfDirectory(atPath: fds))?
                .compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: fds + "/" + $0) }
                .first { $0.hasPrefix(dir + "/spool/") }
        }
        let started = Date()
        while child.isRunning, Date().timeIntervalSince(started) < 120, unread() != 0 || copyOpen() == nil { usleep(10_000) }
        let copy = copyOpen()
        #expect(child.isRunning && copy?.hasSuffix(" (deleted)") == true, "\(copy ?? "no copy open")")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/spool") == [], "no named copy while it copies")
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/spool") == [])
    }

    /// The child of ``aKilledRunFromACSVPipeLeavesNoCopy()`` and
    /// ``aRunKilledWhileCopyingAPipeLeavesNoCopy()``.
    @Test func spoolRunChild() {
        guard let dir = ProcessInfo.processInfo.environment[Self.spoolChildVariable] else { return }
        let context = CLIContext.process()
        exit(context.finish(Flowc.run(["run", Examples.template, "--deals", "-", "--format", "csv", "--db", dir + "/c.sqlite",
                                       "--rejects", dir + "/r.csv", "--now", "2024-07-01T00:00:00Z", "--waive-quota", "-q"], context: context)))
    }

    /// The deals the store holds so far (read-only; nil until it can be read).
    static func created(_ dir: String, store: String = "st.sqlite") -> Int? {
        let r = flowc("deals", "--db", dir + "/" + store, "--group-by", "status", "--format", "csv")
        guard r.code == 0 else { return nil }
        return r.out.split(separator: "\r\n").dropFirst().compactMap { $0.split(separator: ",").dropFirst().first.flatMap { Int($0) } }.reduce(0, +)
    }

    /// The child of ``anInterruptedRunLeavesTheEarlierRejectsFile()``: the run, in this process,
    /// whose exit status is the run's.
    static let ackChildVariable = "FLOWC_TEST_INTERRUPTED_ACK_DB"

    /// TERM while `outbox ack --stdin` waits for its positions: nothing is acknowledged, FC1242
    /// says so, exit 130 (QA round 41, A7: the process ended by the signal without a word).
    @Test func anAcknowledgementInterruptedBeforeItsPositionsSaysNothingWasAcknowledged() throws {
        let db = try Examples.loaded()
        let waiting = flowc("outbox", "list", "--db", db).out
        let child = try testChild("RunInterruptTests/interruptedAckChild", Self.ackChildVariable, db)
        let input = Pipe()
        let errors = try tempDir([:]) + "/child.err"
        #expect(FileManager.default.createFile(atPath: errors, contents: nil))
        child.standardInput = input
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle(forWritingAtPath: errors)
        try child.run()
        // The child sends itself TERM while it waits for its positions (its handler is installed
        // before it reads) and says so in a file; the positions come after that.
        let started = Date()
        while child.isRunning, Date().timeIntervalSince(started) < 120, !FileManager.default.fileExists(atPath: db + ".raised") { usleep(10_000) }
        try input.fileHandleForWriting.write(contentsOf: Data("1 2 3\n".utf8))
        try input.fileHandleForWriting.close()
        child.waitUntilExit()
        let said = try String(contentsOfFile: errors, encoding: .utf8)
        #expect(child.terminationStatus == 130, "\(said)")
        #expect(said.contains("error[FC1242]: stopped by Ctrl-C or TERM while waiting for the positions on standard input: nothing was changed"), "\(said)")
        #expect(flowc("outbox", "list", "--db", db).out == waiting)
    }

    /// The same while standard input stays open with nothing coming (a terminal nothing more is
    /// typed on): the wait stops at once (QA round 43, F1: it went on until the input ended, and
    /// then acknowledged what had come, exit 0).
    @Test func anAcknowledgementInterruptedWhileItsInputStaysOpenStops() throws {
        let db = try Examples.loaded()
        let waiting = flowc("outbox", "list", "--db", db).out
        let child = try testChild("RunInterruptTests/interruptedAckChild", Self.ackChildVariable, db)
        let input = Pipe()
        let errors = try tempDir([:]) + "/child.err"
        #expect(FileManager.default.createFile(atPath: errors, contents: nil))
        child.standardInput = input
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle(forWritingAtPath: errors)
        try child.run()
        // Nothing written, the pipe left open: the child must end of itself.
        let started = Date()
        while child.isRunning, Date().timeIntervalSince(started) < 60 { usleep(10_000) }
        let stopped = !child.isRunning
        // Else the input ends, so that the test does not wait for ever.
        try input.fileHandleForWriting.close()
        child.waitUntilExit()
        let said = try String(contentsOfFile: errors, encoding: .utf8)
        #expect(stopped, "still waiting for its input a minute after TERM")
        #expect(child.terminationStatus == 130, "\(said)")
        #expect(said.contains("error[FC1242]: stopped by Ctrl-C or TERM while waiting for the positions on standard input: nothing was changed"), "\(said)")
        #expect(flowc("outbox", "list", "--db", db).out == waiting)
    }

    @Test func interruptedAckChild() {
        guard let db = ProcessInfo.processInfo.environment[Self.ackChildVariable] else { return }
        // Once the command's handler of TERM is installed (before it reads standard input).
        Thread.detachNewThread {
            let started = Date()
            func handled() -> Bool {
                var current = sigaction()
                sigaction(SIGTERM, nil, &current)
                let handler = unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self)
                return handler != unsafeBitCast(SIG_DFL, to: Int.self) && handler != unsafeBitCast(SIG_IGN, to: Int.self)
            }
            while Date().timeIntervalSince(started) < 60, !handled() { usleep(1_000) }
            kill(getpid(), SIGTERM)
            _ = FileManager.default.createFile(atPath: db + ".raised", contents: nil)
        }
        let r = flowc(["outbox", "ack", "--stdin", "--db", db])
        FileHandle.standardError.write(Data(r.err.utf8))
        exit(r.code)
    }

    @Test func interruptedRunChild() {
        guard let dir = ProcessInfo.processInfo.environment[Self.childVariable] else { return }
        let quiet = FileManager.default.fileExists(atPath: dir + "/quiet") ? ["-q"] : []
        let r = flowc(["run", Examples.template, "--deals", dir + "/st.jsonl", "--db", dir + "/st.sqlite", "--now", "2024-07-01T00:00:00Z"] + quiet)
        FileHandle.standardError.write(Data(r.err.utf8))
        exit(r.code)
    }
}
