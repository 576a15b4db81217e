import ArgumentParser
import FlowDiagnostics
import FlowHost
import FlowIR
import FlowRuntime
import FlowStore
import FlowViews
import Foundation

/// `flowc graph TEMPLATE`: the flow as a picture (DOT, Mermaid or SVG), optionally with a deal on it.
struct GraphCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw a template's flow as Graphviz DOT, Mermaid, or a self-contained SVG; with --deal, the deal on it.",
        discussion: """
            The template is checked and compiled as by `flowc compile` (a compiled IR .json works \
            too): its errors and warnings are printed on standard error as by `flowc check` \
            (--quiet: errors only), and with errors nothing is drawn.

            Format: --format, else from the -o file's extension (.svg svg, .mmd/.mermaid mermaid, \
            anything else dot); standard output is dot unless --format says otherwise. The SVG is \
            laid out by flowc itself (no Graphviz needed) and opens offline in a browser.

            With --deal ID the picture shows the deal from the store (--db, else $FLOWC_DB, else \
            .flowc/deals.sqlite): done, active, blocked, waiting, skipped, closed and not-reached \
            nodes drawn differently, the arrows the deal took highlighted, and node records \
            counted. A deal that runs on another version of the template is drawn on its own \
            machine (a note on stderr says so).

            Exit codes: 0 drawn; 1 the template has errors, the deal does not exist, or the flow \
            is too large for the SVG layout (FC1401); 2 usage error, an unreadable template, a \
            missing store (FC1215), a deal whose machine cannot be loaded (FC1210) or an \
            unwritable output (FC0008); 75 with --deal, another program held the store's database \
            past --lock-timeout (try again).
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case dot, mermaid, svg
    }

    enum Language: String, ExpressibleByArgument, CaseIterable {
        case zh, en
    }

    @Argument(help: "The template (a .flow.yaml file, or a compiled IR .json).")
    var template: String

    @Option(name: .long, help: "dot, mermaid or svg (default: from the -o extension; dot on standard output).")
    var format: Format?

    @Option(name: .shortAndLong, help: "Where to write the picture (`-` for standard output).")
    var output: String = "-"

    @Option(name: .long, help: "Draw this deal's state and path over the flow.")
    var deal: String?

    @Option(name: .long, help: ArgumentHelp("The deal store (with --deal). Default: $FLOWC_DB, else .flowc/deals.sqlite.", valueName: "path"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp("With --deal: the clock an active node past its due time is drawn overdue against, as the report does (an ISO-8601 datetime with zone, or epoch seconds; default: the system clock).", valueName: "time"))
    var now: String?

    @Option(name: .long, help: ArgumentHelp("With --deal: how long to wait while another program holds the store's database (a database browser, a backup) before giving up (FC1212, exit 75), as for every command that reads the store; default: as long as it takes.", valueName: "seconds"))
    var lockTimeout: Double?

    @Option(name: .long, help: "The language of names and words: zh or en (a missing name falls back to the other).")
    var lang: Language = .zh

    @Flag(name: [.short, .long], help: "Print only errors: not the template's warnings, nor the line that says what was written.")
    var quiet = false

    func validate() throws {
        if db != nil && deal == nil { throw ValidationError("--db goes with --deal") }
        if now != nil && deal == nil { throw ValidationError("--now goes with --deal") }
        if lockTimeout != nil && deal == nil { throw ValidationError("--lock-timeout goes with --deal") }
        if let lockTimeout, !(lockTimeout >= 0 && lockTimeout <= 86_400 * 365) {
            throw ValidationError("--lock-timeout: seconds, from 0 (do not wait) to a year")
        }
        if let now, let problem = StoreOptions.nowProblem(now) { throw ValidationError(problem) }
    }

    /// The format: explicit, else by the output file's extension.
    var resolvedFormat: Format {
        if let format { return format }
        let lower = output.lowercased()
        if lower.hasSuffix(".svg") { return .svg }
        if lower.hasSuffix(".mmd") || lower.hasSuffix(".mermaid") { return .mermaid }
        return .dot
    }

    @OptionGroup var colors: ColorOptions

    func execute(_ context: CLIContext) -> Int32 {
        colors.apply(to: context)
        if OutputFile.replaces(output, template) {
            context.writeError(FileError.cannotWrite(output, "it is the template being drawn: the picture would replace it; name another file with -o", option: "-o"))
            return ExitCode.usage
        }
        let verified: VerifiedMachine
        switch HostTemplates.load(template, context, warnings: !quiet) {
        case .success(let m): verified = m
        case .failure(let status): return status.code
        }
        // A file the template includes (a fragment shared by other templates).
        let directory = PathText.directory(of: template)
        let included = verified.machine.sources.files.map { directory.isEmpty ? $0 : directory + "/" + $0 }
        if !HostTemplates.isCompiled(template), let file = included.first(where: { OutputFile.replaces(output, $0) }) {
            context.writeError(FileError.cannotWrite(output, "it is `\(file)`, a file the template includes: the picture would replace it; name another file with -o", option: "-o"))
            return ExitCode.usage
        }
        var machine = verified.machine
        var snapshot: DealSnapshot?
        if let deal {
            switch loadDeal(deal, template: verified, context) {
            case .success(let loaded):
                snapshot = loaded.snapshot
                machine = loaded.machine
            case .failure(let status): return status.code
            }
        }
        let language: GraphLanguage = lang == .en ? .en : .zh
        let clock = now.flatMap { RecordReader.time(text: $0).flatMap(StoreOptions.absolute) } ?? Int64(Date().timeIntervalSince1970)
        let model = GraphModel.build(machine, language: language, snapshot: snapshot, now: snapshot == nil ? nil : clock)
        let text: String
        switch resolvedFormat {
        case .dot: text = GraphDOT.render(model)
        case .mermaid: text = GraphMermaid.render(model)
        case .svg:
            do { text = try GraphSVG.render(model) } catch {
                context.writeError(GraphCommand.render(GraphMessages.tooLarge, String(error.elements), String(error.limit)))
                return ExitCode.problems
            }
        }
        if output == "-" {
            context.write(text)
            return ExitCode.clean
        }
        do {
            try OutputFile.write(Data(text.utf8), to: output)
        } catch {
            context.writeError(FileError.cannotWrite(output, OutputFile.reason(error, path: output), option: "-o"))
            return ExitCode.usage
        }
        let t = machine.template
        if !quiet {
            context.writeError(Message(GraphMessages.Note.written, [resolvedFormat.rawValue, t.id, t.version, String(machine.nodes.count), output]).text + "\n")
        }
        return ExitCode.clean
    }

    /// `error[FC1402]: message`.
    static func render(_ spec: MessageSpec, _ arguments: String...) -> String {
        "\(spec.severity.rawValue)[\(spec.code)]: \(Message(spec.format, arguments).text)\n"
    }

    /// The deal's snapshot and the machine it runs on. The template's own machine is offered to
    /// the registry first, so a deal on this template needs nothing from the archive; nothing is
    /// written to the store or the archive.
    func loadDeal(_ id: String, template: VerifiedMachine, _ context: CLIContext) -> Result<(snapshot: DealSnapshot, machine: Machine), ExitStatus> {
        let path = StoreOptions.path(db: db, context)
        if let problem = StoreFile.namesNoFile(path) ?? StoreFile.unreachable(path) {
            return .failure(ExitStatus(ViewStore.fail(problem, StoreOptions.place(path), context)))
        }
        // An empty file is no store either, as for every command (SQLite would take it for an
        // empty database).
        var info = stat()
        let exists = stat(path, &info) == 0
        guard exists, info.st_size > 0 || (info.st_mode & S_IFMT) == S_IFDIR else {
            context.writeError(HostError.noStore(path, defaulted: db == nil && StoreOptions.environmentPath(context) == nil, empty: exists), place: path)
            return .failure(ExitStatus(ExitCode.usage))
        }
        // A directory, a pipe, a file that is not SQLite: said as every command says it (QA
        // round 30, N16: SQLite's "unable to open database file").
        if let refusal = StoreFile.refusal(at: path, writing: false) {
            context.writeError(refusal, place: path)
            return .failure(ExitStatus(ExitCode.usage))
        }
        guard let store = openStore(path, context, readOnly: true, busyTimeout: lockTimeout, noteWaits: true) else { return .failure(ExitStatus(ExitCode.usage)) }
        let archive = TemplateFirstArchive(machine: template.machine, rest: DirectoryMachineArchive(besideDatabase: path))
        let service = DealService(store: store, machines: MachineRegistry(archive: archive))
        let view: DealView
        do { view = try service.view(id) } catch {
            return .failure(ExitStatus(HostOutput.fail(error, context)))
        }
        let own = template.machine.template
        let used = view.machine.machine.template
        if used.hash != own.hash {
            context.writeError(Message(GraphMessages.Note.otherMachine, [id, "`\(used.id)`", used.version, used.hash, own.hash]).text + "\n")
        }
        return .success((view.snapshot, view.machine.machine))
    }
}

/// A read-only machine archive that knows the template's machine and asks the store's archive
/// for any other; it never writes.
struct TemplateFirstArchive: MachineArchive {
    let machine: Machine
    let rest: DirectoryMachineArchive

    func load(hash: String) throws -> [UInt8]? {
        if hash == machine.template.hash { return IRCompiler.canonicalJSON(machine) }
        return try rest.load(hash: hash)
    }

    func save(hash: String, bytes: [UInt8]) throws {}
}
