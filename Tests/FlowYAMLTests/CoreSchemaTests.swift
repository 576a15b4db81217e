import Testing
import FlowDiagnostics
@testable import FlowYAML

@Suite struct CoreSchemaTests {
    func value(_ yaml: String) -> ScalarValue? {
        let r = read("v: " + yaml + "\n")
        guard let doc = r.document, let v = doc.node("v") else { return nil }
        return doc.value(v)
    }

    @Test(arguments: ["no", "yes", "on", "off", "No", "YES", "On", "OFF", "y", "n"])
    func yaml11BooleansStayStrings(_ word: String) {
        #expect(value(word) == .string(word))
    }

    @Test(arguments: ["true", "True", "TRUE"])
    func trueInThreeCasings(_ word: String) {
        #expect(value(word) == .bool(true))
    }

    @Test(arguments: ["false", "False", "FALSE"])
    func falseInThreeCasings(_ word: String) {
        #expect(value(word) == .bool(false))
    }

    @Test(arguments: ["tRUE", "fALSE", "nULL", "truee"])
    func mixedCasingsAreStrings(_ word: String) {
        #expect(value(word) == .string(word))
    }

    @Test(arguments: ["null", "Null", "NULL", "~", ""])
    func nullForms(_ word: String) {
        #expect(value(word) == .null)
    }

    @Test func integers() {
        #expect(value("0") == .int(0))
        #expect(value("42") == .int(42))
        #expect(value("-17") == .int(-17))
        #expect(value("+5") == .int(5))
        #expect(value("0x1F") == .int(31))
        #expect(value("0xff") == .int(255))
        #expect(value("0o17") == .int(15))
        #expect(value("9223372036854775807") == .int(Int64.max))
    }

    @Test func malformedRadixNumbersAreStrings() {
        #expect(value("0x") == .string("0x"))
        #expect(value("0xG1") == .string("0xG1"))
        #expect(value("0o8") == .string("0o8"))
        #expect(value("0b101") == .string("0b101"))
        #expect(value("1_000") == .string("1_000"))
    }

    @Test func floats() {
        #expect(value("1.5") == .float(1.5))
        #expect(value("-0.25") == .float(-0.25))
        #expect(value(".5") == .float(0.5))
        #expect(value("1.") == .float(1.0))
        #expect(value("1e3") == .float(1000))
        #expect(value("2.5E-1") == .float(0.25))
        #expect(value(".inf") == .float(.infinity))
        #expect(value("-.Inf") == .float(-.infinity))
        #expect(value("+.INF") == .float(.infinity))
        if case .float(let d)? = value(".nan") { #expect(d.isNaN) } else { Issue.record("`.nan` is not a float") }
    }

    @Test func outOfRangeIntegersAreFloats() {
        #expect(value("99999999999999999999") == .float(1e20))
    }

    @Test(arguments: ["1.2.3", "e3", "1e", "--1", "+", ".", "1 2", "12abc", "0x1.8"])
    func numberLookalikesAreStrings(_ word: String) {
        #expect(value(word) == .string(word))
    }

    @Test func forcedStringTagKeepsTheText() {
        #expect(value("!!str 1") == .string("1"))
        #expect(value("!!str true") == .string("true"))
        #expect(value("!!str null") == .string("null"))
        #expect(value("!!str") == .string(""))
    }

    @Test(arguments: ["\"1\"", "'1'", "\"true\"", "'null'", "\"~\"", "'0x10'", "\"\""])
    func quotedScalarsAreStrings(_ yaml: String) {
        let inner = String(yaml.dropFirst().dropLast())
        #expect(value(yaml) == .string(inner))
    }

    @Test func blockScalarsAreStrings() throws {
        let r = read("v: |\n  12\n")
        let doc = try #require(r.document)
        #expect(doc.node("v").flatMap { doc.value($0) } == .string("12\n"))
    }

    @Test func coreTagsResolveEvenWhenQuoted() {
        #expect(value("!!int \"12\"") == .int(12))
        #expect(value("!!float 1") == .float(1))
        #expect(value("!!float '2.5'") == .float(2.5))
        #expect(value("!!bool 'true'") == .bool(true))
        #expect(value("!!null ''") == .null)
    }

    @Test func typeNamesForMessages() {
        #expect(ScalarValue.null.typeName == "null")
        #expect(ScalarValue.int(1).typeName == "integer")
        #expect(ScalarValue.float(1).typeName == "number")
        #expect(ScalarValue.bool(true).typeName == "boolean")
        #expect(ScalarValue.string("").typeName == "string")
    }
}
