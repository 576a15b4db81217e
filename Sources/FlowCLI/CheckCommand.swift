import ArgumentParser
import FlowCheck
import FlowDiagnostics
import FlowViews
import FlowYAML
import Foundation

/// A `--format` whose form for people every command also takes as `human` and `text` (review of
/// the CLI, C7: `human` on check and migrate, `text` on report, `table` on deals, and each refused
/// the others' word).
protocol HumanFormNamed: ExpressibleByArgument, RawRepresentable, CaseIterable where RawValue == String {
    /// The command's form for people, under its own name.
    static var forPeople: Self { get }
}

extension HumanFormNamed {
    init?(argument: String) {
        if let value = Self(rawValue: argument) {
            self = value
        } else if ["human", "text"].contains(argument) {
            self = .forPeople
        } else {
            return nil
        }
    }
}

/// Output forms of `flowc check`.
enum OutputFormat: String, HumanFormNamed {
    case human, json, sarif
    static var forPeople: OutputFormat { .human }
}

/// When to colour human output.
enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never
}

/// `--color` of the commands whose colour is only that of their diagnostics (compile, graph,
/// run, migrate, deal create and event, deals): it was on check, test and report alone, and only
/// `NO_COLOR` could turn the others' off (CLI review, C6).
struct ColorOptions: ParsableArguments {
    @Option(name: .long, help: "Colour of the diagnostics: auto (on a terminal, unless NO_COLOR is set), always or never.")
    var color: ColorChoice = .auto

    /// Sets the command's choice on `context` (`auto` leaves it to the stream).
    func apply(to context: CLIContext) {
        switch color {
        case .auto: context.colorOverride = nil
        case .always: context.colorOverride = true
        case .never: context.colorOverride = false
        }
    }
}

/// `flowc check FILE|DIR...`: reports every problem in the templates.
struct CheckCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check templates and report every problem found.",
        discussion: """
            Directories are searched recursively for `*.flow.yaml` files; `-` reads a template \
            from standard input (an editor checking a buffer not yet saved), named by \
            --stdin-name. Diagnostics are printed \
            as `path:line:col: severity[CODE]: message` with the source line and a caret \
            underline (human), one JSON object per line (json), or one SARIF 2.1.0 log (sarif). \
            `flowc explain CODE` explains a code.

            Exit codes: 0 no errors (warnings allowed unless --warnings-as-errors); 1 problems \
            found; 2 usage error, or a file or directory that cannot be read.
            """
    )

    @Argument(help: "Template files or directories to check.")
    var paths: [String]

    @Option(name: .customLong("format"), help: "Output form: human, json or sarif (default: human).")
    var formatOption: OutputFormat?

    @Flag(name: .long, help: "The same as --format json (as the commands that print one deal or run take it).")
    var json = false

    /// `--format`, or json for `--json`.
    var format: OutputFormat { json ? OutputFormat.json : formatOption ?? .human }

    @Flag(name: [.short, .long], help: "Print only errors: no warnings, notes or summary.")
    var quiet = false

    @Flag(name: .long, help: "Treat warnings as errors (they are reported as errors and make the exit code 1).")
    var warningsAsErrors = false

    @Option(name: .long, help: "Show at most this many diagnostics, the rest counted (human output only: json and sarif carry every diagnostic).")
    var maxDiagnostics = 100

    @Option(name: .long, help: "Colour: auto (on a terminal, unless NO_COLOR is set), always or never.")
    var color: ColorChoice = .auto

    @Option(name: .long, help: "Largest template file accepted, in bytes.")
    var maxFileSize = YAMLLimits.default.maxFileBytes

    @Option(name: .long, help: ArgumentHelp("The name of the file read from standard input (`-`), a template or a saved view (`*.view.yaml`): the path diagnostics give, and the place its `extends`, `include` or `template` paths are resolved from (default: <stdin>, in the current directory).", valueName: "path"))
    var stdinName: String?

    func validate() throws {
        if json, let f = formatOption, f != .json { throw ValidationError("--json asks for JSON and --format for another form: give one of them") }
        if paths.filter({ $0 == "-" }).count > 1 { throw ValidationError("`-` (standard input) is given twice: it can be read once") }
        if stdinName != nil, !paths.contains("-") { throw ValidationError("--stdin-name names the template read from standard input: give `-` among the paths") }
        var isDirectory: ObjCBool = false
        if let name = stdinName, name.isEmpty || name.hasSuffix("/") || (FileManager.default.fileExists(atPath: name, isDirectory: &isDirectory) && isDirectory.boolValue) {
            throw ValidationError("--stdin-name names the file the text on standard input is (a template or a view file), not a directory")
        }
        if maxDiagnostics < 1 { throw ValidationError("--max-diagnostics must be at least 1") }
        if maxFileSize < 1 || maxFileSize > YAMLReader.hardMaxFileBytes {
            // A template is read whole; past 1 GiB the reader's offsets would not hold (CLI
            // review, C2: `Int.max`, a script's "no limit", trapped).
            throw ValidationError("--max-file-size must be from 1 to \(YAMLReader.hardMaxFileBytes) bytes (1 GiB)")
        }
    }

    /// FC0108 for a stream read only to one byte past the limit: its size is "at least" that.
    static func atLeast(_ d: Diagnostic, _ size: Int) -> Diagnostic {
        var d = d
        if !d.message.arguments.isEmpty { d.message.arguments[0] = "at least \(size)" }
        return d
    }

    func execute(_ context: CLIContext) -> Int32 {
        var limits = YAMLLimits.default
        limits.maxFileBytes = maxFileSize
        limits.sizeOption = "flowc check --max-file-size"
        var all: [Diagnostic] = []
        var sources: [SourceFile] = []
        var ioFailure = false
        var checked = 0
        let fs = DiskFileSystem()
        for path in paths {
            if path == "-" {
                // Standard input, under the name an editor gives it (its includes resolve from there).
                let name = stdinName ?? "<stdin>"
                checked += 1
                let bytes: [UInt8]
                switch context.readStandardInput(limit: limits.maxFileBytes) {
                case .failure(let error):
                    let reason = SystemError.reason(error)
                    all.append(DriverMessages.cannotRead.inFile(name, "-", "standard input: " + reason.prefix(1).lowercased() + reason.dropFirst()))
                    ioFailure = true
                    continue
                case .success(let read) where read.more:
                    // Not read past the limit: its size is known to be at least one byte more.
                    let sized = YAMLReader.sizeDiagnostic(path: name, size: limits.maxFileBytes + 1, limits: limits)
                    all.append(sized.map { Self.atLeast($0, limits.maxFileBytes + 1) }
                        ?? DriverMessages.cannotRead.inFile(name, "-", "over the size limit"))
                    continue
                case .success(let read): bytes = read.bytes
                }
                // A saved view is checked as one, as `flowc check FILE` does (QA round 30, N3).
                if ViewFile.isViewFile(name) {
                    let (_, diagnostics, files) = ViewFile.check(path: name, bytes: bytes, limits: limits)
                    all += diagnostics
                    for f in files where !sources.contains(where: { $0.path == f.path }) { sources.append(f) }
                    continue
                }
                let result = TemplateChecker.check(path: name, bytes: bytes, fs: fs, limits: limits)
                all += result.diagnostics
                for f in result.files where !sources.contains(where: { $0.path == f.path }) { sources.append(f) }
                continue
            }
            // Saved views (`*.view.yaml`) are checked as views, not as templates (FlowViews).
            let views = ViewFile.isViewFile(path) ? [path] : ViewFiles.inDirectory(path)
            let (found, problem) = ViewFile.isViewFile(path) ? ([], nil) : TemplateFiles.expand(path)
            if let problem, views.isEmpty {
                all.append(problem)
                ioFailure = true
                continue
            }
            for view in views {
                let (_, diagnostics, files) = ViewFile.check(path: view)
                checked += 1
                if diagnostics.contains(where: { $0.code == DriverMessages.cannotRead.code }) { ioFailure = true }
                all += diagnostics
                for f in files where !sources.contains(where: { $0.path == f.path }) { sources.append(f) }
            }
            for file in found {
                let result = TemplateChecker.check(path: file, fs: fs, limits: limits)
                checked += 1
                if result.diagnostics.contains(where: { $0.code == DriverMessages.cannotRead.code }) { ioFailure = true }
                var diagnostics = result.diagnostics
                // A deals or events file checked as a template (QA round 22: its first error was
                // YAML's, with a help about braces): the first error says what the file is.
                let records = [".jsonl", ".ndjson", ".csv", ".json"].contains { file.lowercased().hasSuffix($0) }
                if records, let first = diagnostics.firstIndex(where: { $0.severity == .error }) {
                    // Its help would be about YAML (quotes, braces), which this file is not meant to be.
                    diagnostics[first].help = nil
                    diagnostics[first] = diagnostics[first].note(
                        "`\(file.split(separator: "/").last.map(String.init) ?? file)` looks like a file of deal records, not a template (`*.flow.yaml`): `flowc run TEMPLATE --deals FILE` runs it")
                }
                all += diagnostics
                for f in result.files where !sources.contains(where: { $0.path == f.path }) { sources.append(f) }
            }
        }
        var bag = DiagnosticBag()
        bag.add(contentsOf: all.map { d in
            warningsAsErrors && d.severity == .warning ? d.with(severity: .error) : d
        })
        var diagnostics = bag.sorted()
        if quiet { diagnostics = diagnostics.filter { $0.severity == .error } }
        let counts = DiagnosticCounts(counting: diagnostics)
        switch format {
        case .human:
            let useColor = switch color {
            case .always: true
            case .never: false
            case .auto: context.colorsOutput
            }
            let capped = CappedDiagnostics(diagnostics, limit: maxDiagnostics)
            let text = HumanRenderer(color: useColor).render(capped, summary: quiet || diagnostics.isEmpty ? nil : counts)
            context.write(text)
            if !quiet, diagnostics.isEmpty {
                context.write("checked \(checked) \(checked == 1 ? "file" : "files"): no problems\n")
            }
        case .json:
            context.write(JSONLinesRenderer().render(diagnostics))
        case .sarif:
            context.write(SARIFRenderer().render(diagnostics, rules: DiagnosticCatalogue.all, toolVersion: FlowcVersion.current, files: sources) + "\n")
        }
        if ioFailure { return ExitCode.usage }
        return counts.errors > 0 ? ExitCode.problems : ExitCode.clean
    }
}

/// Finds the saved views (`*.view.yaml`) in a directory tree, sorted; none for a file.
enum ViewFiles {
    static func inDirectory(_ path: String) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue,
              let walker = DirectoryTree.walker(path) else { return [] }
        var found: [String] = []
        while let rel = walker.nextObject() as? String {
            if ViewFile.isViewFile(rel) { found.append(path.hasSuffix("/") ? path + rel : path + "/" + rel) }
        }
        return found.sorted()
    }
}

/// The files of a directory tree.
enum DirectoryTree {
    /// An enumerator of the tree under `path`, relative paths: through `path` itself when it is a
    /// symbolic link to a directory (QA round 32, D5: a linked `templates/` held "no template
    /// files"). Links inside the tree are listed, not followed, so that a loop cannot be walked.
    static func walker(_ path: String) -> FileManager.DirectoryEnumerator? {
        FileManager.default.enumerator(atPath: URL(fileURLWithPath: path).resolvingSymlinksInPath().path)
    }
}

/// Finds the template files a path names.
enum TemplateFiles {
    /// A file is returned as is; a directory is searched recursively for `*.flow.yaml` and
    /// `*.flow.yml`, in sorted order.
    static func expand(_ path: String) -> ([String], Diagnostic?) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            return ([], DriverMessages.cannotRead.inFile(path, path, PathText.notFound("no such file or directory", path: path)))
        }
        guard isDir.boolValue else { return ([path], nil) }
        guard let walker = DirectoryTree.walker(path) else {
            return ([], DriverMessages.cannotRead.inFile(path, path, "cannot list the directory"))
        }
        var found: [String] = []
        while let rel = walker.nextObject() as? String {
            if rel.hasSuffix(".flow.yaml") || rel.hasSuffix(".flow.yml") {
                found.append(path.hasSuffix("/") ? path + rel : path + "/" + rel)
            }
        }
        if found.isEmpty { return ([], DriverMessages.noTemplates.inFile(path, path)) }
        return (found.sorted(), nil)
    }
}
