import FlowCLI
import Foundation
import Testing

/// The report's funnel over two versions of a template follows the flow: a node only the older
/// version has sits where it ran, before the node after it there when no node is before it (QA
/// round 27, M12: a renamed first stage, with open deals left on the old version, was listed
/// after the last stage).
@Suite struct FunnelOrderTests {
    @Test func anOldFirstStageComesFirst() throws {
        let mini = try String(contentsOfFile: repoRoot + "/testdata/run/mini.flow.yaml", encoding: .utf8)
        let renamed = mini.replacingOccurrences(of: "version: 1.0.0", with: "version: 1.1.0")
            .replacingOccurrences(of: #"\btalks\b"#, with: "first_talks", options: .regularExpression)
        #expect(renamed.contains("id: first_talks"))
        let dir = try tempDir(["v1.flow.yaml": mini, "v2.flow.yaml": renamed])
        let db = dir + "/s.sqlite"
        for (file, id, owner) in [("v1", "O-1", "amy"), ("v2", "N-1", "amy"), ("v2", "N-2", "bob")] {
            let r = flowc("deal", "create", dir + "/\(file).flow.yaml", "--id", id, "--owner", owner, "--set", "customer_name=\(id)",
                          "--at", "2024-05-06T09:00:00Z", "--db", db)
            #expect(r.code == 0, "\(id): \(r.err)")
        }
        let report = flowc("report", "--db", db, "--json", "--now", "2024-05-07T00:00:00Z")
        #expect(report.code == 0, "\(report.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report.out.utf8)) as? [String: Any])
        let funnel = try #require(json["funnel"] as? [[String: Any]])
        let nodes = funnel.compactMap { $0["node"] as? String }
        // Before the stage that followed it in its version: beside the stage that replaced it.
        #expect(Array(nodes.prefix(3)) == ["first_talks", "talks", "audit_check"], "\(nodes)")
        #expect(funnel.prefix(2).map { $0["deals"] as? Int } == [2, 1], "\(funnel)")
    }
}
