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
