import FlowCLI
import Foundation
import Testing

/// A small template with a fork `review` whose branches `legal_review` and `finance_review` meet
/// at the join `review_done`; it checks clean.
let forkTemplate = """
    flowc: 1
    template: {id: fork_demo, version: 1.0.0, name: {zh: 示例, en: Demo}}
    roles:
      sales_owner: {name: 销售, owner: true}
      legal: {name: 法务}
    nodes:
      - id: start_here
        name: 开始
        owner: sales_owner
        next: review
      - id: review
        name: 会审
        kind: fork
        branches: [legal_review, finance_review]
        join: review_done
      - id: legal_review
        name: 法务
        owner: legal
        next: review_done
      - id: finance_review
        name: 财务
        owner: legal
        next: review_done
      - id: review_done
        name: 完成
        kind: join
        next: won
      - id: won
        name: 赢单
        kind: won
      - id: lost
        name: 输单
        kind: lost
    lose:
      via: lost

    """

/// `forkTemplate` with its branch `legal_review` an approval with these `outcomes`.
func forkTemplate(legalOutcomes outcomes: String) -> String {
    forkTemplate.replacingOccurrences(of: """
          - id: legal_review
            name: 法务
            owner: legal
            next: review_done
        """, with: """
          - id: legal_review
            name: 法务
            owner: legal
            kind: approval
            outcomes: \(outcomes)
        """)
}

/// Checks `text` as `t.flow.yaml` in a fresh directory; returns the result and the file's path.
func checkText(_ text: String, _ args: String...) throws -> (code: Int32, out: String, err: String, path: String) {
    let dir = try tempDir(["t.flow.yaml": text])
    let path = dir + "/t.flow.yaml"
    let ctx = CLIContext(capture: true, environment: [:])
    let code = Flowc.run(["check"] + args + [path], context: ctx)
    return (code, ctx.out, ctx.err, path)
}

/// What an author sees for the mistakes of the QA pass on `flowc check` (notes/qa-check.md):
/// the code, the place, the message and the help, and that compile and graph agree with check.
@Suite struct ForkCheckFindingsTests {
    @Test func theForkTemplateChecksClean() throws {
        let r = try checkText(forkTemplate)
        #expect(r.code == 0, "\(r.out)")
    }

    @Test func aBranchNamedTwiceIsAnErrorAtTheRepeat() throws {
        let r = try checkText(forkTemplate.replacingOccurrences(of: "[legal_review, finance_review]", with: "[legal_review, legal_review]"))
        #expect(r.code == 1)
        #expect(r.out.hasPrefix("\(r.path):14:30: error[FC0515]: fork `review` names branch `legal_review` twice\n"), "\(r.out)")
        #expect(r.out.contains("first named here"))
        #expect(r.out.contains("help: the join `review_done` waits for one arrival from each branch; name each branch once"))
        let compile = flowc("compile", r.path)
        #expect(compile.code == 1)
        #expect(compile.err.contains("error[FC0515]"))
    }

    @Test func aBranchLeadingIntoAnotherIsAnErrorAtItsNext() throws {
        let text = forkTemplate.replacingOccurrences(of: "    owner: legal\n    next: review_done\n  - id: finance_review",
                                                     with: "    owner: legal\n    next: finance_review\n  - id: finance_review")
        let r = try checkText(text)
        #expect(r.code == 1)
        #expect(r.out.hasPrefix("\(r.path):19:11: error[FC0515]: branch `legal_review` of fork `review` leads into branch `finance_review`\n"), "\(r.out)")
        #expect(r.out.contains("`finance_review` starts a branch of its own here"))
        #expect(r.out.contains("help: lead `legal_review` to the join `review_done` instead"))
        #expect(flowc("graph", r.path).code == 1)
    }

    @Test func aTransitionIntoABranchFromBeforeTheForkIsAnError() throws {
        let text = forkTemplate.replacingOccurrences(of: "    owner: sales_owner\n    next: review\n",
                                                     with: "    owner: sales_owner\n    next:\n      - if: \"true\"\n        to: legal_review\n      - default: review\n")
        let r = try checkText(text)
        #expect(r.code == 1)
        #expect(r.out.contains("\(r.path):12:13: error[FC0516]: `start_here` leads into `legal_review` inside fork `review`, and deals can reach `start_here` without passing the fork\n"), "\(r.out)")
        #expect(r.out.contains("help: the join `review_done` would wait for branches that never started; lead `start_here` to the fork `review` instead"))
    }

    @Test func aStartInsideABranchIsAnErrorAtStart() throws {
        let r = try checkText(forkTemplate + "start: legal_review\n")
        #expect(r.code == 1)
        #expect(r.out.hasPrefix("\(r.path):36:8: error[FC0516]: the start node `legal_review` is inside fork `review`\n"), "\(r.out)")
        // The nodes before the branch are not reported as unreachable: the start is the mistake.
        #expect(!r.out.contains("FC0501"))
        #expect(r.out.contains("start at a node before the fork"))
    }

    /// Going back into one branch after the join is what the runner supports: from a node every
    /// path reaches through the fork, and by `rework` from anywhere after the join.
    @Test func goingBackIntoABranchAfterTheJoinIsAllowed() throws {
        let text = forkTemplate
            .replacingOccurrences(of: "    kind: join\n    next: won\n", with: """
                    kind: join
                    next: signing
                  - id: signing
                    name: 签约
                    kind: approval
                    owner: sales_owner
                    outcomes: {signed: won, legal_again: legal_review}

                """)
        let r = try checkText(text)
        #expect(r.code == 0, "\(r.out)")
    }
}

/// `flowc compile` and `flowc graph` refuse only what `flowc check` refuses, and say so the same
/// way: located and coded.
@Suite struct CompileAgreesWithCheckCLITests {
    static let emptyNext = forkTemplate.replacingOccurrences(of: "    owner: sales_owner\n    next: review\n",
                                                             with: "    owner: sales_owner\n    next: []\n")

    @Test func anEmptyNextIsACheckErrorAtTheList() throws {
        let r = try checkText(Self.emptyNext)
        #expect(r.code == 1)
        #expect(r.out.hasPrefix("\(r.path):10:11: error[FC0209]: `next` must not be empty\n"), "\(r.out)")
        #expect(r.out.contains("help: name the next node, `next: NODE`, or list branches that end with `- default: NODE`"))
    }

    @Test(arguments: ["compile", "graph"])
    func compileAndGraphReportAnEmptyNextAsCheckDoes(_ command: String) throws {
        let r = try checkText(Self.emptyNext)
        let other = flowc(command, r.path)
        #expect(other.code == 1)
        #expect(other.err.hasPrefix("\(r.path):10:11: error[FC0209]: `next` must not be empty\n"), "\(other.err)")
    }

    /// An always-true condition is no `default`: the compiler needs one, so check says so.
    @Test func anAlwaysTrueBranchWithoutDefaultIsACheckError() throws {
        let text = forkTemplate.replacingOccurrences(of: "    owner: sales_owner\n    next: review\n",
                                                     with: "    owner: sales_owner\n    next:\n      - if: \"true\"\n        to: review\n")
        let r = try checkText(text)
        #expect(r.code == 1)
        #expect(r.out.contains("\(r.path):11:7: error[FC0505]: this branch set has no `default` branch: a conditional `next` must end with one\n"), "\(r.out)")
        #expect(r.out.contains("help: write the branch whose condition is always true as `- default: review`"))
        let compile = flowc("compile", r.path)
        #expect(compile.code == 1)
        #expect(compile.err.contains("error[FC0505]"))
    }
}

/// The idle warning's recipients (`pool.idle.notify`) are checked as effect recipients are.
@Suite struct IdleNotifyFindingsTests {
    @Test func contactsWarnedOnIdleWithoutAnExternalRoleIsWarned() throws {
        let r = try checkText(forkTemplate + "pool: {idle: {after: 30d, warn: 20d, notify: [contacts]}}\n")
        #expect(r.code == 0)
        #expect(r.out.hasPrefix("\(r.path):36:47: warning[FC0706]: `contacts` is notified but no role is marked `external`\n"), "\(r.out)")
        #expect(r.out.contains("help: mark the customer's role `external: true`"))
        #expect(try checkText(forkTemplate + "pool: {idle: {after: 30d, warn: 20d, notify: [contacts]}}\n", "--warnings-as-errors").code == 1)
    }

    /// Without `warn` no idle warning is sent, so the recipients are never told: a warning, since
    /// the template runs as written (deals still return to the public pool at `after`).
    @Test func idleRecipientsWithoutWarnAreWarned() throws {
        let r = try checkText(forkTemplate + "pool: {idle: {after: 30d, notify: [sales_owner]}}\n")
        #expect(r.code == 0)
        #expect(r.out.hasPrefix("\(r.path):36:35: warning[FC0710]: `notify` has no effect without `warn`: no idle warning is sent\n"), "\(r.out)")
        #expect(r.out.contains("help: add `warn: 25d` (less than `after`) to warn these recipients before the deal returns to the public pool, or remove `notify`"))
    }

    /// A `due` that cannot be read is reported as such, not as missing for `escalate` (QA round
    /// 17), and a duration in months or with its units out of order gets the form to write.
    @Test(arguments: [
        ("7days", "help: write `7d`"),
        ("1M", "help: there is no month unit, as months differ in length (`m` is minutes): write days, such as `30d`"),
        ("2个月", "help: there is no month unit, as months differ in length (`m` is minutes): write days, such as `60d`"),
        ("1h2d", "help: write the largest unit first, each once: `2d1h`"),
        ("1d1d", "help: write the largest unit first, each once: `2d`"),
        ("soon", "help: durations look like `30d`, `12h`, `2w` or `1d12h`"),
        // QA round 22: a fraction, an uppercase unit, a space before the unit.
        ("1.5d", "help: write `1d12h`"),
        ("0.5h", "help: write `30m`"),
        ("2D", "help: write `2d`"),
        ("30 d", "help: write `30d`"),
        ("1.3m", "help: durations look like `30d`, `12h`, `2w` or `1d12h`"),
    ])
    func anUnreadableDueIsNotReportedAsMissing(_ due: String, _ help: String) throws {
        let text = forkTemplate.replacingOccurrences(of: "    owner: legal\n    next: review_done\n  - id: finance_review",
                                                     with: "    owner: legal\n    due: \(due)\n    escalate: {after: 1d, to: sales_owner}\n    next: review_done\n  - id: finance_review")
        #expect(text.contains("due: \(due)"))
        let r = try checkText(text)
        #expect(r.code == 1)
        #expect(r.out.contains("error[FC0205]: `\(due)` is not a duration"), "\(r.out)")
        #expect(r.out.contains(help), "\(r.out)")
        #expect(!r.out.contains("FC0605"), "\(r.out)")
    }

    /// A list written as one text gets the `[…]` to write, without the full-width brackets and
    /// commas an input method types for `[`, `]` and `,` (QA round 17: the fix kept `【】`).
    @Test(arguments: [
        ("【legal_review】", "[legal_review]"),
        ("［legal_review，finance_review］", "[legal_review, finance_review]"),
        ("legal_review、finance_review", "[legal_review, finance_review]"),
        ("legal_review", "[legal_review]"),
    ])
    func aListWrittenAsOneTextGetsItsBrackets(_ written: String, _ fix: String) throws {
        let text = forkTemplate.replacingOccurrences(of: "branches: [legal_review, finance_review]", with: "branches: \(written)")
        #expect(text.contains("branches: \(written)"))
        let r = try checkText(text)
        #expect(r.code == 1)
        #expect(r.out.contains("help: write `\(fix)`"), "\(r.out)")
        let json = try checkText(text, "--format", "json")
        #expect(json.out.contains(#""replacement":"\#(fix)""#), "\(json.out)")
    }

    /// A fork's missing join is said to be missing, at `join:` and at the branches that lead to
    /// it, not guessed to be the fork itself; a fork without `join:` is offered the one join node
    /// no fork names (QA round 17).
    @Test func aMissingJoinIsSaidToBeMissing() throws {
        let missing = forkTemplate.replacingOccurrences(of: "review_done", with: "reviews")
            .replacingOccurrences(of: "  - id: reviews\n    name: 完成\n    kind: join\n    next: won\n", with: "")
        #expect(!missing.contains("kind: join"))
        let r = try checkText(missing)
        #expect(r.code == 1)
        #expect(r.out.components(separatedBy: "help: add the node where the branches meet: `- {id: reviews, name: …, kind: join, next: …}`").count == 4, "\(r.out)")
        #expect(!r.out.contains("did you mean `review`?"), "\(r.out)")
        let noKey = try checkText(forkTemplate.replacingOccurrences(of: "    join: review_done\n", with: ""))
        #expect(noKey.out.contains("error[FC0320]: a node of kind `fork` needs `join`"), "\(noKey.out)")
        #expect(noKey.out.contains("help: add `join: review_done`, the join node no fork names"), "\(noKey.out)")
    }

    /// `include:` written as one path without its brackets is one error, with the fix; the
    /// fragment is read as meant, so its roles and fields are known (QA round 17: 43 follow-on
    /// errors came with it, one of them first, with a wrong fix).
    @Test func anIncludeWithoutBracketsIsOneError() throws {
        let standard = try String(contentsOfFile: repoRoot + "/templates/standard-sale.flow.yaml", encoding: .utf8)
        let fragment = try String(contentsOfFile: repoRoot + "/templates/fragments/common-roles.flow.yaml", encoding: .utf8)
        let text = standard.replacingOccurrences(of: "include: [fragments/common-roles.flow.yaml]", with: "include: fragments/common-roles.flow.yaml")
        #expect(text.contains("include: fragments/common-roles.flow.yaml\n"))
        let dir = try tempDir(["t.flow.yaml": text, "fragments/common-roles.flow.yaml": fragment])
        let r = flowc("check", dir + "/t.flow.yaml", "--color", "never")
        #expect(r.code == 1)
        #expect(r.out.hasPrefix("\(dir)/t.flow.yaml:26:10: error[FC0203]: expected a list for `include`, found the string `fragments/common-roles.flow.yaml`"), "\(r.out)")
        #expect(r.out.contains("help: write `[fragments/common-roles.flow.yaml]`"))
        #expect(r.out.hasSuffix("1 error\n"), "\(r.out)")
    }

    /// A `warn` that cannot be read is reported as such, not as missing.
    @Test func anUnreadableWarnIsNotReportedAsMissing() throws {
        let r = try checkText(forkTemplate + "pool: {idle: {after: 30d, warn: soon, notify: [sales_owner]}}\n")
        #expect(r.code == 1)
        #expect(r.out.contains("error[FC0205]"))
        #expect(!r.out.contains("FC0710"))
    }
}

/// Braces in effect texts: a placeholder is `{field_id}`, literal braces are doubled, and
/// anything else would reach the customer as written.
@Suite struct PlaceholderFindingsTests {
    static func withMessage(_ message: String) -> String {
        forkTemplate + "effects: {on_won: [{notify: {to: [owner], message: \"\(message)\"}}]}\n"
    }

    @Test func anUnclosedPlaceholderIsAnErrorAtItsBrace() throws {
        let r = try checkText(Self.withMessage("合同 {customer_name 已签署"))
        #expect(r.code == 1)
        #expect(r.out.hasPrefix("\(r.path):36:56: error[FC0708]: this `{` opens a placeholder that is never closed\n"), "\(r.out)")
        #expect(r.out.contains("help: write `{{` and `}}` for literal braces; a placeholder is `{field_id}`"))
    }

    /// Each of thousands of unclosed braces in one message is an error at its own column, the
    /// message's map to the file made once (IR review F5: each diagnostic decoded the whole
    /// quoted scalar again, seconds per thousand braces).
    @Test func everyUnclosedBraceOfALongMessageIsAtItsColumn() throws {
        let r = try checkText(Self.withMessage(String(repeating: "x{", count: 3_000)), "--format", "json")
        #expect(r.code == 1)
        let columns = r.out.split(separator: "\n").filter { $0.contains("\"FC0708\"") }.compactMap { line -> Int? in
            guard let c = line.range(of: "\"column\":") else { return nil }
            return Int(line[c.upperBound...].prefix { $0.isNumber })
        }
        #expect(columns.count == 3_000)
        #expect(columns.first == 54 && columns.last == 54 + 2 * 2_999, "\(columns.prefix(3)) … \(columns.suffix(1))")
    }

    @Test func aLoneClosingBraceIsAnError() throws {
        let r = try checkText(Self.withMessage("a } b"))
        #expect(r.code == 1)
        #expect(r.out.hasPrefix("\(r.path):36:55: error[FC0708]: this `}` closes no placeholder\n"), "\(r.out)")
    }

    @Test func anEmptyPlaceholderIsNamedAsSuch() throws {
        let r = try checkText(Self.withMessage("x {}"))
        #expect(r.code == 1)
        #expect(r.out.hasPrefix("\(r.path):36:55: error[FC0708]: empty placeholder `{}`\n"), "\(r.out)")
    }

    /// The runner takes the name between the braces as written; `{ name }` was accepted by check
    /// and sent literally.
    @Test func spacesAroundAPlaceholderNameAreAnErrorWithAFix() throws {
        let r = try checkText(Self.withMessage("x { amount }").replacingOccurrences(of: "roles:", with: "fields: {amount: {type: integer}}\nroles:"))
        #expect(r.code == 1)
        #expect(r.out.contains("error[FC0708]: placeholder `{ amount }` names no field: the spaces are part of the name\n"), "\(r.out)")
        #expect(r.out.contains("help: write `{amount}`"))
    }

    @Test func doubledBracesAndPlaceholdersAreFine() throws {
        let r = try checkText(Self.withMessage("{{合同}} {{ {{x}} }}"))
        #expect(r.code == 0, "\(r.out)")
    }
}

/// Lists the QA pass found accepted silently: an empty `customer.identity` or `lose.from`, and
/// repeated entries (the schema marks these lists non-empty and unique).
@Suite struct ListFindingsTests {
    static let withFields = forkTemplate.replacingOccurrences(of: "roles:", with: """
        fields:
          customer_name: {type: text}
          amount: {type: integer}
        roles:
        """)

    /// Without identity fields duplicate customers go uncaught; `identity` is required.
    @Test func anEmptyCustomerIdentityIsAnError() throws {
        let r = try checkText(Self.withFields + "customer: {identity: []}\n")
        #expect(r.code == 1)
        #expect(r.out.hasPrefix("\(r.path):39:22: error[FC0209]: `identity` must not be empty\n"), "\(r.out)")
        let missing = try checkText(Self.withFields + "customer: {profile: [amount]}\n")
        #expect(missing.code == 1)
        #expect(missing.out.hasPrefix("\(missing.path):39:1: error[FC0202]: missing required key `identity` in `customer`\n"), "\(missing.out)")
    }

    @Test func anEmptyLoseFromIsAnErrorWithHelp() throws {
        let r = try checkText(Self.withFields.replacingOccurrences(of: "lose:\n  via: lost\n", with: "lose:\n  via: lost\n  from: []\n"))
        #expect(r.code == 1)
        #expect(r.out.hasPrefix("\(r.path):39:9: error[FC0209]: `from` must not be empty\n"), "\(r.out)")
        #expect(r.out.contains("help: leave `from` out, or write `from: any`, to allow losing from every open node"))
        #expect(!r.out.contains("FC0501"))
    }

    @Test func repeatedEntriesAreErrorsAtTheRepeat() throws {
        let text = Self.withFields
            .replacingOccurrences(of: "    owner: sales_owner\n    next: review\n", with: "    owner: sales_owner\n    requires: [amount, amount]\n    next: review\n")
            .replacingOccurrences(of: "lose:\n  via: lost\n", with: "lose:\n  via: lost\n  reasons: [price, price]\n")
            + "customer: {identity: [customer_name, customer_name]}\n"
        let r = try checkText(text)
        #expect(r.code == 1)
        #expect(r.out.hasPrefix("\(r.path):13:24: error[FC0711]: `amount` is listed twice in `requires`\n"), "\(r.out)")
        #expect(r.out.contains("first listed here"))
        #expect(r.out.contains("help: remove the repeat, or name the entry that was meant"))
        #expect(r.out.contains("\(r.path):40:20: error[FC0301]: duplicate lose reason id `price`\n"), "\(r.out)")
        #expect(r.out.contains("\(r.path):41:38: error[FC0711]: `customer_name` is listed twice in `customer.identity`\n"), "\(r.out)")
        #expect(r.out.contains("3 errors"))
    }

    @Test func aRemoveNodesTypoHasADidYouMean() {
        let r = flowc("check", repoRoot + "/testdata/check/err/remove-unknown-node.flow.yaml")
        #expect(r.code == 1)
        #expect(r.out.contains("error[FC0308]: `remove_nodes` names `internal_audits`, which the parent template does not define"))
        #expect(r.out.contains("help: did you mean `internal_audit`?"))
    }

    /// A node listed twice in `remove_nodes` was "not defined by the parent"; it is a repeat.
    @Test func aRemoveNodesRepeatIsNamedAsSuch() {
        let r = flowc("check", repoRoot + "/testdata/check/err/remove-nodes-repeated.flow.yaml")
        #expect(r.code == 1)
        #expect(r.out.contains("remove-nodes-repeated.flow.yaml:7:32: error[FC0711]: `internal_audit` is listed twice in `remove_nodes`"), "\(r.out)")
        #expect(!r.out.contains("FC0308"))
    }
}

/// The codes added for the QA findings explain themselves with a wrong and a right example.
@Suite struct NewCodeExplanationTests {
    @Test(arguments: ["FC0515", "FC0516", "FC0710", "FC0711", "FC0209", "FC0708"])
    func explainShowsAWrongAndARightExample(_ code: String) {
        let r = flowc("explain", code)
        #expect(r.code == 0)
        #expect(r.out.contains("Wrong"), "\(code): \(r.out)")
        #expect(r.out.contains("Right"), "\(code): \(r.out)")
    }
}

/// A section given twice is one error, FC0102, and the first one is read (QA round 22, M1: a
/// second `fields:` at the end made every field of the first unknown, 27 errors before FC0102,
/// which `--max-diagnostics 3` then hid).
@Suite struct DuplicateSectionFindingsTests {
    @Test func aSecondSectionIsOneErrorAndTheFirstIsRead() throws {
        let template = try String(contentsOfFile: repoRoot + "/templates/standard-sale.flow.yaml", encoding: .utf8)
        let fragment = try String(contentsOfFile: repoRoot + "/templates/fragments/common-roles.flow.yaml", encoding: .utf8)
        let dir = try tempDir(["t.flow.yaml": template + "fields:\n  territory: {type: text, name: 片区}\n",
                               "fragments/common-roles.flow.yaml": fragment])
        let r = flowc("check", dir + "/t.flow.yaml", "--format", "json", "--max-diagnostics", "3")
        #expect(r.code == 1)
        let lines = r.out.split(separator: "\n")
        #expect(lines.count == 1, "\(r.out)")
        #expect(lines.first?.contains(#""code":"FC0102""#) == true, "\(r.out)")
        #expect(lines.first?.contains("duplicate key `fields`") == true)
    }

    /// The other ways round (QA round 23): a short section first and the real one second, and
    /// a section whose name is misspelt or written in Chinese, read as the section it means.
    @Test(arguments: [
        ("fields:\n  territory: {type: text, name: 片区}\n", "fields:", "FC0102", nil),
        ("", "fields:", "FC0201", "feilds:"),
        ("", "fields:", "FC0201", "字段:"),
    ] as [(String, String, String, String?)])
    func theSectionMeantIsRead(_ before: String, _ section: String, _ code: String, _ renamed: String? = nil) throws {
        var template = try String(contentsOfFile: repoRoot + "/templates/standard-sale.flow.yaml", encoding: .utf8)
        if let renamed {
            #expect(template.contains("\n" + section + "\n"))
            template = template.replacingOccurrences(of: "\n" + section + "\n", with: "\n" + renamed + "\n")
        } else {
            template = template.replacingOccurrences(of: "\ninclude:", with: "\n" + before + "include:")
            #expect(template.contains(before))
        }
        let fragment = try String(contentsOfFile: repoRoot + "/templates/fragments/common-roles.flow.yaml", encoding: .utf8)
        let dir = try tempDir(["t.flow.yaml": template, "fragments/common-roles.flow.yaml": fragment])
        let r = flowc("check", dir + "/t.flow.yaml", "--format", "json")
        #expect(r.code == 1)
        let errors = r.out.split(separator: "\n").filter { $0.contains(#""severity":"error""#) }
        #expect(errors.count == 1, "\(r.out)")
        #expect(errors.first?.contains(#""code":"\#(code)""#) == true, "\(r.out)")
    }
}

/// An unknown name used several times is one error at its first use, the other uses labelled;
/// when a near miss is declared, the declaration is labelled and the fix-it renames it (QA round
/// 22, M5: a role misspelt in a fragment gave ten errors, each offering to copy the typo).
@Suite struct RepeatedUnknownNameFindingsTests {
    @Test func aMisspeltDeclarationIsOneErrorThatPointsAtIt() throws {
        let dir = try tempDir([
            "fragments/roles.flow.yaml": """
                flowc: 1
                fragment: {id: roles, name: Roles}
                roles:
                  sales_ownr: {name: 销售, owner: true}
                """,
            "t.flow.yaml": """
                flowc: 1
                template: {id: t, version: 1.0.0, name: T}
                include: [fragments/roles.flow.yaml]
                nodes:
                  - {id: a, name: A, owner: sales_owner, next: b}
                  - {id: b, name: B, owner: sales_owner, participants: [sales_owner], next: c}
                  - {id: c, name: C, owner: sales_owner, next: d}
                  - {id: d, name: D, owner: sales_owner, next: won}
                  - {id: won, name: Won, kind: won}
                  - {id: lost, name: Lost, kind: lost}
                """,
        ])
        let r = flowc("check", dir + "/t.flow.yaml", "--format", "json")
        #expect(r.code == 1)
        // The template has no `lose`: warnings, not errors.
        let lines = r.out.split(separator: "\n").filter { $0.contains(#""severity":"error""#) }
        #expect(lines.count == 1, "\(r.out)")
        let d = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(d["code"] as? String == "FC0303")
        #expect(d["line"] as? Int == 5)
        #expect((d["help"] as? [String: Any])?["message"] as? String
                == "did you mean `sales_ownr`? If `sales_owner` is the name meant, rename the declaration of `sales_ownr`")
        #expect((d["notes"] as? [[String: Any]])?.map { $0["message"] as? String } == ["used 5 times; no definition has this name"])
        let labels = try #require(d["labels"] as? [[String: Any]])
        #expect(labels.map { $0["message"] as? String } == ["also used here", "also used here", "also used here", "`sales_ownr` is declared here"])
        #expect((labels.last?["path"] as? String)?.hasSuffix("fragments/roles.flow.yaml") == true)
        let fixits = try #require(d["fixits"] as? [[String: Any]])
        #expect(fixits.count == 1)
        #expect(fixits.first?["replacement"] as? String == "sales_owner")
        #expect(fixits.first?["line"] as? Int == 4)

        // Used once: the use is what to fix, as before.
        let once = try tempDir(["t.flow.yaml": """
            flowc: 1
            template: {id: t, version: 1.0.0, name: T}
            roles:
              sales_ownr: {name: 销售, owner: true}
            nodes:
              - {id: a, name: A, owner: sales_owner, next: won}
              - {id: won, name: Won, kind: won}
              - {id: lost, name: Lost, kind: lost}
            """])
        let one = flowc("check", once + "/t.flow.yaml", "--format", "json")
        #expect(one.out.contains(#""message":"did you mean `sales_ownr`?""#), "\(one.out)")
        #expect(one.out.contains(#""replacement":"sales_ownr""#), "\(one.out)")
    }

    /// A name misspelt twice whose declaration is also used as declared: the typo is in the uses,
    /// so the fix-its correct each of them, and the declaration is left alone (review of the
    /// checker, C3: the fix-it renamed `amount` to `amout`, breaking its four right uses).
    @Test func aTypoUsedTwiceBesideRightUsesIsFixedAtEachUse() throws {
        let dir = try tempDir(["t.flow.yaml": """
            flowc: 1
            template: {id: t, version: 1.0.0, name: T}
            fields:
              amount: {type: money, currency: CNY}
            roles:
              sales_owner: {name: 销售, owner: true}
            nodes:
              - id: a
                name: A
                owner: sales_owner
                requires: [amount]
                on_complete:
                  - bot_card: {to: [sales_owner], title: "报价 {amount}", fields: [amout]}
                next: b
              - {id: b, name: B, owner: sales_owner, requires: [amout], when: "amount > 0 CNY", next: won}
              - {id: won, name: Won, kind: won}
              - {id: lost, name: Lost, kind: lost}
            """])
        let r = flowc("check", dir + "/t.flow.yaml", "--format", "json")
        let line = try #require(r.out.split(separator: "\n").first { $0.contains(#""code":"FC0304""#) }, "\(r.out)")
        let d = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect((d["help"] as? [String: Any])?["message"] as? String == "did you mean `amount`?")
        let fixits = try #require(d["fixits"] as? [[String: Any]])
        #expect(fixits.map { $0["replacement"] as? String } == ["amount", "amount"], "\(fixits)")
        #expect(fixits.map { $0["line"] as? Int } == [13, 15], "\(fixits)")
    }

    /// A field misspelt where it is declared and used right in a condition too: the condition's
    /// error offers the rename as well, not to copy the typo (QA round 23, N3).
    @Test func aMisspeltFieldUsedInAConditionOffersTheRename() throws {
        let dir = try tempDir(["t.flow.yaml": """
            flowc: 1
            template: {id: t, version: 1.0.0, name: T}
            fields:
              amout: {type: money, currency: CNY}
            roles:
              sales_owner: {name: 销售, owner: true}
            nodes:
              - {id: a, name: A, owner: sales_owner, requires: [amount], next: b}
              - {id: b, name: B, owner: sales_owner, when: "amount > 0 CNY", next: won}
              - {id: won, name: Won, kind: won}
              - {id: lost, name: Lost, kind: lost}
            """])
        let r = flowc("check", dir + "/t.flow.yaml", "--format", "json")
        let line = try #require(r.out.split(separator: "\n").first { $0.contains(#""code":"FC0415""#) })
        let d = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect((d["help"] as? [String: Any])?["message"] as? String
                == "did you mean `amout`? If `amount` is the name meant, rename the declaration of `amout`")
        let fixits = try #require(d["fixits"] as? [[String: Any]])
        #expect(fixits.count == 1 && fixits.first?["replacement"] as? String == "amount" && fixits.first?["line"] as? Int == 4, "\(fixits)")
    }
}

/// A branch whose outcome returns before its fork is not blamed for a sibling branch that
/// leaves the fork: only the sibling is reported, with its fix (QA round 22, M9).
@Suite struct ForkBranchBlameFindingsTests {
    @Test func onlyTheBranchThatLeavesItsForkIsReported() throws {
        let text = forkTemplate(legalOutcomes: "{approve: review_done, reject: start_here}")
            .replacingOccurrences(of: """
                  - id: finance_review
                    name: 财务
                    owner: legal
                    next: review_done
                """, with: """
                  - id: finance_review
                    name: 财务
                    owner: legal
                    next: won
                """)
        #expect(text.contains("reject: start_here") && text.contains("next: won\n  - id: review_done"))
        let r = try checkText(text, "--format", "json")
        #expect(r.code == 1)
        let errors = r.out.split(separator: "\n").filter { $0.contains(#""code":"FC0504""#) }
        #expect(errors.count == 1, "\(r.out)")
        #expect(errors.first?.contains("branch `finance_review` of fork `review`") == true, "\(r.out)")
    }
}

/// A condition that a zero divisor turns false is warned of, FC0436, unless it says what a zero
/// means (QA round 22, M7: a quote of 0 made `margin / quote` unset and the low-margin audit was
/// skipped without a word).
@Suite struct DivisorFindingsTests {
    static func template(compute: String = "margin / quote", quoteMin: String = "0", when: String) -> String {
        """
        flowc: 1
        template: {id: t, version: 1.0.0, name: T}
        fields:
          quote: {type: money, currency: CNY, min: \(quoteMin)}
          cost: {type: money, currency: CNY, min: 0}
          margin: {type: money, currency: CNY, compute: "quote - cost"}
          margin_rate: {type: decimal, compute: "\(compute)"}
        roles:
          sales_owner: {name: 销售, owner: true}
          audit: {name: 内审}
        nodes:
          - {id: quotation, name: 报价, owner: sales_owner, next: audit_check}
          - id: audit_check
            name: 内审
            owner: audit
            when: "\(when)"
            next: won
          - {id: won, name: 赢单, kind: won}
          - {id: lost, name: 输单, kind: lost}
        lose: {via: lost}

        """
    }

    @Test func aComputedRatioReadInACondition() throws {
        let r = try checkText(Self.template(when: "margin_rate < 0.15"), "--format", "json")
        #expect(r.code == 0)
        let lines = r.out.split(separator: "\n").filter { $0.contains("FC0436") }
        #expect(lines.count == 1, "\(r.out)")
        let d = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(d["message"] as? String == "`margin_rate` has no value when `quote` is zero (through `margin / quote`), and the condition is then false")
        #expect(d["line"] as? Int == 16 && d["column"] as? Int == 12, "\(d)")
        #expect((d["help"] as? [String: Any])?["message"] as? String
                == "say what a zero `quote` means: `not has(margin_rate) or …` counts such a deal in, `has(margin_rate) and …` leaves it out; or give `quote` a `min` above zero")
    }

    /// Through one more computed field (QA round 23).
    @Test func aChainOfComputedFields() throws {
        let text = Self.template(when: "margin_pct < 15")
            .replacingOccurrences(of: "  margin_rate: {type: decimal, compute: \"margin / quote\"}\n",
                                  with: "  margin_rate: {type: decimal, compute: \"margin / quote\"}\n  margin_pct: {type: decimal, compute: \"margin_rate * 100\"}\n")
        #expect(text.contains("margin_pct: {"))
        let r = try checkText(text, "--format", "json")
        let lines = r.out.split(separator: "\n").filter { $0.contains("FC0436") }
        #expect(lines.count == 1, "\(r.out)")
        #expect(lines.first?.contains("`margin_pct` has no value when `quote` is zero (through `margin / quote`)") == true, "\(r.out)")
    }

    @Test func aDivisionInTheCondition() throws {
        let r = try checkText(Self.template(when: "(quote - cost) / quote < 0.15"), "--format", "json")
        let lines = r.out.split(separator: "\n").filter { $0.contains("FC0436") }
        #expect(lines.count == 1, "\(r.out)")
        let d = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(d["message"] as? String == "`quote` can be zero, and the condition is then false")
        #expect(d["column"] as? Int == 29, "\(d)")
        #expect((d["help"] as? [String: Any])?["message"] as? String
                == "say what a zero `quote` means first: `quote <= 0 CNY or …` to count it, `quote > 0 CNY and …` to leave it out; or give `quote` a `min` above zero")
    }

    /// A test after the division, or one that does not rule zero out, does not guard it: the
    /// division fails the whole condition first (review of the checker, C7).
    @Test(arguments: [
        "(quote - cost) / quote < 0.15 or quote <= 0 CNY",
        "(quote - cost) / quote < 0.15 and quote > 0 CNY",
        "quote > 0 CNY or (quote - cost) / quote < 0.15",
        "quote <= 0 CNY and (quote - cost) / quote < 0.15",
        "(quote > 0 CNY or has(cost)) and (quote - cost) / quote < 0.15",
        "quote >= 1 CNY and cost > 0 CNY or (quote - cost) / quote < 0.15",
    ])
    func aTestThatDoesNotComeFirstDoesNotGuard(_ when: String) throws {
        let r = try checkText(Self.template(when: when), "--format", "json")
        let lines = r.out.split(separator: "\n").filter { $0.contains("FC0436") }
        #expect(lines.count == 1, "\(when): \(r.out)")
        #expect(lines.first?.contains("`quote` can be zero, and the condition is then false") == true, "\(when): \(r.out)")
    }

    @Test(arguments: [
        (DivisorFindingsTests.template(when: "not has(margin_rate) or margin_rate < 0.15"), "tested with has"),
        (DivisorFindingsTests.template(when: "quote <= 0 CNY or margin_rate < 0.15"), "divisor compared with zero"),
        (DivisorFindingsTests.template(quoteMin: "1", when: "margin_rate < 0.15"), "divisor at least 1"),
        (DivisorFindingsTests.template(when: "quote > 0 CNY and (quote - cost) / quote < 0.15"), "guarded division"),
        (DivisorFindingsTests.template(when: "quote <= 0 CNY or (quote - cost) / quote < 0.15"), "a zero quote counted in first"),
        (DivisorFindingsTests.template(when: "has(cost) and not (quote == 0 CNY) and (quote - cost) / quote < 0.15"), "one conjunct of several, negated"),
        (DivisorFindingsTests.template(when: "0 CNY >= quote or cost > 5 CNY or (quote - cost) / quote < 0.15"), "the zero on the left"),
        (DivisorFindingsTests.template(compute: "margin / (quote + 1 CNY)", when: "margin_rate < 0.15"), "a divisor that is no field"),
    ])
    func aConditionThatSaysWhatZeroMeansIsNotWarned(_ text: String, _ why: String) throws {
        let r = try checkText(text, "--format", "json")
        #expect(r.code == 0)
        #expect(!r.out.contains("FC0436"), "\(why): \(r.out)")
    }
}

/// An approval branch that goes past its join is told to end an outcome there, not to add the
/// `next` an approval refuses (QA round 23, N8).
@Suite struct ApprovalBranchHelpFindingsTests {
    @Test func theOutcomeThatLeavesTheForkIsNamed() throws {
        let text = forkTemplate(legalOutcomes: "{approve: won, reject: start_here}")
        #expect(text.contains("approve: won"))
        let r = try checkText(text, "--format", "json")
        let lines = r.out.split(separator: "\n").filter { $0.contains(#""code":"FC0504""#) }
        #expect(lines.count == 1, "\(r.out)")
        #expect(lines.first?.contains("end the branch at its join: make the outcome `approve` of `legal_review` lead to it, `approve: review_done`") == true, "\(r.out)")
    }
}

/// A node the flow never reaches is reported as such, and its due date past the idle time is no
/// second warning (QA round 22, m7).
@Suite struct UnreachableDueFindingsTests {
    @Test func anUnreachableNodesDueIsNotWarnedOf() throws {
        let text = """
            flowc: 1
            template: {id: t, version: 1.0.0, name: T}
            roles:
              sales_owner: {name: 销售, owner: true}
            nodes:
              - {id: a, name: A, owner: sales_owner, due: 60d, next: won}
              - {id: stray, name: S, owner: sales_owner, due: 60d, next: won}
              - {id: won, name: W, kind: won}
              - {id: lost, name: L, kind: lost}
            lose: {via: lost}
            pool:
              idle: {after: 30d, warn: 25d}

            """
        let r = try checkText(text, "--format", "json")
        let codes = r.out.split(separator: "\n").compactMap { line in line.range(of: #""code":"FC\d+""#, options: .regularExpression).map { String(line[$0]) } }
        #expect(codes.filter { $0.contains("FC0606") }.count == 1, "\(r.out)")
        #expect(r.out.contains("node `stray` cannot be reached"), "\(r.out)")
        #expect(!r.out.split(separator: "\n").contains { $0.contains("FC0606") && $0.contains("stray") }, "\(r.out)")
    }
}

/// A field's `min` or `max` with more significant digits than a bound keeps is refused where it
/// is written, rather than moved (IR review F7: `min: 0.10000000000000001` let 0.1 in,
/// `max: 99999999999999999` let 100000000000000000 in, without a word).
@Suite struct BoundDigitsTests {
    static func template(_ field: String) -> String {
        """
        flowc: 1
        template: {id: bounds, version: 1.0.0, name: Bounds}
        fields:
          customer_name: {type: text}
          x: \(field)
        roles:
          sales_owner: {name: Owner, owner: true}
        nodes:
          - {id: talks, name: Talks, owner: sales_owner, next: won}
          - {id: won, name: Won, kind: won}
          - {id: lost, name: Lost, kind: lost}
        lose: {via: lost}

        """
    }

    @Test(arguments: [
        ("{type: decimal, min: 0.10000000000000001}", "5:27: error[FC0212]: `0.10000000000000001` is out of range for `min`: a bound keeps about 15 significant digits, and this one would be read as `0.1`: write it with fewer digits"),
        ("{type: money, currency: CNY, max: 99999999999999999}", "5:40: error[FC0212]: `99999999999999999` is out of range for `max`: a bound keeps about 15 significant digits, and this one would be read as `100000000000000000`: write it with fewer digits"),
        ("{type: integer, max: 9007199254740993}", "5:27: error[FC0212]: `9007199254740993` is out of range for `max`: a bound keeps about 15 significant digits, and this one would be read as `9007199254740992`: write it with fewer digits"),
    ])
    func aBoundOfTooManyDigitsIsRefused(_ field: String, _ expected: String) throws {
        let r = try checkText(Self.template(field))
        #expect(r.code == 1)
        #expect(r.out.hasPrefix("\(r.path):\(expected)\n"), "\(r.out)")
    }

    @Test(arguments: ["{type: decimal, min: 0.1, max: 0.999999999999999}", "{type: integer, min: -9007199254740992, max: 9007199254740992}",
                      "{type: money, currency: CNY, max: 100000000000000000}", "{type: decimal, max: 1e3}", "{type: decimal, min: +0.5}"])
    func aBoundKeptAsWrittenIsTaken(_ field: String) throws {
        let r = try checkText(Self.template(field))
        #expect(r.code == 0, "\(r.out)")
    }
}
