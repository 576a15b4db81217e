import ArgumentParser
import FlowHost
import FlowIR
import FlowDiagnostics
import FlowRuntime
import FlowYAML
import Foundation

/// `flowc migrate`: moves open deals to a new version of their template (dry run by default).
struct MigrateCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Move open deals to a new version of their template (a dry run unless --apply).",
        discussion: """
            A deal stays on the compiled template (IR hash) it started on. `flowc migrate` moves \
            open deals to NEW_TEMPLATE, which is checked and compiled first (its errors are printed \
            as by `flowc check`) and kept in the store's machine archive. Without --deal, every \
            deal of the same template id (and, with --from, only those on that version) is \
            considered.

            Nodes are matched by id; --map OLD=NEW (repeatable) and --map-file FILE (a YAML \
            mapping `old_node: new_node`) rename nodes or merge several into one. Fields, roles, \
            deliverables and outcomes are matched by id; pool, owner, idle clock, decisions and \
            node records are carried over; due dates are recomputed from the new version, computed \
            fields and the flow ahead re-evaluated. A field removed from the new version is \
            dropped with a note (its value stays in the log); a value the new field refuses \
            (another type, range or enum) refuses the deal.

            Refused deals (nothing written for them): FC1166 an active, blocked, waiting or done \
            node with no counterpart; FC1167 a mapping to a node that does not exist; FC1169 a node \
            moved to a node of a kind that cannot hold its state (a done node onto an end, or onto \
            a join unless it was one); FC1170 a field value the new version refuses; FC1178 a deal \
            inside a fork that the new version gives a branch it never entered; FC1179 a deal whose \
            open node the new version puts inside a fork it has not entered; FC1182 a deal whose open \
            nodes would come one after another; FC1228 a mapping from a node the deal's \
            version does not have; FC1229 a node moved between the flow and the lose path; FC1201 or FC1202 a deal that the new version's customer \
            identity, normalisation or group makes a duplicate of another open deal; FC1230 a deal \
            on a later version than the target's (a `version:` of numbers compared part by part), \
            said once at the target's `version:` line: --allow-older moves such deals back. Nodes \
            merged into one are checked by the state the merged node keeps (the open one first). \
            Skipped: closed deals (FC1165) and deals already on the target (FC1164) — so running a \
            migration again writes nothing.

            The report lists, per deal that moves or is refused, the versions, every reached \
            node's move, notes, and ok or refused with the code and the reason; then the skipped \
            deals (closed, already on the target) counted by code with their first ids; then a \
            summary with the refusals counted by code (--format json lists every deal). A target \
            that keeps the deals' version number with other content is noted. --apply appends one \
            `migrate` event to each safe deal's log (id `migrate-<target hash>-<n>`), so its \
            snapshot stays the fold of its log; `flowc deal history` and `why` show it.

            Timers already due by the migration's time fire first, on the version the deal is on \
            (a `tick` event before the `migrate` event, with its effects), as `flowc tick` would. \
            What the new version makes due at once (a shorter `due` or `pool.idle`), which the \
            next tick fires, is noted per deal and counted before the summary: nodes past their \
            new due date, deals idle past the new idle return (they go to the public pool, with \
            no warning first when the new warning is past too) or warning. So is a blocked node \
            the new version makes no longer overdue: its move shows `(blocked → active)`, its note \
            the new due date. A done node that the mapping puts after the deal's open nodes (a \
            valid node in the wrong place) moves with a note and `(done, ahead of the deal)`, and \
            such deals are counted: check the mapping.

            Mapping problems found once the map file is read (FC1167, FC1228) are said at their \
            `file:line:column`, with a help for a pair written the wrong way round (`new: old`) \
            and for a node written by its display name.

            Exit codes: 0 no deal refused; 1 a deal was refused, or the template has errors; 2 \
            usage error (a malformed --map, or a node mapped twice, FC1224; a mapping to a node \
            the new version does not have, FC1167, all of them before any deal is read; an \
            unreadable map file, FC1225), an unreadable file, or a store that cannot be opened or \
            written; 75 the store was busy (another writer held it past --lock-timeout; try again); \
            130 stopped by Ctrl-C or TERM: while it waited for the store (FC1242: no deal was \
            changed), while it read the deals (FC1243: it stops at the next deal; nothing was \
            changed, and a dry run prints no report), or while it wrote (the migration, one \
            transaction, is written whole, and a note says so). Also 1 when the store has no deal of the new version's template id but open \
            deals of others (a new version keeps its template's id): the report names them; and \
            when no deal runs on the --from version (FC1231, naming the versions the open deals \
            run on). With --from, the open deals on other versions are noted, not considered.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The new version: a .flow.yaml template or a compiled IR .json.", valueName: "new_template"))
    var to: String

    @Option(name: .long, help: ArgumentHelp("Only deals on this version: a machine hash (sha256:…) or a template file.", valueName: "template_or_hash"))
    var from: String?

    @Option(name: .long, help: ArgumentHelp("A node mapping OLD=NEW (repeatable).", valueName: "old=new"))
    var map: [String] = []

    @Option(name: .long, help: ArgumentHelp("A YAML file of node mappings, `old_node: new_node` per line.", valueName: "file"))
    var mapFile: String?

    @Option(name: .long, help: ArgumentHelp("Only this deal (repeatable).", valueName: "id"))
    var deal: [String] = []

    @Flag(name: .long, help: "Write the migrate events (default: a dry run that writes nothing).")
    var apply = false

    @Flag(name: .long, help: "Move deals back to a target whose version is lower than theirs (default: such deals are refused, FC1230).")
    var allowOlder = false

    /// The forms of the report.
    enum Format: String, HumanFormNamed {
        case human, json
        static var forPeople: Format { .human }
    }

    @Option(name: .customLong("format"), help: ArgumentHelp("The report's format: human or json (default: human; text names it too).", valueName: "format"))
    var formatOption: Format?

    @Flag(name: .long, help: "The same as --format json (as the commands that print one deal or run take it).")
    var json = false

    /// `--format`, or json for `--json`.
    var format: Format { json ? .json : formatOption ?? .human }

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if json, let f = formatOption, f != .json { throw ValidationError("--json asks for JSON and --format for another form: give one of them") }
        if let from, from.hasPrefix("sha256:"), !MachineRegistry.isHash(from) {
            throw ValidationError("--from: `\(from)` is not a machine hash (sha256: and 64 lowercase hex digits)")
        }
    }

    /// A map file's problem (FC1225) as every located diagnostic is written: the place first,
    /// `file:line:column: error[FC1225]: reason`.
    static func located(_ error: HostError) -> String {
        guard error.arguments.count == 2 else { return error.description + "\n" }
        return "\(error.arguments[0]): error[\(error.code)]: \(error.arguments[1])\n"
    }

    @OptionGroup var colors: ColorOptions

    func execute(_ context: CLIContext) -> Int32 {
        colors.apply(to: context)
        // Ctrl-C or TERM: the migration, one transaction, is written whole or not at all; which,
        // is said, exit 130 (QA round 41, A7: the process ended by the signal without a word).
        // Before the write it stops at the next deal, FC1243 (round 43, F6: a dry run went on to
        // its end, and so did `--apply`, which then wrote every deal).
        let interrupts = Interrupts.install()
        defer { interrupts.remove() }
        // The mapping first: a usage problem should not wait for a compile.
        var entries: [NodeMapping] = []
        // Where the map file wrote each entry, for the mapping's problems found later (M8).
        var places: [NodeMapping: NodeMappingInput.LocatedMapping] = [:]
        if let mapFile {
            let data: [UInt8]
            switch InputFile.read(mapFile) {
            case .success(let bytes): data = bytes
            case .failure(let problem):
                context.writeError(Self.located(NodeMappingInput.unreadable(mapFile, reason: problem.reason)))
                return ExitCode.usage
            }
            switch NodeMappingInput.located(data, path: mapFile) {
            case .success(let e):
                entries += e.map(\.mapping)
                for entry in e where places[entry.mapping] == nil { places[entry.mapping] = entry }
            case .failure(let error):
                context.writeError(Self.located(error))
                return ExitCode.usage
            }
        }
        // Every malformed pair at once, as every other problem of the mapping.
        var malformed = false
        // The entries given as `--map OLD=NEW`: a help that rewrites one writes it so (R7).
        var asFlags = Set<NodeMapping>()
        for text in map {
            switch NodeMappingInput.pair(text) {
            case .success(let e):
                entries.append(e)
                if places[e] == nil { asFlags.insert(e) }
            case .failure(let error):
                context.writeError(error.description + "\n")
                malformed = true
            }
        }
        if malformed { return ExitCode.usage }
        switch NodeMappingInput.checked(entries) {
        case .success(let e): entries = e
        case .failure(let error):
            context.writeError(error.description + "\n")
            return ExitCode.usage
        }
        let target: VerifiedMachine
        switch HostTemplates.load(to, context) {
        case .success(let m): target = m
        case .failure(let status): return status.code
        }
        var fromHash: String?
        if let from {
            if from.hasPrefix("sha256:") {
                fromHash = from
            } else {
                switch HostTemplates.load(from, context) {
                case .success(let m): fromHash = m.machine.template.hash
                case .failure(let status): return status.code
                }
            }
        }
        // A target that is not a node of the new version refuses every deal with the node: said
        // once, each of them, before any deal is read.
        let unknownTargets = entries.filter { !Runner.mappingTargetProblems([$0], to: target.machine).isEmpty }
        if !unknownTargets.isEmpty {
            // The mapping's sources that no version of the store's deals has, in the same run
            // (QA rounds 10 and 11: a bad target hid them until it was fixed): read from a dry
            // run that changes nothing; then nothing is migrated. The versions it read tell a
            // mapping written the wrong way round (QA round 27, M8).
            var dry: MigrationReport?
            if FileManager.default.fileExists(atPath: store.path(context)), let service = store.open(context) {
                dry = try? service.migrate(MigrationRequest(target: target, map: entries, fromHash: fromHash, deals: deal, apply: false, allowOlder: true,
                                                            writtenAsFlags: asFlags, stop: { interrupts.isRaised }))
            }
            let reversed = Self.reversedPairs(entries, target: target.machine, sources: dry?.sourceVersions ?? [], asFlags: asFlags)
            for entry in unknownTargets {
                guard let problem = Runner.mappingTargetProblems([entry], to: target.machine).first else { continue }
                var arguments = problem.arguments
                if let hint = reversed[entry], arguments.count == 3 { arguments[2] = hint }
                let place = places[entry].map { $0.newAt + ": " } ?? ""
                context.writeError(place + "error[\(problem.code)]: " + HostMessages.fill(problem.format, arguments) + "\n")
            }
            for source in dry?.unknownSources ?? [] {
                let entry = entries.first { $0.old == source }
                // A pair written the wrong way round has had its one error, at its target.
                if let entry, reversed[entry] != nil, unknownTargets.contains(entry) { continue }
                let place = entry.flatMap { places[$0] }.map { $0.oldAt + ": " } ?? ""
                let hint = entry.flatMap { reversed[$0] } ?? MigrationMessages.nodeHint(source, among: (dry?.sourceVersions ?? []).flatMap(\.nodes))
                context.writeError(place + "error[\(MigrationMessages.unknownSource.code)]: "
                    + HostMessages.fill(MigrationMessages.Report.unknownSource, [source]) + hint + "\n")
            }
            return ExitCode.usage
        }
        guard let service = store.open(context, writing: apply) else { return ExitCode.usage }
        if interrupts.isRaised {
            context.writeError(HostError.interruptedWaiting("the store"))
            return ExitCode.interrupted
        }
        let report: MigrationReport
        do {
            report = try service.migrate(MigrationRequest(target: target, map: entries, fromHash: fromHash, deals: deal, apply: apply, allowOlder: allowOlder,
                                                          writtenAsFlags: asFlags, stop: { interrupts.isRaised }))
        } catch {
            // Stopped before its write: said at the store, as a stop while waiting for it is
            // (QA round 44, R13: the JSON failure had no `location`).
            if error.storeProblem == .interrupted {
                context.writeError(error, place: store.path(context))
                return ExitCode.interrupted
            }
            return HostOutput.fail(error, context)
        }
        if format == .json {
            context.write(HostOutput.encode(report) + "\n")
        } else {
            context.write(MigrateCommand.render(report, places: places).joined(separator: "\n") + "\n")
        }
        // A mapping from a node no version considered has: said once for the run, on standard
        // error with its code and at its place, as FC1167 (QA round 36, C17: on standard output,
        // without its code).
        for source in report.unknownSources {
            let place = places.values.filter { $0.mapping.old == source }.map(\.oldAt).min().map { $0 + ": " } ?? ""
            context.writeError(place + "error[\(MigrationMessages.unknownSource.code)]: " + HostMessages.fill(MigrationMessages.Report.unknownSource, [source])
                + MigrationMessages.nodeHint(source, among: report.sourceVersions.flatMap(\.nodes)) + "\n")
        }
        // Deals refused for a target older than their version: said once, at the target's
        // `version:`, with the option that allows it (QA round 27, M4).
        let older = report.deals.filter { $0.outcome == .refused && $0.code == MigrationMessages.olderTarget.code }
        if !older.isEmpty {
            let versions = Set(older.compactMap(\.fromVersion)).sorted()
            let n = older.count
            context.writeError(Self.versionPlace(to) + "error[\(MigrationMessages.olderTarget.code)]: "
                + HostMessages.fill(MigrationMessages.Report.olderTarget, [report.toVersion, versions.joined(separator: ", "), String(n), n == 1 ? "" : "s"])
                + "\n")
        }
        // A `--from` that no deal runs on matched nothing, as a template id no deal has: not a
        // clean run (QA round 27, M10).
        if let from = report.fromHash, report.deals.isEmpty {
            let others = report.otherVersions.map { HostMessages.fill(MigrationMessages.Phrase.versionDeals, [$0.version, $0.hash, String($0.openDeals)]) }
            let tail = others.isEmpty ? "" : HostMessages.fill(MigrationMessages.Phrase.otherVersionsAre, [report.templateID, others.joined(separator: ", ")])
            context.writeError("error[\(MigrationMessages.noDealOnSource.code)]: " + MigrationMessages.noDealOnSource.render([from, tail]) + "\n")
            return ExitCode.problems
        }
        if interrupts.isRaised {
            context.writeError(apply && report.ok > 0 ? "note: interrupted (Ctrl-C or TERM) while the migration was written: it was written whole, as the report says\n"
                                                       : "note: interrupted (Ctrl-C or TERM): nothing was changed\n")
            return ExitCode.interrupted
        }
        // Nothing found because the new version has another template id is not a clean run.
        return report.refused > 0 || !report.otherTemplates.isEmpty ? ExitCode.problems : ExitCode.clean
    }

    /// The help for each entry written the wrong way round (`new: old`): its old side a node of
    /// the new version, its new side a node of a version the deals run on that the new version
    /// does not have (its old side may be the deals' too: a removed node mapped onto a kept
    /// one, written backwards; QA round 41, M8).
    /// `asFlags`: the entries given as `--map OLD=NEW`, whose help is written in that form.
    static func reversedPairs(_ entries: [NodeMapping], target: Machine, sources: [MigrationReport.SourceVersion],
                              asFlags: Set<NodeMapping>) -> [NodeMapping: String] {
        let targetNodes = Set(target.nodes.map(\.id))
        var out: [NodeMapping: String] = [:]
        for entry in entries where targetNodes.contains(entry.old) && !targetNodes.contains(entry.new) {
            guard let source = sources.first(where: { $0.nodes.contains { $0.id == entry.new } }) else { continue }
            out[entry] = MigrationMessages.reversed(entry, newVersion: target.template.version, oldVersion: source.version, asFlag: asFlags.contains(entry))
        }
        return out
    }

    /// `FILE:LINE:COLUMN: ` of the `version:` value in a template file's `template:` section, or
    /// `FILE: ` when it cannot be found (a compiled machine, a version from `extends`).
    static func versionPlace(_ path: String) -> String {
        guard !HostTemplates.isCompiled(path), case .success(let bytes) = InputFile.read(path) else { return path + ": " }
        let source = SourceFile(path: path, bytes: bytes)
        guard let document = YAMLReader.read(source).document, document.kind(document.root) == .mapping,
              let template = document.pairs(document.root).first(where: { document.text($0.key) == "template" })?.value,
              document.kind(template) == .mapping,
              let version = document.pairs(template).first(where: { document.text($0.key) == "version" })?.value else { return path + ": " }
        let at = source.location(of: document.span(version).start)
        return "\(path):\(at.line):\(at.column): "
    }

    /// The human report: per deal, its versions, node moves, notes and outcome; then the summary.
    /// - Parameter places: where the map file wrote each entry (a mapping from a node no version
    ///   has is said at its place).
    static func render(_ report: MigrationReport, places: [NodeMapping: NodeMappingInput.LocatedMapping] = [:]) -> [String] {
        typealias R = MigrationMessages.Report
        func fill(_ format: String, _ args: String...) -> String { HostMessages.fill(format, args) }
        var lines = [fill(R.registered, report.templateID, report.toVersion, report.toHash)]
        func plural(_ n: Int) -> String { n == 1 ? "" : "s" }
        lines += report.notes.map { "note: " + $0 }
        if !report.otherTemplates.isEmpty {
            lines.append(fill(R.noDealsOfTemplate, report.templateID))
            let others = report.otherTemplates.map { "`\($0.templateID)` (\($0.openDeals))" }
            lines.append(fill(R.note, fill(R.otherTemplates, others.joined(separator: ", "))))
        } else if report.deals.isEmpty {
            lines.append(report.fromHash.map { fill(R.noDealsOnSource, report.templateID, $0) } ?? fill(R.noDeals, report.templateID))
        }
        // The deals `--from` left out are said, not silently missing from the counts (M10).
        if let from = report.fromHash, !report.otherVersions.isEmpty {
            let others = report.otherVersions.map { fill(MigrationMessages.Phrase.versionDeals, $0.version, $0.hash, String($0.openDeals)) }
            lines.append(fill(R.notConsidered, from, others.joined(separator: ", ")))
        }
        // Deals with nothing to review (closed, already moved) are counted by code, not listed one
        // by one (QA round 19: 17,212 closed deals in a report of 60,377 lines).
        var skipped: [String: [String]] = [:]
        for d in report.deals where d.outcome == .skipped { skipped[d.code ?? "?", default: []].append(d.deal) }
        // Deals refused for a target older than their version: one problem of the run, not of
        // each deal; counted with their first ids, as the skipped ones.
        let older = report.deals.filter { $0.outcome == .refused && $0.code == MigrationMessages.olderTarget.code }
        for d in report.deals where d.outcome != .skipped && !(d.outcome == .refused && d.code == MigrationMessages.olderTarget.code) {
            // A deal that could not be read (not in the store) has no version to move from.
            if let version = d.fromVersion, let hash = d.fromHash {
                lines.append(fill(R.deal, d.deal, version, hash, d.toVersion, d.toHash))
            } else {
                lines.append(fill(R.dealUnread, d.deal))
            }
            switch d.outcome {
            case .ok:
                for move in d.moves {
                    if let to = move.to, let becomes = move.becomes {
                        lines.append(fill(R.moveBecomes, move.from, to, move.status.rawValue, becomes.rawValue))
                    } else if let to = move.to, move.aheadOf != nil {
                        lines.append(fill(R.moveAhead, move.from, to, move.status.rawValue))
                    } else if let to = move.to {
                        lines.append(fill(R.move, move.from, to, move.status.rawValue))
                    } else {
                        lines.append(fill(R.drop, move.from, move.status.rawValue))
                    }
                }
                for note in d.notes { lines.append(fill(R.note, note)) }
                lines.append(d.applied ? fill(R.migrated, d.event ?? "") : R.wouldMigrate)
            case .refused:
                lines.append(fill(R.refused, d.code ?? "?", d.reason ?? ""))
                for other in d.alsoRefused { lines.append(fill(R.alsoRefused, other)) }
            case .skipped: break
            }
        }
        for (code, ids) in skipped.sorted(by: { $0.key < $1.key }) {
            let n = String(ids.count), s = plural(ids.count)
            let what = switch code {
            case RuntimeMessages.migrateClosed.code: fill(R.closedDeals, n, s)
            case RuntimeMessages.alreadyOnTarget.code: fill(R.onTarget, n, s)
            default: fill(R.otherSkipped, n, s)
            }
            let shown = ids.prefix(5).joined(separator: ", ") + (ids.count > 5 ? fill(R.andMore, String(ids.count - 5)) : "")
            lines.append(fill(R.skippedGroup, code, what, shown) + (code == RuntimeMessages.migrateClosed.code ? R.closedDealsWhy : ""))
        }
        if !older.isEmpty {
            let ids = older.map(\.deal)
            let shown = ids.prefix(5).joined(separator: ", ") + (ids.count > 5 ? fill(R.andMore, String(ids.count - 5)) : "")
            lines.append(fill(R.olderGroup, MigrationMessages.olderTarget.code, String(ids.count), plural(ids.count), report.toVersion, shown))
        }
        // What the new version makes due at once, counted: the notes of each deal say it, the
        // summary says how many deals, before --apply.
        let moving = report.deals.filter { $0.outcome == .ok }
        var dueParts: [String] = []
        for (kind, format) in [("idle_return", R.idleReturns), ("due", R.overdueNodes), ("idle_warning", R.idleWarnings)] {
            let n = moving.count { $0.dueAtOnce.contains { $0.kind == kind } }
            if n > 0 { dueParts.append(fill(format, fill(R.deals, String(n), plural(n)), n == 1 ? "s" : "")) }
        }
        if !dueParts.isEmpty {
            lines.append(fill(report.dryRun ? R.dueAtOnceDryRun : R.dueAtOnceApplied, dueParts.joined(separator: "; ")))
        }
        // And what it makes no longer overdue (M7), and done nodes it puts ahead of the deal (M5).
        let activeAgain = moving.count { $0.moves.contains { $0.status == .blocked && $0.becomes == .active } }
        if activeAgain > 0 { lines.append(fill(R.activeAgain, fill(R.deals, String(activeAgain), plural(activeAgain)), activeAgain == 1 ? "s" : "")) }
        let doneAhead = moving.count { $0.moves.contains { $0.aheadOf != nil } }
        if doneAhead > 0 { lines.append(fill(R.doneAhead, fill(R.deals, String(doneAhead), plural(doneAhead)), doneAhead == 1 ? "s" : "ve")) }
        var refusedCodes: [String: Int] = [:]
        for d in report.deals where d.outcome == .refused { refusedCodes[d.code ?? "?", default: 0] += 1 }
        let byCode = refusedCodes.isEmpty ? "" : " (" + refusedCodes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
        let counts = [String(report.ok), String(report.refused), String(report.skipped), byCode]
        lines.append(HostMessages.fill(report.dryRun ? R.summaryDryRun : R.summaryApplied, counts))
        return lines
    }
}
