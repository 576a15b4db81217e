/// Why the runner refused an event. A refused event changes nothing: the host keeps its snapshot,
/// appends nothing to the log and emits no effect.
///
/// Code decides control flow and tests (`refusal.code == RuntimeMessages.nodeNotActive.code`);
/// the message is the catalogue format filled with the arguments, kept apart for translation.
public struct Refusal: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The stable code, `FC11xx`.
    public let code: String
    /// The catalogue's format (`{0}`-style placeholders).
    public let format: String
    /// The values for the format's placeholders.
    public let arguments: [String]

    init(_ spec: RuntimeMessageSpec, _ arguments: String...) {
        self.code = spec.code
        self.format = spec.format
        self.arguments = arguments
    }

    init(_ spec: RuntimeMessageSpec, arguments: [String]) {
        self.code = spec.code
        self.format = spec.format
        self.arguments = arguments
    }

    /// The catalogue entry of this refusal (nil only for a refusal decoded from a newer runner).
    public var spec: RuntimeMessageSpec? { RuntimeMessages.refusal(code: code) }

    /// Whether this refusal has the code of `spec`.
    public func `is`(_ spec: RuntimeMessageSpec) -> Bool { code == spec.code }

    /// The message in the catalogue's language.
    public var message: String { RuntimeMessages.fill(format, arguments) }

    /// `refused[FC1121]: node `quotation` is pending, not active`.
    public var description: String { "refused[\(code)]: \(message)" }
}
