import FlowDiagnostics
@testable import FlowYAML
import Testing

/// libyaml's own words say what it could not parse, not why; for the mistakes an author typing
/// with a Chinese input method or a tab key makes, FC0101 also says why, at the place.
@Suite struct SyntaxHelpTests {
    @Test func aTabUsedForIndentationIsNamed() throws {
        let text = "nodes:\n  - id: a\n    name: {zh: 初步洽谈}\n\towner: x\n"
        let d = try #require(read(text).diagnostics.first)
        #expect(d.code.description == "FC0101")
        #expect(d.message.text == "a tab in the indentation")
        #expect(d.location?.line == 4)
        #expect(d.location?.column == 1)
        #expect(d.help?.text == "YAML does not allow tabs for indentation; indent with spaces")
    }

    /// Text after a value in braces on its line (QA round 18: a name wrapped around a comma).
    @Test func textAfterAFlowValueIsNamed() throws {
        let d = try #require(read("template:\n  id: t\n  name: {en: \"North America (US subsidiary\"}, USD)\n").diagnostics.first)
        #expect(d.code.description == "FC0101")
        #expect(d.help?.text == "line 3 has text after the `}` that ends its value; put the whole value in quotes (`\"…\"`), or move the text inside")
        let list = try #require(read("a:\n  b: [x, y] z\n  c: 1\n").diagnostics.first)
        #expect(list.help?.text.hasPrefix("line 2 has text after the `]` that ends its value") == true, "\(list.message.text) \(list.help?.text ?? "")")
    }

    /// A list item pasted where a mapping needs a key (a node after `pool:`, QA round 17).
    @Test func aListItemInAMappingIsNamed() throws {
        let text = "nodes:\n  - {id: a}\npool:\n  idle: {after: 30d}\n  - {id: extra}\n"
        let d = try #require(read(text).diagnostics.first)
        #expect(d.code.description == "FC0101")
        #expect(d.location?.line == 5)
        #expect(d.help?.text == "line 5 starts a list item (`- `) where the mapping around it needs `key: value`; a list item goes under a key whose value is a list, in the column of that list's other items")
    }

    @Test(arguments: ["a:\n  b: 1\n  \tc: 2\n", "nodes:\n  - id: a\n\towner: x\n"])
    func aTabAfterIndentingSpacesOrWhereLibyamlSaysSoIsNamedToo(_ text: String) throws {
        let d = try #require(read(text).diagnostics.first)
        #expect(d.code.description == "FC0101")
        #expect(d.help?.text == "YAML does not allow tabs for indentation; indent with spaces", "\(d.message.text)")
    }

    @Test(arguments: [
        ("next：quotation", "：", "line 2 has `：` (U+FF1A FULLWIDTH COLON) where YAML needs `:` followed by a space"),
        ("next:\u{00A0}quotation", "\u{00A0}", "line 2 has an invisible U+00A0 NO-BREAK SPACE where YAML needs an ordinary space"),
        ("next:\u{3000}quotation", "\u{3000}", "line 2 has an invisible U+3000 IDEOGRAPHIC SPACE where YAML needs an ordinary space"),
    ])
    func aLookAlikeOfAColonOrSpaceIsNamedWhereItIs(_ line: String, _ character: String, _ help: String) throws {
        let text = "- id: a\n  \(line)\n\n- id: quotation\n"
        let d = try #require(read(text).diagnostics.first)
        #expect(d.code.description == "FC0101")
        // libyaml notices only at the next node; the help and a label point back at the line.
        #expect(d.location?.line == 4)
        #expect(d.help?.text == help)
        let at = byteOffset(of: character, in: text)
        let label = try #require(d.labels.first { $0.span.start == at })
        #expect(label.span.end == at + character.utf8.count)
        #expect(label.message.text == "not a YAML separator")
    }

    /// A full-width `：` typed for a key's `:` before a value in braces: libyaml stops at the
    /// value's own `: `, which is no reason to quote the whole line; the `：` is named (QA round
    /// 35, A1).
    /// Inside braces, and on a list item's first key, too (QA round 36, C3).
    @Test(arguments: ["  - id: signing\n    name：{zh: 签约, en: Signing}\n", "  - name：{zh: 签约, en: Signing}\n",
                      "  - {id: a, name：{zh: 财务经理, en: Finance}, owner: o}\n", "  - id: a\n    outcomes: {approve: b, reject：{x: 1}}\n",
                      "  - id：legal_review\n    name: {zh: 法务评审, en: Legal review}\n"])
    func aFullWidthColonBeforeABracedValueIsNamed(_ lines: String) throws {
        let text = "nodes:\n" + lines
        let d = try #require(read(text).diagnostics.first)
        #expect(d.code.description == "FC0101")
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("：") }! + 1
        #expect(d.help?.text == "line \(line) has `：` (U+FF1A FULLWIDTH COLON) where YAML needs `:` followed by a space", "\(String(describing: d.help?.text))")
        let at = byteOffset(of: "：", in: text)
        #expect(d.labels.contains { $0.span.start == at && $0.span.end == at + 3 && $0.message.text == "not a YAML separator" })
    }

    /// Chinese text with a `：`, or indented with U+3000 inside a block of text, is no key: an
    /// error on the line after it is not blamed on it (review of the session).
    @Test(arguments: ["notes:\n  - 注意：合同需盖章\n   bad: 1\n", "text: |\n  \u{3000}\u{3000}第一段：说明\nbad: [1\n"])
    func chineseTextIsNotTakenForAMistypedKey(_ text: String) throws {
        let d = try #require(read(text).diagnostics.first)
        #expect(d.code.description == "FC0101")
        #expect(!(d.help?.text.contains("U+FF1A") ?? false) && !(d.help?.text.contains("U+3000") ?? false), "\(String(describing: d.help?.text))")
    }

    /// A key's `:` without its space, before a value in braces or a plain one: said, with a
    /// fix-it that adds the space (QA round 36, C4: "put the whole value in quotes", or nothing).
    @Test(arguments: [("  - id: a\n    name:{zh: 签约, en: Signing}\n    owner: o\n", "name", 5), ("  - id: a\n    owner:legal\n    next: b\n", "owner", 5)])
    func aKeysColonWithoutItsSpaceIsSaid(_ lines: String, _ key: String, _ line: Int) throws {
        let text = "flowc: 1\ntemplate: {id: t}\nnodes:\n" + lines
        let d = try #require(read(text).diagnostics.first)
        #expect(d.code.description == "FC0101")
        #expect(d.help?.text == "line \(line): a key ends with `:` and a space; write `\(key): …`", "\(String(describing: d.help?.text))")
        let fix = try #require(d.fixIts.first)
        var fixed = Array(text.utf8)
        fixed.replaceSubrange(fix.span.range, with: Array(fix.replacement.utf8))
        #expect(read(String(decoding: fixed, as: UTF8.self)).diagnostics.isEmpty)
    }

    /// A line indented with U+3000 IDEOGRAPHIC SPACE (or U+00A0) as an input method types it:
    /// libyaml stops at the next line, and the character is named on its own line (QA round 35,
    /// A10: the help asked to indent the next line like it).
    @Test(arguments: [("\u{3000}\u{3000}", "U+3000 IDEOGRAPHIC SPACE"), ("\u{00A0}\u{00A0}", "U+00A0 NO-BREAK SPACE")])
    func aLookAlikeSpaceIndentingALineIsNamed(_ indent: String, _ name: String) throws {
        let text = "nodes:\n  - id: signing\n    name: Signing\n\(indent)owner: account_exec\n    probability: 90\n"
        let d = try #require(read(text).diagnostics.first)
        #expect(d.code.description == "FC0101")
        #expect(d.help?.text == "line 4 has an invisible \(name) where YAML needs an ordinary space", "\(String(describing: d.help?.text))")
        let at = byteOffset(of: indent, in: text)
        #expect(d.labels.contains { $0.span.start == at && $0.message.text == "not a YAML separator" })
    }

    /// A list item's first key again, in the same item: a new item written without its `- `. One
    /// error, at the repeated key, with the way to write it and a fix-it; the keys after it
    /// repeating the item's are named in its note, not said one error each (QA round 35, A4: six
    /// errors, none of them saying so).
    @Test func aListItemWithoutItsDashIsSaidOnce() throws {
        let text = "nodes:\n  - id: legal\n    name: Legal\n    next: done\n    id: finance\n    name: Finance\n    next: done\n  - id: done\n"
        let ds = read(text).diagnostics
        #expect(ds.map(\.code.description) == ["FC0102"])
        let d = try #require(ds.first)
        #expect(d.location?.line == 5)
        #expect(d.help?.text == "line 5 repeats `id`, the first key of the list item on line 2: if a new item starts there, write `- ` before `id`, in the column of the other items' `- `")
        #expect(d.notes.map(\.text) == ["the keys after it repeat the item's too: `name`, `next`"])
        let fix = try #require(d.fixIts.first)
        #expect(fix.replacement == "- ")
        var fixed = Array(text.utf8)
        fixed.replaceSubrange(fix.span.range, with: Array("- ".utf8))
        #expect(read(String(decoding: fixed, as: UTF8.self)).diagnostics.isEmpty)
        // Read as the fix-it writes it: three items, the second from its repeated key on.
        let document = try #require(read(text).document)
        let nodes = try #require(document.pairs(document.root).first?.value)
        let items = Array(document.items(nodes))
        #expect(items.map { document.pairs($0).map { document.text($0.key) ?? "" } } == [["id", "name", "next"], ["id", "name", "next"], ["id"]])
        #expect(items.map { document.file.line(of: document.span($0).start) } == [2, 5, 8])
        #expect(document.span(items[0]).end == byteOffset(of: "done\n    id: finance", in: text) + 4)
        // Items written `-   id:`: the dash goes in the column of the item's own (QA round 39, R3:
        // two columns before the key, a YAML error).
        let wide = "nodes:\n  -   id: legal\n      name: Legal\n      id: finance\n      name: Finance\n"
        let wideFix = try #require(read(wide).diagnostics.first?.fixIts.first)
        var wideFixed = Array(wide.utf8)
        wideFixed.replaceSubrange(wideFix.span.range, with: Array(wideFix.replacement.utf8))
        #expect(String(decoding: wideFixed, as: UTF8.self) == "nodes:\n  -   id: legal\n      name: Legal\n  -   id: finance\n      name: Finance\n")
        #expect(read(String(decoding: wideFixed, as: UTF8.self)).diagnostics.isEmpty)
        // A first key written twice, no other key of the item repeated after it: one item, as
        // written (QA round 39, R1: the split left `owner` and `next` to a node of their own).
        let twice = "nodes:\n  - id: talks\n    name: Talks\n    id: first_talks\n    owner: o\n    next: done\n"
        let once = read(twice)
        #expect(once.diagnostics.map(\.code.description) == ["FC0102"])
        let single = try #require(once.document)
        let list = try #require(single.pairs(single.root).first?.value)
        #expect(single.items(list).map { single.pairs($0).count } == [5])
        // Two items without their `- `: one error each, each with its fix-it, and each note
        // naming the keys after it once (QA round 36, C2).
        let two = read("nodes:\n  - id: a\n    name: A\n    id: b\n    name: B\n    id: c\n    name: C\n    next: d\n").diagnostics
        #expect(two.map(\.code.description) == ["FC0102", "FC0102"], "\(two.map(\.message.text))")
        #expect(two.map { $0.location?.line } == [4, 6])
        #expect(two.map { $0.notes.map(\.text) } == [["the keys after it repeat the item's too: `name`"], ["the keys after it repeat the item's too: `name`"]])
        #expect(two.allSatisfy { $0.fixIts.map(\.replacement) == ["- "] })
        // Any other key repeated stays an error of its own.
        let other = read("nodes:\n  - id: a\n    name: A\n    name: B\n    next: c\n    next: d\n").diagnostics
        #expect(other.map(\.code.description) == ["FC0102", "FC0102"])
        #expect(other.allSatisfy { $0.help == nil })
    }

    /// A scenario step without its `- ` whose first keys are `at` and `by`, after a step that
    /// starts with its action: the action's repeat is the first key repeated, but the new step
    /// starts at its `at`. A reader told that `at` and `by` lead an item cuts there and puts the
    /// fix-it there (QA round 39, R2: the fix-it went before `complete`, and the fixed scenario
    /// passed with `at` and `by` moved to the step before).
    @Test func aNewItemStartsAtTheLeadKeysBeforeTheRepeatedKey() throws {
        let text = "steps:\n  - complete: quotation\n    expect: {active: [approval]}\n    at: +1d\n    by: mia\n    complete: approval\n    outcome: reject\n    expect: {active: [quotation]}\n"
        let led = YAMLReader.read(SourceFile(path: "s.scenario.yaml", text: text), itemLeadKeys: ["at", "by"])
        #expect(led.diagnostics.map(\.code.description) == ["FC0102"])
        let d = try #require(led.diagnostics.first)
        #expect(d.location?.line == 6)
        #expect(d.help?.text == "line 6 repeats `complete`, the first key of the list item on line 2: if a new item starts at `at` on line 4, write `- ` before `at`, in the column of the other items' `- `")
        let fix = try #require(d.fixIts.first)
        #expect(d.fixIts.count == 1)
        var fixed = Array(text.utf8)
        fixed.replaceSubrange(fix.span.range, with: Array(fix.replacement.utf8))
        #expect(String(decoding: fixed, as: UTF8.self) == text.replacingOccurrences(of: "    at: +1d", with: "  - at: +1d"))
        let document = try #require(led.document)
        let steps = try #require(document.pairs(document.root).first?.value)
        let items = Array(document.items(steps))
        #expect(items.map { document.pairs($0).map { document.text($0.key) ?? "" } } == [["complete", "expect"], ["at", "by", "complete", "outcome", "expect"]])
        #expect(items.map { document.file.line(of: document.span($0).start) } == [2, 4])
        #expect(document.span(items[0]).end == byteOffset(of: "[approval]}", in: text) + "[approval]}".count)
        // Without lead keys, as before: the cut at the repeated key.
        let plain = try #require(read(text).document)
        let plainSteps = try #require(plain.pairs(plain.root).first?.value)
        #expect(plain.items(plainSteps).map { plain.pairs($0).count } == [4, 3])
        // Only the first key repeated: one item as written, the fix-it still before `at`.
        let once = YAMLReader.read(SourceFile(path: "s.scenario.yaml", text: "steps:\n  - complete: quotation\n    at: +1d\n    complete: approval\n"), itemLeadKeys: ["at", "by"])
        #expect(once.diagnostics.first?.help?.text == "line 4 repeats `complete`, the first key of the list item on line 2: if a new item starts at `at` on line 3, write `- ` before `at`, in the column of the other items' `- `")
        let single = try #require(once.document)
        let list = try #require(single.pairs(single.root).first?.value)
        #expect(single.items(list).map { single.pairs($0).count } == [3])
        // A lead key the new item repeats is the item before's: `at` twice cannot be one step's.
        let both = YAMLReader.read(SourceFile(path: "s.scenario.yaml", text: "steps:\n  - complete: quotation\n    at: +1d\n    complete: approval\n    at: +2d\n"), itemLeadKeys: ["at", "by"])
        #expect(both.diagnostics.first?.help?.text == "line 4 repeats `complete`, the first key of the list item on line 2: if a new item starts there, write `- ` before `complete`, in the column of the other items' `- `")

        // A step starting with `by`, after a step starting with `at`: the repeated `by` is not the
        // item's first key, but a lead key, so a new item may start there (QA round 39, R2: five
        // duplicate keys and no word of a dash).
        let by = "steps:\n  - at: +1d\n    by: bob\n    claim: true\n    expect: {refused: FC1151}\n    by: bob\n    claim: true\n    expect: {owner: bob}\n"
        let byRead = YAMLReader.read(SourceFile(path: "s.scenario.yaml", text: by), itemLeadKeys: ["at", "by"])
        #expect(byRead.diagnostics.map(\.code.description) == ["FC0102"])
        let byDiagnostic = try #require(byRead.diagnostics.first)
        #expect(byDiagnostic.help?.text == "line 6 repeats `by`, which the list item on line 2 has: if a new item starts there, write `- ` before `by`, in the column of the other items' `- `")
        #expect(byDiagnostic.notes.map(\.text) == ["the keys after it repeat the item's too: `claim`, `expect`"])
        #expect(byDiagnostic.fixIts.map { $0.span.file.location(of: $0.span.start).line } == [6])
        let byDocument = try #require(byRead.document)
        let bySteps = try #require(byDocument.pairs(byDocument.root).first?.value)
        #expect(byDocument.items(bySteps).map { byDocument.pairs($0).map { byDocument.text($0.key) ?? "" } } == [["at", "by", "claim", "expect"], ["by", "claim", "expect"]])
        // Without lead keys, a repeated key other than the first is an error of its own, as before.
        #expect(read(by).diagnostics.map(\.code.description) == ["FC0102", "FC0102", "FC0102"])
    }

    /// `: ` inside a value written without quotes reads as a second key: the help says to quote
    /// the value, and does not blame a full-width colon elsewhere in the text (it did).
    @Test(arguments: [
        "    description: The amount: the quoted one.\n",
        "    description: 报表金额：已报价。 The amount: the quoted one.\n",
        "  - {id: a, name: The amount: quoted}\n",
    ])
    func aColonAndSpaceInsideAPlainValueSaysToQuoteIt(_ line: String) throws {
        let text = "fields:\n  x:\n" + line
        let d = try #require(read(text).diagnostics.first)
        #expect(d.code.description == "FC0101")
        #expect(d.location?.line == 3)
        #expect(d.help?.text == "line 3 has `: ` inside a value written without quotes, where YAML takes it for a second key; put the whole value in quotes (`\"…\"`)",
                "\(d.message.text) / \(String(describing: d.help?.text))")
        #expect(!d.labels.contains { $0.message.text == "not a YAML separator" })
    }

    /// The two quoting mistakes the docs warn about: text with a placeholder left without
    /// quotes, and a double quote inside a value in double quotes. The fix is the author's own
    /// text, quoted right.
    @Test(arguments: [
        ("nodes:\n  - id: a\n    on_enter:\n      - notify: {to: [owner], message: 合同 {customer_name} 已签署}\n",
         "text with a placeholder must be in quotes, or YAML reads the braces as a mapping: `message: \"合同 {customer_name} 已签署\"`"),
        ("nodes:\n  - id: a\n    on_enter:\n      - group_chat: {name: {customer_name} 项目群, roles: [sales_owner, legal]}\n",
         "text with a placeholder must be in quotes, or YAML reads the braces as a mapping: `name: \"{customer_name} 项目群\"`"),
        ("nodes:\n  - id: a\n    next:\n      - if: \"customer_name != \"Acme\"\"\n        to: b\n",
         "a `\"` inside a value in double quotes ends it early; make the quotes inside single: `\"customer_name != 'Acme'\"`"),
        ("nodes:\n  - id: a\n    name: \"签约\"合同\"\n    next: b\n",
         "a `\"` inside a value in double quotes ends it early; make the quotes inside single: `\"签约'合同\"`"),
        // In a flow mapping, the value ends at its last quote (other keys follow it).
        ("nodes:\n  - id: a\n    next:\n      - {if: \"customer_name == \"Acme\"\", to: review}\n",
         "a `\"` inside a value in double quotes ends it early; make the quotes inside single: `\"customer_name == 'Acme'\"`"),
        // An apostrophe in the text: no example that would break it.
        ("nodes:\n  - id: a\n    next:\n      - if: \"customer_name == \"O'Brien\"\"\n        to: b\n",
         "a `\"` inside a value in double quotes ends it early; write the quotes inside as single quotes"),
    ])
    func aQuotingMistakeSaysHowToQuote(_ text: String, _ help: String) throws {
        let d = try #require(read(text).diagnostics.first)
        #expect(d.code.description == "FC0101")
        #expect(d.help?.text == help, "\(d.message.text) / \(String(describing: d.help?.text))")
    }

    /// A list item out of line, or `-id:` with its space missing, gets no key-indentation help:
    /// a list's dashes line up by their own rule (the help sent the author the wrong way).
    @Test(arguments: [
        "nodes:\n  - id: a\n    on_complete:\n      - notify: {to: [owner], message: \"a\"}\n       - notify: {to: [owner], message: \"b\"}\n",
        "nodes:\n  - id: a\n    next: b\n  -id: payment\n    next: won\n",
    ])
    func aListItemOutOfLineGetsNoKeyIndentationHelp(_ text: String) throws {
        let d = try #require(read(text).diagnostics.first)
        #expect(d.code.description == "FC0101")
        #expect(!(d.help?.text.contains("keys of one mapping start in the same column") ?? false), "\(String(describing: d.help?.text))")
    }

    /// A key indented differently from the keys of its node gets libyaml's words and where
    /// the key should start.
    @Test(arguments: [
        ("nodes:\n  - id: quotation\n    name: 方案报价\n  - id: payment\n     name: 订单回款\n     owner: finance\n",
         5, "line 5 is not indented as `id` on line 4: keys of one mapping start in the same column (column 5)"),
        ("nodes:\n  - id: quotation\n    name: 方案报价\n  - id: payment\n  name: 订单回款\n",
         5, "line 5 is not indented as `id` on line 4: keys of one mapping start in the same column (column 5)"),
        ("nodes:\n  - id: quotation\n    name: 方案报价\n   owner: sales_owner\n    next: won\n",
         4, "line 4 is not indented as `name` on line 3: keys of one mapping start in the same column (column 5)"),
        // Further in after a value in brackets: libyaml's "did not find expected key" (QA round 22).
        ("nodes:\n  - id: qualification\n    participants: [sales_manager]\n     probability: 15\n    due: 7d\n",
         4, "line 4 is not indented as `participants` on line 3: keys of one mapping start in the same column (column 5)"),
    ])
    func aKeyOutOfLineWithItsMappingIsNamed(_ text: String, _ line: Int, _ help: String) throws {
        let d = try #require(read(text).diagnostics.first)
        #expect(d.code.description == "FC0101")
        #expect(d.location?.line == line, "\(d.message.text)")
        #expect(d.help?.text == help, "\(d.message.text) / \(String(describing: d.help?.text))")
    }

    /// A quote left open is found where it opened, not only where libyaml stops, lines later
    /// (QA round 23); an apostrophe that ends a value in single quotes is named.
    @Test func anUnclosedQuoteIsFoundWhereItOpened() throws {
        let text = "nodes:\n  - id: a\n    name: \"商机评估\n    owner: x\n    next:\n      - if: \"amount > 1\"\n        to: b\n"
        let d = try #require(read(text).diagnostics.first)
        #expect(d.code.description == "FC0101")
        #expect(d.location?.line == 6)
        #expect(d.help?.text == "close the quote on line 3: a value in double quotes runs on, over the lines below, to the next `\"`")
        let label = try #require(d.labels.first { $0.message.text == "this quote is not closed on its line" })
        #expect(label.span.range.lowerBound == Array(text.utf8).firstIndex(of: 0x22))
        // An apostrophe in a plain value opens nothing.
        let plain = try #require(read("a:\n  b: it's fine\n  c: [1, 2\n").diagnostics.first)
        #expect(plain.help?.text.contains("close the quote") != true, "\(plain.help?.text ?? "")")
        let apostrophe = try #require(read("a:\n  name: 'it's\n  c: 1\n").diagnostics.first)
        #expect(apostrophe.help?.text == "the `'` before this ends the value in single quotes: an apostrophe inside one is written `''` (`'it''s'`), or the value put in double quotes")
    }

    @Test func anOrdinaryErrorGetsNoSuchHelp() throws {
        let d = try #require(read("a: [1, 2\n").diagnostics.first)
        #expect(d.help == nil)
    }
}
