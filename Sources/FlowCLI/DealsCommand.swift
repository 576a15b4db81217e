import ArgumentParser
import FlowDiagnostics
import FlowExpr
import FlowHost
import FlowIR
import FlowRuntime
import FlowStore
import FlowViews
import Foundation

/// `flowc deals`: lists deals of the store, filtered, grouped, sorted, with chosen columns.
struct DealsCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "deals",
        abstract: "List deals: filter with an expression, group, sort, choose columns; table, CSV or JSON.",
        discussion: """
            Keys (for --where, --group-by, --sort and --columns): every field of the template (its \
            id), and the built-ins deal, template, version (of the template the deal runs on), \
            status (open|won|lost), pool (private|public), \
            owner, node (the open nodes, comma-separated; `node == "x"` finds a deal at x among \
            others, as at a fork), blocked (the blocked nodes, likewise), probability, created, \
            closed (datetimes), age (duration since created), idle (duration since the last status \
            change), returns (when the idle timer returns the deal to the public pool), due (the \
            earliest due time of its open nodes), and for a deal in the public pool pool_since \
            (when it came), pool_how (lost|idle|released|created), pool_from (who had it) and \
            pool_reason (a lost deal's lose reason). A built-in takes precedence over a field of \
            the same name.

            --where is an expression of the template language, checked against those keys: \
            `status == "open" and amount >= 500000 CNY`, `industry in ["manufacturing", "retail"]`, \
            `age > 30d`, `expected_close_date < today() + 30d`, `blocked != ""` (deals with a \
            blocked node), `due < now()` (with an overdue or blocked node). Errors are reported \
            like `flowc check`'s, with a caret under the exact column of the option's text.

            Templates: with --template ID only that template's deals are listed and its fields can \
            be used. Without it, a store holding one template id uses that one; a store holding \
            several accepts only built-in keys (FC1411).

            Grouping (--group-by KEY) prints one row per group with the number of deals and the \
            sum of every money or number field among --columns (default: the template's amount \
            field); grouped by a field it also sums, the sum is named sum_FIELD. Grouping by node \
            (or blocked) counts a deal at each of its open (or blocked) nodes; grouping by age or \
            idle groups them as shown (2d). Groups sort by their key, or by --sort count[:desc], \
            the key, or a sum.

            Amounts are exact (compared, sorted and summed as written, not as binary floats) and \
            shown to the cent, rounded half away from zero; durations in days.

            --view FILE runs a saved view (`*.view.yaml`); options given on the command line \
            replace the view's.

            The store (--db, else $FLOWC_DB, else .flowc/deals.sqlite) is read, never created; a \
            store written before the view columns existed gets them from its snapshots first. \
            docs/views.md has the details.

            Exit codes: 0 listed; 1 a problem in the view (filter, keys, template); 2 usage error, \
            no store at the path (FC1215), or the store failed (FC1212, as for every command; \
            FC1210 for a deal's compiled template that cannot be loaded); 75 another program held \
            the store's database past --lock-timeout (try again).
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(name: .long, help: "Only deals of this template id (and its fields as keys).")
    var template: String?

    @Option(name: .customLong("where"), help: "A filter expression (see above).")
    var filter: String?

    @Option(name: .long, help: "Group by this key.")
    var groupBy: String?

    @Option(name: .long, help: "Sort by KEY or KEY:desc (repeatable; ties by deal id).")
    var sort: [String] = []

    @Option(name: .long, help: "Columns, comma-separated (default: deal, status, pool, owner, node, the template's amount field, created; over several templates, template instead of the amount, which needs --template).")
    var columns: String?

    @Option(name: .customLong("format"), help: "table, csv or json (default: table; human and text name the table too, as on every command).")
    var formatOption: Format?

    @Flag(name: .long, help: "The same as --format json (as the commands that print one deal or run take it).")
    var json = false

    /// `--format`, or json for `--json`.
    var format: Format { json ? Format.json : formatOption ?? .table }

    @Option(name: .long, help: "At most this many rows (default \(DealViewEngine.defaultLimit); 0 for all, up to \(DealViewEngine.maxLimit)).")
    var limit: Int?

    @Option(name: .long, help: "A saved view file (*.view.yaml).")
    var view: String?

    enum Format: String, HumanFormNamed {
        case table, csv, json
        static var forPeople: Format { .table }
    }

    func validate() throws {
        if json, let f = formatOption, f != .json { throw ValidationError("--json asks for JSON and --format for another form: give one of them") }
        if let limit, limit < 0 || limit > DealViewEngine.maxLimit {
            throw ValidationError("--limit must be from 0 to \(DealViewEngine.maxLimit)")
        }
    }

    @OptionGroup var colors: ColorOptions

    func execute(_ context: CLIContext) -> Int32 {
        colors.apply(to: context)
        let color = context.colorsErrors
        var spec = DealViewSpec()
        var locator: DealViewLocator?
        var templateID = template
        var savedView: SavedView?
        if let view {
            let (saved, diagnostics, _) = ViewFile.check(path: view)
            let errors = diagnostics.filter { $0.severity == .error }
            if !errors.isEmpty || saved == nil {
                context.writeError(HumanRenderer(color: color).render(CappedDiagnostics(errors, limit: 100), summary: DiagnosticCounts(counting: errors)))
                return errors.contains { $0.code == DriverMessages.cannotRead.code } ? ExitCode.usage : ExitCode.problems
            }
            if let saved {
                savedView = saved
                spec = saved.spec
                locator = saved.locator
                templateID = templateID ?? saved.templateID
            }
        }
        let fromOptions = filter != nil || groupBy != nil || !sort.isEmpty || columns != nil
        if let filter { spec.filter = filter }
        if let groupBy { spec.groupBy = groupBy }
        if !sort.isEmpty { spec.sort = sort }
        if let columns { spec.columns = columns.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        if let limit { spec.limit = limit }
        // Each part is located where it was written: an option replaces its part of a saved view,
        // and the view's other parts keep their places in the file (review V2: with `--sort` given,
        // the file's `where` was reported at `--where`, which no one had typed).
        let options = DealViewLocator.options(spec)
        if var merged = locator, fromOptions {
            if filter != nil { merged.filter = options.filter }
            if groupBy != nil { merged.groupBy = options.groupBy }
            if !sort.isEmpty { merged.sort = options.sort }
            if columns != nil { merged.column = options.column }
            locator = merged
        } else if locator == nil {
            locator = options
        }

        guard let opened = ViewStore.open(store, context) else { return ExitCode.usage }
        let templates: [StoreTemplate]
        do { templates = try StoreTemplate.all(store: opened.store, machines: opened.service.machines) } catch {
            return ViewStore.fail(error, opened.path, context)
        }
        var chosen: StoreTemplate?
        if let templateID {
            guard let t = templates.first(where: { $0.id == templateID }) else {
                let known = templates.map(\.id)
                let list = known.isEmpty ? " (the store has no deals)" : " (the store has: " + known.joined(separator: ", ") + ")"
                context.writeError(HumanRenderer(color: color).render(ViewMessages.unknownTemplate.inFile("--template", templateID, list)) )
                return ExitCode.problems
            }
            chosen = t
        } else if templates.count == 1 {
            chosen = templates[0]
        }
        // A saved view written against a version the store holds no deals of: checked clean by
        // `flowc check` against its own template, it is run against the store's versions, which
        // is said (review V2: FC0421 at the view's `where`, with no word of the versions).
        var viewOnlyVersion: VerifiedMachine?
        if let saved = savedView, let machine = saved.machine?.machine, let chosen, chosen.id == machine.template.id,
           !chosen.hashes.contains(where: { $0.hash == machine.template.hash }) {
            viewOnlyVersion = saved.machine
            // A version is named with the start of its machine's hash: two files can both say 1.0.0.
            let stored = chosen.hashes.map { h in
                "\(chosen.machines[h.hash]?.machine.template.version ?? "?") (\(h.hash.prefix(15))…, \(h.deals) deal\(h.deals == 1 ? "" : "s"))"
            }
            let file = saved.templatePath.map { ($0 as NSString).standardizingPath } ?? saved.template
            context.writeError("note: the view \(view ?? "") was written for `\(machine.template.id)` \(machine.template.version) "
                + "(\(machine.template.hash.prefix(15))…), as \(file) has it, which no deal of the store runs on; its deals of `\(chosen.id)` run on "
                + stored.joined(separator: ", ") + ": the view is read against those\n")
        }
        // `version` reads every template's versions, the chosen one's or all of them.
        let schema = (chosen.map(DealViewSchema.init(template:)) ?? DealViewSchema(machine: nil))
            .knowing(templates.reduce(into: [:]) { all, t in all.merge(t.machines) { a, _ in a } })
        if chosen == nil, templates.count > 1, let (field, span) = spec.firstField(locator ?? .options(spec)),
           case let having = templates.filter({ DealViewSchema(template: $0).fields[field] != nil }),
           // A slip of a built-in key (`ownr`) is said as one, with its did-you-mean, whatever
           // the templates (QA round 24: `--group-by ownr` was told to add `--template`).
           !having.isEmpty || Suggestions.closest(to: field, in: DealViewSchema.Builtin.allCases.map(\.rawValue)) == nil {
            // Located where the field is named (the user gave no --template to point at).
            // The template to add is one whose fields the filter checks against (QA round 18: the
            // EUR template was offered for `amount > 100000 USD`, and FC0421 followed).
            let fitting = having.first { t in
                spec.filter.map { !ExprChecker.check($0, in: DealViewSchema(template: t), expecting: .boolean).hasErrors } ?? true
            } ?? having.first
            var d = ViewMessages.severalTemplates.at(span, templates.map(\.id).joined(separator: ", "))
            if having.isEmpty || fitting == nil {
                // A slip of some template's field: that field, and the template to name.
                let fields = templates.flatMap { t in DealViewSchema(template: t).fieldOrder.map { (t.id, $0) } }
                if let guess = Suggestions.closest(to: field, in: Set(fields.map(\.1))) {
                    let owners = fields.filter { $0.1 == guess }.map(\.0)
                    d = d.help(ViewMessages.Help.didYouMeanFieldOf, guess, owners.joined(separator: ", "), owners.first ?? "")
                } else {
                    d = d.help(ViewMessages.Help.fieldOfNone, field)
                }
            } else {
                d = d.help(ViewMessages.Help.fieldOf, field, having.map(\.id).joined(separator: ", "), fitting?.id ?? "")
            }
            context.writeError(HumanRenderer(color: color).render(d))
            return ExitCode.problems
        }
        // A field whose type differs between the versions in the store (an amount in CNY, then
        // in USD) cannot be compared, sorted or added as one type: refused where the view names
        // it (review V1: 5 USD read as 5 CNY, and added to the CNY amounts).
        if let chosen, !schema.differing.isEmpty {
            let refused = spec.namedFields(locator ?? .options(spec)).compactMap { field, span -> Diagnostic? in
                guard let differing = schema.differing[field] else { return nil }
                return ViewMessages.differingField.at(span, field, chosen.id, Self.versions(differing))
                    .help(ViewMessages.Help.differingField)
            }
            if !refused.isEmpty {
                context.writeError(HumanRenderer(color: color).render(CappedDiagnostics(refused, limit: 100), summary: DiagnosticCounts(counting: refused)))
                return ExitCode.problems
            }
        }
        var defaults = ["deal"] + (chosen == nil ? ["template"] : []) + ["status", "pool", "owner", "node"]
        if let chosen, let amount = ReportQuery.amountField(chosen.machine.machine), let differing = schema.differing[amount] {
            if spec.columns?.isEmpty ?? true {
                context.writeError("note: " + Message(ViewMessages.Note.differingAmount, [amount, chosen.id, Self.versions(differing)]).text + "\n")
            }
        } else if let amount = chosen.flatMap({ ReportQuery.amountField($0.machine.machine) }) {
            defaults.append(amount)
        } else if chosen == nil, templates.count > 1, spec.columns?.isEmpty ?? true, spec.groupBy == nil,
                  templates.contains(where: { ReportQuery.amountField($0.machine.machine) != nil }) {
            // Said, so that an export does not lose its amounts without a word the day a second
            // template's deals enter the store (QA round 11).
            context.writeError("note: the default columns leave out the amount: the store holds deals of several templates (\(templates.map(\.id).joined(separator: ", "))); name one with --template to have it\n")
        }
        defaults.append("created")
        let clock = ExprClock(now: opened.service.clock(), utcOffset: opened.service.utcOffset)
        let compiled: CompiledDealView
        switch CompiledDealView.compile(spec, schema: schema, defaultColumns: defaults, clock: clock, locator: locator ?? .options(spec)) {
        case .failure(let problems):
            var diagnostics = problems.diagnostics
            // An unknown field of an empty store is no typo: nothing is known yet.
            if templates.isEmpty {
                diagnostics = diagnostics.map { [415, 1410].contains($0.code.number) && $0.help == nil ? $0.help(ViewMessages.Help.storeHasNoDeals) : $0 }
            }
            // A field of the version the view was written for, which the stored versions lack:
            // which version has it (QA round 31, P5: a bare "unknown field" after the note).
            if let version = viewOnlyVersion {
                let own = Set(version.machine.fields.map(\.id))
                diagnostics = diagnostics.map { d in
                    guard [415, 1410].contains(d.code.number), let field = d.message.arguments.first, own.contains(field) else { return d }
                    return d.help(ViewMessages.Help.fieldOfViewVersion, field, version.machine.template.id, version.machine.template.version)
                }
            }
            context.writeError(HumanRenderer(color: color).render(
                CappedDiagnostics(diagnostics, limit: 100), summary: DiagnosticCounts(counting: diagnostics)))
            return ExitCode.problems
        case .success(let c): compiled = c
        }
        // A node id no version in the store has: the view is right to match nothing, but a
        // misspelt or renamed id reads as "no deal there" (QA round 16).
        let viewed = chosen.map { [$0] } ?? templates
        if let filter = compiled.filter, !viewed.isEmpty {
            let nodes = viewed.flatMap { $0.machines.values.flatMap { $0.machine.nodes.map(\.id) } }
            let known = Set(nodes)
            for id in filter.comparedNodeIDs where !known.contains(id) {
                let near = Suggestions.closest(to: id, in: known.sorted()).map { " (did you mean `\($0)`?)" } ?? ""
                context.writeError("note: " + Message(ViewMessages.Note.unknownNode, [Names.inline(id), viewed.map { "`\($0.id)`" }.joined(separator: ", "), near]).text + "\n")
            }
        }
        // A template id the store has no deal of: the view is right to match nothing, but a
        // misspelt id (`standard-sale`) reads as "no deal" (review V8).
        if let filter = compiled.filter, !templates.isEmpty {
            let known = templates.map(\.id)
            for id in filter.comparedTemplateIDs where !known.contains(id) {
                let near = Suggestions.closest(to: id, in: known).map { " (did you mean `\($0)`?)" } ?? ""
                context.writeError("note: " + Message(ViewMessages.Note.unknownTemplate, [Names.inline(id), near]).text + "\n")
            }
        }
        do {
            let result = try DealViewEngine.run(compiled, store: opened.store, templateID: chosen?.id)
            var text = DealViewOutput.render(result, DealViewOutput.Format(rawValue: format.rawValue) ?? .table, zone: opened.service.hintZone)
            // CSV on a terminal is read, not parsed: a deal's text does not get to drive the
            // terminal (a title or a clear-screen sequence in a note; CLI review, C17), as in the
            // table. Written to a file or a pipe, the CSV holds the text as it is.
            if format == .csv, context.outputIsTerminal { text = Names.escapingControls(text) }
            context.write(text)
            // A list element holding `;` does not come back whole from the CSV (`flowc run` reads
            // `;` between elements): said, not silently split on the way back.
            if format.rawValue == DealViewOutput.Format.csv.rawValue, case let lists = DealViewOutput.listsWithSeparators(result), !lists.isEmpty {
                let n = lists.count
                let named = lists.prefix(5).joined(separator: ", ") + (n > 5 ? ", and \(n - 5) more" : "")
                context.writeError("note: " + Message(ViewMessages.Note.listSeparator, [String(n), n == 1 ? "" : "s", n == 1 ? "s" : "", named]).text + "\n")
            }
            if !compiled.notShown.isEmpty {
                let names = compiled.notShown.map { "`\($0)`" }.joined(separator: ", ")
                context.writeError("note: " + Message(ViewMessages.Note.notShown, [names]).text + "\n")
            }
            switch result {
            case .rows(_, _, let more) where more > 0:
                context.writeError("note: " + ViewMessages.Note.moreDeals + "\n")
            case .groups(_, _, _, _, let more) where more > 0:
                context.writeError("note: " + Message(ViewMessages.Note.moreGroups, [String(more)]).text + "\n")
            default: break
            }
        } catch {
            return ViewStore.fail(HostError.store(error), opened.path, context)
        }
        return ExitCode.clean
    }

    /// `money(CNY) in 1.0.0 (2 deals), money(USD) in 1.1.0 (1 deal)`: most deals first, then
    /// by version.
    static func versions(_ differing: DealViewSchema.DifferingField) -> String {
        differing.types.sorted { $0.deals != $1.deals ? $0.deals > $1.deals : $0.version < $1.version }.map { "\($0.type) in \($0.version) (\($0.deals) deal\($0.deals == 1 ? "" : "s"))" }.joined(separator: ", ")
    }
}

/// Opening the store for the view commands: never creates one, and backfills the view columns
/// of a store written before schema version 2.
enum ViewStore {
    struct Opened {
        let service: DealService
        let store: any DealViewStore
        let path: String
    }

    static func open(_ options: StoreOptions, _ context: CLIContext) -> Opened? {
        let path = options.path(context)
        if let problem = StoreFile.namesNoFile(path) ?? StoreFile.unreachable(path) {
            _ = fail(problem, StoreOptions.place(path), context)
            return nil
        }
        guard FileManager.default.fileExists(atPath: path) else {
            context.writeError(HostError.noStore(path, defaulted: options.db == nil && StoreOptions.environmentPath(context) == nil), place: path)
            return nil
        }
        guard let service = options.open(context), let store = service.store as? any DealViewStore else { return nil }
        do {
            if (service.store as? SQLiteStore)?.isReadOnly == true {
                // Deals without their view columns (a store upgraded by an older flowc): they
                // are computed as a writing command would, under the writer lock.
                if try !store.unprojectedSnapshots(limit: 1).isEmpty {
                    // The writing open computes them, and its lock goes with it.
                    guard options.open(context, writing: true) != nil else { return nil }
                }
            } else {
                try service.backfillProjections()
            }
        } catch let error as HostError {
            _ = fail(error, path, context)
            return nil
        } catch {
            _ = fail(HostError.store(error), path, context)
            return nil
        }
        return Opened(service: service, store: store, path: path)
    }

    /// A store that failed, or a machine that cannot be loaded, as every store command reports
    /// them (FC1212, FC1210): `PATH: error[FC1212]: the store failed: …`, exit code 2.
    static func fail(_ error: HostError, _ path: String, _ context: CLIContext) -> Int32 {
        context.writeError(error, place: path)
        return ExitCode.usage
    }
}
