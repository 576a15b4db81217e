import FlowCheck
import FlowDiagnostics
import Testing

/// Mistakes a sales-operations author makes with a Chinese input method or YAML's indentation
/// (QA round 6): each is said where it is, with the fix.
@Suite struct AuthorMistakeTests {
    /// The diagnostics of checking `yaml` as the file `path`, with nothing to include.
    static func diagnostics(_ yaml: String, path: String = "f.flow.yaml") -> [Diagnostic] {
        TemplateChecker.check(path: path, bytes: Array(yaml.utf8), fs: MemoryFileSystem([:])).diagnostics
    }

    /// A template whose node `quotation` has `next` lines (written at the column of a list under
    /// `next:`), then `audit` and `won`: for the branch mistakes.
    static func quotation(next lines: String) -> String {
        """
        flowc: 1
        template: {id: t, version: 1.0.0, name: T}
        fields: {amount: {type: money, currency: CNY}}
        roles: {o: {name: O, owner: true}}
        nodes:
          - id: quotation
            name: Q
            owner: o
            next:
        \(lines)
          - {id: audit, name: A, owner: o, next: won}
          - {id: won, name: Won, kind: won}
        """
    }

    /// A small template with `line` put in place of the `@LINE@` marker.
    static func check(field: String = "vip: {type: boolean, default: false}", node: String = "requires: [quote, cost]",
                      when: String = "\"quote < cost\"", pool: String = "") -> [Diagnostic] {
        let yaml = """
            flowc: 1
            template: {id: mini, version: 1.0.0, name: 迷你流程}
            fields:
              customer_name: {type: text, required: true}
              quote: {type: money, currency: CNY}
              cost: {type: money, currency: CNY}
              \(field)
            roles:
              sales_owner: {name: 销售负责人, owner: true}
              sales_manager: {name: 销售经理, manager: true}
            nodes:
              - id: quotation
                name: 方案报价
                owner: sales_owner
                \(node)
                next:
                  - if: \(when)
                    to: audit
                  - default: won
              - {id: audit, name: 内审, owner: sales_manager, next: won}
              - {id: won, name: 赢单, kind: won}
              - {id: lost, name: 输单, kind: lost}
            lose: {via: lost}
            \(pool)

            """
        return Self.diagnostics(yaml, path: "mini.flow.yaml")
    }

    /// `{type： boolean}`: the full-width colon made one key of `type： boolean`, and `type` was
    /// then said to be missing, with no word about the `：`.
    @Test func aFullWidthColonInsideBracesIsNamedOnce() throws {
        let ds = Self.check(field: "vip: {type： boolean, default: false}")
        #expect(ds.count == 1, "\(ds.map(\.message.text))")
        let d = try #require(ds.first)
        #expect(d.code == DiagnosticCode(201))
        #expect(d.help?.text == "`：` (U+FF1A FULLWIDTH COLON) is not YAML's `:`, so the key and its value are read as one key; write `type: boolean`")
        #expect(d.fixIts.map(\.replacement) == ["type: boolean"])
    }

    /// `requires: [quote，cost]`: the suggestion was the id `quotecost`.
    @Test func aFullWidthCommaInAListSuggestsTwoEntries() throws {
        let ds = Self.check(node: "requires: [quote，cost]")
        let d = try #require(ds.first { $0.code == DiagnosticCode(206) })
        #expect(d.help?.text == "separate the entries of a list with `,` (a full-width `，` or `、` is part of the name): `[quote, cost]`")
    }

    /// An enum's values have no display name: the help does not send the author to `name:` (QA
    /// round 35, A12).
    @Test func anEnumValueThatIsNoIdGetsAHelpWithoutName() throws {
        let ds = Self.check(field: "trial: {type: enum, values: [converted, 失败, Extended]}")
        let helps = ds.filter { $0.code == DiagnosticCode(206) }.map { $0.help?.text ?? "" }
        #expect(helps == ["an enum's values are ids, lowercase snake_case such as `in_review`, with no display name of their own",
                          "an enum's values are ids, lowercase snake_case, such as `extended`, with no display name of their own"], "\(helps)")
        // The value meant is kept: a condition written with it is not refused too (QA round 36, C9).
        let kept = Self.check(field: "trial: {type: enum, values: [converted, Extended]}", when: "\"trial == 'extended'\"")
        #expect(kept.filter { $0.severity == .error }.map(\.code.description) == ["FC0206"], "\(kept.map(\.message.text))")
        // An approval's outcomes too (QA round 36, C8).
        let yaml = "flowc: 1\ntemplate: {id: t, version: 1.0.0, name: T}\nroles: {o: {name: O, owner: true}}\nnodes:\n"
            + "  - {id: a, name: A, owner: o, next: ap}\n  - {id: ap, name: AP, kind: approval, owner: o, outcomes: {approve: won, 驳回: a}}\n"
            + "  - {id: won, name: Won, kind: won}\n"
        let outcome = Self.diagnostics(yaml, path: "t.flow.yaml")
        #expect(outcome.first { $0.code == DiagnosticCode(206) }?.help?.text == "an approval's outcomes are ids, lowercase snake_case such as `reject`, with no display name of their own",
                "\(outcome.map { $0.help?.text ?? $0.message.text })")
    }

    /// A fork without its `join:`, or naming a node that is no join: the join node no fork names
    /// is said in that error, not again as a join without a fork (QA round 35, A13).
    @Test(arguments: [("", ["FC0320"]), ("join: tail, ", ["FC0504"])])
    func aForkMissingItsJoinIsOneError(_ join: String, _ codes: [String]) throws {
        let yaml = """
            flowc: 1
            template: {id: f, version: 1.0.0, name: F}
            roles: {o: {name: O, owner: true}}
            nodes:
              - {id: s, name: S, owner: o, next: f}
              - {id: f, name: F, kind: fork, \(join)branches: [a, b]}
              - {id: a, name: A, owner: o, next: j}
              - {id: b, name: B, owner: o, next: j}
              - {id: j, name: J, kind: join, next: tail}
              - {id: tail, name: Tail, owner: o, next: won}
              - {id: won, name: Won, kind: won}
            """
        let ds = Self.diagnostics(yaml)
        #expect(ds.filter { $0.severity == .error }.map(\.code.description) == codes, "\(ds.map(\.message.text))")
        let d = try #require(ds.first { $0.severity == .error })
        #expect(d.help?.text == (join.isEmpty ? "add `join: j`, the join node no fork names" : "did you mean `j`, the join node no fork names?"), "\(d.help?.text ?? "")")
        if !join.isEmpty { #expect(d.fixIts.map(\.replacement) == ["j"]) }
    }

    /// `owner` among a group chat's `roles`, which are role ids: the owner's role is offered (QA
    /// round 35, A14).
    @Test func theOwnerInAGroupChatsRolesGetsTheOwnersRole() throws {
        let ds = Self.check(node: "on_enter:\n      - group_chat: {name: chat, roles: [owner, sales_manager]}")
        let d = try #require(ds.first { $0.code == DiagnosticCode(303) }, "\(ds.map(\.message.text))")
        #expect(d.help?.text == "a group chat's `roles` are role ids, and `owner` is none: did you mean `sales_owner`, the role with `owner: true`?")
        #expect(d.fixIts.map(\.replacement) == ["sales_owner"])
        // With that role listed already, the help is to leave `owner` out (QA round 36, C10).
        let listed = Self.check(node: "on_enter:\n      - group_chat: {name: chat, roles: [owner, sales_owner]}")
        let again = try #require(listed.first { $0.code == DiagnosticCode(303) })
        #expect(again.help?.text == "a group chat's `roles` are role ids, and `owner` is none: leave it out, since `sales_owner`, the role with `owner: true`, is listed already")
        #expect(again.fixIts.isEmpty)
        // `participants` likewise (QA round 37, E4).
        let participants = Self.check(node: "participants: [owner]")
        #expect(participants.first { $0.code == DiagnosticCode(303) }?.help?.text == "a node's `participants` are role ids, and `owner` is none: did you mean `sales_owner`, the role with `owner: true`?",
                "\(participants.map { $0.help?.text ?? $0.message.text })")
    }

    /// A node repeated by an alias repeats its id: said at the alias, the anchored node labelled
    /// (QA round 35, A6: the caret and "first defined here" both on the one id written).
    @Test func aNodeRepeatedByAnAliasIsSaidAtTheAlias() throws {
        let yaml = "flowc: 1\ntemplate: {id: t, version: 1.0.0, name: T}\nroles:\n  o: {name: O, owner: true}\nnodes:\n"
            + "  - {id: a, name: A, owner: o, next: nurture}\n  - &nur\n    id: nurture\n    name: N\n    owner: o\n    next: won\n"
            + "  - *nur\n  - {id: won, name: Won, kind: won}\n  - {id: lost, name: Lost, kind: lost}\nlose: {via: lost}\n"
        let ds = Self.diagnostics(yaml, path: "t.flow.yaml")
        let d = try #require(ds.first { $0.code == DiagnosticCode(301) }, "\(ds.map(\.message.text))")
        #expect(d.location?.line == 12 && d.span?.range.count == 4, "\(String(describing: d.location))")
        #expect(d.labels.first?.span.file.location(of: d.labels.first!.span.start).line == 7)
        #expect(d.help?.text == "an alias repeats the whole node, its id too; write the second one out, with an id of its own")
    }

    /// A fix-it on an anchored value replaces the value, not its anchor: the aliases of the
    /// anchor keep it (QA round 36, C5: `&d 5` became `5d`, and `*d` referred to no anchor).
    @Test func aFixItOnAnAnchoredValueKeepsTheAnchor() throws {
        let ds = Self.check(node: "requires: [quote, cost]\n    due: &d 5")
        let d = try #require(ds.first { $0.fixIts.first?.replacement == "5d" }, "\(ds.map(\.message.text))")
        let fix = try #require(d.fixIts.first)
        #expect(String(decoding: fix.span.file.bytes[fix.span.range], as: UTF8.self) == "5")
    }

    /// A value wrong only where an alias uses it is said where the value is written, with a label
    /// at the alias (QA round 37, E2: the alias's line was never shown); a value no alias uses
    /// gets no such label.
    @Test func aValueWrongWhereAnAliasUsesItShowsTheAlias() throws {
        let ds = Self.check(node: "requires: [quote, cost]\n    due: &x 14d\n    probability: *x")
        let d = try #require(ds.first { $0.code.description == "FC0204" }, "\(ds.map(\.message.text))")
        #expect(d.message.text == "expected an integer for `probability`, found string `14d`")
        #expect(d.location?.line == 16)
        #expect(d.labels.map { $0.message.text } == ["the value is used here too, through an alias"])
        let label = try #require(d.labels.first)
        #expect(label.span.file.location(of: label.span.start).line == 17)
        #expect(String(decoding: label.span.file.bytes[label.span.range], as: UTF8.self) == "*x")
        let plain = Self.check(node: "requires: [quote, cost]\n    due: 14d\n    probability: 14d")
        #expect(plain.first { $0.code.description == "FC0204" }?.labels.isEmpty == true)
        // More aliases than labels: a note names the lines of them all, the wrong one among them
        // (QA round 39, R4: the fourth alias, the one that was wrong, was not shown).
        let many = Self.check(node: "requires: [quote, cost]\n    due: &x 14d\n    estimate: *x\n    escalate: {after: *x, to: sales_manager}\n    description: *x\n    probability: *x")
        let four = try #require(many.first { $0.code.description == "FC0204" }, "\(many.map(\.message.text))")
        #expect(four.labels.count == 3)
        #expect(four.notes.map(\.text) == ["the value is used through 4 aliases, on lines 17, 18, 19, 20"])
    }

    /// The count of problems left out is about none of them: no alias labels on FC0007 (QA round
    /// 39, R6: it had the labels of the value the first problem was about).
    @Test func theCountOfProblemsLeftOutHasNoAliasLabels() throws {
        var yaml = "flowc: 1\ntemplate: {id: f, version: 1.0.0, name: F}\nfields:\n  f0: {type: &t texty}\n"
        for i in 1...10_001 { yaml += "  f\(i): {type: *t}\n" }
        let ds = Self.diagnostics(yaml)
        let cap = try #require(ds.first { $0.code.description == "FC0007" }, "\(ds.prefix(3).map(\.message.text))")
        #expect(cap.labels.isEmpty && cap.notes.isEmpty)
        #expect(ds.contains { $0.code.description == "FC0208" && $0.labels.count == 3 })
    }

    /// A node whose `- ` is missing is one error, FC0102 with its fix-it: a reference to the id
    /// it writes is not also an unknown node (QA round 36, C1: FC0302 came first, pointing away).
    @Test func aNodeWithoutItsDashIsNotAlsoAnUnknownNode() throws {
        let yaml = """
            flowc: 1
            template: {id: f, version: 1.0.0, name: F}
            roles: {o: {name: O, owner: true}}
            nodes:
              - {id: s, name: S, owner: o, next: f}
              - {id: f, name: F, kind: fork, branches: [a, b], join: j}
              - id: a
                name: A
                owner: o
                next: j
                id: b
                name: B
                owner: o
                next: j
              - {id: j, name: J, kind: join, next: won}
              - {id: won, name: Won, kind: won}
            """
        let ds = Self.diagnostics(yaml)
        #expect(ds.filter { $0.severity == .error }.map(\.code.description) == ["FC0102"], "\(ds.map(\.message.text))")
        // The join without its dash: not also an unknown join (QA round 37, E1).
        let join = yaml.replacingOccurrences(of: "  - {id: j, name: J, kind: join, next: won}", with: "    id: j\n    name: J\n    kind: join\n    next: won")
        let js = Self.diagnostics(join)
        #expect(!js.contains { $0.code.description == "FC0302" }, "\(js.map(\.message.text))")
        // The won end without its dash after a task: its `kind: won` is not taken for the task's,
        // and nothing but the missing dash is said (QA round 37, E1: FC0319 for `next`, which
        // the merged node's kind did not take).
        let end = """
            flowc: 1
            template: {id: f, version: 1.0.0, name: F}
            roles: {o: {name: O, owner: true}}
            nodes:
              - id: s
                name: S
                owner: o
                next: won
                id: won
                name: Won
                kind: won
            """
        let es = Self.diagnostics(end)
        let errors = es.filter { $0.severity == .error }
        #expect(errors.map(\.code.description) == ["FC0102"], "\(es.map(\.message.text))")
        #expect(errors.map { $0.location?.line } == [9])
        #expect(errors.map { $0.notes.map(\.text) } == [["the keys after it repeat the item's too: `name`"]])
        // A node's id written twice, its other keys after the second: the one error, not a node
        // without `owner` and `next` and the nodes after it unreachable (QA round 39, R1).
        let twice = end.replacingOccurrences(of: "    next: won\n    id: won\n    name: Won\n    kind: won", with: "    id: first_s\n    next: won\n  - {id: won, name: Won, kind: won}")
        #expect(twice.contains("    owner: o\n    id: first_s\n    next: won\n"))
        let ts = Self.diagnostics(twice)
        #expect(ts.filter { $0.severity == .error }.map(\.code.description) == ["FC0102"], "\(ts.map(\.message.text))")
        #expect(!ts.contains { $0.code.description == "FC0501" }, "\(ts.map(\.message.text))")
    }

    /// A list item's next line without its `- `: YAML joins the two lines into one text, and
    /// the id `quote cost` was refused with no word of the dash (QA round 39, R10).
    @Test func anItemOnTheNextLineWithoutItsDashSaysToWriteTheDash() throws {
        let ds = Self.check(node: "requires:\n      - quote\n        cost\n        vip")
        let d = try #require(ds.first { $0.code == DiagnosticCode(206) }, "\(ds.map(\.message.text))")
        #expect(d.message.text == "`quote cost vip` is not a valid identifier")
        #expect(d.help?.text == "YAML joins the lines of a list item into one text: if `cost` and `vip` are items of their own, write `- ` before each, in the column of the `- ` above")
        #expect(d.fixIts.map(\.replacement) == ["- ", "- "])
        #expect(d.fixIts.map { $0.span.file.location(of: $0.span.start).line } == [17, 18])
        #expect(d.fixIts.map { $0.span.file.location(of: $0.span.start).column } == [7, 7])
        // Applied, the fix-its leave a template with nothing to say.
        let bytes = Array(d.fixIts[0].span.file.bytes)
        var fixed = bytes
        for f in d.fixIts.sorted(by: { $0.span.start > $1.span.start }) {
            fixed.replaceSubrange(f.span.start..<f.span.end, with: Array(f.replacement.utf8))
        }
        #expect(Self.diagnostics(String(decoding: fixed, as: UTF8.self)).isEmpty, "\(String(decoding: fixed, as: UTF8.self))")
        // One line more.
        let one = Self.check(node: "requires:\n      - quote\n        cost")
        #expect(one.first { $0.code == DiagnosticCode(206) }?.help?.text == "YAML joins the lines of a list item into one text: if `cost` is an item of its own, write `- ` before it, in the column of the `- ` above")
        // A text that is not a run of ids keeps the identifier help.
        let prose = Self.check(node: "requires:\n      - quote\n        最终报价")
        #expect(prose.first { $0.code == DiagnosticCode(206) }?.help?.text.hasPrefix("YAML joins") == false, "\(prose.map { $0.help?.text ?? "" })")
        // Written on one line, as a flow list: no word of lines.
        let flow = Self.check(node: "requires: [quote cost]")
        #expect(flow.first { $0.code == DiagnosticCode(206) }?.help?.text.hasPrefix("YAML joins") == false)
    }

    /// `default:` without its `- ` after an `if`/`to` branch: one error with the dash to write,
    /// and both branches kept, where `if` and `to` were each an unknown key of the default branch
    /// and the audit node was said to be unreachable (QA round 39, R10).
    @Test func aDefaultBranchWithoutItsDashSaysToWriteTheDash() throws {
        let yaml = Self.quotation(next: "      - if: amount > 100 CNY\n        to: audit\n        default: won")
        let ds = Self.diagnostics(yaml).filter { $0.severity == .error }
        #expect(ds.map(\.code.description) == ["FC0201"], "\(ds.map(\.message.text))")
        let d = try #require(ds.first)
        #expect(d.message.text == "`default` in a branch with `if` and `to`: a branch has `if` and `to`, or `default` alone")
        #expect(d.location?.line == 12)
        #expect(d.help?.text == "if `default` is the next branch, write `- ` before it, in the column of the other branches' `- `")
        #expect(d.fixIts.map(\.replacement) == ["- "])
        #expect(d.fixIts.map { $0.span.file.location(of: $0.span.start).column } == [7])
        let fixed = yaml.replacingOccurrences(of: "        default: won", with: "      - default: won")
        #expect(Self.diagnostics(fixed).filter { $0.severity == .error }.isEmpty)
    }

    /// `default:` between a branch's `if` and `to`, or before them: one error at `default` that
    /// says to move it to an item of its own, and both branches read, where `if` and `to` were
    /// each an unknown key of the default branch (QA round 43, F8).
    @Test(arguments: [("      - if: amount > 100 CNY\n        default: won\n        to: audit", 11),
                      ("      - default: won\n        if: amount > 100 CNY\n        to: audit", 10)])
    func aDefaultInsideABranchSaysToMoveItOut(_ branch: String, _ line: Int) throws {
        let yaml = Self.quotation(next: branch)
        let ds = Self.diagnostics(yaml).filter { $0.severity == .error }
        #expect(ds.map(\.code.description) == ["FC0201"], "\(ds.map(\.message.text))")
        let d = try #require(ds.first)
        #expect(d.message.text == "`default` in a branch with `if` and `to`: a branch has `if` and `to`, or `default` alone")
        #expect(d.location?.line == line, "\(yaml)")
        #expect(d.help?.text == "`default` is a branch of its own, the last: move it to an item after this one, `- default: won`")
        #expect(d.fixIts.isEmpty)
        // Nothing else (but the template's own want of a `lose`): the audit node is reached,
        // the default branch is read.
        let others = Self.diagnostics(yaml).map(\.message.text).filter { !$0.hasPrefix("the template has no `lose`") }
        #expect(others == [d.message.text], "\(others)")
    }

    /// Another language's or tool's word for a field type gets flowc's, with a fix; a bare
    /// `number` gets the three numeric types (QA round 44, A12: only the list of types).
    @Test(arguments: [("string", "flowc calls `string` `text`", "text"), ("int", "flowc calls `int` `integer`", "integer"),
                      ("bool", "flowc calls `bool` `boolean`", "boolean"), ("array", "flowc calls `array` `list`", "list"),
                      ("select", "flowc calls `select` `enum`", "enum"),
                      ("number", "a whole number is `integer`; a number with a fraction is `decimal`; an amount in a currency is `money` (with `currency:`)", nil)])
    func aTypeInAnotherWordGetsFlowcs(_ word: String, _ help: String, _ fix: String?) throws {
        let ds = Self.check(field: "seats: {type: \(word)}")
        let d = try #require(ds.first { $0.code == DiagnosticCode(208) }, "\(ds.map(\.message.text))")
        #expect(d.message.text == "`\(word)` is not a valid field type")
        #expect(d.help?.text == help)
        #expect(d.fixIts.map(\.replacement) == (fix.map { [$0] } ?? []))
        // A misspelling still gets its did-you-mean.
        let typo = try #require(Self.check(field: "seats: {type: intger}").first { $0.code == DiagnosticCode(208) })
        #expect(typo.help?.text == "did you mean `integer`?")
    }

    /// `next` on a node that goes on otherwise says how it does (QA round 44, A12: no help).
    @Test func aNextWhereTheKindGoesOnOtherwiseSaysHow() throws {
        let approval = Self.diagnostics("""
            flowc: 1
            template: {id: t, version: 1.0.0, name: T}
            roles: {o: {name: O, owner: true}}
            nodes:
              - {id: review, name: R, kind: approval, owner: o, outcomes: {approve: won, reject: lost}, next: won}
              - {id: won, name: Won, kind: won, next: lost}
              - {id: lost, name: Lost, kind: lost}
            """)
        let nexts = approval.filter { $0.code == DiagnosticCode(319) }
        #expect(nexts.map(\.message.text) == ["`next` does not apply to a node of kind `approval`", "`next` does not apply to a node of kind `won`"])
        #expect(nexts.map { $0.help?.text ?? "" } == [
            "an approval goes on by the outcome chosen: each entry of `outcomes` names the node it leads to; remove `next`",
            "a `won` or `lost` node ends the deal: nothing comes after it; remove `next`",
        ])
    }

    /// A node nothing leads to, and a lose reason the reason field lacks, say what to do (QA
    /// round 44, A12: no help).
    @Test func anUnreachableNodeAndAMissingReasonSayWhatToDo() throws {
        let ds = Self.diagnostics("""
            flowc: 1
            template: {id: t, version: 1.0.0, name: T}
            fields: {why: {type: enum, values: [price]}}
            roles: {o: {name: O, owner: true}}
            nodes:
              - {id: talks, name: Talks, owner: o, next: won}
              - {id: orphan, name: Orphan, owner: o, next: won}
              - {id: won, name: Won, kind: won}
              - {id: lost, name: Lost, kind: lost}
            lose: {via: lost, reasons: [price, timing], reason_field: why}
            """)
        let orphan = try #require(ds.first { $0.code == DiagnosticCode(501) })
        #expect(orphan.help?.text == "name `orphan` in a `next`, a branch's `to`, an outcome or a fork's `branches` of a node the deal reaches, or remove it")
        let reason = try #require(ds.first { $0.code == DiagnosticCode(321) }, "\(ds.map(\.message.text))")
        #expect(reason.help?.text == "add `timing` to the `values` of `why`, or take it out of `lose.reasons`")
    }

    /// The report's amount guessed as a price per seat that the contract value is worked out
    /// from is warned of; a quote a margin or a share is worked out from is not (QA round 44, A1).
    @Test(arguments: [("arr: {type: money, currency: CNY, compute: \"quote * seats\"}", true),
                      ("arr: {type: money, currency: CNY, compute: \"seats * quote\"}", true),
                      ("margin: {type: money, currency: CNY, compute: \"quote - cost\"}", false),
                      ("share: {type: money, currency: CNY, compute: \"quote * 0.05\"}", false),
                      ("amount: {type: money, currency: CNY, compute: \"quote * seats\"}", false)])
    func theReportsAmountGuessedFromAPriceIsWarnedOf(_ computed: String, _ warned: Bool) throws {
        let ds = Self.check(field: "seats: {type: integer, min: 1}\n  \(computed)")
        let amount = ds.filter { $0.code == DiagnosticCode(714) }
        #expect(amount.count == (warned ? 1 : 0), "\(ds.map(\.message.text))")
        if warned { #expect(amount.first?.message.text == "the report will read `quote` as each deal's amount, though `arr` is worked out from it") }
    }

    /// A fork branch that runs past its join to a node other deals reach directly: FC0504 at
    /// the branch, and no FC0516 at the direct way in, whose help would cut the other deals'
    /// path (QA round 44, A3).
    @Test func aBranchPastItsJoinIsNotBlamedOnTheOtherPathIn() throws {
        let ds = Self.diagnostics("""
            flowc: 1
            template: {id: t, version: 1.0.0, name: T}
            fields: {big: {type: boolean, default: false}}
            roles: {o: {name: O, owner: true}}
            nodes:
              - id: demo
                name: Demo
                owner: o
                next:
                  - if: big
                    to: reviews
                  - default: proposal
              - {id: reviews, name: Reviews, kind: fork, branches: [security, legal], join: reviews_done}
              - {id: security, name: Security, owner: o, next: reviews_done}
              - {id: legal, name: Legal, owner: o, next: proposal}
              - {id: reviews_done, name: Done, kind: join, next: proposal}
              - {id: proposal, name: Proposal, owner: o, next: won}
              - {id: won, name: Won, kind: won}
              - {id: lost, name: Lost, kind: lost}
            lose: {via: lost, reasons: [price]}
            """)
        #expect(ds.filter { $0.severity == .error }.map(\.code.description) == ["FC0504"], "\(ds.map(\.message.text))")
    }

    /// The same beside a key that is none of a branch's, without `to`, and with a default branch
    /// in the list already: one error at `default`, each other mistake its own, and no node said
    /// unreachable (QA round 44, R4, R5).
    @Test(arguments: [
        ("      - if: amount > 100 CNY\n        to: audit\n        default: won\n        foo: bar",
         ["`default` in a branch with `if` and `to`: a branch has `if` and `to`, or `default` alone", "unknown key `foo` in a branch"],
         "`default` is a branch of its own, the last: move it to an item after this one, `- default: won`"),
        ("      - if: amount > 100 CNY\n        default: audit",
         ["missing required key `to` in a branch", "`default` in a branch with `if` and `to`: a branch has `if` and `to`, or `default` alone"],
         "`default` is a branch of its own, the last: move it to an item after this one, `- default: audit`"),
        ("      - if: amount > 100 CNY\n        to: audit\n        default: won\n      - default: won",
         ["`default` in a branch with `if` and `to`: a branch has `if` and `to`, or `default` alone"],
         "the list has its `default` branch already: take out this `default: won`, or make it that branch's target"),
    ])
    func aDefaultInsideABranchWithOtherMistakes(_ branch: String, _ errors: [String], _ help: String) throws {
        let yaml = Self.quotation(next: branch)
        let ds = Self.diagnostics(yaml).filter { !$0.message.text.hasPrefix("the template has no `lose`") }
        #expect(ds.map(\.message.text) == errors, "\(ds.map(\.message.text))")
        #expect(ds.first { $0.message.text.hasPrefix("`default` in a branch") }?.help?.text == help)
    }

    /// `“VIP”` in an expression: unexpected character, now with the quote to use.
    @Test func curlyQuotesInAnExpressionAreNamed() throws {
        let ds = Self.check(when: "\"quote < cost or customer_name == “VIP”\"")
        let d = try #require(ds.first { $0.code == DiagnosticCode(407) })
        #expect(d.message.text == "unexpected character `“`")
        #expect(d.help?.text == "`“` is not a string quote: write text in single quotes, `quote < cost or customer_name == 'VIP'` (double quotes would end the YAML string around the expression)")
        // The whole condition in them, meant as YAML's quotes (QA round 44, A6).
        let whole = try #require(Self.check(when: "“quote < cost”").first { $0.code == DiagnosticCode(407) })
        #expect(whole.help?.text == "the expression is written in `“…”`, which YAML does not read as quotes: write `\"quote < cost\"`, in YAML's double quotes")
    }

    /// A key left without its entries (they were not indented under it) says how to write them.
    @Test func aKeyWithNothingUnderItSaysToIndentTheEntries() throws {
        let ds = Self.check(node: "requires:")
        let d = try #require(ds.first { $0.code == DiagnosticCode(203) })
        #expect(d.message.text == "expected a list for `requires`, found nothing")
        #expect(d.help?.text == "write its entries on the lines below it, indented further than the key: YAML reads lines at the key's own indentation as keys beside it")
    }

    /// `message: {customer_name}`: YAML reads the placeholder as a mapping, and FC0213 said only
    /// that `customer_name` is not a language tag.
    @Test func aPlaceholderAloneWithoutQuotesSaysToQuoteIt() throws {
        let ds = Self.check(node: "on_enter:\n      - notify:\n          to: [sales_owner]\n          message: {customer_name}")
        let d = try #require(ds.first { $0.code == DiagnosticCode(213) }, "\(ds.map(\.message.text))")
        #expect(d.help?.text == "YAML reads `{…}` without quotes as a mapping; to write a placeholder, quote the text: `message: \"{customer_name}\"`")
    }

    /// An unclosed `{` before another placeholder is said as unclosed, and the placeholder after
    /// it is judged on its own (the unclosed one swallowed it into one long "unknown field").
    @Test func anUnclosedBraceDoesNotSwallowTheNextPlaceholder() throws {
        let ds = Self.check(node: "on_enter:\n      - notify: {to: [sales_owner], message: \"{customer_name 已签署, 金额 { quote }\"}")
        let messages = ds.filter { $0.code == DiagnosticCode(708) }.map(\.message.text)
        #expect(messages == ["this `{` opens a placeholder that is never closed", "placeholder `{ quote }` names no field: the spaces are part of the name"],
                "\(ds.map(\.message.text))")
    }

    /// `-quote` under `requires:`: the dash needs its space (the help said to write `[-quote -cost]`).
    @Test func aListItemWithoutItsSpaceSaysSo() throws {
        let ds = Self.check(node: "requires:\n      -quote\n      -cost")
        let d = try #require(ds.first { $0.code == DiagnosticCode(203) }, "\(ds.map(\.message.text))")
        #expect(d.help?.text == "a list item starts with `- `, a dash and a space: `- quote`; without the space YAML reads one text")
        #expect(d.fixIts.isEmpty)
    }

    /// A misspelt `extends` or `include` path suggests the file beside it (QA: no did-you-mean).
    /// A misspelt directory too (QA round 35, A14).
    @Test(arguments: [("extends: base.flow.yml", "base.flow.yaml"), ("include: [fragments/role.flow.yml]", "fragments/roles.flow.yaml"),
                      ("include: [fragment/roles.flow.yaml]", "fragments/roles.flow.yaml"), ("include: [./fragmnts/role.flow.yaml]", "./fragments/roles.flow.yaml")])
    func aMisspeltPathSuggestsTheFileBesideIt(_ line: String, _ meant: String) throws {
        let fs = MemoryFileSystem([
            "/t/base.flow.yaml": "flowc: 1\ntemplate: {id: base, version: 1.0.0, name: Base}\n",
            "/t/fragments/roles.flow.yaml": "flowc: 1\nfragment: {id: roles}\n",
            "/t/fragments/other.txt": "",
        ])
        let text = "flowc: 1\n\(line)\ntemplate: {id: child, version: 1.0.0, name: Child}\n"
        let ds = TemplateChecker.check(path: "/t/child.flow.yaml", bytes: Array(text.utf8), fs: fs).diagnostics
        let d = try #require(ds.first { $0.code == DiagnosticCode(305) })
        #expect(d.help?.text == "did you mean `\(meant)`?", "\(ds.map(\.message.text))")
        #expect(d.fixIts.map(\.replacement) == [meant])
    }

    /// FC0601's example is in the author's units: `warn: 12d` before `after: 14d` (it said `280h`).
    @Test(arguments: [("14d", "21d", "12d"), ("21d", "21d", "17d"), ("30d", "30d", "25d"), ("36h", "40h", "30h"), ("1h", "2h", "50m")])
    func theWarningSuggestedIsInWholeDays(_ after: String, _ warn: String, _ suggested: String) throws {
        let ds = Self.check(pool: "pool: {idle: {after: \(after), warn: \(warn), notify: [sales_owner]}}")
        let d = try #require(ds.first { $0.code == DiagnosticCode(601) })
        #expect(d.help?.text == "warn some days before, e.g. `warn: \(suggested)`")
    }
}

extension AuthorMistakeTests {
    /// A rework from one branch of a fork into another (review of the runner: the checker took
    /// it whenever a loop after the join led back before the fork, and the runner then left the
    /// deal with no open node and the join waiting for ever). Refused at the target with the
    /// two ways that work; a rework from after the join into one branch stays allowed.
    @Test func aReworkIntoASiblingBranchIsRefused() throws {
        let path = repoRoot + "/testdata/check/err/rework-into-sibling-branch.flow.yaml"
        let bytes = Array(try String(contentsOfFile: path, encoding: .utf8).utf8)
        let ds = TemplateChecker.check(path: "cross.flow.yaml", bytes: bytes, fs: MemoryFileSystem([:])).diagnostics
        #expect(ds.count == 1, "\(ds.map(\.message.text))")
        let d = try #require(ds.first)
        #expect(d.code == DiagnosticCode(509))
        #expect(d.message.text == "`rework` cannot go from `legal` to `finance`, in another branch of fork `review_fork`: the branches run side by side, so `finance` does not come before `legal`")
        #expect(d.help?.text == "to do both branches again, rework to a node before the fork `review_fork`; to redo `finance` alone, rework from a node after the join `reviews_done`")
        // Within one branch of an outer fork, a rework between the branches of an inner fork is
        // refused for the inner one; one from the inner fork's branch back before it is not.
        let nested = String(decoding: bytes, as: UTF8.self)
            .replacingOccurrences(of: "    rework: [prep, finance]\n", with: "    rework: [prep]\n")
            .replacingOccurrences(of: """
              - id: finance
                name: Finance
                owner: sales_owner
                next: reviews_done

            """, with: """
              - id: finance
                name: Finance
                owner: sales_owner
                next: finance_fork
              - id: finance_fork
                name: Finance checks
                kind: fork
                branches: [credit, tax]
                join: finance_done
              - id: credit
                name: Credit
                owner: sales_owner
                rework: [tax, finance]
                next: finance_done
              - id: tax
                name: Tax
                owner: sales_owner
                next: finance_done
              - id: finance_done
                name: Finance done
                kind: join
                next: reviews_done

            """)
        let inner = Self.diagnostics(nested, path: "nested.flow.yaml")
        #expect(inner.map(\.message.text) == [
            "`rework` cannot go from `credit` to `tax`, in another branch of fork `finance_fork`: the branches run side by side, so `tax` does not come before `credit`",
        ])
        // A transition from the outer fork's other branch into the inner fork is not told to be
        // a rework, which this rule refuses (QA round 20, N4).
        let across = nested.replacingOccurrences(of: "    rework: [prep]\n    next: reviews_done\n", with: "    next: legal_ok\n  - id: legal_ok\n    name: Legal OK\n    kind: approval\n    owner: sales_manager\n    outcomes: {approve: reviews_done, reject: tax}\n")
        let entered = Self.diagnostics(across, path: "across.flow.yaml")
        #expect(entered.contains { $0.code == DiagnosticCode(516) }, "\(entered.map(\.message.text))")
        #expect(!entered.contains { $0.help?.text.contains("rework: [tax]") == true }, "\(entered.map { $0.help?.text ?? "" })")
        // ... nor to lead into the inner fork, which FC0515 refuses as well (QA round 21).
        #expect(entered.first { $0.code == DiagnosticCode(516) }?.help == nil, "\(entered.map { $0.help?.text ?? "" })")
    }

    /// `to: owner` without brackets: FC0203 says to write `[owner]`, and nothing says the effect
    /// has no recipients (QA round 35, A8: FC0707 beside it, at the same place).
    @Test func recipientsNotInAListAreSaidOnce() throws {
        let ds = Self.check(node: "on_enter:\n      - notify: {to: owner, message: hi}")
        #expect(ds.map(\.code.description) == ["FC0203"], "\(ds.map(\.message.text))")
        #expect(ds.first?.help?.text.contains("[owner]") == true)
        // `to: ,` inside braces: the list goes in brackets, there are no lines below (QA round 36, C19).
        let empty = Self.check(node: "on_enter:\n      - notify: {to: , message: hi}")
        #expect(empty.first { $0.code.description == "FC0203" }?.help?.text == "write the list in brackets after the key: `to: [owner]`, `to: [sales_manager, legal]`",
                "\(empty.map { $0.help?.text ?? $0.message.text })")
        // `pool.idle.notify: owner` likewise, without "notifies no one" (QA round 36, C7).
        let idle = Self.check(pool: "pool: {idle: {after: 21d, warn: 14d, notify: owner}}")
        #expect(idle.map(\.code.description) == ["FC0203"], "\(idle.map(\.message.text))")
        // An empty list still has no recipients.
        #expect(Self.check(node: "on_enter:\n      - notify: {to: [], message: hi}").contains { $0.code.description == "FC0707" })
    }

    /// A mistake inside a node an alias repeats is one error, with one fix-it, and the other
    /// place it is read as a note (QA round 35, A5: two errors, two equal fix-its).
    @Test func aMistakeInANodeAnAliasRepeatsIsSaidOnce() throws {
        let ds = Self.check(field: "vip: &flag {type: boolean, defualt: false}\n  vip2: *flag")
        let unknown = ds.filter { $0.code.description == "FC0201" }
        #expect(unknown.count == 1, "\(ds.map(\.message.text))")
        let d = try #require(unknown.first)
        #expect(d.fixIts.count == 1)
        #expect(d.message.text.contains("`vip`"), "\(d.message.text)")
        #expect(d.notes.map(\.text).contains { $0.hasPrefix("also: ") && $0.contains("`vip2`") }, "\(d.notes.map(\.text))")
    }
}
