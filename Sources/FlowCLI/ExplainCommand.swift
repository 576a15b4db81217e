import ArgumentParser
import FlowCheck
import FlowDiagnostics

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
            return ExitCode.clean
        }
        guard let parsed = DiagnosticCode(parsing: code) else {
            context.writeError("error: `\(code)` is not a diagnostic code; codes look like FC0302\n")
            return ExitCode.usage
        }
        guard let spec = DiagnosticCatalogue.spec(for: parsed) else {
            var message = "error: there is no diagnostic \(parsed)"
            if let guess = Suggestions.closest(to: parsed.description, in: DiagnosticCatalogue.all.map(\.code.description)) {
                message += "; did you mean \(guess)?"
            }
            context.writeError(message + "\n")
            return ExitCode.usage
        }
        context.write(ExplainCommand.text(spec))
        return ExitCode.clean
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
