@testable import FlowCLI
import Foundation
import Testing

/// Where a run's rejects go when no --rejects is given.
@Suite struct RejectsPathTests {
    @Test func besideTheInputWithTheRejectsSuffix() {
        #expect(RunCommand.rejectsPath("in/deals.jsonl", csv: false, in: "/work") { _ in true } == "in/deals.rejects.jsonl")
        #expect(RunCommand.rejectsPath("in/leads.CSV", csv: true, in: "/work") { _ in true } == "in/leads.rejects.csv")
        #expect(RunCommand.rejectsPath("deals.txt", csv: true, in: "/work") { _ in true } == "deals.txt.rejects.csv")
    }

    /// An input in a directory that cannot be written (as root, no permission bit says so, hence
    /// the injected check): its rejects go to the current directory, so that a run of good
    /// records from a read-only folder is not stopped for a rejects file it may never write.
    @Test func inTheCurrentDirectoryWhenTheInputsCannotBeWritten() {
        let path = RunCommand.rejectsPath("/exports/deals.jsonl", csv: false, in: "/work") { $0 != "/exports" }
        #expect(path == "/work/deals.rejects.jsonl")
        #expect(RunCommand.rejectsPath("deals.jsonl", csv: false, in: "/work") { $0 != "." } == "/work/deals.rejects.jsonl")
    }
}

/// `--rejects` naming a device or a FIFO (`/dev/null`, to throw the rejects away; a pipe to
/// another program): the rejects are written into it and it stays what it was. They were written
/// beside it and renamed over it, which as root put a plain file in the place of `/dev/null`.
@Suite struct RejectsIntoADeviceTests {
    @Test func aFIFOGivenAsTheRejectsFileIsWrittenIntoAndStaysAFIFO() throws {
        let dir = try tempDir(["bad.jsonl": #"{"id": "Z-1", "owner": "amy", "fields": {"nope": 1}}"# + "\n"])
        let run = try Self.throughFIFO { flowc("run", Examples.template, "--deals", dir + "/bad.jsonl", "--rejects", $0, "--db", dir + "/d.sqlite") }
        #expect(run.result.code == 1, "\(run.result.err)")
        #expect(run.text.hasPrefix(#"{"_error":{"line":1,"code":"FC1110""#), "\(run.text)")
        #expect(run.stillFIFO)
        #expect(try FileManager.default.contentsOfDirectory(atPath: run.directory) == ["out.pipe"])
    }

    @Test func devNullTakesTheRejectsOfBothInputsAndStaysADevice() throws {
        let dir = try tempDir(["bad.jsonl": #"{"id": "Z-1", "owner": "amy", "fields": {"nope": 1}}"# + "\n",
                               "events.jsonl": #"{"deal": "nobody", "claim": true, "by": "amy"}"# + "\n"])
        let r = flowc("run", Examples.template, "--deals", dir + "/bad.jsonl", "--events", dir + "/events.jsonl",
                      "--rejects", "/dev/null", "--events-rejects", "/dev/null", "--db", dir + "/d.sqlite")
        #expect(r.code == 1, "\(r.err)")
        #expect(r.out.contains("2 rejected"), "\(r.out)")
        var info = stat()
        #expect(stat("/dev/null", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
    }

    /// What a command writes into a FIFO made for it (read on a thread of its own, since opening a
    /// FIFO waits for the other end), and whether the FIFO is still one afterwards.
    static func throughFIFO(_ run: (String) -> (code: Int32, out: String, err: String)) throws
        -> (result: (code: Int32, out: String, err: String), text: String, stillFIFO: Bool, directory: String) {
        let fifo = try tempDir([:]) + "/out.pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        nonisolated(unsafe) var received = Data()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            if let reader = FileHandle(forReadingAtPath: fifo) { received = reader.readDataToEndOfFile() }
            done.signal()
        }
        let result = run(fifo)
        #expect(done.wait(timeout: .now() + 30) == .success)
        var info = stat()
        return (result, String(decoding: received, as: UTF8.self), stat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO,
                (fifo as NSString).deletingLastPathComponent)
    }

    /// `-o` and `--html` into a FIFO or a device: the same as the rejects.
    @Test func outputFilesThatAreFIFOsAreWrittenIntoAndStayFIFOs() throws {
        let compiled = try Self.throughFIFO { flowc("compile", Examples.template, "-o", $0) }
        #expect(compiled.result.code == 0, "\(compiled.result.err)")
        #expect(compiled.text.contains(#""id" : "standard_sale""#) || compiled.text.contains(#""id":"standard_sale""#), "\(compiled.text.prefix(300))")
        #expect(compiled.stillFIFO)
        let graph = try Self.throughFIFO { flowc("graph", Examples.template, "--format", "dot", "-o", $0) }
        #expect(graph.result.code == 0, "\(graph.result.err)")
        #expect(graph.text.contains("digraph \"standard_sale\" {"), "\(graph.text.prefix(200))")
        #expect(graph.stillFIFO)
        let db = try Examples.db()
        #expect(flowc("run", Examples.template, "--deals", Examples.deals, "--db", db).code == 0)
        let report = try Self.throughFIFO { flowc("report", "--db", db, "--html", $0) }
        #expect(report.result.code == 0, "\(report.result.err)")
        #expect(report.text.hasPrefix("<!DOCTYPE html>"))
        #expect(report.stillFIFO)
    }
}

/// A small filesystem of its own to fill up (a tmpfs, mounted as root): nil where this process
/// cannot mount one, and the tests that need it do not run there.
enum SmallDisk {
    static let available: Bool = {
        guard geteuid() == 0, let dir = try? tempDir([:]) + "/probe" else { return false }
        guard mount(dir, bytes: 8192) else { return false }
        unmount(dir)
        return true
    }()

    /// Mounts a tmpfs of `bytes` at `dir` (made if missing).
    static func mount(_ dir: String, bytes: Int) -> Bool {
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return shell("/bin/mount", "-t", "tmpfs", "-o", "size=\(bytes)", "tmpfs", dir) == 0
    }

    static func unmount(_ dir: String) { _ = shell("/bin/umount", dir) }

    static func shell(_ tool: String, _ args: String...) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}

/// The disk under the rejects file fills up during a run (QA round 41, A6: the partial file with
/// the records rejected so far was removed, and with `-q` they were named nowhere).
@Suite(.serialized) struct RejectsOnAFullDiskTests {
    @Test(.enabled(if: SmallDisk.available, "mounts a tmpfs as root"))
    func theRecordsWrittenWholeBeforeTheDiskFilledAreKept() throws {
        let dir = try tempDir([:]) + "/small"
        #expect(SmallDisk.mount(dir, bytes: 8192))
        defer { SmallDisk.unmount(dir) }
        let writer = RejectsWriter(path: dir + "/rejects.jsonl")
        let line = Array((String(repeating: "x", count: 999) + "\n").utf8)
        var whole = 0
        while whole < 100 {
            writer.append(line)
            if writer.hasFailed { break }
            whole += 1
        }
        #expect(writer.hasFailed)
        #expect(whole > 0)
        #expect(throws: (any Error).self) { try writer.commit() }
        #expect(writer.keptBeforeFailure)
        let kept = try String(contentsOfFile: dir + "/rejects.jsonl", encoding: .utf8)
        #expect(kept == String(repeating: String(repeating: "x", count: 999) + "\n", count: whole))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["rejects.jsonl"])
    }

    /// In batches of one record, and in the default batches, where a batch's rejects are
    /// written in one go (QA round 43, F3: the disk filling up partway through that write lost
    /// them all, and no line was named).
    @Test(.enabled(if: SmallDisk.available, "mounts a tmpfs as root"), arguments: [["--batch-size", "1"], []])
    func aRunQuietOnAFullDiskNamesEveryRejectedRecordSomewhere(batch: [String]) throws {
        var lines: [String] = []
        for i in 0..<60 {
            let bad = i % 3 == 1 ? #", "nosuch": 1"# : ""
            lines.append(#"{"id": "R-\#(i)", "owner": "o\#(i % 20)", "at": "2024-05-06T09:00:00+08:00", "fields": {"customer_name": "客户\#(i)", "tax_id": "T\#(i)", "follow_up_notes": "\#(String(repeating: "x", count: 600))"\#(bad)}}"#)
        }
        let base = try tempDir(["d.jsonl": lines.joined(separator: "\n") + "\n"])
        let dir = base + "/small"
        #expect(SmallDisk.mount(dir, bytes: 8192))
        defer { SmallDisk.unmount(dir) }
        let r = flowc(["run", Examples.template, "--deals", base + "/d.jsonl", "--db", base + "/s.sqlite", "--rejects", dir + "/rej.jsonl", "-q"] + batch)
        #expect(r.code == 2, "\(r.err)")
        let kept = (try? String(contentsOfFile: dir + "/rej.jsonl", encoding: .utf8)) ?? ""
        let inFile = Set(kept.split(separator: "\n").compactMap { line -> Int? in
            guard let range = line.range(of: #""line":"#) else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        })
        let printed = Set(r.err.split(separator: "\n").compactMap { line -> Int? in
            guard line.hasPrefix(base + "/d.jsonl:") else { return nil }
            return Int(line.dropFirst(base.count + "/d.jsonl:".count).prefix { $0.isNumber })
        })
        let rejected = Set(stride(from: 2, through: 60, by: 3))
        #expect(!inFile.isEmpty, "\(r.err)")
        #expect(!printed.isEmpty, "\(r.err)")
        #expect(inFile.union(printed) == rejected, "file \(inFile.sorted()), printed \(printed.sorted())")
        #expect(inFile.isDisjoint(with: printed))
        let first = try #require(printed.min())
        #expect(r.err.contains("no space left on device (the rejects file); it holds the records rejected before line \(first), and those from that line on were printed on standard error"), "\(r.err)")
    }
}

/// A limit on the size of the files flowc may write (`ulimit -f`): the write past it fails and is
/// said like a full disk, with the records written whole kept, instead of SIGXFSZ ending the
/// process with status 153 and no word (QA round 43, F11). The run is a child process of this
/// test binary, with the process's signal dispositions and the limit set.
@Suite struct FileSizeLimitTests {
    static let childVariable = "FLOWC_TEST_FILE_SIZE_LIMIT_DIR"

    @Test func aRunPastTheFileSizeLimitSaysSoAndKeepsWhatItWrote() throws {
        var lines: [String] = []
        for i in 0..<40 {
            lines.append(#"{"id": "L-\#(i)", "owner": "o", "fields": {"customer_name": "c\#(i)", "amount": "bad", "follow_up_notes": "\#(String(repeating: "x", count: 20_000))"}}"#)
        }
        let dir = try tempDir(["d.jsonl": lines.joined(separator: "\n") + "\n"])
        let child = try testChild("FileSizeLimitTests/limitedRunChild", Self.childVariable, dir)
        let errors = dir + "/child.err"
        #expect(FileManager.default.createFile(atPath: errors, contents: nil))
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle(forWritingAtPath: errors)
        try child.run()
        child.waitUntilExit()
        let said = try String(contentsOfFile: errors, encoding: .utf8)
        #expect(child.terminationReason == .exit, "killed by signal \(child.terminationStatus): \(said)")
        #expect(child.terminationStatus == 2, "\(said)")
        #expect(said.contains("file too large: larger than the limit on the files this process may write (`ulimit -f`) (the rejects file); it holds the records rejected before line "), "\(said)")
        let kept = try String(contentsOfFile: dir + "/d.rejects.jsonl", encoding: .utf8)
        #expect(kept.hasSuffix("\n") && kept.utf8.count <= 256 * 1024)
        #expect(kept.split(separator: "\n").allSatisfy { $0.hasPrefix(#"{"_error":{"line":"#) && $0.hasSuffix("}") })
    }

    @Test func limitedRunChild() {
        guard let dir = ProcessInfo.processInfo.environment[Self.childVariable] else { return }
        // As a shell starts flowc: the signal neither ignored nor blocked (this test binary may
        // have been started with it ignored, and runs its tests on threads that may block it).
        signal(SIGXFSZ, SIG_DFL)
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGXFSZ)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        _ = CLIContext.process()
        var limit = rlimit(rlim_cur: 256 * 1024, rlim_max: 256 * 1024)
        guard setrlimit(Int32(RLIMIT_FSIZE.rawValue), &limit) == 0 else { exit(99) }
        let r = flowc(["run", Examples.template, "--deals", dir + "/d.jsonl", "--db", dir + "/s.sqlite", "-q"])
        FileHandle.standardError.write(Data(r.err.utf8))
        exit(r.code)
    }
}
