@testable import FlowCLI
@testable import FlowHost
import FlowStore
import Foundation
import Testing

/// `tick --json` and `pool sweep --json` say a sweep the store stopped partway, beside what it
/// ticked before (QA round 30, N7: only the exit code said so).
@Suite struct TickReportJSONTests {
    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func aSweepStoppedByTheStoreSaysWhy() throws {
        var report = TickReport(at: 1_719_792_000)
        report.ticked = ["D-1"]
        report.failure = HostError.store(StoreError(.busy, "SQLite error 5: locked"))
        let stopped = try Self.object(TickCommand.json(report, at: report.at))
        #expect(stopped["ticked"] as? [String] == ["D-1"] && stopped["interrupted"] as? Bool == false)
        let why = try #require(stopped["stopped"] as? [String: String])
        #expect(why["code"] == "FC1212" && why["message"]?.contains("SQLite error 5: locked") == true, "\(why)")
        // A sweep that ran to its end says `null`.
        let whole = try Self.object(TickCommand.json(TickReport(at: 0), at: 0))
        #expect(whole["stopped"] is NSNull)
    }
}
