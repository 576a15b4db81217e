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

    /// The diagnostics sorted by file, position and code, exact duplicates removed.
    public func sorted() -> [Diagnostic] {
        var seen = Set<Diagnostic>()
        var unique: [Diagnostic] = []
        unique.reserveCapacity(items.count)
        for d in items where seen.insert(d).inserted { unique.append(d) }
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
