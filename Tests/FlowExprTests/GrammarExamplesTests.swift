import FlowDiagnostics
import FlowExpr
import Testing

/// Every `(* example: ... *)` line of grammar/expression.ebnf parses and type-checks, so the
/// grammar's documentation cannot drift from the implementation.
@Suite struct GrammarExamplesTests {
    static let grammarPath: String = {
        // Tests/FlowExprTests/GrammarExamplesTests.swift -> ../../grammar/expression.ebnf
        var components = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        components.removeLast(3)
        return (components + ["grammar", "expression.ebnf"]).joined(separator: "/")
    }()

    /// The fixed environment the grammar's header describes.
    static let environment = ExprFieldTable([
        "quote": .money(currency: "CNY"),
        "cost": .money(currency: "CNY"),
        "amount": .money(currency: "CNY"),
        "strategic": .boolean,
        "industry": .enumeration(values: ["manufacturing", "retail", "finance"]),
        "close_date": .date,
        "headcount": .integer,
        "discount_rate": .decimal,
        "customer_name": .text,
        "products": .list(.text),
    ])

    static func examples() throws -> [String] {
        let text = try readText(grammarPath)
        let prefix = "(* example: "
        let suffix = " *)"
        return text.split(separator: "\n", omittingEmptySubsequences: true).compactMap { line -> String? in
            guard line.hasPrefix(prefix), line.hasSuffix(suffix) else { return nil }
            return String(line.dropFirst(prefix.count).dropLast(suffix.count))
        }
    }

    @Test func grammarHasExamples() throws {
        #expect(try Self.examples().count >= 10)
    }

    @Test func everyExampleParsesAndChecks() throws {
        for example in try Self.examples() {
            let parsed = ExprParser.parse(example)
            #expect(parsed.diagnostics.isEmpty, "syntax error in example `\(example)`: \(parsed.diagnostics)")
            let checked = ExprChecker.check(parsed, in: Self.environment)
            #expect(checked.diagnostics.isEmpty, "type error in example `\(example)`: \(checked.diagnostics)")
            // Reparsing the canonical rendering gives the same tree.
            let reparsed = ExprParser.parse(parsed.description)
            #expect(reparsed.description == parsed.description, "`\(example)` does not round-trip")
        }
    }

    @Test func commentsAreBalanced() throws {
        // ISO 14977 comments do not nest: an opener inside a comment is a mistake.
        let bytes = Array(try readText(Self.grammarPath).utf8)
        var inComment = false
        var i = 0
        while i + 1 < bytes.count {
            let pair = (bytes[i], bytes[i + 1])
            if pair == (UInt8(ascii: "("), UInt8(ascii: "*")) {
                #expect(!inComment, "comment opened inside a comment at byte \(i)")
                inComment = true
                i += 2
            } else if pair == (UInt8(ascii: "*"), UInt8(ascii: ")")) {
                #expect(inComment, "comment closed outside a comment at byte \(i)")
                inComment = false
                i += 2
            } else {
                i += 1
            }
        }
        #expect(!inComment)
    }

    @Test func grammarMentionsTheKeyCodes() throws {
        let grammar = try readText(Self.grammarPath)
        for code in [409, 410, 411, 412, 413, 421, 422, 425, 430, 432, 433] {
            #expect(grammar.contains("FC0\(code)"), "grammar does not mention FC0\(code)")
        }
    }
}

/// Reads a UTF-8 text file without Foundation.
func readText(_ path: String) throws -> String {
    struct ReadError: Error { let path: String }
    guard let file = fopen(path, "rb") else { throw ReadError(path: path) }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = fread(&buffer, 1, buffer.count, file)
        if n <= 0 { break }
        bytes.append(contentsOf: buffer[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
