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

    /// A name shortened for a message (ids from events may be long or hostile).
    static func shown(_ name: String, max: Int = 64) -> String {
        name.count <= max ? name : String(name.prefix(max)) + "…"
    }

    /// " (did you mean `x`?)" for the closest candidate within a small edit distance, else "".
    package static func didYouMean(_ name: String, among candidates: [String]) -> String {
        let limit = name.count <= 3 ? 1 : max(2, min(name.count, 40) / 3)
        guard name.count <= 128 else { return "" }
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
