import FlowDiagnostics
import Testing

/// Catalogue entries used by the renderer and suppression tests.
enum RenderTestMessages {
    static let unknownNode = MessageSpec(302, .error, "unknown-node", "unknown node `{0}`; did you mean `{1}`?", explanation: """
        A transition names a node that the template does not declare.

        Wrong:

            next: propsal
        """)
    static let unknownNodeShort = MessageSpec(303, .error, "unknown-target", "unknown node `{0}`", explanation: "")
    static let unreachable = MessageSpec(501, .warning, "unreachable-node", "node `{0}` cannot be reached", explanation: """
        No transition leads to this node.

        Example:

            nodes:
              orphan: {}
        """)
    static let longTimer = MessageSpec(603, .warning, "long-timer", "timer `{0}` waits more than a year", explanation: "A very long timer.")
    static let braces = MessageSpec(401, .error, "expression-syntax", "expected `}` after `{0}`", explanation: "")

    static let all = [unknownNode, unknownNodeShort, unreachable, longTimer, braces]
}

extension SourceFile {
    /// The byte span of the `occurrence`-th (1-based) appearance of `needle` in the text.
    func testSpan(of needle: String, occurrence: Int = 1) -> SourceSpan {
        let pattern = Array(needle.utf8)
        var seen = 0
        var i = 0
        while i + pattern.count <= bytes.count {
            if bytes[i..<(i + pattern.count)].elementsEqual(pattern) {
                seen += 1
                if seen == occurrence { return SourceSpan(file: self, start: i, end: i + pattern.count) }
            }
            i += 1
        }
        Issue.record("`\(needle)` not found in \(path)")
        return SourceSpan(file: self, start: 0, end: 0)
    }
}
