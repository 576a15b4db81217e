/// The `# flowc-ignore` comments of one file, and their effect on its diagnostics.
///
/// A YAML comment `# flowc-ignore FC0501` (or `# flowc-ignore: FC0501, FC0603`, codes separated by
/// commas or spaces, optionally followed by `-- reason`) suppresses warnings with those codes whose
/// primary span starts on the comment's line:
///
/// ```yaml
/// next: legacy_review  # flowc-ignore FC0503 -- kept until the Q3 migration
/// ```
///
/// - Errors cannot be suppressed: they are kept, and FC0004 says so at the code in the comment.
/// - A name that is not a code gives FC0003; a comment with no code gives FC0006.
/// - A code that suppressed nothing gives FC0005, so stale comments do not pile up.
///
/// Comments are found as YAML defines them, with a line-by-line approximation that is enough for
/// templates: a `#` at the start of a line or after a space or tab, outside single- and
/// double-quoted scalars (which may span lines) and outside block scalars (`|`, `>`).
///
/// - Important: Apply suppressions before promoting warnings to errors (`--warnings-as-errors`),
///   or no warning can be suppressed.
public struct Suppressions: Sendable {
    /// One code named in one comment.
    public struct Entry: Sendable, Hashable {
        /// The 1-based line the comment is on, whose diagnostics it suppresses.
        public var line: Int
        public var code: DiagnosticCode
        /// The code as written in the comment; FC0004 and FC0005 point here.
        public var span: SourceSpan
    }

    /// The file the comments were read from.
    public let file: SourceFile
    /// Every code named in a `flowc-ignore` comment, in file order.
    public let entries: [Entry]
    /// Problems found in the comments themselves (FC0003, FC0006); `apply` reports them too.
    public let scanProblems: [Diagnostic]

    /// Reads the `flowc-ignore` comments of a file.
    public static func scan(_ file: SourceFile) -> Suppressions {
        // Most files have no directive at all: then there is nothing to find, and the line-by-line
        // scan (which has to track quoted and block scalars) can be skipped.
        guard CommentScanner.mayHaveDirective(file.bytes) else {
            return Suppressions(file: file, entries: [], scanProblems: [])
        }
        var scanner = CommentScanner(file: file)
        scanner.run()
        return Suppressions(file: file, entries: scanner.entries, scanProblems: scanner.problems)
    }

    /// Removes the suppressed warnings from `diagnostics`.
    ///
    /// Diagnostics of other files, and those without a span, are kept untouched.
    ///
    /// - Returns: `kept`, the diagnostics that remain, in their order; `problems`, the driver
    ///   diagnostics about the comments (FC0003, FC0004, FC0005, FC0006), in file order.
    ///
    /// A suppression that matched nothing is reported (FC0005) only when `judged` says its code
    /// could have been found by the check that made `diagnostics`.
    public func apply(to diagnostics: [Diagnostic], judged: (DiagnosticCode) -> Bool = { _ in true })
        -> (kept: [Diagnostic], problems: [Diagnostic])
    {
        var byLine: [Int: [Int]] = [:]
        for (i, entry) in entries.enumerated() { byLine[entry.line, default: []].append(i) }
        var used = Array(repeating: false, count: entries.count)
        var problems = scanProblems
        var kept: [Diagnostic] = []
        kept.reserveCapacity(diagnostics.count)

        for d in diagnostics {
            guard let span = d.span, span.file.path == file.path,
                  let candidates = byLine[span.file.line(of: span.start)] else {
                kept.append(d)
                continue
            }
            let matching = candidates.filter { entries[$0].code == d.code }
            if matching.isEmpty {
                kept.append(d)
                continue
            }
            if d.severity == .error {
                kept.append(d)
                for i in matching where !used[i] {
                    let entry = entries[i]
                    problems.append(
                        DriverMessages.errorNotSuppressible.at(entry.span, entry.code.description)
                            .label(span, DriverMessages.errorReportedHere)
                    )
                }
            }
            for i in matching { used[i] = true }
        }
        for (i, entry) in entries.enumerated() where !used[i] && judged(entry.code) {
            problems.append(DriverMessages.unusedSuppression.at(entry.span, entry.code.description))
        }
        problems.sort { a, b in
            let sa = a.span?.start ?? -1
            let sb = b.span?.start ?? -1
            return sa != sb ? sa < sb : a.code < b.code
        }
        return (kept, problems)
    }
}

/// Finds comments line by line, carrying quoted and block scalars from one line to the next.
private struct CommentScanner {
    let file: SourceFile
    var entries: [Suppressions.Entry] = []
    var problems: [Diagnostic] = []
    /// The quote character of a quoted scalar still open at the end of the previous line.
    private var openQuote: UInt8?
    /// While inside a block scalar: the indentation of the line that introduced it.
    private var blockParentIndent: Int?

    private static let space = UInt8(ascii: " ")
    private static let tab = UInt8(ascii: "\t")
    private static let hash = UInt8(ascii: "#")
    private static let doubleQuote = UInt8(ascii: "\"")
    private static let singleQuote = UInt8(ascii: "'")
    private static let backslash = UInt8(ascii: "\\")

    init(file: SourceFile) { self.file = file }

    mutating func run() {
        for line in 1...max(1, file.lineStarts.count) { scanLine(line) }
    }

    private func isBlank(_ b: UInt8) -> Bool { b == Self.space || b == Self.tab }

    private mutating func scanLine(_ line: Int) {
        let bytes = file.bytes
        let range = file.lineRange(line)
        let indent = range.prefix { bytes[$0] == Self.space }.count
        let firstContent = range.first { !isBlank(bytes[$0]) }

        if let parent = blockParentIndent, openQuote == nil {
            // Blank lines and lines indented deeper than the introducing line are block content.
            guard let first = firstContent, indent <= parent, first - range.lowerBound <= parent else { return }
            blockParentIndent = nil
        }

        var commentStart: Int?
        var i = range.lowerBound
        while i < range.upperBound {
            let b = bytes[i]
            if let quote = openQuote {
                if quote == Self.doubleQuote, b == Self.backslash {
                    i += 2
                    continue
                }
                if b == quote {
                    if quote == Self.singleQuote, i + 1 < range.upperBound, bytes[i + 1] == Self.singleQuote {
                        i += 2 // `''` is an escaped quote inside a single-quoted scalar.
                        continue
                    }
                    openQuote = nil
                }
            } else if b == Self.hash, i == range.lowerBound || isBlank(bytes[i - 1]) {
                commentStart = i
                break
            } else if b == Self.doubleQuote || b == Self.singleQuote, quoteOpensScalar(at: i, lineStart: range.lowerBound) {
                openQuote = b
            }
            i += 1
        }

        let contentEnd = commentStart ?? range.upperBound
        if openQuote == nil, introducesBlockScalar(range.lowerBound..<contentEnd) {
            blockParentIndent = indent
        }
        if let commentStart { parseComment(line: line, from: commentStart + 1, to: range.upperBound) }
    }

    /// A quote starts a quoted scalar only where a scalar can start: first on the line, or after
    /// `: `, `- `, `? `, `[`, `{` or `,`. Elsewhere (`it's`) it is part of a plain scalar.
    private func quoteOpensScalar(at i: Int, lineStart: Int) -> Bool {
        let bytes = file.bytes
        var j = i - 1
        while j >= lineStart, isBlank(bytes[j]) { j -= 1 }
        guard j >= lineStart else { return true }
        let spaced = j < i - 1
        switch bytes[j] {
        case UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: ","): return true
        case UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "?"): return spaced
        default: return false
        }
    }

    /// Whether the line's content ends with a block scalar indicator: `|`, `>`, with optional
    /// chomping and indentation indicators (`|-`, `>+`, `|2`), after a space or alone.
    private func introducesBlockScalar(_ content: Range<Int>) -> Bool {
        let bytes = file.bytes
        var end = content.upperBound
        while end > content.lowerBound, isBlank(bytes[end - 1]) { end -= 1 }
        var start = end
        while start > content.lowerBound, !isBlank(bytes[start - 1]) { start -= 1 }
        guard start < end, end - start <= 3 else { return false }
        let word = bytes[start..<end]
        guard let first = word.first, first == UInt8(ascii: "|") || first == UInt8(ascii: ">") else { return false }
        return word.dropFirst().allSatisfy {
            $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") || (UInt8(ascii: "1")...UInt8(ascii: "9")).contains($0)
        }
    }

    private static let keyword = Array("flowc-ignore".utf8)

    /// Whether some `#` is followed, after blanks, by the keyword: every directive is, so when none
    /// is, the file has no directive (and no problem in one).
    static func mayHaveDirective(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            let n = raw.count
            var i = 0
            while true {
                i = ByteScan.firstIndex(of: hash, in: raw, from: i)
                guard i < n else { return false }
                i += 1
                var j = i
                while j < n, raw[j] == space || raw[j] == tab { j += 1 }
                if n - j >= keyword.count, raw[j..<(j + keyword.count)].elementsEqual(keyword) { return true }
            }
        }
    }

    /// Parses `flowc-ignore[:] CODE[, CODE]... [-- reason]` in the comment `from..<to` (after `#`).
    private mutating func parseComment(line: Int, from: Int, to: Int) {
        let bytes = file.bytes
        var i = from
        while i < to, isBlank(bytes[i]) { i += 1 }
        let keywordStart = i
        guard to - i >= Self.keyword.count, bytes[i..<(i + Self.keyword.count)].elementsEqual(Self.keyword) else { return }
        i += Self.keyword.count
        // `flowc-ignored`, `flowc-ignore-next-line`: another word, not this directive.
        if i < to, !isBlank(bytes[i]), bytes[i] != UInt8(ascii: ":") { return }
        let keywordSpan = SourceSpan(file: file, start: keywordStart, end: i)
        if i < to, bytes[i] == UInt8(ascii: ":") { i += 1 }

        var named = 0
        while i < to {
            while i < to, isBlank(bytes[i]) || bytes[i] == UInt8(ascii: ",") { i += 1 }
            guard i < to else { break }
            let start = i
            while i < to, !isBlank(bytes[i]), bytes[i] != UInt8(ascii: ",") { i += 1 }
            let token = bytes[start..<i]
            if token.elementsEqual("--".utf8) { break }
            named += 1
            let span = SourceSpan(file: file, start: start, end: i)
            if let code = Self.code(token) {
                entries.append(Suppressions.Entry(line: line, code: code, span: span))
            } else {
                problems.append(DriverMessages.notACode.at(span, file.text(span.range)))
            }
        }
        if named == 0 { problems.append(DriverMessages.emptySuppression.at(keywordSpan)) }
    }

    /// `FC` and exactly four ASCII digits, either case.
    private static func code(_ token: ArraySlice<UInt8>) -> DiagnosticCode? {
        guard token.count == 6 else { return nil }
        let digits = token.dropFirst(2)
        guard digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return DiagnosticCode(parsing: String(decoding: token, as: UTF8.self))
    }
}
