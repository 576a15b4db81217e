/// Collects diagnostics from every phase, then sorts, de-duplicates and caps them.
///
/// Rules never stop at the first problem: they report every independent one here.
public struct DiagnosticBag: Sendable {
    public private(set) var items: [Diagnostic] = []

    public init() {}

    public mutating func add(_ d: Diagnostic) { items.append(d) }
    public mutating func add(contentsOf ds: some Sequence<Diagnostic>) { items.append(contentsOf: ds) }

    public var hasErrors: Bool { items.contains { $0.severity == .error } }
    public var isEmpty: Bool { items.isEmpty }

    /// What makes two diagnostics one problem said twice: the same code, place, help and fix-its.
    struct Sameness: Hashable {
        var code: DiagnosticCode
        var path: String
        var start: Int
        var end: Int
        var help: Message?
        var fixIts: [FixIt]
    }

    /// The diagnostics sorted by file, position and code, exact duplicates removed. A diagnostic
    /// with the code, span, help and fix-its (some) of an earlier one (a node read twice, through
    /// an alias) is said once, with the other's message as a note (QA round 35, A5: two errors
    /// with two equal fix-its, which a tool would apply twice).
    public func sorted() -> [Diagnostic] {
        var seen = Set<Diagnostic>()
        var same: [Sameness: Int] = [:]
        var unique: [Diagnostic] = []
        unique.reserveCapacity(items.count)
        for d in items where seen.insert(d).inserted {
            // Only with fix-its: two problems at one place with one help and no edit may be two
            // (a node missing two keys; review of the session).
            if let span = d.span, !d.fixIts.isEmpty {
                let key = Sameness(code: d.code, path: d.path, start: span.start, end: span.end, help: d.help, fixIts: d.fixIts)
                if let k = same[key] {
                    if unique[k].message != d.message { unique[k].notes.append(Message("also: {0}", [d.message.text])) }
                    continue
                }
                same[key] = unique.count
            }
            unique.append(d)
        }
        return unique.sorted { a, b in
            if a.path != b.path { return a.path < b.path }
            let sa = a.span?.start ?? -1
            let sb = b.span?.start ?? -1
            if sa != sb { return sa < sb }
            if a.code != b.code { return a.code < b.code }
            let ea = a.span?.end ?? -1
            let eb = b.span?.end ?? -1
            if ea != eb { return ea < eb }
            return a.message.text < b.message.text
        }
    }
}

/// Sorted diagnostics cut to a limit, with the count of those left out.
public struct CappedDiagnostics: Sendable {
    public var shown: [Diagnostic]
    public var omitted: Int

    /// - Parameters:
    ///   - all: sorted diagnostics.
    ///   - limit: how many to keep at most; errors are kept before warnings.
    public init(_ all: [Diagnostic], limit: Int) {
        if all.count <= limit {
            shown = all
            omitted = 0
            return
        }
        // Keep the first `limit` by severity rank, then restore source order.
        let indexed = all.enumerated().sorted { a, b in
            a.element.severity != b.element.severity ? a.element.severity < b.element.severity : a.offset < b.offset
        }
        let kept = indexed.prefix(max(0, limit)).map(\.offset).sorted()
        shown = kept.map { all[$0] }
        omitted = all.count - shown.count
    }
}
