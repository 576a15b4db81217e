import FlowCheck
import FlowDiagnostics
import Testing

/// Review of the checker, C4: a suppression is judged unused only where its warning could have
/// been found. A fragment checked on its own runs the rules that need no including template, and
/// a file read through another (a fragment included, a parent extended) is judged by the checks
/// of that file itself: otherwise `flowc check --warnings-as-errors .` failed with or without
/// the comment.
@Suite struct SuppressionScopeTests {
    static let main = """
        flowc: 1
        template: {id: demo, version: 1.0.0, name: Demo}
        include: [fragments/review.flow.yaml]
        fields:
          customer_name: {type: text}
        roles:
          sales_owner: {name: Owner, owner: true}
          sales_manager: {name: Manager, manager: true}
        nodes:
          - id: talks
            name: Talks
            owner: sales_owner
            next: review
          - id: won
            name: Won
            kind: won
          - id: lost
            name: Lost
            kind: lost
        lose: {via: lost}
        """
    static let fragment = """
        flowc: 1
        fragment: {id: review_nodes}
        nodes:
          - id: review
            name: Review
            kind: approval
            owner: sales_manager
            outcomes: {approve: won, escalate: won}   # flowc-ignore FC0514
            on_enter:
              - notify: {to: [owner], message: "请审核 {{customer_name}}"}  # flowc-ignore FC0713
        """
    static let files = MemoryFileSystem(["main.flow.yaml": main, "fragments/review.flow.yaml": fragment])

    func codes(_ path: String, _ fs: MemoryFileSystem = files) -> [String] {
        TemplateChecker.check(path: path, fs: fs).diagnostics.map { "\($0.code) \($0.path):\($0.location?.line ?? 0)" }
    }

    @Test func aFragmentsSuppressionsOfWarningsItsOwnCheckCannotFindAreNotUnused() {
        // Both are used when the template that includes the fragment is checked.
        #expect(codes("main.flow.yaml") == [])
        // Checked alone, the fragment runs no rule that reports FC0514 or FC0713.
        #expect(codes("fragments/review.flow.yaml") == [])
        // Without the comments, the template warns: the comments are needed.
        let bare = MemoryFileSystem(["main.flow.yaml": Self.main, "fragments/review.flow.yaml": Self.fragment.replacingOccurrences(
            of: "   # flowc-ignore FC0514", with: "").replacingOccurrences(of: "  # flowc-ignore FC0713", with: "")])
        #expect(codes("main.flow.yaml", bare) == ["FC0514 fragments/review.flow.yaml:8", "FC0713 fragments/review.flow.yaml:10"])
    }

    @Test func aFragmentsUnusedSuppressionOfAWarningItsCheckFindsIsStillReported() {
        // FC0711 (a repeated entry) is one of the fragment's own rules: the comment is stale.
        let stale = Self.fragment.replacingOccurrences(of: "kind: approval", with: "kind: approval   # flowc-ignore FC0711")
        let fs = MemoryFileSystem(["main.flow.yaml": Self.main, "fragments/review.flow.yaml": stale])
        #expect(codes("fragments/review.flow.yaml", fs) == ["FC0005 fragments/review.flow.yaml:6"])
    }

    @Test func aParentsSuppressionIsJudgedByTheParentsOwnCheck() {
        let parent = """
            flowc: 1
            template: {id: parent, version: 1.0.0, name: Parent}
            roles:
              sales_owner: {name: Owner, owner: true}
            nodes:
              - id: talks
                name: Talks
                owner: sales_owner
                next: won
              - id: legacy_review   # flowc-ignore FC0501
                name: Legacy
                owner: sales_owner
                next: won
              - id: won
                name: Won
                kind: won
              - id: lost
                name: Lost
                kind: lost
            lose: {via: lost}
            """
        let child = """
            flowc: 1
            template: {id: child, version: 1.0.0, name: Child}
            extends: parent.flow.yaml
            remove_nodes: [legacy_review]
            """
        let fs = MemoryFileSystem(["parent.flow.yaml": parent, "child.flow.yaml": child])
        #expect(codes("parent.flow.yaml", fs) == [])
        // The child removes the node: the parent's comment is not the child's to judge.
        #expect(codes("child.flow.yaml", fs) == [])
        // A stale comment in the file checked is reported, as before.
        let staleChild = child + "\n# flowc-ignore FC0501\n"
        #expect(codes("child.flow.yaml", MemoryFileSystem(["parent.flow.yaml": parent, "child.flow.yaml": staleChild])) == ["FC0005 child.flow.yaml:5"])
    }

    @Test func aTemplateWhoseParentIsMissingJudgesOnlyTheCodesOfTheRulesThatRan() {
        let orphan = """
            flowc: 1
            template: {id: child, version: 1.0.0, name: Child}
            extends: missing.flow.yaml
            nodes:
              - id: legacy_review   # flowc-ignore FC0501
                name: Legacy
                owner: sales_owner
                next: won
            """
        let found = codes("child.flow.yaml", MemoryFileSystem(["child.flow.yaml": orphan]))
        #expect(found.contains { $0.hasPrefix("FC0305 ") }, "\(found)")
        #expect(!found.contains { $0.hasPrefix("FC0005 ") }, "\(found)")
    }
}
