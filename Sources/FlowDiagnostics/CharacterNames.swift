/// Naming a character in a message, for the characters an author cannot tell apart by looking:
/// look-alikes of ASCII (a Cyrillic `а`, a full-width `：`) and invisible ones (U+200B, a
/// no-break space).
public enum CharacterNames {
    /// `{0}` the character, `{1}` its code point and name.
    public static let visibleFormat = "`{0}` ({1})"
    /// `{0}` the code point and name.
    public static let invisibleFormat = "an invisible {0}"

    /// The names of the control characters that reach ids and texts most (Unicode gives controls
    /// no name; these are their aliases).
    static let controlNames: [UInt32: String] = [
        0x00: "NULL", 0x08: "BACKSPACE", 0x09: "CHARACTER TABULATION", 0x0A: "LINE FEED", 0x0B: "LINE TABULATION",
        0x0C: "FORM FEED", 0x0D: "CARRIAGE RETURN", 0x1B: "ESCAPE", 0x7F: "DELETE",
    ]

    /// `U+0430 CYRILLIC SMALL LETTER A` (the code point alone when Unicode gives no name).
    public static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let point = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        guard let name = scalar.properties.name ?? scalar.properties.nameAlias ?? controlNames[scalar.value] else { return point }
        return point + " " + name
    }

    /// Whether a terminal, or the bidirectional algorithm, acts on the character rather than show
    /// it: the C0 controls (tab and line feed included), DEL, the C1 controls, and the
    /// bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069).
    public static func isTerminalControl(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return v < 0x20 || (0x7F...0x9F).contains(v) || (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v)
    }

    /// Whether an editor shows the character as nothing, or as an ordinary blank: format
    /// characters (U+200B, U+FEFF), controls, and spaces other than U+0020.
    public static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .format, .control, .spaceSeparator, .lineSeparator, .paragraphSeparator: scalar != " "
        default: false
        }
    }

    /// "`а` (U+0430 CYRILLIC SMALL LETTER A)", or "an invisible U+200B ZERO WIDTH SPACE".
    public static func describe(_ scalar: Unicode.Scalar) -> String {
        isInvisible(scalar)
            ? Message(invisibleFormat, [codePoint(scalar)]).text
            : Message(visibleFormat, [String(Character(scalar)), codePoint(scalar)]).text
    }

    /// The ASCII character a non-ASCII one is drawn like, for the look-alikes that reach
    /// templates by copy and paste or an input method: Cyrillic and Greek letters shaped like
    /// Latin ones, full-width Latin letters, digits and `_`. Nil for any other character.
    public static func asciiLookAlike(_ scalar: Unicode.Scalar) -> Character? {
        let v = scalar.value
        // Full-width ASCII (U+FF01–U+FF5E) is ASCII shifted by 0xFEE0.
        if (0xFF01...0xFF5E).contains(v), let ascii = Unicode.Scalar(v - 0xFEE0) { return Character(ascii) }
        return lookAlikes[v]
    }

    private static let lookAlikes: [UInt32: Character] = [
        // Cyrillic
        0x0430: "a", 0x0435: "e", 0x043E: "o", 0x0440: "p", 0x0441: "c", 0x0443: "y", 0x0445: "x",
        0x0455: "s", 0x0456: "i", 0x0458: "j", 0x04BB: "h", 0x04CF: "l", 0x0501: "d", 0x051B: "q", 0x051D: "w",
        0x0410: "A", 0x0412: "B", 0x0415: "E", 0x041A: "K", 0x041C: "M", 0x041D: "H", 0x041E: "O", 0x0420: "P",
        0x0421: "C", 0x0422: "T", 0x0425: "X", 0x0423: "Y", 0x0406: "I", 0x0408: "J", 0x0405: "S",
        // Greek
        0x03B1: "a", 0x03BF: "o", 0x03BD: "v", 0x03B9: "i", 0x03BA: "k", 0x03C1: "p", 0x03C5: "u", 0x03C7: "x",
        0x0391: "A", 0x0392: "B", 0x0395: "E", 0x0396: "Z", 0x0397: "H", 0x0399: "I", 0x039A: "K", 0x039C: "M",
        0x039D: "N", 0x039F: "O", 0x03A1: "P", 0x03A4: "T", 0x03A5: "Y", 0x03A7: "X",
        // Latin
        0x0131: "i", 0x0261: "g",
    ]

    /// The first character of `text` that an author cannot tell from ASCII by looking: an
    /// ASCII look-alike (`asciiLookAlike`) or an invisible character (`isInvisible`).
    public static func firstDeceptive(in text: String) -> Unicode.Scalar? {
        text.unicodeScalars.first { !$0.isASCII && (asciiLookAlike($0) != nil || isInvisible($0)) }
    }

    /// `text` as it was surely meant: look-alikes replaced by their ASCII characters, invisible
    /// characters removed.
    public static func skeleton(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if let ascii = asciiLookAlike(scalar) {
                out.append(ascii)
            } else if !(isInvisible(scalar) && !scalar.isASCII) {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `text` with each invisible character written as `\u{200B}`, so that a message shows it.
    public static func showingInvisibles(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if isInvisible(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
