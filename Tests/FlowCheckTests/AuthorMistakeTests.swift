import FlowCheck
import FlowDiagnostics
import Testing

/// Mistakes a sales-operations author makes with a Chinese input method or YAML's indentation
/// (QA round 6): each is said where it is, with the fix.
@Suite struct AuthorMistakeTests {
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
        return TemplateChecker.check(path: "mini.flow.yaml", bytes: Array(yaml.utf8), fs: MemoryFileSystem([:])).diagnostics
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

    /// `“VIP”` in an expression: unexpected character, now with the quote to use.
    @Test func curlyQuotesInAnExpressionAreNamed() throws {
        let ds = Self.check(when: "\"quote < cost or customer_name == “VIP”\"")
        let d = try #require(ds.first { $0.code == DiagnosticCode(407) })
        #expect(d.message.text == "unexpected character `“`")
        #expect(d.help?.text == "`“` is not a string quote: write text in single quotes, `quote < cost or customer_name == 'VIP'` (double quotes would end the YAML string around the expression)")
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
    @Test(arguments: [("extends: base.flow.yml", "base.flow.yaml"), ("include: [fragments/role.flow.yml]", "fragments/roles.flow.yaml")])
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
