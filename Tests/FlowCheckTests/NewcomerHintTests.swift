import FlowCheck
import FlowDiagnostics
import Testing

/// Slips a sales-operations newcomer makes (QA finding F15): each error was right and in the
/// right place, but said nothing about the fix. Every case is the template below with one change,
/// and asserts what `flowc check` shows: the code, the message, the help and the line:column.
@Suite struct NewcomerHintTests {
    static let template = """
        flowc: 1
        template: {id: mini, version: 1.0.0, name: 迷你流程}
        fields:
          customer_name: {type: text, required: true}
          quote: {type: money, currency: CNY}
          cost: {type: money, currency: CNY}
          margin: {type: money, currency: CNY, compute: "quote - cost"}
          vip: {type: boolean, default: false}
        roles:
          sales_owner: {name: 销售负责人, owner: true}
          sales_manager: {name: 销售经理, manager: true}
        nodes:
          - id: quotation
            name: 方案报价
            owner: sales_owner
            probability: 10
            next:
              - if: "margin < quote * 0.15"
                to: discount_approval
              - default: contract
          - id: discount_approval
            name: 折扣审批
            kind: approval
            owner: sales_manager
            outcomes:
              approve: contract
              reject: quotation
          - {id: contract, name: 合同, owner: sales_owner, next: delivery}
          - {id: delivery, name: 交付, owner: sales_owner, next: won}
          - {id: won, name: 赢单, kind: won}
          - {id: lost, name: 输单, kind: lost}
        lose: {via: lost}

        """

    /// Names that are no field, and not a field yet to declare either (QA round 10: each was told
    /// to declare itself under `fields:`, or pointed at a field that only has it as a short word).
    @Test(arguments: [
        ("tier == gold", "`gold` is a value of the enum field `tier`: write it in quotes, `'gold'`"),
        ("vip == yes", "`yes` is no word of the expression language: write `true`"),
        ("vip == no", "`no` is no word of the expression language: write `false`"),
        ("margin == nil", "`nil` is no word of the expression language: write `null`"),
        ("no == 1", "`no` is no word of the expression language: write `false`"),
        ("id == 'x'", "`id` is the deal's own, not a field, and expressions read only the template's fields: declare a field for it under `fields:` if a condition needs it"),
        ("owner == 'alice'", "`owner` is the deal's own, not a field, and expressions read only the template's fields: declare a field for it under `fields:` if a condition needs it"),
        // A last word is no short form of a field (QA round 11: `type` suggested `loss_type`).
        ("type == 'x'", "declare `type` under `fields:`, with its type"),
        ("tax == 'x'", "did you mean `tax_id`?"),
    ])
    func aNameThatIsNoFieldGetsTheRightHelp(_ condition: String, _ help: String) throws {
        let yaml = Self.template
            .replacingOccurrences(of: "  vip: {type: boolean, default: false}\n", with: "  vip: {type: boolean, default: false}\n  tier: {type: enum, values: [gold, silver]}\n  contract_no: {type: text}\n  tax_id: {type: text}\n")
            .replacingOccurrences(of: "margin < quote * 0.15", with: condition)
        let diagnostics = TemplateChecker.check(path: "mini.flow.yaml", bytes: Array(yaml.utf8), fs: MemoryFileSystem([:])).diagnostics
        let d = try #require(diagnostics.first { $0.code.number == 415 }, "\(diagnostics.map(\.message.text))")
        #expect(d.help?.text == help)
    }

    /// `None`, `NULL`, `True` (another language's literals, capitalised) say the literal meant,
    /// not the name lowercased, which led on to "declare it" (QA round 10).
    @Test(arguments: [("None", "null"), ("NULL", "null"), ("True", "true"), ("YES", "true"), ("False", "false")])
    func aCapitalisedLiteralSaysTheLiteral(_ word: String, _ literal: String) throws {
        let d = try #require(Self.check(replacing: "margin < quote * 0.15", with: "margin == \(word)").first { $0.code.number == 408 })
        #expect(d.help?.text == "write `\(literal)`")
    }

    /// `else:` inside a conditional branch (beside `if:` and `to:`) says to write the other way
    /// as a `default` branch of its own; renaming it `default` in place would be another error
    /// (QA round 10).
    @Test func elseBesideIfSaysToWriteADefaultBranch() throws {
        let d = try #require(Self.check(replacing: "        to: discount_approval\n", with: "        to: discount_approval\n        else: contract\n").first)
        #expect(d.code.number == 201)
        #expect(d.message.text.contains("unknown key `else`"), "\(d.message.text)")
        #expect(d.help?.text == "`else` is no part of a conditional branch: the other way is a branch of its own, after this one: `- default: contract`")
        #expect(d.fixIts.isEmpty)
    }

    /// A node key written in Chinese gets the key to write, and is the only error: the key it
    /// stands for is not reported missing besides (QA round 22).
    @Test(arguments: [("    name: 方案报价\n", "    名称: 方案报价\n", "name"), ("    probability: 10\n", "    概率: 10\n", "probability"),
                      ("    owner: sales_owner\n    probability", "    负责人: sales_owner\n    probability", "owner")])
    func aChineseKeyGetsTheKeyToWrite(_ old: String, _ new: String, _ key: String) throws {
        let errors = Self.check(replacing: old, with: new).filter { $0.severity == .error }
        #expect(errors.count == 1, "\(errors.map(\.message.text))")
        #expect(errors.first?.help?.text == "did you mean `\(key)`?")
        #expect(errors.first?.fixIts.first?.replacement == key)
    }

    /// A key with nothing after it says so, not "found null ``" (QA round 22).
    @Test func aKeyWithNothingAfterItSaysSo() throws {
        let d = try #require(Self.check(replacing: "    owner: sales_owner\n    probability", with: "    owner:\n    probability").first { $0.code.number == 204 })
        #expect(d.message.text == "expected a string for `owner`, found nothing after `owner:`")
    }

    /// `owner: ture` is one error, with the word meant, not besides "no role is marked
    /// `owner: true`" at a line that has the key (QA round 22).
    @Test func aMisspeltBooleanIsOneErrorWithTheWordMeant() throws {
        let errors = Self.check(replacing: "{name: 销售负责人, owner: true}", with: "{name: 销售负责人, owner: ture}").filter { $0.severity == .error }
        #expect(errors.map(\.code.number) == [204], "\(errors.map(\.message.text))")
        #expect(errors.first?.help?.text == "did you mean `true`?")
        #expect(errors.first?.fixIts.first?.replacement == "true")
    }

    /// The template with `old` replaced by `new` (which must occur), checked.
    static func check(replacing old: String, with new: String) -> [Diagnostic] {
        #expect(template.contains(old), "the template has no `\(old)`")
        let yaml = template.replacingOccurrences(of: old, with: new)
        return TemplateChecker.check(path: "mini.flow.yaml", bytes: Array(yaml.utf8), fs: MemoryFileSystem([:])).diagnostics
    }

    struct Case: Sendable, CustomStringConvertible {
        var old: String
        var new: String
        var code: Int
        var line: Int
        var column: Int
        var message: String
        var help: String
        var fix: String? = nil
        var description: String { new }
    }

    static let cases: [Case] = [
        // Another language's word for a branch's part: one error, not "missing `if`" and "missing `to`" besides.
        Case(old: "- default: contract", new: "- else: contract", code: 201, line: 20, column: 9,
             message: "unknown key `else` in a branch", help: "did you mean `default`?", fix: "default"),
        Case(old: "    to: discount_approval", new: "    then: discount_approval", code: 201, line: 19, column: 9,
             message: "unknown key `then` in a branch", help: "did you mean `to`?", fix: "to"),
        // YAML 1.2 reads `no` as text.
        Case(old: "default: false", new: "default: no", code: 314, line: 8, column: 33,
             message: "default `no` is not a valid `boolean`", help: "YAML 1.2 reads `no` as a string; write `false`", fix: "false"),
        Case(old: "default: false", new: "default: On", code: 314, line: 8, column: 33,
             message: "default `On` is not a valid `boolean`", help: "YAML 1.2 reads `On` as a string; write `true`", fix: "true"),
        // Characters a Chinese input method types, named with their code point.
        Case(old: "quote * 0.15\"", new: "（quote * 0.15）\"", code: 407, line: 18, column: 23,
             message: "unexpected character `（`", help: "`（` (U+FF08 FULLWIDTH LEFT PARENTHESIS) is not `(`: write `(`"),
        Case(old: "margin < quote", new: "margin\u{3000}< quote", code: 407, line: 18, column: 20,
             message: "unexpected character `\\u{3000}`", help: "this is U+3000 IDEOGRAPHIC SPACE, not an ordinary space: type the space again"),
        Case(old: "margin < quote", new: "margin\u{200B} < quote", code: 407, line: 18, column: 20,
             message: "unexpected character `\\u{200B}`", help: "this is an invisible U+200B ZERO WIDTH SPACE, usually pasted in with the text: delete it"),
        Case(old: "margin < quote", new: "margin ＜ quote", code: 407, line: 18, column: 21,
             message: "unexpected character `＜`", help: "`＜` (U+FF1C FULLWIDTH LESS-THAN SIGN) is not `<`: write `<`"),
        Case(old: "margin < quote", new: "margin < quote ＆ vip", code: 407, line: 18, column: 29,
             message: "unexpected character `＆`", help: "`＆` (U+FF06 FULLWIDTH AMPERSAND) is not an operator: write `and`"),
        // A percentage in an expression: `%` is the remainder operator.
        Case(old: "quote * 0.15", new: "quote * 15%", code: 401, line: 18, column: 34,
             message: "expected an expression, found end of expression", help: "`%` is the remainder operator, not a percentage: write the fraction `0.15`, or `15` where the other side is already in percent (`margin * 100 / quote < 15`)"),
        // A percentage where the language wants the number.
        Case(old: "probability: 10", new: "probability: 10%", code: 204, line: 16, column: 18,
             message: "expected an integer for `probability`, found string `10%`", help: "the value is a percentage already: write `10`, without `%`", fix: "10"),
        // Entries of a mapping written as list items.
        Case(old: "  approve: contract\n      reject: quotation", new: "  - approve: contract\n      - reject: quotation", code: 203, line: 26, column: 7,
             message: "expected a mapping for `outcomes`, found a list",
             help: "remove the `- ` before each entry: the entries are keys of a mapping, such as `approve: contract`"),
        // One next node in a list.
        Case(old: "next: delivery}", new: "next: [delivery]}", code: 203, line: 28, column: 57,
             message: "expected a mapping with `if` and `to`, or `default` for `next`, found the string `delivery`",
             help: "one next node is written without brackets: `next: delivery`", fix: "delivery"),
        // A condition on an approval belongs on the transition into it (language reference §9).
        Case(old: "kind: approval\n", new: "kind: approval\n    when: \"quote < cost\"\n", code: 319, line: 24, column: 11,
             message: "`when` does not apply to a node of kind `approval`",
             help: "a skipped approval would have no outcome to follow: put the condition on the transition that leads to it, `- if: …` with `to: discount_approval`"),
        // A field that nothing declared is close to.
        Case(old: "margin < quote * 0.15", new: "margin_rate < 0.15", code: 415, line: 18, column: 14,
             message: "unknown field `margin_rate`", help: "declare `margin_rate` under `fields:`, with its type"),
        // A name that is one word of exactly one declared field, too far from it for the edit distance.
        Case(old: "probability: 10\n", new: "probability: 10\n    on_enter: [{notify: {to: [sales_owner], message: \"请跟进 {customer}\"}}]\n",
             code: 708, line: 17, column: 59, message: "unknown field `customer` in placeholder", help: "did you mean `customer_name`?"),
        Case(old: "margin < quote * 0.15", new: "customer == 'ACME'", code: 415, line: 18, column: 14,
             message: "unknown field `customer`", help: "did you mean `customer_name`?"),
        // Another template language's placeholders (QA round 11: they passed and reached the customer as written).
        Case(old: "probability: 10\n", new: "probability: 10\n    on_enter: [{notify: {to: [sales_owner], message: \"请跟进 {{customer_name}}\"}}]\n",
             code: 713, line: 17, column: 59, message: "`{{customer_name}}` is another template language's placeholder: here the text reads the literal text `{customer_name}`",
             help: "a placeholder has single braces: `{customer_name}`", fix: "{customer_name}"),
        Case(old: "probability: 10\n", new: "probability: 10\n    on_enter: [{notify: {to: [sales_owner], message: \"报价 ${quote}\"}}]\n",
             code: 713, line: 17, column: 58, message: "`${quote}` is another template language's placeholder: here the text reads `$` and then the value of `quote`",
             help: "leave out the `$`, unless the text means it: `{quote}`", fix: "{quote}"),
        // The version line left out.
        Case(old: "flowc: 1\n", new: "", code: 202, line: 1, column: 1,
             message: "missing required key `flowc` in the template",
             help: "add `flowc: 1` as the first line: it names the version of the template language"),
    ]

    @Test(arguments: cases)
    func aNewcomersSlipIsSaidOnceWithItsFix(_ c: Case) throws {
        let ds = Self.check(replacing: c.old, with: c.new)
        #expect(ds.count == 1, "\(ds.map(\.message.text))")
        let d = try #require(ds.first)
        #expect(d.code == DiagnosticCode(c.code))
        #expect(d.message.text == c.message)
        #expect(d.help?.text == c.help)
        #expect(d.location?.line == c.line)
        #expect(d.location?.column == c.column)
        if let fix = c.fix { #expect(d.fixIts.map(\.replacement) == [fix]) }
    }

    /// `next:` with several plain ids is not one next node: each still gets the `default` help.
    @Test func severalPlainIdsInNextKeepTheDefaultHelp() throws {
        let ds = Self.check(replacing: "next: delivery}", with: "next: [delivery, won]}")
        let helps = ds.filter { $0.code == DiagnosticCode(203) }.map { $0.help?.text }
        #expect(helps == ["write `- default: delivery` for the branch taken when no condition holds",
                          "write `- default: won` for the branch taken when no condition holds"], "\(ds.map(\.message.text))")
    }

    /// language.md §15: money `/` money of the same currency is a decimal ratio, the margin rate
    /// a sales-ops author computes first (QA F17); of two currencies it is FC0421.
    @Test func aMarginRateIsMoneyDividedByMoneyOfOneCurrency() throws {
        let clean = Self.check(replacing: "vip: {type: boolean, default: false}", with: "margin_rate: {type: decimal, compute: \"margin / quote\"}")
        #expect(clean.isEmpty, "\(clean.map(\.message.text))")
        let mixed = Self.check(replacing: "vip: {type: boolean, default: false}",
                               with: "quote_usd: {type: money, currency: USD}\n  margin_rate: {type: decimal, compute: \"margin / quote_usd\"}")
        #expect(mixed.map(\.code) == [DiagnosticCode(421)], "\(mixed.map(\.message.text))")
    }

    /// A field whose name is close to a declared one keeps its did-you-mean.
    @Test func anUnknownFieldCloseToADeclaredOneKeepsItsDidYouMean() throws {
        let ds = Self.check(replacing: "margin < quote * 0.15", with: "margn < quote * 0.15")
        let d = try #require(ds.first { $0.code == DiagnosticCode(415) })
        #expect(d.help?.text == "did you mean `margin`?")
    }
}
