import Foundation
import Testing
@testable import FlowHost
@testable import FlowRuntime

/// The direct snapshot reader (`SnapshotDecoder`) gives exactly what Foundation's decoder gives,
/// and gives up (so that Foundation decides) on anything it does not expect.
@Suite struct SnapshotDecoderTests {
    static func foundation(_ bytes: [UInt8]) throws -> DealSnapshot {
        try JSONDecoder().decode(DealSnapshot.self, from: Data(bytes))
    }

    @Test func readsEverySnapshotOfTheExamplesAsFoundationDoes() throws {
        let s = try service(.memory)
        try runExamples(s)
        _ = s.tick(at: at("2024-08-01T00:00:00Z"))
        var compared = 0
        var withDecisions = 0
        var withChats = 0
        try forEachLoggedStep(s) { (id, entry, outcome) throws in
            let bytes = outcome.snapshot.encoded()
            let fast = try #require(SnapshotDecoder.decode(bytes), "\(id) at \(entry.event.id): the fast path gave up")
            #expect(fast == (try Self.foundation(bytes)), "\(id) at \(entry.event.id)")
            #expect(fast == outcome.snapshot, "\(id) at \(entry.event.id)")
            if !fast.decisions.isEmpty { withDecisions += 1 }
            if !fast.groupChats.isEmpty { withChats += 1 }
            compared += 1
        }
        #expect(compared > 50)
        #expect(withDecisions > 10)
        #expect(withChats > 0)
    }

    /// A snapshot of the standard template with text that needs every kind of escape.
    func escaped() throws -> DealSnapshot { try dealWithEscapes(try service(.memory)).snapshot }

    /// A version-2 snapshot (a store written before `withheld`) is read directly too, as the
    /// upgrade reads it: nobody withheld, the current version. One with a `withheld` key is not
    /// version 2; a version-3 one (before the `due_restarted` decision) reads as it is.
    @Test func readsVersion2AsItsUpgradeDoes() throws {
        let snapshot = try escaped()
        var object = try #require(try JSONSerialization.jsonObject(with: Data(snapshot.encoded())) as? [String: Any])
        object["schemaVersion"] = 2
        object.removeValue(forKey: "withheld")
        let v2 = Array(try JSONSerialization.data(withJSONObject: object))
        let fast = try #require(SnapshotDecoder.decode(v2))
        #expect(fast.schemaVersion == DealSnapshot.currentSchemaVersion && fast.withheld.isEmpty)
        object["schemaVersion"] = DealSnapshot.currentSchemaVersion
        object["withheld"] = [Any]()
        #expect(fast == (try Self.foundation(Array(try JSONSerialization.data(withJSONObject: object)))))
        object["schemaVersion"] = 3
        let v3 = Array(try JSONSerialization.data(withJSONObject: object))
        #expect(SnapshotDecoder.decode(v3) == fast)
        #expect(try DealSnapshot.decode(v3) == fast)
        object["schemaVersion"] = 2
        #expect(SnapshotDecoder.decode(Array(try JSONSerialization.data(withJSONObject: object))) == nil)
        object["schemaVersion"] = 3
        object.removeValue(forKey: "withheld")
        #expect(SnapshotDecoder.decode(Array(try JSONSerialization.data(withJSONObject: object))) == nil)
    }

    @Test func readsEscapesIncludingUnicodeEscapesAndSurrogatePairs() throws {
        let snapshot = try escaped()
        let bytes = snapshot.encoded()
        #expect(SnapshotDecoder.decode(bytes) == snapshot)
        // The same text written with \u escapes (which our writer never produces, but JSON allows).
        let text = String(decoding: bytes, as: UTF8.self)
            .replacingOccurrences(of: "中文", with: "\\u4e2d\\u6587")
            .replacingOccurrences(of: "😀", with: "\\ud83d\\ude00")
            .replacingOccurrences(of: "é", with: "\\u00E9")
        #expect(text != String(decoding: bytes, as: UTF8.self))
        let fast = try #require(SnapshotDecoder.decode(Array(text.utf8)))
        #expect(fast == snapshot)
        #expect(fast == (try Self.foundation(Array(text.utf8))))
    }

    @Test(arguments: [
        ("another schema version", "\"schemaVersion\":\(DealSnapshot.currentSchemaVersion)", "\"schemaVersion\":99"),
        ("an unknown key", "\"sequence\":", "\"surprise\":1,\"sequence\":"),
        ("a repeated key", "\"sequence\":", "\"sequence\":1,\"sequence\":"),
        ("a number with a fraction", "\"sequence\":1", "\"sequence\":1.0"),
        ("a lone low surrogate", "\"dealID\":\"D-esc\"", "\"dealID\":\"\\udc00\""),
        ("trailing content", "<end>", " x"),
        ("a missing property", "\"idleWarned\":false,", ""),
    ])
    func givesUpOnWhatItDoesNotExpect(_ what: String, _ pattern: String, _ replacement: String) throws {
        let snapshot = try escaped()
        let text = String(decoding: snapshot.encoded(), as: UTF8.self)
        // Literal replacement; `<end>` appends.
        let changed = pattern == "<end>" ? text + replacement : text.replacingOccurrences(of: pattern, with: replacement)
        #expect(changed != text, "\(what): the pattern did not match")
        #expect(SnapshotDecoder.decode(Array(changed.utf8)) == nil, "\(what)")
    }

    @Test func aSnapshotOfAnOlderSchemaVersionIsStillReadThroughTheUpgrade() throws {
        let snapshot = try escaped()
        var object = try #require(try JSONSerialization.jsonObject(with: Data(snapshot.encoded())) as? [String: Any])
        object["schemaVersion"] = 1
        object["records"] = nil
        object["recordsDropped"] = nil
        let v1 = Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
        #expect(SnapshotDecoder.decode(v1) == nil)
        #expect(try DealSnapshot.decode(v1) == snapshot)
    }
}
