/// "Did you mean" suggestions: one implementation for every phase (keys, nodes, roles, fields,
/// functions, enum values, codes).
public enum Suggestions {
    /// The candidate closest to `name`, for a "did you mean" help line; nil when nothing is close.
    ///
    /// Distance is the optimal-string-alignment edit distance over Unicode scalars (insertions,
    /// deletions, substitutions and swaps of two neighbours each cost 1), with a case-only difference
    /// preferred over everything else. A candidate is close when its distance is at most 1 for names of
    /// up to 3 scalars, 2 up to 6, and 3 beyond. Ties go to the lexicographically smallest candidate,
    /// so the answer does not depend on the order of `candidates`.
    ///
    /// - Parameters:
    ///   - name: the unknown name as written.
    ///   - candidates: the names that exist.
    /// - Returns: the suggestion, or nil. `name` itself is returned when it is among the candidates.
    public static func closest(to name: String, in candidates: some Sequence<String>) -> String? {
        let target = Array(name.unicodeScalars)
        let lowered = name.lowercased()
        let limit = target.count <= 3 ? 1 : (target.count <= 6 ? 2 : 3)
        // Ranked by (distance, tier, name): an exact match (tier 0) beats a case-only difference
        // (tier 1), which beats any real edit (tier 2).
        var best: (distance: Int, tier: Int, name: String)?
        for candidate in candidates {
            let distance: Int
            let tier: Int
            if candidate == name {
                (distance, tier) = (0, 0)
            } else if candidate.lowercased() == lowered {
                (distance, tier) = (0, 1)
            } else {
                let scalars = Array(candidate.unicodeScalars)
                // A length difference beyond the limit can never come back under it.
                if abs(scalars.count - target.count) > limit { continue }
                (distance, tier) = (editDistance(target, scalars, cap: limit + 1), 2)
            }
            guard distance <= limit else { continue }
            if let current = best, (current.distance, current.tier, current.name) <= (distance, tier, candidate) {
                continue
            }
            best = (distance, tier, candidate)
        }
        return best?.name
    }

    /// The one candidate whose first `_`-separated word is `name` (`customer_name` for
    /// `customer`), for a "did you mean" where the edit distance is too large; nil when no
    /// candidate or more than one does. Only the first word: `type` is no short form of
    /// `loss_type`, nor `date` of `delivery_date`.
    public static func onlyContainingWord(_ name: String, in candidates: some Sequence<String>) -> String? {
        guard !name.isEmpty, !name.contains("_") else { return nil }
        var found: String?
        for candidate in candidates where candidate != name && candidate.split(separator: "_").first.map({ $0 == name }) == true {
            if found != nil { return nil }
            found = candidate
        }
        return found
    }

    /// Optimal-string-alignment distance, stopping early once every entry of a row reaches `cap`.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], cap: Int) -> Int {
        if a.isEmpty { return min(b.count, cap) }
        if b.isEmpty { return min(a.count, cap) }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previous2[j - 2] + 1)
                }
                current[j] = value
                rowMinimum = min(rowMinimum, value)
            }
            if rowMinimum >= cap { return cap }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return min(previous[b.count], cap)
    }
}
