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
        abstract: "Explain a diagnostic code, with examples.",
        discussion: "Without a code, lists every code with its one-line meaning."
    )

    @Argument(help: "A diagnostic code such as FC0302.")
    var code: String?

    func execute(_ context: CLIContext) -> Int32 {
        guard let code else {
            for spec in DiagnosticCatalogue.all {
                context.write("\(spec.code)  \(spec.severity.rawValue.padding(7))  \(spec.name)\n")
            }
            for (code, name, _, _) in ExplainCommand.runCodes { context.write("\(code)  \("error".padding(7))  \(name)\n") }
            return ExitCode.clean
        }
        guard let parsed = DiagnosticCode(parsing: code) else {
            context.writeError("error: `\(code)` is not a diagnostic code; codes look like FC0302\n")
            return ExitCode.usage
        }
        if DiagnosticCatalogue.spec(for: parsed) == nil, let run = ExplainCommand.runCodes.first(where: { $0.code == parsed.description }) {
            context.write("\(run.code): \(run.name) (error)\nmessage: \(run.format)\n\n\(run.explanation)\n\n")
            return ExitCode.clean
        }
        guard let spec = DiagnosticCatalogue.spec(for: parsed) else {
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
