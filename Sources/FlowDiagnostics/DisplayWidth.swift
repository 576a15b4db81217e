/// Terminal display width of Unicode scalars, so that a caret underline lines up under CJK text.
///
/// East Asian wide and fullwidth characters take two cells, combining marks and zero-width
/// characters none, everything else one. An emoji takes two, whether one scalar shown as an
/// emoji (🚀) or a sequence drawn as one picture (a family joined by ZWJ, a flag, a skin tone,
/// a keycap): a text is measured by its characters, not its scalars.
public enum DisplayWidth {
    /// The number of terminal cells a scalar occupies.
    public static func of(_ s: Unicode.Scalar) -> Int {
        let v = s.value
        if v == 0 { return 0 }
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        if v < 0x300 { return 1 }
        // Combining marks and zero-width characters; the tag characters of a subdivision flag
        // (🏴 and U+E0067 …, Scotland) and the vowels and finals of a Hangul syllable written
        // in parts (U+1100 U+1161 U+11A8, 각), which join the character before (QA round 30,
        // N12).
        if (0x300...0x36F).contains(v) || (0x200B...0x200F).contains(v) || v == 0xFEFF
            || (0xFE00...0xFE0F).contains(v) || (0x1AB0...0x1AFF).contains(v)
            || (0x20D0...0x20FF).contains(v) || (0xE0100...0xE01EF).contains(v)
            || (0xE0020...0xE007F).contains(v) || (0x1160...0x11FF).contains(v) || (0xD7B0...0xD7FF).contains(v) {
            return 0
        }
        if (0x1100...0x115F).contains(v) || (0x2E80...0x303E).contains(v)
            || (0x3041...0x33FF).contains(v) || (0x3400...0x4DBF).contains(v)
            || (0x4E00...0x9FFF).contains(v) || (0xA000...0xA4CF).contains(v)
            || (0xAC00...0xD7A3).contains(v) || (0xF900...0xFAFF).contains(v)
            || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
            || (0xFFE0...0xFFE6).contains(v) || (0x1F300...0x1F64F).contains(v)
            || (0x1F900...0x1F9FF).contains(v) || (0x20000...0x2FFFD).contains(v)
            || (0x30000...0x3FFFD).contains(v) {
            return 2
        }
        if s.properties.isEmojiPresentation { return 2 }
        return 1
    }

    /// The number of terminal cells a character (a grapheme cluster) occupies: two for an emoji
    /// sequence, the sum of its scalars otherwise (a letter and its combining accents: one).
    public static func of(_ c: Character) -> Int {
        let scalars = c.unicodeScalars
        if scalars.count > 1, scalars.first?.properties.isEmoji == true, scalars.contains(where: isEmojiSequencePart) { return 2 }
        var w = 0
        for s in scalars { w += of(s) }
        return w
    }

    /// A scalar that makes a sequence one emoji picture: the zero-width joiner, the emoji
    /// variation selector, a regional indicator (flags), a skin-tone modifier, the keycap.
    static func isEmojiSequencePart(_ s: Unicode.Scalar) -> Bool {
        let v = s.value
        return v == 0x200D || v == 0xFE0F || v == 0x20E3 || (0x1F1E6...0x1F1FF).contains(v) || (0x1F3FB...0x1F3FF).contains(v)
            || (0xE0020...0xE007F).contains(v)
    }

    /// The number of terminal cells a string occupies (tabs count as one cell; renderers expand them first).
    public static func of(_ text: Substring.UnicodeScalarView) -> Int {
        var w = 0
        for c in Substring(text) { w += of(c) }
        return w
    }

    public static func of(_ text: String) -> Int { of(Substring(text).unicodeScalars) }
}
