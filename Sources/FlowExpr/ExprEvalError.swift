public import FlowDiagnostics

/// Why an evaluation stopped: a code from ``ExprMessages`` (FC0419–FC0435), the byte range of the
/// node where it happened, and the message arguments.
public struct ExprEvalError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The catalogue entry, one of ``ExprMessages``.
    public let spec: MessageSpec
    /// The node's byte range within the expression text.
    public let range: Range<Int>
    /// The values for the format's placeholders.
    public let arguments: [String]

    init(_ spec: MessageSpec, _ range: Range<Int>, _ arguments: [String]) {
        self.spec = spec
        self.range = range
        self.arguments = arguments
    }

    /// The stable code, e.g. `FC0432`.
    public var code: DiagnosticCode { spec.code }
    /// The message: the catalogue format with its arguments.
    public var message: Message { Message(spec.format, arguments) }

    /// The same problem as a diagnostic, for hosts that report evaluation failures like compile
    /// errors.
    public var diagnostic: ExprDiagnostic { ExprDiagnostic(spec, at: range, arguments) }

    /// `[start..<end] FC0432: message`, for tests and logs.
    public var description: String { "[\(range.lowerBound)..<\(range.upperBound)] \(code): \(message.text)" }
}
