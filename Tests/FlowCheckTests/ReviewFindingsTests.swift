import FlowCheck
import FlowDiagnostics
import Testing

// Findings of the white-box review of the checker (numbered C1, C2, …) that are no
// matter of suppressions: one error for one mistake, and keys that are no strings.

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
