import FlowIR
@testable import FlowRuntime
import Testing

/// The open-node lines of `deal show` and `why` give a node's display names beside its id, as
/// the report names nodes (QA round 22: the report said 商机评估 where `why` said
/// `qualification`), and leave out a name that only spells the id for people.
@Suite struct ExplainNamesTests {
    /// The first open-node line of a new Mini deal (at `talks`) with `talks` named so.
    static func talksLine(_ name: [String: String]) throws -> String {
        let d = try Mini.deal()
        var m = d.m
        let n = try #require(m.nodes.firstIndex { $0.id == "talks" })
        m.nodes[n].name = name
        let snapshot = try #require(d.snapshot)
        return try #require(Runner.explain(m, snapshot).dropFirst().first)
    }

    @Test func chineseThenEnglishBesideTheID() throws {
        #expect(try Self.talksLine(["zh": "初步洽谈", "en": "First talks"]).hasPrefix("node `talks` (初步洽谈 First talks) is active since 2024-05-06T01:00:00Z"))
    }

    @Test func oneLanguageAlone() throws {
        #expect(try Self.talksLine(["zh": "初步洽谈"]).hasPrefix("node `talks` (初步洽谈) is active since"))
        #expect(try Self.talksLine(["en": "First talks"]).hasPrefix("node `talks` (First talks) is active since"))
        #expect(try Self.talksLine(["": "洽谈"]).hasPrefix("node `talks` (洽谈) is active since"))
    }

    @Test func aNameThatOnlySpellsTheIDIsLeftOut() throws {
        #expect(try Self.talksLine(["en": "Talks"]).hasPrefix("node `talks` is active since"))
        #expect(try Self.talksLine(["zh": "洽谈", "en": "talks"]).hasPrefix("node `talks` (洽谈) is active since"))
        #expect(try Self.talksLine(["zh": "Talks", "en": "Talks"]).hasPrefix("node `talks` is active since"))
        #expect(try Self.talksLine([:]).hasPrefix("node `talks` is active since"))
    }
}
