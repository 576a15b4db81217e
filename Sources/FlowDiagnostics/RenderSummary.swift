/// How many diagnostics of each severity a run produced, for the closing summary line.
///
/// Count the full list, before `CappedDiagnostics` cuts it, so the summary tells the truth about
/// the diagnostics that were not shown.
public struct DiagnosticCounts: Sendable, Hashable {
    public var errors: Int
    public var warnings: Int
    public var notes: Int

    public init(errors: Int = 0, warnings: Int = 0, notes: Int = 0) {
        self.errors = errors
        self.warnings = warnings
        self.notes = notes
    }

    /// Counts `diagnostics` by severity.
    public init(counting diagnostics: some Sequence<Diagnostic>) {
        self.init()
        for d in diagnostics { add(d.severity) }
    }

    public mutating func add(_ severity: Severity) {
        switch severity {
        case .error: errors += 1
        case .warning: warnings += 1
        case .note: notes += 1
        }
    }

    public var total: Int { errors + warnings + notes }

    /// `2 errors, 1 warning`; severities with no diagnostic are left out, and an empty run says
    /// `no errors or warnings`.
    public var summaryLine: String {
        var parts: [String] = []
        if errors > 0 { parts.append(RenderText.counted(errors, "error", "errors")) }
        if warnings > 0 { parts.append(RenderText.counted(warnings, "warning", "warnings")) }
        if notes > 0 { parts.append(RenderText.counted(notes, "note", "notes")) }
        return parts.isEmpty ? "no errors or warnings" : parts.joined(separator: ", ")
    }

    /// The line that says what a cap left out: `3 more errors not shown`, or
    /// `1 more error and 2 more warnings not shown`; nil when nothing was left out.
    ///
    /// - Parameters:
    ///   - shown: the diagnostics that were printed.
    ///   - omitted: how many were left out (`CappedDiagnostics.omitted`).
    ///   - total: the counts of every diagnostic, shown or not, when known.
    static func omittedLine(shown: [Diagnostic], omitted: Int, total: DiagnosticCounts?) -> String? {
        guard omitted > 0 else { return nil }
        if let total {
            let seen = DiagnosticCounts(counting: shown)
            let left = DiagnosticCounts(
                errors: max(0, total.errors - seen.errors),
                warnings: max(0, total.warnings - seen.warnings),
                notes: max(0, total.notes - seen.notes)
            )
            // Counts from another list than the one capped would not add up; fall through then.
            if left.total == omitted {
                var parts: [String] = []
                if left.errors > 0 { parts.append(RenderText.counted(left.errors, "more error", "more errors")) }
                if left.warnings > 0 { parts.append(RenderText.counted(left.warnings, "more warning", "more warnings")) }
                if left.notes > 0 { parts.append(RenderText.counted(left.notes, "more note", "more notes")) }
                return joinedWithAnd(parts) + " not shown"
            }
        }
        // Without counts the severities of what was left out are unknown.
        return RenderText.counted(omitted, "more diagnostic", "more diagnostics") + " not shown"
    }

    private static func joinedWithAnd(_ parts: [String]) -> String {
        switch parts.count {
        case 0: return ""
        case 1: return parts[0]
        default: return parts.dropLast().joined(separator: ", ") + " and " + parts[parts.count - 1]
        }
    }
}
