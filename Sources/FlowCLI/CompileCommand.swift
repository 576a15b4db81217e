import ArgumentParser
import FlowCheck
import FlowDiagnostics
import FlowIR
import FlowYAML
import Foundation

/// `flowc compile TEMPLATE -o FILE`: checks a template and writes its IR.
struct CompileCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a template to its state-machine IR (versioned JSON).",
        discussion: """
            The template is checked first, and its errors and warnings are printed on standard \
            error as by `flowc check` (--quiet: errors only); with errors, nothing is written. \
            The IR names the template's id, version and content hash, and \
            holds every node, transition, guard, timer and effect with dense indices.

            Exit codes: 0 written; 1 the template has errors; 2 usage error, an unreadable or \
            unwritable file, a fragment (FC1305: it has no flow to compile), or a compiled \
            machine (FC1307: a `.json` file; give the template it was compiled from).
            """
    )

    @Argument(help: "The template file.")
    var template: String

    @Option(name: .shortAndLong, help: "Where to write the IR (`-` for standard output).")
    var output: String = "-"

    @Flag(name: .long, help: "Write compact JSON (one line) instead of indented JSON.")
    var compact = false

    /// The largest IR written: what the commands that read one take (a test lowers it).
    @Option(name: .long, help: .hidden)
    var maxIRBytes: Int = YAMLLimits.default.maxFileBytes

    @Flag(name: [.short, .long], help: "Print only errors: not the template's warnings, nor the line that says what was written.")
    var quiet = false

    @OptionGroup var colors: ColorOptions

    func execute(_ context: CLIContext) -> Int32 {
        colors.apply(to: context)
        if OutputFile.replaces(output, template) {
            context.writeError(FileError.cannotWrite(output, "it is the template being compiled: the IR would replace it; name another file with -o", option: "-o"))
            return ExitCode.usage
        }
        if HostTemplates.isCompiledFile(template) {
            let color = context.colorsErrors
            context.writeError(HumanRenderer(color: color).render(ScenarioMessages.alreadyCompiled.inFile(template, template)))
            return ExitCode.usage
        }
        let result = TemplateChecker.check(path: template)
        let unreadable = result.diagnostics.contains { $0.code == DriverMessages.cannotRead.code }
        HostTemplates.printDiagnostics(result, quiet: quiet || unreadable, context)
        if unreadable || result.hasErrors {
            return unreadable ? ExitCode.usage : ExitCode.problems
        }
        if HostTemplates.refuseFragment(result, path: template, context) { return ExitCode.usage }
        if let included = result.files.first(where: { OutputFile.replaces(output, $0.path) }) {
            context.writeError(FileError.cannotWrite(output, "it is `\(included.path)`, a file the template includes: the IR would replace it; name another file with -o", option: "-o"))
            return ExitCode.usage
        }
        let machine: Machine
        do { machine = try IRCompiler.compile(result) } catch {
            context.writeError(HostTemplates.render(error, context))
            return ExitCode.problems
        }
        var bytes = IRCompiler.canonicalJSON(machine, pretty: !compact)
        bytes.append(0x0A)
        // An IR no command would read is not written (QA round 14: a 48 MB IR that `run` and
        // `deal create` then refused).
        let limit = maxIRBytes
        if bytes.count > limit {
            var line = "error: the IR of `\(machine.template.id)` is \(bytes.count) bytes, over the \(limit) the commands that read one take; nothing was written"
            if !compact {
                let small = IRCompiler.canonicalJSON(machine, pretty: false).count + 1
                if small <= limit { line += " (--compact writes it in \(small) bytes)" }
            }
            context.writeError(line + "\n")
            return ExitCode.problems
        }
        if output == "-" {
            context.write(String(decoding: bytes, as: UTF8.self))
            return ExitCode.clean
        }
        do {
            try OutputFile.write(Data(bytes), to: output)
        } catch {
            context.writeError(FileError.cannotWrite(output, OutputFile.reason(error, path: output), option: "-o"))
            return ExitCode.usage
        }
        // `--quiet` is errors only: not this line either (CLI review, C16).
        if !quiet {
            context.writeError("compiled `\(machine.template.id)` \(machine.template.version) (\(machine.nodes.count) nodes) to \(output)\n\(machine.template.hash)\n")
        }
        return ExitCode.clean
    }
}
