import ArgumentParser
import FlowExpr
import FlowHost
import FlowIR
import FlowRuntime
import Foundation

/// `flowc deal create|event|show|history|why`: one deal at a time.
struct DealCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deal",
        abstract: "Create a deal, apply an event, and read a deal: its state, history and why it is where it is.",
        discussion: """
            Exit codes: 0 done; 1 the runner or the host refused (the code says why: FC11xx \
            runner, FC12xx host; `flowc explain CODE`); 2 usage error, or a store that cannot be \
            opened or written; 75 the store was busy (another writer held it past --lock-timeout; try \
            again); 130 stopped by Ctrl-C or TERM while it waited for the store (FC1242: nothing \
            was changed).
            """,
        subcommands: [DealCreateCommand.self, DealEventCommand.self, DealShowCommand.self, DealHistoryCommand.self, DealWhyCommand.self,
                      DealVerifyCommand.self]
    )
}

struct DealCreateCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a deal on a template.",
        discussion: """
            Values are read by their field's type (`--set amount="80000 CNY"`, \
            `--set expected_close_date=2024-06-30`, `--set products='["crm","bi"]'`). Without \
            --owner the deal starts in the public pool. --record takes a whole deal record, as a \
            line of a deals file. A deal whose customer already has a live deal is refused \
            (FC1201 names the owner; FC1202 points to the public-pool deal to claim).
            """
    )

    @Argument(help: "The template (a .flow.yaml file, or a compiled IR .json).")
    var template: String

    @Option(name: .long, help: "The deal's id.")
    var id: String?

    @Option(name: .long, help: "The owner (the deal goes to their private pool).")
    var owner: String?

    @Option(name: .long, help: "Who creates the deal (default: the owner).")
    var by: String?

    @OptionGroup var at: CreationTimeOption

    @Option(name: .long, help: ArgumentHelp("A field value, FIELD=VALUE (repeatable).", valueName: "field=value"))
    var set: [FieldArgument] = []

    @Option(name: .long, help: ArgumentHelp("A role member, ROLE=PERSON (repeatable).", valueName: "role=person"))
    var role: [RoleArgument] = []

    @Option(name: .long, help: ArgumentHelp("A whole deal record as JSON (instead of --id, --owner, --set, --role).", valueName: "json"))
    var record: String?

    @Flag(name: .long, help: "The deal is one its owner already holds (an import from another system): the claim quota (FC1151) does not refuse it. Logged with the creation.")
    var waiveQuota = false

    @Flag(name: .long, help: "A retry: a deal already in the store, created by the same values (owner, fields, role members; the time may differ), is this creation sent again: exit 0, nothing changed (a --record's events not yet logged are applied); created by other values it is refused (FC1204).")
    var retry = false

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if record == nil && id == nil { throw ValidationError("give the deal's --id (or a whole --record)") }
        if record != nil && (id != nil || owner != nil || by != nil || at.at != nil || !set.isEmpty || !role.isEmpty) {
            throw ValidationError("--record replaces --id, --owner, --by, --at, --set and --role (give them in the record)")
        }
    }

    @OptionGroup var colors: ColorOptions

    func execute(_ context: CLIContext) -> Int32 {
        colors.apply(to: context)
        let deal: DealRecord
        if let record {
            let parsed: Result<DealRecord, HostError>
            switch JSONValue.parse(Array(record.utf8)) {
            case .success(let value): parsed = RecordReader.dealRecord(value, zone: store.effectiveOffset)
            case .failure(let e):
                // Data, as a record that is JSON but wrong is (QA round 13: exit 2 here, 1 there).
                return HostOutput.fail(HostError.malformedRecord("--record is not JSON: \(e)"), context)
            }
            switch parsed {
            case .success(let r): deal = r
            case .failure(let e): return HostOutput.fail(e, context)
            }
        } else {
            deal = DealRecord(create: NewDealInput(dealID: id ?? "", at: at.value ?? .now, owner: owner, actor: by ?? owner,
                                                   fields: set.map(\.value), members: role.map(\.value)))
        }
        let verified: VerifiedMachine
        switch HostTemplates.load(template, context) {
        case .success(let m): verified = m
        case .failure(let status): return status.code
        }
        guard let service = store.open(context, creating: true, writing: true) else { return ExitCode.usage }
        let machine: PreparedMachine
        do { machine = try service.machines.register(verified) } catch { return HostOutput.fail(error, context) }
        service.quotaWaived = waiveQuota
        switch service.create(deal.create, machine: machine, events: deal.events, repeated: retry ? .skip : .refuse) {
        case .failure(let error): return HostOutput.fail(error, context)
        case .success(let outcome):
            let t = machine.machine.template
            let heading: String
            if outcome.created {
                heading = "created deal `\(Names.inline(outcome.dealID))` on `\(t.id)` \(t.version) (\(outcome.applied) event\(outcome.applied == 1 ? "" : "s"))"
            } else if outcome.applied == 0 {
                heading = "already created: deal `\(Names.inline(outcome.dealID))`, by the same values; nothing changed"
            } else {
                heading = "already created: deal `\(Names.inline(outcome.dealID))`, by the same values; applied \(outcome.applied) of its events not yet logged"
            }
            HostOutput.report(heading, outcome, json: json, zone: service.hintZone, context)
            if outcome.created {
                HostOutput.noteNewerVersion(service, machine, subject: "deal `\(Names.inline(outcome.dealID))` runs", context)
                // Created with an old `--at`, as `flowc run` says of its deals (QA round 23).
                let clock = service.clock()
                if let next = outcome.index.nextTimerAt, next.millisecondsSinceEpoch <= clock * 1000 {
                    context.writeError("note: deal `\(Names.inline(outcome.dealID))` has a timer already due by the clock "
                        + "(\(HostOutput.time(clock, service.hintZone))): the next `flowc tick` fires it at once\n")
                }
            }
            return ExitCode.clean
        }
    }
}

struct DealEventCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "event",
        abstract: "Apply an event to a deal, on the machine the deal started on.",
        discussion: """
            The event is a JSON step with exactly one action: {"set": {"quote": "80000 CNY"}}, \
            {"deliverables": {"node": "initial_talks", "done": ["first_visit_record"]}}, \
            {"complete": "negotiation_review", "outcome": "approve"}, {"rework": "contract_signing", \
            "to": "proposal_quotation", "reason": "…"}, {"add_member": {"role": "legal", "person": \
            "lee"}}, {"join_chat": {"person": "olga"}}, {"lose": "price"}, {"win": true}, \
            {"claim": true}, {"release": true}, {"assign": "bob"}, {"tick": true}, {"add_note": {"node": "initial_talks", "text": \
            "…"}}, {"add_link": {"node": "proposal_quotation", "url": "https://…", "title": "…"}}; \
            it may carry `by` (a note's or link's author), `at` and `id` too. --set, --complete, \
            --note and --link are shorthands (--note and --link take the node from --node).
            """
    )

    @Argument(help: "The deal's id.")
    var deal: String

    @Argument(help: "The event as JSON (a scenario-style step).")
    var step: String?

    @Option(name: .long, help: ArgumentHelp("Set a field, FIELD=VALUE (repeatable).", valueName: "field=value"))
    var set: [FieldArgument] = []

    @Option(name: .long, help: ArgumentHelp("Complete an open node.", valueName: "node"))
    var complete: String?

    @Option(name: .long, help: "The outcome of the approval completed with --complete.")
    var outcome: String?

    @Option(name: .long, help: ArgumentHelp("Attach a note (a node record) to --node.", valueName: "text"))
    var note: String?

    @Option(name: .long, help: ArgumentHelp("Attach a document link (http or https) to --node.", valueName: "url"))
    var link: String?

    @Option(name: .long, help: "The title of the link attached with --link.")
    var title: String?

    @Option(name: .long, help: ArgumentHelp("The node a --note or --link is attached to.", valueName: "node"))
    var node: String?

    @Option(name: .long, help: "Who acts.")
    var by: String?

    @OptionGroup var at: EventTimeOption

    @Option(name: .long, help: "The event's id (default: auto-N, N its position in the log).")
    var id: String?

    @Flag(name: .long, help: "The host vouches that the actor may assign deals (the template's pool.assign_by role).")
    var canAssign = false

    @Flag(name: .long, help: "A retry: an event already in the deal's log under this id (--id, or `id` in the step) with the same action is the same event sent again, skipped with exit 0; with another action it is refused (FC1205).")
    var retry = false

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if retry && id == nil && step == nil { throw ValidationError("--retry needs the event's id (--id): without one, each call is a new event") }
        let given = [step != nil, !set.isEmpty, complete != nil, note != nil, link != nil].filter { $0 }.count
        if given != 1 { throw ValidationError("give exactly one action: a JSON step, --set, --complete, --note or --link") }
        if outcome != nil && complete == nil { throw ValidationError("--outcome goes with --complete") }
        if (note != nil || link != nil) != (node != nil) { throw ValidationError("--note and --link go with --node (and --node with one of them)") }
        if title != nil && link == nil { throw ValidationError("--title goes with --link") }
    }

    @OptionGroup var colors: ColorOptions

    /// Why the step argument is not JSON: the parser's words when it starts as a JSON object
    /// does, else what a step looks like (review of the CLI, C10: `'not json'` was said to
    /// expect `null`, the parser's guess from its first letter).
    static func notJSON(_ step: String, _ error: some Error) -> String {
        guard step.drop(while: { $0.isWhitespace }).first == "{" else {
            return "the event `\(Names.inline(String(step.prefix(40)) + (step.count > 40 ? "…" : "")))` is not a JSON object: a step is written "
                + #"`{"set": {"quote": "80000 CNY"}}`, `{"complete": "discovery"}`, …, or use --set, --complete, --note or --link"#
        }
        return "the event is not JSON: \(error)"
    }

    func execute(_ context: CLIContext) -> Int32 {
        colors.apply(to: context)
        var event: EventInput
        if let step {
            switch JSONValue.parse(Array(step.utf8)) {
            case .failure(let e):
                return HostOutput.fail(HostError.malformedRecord(Self.notJSON(step, e)), context)
            case .success(let value):
                // Said twice, once in the step and once as an option: which one is meant is unknown.
                for (key, option) in [("id", id != nil), ("at", at.at != nil), ("by", by != nil), ("can_assign", canAssign)]
                where option && value[key] != nil {
                    context.writeError("error: the step gives `\(key)` and so does --\(key.replacingOccurrences(of: "_", with: "-")): give it once\n")
                    return ExitCode.usage
                }
                do { event = try RecordReader.event(value, path: "", defaultTime: .now, zone: store.effectiveOffset) } catch { return HostOutput.fail(error, context) }
            }
        } else if let complete {
            event = EventInput(.complete(node: complete, outcome: outcome))
        } else if let note, let node {
            event = EventInput(.note(node: node, text: note))
        } else if let link, let node {
            event = EventInput(.link(node: node, url: link, title: title))
        } else {
            event = EventInput(.set(set.map(\.value)))
        }
        if let by { event.actor = by }
        if let time = at.value { event.at = time }
        if let id { event.id = id }
        if canAssign { event.canAssign = true }
        if retry && event.id == nil {
            context.writeError("error: --retry needs the event's id (--id, or `id` in the step): without one, each call is a new event\n")
            return ExitCode.usage
        }
        guard let service = store.open(context, writing: true) else { return ExitCode.usage }
        return DealEventCommand.apply(event, to: deal, service: service, json: json, repeated: retry ? .skip : .refuse, context)
    }

    /// Applies one event and prints the result (shared with the pool commands).
    static func apply(_ event: EventInput, to deal: String, service: DealService, json: Bool, repeated: RepeatedEvents = .refuse,
                      _ context: CLIContext) -> Int32 {
        switch service.apply([event], to: deal, repeated: repeated) {
        case .failure(let error): return HostOutput.fail(error, context)
        case .success(let outcome):
            // The deal as stored: its id without the blanks a command line may have around it.
            let shown = Names.inline(outcome.dealID)
            let title = outcome.applied == 0 && outcome.skipped > 0
                ? "already applied: `\(event.action.name)` to deal `\(shown)` (event `\(Names.inline(event.id ?? ""))`); nothing changed"
                : "applied `\(event.action.name)` to deal `\(shown)`"
            HostOutput.report(title, outcome, json: json, zone: service.hintZone, context)
            // A deal claimed or assigned out of the public pool (a lost one reopens) on an old version.
            switch event.action {
            case .claim, .assign:
                if outcome.applied > 0, let view = try? service.view(outcome.dealID) {
                    HostOutput.noteNewerVersion(service, view.machine, subject: "deal `\(shown)` runs", context)
                }
            default: break
            }
            return ExitCode.clean
        }
    }
}

struct DealShowCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show a deal: status, pool, owner, open nodes, fields, roles, group chats, next timer."
    )

    @Argument(help: "The deal's id.")
    var deal: String

    @Flag(name: .long, help: "Print the deal as JSON: the snapshot with fields, nodes, roles and deliverables by id, and the next timer (docs/json.md).")
    var json = false

    @Flag(name: .long, help: "Print the snapshot as stored (JSON): fields, nodes and roles in the order of the deal's compiled template.")
    var snapshot = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if json && snapshot { throw ValidationError("--json and --snapshot are two forms: give one") }
    }

    func execute(_ context: CLIContext) -> Int32 {
        guard let service = store.open(context) else { return ExitCode.usage }
        let view: DealView
        do { view = try service.view(deal) } catch { return HostOutput.fail(error, context) }
        let s = view.snapshot
        if snapshot {
            context.write(String(decoding: s.encoded(), as: UTF8.self) + "\n")
            return ExitCode.clean
        }
        if json {
            context.write(NamedSnapshot.json(view.machine, s) + "\n")
            return ExitCode.clean
        }
        let m = view.machine.machine
        let zone = service.hintZone
        var lines = Array(Runner.explain(m, s, utcOffset: zone).prefix(1 + s.openNodes.count))
        lines.append("template `\(m.template.id)` \(m.template.version) (\(m.template.hash))")
        lines.append("created \(HostOutput.time(s.createdAt, zone)); \(s.sequence) event\(s.sequence == 1 ? "" : "s"), the last `\(s.lastEventID)` at \(HostOutput.time(s.lastEventAt, zone))")
        if let p = s.probability { lines.append("probability: \(p)%") }
        // A timer the clock (`--now`) has passed waits for the next `flowc tick` (QA round 44,
        // A9: the node read active, its due date days behind, with no word).
        let next = Runner.nextTimer(view.machine, s)
        let passed = next.map { $0 <= service.clock() && s.status == .open } == true ? " (passed: the next `flowc tick` fires it, and what else is due)" : ""
        lines.append("next timer: " + (next.map { HostOutput.time($0, zone) } ?? "none") + passed)
        if let reason = s.loseReason { lines.append("lose reason: \(reason)") }
        // How a deal in the public pool got there, and from whom (QA round 24, m5: only `--json`
        // said it).
        if case (let since?, let arrival?) = DealService.poolArrival(s) {
            let from = arrival.previousOwner.map { "`\(Names.inline($0))`" } ?? "nobody"
            let how = switch arrival.how {
            case "lost": "lost by \(from)" + (arrival.reason.map { " (\(Names.inline($0)))" } ?? "")
            case "idle": "taken back from \(from) by the idle timer"
            case "released": "released by \(from)"
            default: "created without an owner"
            }
            lines.append("in the public pool since \(HostOutput.time(since, zone)): \(how)")
        }
        // A datetime field's value in the command's zone, as every other time here (QA round 25).
        func shown(_ value: ExprValue) -> String {
            if case .datetime(let seconds) = value { return HostOutput.time(seconds, zone) }
            return value.description
        }
        // The customer first (S3, S11): the fields that identify it, then its profile, each with
        // its value or `—`; then the deal's other fields that have a value.
        let customerSlots = m.customer.identity + m.customer.profile.filter { !m.customer.identity.contains($0) }
        if !customerSlots.isEmpty {
            lines.append("customer:")
            for slot in customerSlots where m.fields.indices.contains(slot) {
                let value = s.fields.indices.contains(slot) ? s.fields[slot] : nil
                lines.append("  \(m.fields[slot].id) = \(value.map { Names.inline(shown($0)) } ?? "—")")
            }
        }
        lines.append("fields:")
        for (slot, value) in s.fields.enumerated() where !customerSlots.contains(slot) {
            guard let value, m.fields.indices.contains(slot) else { continue }
            lines.append("  \(m.fields[slot].id) = \(Names.inline(shown(value)))")
        }
        lines.append("roles:")
        for (r, people) in s.roleMembers.enumerated() where !people.isEmpty && m.roles.indices.contains(r) {
            lines.append("  \(m.roles[r].id): \(people.joined(separator: ", "))")
        }
        // S10: the chats and who is in them (by role or by `join_chat`), with the id `join_chat` takes
        // and where the template creates each, so that two chats can be told apart.
        if !s.groupChats.isEmpty {
            lines.append("group chats:")
            for chat in s.groupChats {
                let origin = DealShowCommand.chatOrigin(m, effect: chat.effect).map { " (\($0))" } ?? ""
                lines.append("  \(chat.chatID)\(origin): " + (chat.members.isEmpty ? "nobody" : chat.members.joined(separator: ", ")))
            }
        }
        lines += DealShowCommand.deliverables(m, s)
        lines += DealShowCommand.records(m, s, zone: zone)
        context.write(lines.joined(separator: "\n") + "\n")
        return ExitCode.clean
    }
}

extension DealShowCommand {
    /// Where the template creates the chat of `group_chat` effect `effect`: ``on_enter` of
    /// `requirement_negotiation`` (or a template-wide trigger); nil when no trigger names it.
    static func chatOrigin(_ m: Machine, effect: Int) -> String? {
        for node in m.nodes {
            if node.onEnter.contains(effect) { return "on_enter of `\(node.id)`" }
            if node.onComplete.contains(effect) { return "on_complete of `\(node.id)`" }
        }
        return m.triggers.keys.sorted().first { m.triggers[$0]?.contains(effect) == true }
    }

    /// The checklists of the open nodes (S8: tasks down to each deliverable):
    /// `  `solution_review` (active): 1 of 2 done: `solution_doc` done, `demo_record` to do`.
    static func deliverables(_ m: Machine, _ s: DealSnapshot) -> [String] {
        var lines: [String] = []
        for n in s.openNodes where m.nodes.indices.contains(n) && !m.nodes[n].deliverables.isEmpty {
            let ids = m.nodes[n].deliverables
            let done = s.nodes[n].deliverables
            let items = ids.enumerated().map { i, id in "`\(id)` " + (i < done.count && done[i] ? "done" : "to do") }
            let count = ids.indices.filter { $0 < done.count && done[$0] }.count
            lines.append("  `\(m.nodes[n].id)` (\(s.nodes[n].status.rawValue)): \(count) of \(ids.count) done: " + items.joined(separator: ", "))
        }
        return lines.isEmpty ? [] : ["deliverables:"] + lines
    }

    /// Node records (S9) under their node, in node order, oldest first:
    /// `  `initial_talks` (done):` then `    2024-05-06T02:00:00Z note by `amy`: 客户希望下周演示`.
    static func records(_ m: Machine, _ s: DealSnapshot, zone: Int64?) -> [String] {
        guard !s.records.isEmpty else { return [] }
        var lines = ["records:"]
        for n in m.nodes.indices {
            let here = s.records.filter { $0.node == n }
            guard !here.isEmpty else { continue }
            let status = s.nodes.indices.contains(n) ? s.nodes[n].status.rawValue : "?"
            lines.append("  `\(m.nodes[n].id)` (\(status)):")
            for r in here {
                let by = r.author.map { " by `\($0)`" } ?? ""
                let body: String
                switch r.kind {
                case .note: body = r.text
                case .link: body = r.text == r.url ? "<\(r.url ?? "")>" : "\(r.text) <\(r.url ?? "")>"
                }
                // One line per record: line breaks in a note are shown as `↵`, escapes as codes.
                lines.append("    \(HostOutput.time(r.at, zone)) \(r.kind.rawValue)\(by): \(Names.inline(body))")
            }
        }
        if s.recordsDropped > 0 { lines.append("  (\(s.recordsDropped) older records were dropped from the snapshot; the log keeps them)") }
        return lines
    }
}

struct DealHistoryCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List a deal's events, with the nodes each moved and the effects it emitted."
    )

    @Argument(help: "The deal's id.")
    var deal: String

    @Flag(name: .long, help: "Print the log entries as JSON Lines: each logged event and its context as stored, with its sequence, the effects it emitted and the nodes it moved.")
    var json = false

    @OptionGroup var store: StoreOptions

    func execute(_ context: CLIContext) -> Int32 {
        guard let service = store.open(context) else { return ExitCode.usage }
        if json {
            do {
                // A deal the store does not have is FC1203, as in the human form: an empty log
                // would read as a deal with no events (QA round 11).
                let entries = try service.storedLog(deal)
                // Replayed for what each event did (QA round 11: the outbox's `event_seq` could
                // be matched to a line only by counting lines, and the effects were missing).
                var replayed: [HistoryEntry] = []
                var unreplayable: HostError?
                do { replayed = try service.history(deal) } catch where error.is(HostMessages.machineUnavailable) {
                    // The log is still the log: shown as stored, without what a replay adds
                    // (QA round 13: the whole output failed for want of the compiled template).
                    unreplayable = error
                }
                for (i, entry) in entries.enumerated() {
                    context.write(Self.line(entry, sequence: Int64(i + 1), replayed: i < replayed.count ? replayed[i] : nil) + "\n")
                }
                if let unreplayable {
                    context.writeError("note: the lines carry no effects or moves, since the deal cannot be replayed: \(unreplayable.description)\n")
                    return ExitCode.clean
                }
                if let shortfall = try service.historyShortfall(deal, replayed) { return HostOutput.fail(shortfall, context) }
                return ExitCode.clean
            } catch {
                return HostOutput.fail(error, context)
            }
        }
        let entries: [HistoryEntry]
        do { entries = try service.history(deal) } catch where error.is(HostMessages.machineUnavailable) {
            // The log as stored, as `--json` shows it without the machine (QA round 15): each
            // event, without the nodes it moved and the effects it emitted.
            do {
                for (i, entry) in try service.storedLog(deal).enumerated() {
                    context.write(DealService.eventLine(entry.event, sequence: Int64(i + 1), utcOffset: service.hintZone) + " [`\(entry.event.id)`]\n")
                }
            } catch {
                return HostOutput.fail(error, context)
            }
            context.writeError("note: the nodes each event moved and the effects it emitted are not shown, since the deal cannot be replayed: \(error.description)\n")
            return ExitCode.clean
        } catch {
            return HostOutput.fail(error, context)
        }
        for e in entries {
            context.write(DealService.eventLine(e.event, sequence: e.sequence, utcOffset: service.hintZone) + " [`\(e.event.id)`]\n")
            if !e.moves.isEmpty { context.write("    " + e.moves.joined(separator: "; ") + "\n") }
            if !e.effects.isEmpty { context.write("    effects: " + e.effects.map(\.kind.rawValue).joined(separator: ", ") + "\n") }
        }
        // A log that stops replaying: what could be shown is, then why the rest cannot be.
        do {
            if let shortfall = try service.historyShortfall(deal, entries) { return HostOutput.fail(shortfall, context) }
        } catch {
            return HostOutput.fail(error, context)
        }
        return ExitCode.clean
    }
}

extension DealHistoryCommand {
    /// One line of `--json`: the stored entry (`context`, `event`, `schemaVersion`) with
    /// `sequence`, and, when the event replayed, `effects` (id and kind of each) and `moves`.
    static func line(_ entry: LoggedEvent, sequence: Int64, replayed: HistoryEntry?) -> String {
        struct Extra: Encodable {
            struct EffectRef: Encodable { var id: String; var kind: String }
            var effects: [EffectRef]?
            var moves: [String]?
            var sequence: Int64
        }
        var extra = Extra(sequence: sequence)
        if let replayed, replayed.sequence == sequence {
            extra.effects = replayed.effects.map { Extra.EffectRef(id: $0.id, kind: $0.kind.rawValue) }
            extra.moves = replayed.moves
        }
        let stored = String(decoding: entry.encoded(), as: UTF8.self)
        let more = HostOutput.encode(extra)
        // Both are objects: the stored one's keys, then the others.
        guard stored.hasSuffix("}"), more.hasPrefix("{"), more.count > 2 else { return stored }
        return String(stored.dropLast()) + "," + String(more.dropFirst())
    }
}

struct DealWhyCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "why",
        abstract: "Explain why a deal is where it is: the path taken, with every branch and tailoring decision.",
        discussion: """
            For each event: the nodes it completed, skipped, closed, reset and entered, and each \
            decision taken during it — a branch condition or a tailoring `when` with its value and \
            the field values it read, an approval outcome, a rework and its reason, a loss, a timer.

            This is for people. A program reads the same in JSON from `flowc deal show --json` \
            (`decisions`: each condition with its value and the field values it read) and \
            `flowc deal history --json` (each event with what it moved).
            """
    )

    @Argument(help: "The deal's id.")
    var deal: String

    @OptionGroup var store: StoreOptions

    func execute(_ context: CLIContext) -> Int32 {
        guard let service = store.open(context) else { return ExitCode.usage }
        do {
            let (lines, shortfall) = try service.explanation(deal)
            context.write(lines.joined(separator: "\n") + "\n")
            // `why` names the problem of a log that stops replaying in its last line; it fails too.
            if let shortfall { return HostOutput.fail(shortfall, context) }
            return ExitCode.clean
        } catch {
            return HostOutput.fail(error, context)
        }
    }
}

/// `flowc deal verify [ID...]`: the store's central guarantee, checked: each deal's stored
/// snapshot equals the fold of its event log.
struct DealVerifyCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that each deal's stored snapshot is the fold of its event log (every deal, or those given).",
        discussion: """
            Replays each deal's log with the machines it ran on and compares the result with the \
            stored snapshot and its log length. Reads every event of every deal it checks. \
            Without deals named, it also checks the store's own structure: SQLite's quick_check \
            of every page of the file (the timer index, the outbox and the other indexes no log \
            reads) and the schema's tables. Exit codes: 0 every deal checked matches (and the \
            structure is sound); 1 some deal differs or cannot be replayed (each is named, with \
            why), a deal named is not in the store (FC1203), or the structure check found a \
            problem (each is said); 2 usage error, or a store that cannot be opened; 75 another \
            program held the store's database past --lock-timeout (try again).
            """
    )

    @Argument(help: "The deals to check (default: every deal of the store).")
    var deals: [String] = []

    @Flag(name: .long, help: "Print the result as one JSON object: the deals checked, those that differ with why, those not in the store, the structure's problems.")
    var json = false

    @OptionGroup var store: StoreOptions

    func execute(_ context: CLIContext) -> Int32 {
        guard let service = store.open(context) else { return ExitCode.usage }
        let ids: [String]
        if deals.isEmpty {
            do { ids = try service.store.allDealIDs() } catch { return HostOutput.fail(HostError.store(error), context) }
        } else {
            // Each deal once, in the order given (QA round 30, N15: listed as often as named).
            var seen = Set<String>()
            ids = deals.filter { seen.insert($0).inserted }
        }
        // A deal named but not in the store is no deal whose snapshot differs: counted apart.
        // Why each differs: the replay's words, or a coded failure (a stored deal that cannot be
        // read), its code apart in JSON (QA round 31: `error[FC1213]: …` inside the text).
        var differing: [(deal: String, code: String?, problem: String)] = [], missing: [String] = []
        for id in ids {
            do {
                let check = try service.replay(id)
                if let problem = check.problem {
                    differing.append((id, nil, problem))
                    if !json { context.write(check.description + "\n") }
                }
            } catch {
                if error.code == HostMessages.unknownDeal.code { missing.append(id) } else { differing.append((id, error.code, error.message)) }
                if !json { context.write("\(id): \(error.description)\n") }
            }
        }
        let checked = ids.count - missing.count
        // The store's own structure, which no deal's log reads (QA round 41, A4): checked when
        // the whole store is.
        var structure: [String] = []
        if deals.isEmpty {
            do { structure = try service.store.structureProblems(limit: 20) } catch { return HostOutput.fail(HostError.store(error), context) }
            if !json { for problem in structure { context.write("store: \(problem)\n") } }
        }
        if json {
            struct Out: Encodable {
                struct Differing: Encodable {
                    var deal: String, code: String?, problem: String
                    enum CodingKeys: String, CodingKey { case deal, code, problem }
                    /// `code` is always there, `null` for a fold that differs.
                    func encode(to encoder: any Encoder) throws {
                        var c = encoder.container(keyedBy: CodingKeys.self)
                        try c.encode(deal, forKey: .deal)
                        try c.encode(code, forKey: .code)
                        try c.encode(problem, forKey: .problem)
                    }
                }
                var checked: Int, matching: Int, differing: [Differing], missing: [String], structure: [String]
            }
            context.write(HostOutput.encode(Out(checked: checked, matching: checked - differing.count,
                                                differing: differing.map { Out.Differing(deal: $0.deal, code: $0.code, problem: $0.problem) },
                                                missing: missing, structure: structure)) + "\n")
        } else {
            let count = "\(checked) deal\(checked == 1 ? "" : "s")"
            var summary = differing.isEmpty ? "verified \(count): each snapshot is the fold of its log"
                : "verified \(count): \(differing.count) differ\(differing.count == 1 ? "s" : "")"
            if !missing.isEmpty { summary += "; \(missing.count) not in the store" }
            if !structure.isEmpty {
                summary += "; the store's structure has \(structure.count == 20 ? "at least 20 problems" : structure.count == 1 ? "1 problem" : "\(structure.count) problems"): restore the store from a backup"
            } else if deals.isEmpty {
                summary += "; the store's structure is sound"
            }
            context.write(summary + "\n")
        }
        return differing.isEmpty && missing.isEmpty && structure.isEmpty ? ExitCode.clean : ExitCode.problems
    }
}
