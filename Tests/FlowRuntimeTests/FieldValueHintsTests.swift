import FlowExpr
import FlowRuntime
import Testing

/// The form to write, in the message that refuses a value written as a spreadsheet writes it
/// (QA round 12). Each hint reads as the field's type; the value itself stays refused.
@Suite struct FieldValueHintsTests {
    @Test(arguments: [
        ("1,200,000", ExprType.money(currency: "CNY"), "write `1200000 CNY`"),
        ("￥1,200,000.00", .money(currency: "CNY"), "write `1200000 CNY`"),
        ("¥1200000", .money(currency: "CNY"), "write `1200000 CNY`"),
        ("120万", .money(currency: "CNY"), "write `1200000 CNY`"),
        ("1.5亿", .money(currency: "CNY"), "write `150000000 CNY`"),
        ("1200000元", .money(currency: "CNY"), "write `1200000 CNY`"),
        ("1.2e6", .money(currency: "CNY"), "write `1200000 CNY`"),
        ("１２００００", .money(currency: "CNY"), "write `120000 CNY`"),
        ("12,5", .decimal, nil),
        ("1,2345", .decimal, nil),
        ("2.5e-3", .decimal, "write `0.0025`"),
        ("３", .integer, "write `3`"),
        ("3台", .integer, nil),
        ("2024/5/6", .date, "write `2024-05-06`"),
        ("2024年5月6日", .date, "write `2024-05-06`"),
        ("2024-05-06 14:30", .date, "write `2024-05-06`"),
        ("06/05/2024", .date, nil),
        ("2024/13/6", .date, nil),
        ("99999999999999999999/1/1", .date, nil),
        ("2024/1/99999999999999999999", .date, nil),
        ("2024/1/1 99999999999999999999:00", .datetime, nil),
        ("2024-05-06 14:30", .datetime, "write it with its zone, as `2024-05-06T14:30:00+08:00`"),
        ("2024/5/6 9:00:05", .datetime, "write it with its zone, as `2024-05-06T09:00:05+08:00`"),
        // QA round 18: a currency code before or after, in any case; a US or European date; a 12-hour clock.
        ("1,234.56 USD", .money(currency: "USD"), "write `1234.56 USD`"),
        ("USD 1234.56", .money(currency: "USD"), "write `1234.56 USD`"),
        ("1234.56 usd", .money(currency: "USD"), "write `1234.56 USD`"),
        ("1234.56 EUR", .money(currency: "USD"), nil),
        ("USD EUR", .money(currency: "USD"), nil),
        ("06/30/2024", .date, "write `2024-06-30`"),
        ("30/06/2024", .date, "write `2024-06-30`"),
        ("13/13/2024", .date, nil),
        ("06/28/2024 10:30 PM", .datetime, "write it with its zone, as `2024-06-28T22:30:00+08:00`"),
        ("2024-06-28 12:05 am", .datetime, "write it with its zone, as `2024-06-28T00:05:00+08:00`"),
        ("2024-06-28 12:05 PM", .datetime, "write it with its zone, as `2024-06-28T12:05:00+08:00`"),
        ("2024-06-28 13:05 PM", .datetime, nil),
        ("TRUE", .boolean, "write `true`"),
        ("否", .boolean, "write `false`"),
        ("maybe", .boolean, nil),
        ("high", .text, nil),
        // QA round 19: an enum value in another case or with a blank for `_`; one value, or the
        // CSV form, for a list field.
        ("Manufacturing", .enumeration(values: ["manufacturing", "real_estate"]), "write `manufacturing`"),
        ("Real Estate", .enumeration(values: ["manufacturing", "real_estate"]), "write `real_estate`"),
        ("mining", .enumeration(values: ["manufacturing", "real_estate"]), nil),
        ("crm", .list(.text), #"write a list: `["crm"]`"#),
        ("crm;erp", .list(.text), #"write a list: `["crm", "erp"]`"#),
        ("crm,erp", .list(.text), #"write a list: `["crm", "erp"]`"#),
        ("crm，erp", .list(.text), #"write a list: `["crm", "erp"]`"#),
        ("CRM；bi", .list(.enumeration(values: ["crm", "bi"])), #"write a list: `["crm", "bi"]`"#),
        ("crm;oa", .list(.enumeration(values: ["crm", "bi"])), nil),
        (#"say "hi""#, .list(.text), #"write a list: `["say \"hi\""]`"#),
    ] as [(String, ExprType, String?)])
    func aValueWrittenAnotherWayGetsTheFormToWrite(_ written: String, _ type: ExprType, _ hint: String?) {
        #expect(FieldValueHints.hint(written, type: type) == hint)
        // The hint is a hint: the value itself is still refused.
        #expect(FieldValues.parse(written, as: type) == nil || type == .text)
    }

    @Test func theRefusalCarriesTheHint() {
        guard case .failure(let error) = ScenarioValues.value(.string("1,200,000"), type: .money(currency: "CNY")) else {
            Issue.record("read")
            return
        }
        #expect(error.message == "`1,200,000` is not money(CNY); write `1200000 CNY`")
    }

    /// A JSON number with an exponent is read exactly, and one whose digits break a rule says
    /// which, as the same digits written out do (review of the inputs, I12: `1e30` got no reason).
    @Test func aNumberWithAnExponentIsReadExactlyOrSaysWhyNot() {
        #expect(ScenarioValues.value(.number("1e5"), type: .money(currency: "CNY")) == .success(.money(amount: ExprDecimal(100_000), currency: "CNY")))
        guard case .failure(let error) = ScenarioValues.value(.number("1e30"), type: .money(currency: "CNY")) else {
            Issue.record("read")
            return
        }
        #expect(error.message == "`1e30` is not money(CNY): decimals and money amounts are read exactly, never rounded: at most 18 digits after the point (zeros at the end aside) and, the point left out, a number from -9223372036854775808 to 9223372036854775807 (any 18 significant digits fit)")
        // The same number as text, as a CSV cell holds it (QA round 28, I12: a bare "is not
        // money(CNY)"); `1e5` as text keeps its hint.
        guard case .failure(let text) = ScenarioValues.value(.string("1e30"), type: .money(currency: "CNY")) else {
            Issue.record("read")
            return
        }
        #expect(text.message == error.message)
        guard case .failure(let small) = ScenarioValues.value(.string("1e5"), type: .money(currency: "CNY")) else {
            Issue.record("read")
            return
        }
        #expect(small.message == "`1e5` is not money(CNY); write `100000 CNY`")
        // A text with an `e` that is no exponent gets no note of the integers' range (QA round
        // 44, A8: `500 seats`, for the `e` of `seats`).
        for (written, type) in [("500 seats", ExprType.integer), ("12 items", .decimal), ("3 per week", .money(currency: "CNY")), ("1e", .integer), ("e5", .integer)] {
            guard case .failure(let plain) = ScenarioValues.value(.string(written), type: type) else {
                Issue.record("read \(written)")
                continue
            }
            #expect(plain.message == "`\(written)` is not \(FieldValues.typeName(type))", "\(plain.message)")
        }
    }

    /// A value no enum value of the field is named with the field's values and the one meant,
    /// in a deals file, `--set` and a scenario alike (QA round 35, A11: a deals file's value
    /// was "not enum(converted, extended, failed)", and neither said `extended`).
    @Test func anEnumValueOffByALetterIsNamedWithTheOneMeant() throws {
        let type = ExprType.enumeration(values: ["converted", "extended", "failed"])
        guard case .failure(let e) = ScenarioValues.value(.string("extend"), type: type) else {
            Issue.record("read")
            return
        }
        #expect(e.message == "`extend` is not one of its values: converted, extended, failed (did you mean `extended`?)")
        guard case .failure(let spaced) = ScenarioValues.value(.string("Extended"), type: type) else {
            Issue.record("read")
            return
        }
        #expect(spaced.message == "`Extended` is not one of its values: converted, extended, failed; write `extended`")
        var d = try Mini.deal()
        let refused = d.refuse(.setFields([FieldAssignment("tier", .enumValue("glod"))]), by: "alice")
        #expect(refused?.code == "FC1114")
        #expect(refused?.message == "`glod` is not a value of field `tier` (values: gold, silver) (did you mean `gold`?)", "\(refused?.message ?? "")")
    }
}
