public import FlowDiagnostics

/// A problem found in an expression, positioned by UTF-8 byte offsets within the expression text.
///
/// The caller that took the expression out of a YAML scalar maps `range` (and the label ranges)
/// into the file, e.g. with ``diagnostic(mapping:)``.
public struct ExprDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// The catalogue entry (code, severity, format); one of ``ExprMessages``.
    public var spec: MessageSpec
    /// The primary byte range within the expression text.
    public var range: Range<Int>
    /// The values for the placeholders of `spec.format`.
    public var arguments: [String]
    /// An optional help line, e.g. a "did you mean".
    public var help: Message?
    /// Extra notes.
    public var notes: [Message]
    /// Labelled secondary ranges within the expression text (e.g. the types of two operands).
    public var labels: [ExprLabel]

    /// - Parameters:
    ///   - spec: the catalogue entry, one of ``ExprMessages``.
    ///   - range: the primary byte range within the expression text.
    ///   - arguments: the values for the format's placeholders.
    ///   - help: an optional help line.
    ///   - notes: extra notes.
    ///   - labels: labelled secondary ranges.
    public init(
        _ spec: MessageSpec, at range: Range<Int>, _ arguments: [String] = [],
        help: Message? = nil, notes: [Message] = [], labels: [ExprLabel] = []
    ) {
        self.spec = spec
        self.range = range
        self.arguments = arguments
        self.help = help
        self.notes = notes
        self.labels = labels
    }

    /// The stable code, e.g. `FC0415`.
    public var code: DiagnosticCode { spec.code }
    /// The default severity of the catalogue entry.
    public var severity: Severity { spec.severity }
    /// The message: the catalogue format with its arguments.
    public var message: Message { Message(spec.format, arguments) }

    /// `[start..<end] FC0415: unknown field `qoute`` — for tests and debugging.
    public var description: String {
        "[\(range.lowerBound)..<\(range.upperBound)] \(code): \(message.text)"
    }

    /// Converts to a file diagnostic.
    ///
    /// - Parameter mapping: maps a byte range of the expression text to a span in the source file.
    ///   For an expression stored verbatim at byte `base` of a file, that is
    ///   `{ SourceSpan(file: file, start: base + $0.lowerBound, end: base + $0.upperBound) }`.
    public func diagnostic(mapping: (Range<Int>) -> SourceSpan) -> Diagnostic {
        var d = Diagnostic(spec: spec, span: mapping(range), arguments: arguments)
        d.help = help
        d.notes = notes
        d.labels = labels.map { DiagnosticLabel(span: mapping($0.range), message: $0.message) }
        return d
    }
}

/// A labelled secondary range of an ``ExprDiagnostic``.
public struct ExprLabel: Sendable, Hashable {
    /// The byte range within the expression text.
    public var range: Range<Int>
    /// What the label says about it.
    public var message: Message

    public init(range: Range<Int>, message: Message) {
        self.range = range
        self.message = message
    }
}
