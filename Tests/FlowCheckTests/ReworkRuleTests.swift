@testable import FlowCheck
import FlowDiagnostics
import Testing

/// `ReworkRule` (FC0509, FC0517): what it reports on the cases its searches must tell apart, and
/// how much searching it does on large templates (review of the checker, C5: one backward search
/// per node with `rework` made a chain of 40,000 nodes take 21 s, and every fork scanned every
/// node). The work is counted, not timed, so the bound holds on any machine.
@Suite struct ReworkRuleTests {
    /// The rule's work (nodes and transitions its searches visit) on the template `yaml`, the
    /// template's node count and the diagnostics the rule reported. The template is composed as
    /// `TemplateChecker` does; only this rule runs.
    static func work(on yaml: String) throws -> (work: Int, nodes: Int, diagnostics: [Diagnostic]) {
        var composer = Composer(fs: MemoryFileSystem([:]), limits: .default)
        let parsed = composer.parse(path: "big.flow.yaml", bytes: Array(yaml.utf8))
        let syntax = try #require(parsed)
        #expect(composer.diagnostics.isEmpty, "\(composer.diagnostics.map(\.message.text))")
        var ctx = RuleContext(template: composer.compose(syntax, path: "big.flow.yaml", chain: []))
        var work = 0
        ReworkRule.check(&ctx, work: &work)
        return (work, ctx.graph.nodeCount, ctx.diagnostics)
    }

    /// A template of the nodes written in `nodes`, one flow-style mapping a line.
    static func template(_ nodes: [String]) -> String {
        """
        flowc: 1
        template: {id: big, version: 1.0.0, name: Big}
        roles:
          o: {name: O, owner: true}
        nodes:
        \(nodes.map { "  - " + $0 }.joined(separator: "\n"))
          - {id: won, name: W, kind: won}
          - {id: lost, name: L, kind: lost}
        lose: {via: lost}

        """
    }

    /// A chain of `n` tasks after the start `s`, each with `rework: [s]` ("back to initial talks").
    static func chain(_ n: Int) -> String {
        template(["{id: s, name: S, owner: o, next: n0}"]
            + (0..<n).map { "{id: n\($0), name: N, owner: o, rework: [s], next: \($0 + 1 < n ? "n\($0 + 1)" : "won")}" })
    }

    /// An approval that sends the deal one of two ways, `x` or `y`, then a chain of `n` tasks, each
    /// with `rework: [x]`: `x` is behind them on one way only, so no dominator says so.
    static func chainAfterTwoWays(_ n: Int) -> String {
        template([
            "{id: s, name: S, kind: approval, owner: o, outcomes: {approve: x, reject: y}}",
            "{id: x, name: X, owner: o, next: n0}",
            "{id: y, name: Y, owner: o, next: n0}",
        ] + (0..<n).map { "{id: n\($0), name: N, owner: o, rework: [x], next: \($0 + 1 < n ? "n\($0 + 1)" : "won")}" })
    }

    /// `k` forks in sequence, each with two one-task branches, its join leading to the next fork.
    static func forksInSequence(_ k: Int) -> String {
        template(["{id: s, name: S, owner: o, next: f0}"] + (0..<k).flatMap { i in
            let after = i + 1 < k ? "f\(i + 1)" : "won"
            return [
                "{id: f\(i), name: F, kind: fork, branches: [a\(i), b\(i)], join: j\(i)}",
                "{id: a\(i), name: A, owner: o, next: j\(i)}",
                "{id: b\(i), name: B, owner: o, next: j\(i)}",
                "{id: j\(i), name: J, kind: join, next: \(after)}",
            ]
        })
    }

    /// Every node of a chain going back to the start costs no search of its own, where it cost
    /// one back to the start: the work is at most 3 visits a node (the pass that orders the flow,
    /// the search forward from the start, the entry of each rework), where it was n²/2.
    @Test(arguments: [2_000, 8_000])
    func reworkToTheStartIsCheckedInLinearWork(_ n: Int) throws {
        let (work, nodes, diagnostics) = try Self.work(on: Self.chain(n))
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message.text))")
        #expect(work <= 3 * nodes, "\(work) visits for \(nodes) nodes")
    }

    /// Nodes going back to a node on one of two ways share one search from it: at most 4 visits
    /// a node (those 3 and the search from `x`), where it was n²/2.
    @Test(arguments: [2_000, 8_000])
    func reworkToANodeOnOneWayIsCheckedInLinearWork(_ n: Int) throws {
        let (work, nodes, diagnostics) = try Self.work(on: Self.chainAfterTwoWays(n))
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message.text))")
        #expect(work <= 4 * nodes, "\(work) visits for \(nodes) nodes")
    }

    /// Forks in sequence cost each fork the transitions into its join, not a scan of every node:
    /// at most 2 visits a node (the pass that orders the flow, and 2 transitions for each fork of
    /// 4 nodes), where it was k × 4k.
    @Test(arguments: [2_000, 8_000])
    func forksInSequenceAreCheckedInLinearWork(_ k: Int) throws {
        let (work, nodes, diagnostics) = try Self.work(on: Self.forksInSequence(k))
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.message.text))")
        #expect(work <= 2 * nodes, "\(work) visits for \(nodes) nodes, \(k) forks")
    }
}

extension ReworkRuleTests {
    /// A quotation that may pass an audit, then an approval that can send it back: each case
    /// puts lines in place of the markers.
    static let flow = """
        flowc: 1
        template: {id: rw, version: 1.0.0, name: Rework}
        fields:
          customer_name: {type: text, required: true}
          quote: {type: money, currency: CNY}
          cost: {type: money, currency: CNY}
        roles:
          sales_owner: {name: Owner, owner: true}
          sales_manager: {name: Manager, manager: true}
        nodes:
          - id: talks
            name: Talks
            owner: sales_owner
            @TALKS@
            next: quotation
          - id: quotation
            name: Quotation
            owner: sales_owner
            @QUOTATION@
            next:
              - if: "quote < cost"
                to: audit
              - default: review
          - id: audit
            name: Audit
            owner: sales_manager
            @AUDIT@
            next: review
          - id: review
            name: Review
            kind: approval
            owner: sales_manager
            @REVIEW@
            outcomes: {approve: signing, reject: quotation@OUTCOMES@}
          - id: signing
            name: Signing
            owner: sales_owner
            @SIGNING@
            next: won
          - id: won
            name: Won
            kind: won
          - id: lost
            name: Lost
            kind: lost
        lose:
          via: lost

        """

    /// A fork of two reviews, legal with an approval of its own, then a signoff: each case puts
    /// lines in place of the markers.
    static let forked = """
        flowc: 1
        template: {id: rwf, version: 1.0.0, name: Rework and forks}
        fields:
          customer_name: {type: text, required: true}
        roles:
          sales_owner: {name: Owner, owner: true}
          sales_manager: {name: Manager, manager: true}
        nodes:
          - id: prep
            name: Prep
            owner: sales_owner
            next: reviews
          - id: reviews
            name: Reviews
            kind: fork
            branches: [legal, finance]
            join: reviews_done
            @FORK@
          - id: legal
            name: Legal
            owner: sales_owner
            @LEGAL@
            next: legal_check
          - id: legal_check
            name: Legal check
            kind: approval
            owner: sales_manager
            @LEGALCHECK@
            outcomes: {approve: reviews_done, reject: legal}
          - id: finance
            name: Finance
            owner: sales_owner
            @FINANCE@
            next: reviews_done
          - id: reviews_done
            name: Reviews done
            kind: join
            next: signoff
          - id: signoff
            name: Signoff
            kind: approval
            owner: sales_manager
            @SIGNOFF@
            outcomes: {approve: won, reject: @REJECT@}
          - id: won
            name: Won
            kind: won
          - id: lost
            name: Lost
            kind: lost
        lose:
          via: lost

        """

    /// One case: the template, what goes in place of its markers (the rest are emptied), and the
    /// FC0509 and FC0517 it gives, as `line:column code message`.
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var base: String
        var fill: [String: String]
        var expected: [String]
        var testDescription: String { name }

        var yaml: String {
            var text = base
            for (marker, value) in fill { text = text.replacingOccurrences(of: "@\(marker)@", with: value) }
            if base == ReworkRuleTests.forked, fill["REJECT"] == nil { text = text.replacingOccurrences(of: "@REJECT@", with: "prep") }
            for marker in ["TALKS", "QUOTATION", "AUDIT", "REVIEW", "OUTCOMES", "SIGNING", "FORK", "LEGAL", "LEGALCHECK", "FINANCE", "SIGNOFF"] {
                text = text.replacingOccurrences(of: "@\(marker)@", with: "")
            }
            return text
        }
    }

    static let notBefore = "`rework` can only go back to an earlier node;"
    static let across = "in another branch of fork `reviews`: the branches run side by side, so"

    /// Found before the rule searched once per target and read the flow's order, by the rule as
    /// it was (one backward search per node): the same must come out.
    static let cases: [Case] = [
        Case(name: "back over either way of a condition", base: flow, fill: ["SIGNING": "rework: [audit, quotation, talks]"], expected: []),
        Case(name: "forward inside a loop", base: flow, fill: ["QUOTATION": "rework: [review]", "REVIEW": "rework: [quotation]"], expected: []),
        Case(name: "to itself", base: flow, fill: ["SIGNING": "rework: [signing, talks, signing]"], expected: [
            "38:14 FC0509 \(notBefore) `signing` does not come before `signing`",
            "38:30 FC0509 \(notBefore) `signing` does not come before `signing`",
        ]),
        Case(name: "to a later node", base: flow, fill: ["QUOTATION": "rework: [signing, audit]"], expected: [
            "19:14 FC0509 \(notBefore) `signing` does not come before `quotation`",
        ]),
        Case(name: "to a later node, an unknown way after", base: flow, fill: ["TALKS": "rework: [signing]", "OUTCOMES": ", maybe: nowhere"], expected: [
            "14:14 FC0509 \(notBefore) `signing` does not come before `talks`",
        ]),
        Case(name: "to a later node, an unknown way before", base: flow, fill: ["SIGNING": "rework: [won]", "OUTCOMES": ", maybe: nowhere"], expected: []),
        Case(name: "to a later node that leads somewhere unknown", base: flow, fill: ["TALKS": "rework: [review]", "OUTCOMES": ", maybe: nowhere"], expected: []),
        // Its own unknown way does not count, though the loop it is on leads back to it.
        Case(name: "from a node that leads somewhere unknown", base: flow, fill: ["REVIEW": "rework: [signing]", "OUTCOMES": ", maybe: nowhere"], expected: [
            "33:14 FC0509 \(notBefore) `signing` does not come before `review`",
        ]),
        Case(name: "back before and inside a fork", base: forked, fill: [
            "LEGAL": "rework: [prep, reviews]", "LEGALCHECK": "rework: [legal, prep]", "SIGNOFF": "rework: [finance, legal_check, reviews, prep]",
        ], expected: []),
        Case(name: "across a fork's branches", base: forked, fill: ["LEGAL": "rework: [finance]", "LEGALCHECK": "rework: [finance]", "FINANCE": "rework: [legal_check]"], expected: [
            "22:14 FC0509 `rework` cannot go from `legal` to `finance`, \(across) `finance` does not come before `legal`",
            "28:14 FC0509 `rework` cannot go from `legal_check` to `finance`, \(across) `finance` does not come before `legal_check`",
            "33:14 FC0509 `rework` cannot go from `finance` to `legal_check`, \(across) `legal_check` does not come before `finance`",
        ]),
        Case(name: "out of a fork to later nodes, and to its join", base: forked, fill: [
            "FORK": "rework: [legal]", "LEGAL": "rework: [signoff]", "LEGALCHECK": "rework: [finance, reviews]",
            "FINANCE": "rework: [reviews_done]", "SIGNOFF": "rework: [won, legal]", "REJECT": "lost",
        ], expected: [
            "18:14 FC0509 \(notBefore) `legal` does not come before `reviews`",
            "22:14 FC0509 \(notBefore) `signoff` does not come before `legal`",
            "28:14 FC0509 `rework` cannot go from `legal_check` to `finance`, \(across) `finance` does not come before `legal_check`",
            "33:14 FC0517 `rework` cannot go back to the join `reviews_done`: a deal cannot rest on a join; name the fork `reviews` to do every branch again, or a node in the branch to do again",
            "43:14 FC0509 \(notBefore) `won` does not come before `signoff`",
        ]),
        Case(name: "back to the join, by rework and by an outcome", base: forked, fill: ["SIGNOFF": "rework: [reviews_done]", "REJECT": "prep, again: reviews_done"], expected: [
            "43:14 FC0517 `rework` cannot go back to the join `reviews_done`: a deal cannot rest on a join; name the fork `reviews` to do every branch again, or a node in the branch to do again",
            "44:51 FC0517 `signoff` goes back to the join `reviews_done`: a deal cannot rest on a join; go back to the fork `reviews` to do every branch again, or to a node in the branch to do again",
        ]),
        Case(name: "back to the join by an outcome, no loop", base: forked, fill: ["REJECT": "lost, again: reviews_done"], expected: [
            "44:51 FC0517 `signoff` goes back to the join `reviews_done`: a deal cannot rest on a join; go back to the fork `reviews` to do every branch again, or to a node in the branch to do again",
        ]),
    ]

    @Test(arguments: cases)
    func reworkDiagnosticsAreUnchanged(_ c: Case) {
        let ds = TemplateChecker.check(path: "rw.flow.yaml", bytes: Array(c.yaml.utf8), fs: MemoryFileSystem([:])).diagnostics
        let rework = ds.filter { $0.code == CheckMessages.reworkTarget.code || $0.code == CheckMessages.reworkToJoin.code }
        let lines = rework.map { d in "\(d.location.map { "\($0.line):\($0.column)" } ?? "-") \(d.code) \(d.message.text)" }
        #expect(lines == c.expected, "\(c.name)")
    }
}
