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

/// Review of the checker, C1 and C14: `remove_nodes` is judged against a parent. With a parent
/// that could not be used, FC0305 alone says so (each entry was FC0308 besides); without
/// `extends`, one FC0308 says the key needs it (it claimed a parent that does not exist).
@Suite struct RemoveNodesWithoutParentTests {
    func codes(_ text: String, _ files: [String: String] = [:]) -> [String] {
        var all = files
        all["child.flow.yaml"] = text
        return TemplateChecker.check(path: "child.flow.yaml", fs: MemoryFileSystem(all)).diagnostics
            .filter { $0.severity == .error }.map { "\($0.code) \($0.location?.line ?? 0)" }
    }

    @Test func aMissingParentIsOneError() {
        let child = """
            flowc: 1
            template: {id: child, version: 1.0.0, name: Child}
            extends: standard-sal.flow.yaml
            remove_nodes: [contract_review, legal_review]
            """
        #expect(codes(child) == ["FC0305 3"])
        // A fragment named by `extends`: the same.
        #expect(codes(child, ["standard-sal.flow.yaml": "flowc: 1\nfragment: {id: f}\nnodes: []\n"]) == ["FC0305 3"])
    }

    @Test func removeNodesWithoutExtendsIsOneErrorThatSaysSo() {
        let text = """
            flowc: 1
            template: {id: t, version: 1.0.0, name: T}
            remove_nodes: [quotation, review]
            roles:
              sales_owner: {name: Owner, owner: true}
            nodes:
              - {id: quotation, name: Q, owner: sales_owner, next: won}
              - {id: won, name: Won, kind: won}
              - {id: lost, name: Lost, kind: lost}
            """
        let ds = TemplateChecker.check(path: "t.flow.yaml", fs: MemoryFileSystem(["t.flow.yaml": text])).diagnostics.filter { $0.code.description == "FC0308" }
        #expect(ds.count == 1)
        #expect(ds.first?.location?.line == 3)
        #expect(ds.first?.message.text
                == "`remove_nodes` (here `quotation`) removes nodes of a parent template, and this template names none with `extends:`; delete a node of its own where it is defined")
    }
}

/// Review of the checker, C6: entries written at their key's indentation after it, empty, are
/// one FC0203 at the key and one FC0201 for the run (each entry was an error of its own).
@Suite struct EntriesAtTheKeysIndentationTests {
    @Test func theRunOfEntriesIsOneError() {
        let text = """
            flowc: 1
            template: {id: demo, version: 1.0.0, name: Demo}
            fields:
            customer_name: {type: text, required: true}
            amount: {type: money, currency: CNY, min: 0}
            loss_notes: {type: text, multiline: true}
            roles:
              sales_owner: {name: Owner, owner: true}
            """
        let ds = TemplateChecker.check(path: "t.flow.yaml", fs: MemoryFileSystem(["t.flow.yaml": text])).diagnostics
        let syntax = ds.filter { ["FC0201", "FC0203"].contains($0.code.description) }
        #expect(syntax.map { "\($0.code) \($0.location?.line ?? 0)" } == ["FC0203 3", "FC0201 4"], "\(syntax.map(\.message.text))")
        let run = syntax.last
        #expect(run?.message.text == "unknown key `customer_name` in the template")
        #expect(run?.labels.count == 2)
        #expect(run?.notes.map(\.text) == ["3 keys after the empty `fields`, at its indentation"])
        #expect(run?.help?.text.hasPrefix("if these are entries of `fields`, which is empty above, indent them under `fields`") == true)
        // A misspelt key after an empty one is still a misspelling, with its own error.
        let slip = text.replacingOccurrences(of: "roles:", with: "rolse:")
        let slipped = TemplateChecker.check(path: "t.flow.yaml", fs: MemoryFileSystem(["t.flow.yaml": slip])).diagnostics
        #expect(slipped.contains { $0.code.description == "FC0201" && $0.help?.text == "did you mean `roles`?" })
    }
}

/// Review of the checker, C9: a key that is no string where an entry is named (`fields`,
/// `roles`, `outcomes`) is FC0215, as in every mapping; it was "expected a string for `fields`",
/// which read as if the whole section should be a string.
@Suite struct NonStringEntryKeyTests {
    @Test func anEntryKeyThatIsNoStringIsFC0215() {
        let text = """
            flowc: 1
            template: {id: t, version: 1.0.0, name: T}
            fields:
              1: {type: text}
              ~: {type: text}
              true: {type: text}
              ok: {type: text}
            roles:
              2: {name: R}
              sales_owner: {name: Owner, owner: true}
            """
        let ds = TemplateChecker.check(path: "t.flow.yaml", fs: MemoryFileSystem(["t.flow.yaml": text])).diagnostics
        let keys = ds.filter { ["FC0215", "FC0204", "FC0203"].contains($0.code.description) }
        #expect(keys.map { "\($0.code) \($0.location?.line ?? 0)" } == ["FC0215 4", "FC0215 5", "FC0215 6", "FC0215 9"], "\(keys.map(\.message.text))")
        #expect(keys.first?.message.text == "keys must be plain strings; found the integer `1`")
    }
}
