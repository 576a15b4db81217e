import FlowCheck
import FlowDiagnostics
import Testing

/// An id that looks right but holds a look-alike letter (a Cyrillic `а`, a full-width `ｓ`) or an
/// invisible character (U+200B) is named for that character, and the declared id it was meant
/// to be is suggested.
@Suite struct IdentifierCharactersTests {
    static func check(next: String = "quotation", ownerRef: String = "sales_owner", quotationID: String = "quotation") -> [Diagnostic] {
        let yaml = """
            flowc: 1
            template: {id: ids, version: 1.0.0, name: Ids}
            roles:
              sales_owner: {name: Owner, owner: true}
            nodes:
              - id: initial_talks
                name: 初步洽谈
                owner: \(ownerRef)
                next: \(next)
              - {id: \(quotationID), name: 方案报价, owner: sales_owner, next: won}
              - {id: won, name: Won, kind: won}
              - {id: lost, name: Lost, kind: lost}
            lose: {via: lost}

            """
        return TemplateChecker.check(path: "ids.flow.yaml", bytes: Array(yaml.utf8), fs: MemoryFileSystem([:])).diagnostics
    }

    @Test func aCyrillicLetterIsNamedAndTheDeclaredIDSuggested() throws {
        let ds = Self.check(next: "quot\u{0430}tion")
        #expect(ds.count == 1, "\(ds.map(\.message.text))")
        let d = try #require(ds.first)
        #expect(d.code == DiagnosticCode(206))
        #expect(d.location?.line == 9)
        #expect(d.location?.column == 11)
        #expect(d.message.text == "`quot\u{0430}tion` is not a valid identifier: it contains `\u{0430}` (U+0430 CYRILLIC SMALL LETTER A)")
        #expect(d.help?.text == "did you mean `quotation`?")
        #expect(d.fixIts.map(\.replacement) == ["quotation"])
        #expect(d.fixIts.first?.span == d.span)
    }

    @Test func anInvisibleCharacterIsShownAndNamed() throws {
        let ds = Self.check(next: "quotation\u{200B}")
        #expect(ds.count == 1, "\(ds.map(\.message.text))")
        let d = try #require(ds.first)
        #expect(d.code == DiagnosticCode(206))
        #expect(d.message.text == "`quotation\\u{200B}` is not a valid identifier: it contains an invisible U+200B ZERO WIDTH SPACE")
        #expect(d.help?.text == "did you mean `quotation`?")
    }

    @Test func aFullWidthLetterInARoleIsNamedToo() throws {
        let ds = Self.check(ownerRef: "\u{FF53}ales_owner")
        let d = try #require(ds.first { $0.code == DiagnosticCode(206) })
        #expect(d.message.text == "`\u{FF53}ales_owner` is not a valid identifier: it contains `\u{FF53}` (U+FF53 FULLWIDTH LATIN SMALL LETTER S)")
        #expect(d.help?.text == "did you mean `sales_owner`?")
    }

    @Test func aLookAlikeInADefinitionKeepsTheDefinitionUnderItsASCIIID() throws {
        // The definition is the one mistake; `next: quotation` still finds it.
        let ds = Self.check(quotationID: "quot\u{0430}tion")
        #expect(ds.count == 1, "\(ds.map(\.message.text))")
        let d = try #require(ds.first)
        #expect(d.code == DiagnosticCode(206))
        #expect(d.location?.line == 10)
        #expect(d.message.text == "`quot\u{0430}tion` is not a valid identifier: it contains `\u{0430}` (U+0430 CYRILLIC SMALL LETTER A)")
        #expect(d.help?.text == "ids are lowercase snake_case, such as `quotation`; display names go in `name:`")
    }

    @Test func noDeclaredIDIsMadeUp() throws {
        // `rev\u{0456}ew` (a Cyrillic і) means `review`, which is not declared: no did-you-mean.
        let ds = Self.check(next: "rev\u{0456}ew")
        let d = try #require(ds.first { $0.code == DiagnosticCode(206) })
        #expect(d.message.text == "`rev\u{0456}ew` is not a valid identifier: it contains `\u{0456}` (U+0456 CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I)")
        #expect(d.help?.text == "ids are lowercase snake_case, such as `review`; display names go in `name:`")
        #expect(d.fixIts.isEmpty)
    }

    @Test func aCaseSlipGetsTheDeclaredIDItMeant() throws {
        // QA round 22, m17: `n400O` (a capital O for a zero) was offered `n400o`, which is not
        // declared; the declared `n4000` is the one meant, and the fix-it writes it.
        let ds = Self.check(next: "n400O", quotationID: "n4000")
        #expect(ds.count == 1, "\(ds.map(\.message.text))")
        let d = try #require(ds.first)
        #expect(d.code == DiagnosticCode(206))
        #expect(d.location?.line == 9)
        #expect(d.help?.text == "did you mean `n4000`?")
        #expect(d.fixIts.map(\.replacement) == ["n4000"])
        #expect(d.fixIts.first?.span == d.span)
    }

    @Test func anUppercaseReferenceGetsItsDeclaredIDAsAFixIt() throws {
        let ds = Self.check(next: "Quotation")
        let d = try #require(ds.first { $0.code == DiagnosticCode(206) })
        #expect(d.help?.text == "did you mean `quotation`?")
        #expect(d.fixIts.map(\.replacement) == ["quotation"])
    }

    @Test func anUppercaseReferenceNearNothingDeclaredKeepsTheRule() throws {
        let ds = Self.check(next: "Contract_Signing")
        let d = try #require(ds.first { $0.code == DiagnosticCode(206) })
        #expect(d.help?.text == "ids are lowercase snake_case, such as `contract_signing`; display names go in `name:`")
        #expect(d.fixIts.isEmpty)
    }
}
