import FlowCLI
import Foundation
import Testing

/// `pool.idle.until`: once its node is done the idle clock stops, so that a signed deal keeps
/// its owner through a delivery and payment longer than the idle time (FC0606 said every
/// bundled template returned such deals to the public pool mid-payment).
@Suite struct IdleUntilTests {
    static let mini = try! String(contentsOfFile: repoRoot + "/testdata/run/mini.flow.yaml", encoding: .utf8)

    func template(until: String?) throws -> String {
        let idle = "  idle: {after: 10d, warn: 7d, notify: [owner, sales_manager]}"
        #expect(Self.mini.contains(idle))
        let text = Self.mini.replacingOccurrences(of: idle, with: until.map { "  idle: {after: 10d, warn: 7d, notify: [owner, sales_manager], until: \($0)}" } ?? idle)
        return try tempDir(["t.flow.yaml": text]) + "/t.flow.yaml"
    }

    func show(_ deal: String, _ db: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(flowc("deal", "show", deal, "--json", "--db", db).out.utf8)) as? [String: Any])
    }

    @Test func theIdleClockStopsOnceTheNodeIsDone() throws {
        let t = try template(until: "talks")
        let db = (t as NSString).deletingLastPathComponent + "/d.sqlite"
        for id in ["U-1", "U-2"] {
            #expect(flowc("deal", "create", t, "--id", id, "--owner", "amy", "--at", "2024-05-06T00:00:00Z", "--set", "customer_name=客户\(id)",
                          "--set", "quote=10", "--db", db, "--now", "2024-05-06T00:00:00Z").code == 0)
        }
        // U-1 gets past `talks`; U-2 stays at it.
        #expect(flowc("deal", "event", "U-1", #"{"deliverables": {"node": "talks", "done": ["visit_record"]}}"#, "--at", "+1h", "--db", db,
                      "--now", "2024-05-06T02:00:00Z").code == 0)
        let done = flowc("deal", "event", "U-1", "--complete", "talks", "--by", "amy", "--at", "+1h", "--db", db, "--now", "2024-05-06T02:00:00Z")
        #expect(done.code == 0, "\(done.err)")
        let u1 = try show("U-1", db)
        #expect(u1["nextTimerAt"] is NSNull || (u1["nextTimerAt"] as? Int).map { $0 > 1_715_000_000 + 10 * 86_400 } == true, "\(u1["nextTimerAt"] ?? "")")
        let tick = flowc("tick", "--db", db, "--now", "2024-06-30T00:00:00Z", "--json")
        #expect(tick.code == 0, "\(tick.err)")
        let returned = try #require(try JSONSerialization.jsonObject(with: Data(tick.out.utf8)) as? [String: Any])["returned_to_pool"] as? [String]
        #expect(returned == ["U-2"], "\(tick.out)")
        let after = try show("U-1", db)
        #expect(after["pool"] as? String == "private" && after["owner"] as? String == "amy")
        #expect(flowc("deal", "verify", "--db", db).code == 0)
        // The IR carries it; a machine without `until` compiles as before (no key).
        let ir = (t as NSString).deletingLastPathComponent + "/t.ir.json"
        #expect(flowc("compile", t, "-o", ir).code == 0)
        #expect(try String(contentsOfFile: ir, encoding: .utf8).contains(#""idleUntil""#))
        let plain = (t as NSString).deletingLastPathComponent + "/p.ir.json"
        #expect(flowc("compile", try template(until: nil), "-o", plain).code == 0)
        #expect(!(try String(contentsOfFile: plain, encoding: .utf8)).contains("idleUntil"))
    }

    @Test func untilNamesANodeAndExemptsTheNodesAfterIt() throws {
        let unknown = flowc("check", try template(until: "tallks"), "--color", "never")
        #expect(unknown.code == 1)
        #expect(unknown.out.contains("error[FC0302]: unknown node `tallks`") && unknown.out.contains("did you mean `talks`?"), "\(unknown.out)")
        // `signing` due after 30d: warned without `until`, not once the clock stops at `review`.
        let long = Self.mini.replacingOccurrences(of: "    probability: 80\n    rework: [talks]", with: "    probability: 80\n    due: 30d\n    rework: [talks]")
        #expect(long != Self.mini)
        let warned = flowc("check", try tempDir(["w.flow.yaml": long]) + "/w.flow.yaml", "--color", "never")
        #expect(warned.out.contains("warning[FC0606]: node `signing` is due after 30d, later than the pool's idle time 10d"), "\(warned.out)")
        let exempt = long.replacingOccurrences(of: "notify: [owner, sales_manager]}", with: "notify: [owner, sales_manager], until: review}")
        #expect(!flowc("check", try tempDir(["x.flow.yaml": exempt]) + "/x.flow.yaml").out.contains("FC0606"))
    }
}
