import FlowDiagnostics
import FlowExpr
import Testing

/// A small deterministic generator (SplitMix64), so hostile inputs are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// An input shown in test output by a printable prefix and its size.
struct HostileInput: Sendable, CustomTestStringConvertible {
    var text: String
    var testDescription: String {
        String(text.unicodeScalars.prefix(24).map { $0.isASCII && $0.value >= 0x20 ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined())
            + " (\(text.utf8.count) bytes)"
    }
}

/// Inputs that must produce a diagnostic, never a crash.
let craftedInputs: [HostileInput] = [String](arrayLiteral:
        String(repeating: "(", count: 10_000),
        String(repeating: ")", count: 3000),
        String(repeating: "[", count: 3000),
        String(repeating: "-", count: 3000) + "1",
        String(repeating: "not ", count: 1000) + "true",
        String(repeating: "len(", count: 1000),
        "\"" + String(repeating: "\\", count: 3000),
        "'" + String(repeating: "\\u{", count: 1000),
        "\"\\u{110000}\"",
        "\"\\u{D800}\"",
        "\"\\u{}\"",
        "\"\\u{1234567}\"",
        String(repeating: "9", count: 4000),
        String(repeating: "9", count: 100) + "." + String(repeating: "9", count: 100),
        "1." + String(repeating: "0", count: 4000),
        String(repeating: "1d", count: 1000),
        "9223372036854775807w",
        "99999999999999999999d",
        "1 " + String(repeating: "A", count: 3000),
        String(repeating: "a.", count: 2000),
        String(repeating: "a", count: 5000),
        "\u{0}\u{1}\u{7F}",
        "quote < cost \u{FEFF}",
        "🙂",
        "\u{301}",
        "a ==",
        ",",
        "[,]",
        "f(,)",
        "1 2 3",
        "()",
        "'\n'",
        "a < b < c < d",
        "a not in b",
        "=== !== <> =>"
).map { HostileInput(text: $0) }

/// A random input, shown in test output by its number rather than its (unprintable) text.
struct RandomInput: Sendable, CustomTestStringConvertible {
    var number: Int
    var text: String
    var testDescription: String { "random input #\(number) (\(text.utf8.count) bytes)" }
}

/// Seeded random inputs: must never crash, whatever they produce.
let randomInputs: [RandomInput] = {
    var inputs: [RandomInput] = []
    var generator = SplitMix64(state: 0xF10C)
    let alphabet = Array("()[],'\"\\+-*/%<>=!&| .0123456789abcdzAZ_ \t\n中🙂uU{}dhwm".unicodeScalars)
    for n in 0..<40 {
        // Raw random bytes, decoded leniently (invalid UTF-8 becomes U+FFFD).
        let length = Int(generator.next() % 300)
        let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        inputs.append(RandomInput(number: inputs.count, text: String(decoding: bytes, as: UTF8.self)))
        // Random strings over the language's own characters: nearer to real mistakes.
        var text = String.UnicodeScalarView()
        for _ in 0..<(10 + n * 7) {
            text.append(alphabet[Int(generator.next() % UInt64(alphabet.count))])
        }
        inputs.append(RandomInput(number: inputs.count, text: String(text)))
    }
    return inputs
}()

@Suite struct ExprHostileInputTests {
    @Test(arguments: craftedInputs)
    func crafted(_ input: HostileInput) {
        let text = input.text
        let checked = ExprChecker.check(text, in: salesFields, expecting: .boolean)
        #expect(!checked.diagnostics.isEmpty, "expected a diagnostic for \(text.prefix(40).debugDescription)")
        for d in checked.diagnostics {
            #expect(d.range.lowerBound >= 0 && d.range.upperBound <= max(text.utf8.count, 4096) + 1)
            // Every placeholder of the format has an argument.
            #expect((0..<10).allSatisfy { !d.spec.format.contains("{\($0)}") || $0 < d.arguments.count })
        }
        #expect(ExprEvaluator.evaluate(checked, fieldValues: [], clock: testClock).failure?.code.number == 435)
    }

    @Test(arguments: randomInputs)
    func randomInputNeverCrashes(_ input: RandomInput) {
        let text = input.text
        let checked = ExprChecker.check(text, in: salesFields)
        // Random text is almost always wrong; whatever it is, it must be handled.
        for d in checked.diagnostics {
            #expect(d.range.lowerBound <= d.range.upperBound)
            #expect(d.range.upperBound <= text.utf8.count)
        }
        _ = checked.parsed.description
        _ = ExprEvaluator.evaluate(checked, fieldValues: [], clock: testClock, fuel: 1000)
    }

    @Test func randomValidExpressionsEvaluateWithinFuel() {
        // Generated arithmetic over fields and literals: always parses and type-checks; evaluation
        // either succeeds or stops with a documented code.
        var generator = SplitMix64(state: 42)
        let atoms = ["headcount", "1", "2", "0", "9223372036854775807", "(headcount - 3)"]
        let ops = ["+", "-", "*", "/", "%"]
        for _ in 0..<200 {
            var text = atoms[Int(generator.next() % UInt64(atoms.count))]
            for _ in 0..<Int(generator.next() % 12) {
                text += " \(ops[Int(generator.next() % UInt64(ops.count))]) \(atoms[Int(generator.next() % UInt64(atoms.count))])"
            }
            let checked = check(text)
            let staticCodes = Set(codes(checked.diagnostics))
            #expect(staticCodes.isSubset(of: [419, 430]), "\(text): \(checked.diagnostics)")
            if checked.hasErrors { continue }
            let result = ExprEvaluator.evaluate(checked, values: ["headcount": .integer(Int64(bitPattern: generator.next()))], clock: testClock)
            if let failure = result.failure {
                #expect([430, 432, 433].contains(failure.code.number), "\(text): \(failure)")
            }
        }
    }
}
