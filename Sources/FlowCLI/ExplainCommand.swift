import ArgumentParser
import FlowCheck
import FlowDiagnostics
import FlowHost
import FlowIR
import FlowRuntime
import FlowViews

/// `flowc explain FCxxxx`: the long explanation of a diagnostic code.
struct ExplainCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain a diagnostic code, with a wrong and a right example where it has them.",
        discussion: """
            Without a code, lists every code with its severity, name and one-line meaning: its \
            message (`…` where the message names something), or the first sentence of its \
            explanation when the message is all detail.
            """
    )

    @Argument(help: "A diagnostic code such as FC0302.")
    var code: String?

    func execute(_ context: CLIContext) -> Int32 {
        guard let code else {
            context.write(ExplainCommand.list())
            return ExitCode.clean
        }
        // `302` or `0302` for FC0302, as a scenario's `refused: 1115` is read (QA round 22).
        let digits = code.count <= 4 && !code.isEmpty && code.allSatisfy { $0.isASCII && $0.isNumber }
        guard let parsed = DiagnosticCode(parsing: digits ? "FC" + String(repeating: "0", count: 4 - code.count) + code : code) else {
            context.writeError("error: `\(code)` is not a diagnostic code; codes look like FC0302\n")
            return ExitCode.usage
        }
        if DiagnosticCatalogue.spec(for: parsed) == nil, let run = ExplainCommand.runCodes.first(where: { $0.code == parsed.description }) {
            context.write("\(run.code): \(run.name) (error)\nmessage: \(run.format)\n\n\(run.explanation)\n\n")
            return ExitCode.clean
        }
        guard let spec = DiagnosticCatalogue.spec(for: parsed) else {
            // A code flowc no longer gives is said to be one, with the code that took its place.
            if let now = Self.retired[parsed.description] {
                context.writeError("error: \(parsed) is no longer used: \(now)\n")
                return ExitCode.usage
            }
            var message = "error: there is no diagnostic \(parsed)"
            let all = DiagnosticCatalogue.all.map(\.code.description) + ExplainCommand.runCodes.map(\.code)
            if let guess = Suggestions.closest(to: parsed.description, in: all) {
                message += "; did you mean \(guess)?"
            }
            context.writeError(message + "\n")
            return ExitCode.usage
        }
        context.write(ExplainCommand.text(spec))
        return ExitCode.clean
    }

    /// Codes flowc gave once, and what says the same now (QA round 30, N9: `explain FC1415`
    /// suggested FC0415, an unrelated code).
    static let retired: [String: String] = [
        "FC1402": "a picture that cannot be written is FC0008, as every file flowc cannot write (`flowc explain FC0008`)",
        "FC1403": "a missing store is FC1215 on every command (`flowc explain FC1215`)",
        "FC1415": "a missing store is FC1215 on every command (`flowc explain FC1215`)",
        "FC1416": "a store that fails is FC1212 on every command (`flowc explain FC1212`)",
    ]

    /// The machine loader's codes (FC10xx), the runner's refusals (FC11xx), the host's codes
    /// (FC12xx), the scenario codes (FC13xx) and the views' (FC14xx), from their own catalogues.
    static let runCodes: [(code: String, name: String, format: String, explanation: String)] =
        IRMessages.all.map { ($0.code.description, $0.name, $0.format, $0.explanation) }
        + RuntimeMessages.refusals.map { ($0.code, $0.name, $0.format, $0.explanation) }
        + HostMessages.all.map { ($0.code, $0.name, $0.format, $0.explanation) }
        + MigrationMessages.all.map { ($0.code, $0.name, $0.format, $0.explanation) }
        + ScenarioMessages.all.map { ($0.code.description, $0.name, $0.format, $0.explanation) }
        + GraphMessages.all.map { ($0.code.description, $0.name, $0.format, $0.explanation) }
        + ViewMessages.all.map { ($0.code.description, $0.name, $0.format, $0.explanation) }

    /// Every code, one a line: code, severity, name and one-line meaning, in columns.
    static func list() -> String {
        let rows = DiagnosticCatalogue.all.map { ($0.code.description, $0.severity.rawValue, $0.name, meaning($0.format, $0.explanation)) }
            + runCodes.map { ($0.code, "error", $0.name, meaning($0.format, $0.explanation)) }
        let width = rows.map(\.2.count).max() ?? 0
        return rows.map { "\($0.0)  \($0.1.padding(7))  \($0.2.padding(width))  \($0.3)\n" }.joined()
    }

    /// A code's one-line meaning: its message format with each `{n}` shown as `…`; when the
    /// format is nothing but placeholders (`{0}`: libyaml's text, a loader's detail), the first
    /// sentence of the explanation, cut to about a line.
    static func meaning(_ format: String, _ explanation: String) -> String {
        let shown = Message.replacingPlaceholders(in: format) { _ in "…" }
        if shown.contains(where: \.isLetter) { return shown }
        let flat = explanation.replacingOccurrences(of: "\n", with: " ")
        var sentence = flat.range(of: ". ").map { String(flat[..<$0.lowerBound]) } ?? flat
        if sentence.count > 90 {
            let cut = sentence.prefix(88)
            sentence = String(cut[..<(cut.lastIndex(of: " ") ?? cut.endIndex)]) + " …"
        }
        return sentence
    }

    static func text(_ spec: MessageSpec) -> String {
        """
        \(spec.code): \(spec.name) (\(spec.severity.rawValue))
        message: \(spec.format)

        \(spec.explanation)

        """
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
