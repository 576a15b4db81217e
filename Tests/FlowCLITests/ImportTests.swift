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

    /// The quota counts the owner's open deals of the template at hand, every version of it, not
    /// those of other templates in the same store (the docs and FC1151 say "of this template"; it
    /// counted every template's).
    @Test func theQuotaCountsOpenDealsOfThisTemplateOnly() throws {
        let mini = try String(contentsOfFile: Self.mini, encoding: .utf8)
        let dir = try tempDir([
            "renewal.flow.yaml": mini.replacingOccurrences(of: "{id: mini, version: 1.0.0, name: Mini}", with: "{id: renewal, version: 1.0.0, name: Renewal}"),
            "mini-2.flow.yaml": mini.replacingOccurrences(of: "{id: mini, version: 1.0.0, name: Mini}", with: "{id: mini, version: 2.0.0, name: Mini}"),
        ])
        let db = dir + "/q.sqlite"
        func create(_ template: String, _ id: String) -> (code: Int32, out: String, err: String) {
            flowc("deal", "create", template, "--id", id, "--owner", "bob", "--set", "customer_name=客户\(id)", "--db", db)
        }
        for id in ["R-1", "R-2"] { #expect(create(dir + "/renewal.flow.yaml", id).code == 0) }
        // bob holds two renewals (that template's quota of 2): he may still take two deals of `mini`.
        #expect(create(Self.mini, "M-1").code == 0, "\(create(Self.mini, "M-1").err)")
        #expect(create(dir + "/mini-2.flow.yaml", "M-2").code == 0)
        // A third of `mini`, on either version, is over its quota: versions count together.
        let third = create(Self.mini, "M-3")
        #expect(third.code == 1)
        #expect(third.err.contains("error[FC1151]: deal `M-3`, create: `bob` already owns 2 open deals of this template; the quota is 2"), "\(third.err)")
        let renewal = create(dir + "/renewal.flow.yaml", "R-3")
        #expect(renewal.err.contains("error[FC1151]: deal `R-3`, create: `bob` already owns 2 open deals of this template; the quota is 2"), "\(renewal.err)")
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
