import FlowExpr
import FlowIR
import FlowRuntime
import Testing

/// S4: duplicates are caught on the normalised customer identity.
@Suite struct CustomerKeyTests {
    static let all = ["fullwidth_to_halfwidth", "trim", "collapse_spaces", "lowercase", "strip_legal_suffix"]

    /// A format character (a zero-width space or joiner, a BOM, a bidi mark) pasted into a name is
    /// no part of its key, whatever the template's steps: the name looks the same and is the same
    /// customer (QA round 21: a second open deal slipped past FC1201).
    @Test(arguments: ["星辰\u{200B}科技", "\u{FEFF}星辰科技", "星辰\u{200D}科技\u{200E}", "星辰\u{2060}科技"])
    func formatCharactersAreNoPartOfAKey(_ written: String) {
        #expect(CustomerKey.normalize(written, Self.all) == CustomerKey.normalize("星辰科技", Self.all))
        #expect(CustomerKey.normalize(written, []) == "星辰科技")
        // A visible difference still makes another customer.
        #expect(CustomerKey.normalize("星辰科技二", []) != "星辰科技")
    }

    /// `customer.group` begins each key; `group: default` is the default group, whose keys have
    /// no prefix (so an author who writes it shares keys with templates that write none).
    @Test func aGroupBeginsEachKeyAndDefaultIsTheDefaultGroup() throws {
        func keys(_ group: String?) throws -> [String] {
            let text = """
                flowc: 1
                template: {id: g, version: 1.0.0, name: G}
                fields:
                  customer_name: {type: text}
                customer:
                  identity: [customer_name]
                \(group.map { "  group: \($0)" } ?? "")
                roles:
                  sales_owner: {name: Owner, owner: true}
                nodes:
                  - {id: a, name: A, owner: sales_owner, next: won}
                  - {id: won, name: Won, kind: won}
                """
            let pm = try machine(yaml: text)
            return CustomerKey.keys(pm.machine, fields: [.text("Acme")])
        }
        #expect(try keys(nil) == ["customer_name\u{1F}Acme"])
        #expect(try keys("default") == ["customer_name\u{1F}Acme"])
        #expect(try keys("renewals") == ["renewals\u{1D}customer_name\u{1F}Acme"])
    }

    @Test func theLanguageReferenceExampleComparesEqual() {
        let names = ["星辰科技（北京）有限公司", "星辰科技(北京)有限公司\u{3000}", "星辰科技(北京)"]
        let keys = names.map { CustomerKey.normalize($0, Self.all) }
        #expect(Set(keys).count == 1)
        #expect(keys[0] == "星辰科技(北京)")
    }

    @Test(arguments: [
        ("Acme Co., Ltd.", "acme"), ("ACME  CO.,LTD", "acme"), ("Acme Inc.", "acme"), ("Acme, Inc", "acme"), ("Acme LLC", "acme"),
        ("Acme GmbH", "acme"), ("万达集团", "万达"), ("万达集团有限公司", "万达"), ("华为技术股份有限公司", "华为技术"),
        ("星辰有限责任公司", "星辰"), ("Zinc", "zinc"), ("Ltd.", "ltd."), ("Flag", "flag"), ("有限公司", "有限公司"),
        ("  Ａｃｍｅ　 Ｃｏｒｐ ", "acme"), ("a\tb\n c", "a b c"),
    ])
    func legalSuffixesAndSpacesAreNormalised(_ input: String, _ expected: String) {
        #expect(CustomerKey.normalize(input, Self.all) == expected)
    }

    /// The suffixes are looked up by their last scalar; the result is the one of trying every
    /// suffix in the list's order (the reference below), for every suffix in several spellings.
    @Test func suffixLookupByLastScalarStripsAsTryingEverySuffix() {
        func reference(_ text: String) -> String {
            var out = text
            var changed = true
            while changed {
                changed = false
                let lower = out.lowercased()
                if CustomerKey.legalSuffixes.contains(lower) { break }
                for suffix in CustomerKey.legalSuffixes where lower.hasSuffix(suffix) && lower.count > suffix.count {
                    let head = String(out.dropLast(suffix.count))
                    if suffix.first.map({ $0.isASCII && $0.isLetter }) ?? false, let last = head.last, last.isLetter || last.isNumber,
                       last.isASCII {
                        continue
                    }
                    var trimmed = head
                    while let last = trimmed.last, last.isWhitespace || last == "," || last == "，" { trimmed.removeLast() }
                    guard !trimmed.isEmpty else { continue }
                    out = trimmed
                    changed = true
                    break
                }
            }
            return out
        }
        var names: [String] = []
        for suffix in CustomerKey.legalSuffixes {
            for spelled in [suffix, suffix.uppercased(), suffix.capitalized] {
                names += [spelled, "Acme " + spelled, "Acme, " + spelled, "Acme" + spelled, "星辰" + spelled, "星辰集团" + spelled,
                          "X " + spelled + " Ltd", spelled + " ", "Café\u{301} " + spelled, ", " + spelled]
            }
        }
        names += ["", " ", "Zinc", "Flag", "Bag", "Co", "公司公司", "有限公司有限公司", "Acme Co., Ltd. Inc.", "ÀG", "Ａｃｍｅ Ｉｎｃ"]
        #expect(names.count > 850)
        for name in names {
            #expect(CustomerKey.normalize(name, ["strip_legal_suffix"]) == reference(name), "\(name)")
        }
    }

    @Test func normalisationsApplyInTheOrderListed() {
        #expect(CustomerKey.normalize(" Acme Inc. ", ["lowercase"]) == " acme inc. ")
        #expect(CustomerKey.normalize(" Acme Inc. ", ["trim", "strip_legal_suffix"]) == "Acme")
        // Trimming before converting leaves the ideographic space in place: order matters.
        #expect(CustomerKey.normalize("Acme\u{3000}", ["fullwidth_to_halfwidth", "trim"]) == "Acme")
        #expect(CustomerKey.normalize("Ａ", ["unknown_step"]) == "Ａ")
    }

    /// Each identity field with a value is a key on its own, named by its field: the same tax id
    /// under another spelling of the name, or the same name where one deal has no tax id, is the
    /// same customer.
    @Test func eachIdentityFieldIsAKeyOfItsOwn() throws {
        let pm = try machine(path: Mini.path)
        let m = pm.machine
        let name = try #require(m.fields.firstIndex { $0.id == "customer_name" })
        let tax = try #require(m.fields.firstIndex { $0.id == "tax_id" })
        var fields = [ExprValue?](repeating: nil, count: m.fields.count)
        #expect(CustomerKey.keys(m, fields: fields).isEmpty)
        #expect(CustomerKey.key(m, fields: fields) == nil)
        fields[name] = .text(" 星辰科技 有限公司 ")
        #expect(CustomerKey.keys(m, fields: fields) == ["customer_name\u{1F}星辰科技"])
        fields[tax] = .text("91110000MA01")
        #expect(CustomerKey.keys(m, fields: fields) == ["customer_name\u{1F}星辰科技", "tax_id\u{1F}91110000ma01"])
        #expect(CustomerKey.key(m, fields: fields) == "customer_name\u{1F}星辰科技\u{1E}tax_id\u{1F}91110000ma01")
        // A blank value is no value.
        fields[tax] = .text("  ")
        #expect(CustomerKey.keys(m, fields: fields) == ["customer_name\u{1F}星辰科技"])
        // Two deals for the same customer share a key, whatever else differs.
        let a = try Mini.deal(fields: [FieldAssignment("tax_id", .text("X1"))])
        var b = Deal(pm)
        try b.apply(.create(dealID: "deal-2", owner: "bob", fields: [FieldAssignment("customer_name", .text("星辰科技（北京）")),
                                                                     FieldAssignment("tax_id", .text("x1"))], members: []))
        let shared = Set(CustomerKey.keys(m, fields: try #require(a.snapshot).fields))
            .intersection(CustomerKey.keys(m, fields: try #require(b.snapshot).fields))
        #expect(shared == ["tax_id\u{1F}x1"])
    }
}
