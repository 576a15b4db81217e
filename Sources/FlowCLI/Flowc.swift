public import ArgumentParser
import FlowRuntime
import Foundation

/// A command that runs against a `CLIContext` and returns its exit code.
protocol FlowcCommand: ParsableCommand {
    func execute(_ context: CLIContext) -> Int32
}

/// The `flowc` command line.
public struct Flowc: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "flowc",
        abstract: "Compile and check declarative B2B sales-process templates.",
        discussion: """
            Exit codes: 0 no problems; 1 problems found (errors, or warnings with \
            --warnings-as-errors); 2 usage error or a file that cannot be read; 74 the command \
            succeeded but could not write all it printed (a full disk, a closed pipe); 75 the \
            store was busy: another writer (a flowc command, or a program holding its database) \
            held it past --lock-timeout, and nothing more than the command says was written: try \
            again. A command \
            that changes deals is not stopped by a closed pipe (`flowc run … | head -1`): it does \
            all its work, its rejects file included, and its status says what it printed was lost.
            """,
        version: FlowcVersion.current,
        subcommands: [CheckCommand.self, CompileCommand.self, ExplainCommand.self, RulesCommand.self, TestCommand.self,
                      RunCommand.self, DealCommand.self, PoolCommand.self, TickCommand.self, MigrateCommand.self, GraphCommand.self,
                      DealsCommand.self, ReportCommand.self, OutboxCommand.self]
    )

    public init() {}

    /// Runs flowc with `arguments` (without the program name) and returns the exit code.
    /// Never calls `exit`; all output goes through `context`.
    public static func run(_ arguments: [String], context: CLIContext) -> Int32 {
        var code = runCommand(arguments, context: context)
        // A store failure that was a busy store: "try again", not "fix the command".
        if code == ExitCode.usage, context.storeWasBusy { code = ExitCode.busy }
        // Stopped while waiting for the store: interrupted, as a run stopped later is.
        if code == ExitCode.usage, context.storeWaitInterrupted { code = ExitCode.interrupted }
        // Asked for JSON and failed before writing any: the failure as JSON (`FailureJSON`).
        if code != ExitCode.clean, !context.wroteOutput, FailureJSON.requested(arguments) {
            context.write(FailureJSON.object(errorLine: context.firstError, exit: code) + "\n")
        }
        return code
    }

    private static func runCommand(_ arguments: [String], context: CLIContext) -> Int32 {
        // `help` on itself (review of the CLI, C11: "`help` is not a command of `flowc`").
        if arguments == ["help", "help"] {
            context.write("flowc help [COMMAND [SUBCOMMAND]]: the help of a command, as `flowc COMMAND --help` prints it; `flowc help` alone lists the commands.\n")
            return ExitCode.clean
        }
        if let problem = unknownCommand(arguments) {
            context.writeError("error: " + problem + "\n")
            return ExitCode.usage
        }
        do {
            let command = try Flowc.parseAsRoot(joiningNegativeValues(arguments))
            if let c = command as? any FlowcCommand { return c.execute(context) }
            var other = command
            try other.run()
            return ExitCode.clean
        } catch {
            let code = Flowc.exitCode(for: error)
            let message = Flowc.fullMessage(for: error)
            if code == .success {
                context.write(message + (message.hasSuffix("\n") || message.isEmpty ? "" : "\n"))
                return ExitCode.clean
            }
            context.writeError(message + "\n")
            return ExitCode.usage
        }
    }
}

extension Flowc {
    /// Why the command named by the words leading `arguments` is none of flowc's, with a
    /// did-you-mean; also a command group named without a command of it (`flowc deal`). The
    /// argument parser said "2 unexpected arguments: 'chek', 'x'", and `flowc help chek` and
    /// `flowc deal` printed a help and exited 0 (CLI review, C11). Nil when the words name a
    /// command, or stop at an option first.
    static func unknownCommand(_ arguments: [String]) -> String? {
        var type: any ParsableCommand.Type = Flowc.self
        var path = ["flowc"]
        var rest = arguments[...]
        let asksHelp = rest.first == "help"
        if asksHelp { rest = rest.dropFirst() }
        while let name = rest.first, !name.hasPrefix("-") {
            let commands = type.configuration.subcommands
            guard !commands.isEmpty else { return nil }
            guard let command = commands.first(where: { $0._commandName == name || $0.configuration.aliases.contains(name) }) else {
                let names = commands.map { $0._commandName }
                return "`\(Names.shown(name))` is not a command of `\(path.joined(separator: " "))`\(Names.didYouMean(name, among: names)); "
                    + "its commands: \(names.joined(separator: ", ")) (`\(path.joined(separator: " ")) --help` tells more)"
            }
            type = command
            path.append(name)
            rest = rest.dropFirst()
        }
        let commands = type.configuration.subcommands
        guard rest.isEmpty, !asksHelp, path.count > 1, !commands.isEmpty, type.configuration.defaultSubcommand == nil else { return nil }
        return "`\(path.joined(separator: " "))` takes a command: \(commands.map { $0._commandName }.joined(separator: ", ")) "
            + "(`\(path.joined(separator: " ")) --help` tells more)"
    }

    /// The options whose value may start with `-` (a zone west of UTC, `-5h`; a negative count
    /// that deserves its own error; a time such as `-5`).
    static let valueOptions: Set<String> = ["--now", "--at", "--utc-offset", "--limit", "--batch-size", "--returning-days", "--after",
                                            "--lock-timeout", "--max-diagnostics", "--max-file-size"]

    /// `--now -1h` written as `--now=-1h`, the one place options take a value starting with `-`:
    /// the argument parser reads such a value as another option ("Missing value"), and looks for
    /// `-h` and `--help` among all the arguments first, so a value like `-1h` or `-15h` printed
    /// the command's help and exited 0 (the command did nothing and said it succeeded).
    static func joiningNegativeValues(_ arguments: [String]) -> [String] {
        var out: [String] = []
        // `outbox ack -1`: a negative position is no option either; it is moved behind `--`
        // (after the options), so that the command can say that it is not in the outbox.
        var negativePositions: [String] = []
        let takesPositions = arguments.starts(with: ["outbox", "ack"])
        var i = 0
        while i < arguments.count {
            let a = arguments[i]
            if a == "--" {
                out += arguments[i...]
                out += negativePositions
                negativePositions = []
                break
            }
            if takesPositions, i >= 2, a.count > 1, a.hasPrefix("-"), a.dropFirst().allSatisfy({ $0.isASCII && $0.isNumber }) {
                negativePositions.append(a)
                i += 1
                continue
            }
            if valueOptions.contains(a), i + 1 < arguments.count, arguments[i + 1].hasPrefix("-"), arguments[i + 1] != "--" {
                out.append(a + "=" + arguments[i + 1])
                i += 2
                continue
            }
            out.append(a)
            i += 1
        }
        if !negativePositions.isEmpty { out += ["--"] + negativePositions }
        return out
    }
}

/// The version printed by `flowc --version` and in SARIF.
public enum FlowcVersion {
    public static let current = "0.1.0"
}
