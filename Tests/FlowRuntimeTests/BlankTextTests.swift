@testable import FlowRuntime
import Testing

/// The blank-text check of a `set_fields` step decides ASCII from the byte: it must agree with
/// Unicode's `White_Space` everywhere, ASCII or not, alone or mixed.
@Suite struct BlankTextTests {
    @Test func theFastCheckAgreesWithUnicodesWhiteSpace() {
        func slow(_ text: String) -> Bool { !text.unicodeScalars.allSatisfy(\.properties.isWhitespace) }
        // Every scalar there is, against the property.
        var disagree: [UInt32] = []
        for v in UInt32(0)...0x10FFFF {
            guard let s = Unicode.Scalar(v) else { continue }
            if PreparedTables.isWhiteSpace(v) != s.properties.isWhitespace { disagree.append(v) }
        }
        #expect(disagree.isEmpty, "\(disagree.map { String($0, radix: 16) })")
        var scalars: [Unicode.Scalar] = (0...0x3100).compactMap(Unicode.Scalar.init)
        scalars += ["\u{FEFF}", "\u{1F600}", "\u{E0020}"]
        for s in scalars {
            for text in [String(s), " " + String(s), String(s) + "\t", "\u{3000}" + String(s), "\n\u{A0}" + String(s) + " "] {
                #expect(PreparedTables.hasNonWhitespace(text) == slow(text), "\(text.unicodeScalars.map { String($0.value, radix: 16) })")
            }
        }
        #expect(!PreparedTables.hasNonWhitespace(""))
        #expect(!PreparedTables.hasNonWhitespace(" \t\n\u{0B}\u{0C}\r\u{85}\u{A0}\u{2028}\u{3000}"))
        #expect(PreparedTables.hasNonWhitespace("\u{1C}"))
        #expect(PreparedTables.hasNonWhitespace(" \u{200B}"))
    }
}
