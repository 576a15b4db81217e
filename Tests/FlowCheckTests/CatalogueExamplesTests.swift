import FlowCheck
import Foundation
import FlowDiagnostics
import Testing

/// Every example `flowc explain` shows does what it says: a "Wrong" example, put in a template,
/// gets a diagnostic of its code, and a "Right" one does not.
@Suite struct CatalogueExamplesTests {
    enum Kind: String, Sendable { case wrong = "Wrong", right = "Right" }

    struct Example: Sendable, CustomStringConvertible {
        var code: DiagnosticCode
        var kind: Kind
        var text: String
        var description: String { "\(code) \(kind.rawValue): \(text.split(separator: "\n").first ?? "")" }
    }

    /// The indented blocks after `Wrong:` and `Right:` lines of an explanation (a `Right:` line
    /// may carry prose before its block; one with prose and no block has no example).
    static func examples(of spec: MessageSpec) -> [Example] {
        var out: [Example] = []
        let lines = spec.explanation.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var i = 0
        while i < lines.count {
            let line = lines[i]
            i += 1
            guard let kind = [Kind.wrong, .right].first(where: { line.hasPrefix($0.rawValue + ":") }) else { continue }
            var j = i
            while j < lines.count, lines[j].trimmingCharacters(in: .whitespaces).isEmpty { j += 1 }
            var block: [String] = []
            while j < lines.count, lines[j].hasPrefix("    ") || (lines[j].isEmpty && j + 1 < lines.count && lines[j + 1].hasPrefix("    ")) {
                block.append(lines[j].isEmpty ? "" : String(lines[j].dropFirst(4)))
                j += 1
            }
            if !block.isEmpty {
                out.append(Example(code: spec.code, kind: kind, text: block.joined(separator: "\n")))
                i = j
            }
        }
        return out
    }

    /// Where an example goes in the template below.
    enum Place: Sendable {
        /// Keys of the task `initial_talks` (its `next: proposal` is left out when the example has one).
        case nodeKeys
        /// An expression: the `when:` of the task `proposal`.
        case expression
        /// A whole node, added to `nodes:`.
        case node
        /// Entries of `fields:`.
        case fieldEntry
        /// Keys of a text field `probe`.
        case fieldKeys
        /// Keys of `pool:`.
        case poolKeys
        /// Top-level sections, replacing the template's own.
        case topLevel
        /// Keys of a `notify` effect of the task `initial_talks` (after its `to: [owner]`).
        case effectKeys
    }

    /// How each code's examples are placed. A code whose examples are in the catalogue but
    /// not here fails `everyExampleHasAPlace`.
    static let places: [Int: Place] = [
        3: .node, 4: .nodeKeys, 5: .node, 6: .node,
        101: .topLevel, 102: .topLevel, 201: .topLevel, 203: .nodeKeys, 204: .fieldKeys, 205: .nodeKeys, 206: .node,
        210: .nodeKeys, 212: .nodeKeys, 301: .topLevel, 302: .nodeKeys, 303: .nodeKeys, 304: .nodeKeys, 314: .topLevel,
        401: .expression, 402: .expression, 403: .expression, 404: .expression, 405: .expression, 406: .expression,
        407: .expression, 408: .expression, 409: .expression, 415: .expression, 416: .expression, 417: .expression,
        418: .expression, 419: .expression, 420: .expression, 421: .expression, 422: .expression, 423: .nodeKeys,
        424: .fieldEntry, 425: .expression, 426: .expression, 427: .expression, 428: .expression, 429: .expression,
        431: .expression, 501: .node, 505: .nodeKeys, 507: .nodeKeys, 509: .nodeKeys, 601: .poolKeys,
        209: .nodeKeys, 321: .topLevel, 322: .fieldEntry, 324: .fieldEntry, 515: .node, 708: .effectKeys, 710: .topLevel, 711: .nodeKeys, 712: .topLevel,
        713: .nodeKeys, 436: .expression,
    ]

    /// Examples that stand for something too long to print, or that only the evaluator meets.
    static let illustrative: [Int: String] = [
        7: "stands for a file of 20,000 such lines (DiagnosticCapTests)",
        410: "stands for an expression longer than the limit",
        411: "stands for parentheses nested past the limit",
        412: "stands for a list longer than the limit",
        413: "stands for a string longer than the limit",
        430: "evaluation: the divisor is zero on a deal's values (a literal zero is reported by check)",
        432: "evaluation: fuel runs out on a deal's values",
        433: "evaluation: overflow on a deal's values",
        434: "evaluation: a host passes a wrong value",
        435: "evaluation: an API call on an unchecked expression",
        516: "a part of a flow: the branches the quotation jumps into belong to a fork drawn elsewhere in it",
        517: "a part of a flow: the join and the fork belong to a contract review drawn elsewhere in it",
    ]

    static let base = """
        flowc: 1
        template: {id: example, version: 1.0.0, name: 示例}
        fields:
          customer_name: {type: text}
          notes: {type: text}
          quote: {type: money, currency: CNY}
          cost: {type: money, currency: CNY}
          amount: {type: money, currency: CNY}
          quote_usd: {type: money, currency: USD}
          discount_rate: {type: decimal}
          strategic: {type: boolean}
          industry: {type: enum, values: [manufacturing, retail, finance, public_sector]}
          close_date: {type: date}
          last_visit_at: {type: datetime}
          headcount: {type: integer}
          products: {type: list, of: text}
        @FIELD_ENTRY@
        roles:
          sales_owner: {name: 销售负责人, owner: true}
          presales: {name: 售前顾问}
          sales_manager: {name: 销售经理, manager: true}
          audit: {name: 内审}
        nodes:
          - id: initial_talks
            name: 初步洽谈
            owner: sales_owner
        @NODE_KEYS@
          - id: proposal
            name: 方案报价
            owner: sales_owner
        @WHEN@
            next: internal_audit
          - {id: internal_audit, name: 内部审计, owner: audit, next: negotiation_review}
          - id: negotiation_review
            name: 谈判审核
            kind: approval
            owner: sales_manager
            outcomes: {approve: won, reject: proposal}
        @NODE@
          - {id: won, name: 赢单, kind: won}
          - {id: lost, name: 输单, kind: lost}
        lose: {via: lost}

        """

    static func indented(_ text: String, _ by: Int) -> String {
        let pad = String(repeating: " ", count: by)
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : pad + $0 }.joined(separator: "\n")
    }

    /// The template with `example` in its place.
    static func template(_ example: Example, _ place: Place) -> String {
        var slots = ["@FIELD_ENTRY@": "", "@NODE_KEYS@": "    next: proposal", "@WHEN@": "", "@NODE@": ""]
        var text = base
        func fill() {
            for (slot, value) in slots {
                text = text.replacingOccurrences(of: value.isEmpty ? slot + "\n" : slot, with: value)
            }
        }
        switch place {
        case .nodeKeys:
            let hasNext = example.text.split(separator: "\n").contains { $0.hasPrefix("next:") }
            slots["@NODE_KEYS@"] = indented(example.text, 4) + (hasNext ? "" : "\n    next: proposal")
        case .expression:
            slots["@WHEN@"] = "    when: |-\n" + indented(example.text, 6)
        case .node:
            slots["@NODE@"] = indented(example.text, 2)
        case .fieldEntry:
            slots["@FIELD_ENTRY@"] = indented(example.text, 2)
        case .effectKeys:
            slots["@NODE_KEYS@"] = "    on_enter:\n      - notify:\n          to: [owner]\n" + indented(example.text, 10) + "\n    next: proposal"
        case .fieldKeys:
            slots["@FIELD_ENTRY@"] = "  probe:\n    type: text\n" + indented(example.text, 4)
        case .poolKeys:
            text += "pool:\n" + indented(example.text, 2) + "\n"
        case .topLevel:
            fill()
            // Each top-level key of the example replaces the template's section of that name.
            let keys = example.text.split(separator: "\n").compactMap { line -> String? in
                guard let first = line.first, first != " ", first != "#", let colon = line.firstIndex(of: ":") else { return nil }
                return String(line[..<colon])
            }
            var kept: [Substring] = []
            var skipping = false
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if let first = line.first, first != " " {
                    skipping = keys.contains { line.hasPrefix($0 + ":") }
                }
                if !skipping { kept.append(line) }
            }
            text = kept.joined(separator: "\n") + "\n" + example.text + "\n"
        }
        fill()
        return text
    }

    static let all: [Example] = DiagnosticCatalogue.all.flatMap(examples(of:))

    @Test func theBaseTemplateChecksClean() {
        let yaml = Self.template(Example(code: DiagnosticCode(0), kind: .right, text: "participants: [presales]"), .nodeKeys)
        let ds = TemplateChecker.check(path: "base.flow.yaml", bytes: Array(yaml.utf8), fs: MemoryFileSystem([:])).diagnostics
        #expect(ds.isEmpty, "\(ds.map { "\($0.code) \($0.message.text)" })\n\(yaml)")
    }

    @Test func everyExampleHasAPlace() {
        let codes = Set(Self.all.map(\.code.number))
        let unplaced = codes.filter { Self.places[$0] == nil && Self.illustrative[$0] == nil }.sorted()
        #expect(unplaced.isEmpty, "codes with examples but no place in this test: \(unplaced)")
        #expect(Self.all.count > 60)
    }

    @Test(arguments: all.filter { places[$0.code.number] != nil })
    func anExampleDoesWhatItSays(_ example: Example) throws {
        let place = try #require(Self.places[example.code.number])
        let yaml = Self.template(example, place)
        let result = TemplateChecker.check(path: "example.flow.yaml", bytes: Array(yaml.utf8), fs: MemoryFileSystem([:]))
        let found = result.diagnostics.contains { $0.code == example.code }
        let shown = result.diagnostics.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? "") \($0.code) \($0.message.text)" }
        switch example.kind {
        case .wrong: #expect(found, "\(example) should report \(example.code):\n\(shown.joined(separator: "\n"))\n\(yaml)")
        case .right: #expect(!found, "\(example) should not report \(example.code):\n\(shown.joined(separator: "\n"))\n\(yaml)")
        }
    }
}
