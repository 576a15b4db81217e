@testable import FlowCheck
import FlowDiagnostics
import Foundation
@testable import FlowSyntax
import Testing

/// The checker reads several things on UTF-8 bytes where the language defines them on characters
/// (placeholders, whitespace runs, language tags, durations). Each byte path must give exactly
/// what the character definition gives, for any text: these tests compare them with the
/// character-level definitions on texts built from the hard cases (combining and prepended marks
/// next to ASCII punctuation, CR LF, Unicode spaces, non-ASCII digits and letters).
@Suite struct ByteFastPathTests {
    /// Pieces that texts are built from, chosen for the grapheme and whitespace rules.
    static let pieces: [String] = [
        "{", "}", "{{", "}}", "{x}", "{ b1_amount }", "a", "Z", "9", "_", "-", " ", "\t", "\n", "\r\n", "\r",
        "\u{0301}", // combining acute: joins the character before it
        "\u{0903}", // Devanagari visarga: a spacing mark, joins the character before it
        "\u{0600}", // Arabic number sign: prepended, joins the character after it
        "\u{200D}", // zero-width joiner
        "\u{00A0}", "\u{3000}", "\u{2003}", "\u{0085}", // Unicode spaces
        "中", "文", "é", "e\u{0301}", "😀", "🇨🇳", "\u{212A}", "٣", "１",
        "zh", "en", "Hans", "US", "x", "d", "h", "w", "m", "12", "3", "0",
    ]

    /// Deterministic pseudo-random texts made of `pieces`.
    static func texts(count: Int, seed: UInt64) -> [String] {
        var state = seed
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        return (0..<count).map { _ in
            (0..<(1 + next() % 7)).map { _ in pieces[next() % pieces.count] }.joined()
        }
    }

    /// Every key name of every mapping kind is found by its bytes (the table packs names of up to
    /// 16 bytes), and nothing else is.
    @Test func everyKeyNameIsMatchedByItsBytes() {
        func check<Key: MappingKey>(_: Key.Type) {
            let table = Key.table
            for (k, name) in table.names.enumerated() {
                #expect(name.utf8.count <= 16, "\(name)")
                let found = Array(name.utf8).withUnsafeBufferPointer { table.match($0) }
                #expect(found == k, "\(name)")
                let longer = Array((name + "_").utf8).withUnsafeBufferPointer { table.match($0) }
                #expect(longer == nil || table.names[longer ?? 0] == name + "_", "\(name)_")
            }
            #expect(Array("".utf8).withUnsafeBufferPointer { table.match($0) } == nil)
        }
        check(TopKey.self); check(HeaderKey.self); check(FieldKey.self); check(CustomerKey.self); check(RoleKey.self)
        check(NodeKey.self); check(EscalationKey.self); check(DeliverableKey.self); check(BranchKey.self)
        check(EffectKey.self); check(LoseKey.self); check(PoolKey.self); check(IdleKey.self); check(ClaimKey.self)
    }

    @Test func placeholdersMatchTheCharacterDefinition() {
        for text in Self.texts(count: 20000, seed: 1) + Self.pieces {
            #expect(EffectsRule.placeholders(text) == EffectsRule.placeholdersByCharacter(text), "\(text.debugDescription)")
        }
    }

    @Test func webhookURLsMatchTheCharacterDefinition() {
        let urlPieces = ["https://", "http://", "HTTPS://", "Http://", "ftp://", "hooks.example.com", "/path", "?q=1", "#x", " ", "\t",
                         "例子.中国", "\u{0301}", "İ", "\u{212A}", "/", "\r\n", "a", ""]
        var state: UInt64 = 11
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<20000 {
            let url = (0..<(1 + next() % 5)).map { _ in urlPieces[next() % urlPieces.count] }.joined()
            #expect(EffectsRule.isHTTPURL(url) == EffectsRule.isHTTPURLByCharacter(url), "\(url.debugDescription)")
        }
    }

    @Test func whitespaceRunsMatchTheCharacterDefinition() {
        for text in Self.texts(count: 20000, seed: 2) + Self.pieces {
            let expected = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(BranchSetRule.normalizedSpaces(text) == expected, "\(text.debugDescription)")
        }
    }

    /// The definition of a language tag on characters, as it was first written.
    static func isLanguageTagByCharacter(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard let first = parts.first, first.count == 2 || first.count == 3,
              first.allSatisfy({ $0.isASCII && $0.isLowercase }) else { return false }
        return parts.dropFirst().allSatisfy { p in (2...8).contains(p.count) && p.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
    }

    @Test func languageTagsMatchTheCharacterDefinition() {
        let tags = ["zh", "en", "zh-Hans", "en-US", "zho", "zh-", "-zh", "z", "abcd", "zh-Hans-CN", "zh-x", "zh-123456789", "ZH", "zh-Ha\u{0301}ns"]
        for text in Self.texts(count: 20000, seed: 3) + Self.pieces + tags {
            #expect(SyntaxReader.isLanguageTag(text) == Self.isLanguageTagByCharacter(text), "\(text.debugDescription)")
        }
    }

    /// The definition of a duration on characters, as it was first written.
    static func parseDurationByCharacter(_ text: String) -> Duration? {
        var u = Substring(text)
        var sign: Int64 = 1
        if u.hasPrefix("-") { sign = -1; u = u.dropFirst() }
        guard !u.isEmpty else { return nil }
        var total: Int64 = 0
        var lastSize = Int64.max
        while !u.isEmpty {
            let digits = u.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 9, let n = Int64(digits) else { return nil }
            u = u.dropFirst(digits.count)
            guard let unit = u.first else { return nil }
            let size: Int64
            switch unit {
            case "w": size = 604_800
            case "d": size = 86_400
            case "h": size = 3_600
            case "m": size = 60
            default: return nil
            }
            guard size < lastSize else { return nil }
            lastSize = size
            total += n * size
            u = u.dropFirst()
        }
        return Duration(seconds: sign * total)
    }

    @Test func durationsMatchTheCharacterDefinition() {
        let written = ["30d", "1d12h", "12h1d", "-3d", "0d", "1w2d3h4m", "999999999d", "1234567890d", "5", "d", "-", "", "3d\u{0301}",
                       "3\u{0301}d", "-\u{0301}3d", "１d", "3 d", "+3d", "3dd", "3d3d"]
        for text in Self.texts(count: 20000, seed: 4) + Self.pieces + written {
            #expect(Duration.parse(text) == Self.parseDurationByCharacter(text), "\(text.debugDescription)")
        }
    }
}
