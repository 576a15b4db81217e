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
