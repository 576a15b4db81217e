/// A stable diagnostic code: `FC` followed by four digits, grouped by phase.
///
/// | range  | phase |
/// |--------|-------|
/// | FC00xx | driver: files, suppressions |
/// | FC01xx | YAML reader |
/// | FC02xx | template structure: keys, scalar types |
/// | FC03xx | names, references, reuse |
/// | FC04xx | expressions |
/// | FC05xx | flow graph |
/// | FC06xx | timers |
/// | FC07xx | pools and effects |
public struct DiagnosticCode: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let number: Int

    public init(_ number: Int) { self.number = number }

    /// Parses `FC0101` (case-insensitive); nil for anything else.
    public init?(parsing text: some StringProtocol) {
        let t = text.uppercased()
        guard t.count == 6, t.hasPrefix("FC"), let n = Int(t.dropFirst(2)), n >= 0 else { return nil }
        self.number = n
    }

    public var description: String {
        let digits = String(number)
        return "FC" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    public static func < (a: Self, b: Self) -> Bool { a.number < b.number }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        let s = try c.decode(String.self)
        guard let code = DiagnosticCode(parsing: s) else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "not a diagnostic code: \(s)")
        }
        self = code
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// How serious a diagnostic is. Errors make `flowc check` fail; warnings do not unless asked.
public enum Severity: String, Sendable, Hashable, Codable, Comparable {
    case error, warning, note

    private var rank: Int {
        switch self {
        case .error: 0
        case .warning: 1
        case .note: 2
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
}

/// One entry of a phase's message catalogue: the code, its default severity, the message format
/// with `{0}`, `{1}`… placeholders, and the long explanation printed by `flowc explain`.
///
/// Formats and arguments are kept apart so that the catalogue can be translated.
public struct MessageSpec: Sendable, Hashable {
    public let code: DiagnosticCode
    public let severity: Severity
    /// A short name for the rule (used as the SARIF rule name), e.g. `duplicate-key`.
    public let name: String
    public let format: String
    public let explanation: String

    public init(_ number: Int, _ severity: Severity, _ name: String, _ format: String, explanation: String) {
        self.code = DiagnosticCode(number)
        self.severity = severity
        self.name = name
        self.format = format
        self.explanation = explanation
    }

    /// Builds a diagnostic from this entry.
    public func at(_ span: SourceSpan, _ arguments: String...) -> Diagnostic {
        Diagnostic(spec: self, span: span, arguments: arguments)
    }

    /// Builds a diagnostic that has a file but no position inside it (e.g. the file cannot be read).
    public func inFile(_ path: String, _ arguments: String...) -> Diagnostic {
        Diagnostic(spec: self, path: path, arguments: arguments)
    }
}

/// A formatted piece of text: a format with placeholders plus its arguments.
public struct Message: Sendable, Hashable {
    public var format: String
    public var arguments: [String]

    public init(_ format: String, _ arguments: [String] = []) {
        self.format = format
        self.arguments = arguments
    }

    /// The text with `{n}` replaced by argument n.
    public var text: String {
        if arguments.isEmpty { return format }
        let arguments = self.arguments
        return Message.replacingPlaceholders(in: format) { n in n >= 0 && n < arguments.count ? arguments[n] : nil }
    }

    /// `format` with each `{n}` (n an integer) replaced by `replacement(n)`; where that is nil,
    /// and for every other brace, the text is kept as written. The one reader of placeholders,
    /// for filling a message, showing its shape and renumbering its arguments.
    public static func replacingPlaceholders(in format: String, _ replacement: (Int) -> String?) -> String {
        var out = ""
        var chars = format[...]
        while let open = chars.firstIndex(of: "{") {
            out += chars[..<open]
            let rest = chars[chars.index(after: open)...]
            if let close = rest.firstIndex(of: "}"), let n = Int(rest[..<close]), let value = replacement(n) {
                out += value
                chars = rest[rest.index(after: close)...]
            } else {
                out += "{"
                chars = rest
            }
        }
        out += chars
        return out
    }
}

/// A secondary span with a label, e.g. "first defined here".
public struct DiagnosticLabel: Sendable, Hashable {
    public var span: SourceSpan
    public var message: Message
    public init(span: SourceSpan, message: Message) {
        self.span = span
        self.message = message
    }
}

/// A suggested edit: replace the text of `span` with `replacement`.
public struct FixIt: Sendable, Hashable {
    public var span: SourceSpan
    public var replacement: String
    public init(span: SourceSpan, replacement: String) {
        self.span = span
        self.replacement = replacement
    }
}

/// A problem found in a template: stable code, severity, primary span, message, and optional
/// labelled secondary spans, notes, help and fix-its. Code decides control flow; text never does.
public struct Diagnostic: Sendable, Hashable {
    public var code: DiagnosticCode
    public var severity: Severity
    public var ruleName: String
    public var message: Message
    /// The primary span; nil only for whole-file problems (unreadable file).
    public var span: SourceSpan?
    /// The file path (always set; equals `span.file.path` when there is a span).
    public var path: String
    public var labels: [DiagnosticLabel] = []
    public var notes: [Message] = []
    public var help: Message?
    public var fixIts: [FixIt] = []

    public init(spec: MessageSpec, span: SourceSpan, arguments: [String]) {
        self.code = spec.code
        self.severity = spec.severity
        self.ruleName = spec.name
        self.message = Message(spec.format, arguments)
        self.span = span
        self.path = span.file.path
    }

    public init(spec: MessageSpec, path: String, arguments: [String]) {
        self.code = spec.code
        self.severity = spec.severity
        self.ruleName = spec.name
        self.message = Message(spec.format, arguments)
        self.span = nil
        self.path = path
    }

    /// Adds a labelled secondary span.
    public func label(_ span: SourceSpan, _ format: String, _ arguments: String...) -> Diagnostic {
        var d = self
        d.labels.append(DiagnosticLabel(span: span, message: Message(format, arguments)))
        return d
    }

    /// Adds a note.
    public func note(_ format: String, _ arguments: String...) -> Diagnostic {
        var d = self
        d.notes.append(Message(format, arguments))
        return d
    }

    /// Sets the help line.
    public func help(_ format: String, _ arguments: String...) -> Diagnostic {
        var d = self
        d.help = Message(format, arguments)
        return d
    }

    /// Adds a fix-it. A span that starts with a YAML anchor (`&r account_exe`) is the value's
    /// after it: the fix replaces the value and keeps the anchor its aliases refer to (QA round
    /// 36, C5: the fix removed it, and every `*r` referred to no anchor). Node spans keep their
    /// anchors, since the compiled machine's source table, which its hash covers, records them.
    public func fix(_ span: SourceSpan, _ replacement: String) -> Diagnostic {
        var d = self
        d.fixIts.append(FixIt(span: span.afterYAMLAnchor, replacement: replacement))
        return d
    }

    /// Overrides the severity (e.g. `--warnings-as-errors`).
    public func with(severity: Severity) -> Diagnostic {
        var d = self
        d.severity = severity
        return d
    }

    /// The 1-based location of the primary span's start, if any.
    public var location: SourceLocation? { span.map { $0.file.location(of: $0.start) } }
}
