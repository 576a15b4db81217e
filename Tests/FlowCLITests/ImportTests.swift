import FlowCLI
import Foundation
import Testing

/// An adopter's first import (QA round 12).
@Suite struct ImportTests {
    static let mini = repoRoot + "/testdata/run/mini.flow.yaml"

    /// `--waive-quota` takes in a book whose owners hold more than the quota (`mini`'s is 2):
    /// without it the third deal of an owner is FC1151, the help of which names the option.
    @Test func anImportOfABookWaivesTheQuota() throws {
        let dir = try tempDir(["book.jsonl": (1...3).map {
            #"{"id": "B-\#($0)", "at": "2024-05-06T09:00:00Z", "owner": "bob", "fields": {"customer_name": "客户\#($0)"}}"#
        }.joined(separator: "\n") + "\n"])
        let refused = flowc("run", Self.mini, "--deals", dir + "/book.jsonl", "--db", dir + "/a.sqlite", "--rejects", dir + "/a.rejects.jsonl")
        #expect(refused.code == 1)
        #expect(refused.err.contains("book.jsonl:3: error[FC1151]: deal `B-3`, create: `bob` already owns 2 open deals of this template; the quota is 2"), "\(refused.err)")
        #expect(flowc("explain", "FC1151").out.contains("--waive-quota"))
        let waived = flowc("run", Self.mini, "--deals", dir + "/book.jsonl", "--db", dir + "/b.sqlite", "--rejects", dir + "/b.rejects.jsonl", "--waive-quota")
        #expect(waived.code == 0, "\(waived.err)")
        #expect(waived.out.contains("records: 3 read: 3 created"), "\(waived.out)")
        #expect(flowc("deal", "verify", "--db", dir + "/b.sqlite").code == 0)
        // One deal at a time, the same.
        let one = ["deal", "create", Self.mini, "--id", "B-4", "--owner", "bob", "--set", "customer_name=客户4", "--db", dir + "/b.sqlite"]
        #expect(flowc(one).err.contains("error[FC1151]"))
        #expect(flowc(one + ["--waive-quota"]).code == 0)
        let history = flowc("deal", "history", "B-4", "--json", "--db", dir + "/b.sqlite").out
        #expect(history.contains(#""quotaWaived":true"#))
    }

    /// A node or template named by a plain string (`name: Talks`, for every language) is named
    /// so in the report, as in the graph (QA round 12: the report showed the id).
    @Test func theReportNamesNodesNamedByAPlainString() throws {
        let dir = try tempDir([:])
        let db = dir + "/r.sqlite"
        #expect(flowc("deal", "create", Self.mini, "--id", "P-1", "--owner", "amy", "--at", "2024-05-06T09:00:00Z",
                      "--set", "customer_name=甲", "--db", db).code == 0)
        let report = flowc("report", "--db", db, "--now", "2024-05-07T00:00:00Z", "--color", "never")
        #expect(report.code == 0, "\(report.err)")
        #expect(report.out.contains("Talks "), "\(report.out)")
        #expect(report.out.contains("Mini"))
        let html = dir + "/r.html"
        #expect(flowc("report", "--db", db, "--now", "2024-05-07T00:00:00Z", "--html", html).code == 0)
        #expect(try String(contentsOfFile: html, encoding: .utf8).contains(">Talks<"))
        // The deals returning to the pool, by node name too (QA round 13: ids there).
        let returning = flowc("report", "--db", db, "--now", "2024-05-15T00:00:00Z", "--color", "never", "--returning-days", "7")
        let section = try #require(returning.out.components(separatedBy: "Returning").dropFirst().first)
        #expect(section.contains("P-1") && section.contains("Talks") && !section.contains(" talks "), "\(section)")
    }
}
