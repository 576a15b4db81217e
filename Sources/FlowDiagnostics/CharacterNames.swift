/// Naming a character in a message, for the characters an author cannot tell apart by looking:
/// look-alikes of ASCII (a Cyrillic `а`, a full-width `：`) and invisible ones (U+200B, a
/// no-break space).
public enum CharacterNames {
    /// `{0}` the character, `{1}` its code point and name.
    public static let visibleFormat = "`{0}` ({1})"
    /// `{0}` the code point and name.
    public static let invisibleFormat = "an invisible {0}"

    /// `U+0430 CYRILLIC SMALL LETTER A` (the code point alone when Unicode gives no name).
    public static func codePoint(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let point = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        guard let name = scalar.properties.name ?? scalar.properties.nameAlias else { return point }
        return point + " " + name
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
}
