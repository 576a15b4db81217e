import Foundation

/// Escaping for the HTML report. Every piece of user text (deal ids, customers, node names,
/// notes, URLs) goes through here before it reaches the page; the page is also well-formed XML,
/// so these same rules hold inside the inline SVG.
enum ReportHTMLEscape {
    /// Text and attribute values (always written in double quotes): `& < > " '` become
    /// references; control characters that XML forbids become U+FFFD; a bidirectional override,
    /// embedding or isolate is shown by its code (``bidiCode(_:)``).
    static func text(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where bidiCode(scalar) != nil: out += bidiCode(scalar) ?? ""
            default:
                let v = scalar.value
                let forbidden = v < 0x20 || (v >= 0x7F && v < 0xA0) || v == 0xFFFE || v == 0xFFFF
                out.unicodeScalars.append(forbidden ? "\u{FFFD}" : scalar)
            }
        }
        return out
    }

    /// `\u{202E}` for a bidirectional override, embedding or isolate (U+202A–U+202E,
    /// U+2066–U+2069), as the terminal forms show them: written raw, a customer's name would read
    /// reversed on the page while the terminal shows the code (QA round 39, H10); nil for any
    /// other character.
    static func bidiCode(_ scalar: Unicode.Scalar) -> String? {
        let v = scalar.value
        guard (0x202A...0x202E).contains(v) || (0x2066...0x2069).contains(v) else { return nil }
        return "\\u{" + String(v, radix: 16, uppercase: true) + "}"
    }

    /// A record's URL when it may become a link: `http:`, `https:` or `mailto:` only (a
    /// `javascript:` or `data:` URL from a record is shown as text, never made clickable).
    static func linkTarget(_ url: String?) -> String? {
        guard let url else { return nil }
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        let lower = trimmed.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("mailto:") else { return nil }
        guard !trimmed.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == " " }) else { return nil }
        return trimmed
    }
}
