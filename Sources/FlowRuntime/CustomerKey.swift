public import FlowExpr
public import FlowIR

/// S4: the normalised customer key of a deal, so that the store can refuse (or merge) a second
/// deal for the same customer. Pure: the same identity values and normalisations give the same key.
public enum CustomerKey {
    /// Legal-form suffixes removed by `strip_legal_suffix`, compared case-insensitively, longest
    /// first; several may be removed in turn (`XX集团有限公司` → `XX`).
    public static let legalSuffixes: [String] = [
        "股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "集团公司", "集团", "公司",
        "co., ltd.", "co.,ltd.", "co. ltd.", "co., ltd", "co.,ltd", "co ltd", "company limited", "corporation",
        "limited", "ltd.", "ltd", "inc.", "inc", "llc", "l.l.c.", "gmbh", "corp.", "corp", "plc", "s.a.", "ag", "co.",
    ]

    /// ``legalSuffixes`` by their last scalar, in the list's order. A suffix can end a text only if
    /// the text ends with that scalar: none of these last scalars has another canonically
    /// equivalent form, so the lookup finds every suffix `hasSuffix` would, with far fewer
    /// comparisons (most names end with none of them).
    static let legalSuffixesByLastScalar: [Unicode.Scalar: [String]] = {
        var out: [Unicode.Scalar: [String]] = [:]
        for suffix in legalSuffixes {
            if let last = suffix.unicodeScalars.last { out[last, default: []].append(suffix) }
        }
        return out
    }()

    /// The separator between a field's id and its normalised value in a key (U+001F, which no
    /// normalised value holds).
    public static let separator = "\u{1F}"
    /// The separator between the keys of a deal in ``key(_:fields:)`` (U+001E).
    public static let keySeparator = "\u{1E}"
    /// The separator after a deduplication group's name, which begins each key of a template
    /// with `customer.group` (U+001D).
    public static let groupSeparator = "\u{1D}"

    /// The deal's customer keys: one per identity field with a value, `FIELD` U+001F `normalised
    /// value`, sorted, without repeats. Each identifies the customer on its own: two deals with a
    /// key in common belong to the same customer (the same tax id under two spellings of the name,
    /// or the same name where one deal has no tax id yet). Empty when the template names no
    /// identity or no identity field has a value (such a deal cannot be matched).
    ///
    /// A template with `customer.group` puts the group's name and U+001D before each key, so its
    /// deals match only deals of templates in the same group (a renewal is not a duplicate of a
    /// new-business deal); templates without one share the default group, whose keys have no
    /// prefix.
    public static func keys(_ machine: Machine, fields: [ExprValue?]) -> [String] {
        var out: [String] = []
        // `default` is the default group, also in an IR written by hand (the compiler drops it).
        let prefix = machine.customer.group.flatMap { $0 == "default" ? nil : $0 + groupSeparator } ?? ""
        for slot in machine.customer.identity {
            guard fields.indices.contains(slot), let value = fields[slot], machine.fields.indices.contains(slot) else { continue }
            let text = normalize(value.displayText, machine.customer.normalize)
            if text.isEmpty { continue }
            out.append(prefix + machine.fields[slot].id + separator + text)
        }
        return Array(Set(out)).sorted()
    }

    /// ``keys(_:fields:)`` joined by ``keySeparator``: the form a store keeps in one column (and
    /// compares to see whether they changed); nil when there is none.
    public static func key(_ machine: Machine, fields: [ExprValue?]) -> String? {
        let keys = keys(machine, fields: fields)
        return keys.isEmpty ? nil : keys.joined(separator: keySeparator)
    }

    /// ``key(_:fields:)`` of a snapshot.
    public static func key(_ machine: Machine, _ snapshot: DealSnapshot) -> String? {
        key(machine, fields: snapshot.fields)
    }

    /// Applies the normalisations, in order: `fullwidth_to_halfwidth`, `trim`, `collapse_spaces`,
    /// `lowercase`, `strip_legal_suffix` (unknown names are ignored).
    /// Format characters (U+200B, U+FEFF, bidi marks) are removed first, whatever the steps: a
    /// name pasted with one looks like the name without it and must match it (QA round 21: a
    /// zero-width space made a second open deal for one customer).
    public static func normalize(_ text: String, _ steps: [String]) -> String {
        var out = withoutFormatCharacters(text.replacingControlCharacters)
        for step in steps {
            switch step {
            case "fullwidth_to_halfwidth": out = halfwidth(out)
            case "trim": out = out.trimmingWhitespace
            case "collapse_spaces": out = collapseSpaces(out)
            case "lowercase": out = out.lowercased()
            case "strip_legal_suffix": out = stripLegalSuffix(out)
            default: continue
            }
        }
        return out
    }

    /// The text without Unicode format characters (general category Cf).
    static func withoutFormatCharacters(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { $0.properties.generalCategory == .format }) else { return text }
        return String(String.UnicodeScalarView(text.unicodeScalars.filter { $0.properties.generalCategory != .format }))
    }

    /// Full-width ASCII variants (U+FF01–U+FF5E) to ASCII, the ideographic space to a space.
    static func halfwidth(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for u in text.unicodeScalars {
            if u.value == 0x3000 {
                scalars.append(" ")
            } else if (0xFF01...0xFF5E).contains(u.value), let ascii = Unicode.Scalar(u.value - 0xFEE0) {
                scalars.append(ascii)
            } else {
                scalars.append(u)
            }
        }
        return String(scalars)
    }

    static func collapseSpaces(_ text: String) -> String {
        var out = ""
        var inSpace = false
        for c in text {
            if c.isWhitespace {
                if !inSpace { out.append(" ") }
                inSpace = true
            } else {
                out.append(c)
                inSpace = false
            }
        }
        return out
    }

    /// Removes legal-form suffixes (and the spaces and commas before them) until none is left;
    /// a name that is nothing but a suffix is kept.
    static func stripLegalSuffix(_ text: String) -> String {
        var out = text
        var changed = true
        while changed {
            changed = false
            let lower = out.lowercased()
            guard let last = lower.unicodeScalars.last, let candidates = legalSuffixesByLastScalar[last] else { break }
            if candidates.contains(lower) { break }
            for suffix in candidates where lower.hasSuffix(suffix) && lower.count > suffix.count {
                // Only at a word boundary for Latin suffixes (`Teflon Inc` but not `Zinc`).
                let head = String(out.dropLast(suffix.count))
                if suffix.first.map({ $0.isASCII && $0.isLetter }) ?? false, let last = head.last, last.isLetter || last.isNumber, last.isASCII {
                    continue
                }
                var trimmed = head
                while let last = trimmed.last, last.isWhitespace || last == "," || last == "，" { trimmed.removeLast() }
                guard !trimmed.isEmpty else { continue }
                out = trimmed
                changed = true
                break
            }
        }
        return out
    }
}

extension String {
    /// Control characters as spaces (identity values come from user input).
    var replacingControlCharacters: String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }
}
