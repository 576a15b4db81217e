import FlowDiagnostics
package import FlowIR

/// Small helpers for names in messages and people lists.
package enum Names {
    /// The elements in order, each once.
    static func unique(_ names: [String]) -> [String] {
        var out: [String] = []
        for n in names where !out.contains(n) { out.append(n) }
        return out
    }

    /// `` `a`, `b`, `c` `` (or `none`).
    static func list(_ names: [String]) -> String {
        names.isEmpty ? RuntimeMessages.Phrase.none : names.map { "`\($0)`" }.joined(separator: ", ")
    }

    /// A name shortened for a message (ids from events may be long or hostile), on one line and
    /// without control characters (``inline(_:)``).
    package static func shown(_ name: String, max: Int = 64) -> String {
        inline(name.count <= max ? name : String(name.prefix(max)) + "…")
    }

    /// Text from a deal (a note, a reason, a title) made safe to print on one line of a terminal:
    /// a line break shows as ` ↵ `, and any other control character (a terminal escape, a
    /// backspace, a bidirectional override) as its code, `\u{1B}`. Text without them is returned
    /// as it is.
    package static func inline(_ text: String) -> String {
        func isControl(_ s: Unicode.Scalar) -> Bool {
            CharacterNames.isTerminalControl(s) || s.value == 0x2028 || s.value == 0x2029
        }
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = ""
        var lastWasCR = false
        for s in text.unicodeScalars {
            defer { lastWasCR = s == "\r" }
            switch s {
            case "\n" where lastWasCR: continue  // CRLF is one break
            case "\n", "\r", "\u{2028}", "\u{2029}", "\u{0B}", "\u{0C}", "\u{85}": out += " ↵ "
            case "\t": out += " "
            case _ where isControl(s): out += code(s)
            default: out.unicodeScalars.append(s)
            }
        }
        return out
    }

    /// Text shown on a terminal line by line (a CSV file printed there): every terminal control
    /// but line breaks and tabs written as its code, as ``inline(_:)`` writes them.
    package static func escapingControls(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: CharacterNames.isTerminalControl) else { return text }
        var out = ""
        for s in text.unicodeScalars {
            if s != "\n", s != "\r", s != "\t", CharacterNames.isTerminalControl(s) { out += code(s) } else { out.unicodeScalars.append(s) }
        }
        return out
    }

    /// A control character as shown in text: `\u{1B}`.
    static func code(_ s: Unicode.Scalar) -> String { "\\u{\(String(s.value, radix: 16, uppercase: true))}" }

    /// " (did you mean `id`? …)" when `name` is a node's display name (in any language, as
    /// written or in other letter case) rather than its id: a mapping takes ids, and the name is
    /// what people know the stage by (QA round 27, M8). Else the closest id, as ``didYouMean(_:among:)``.
    package static func didYouMeanNode(_ name: String, among nodes: [NodeDef]) -> String {
        let wanted = name.lowercased()
        if !wanted.isEmpty, let node = nodes.first(where: { $0.name.values.contains { $0.lowercased() == wanted } }) {
            return RuntimeMessages.fill(RuntimeMessages.Phrase.didYouMeanNamed, [node.id, shown(name)])
        }
        return didYouMean(name, among: nodes.map(\.id))
    }

    /// " (did you mean `x`?)" for the closest candidate within a small edit distance, else "".
    package static func didYouMean(_ name: String, among candidates: [String]) -> String {
        let limit = name.count <= 3 ? 1 : max(2, min(name.count, 40) / 3)
        guard name.count <= 128 else { return "" }
        // The same name but for an invisible character (pasted from a web page or a chat): said,
        // since the two look alike (QA round 21).
        if let invisible = name.unicodeScalars.first(where: CharacterNames.isInvisible) {
            let visible = String(String.UnicodeScalarView(name.unicodeScalars.filter { !CharacterNames.isInvisible($0) }))
            if candidates.contains(visible) {
                return RuntimeMessages.fill(RuntimeMessages.Phrase.didYouMeanWithout, [visible, CharacterNames.describe(invisible)])
            }
        }
        // The same name in other letter case (`ID` for `id`) first, however long it is.
        let lowered = name.lowercased()
        if let same = candidates.first(where: { $0 != name && $0.count <= 128 && $0.lowercased() == lowered }) {
            return RuntimeMessages.fill(RuntimeMessages.Phrase.didYouMean, [same])
        }
        var best: (String, Int)?
        for c in candidates where c.count <= 128 {
            let d = distance(name, c)
            if d <= limit, best.map({ d < $0.1 }) ?? true { best = (c, d) }
        }
        guard let (match, _) = best else { return "" }
        return RuntimeMessages.fill(RuntimeMessages.Phrase.didYouMean, [match])
    }

    /// Levenshtein distance over characters.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var previous = Array(0...y.count)
        var current = Array(repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            current[0] = i
            for j in 1...y.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[y.count]
    }
}
