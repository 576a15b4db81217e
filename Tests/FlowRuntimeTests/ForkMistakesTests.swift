import FlowCheck
import FlowIR
import FlowRuntime
import Testing

/// What `flowc check` rejects about forks (FC0515, FC0516) is what leaves deals stuck: run on
/// the machine compiled without check's verdict, each of these deals ends open, with no active
/// node and no event that could move it. (The cases check allows, going back into one branch
/// after the join, are `ReworkIntoABranchTests`.)
@Suite struct ForkMistakesTests {
    static let template = """
        flowc: 1
        template: {id: fork_mistakes, version: 1.0.0, name: {en: Fork mistakes}}
        roles: {so: {name: {en: Owner}, owner: true}, boss: {name: {en: Boss}}}
        fields:
          customer_name: {type: text, required: true, name: {en: Customer}}
          amount: {type: integer}
        nodes:
          - id: a
            name: {en: A}
            owner: so
            next:
              - if: "amount > 10"
                to: f
              - default: sign
          - {id: f, name: {en: Fork}, kind: fork, branches: [legal, finance], join: j}
          - {id: legal, name: {en: Legal}, owner: so, next: j}
          - {id: finance, name: {en: Finance}, owner: so, next: j}
          - {id: j, name: {en: Join}, kind: join, next: sign}
          - {id: sign, name: {en: Sign}, owner: so, next: won}
          - {id: won, name: {en: Won}, kind: won}
        """

    /// The machine of `text`, whatever check says; and the codes check reports.
    static func unchecked(_ text: String) throws -> (PreparedMachine, [String]) {
        var result = TemplateChecker.check(path: "/t/test.flow.yaml", bytes: Array(text.utf8), fs: MemoryFileSystem([:]))
        let codes = result.diagnostics.filter { $0.severity == .error }.map(\.code.description)
        result.diagnostics = []
        return (PreparedMachine(try IRLoader.verify(try IRCompiler.compile(result))), codes)
    }

    static func start(_ pm: PreparedMachine, amount: Int64?) throws -> Deal {
        var d = Deal(pm)
        var fields = [FieldAssignment("customer_name", .text("ACME"))]
        if let amount { fields.append(FieldAssignment("amount", .integer(amount))) }
        try d.apply(.create(dealID: "d", owner: "alice", fields: fields, members: [RoleAssignment("boss", "mia")]))
        return d
    }

    func expectStuck(_ d: Deal, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(d.snapshot?.status == .open, sourceLocation: sourceLocation)
        #expect(d.active.isEmpty, "active: \(d.active)", sourceLocation: sourceLocation)
    }

    @Test func theTemplateAsWrittenRunsThrough() throws {
        let (pm, codes) = try Self.unchecked(Self.template)
        #expect(codes.isEmpty)
        var d = try Self.start(pm, amount: 20)
        try d.apply(.complete(node: "a", outcome: nil), by: "alice", after: hour)
        try d.apply(.complete(node: "legal", outcome: nil), by: "alice", after: hour)
        try d.apply(.complete(node: "finance", outcome: nil), by: "alice", after: hour)
        #expect(d.active == ["sign"])
    }

    /// A branch named twice would leave the join waiting for a second arrival that never comes;
    /// the loader refuses such a machine (FC1003), so no deal runs on it.
    @Test func aBranchNamedTwiceIsRefusedOnLoad() throws {
        try Self.expectRefusedOnLoad(Self.template.replacingOccurrences(of: "[legal, finance]", with: "[legal, legal]"),
                                     checkedAs: "FC0515", "nodes[1] (`f`) names a branch twice")
    }

    /// `text`, which check refuses with the one error `code`, compiled as if check had let it
    /// through: the loader refuses the machine, FC1003, with `message`.
    static func expectRefusedOnLoad(_ text: String, checkedAs code: String, _ message: String,
                                    sourceLocation: SourceLocation = #_sourceLocation) throws {
        var result = TemplateChecker.check(path: "/t/test.flow.yaml", bytes: Array(text.utf8), fs: MemoryFileSystem([:]))
        #expect(result.diagnostics.filter { $0.severity == .error }.map(\.code.description) == [code], sourceLocation: sourceLocation)
        result.diagnostics = []
        let machine = try IRCompiler.compile(result)
        let error = #expect(throws: IRLoadError.self, sourceLocation: sourceLocation) { _ = try IRLoader.verify(machine) }
        #expect(error?.code == "FC1003", sourceLocation: sourceLocation)
        #expect(error?.message == message, sourceLocation: sourceLocation)
    }

    @Test func aBranchLeadingIntoAnotherLeavesTheJoinWaiting() throws {
        let (pm, codes) = try Self.unchecked(Self.template.replacingOccurrences(of: "{id: legal, name: {en: Legal}, owner: so, next: j}",
                                                                                with: "{id: legal, name: {en: Legal}, owner: so, next: finance}"))
        #expect(codes == ["FC0515"])
        var d = try Self.start(pm, amount: 20)
        try d.apply(.complete(node: "a", outcome: nil), by: "alice", after: hour)
        try d.apply(.complete(node: "legal", outcome: nil), by: "alice", after: hour)
        try d.apply(.complete(node: "finance", outcome: nil), by: "alice", after: hour)
        expectStuck(d)
    }

    /// A branch entered from a node before its fork would run alone and leave the join waiting;
    /// the loader refuses such a machine (FC1003, IR review F3), so no deal runs on it.
    @Test func aBranchEnteredFromOutsideIsRefusedOnLoad() throws {
        try Self.expectRefusedOnLoad(Self.template.replacingOccurrences(of: "- default: sign", with: "- default: legal"), checkedAs: "FC0516",
                                     "nodes[0] (`a`) leads into a branch of fork nodes[1] (`f`), nodes[2] (`legal`), from outside the fork")
    }

    /// An outcome back into a branch from a node that deals also reach round the fork.
    @Test func anOutcomeIntoABranchOfAForkTheDealWentRoundLeavesTheJoinWaiting() throws {
        let text = Self.template.replacingOccurrences(of: "{id: sign, name: {en: Sign}, owner: so, next: won}", with: """
            {id: sign, name: {en: Sign}, owner: so, next: approve}
              - {id: approve, name: {en: Approve}, kind: approval, owner: boss, outcomes: {ok: won, back: finance}}
            """)
        let (pm, codes) = try Self.unchecked(text)
        #expect(codes == ["FC0516"])
        var d = try Self.start(pm, amount: nil)
        try d.apply(.complete(node: "a", outcome: nil), by: "alice", after: hour)
        try d.apply(.complete(node: "sign", outcome: nil), by: "alice", after: hour)
        try d.apply(.complete(node: "approve", outcome: "back"), by: "mia", after: hour)
        #expect(d.active == ["finance"])
        try d.apply(.complete(node: "finance", outcome: nil), by: "alice", after: hour)
        expectStuck(d)
    }
}
