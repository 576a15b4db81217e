import ArgumentParser
import FlowDiagnostics
import FlowHost
import FlowViews
import Foundation

/// `flowc report`: the manager's report over the store.
struct ReportCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The manager's report: funnel, weighted forecast, overdue nodes by owner, the public pool, deals returning to it.",
        discussion: """
            Reads the store (--db, else $FLOWC_DB, else .flowc/deals.sqlite; never created). The \
            funnel counts open deals and their amounts per node (a deal at two nodes of a fork \
            counts at each); the forecast sums open deals by the month of their expected close \
            date, weighted by the node probability; blocked and overdue nodes are grouped by the \
            person who owns them; the public pool lists each deal's age there and how it got there \
            (lost with its reason, idle, released, created); "returning" lists the deals the idle \
            timer will return to the public pool within --returning-days. The amount and close-date \
            fields of each template are chosen as docs/views.md describes.

            --format text (default) prints it for the terminal; --format json prints the report's \
            data; --html FILE writes a self-contained HTML page with SVG charts that works offline, \
            and prints nothing else unless --format (or --json) asks for that form too.

            Exit codes: 0 done; 1 the store has no deal of --template; 2 usage error, no store \
            (FC1215), the store failed (FC1212, as for every command; FC1210 for a deal's compiled \
            template that cannot be loaded) or the HTML file cannot be written (FC0008); 75 another \
            program held the store's database past --lock-timeout (try again).
            """
    )

    enum Format: String, HumanFormNamed {
        case text, json
        static var forPeople: Format { .text }
    }

    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: "Only this template id.")
    var template: String?

    @Option(name: .long, help: "List deals the idle timer returns to the public pool within this many days (0–\(ReportBuilder.maxReturningDays)).")
    var returningDays: Int = 7

    @Option(name: .long, help: "Write the report as a self-contained HTML page to this file (then nothing is printed unless --format or --json is given).")
    var html: String?

    @Option(name: .customLong("format"), help: "text or json (default: text; human names it too, as on every command).")
    var formatOption: Format?

    @Flag(name: .long, help: "The same as --format json (as the commands that print one deal or run take it).")
    var json = false

    /// `--format`, or json for `--json`.
    var format: Format { json ? Format.json : formatOption ?? .text }

    @Option(name: .long, help: "Colour: auto (on a terminal, unless NO_COLOR is set), always or never.")
    var color: ColorChoice = .auto

    @Option(name: .long, help: "The language of the text and HTML report's words and names: both (Chinese, then English), zh or en (a missing name falls back to the other).")
    var lang: ReportLanguageArgument = .both

    func validate() throws {
        if json, let f = formatOption, f != .json { throw ValidationError("--json asks for JSON and --format for another form: give one of them") }
        if returningDays < 0 || returningDays > ReportBuilder.maxReturningDays {
            throw ValidationError("--returning-days must be from 0 to \(ReportBuilder.maxReturningDays)")
        }
    }

    func execute(_ context: CLIContext) -> Int32 {
        guard let opened = ViewStore.open(store, context) else { return ExitCode.usage }
        if let html, OutputFile.replaces(html, opened.path) {
            context.writeError(FileError.cannotWrite(html, "it is the store being reported on: the page would replace it; name another file with --html", option: "--html"))
            return ExitCode.usage
        }
        let builder = ReportBuilder(store: opened.store, machines: opened.service.machines)
        let model: ReportModel
        do {
            if let template {
                let known = try StoreTemplate.all(store: opened.store, machines: opened.service.machines).map(\.id)
                if !known.contains(template) {
                    let list = known.isEmpty ? " (the store has no deals)" : " (the store has: " + known.joined(separator: ", ") + ")"
                    context.writeError(HumanRenderer(color: false).render(ViewMessages.unknownTemplate.inFile("--template", template, list)))
                    return ExitCode.problems
                }
            }
            model = try builder.build(
                templateID: template, returningWithinDays: returningDays, now: opened.service.clock(), utcOffset: opened.service.utcOffset)
        } catch {
            return ViewStore.fail(error, opened.path, context)
        }
        if let html {
            do {
                try OutputFile.write(Data(ReportHTML.render(model, language: lang.language).utf8), to: html)
            } catch {
                context.writeError(FileError.cannotWrite(html, OutputFile.reason(error, path: html), option: "--html"))
                return ExitCode.usage
            }
        }
        // The page alone, unless a printed form was asked for too.
        if html != nil, formatOption == nil, !json { return ExitCode.clean }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            let text = (try? encoder.encode(model)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            context.write(text + "\n")
        case .text:
            let useColor = switch color {
            case .always: true
            case .never: false
            case .auto: context.colorsOutput
            }
            context.write(ReportText.render(model, color: useColor, language: lang.language))
        }
        return ExitCode.clean
    }
}

/// `--lang both|zh|en`.
enum ReportLanguageArgument: String, ExpressibleByArgument, CaseIterable {
    case both, zh, en

    var language: ReportLanguage {
        switch self {
        case .both: .both
        case .zh: .zh
        case .en: .en
        }
    }
}
