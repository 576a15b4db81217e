import ArgumentParser
import FlowHost
import FlowIR
import FlowRuntime
import FlowStore
import FlowViews
import Foundation

/// `flowc pool list|claim|release|assign|sweep`: the public and private pools (S4, S12).
struct PoolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pool",
        abstract: "List the pools, claim, release and assign deals, and return idle deals to the public pool.",
        discussion: """
            Claiming respects the template's quota and cooldown, assigning its `pool.assign_by` \
            role. Exit codes: 0 done; 1 refused (`flowc explain CODE`); 2 usage error, or a store \
            that cannot be opened or written; 75 the store was busy (another writer held it past \
            --lock-timeout; try again); 130 stopped by Ctrl-C or TERM while it waited for the \
            store (FC1242: nothing was changed). `pool sweep` has its own.
            """,
        subcommands: [PoolListCommand.self, PoolClaimCommand.self, PoolReleaseCommand.self, PoolAssignCommand.self, PoolSweepCommand.self]
    )
}

/// `public` or `private`.
enum PoolName: String, ExpressibleByArgument, CaseIterable {
    case `public`, `private`
}

struct PoolListCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the deals of a pool: id, owner, status, open nodes, customer, amount, how and since when in the public pool, next timer."
    )

    @Argument(help: "The pool: public (default) or private.")
    var pool: PoolName = .public

    // The person and the deal id without the blanks around them, as a record or another
    // command reads them (review of the views, V5: `--owner ' rep01 '` listed nothing).
    @Option(name: .long, help: "Only this person's deals (private pool).", transform: RecordReader.person)
    var owner: String?

    @Option(name: .long, help: "At most this many deals (0: the whole pool).")
    var limit = 100

    @Option(name: .long, help: ArgumentHelp("Start after this deal id (paging).", valueName: "id"), transform: RecordReader.person)
    var after: String?

    @Flag(name: .long, help: "One JSON object per deal.")
    var json = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit must be 0 (the whole pool) or more") }
        if owner != nil && pool == .public { throw ValidationError("--owner goes with the private pool: deals in the public pool have no owner") }
        // An empty name names no one (QA round 28, R4: "0 deals in the private pool of ``").
        if owner?.isEmpty == true { throw ValidationError("--owner: give a person's id; an empty name is no one's") }
    }

    func execute(_ context: CLIContext) -> Int32 {
        guard let service = store.open(context) else { return ExitCode.usage }
        let filter: OwnerFilter = owner.map { .person($0) } ?? (pool == .public ? .nobody : .anyone)
        // Read a page at a time and written as read, so that the whole pool (`--limit 0`) is
        // never held at once.
        let listed: Int, last: String?, more: Bool
        // Each deal's machine names its customer field and its amount's currency; one read per
        // version. A machine missing from the archive (opening the store said so) leaves those
        // two to what the stored columns alone tell.
        var machines: [String: Machine?] = [:]
        func machine(_ deal: StoredDeal) -> Machine? {
            let hash = deal.index.templateHash
            if let known = machines[hash] { return known }
            let found = try? service.machines.machine(hash: hash, for: deal.dealID).machine
            machines[hash] = found
            return found
        }
        do {
            (listed, last, more) = try PagedListing.each(
                limit: limit, after: after, fetch: { try service.store.deals(inPool: pool.rawValue, owner: filter, after: $0, limit: $1) },
                key: { $0.dealID }, write: { write(PoolListRow($0, machine: machine($0)), zone: service.hintZone, context) })
        } catch {
            return HostOutput.fail(HostError.store(error), context)
        }
        if json {
            // Standard output is the deals only; that more follow is said beside it (QA round 13:
            // a listing cut at --limit said nothing).
            if more, let last { context.writeError("note: more deals follow: --after \(last)\n") }
        } else {
            let whose = "the \(pool.rawValue) pool\(owner.map { " of `\($0)`" } ?? "")"
            // On standard error, as `outbox list` says its count: standard output is the deals.
            if more, let last {
                context.writeError("the first \(listed) deal\(listed == 1 ? "" : "s") of \(whose); more follow (--after \(last))\n")
            } else {
                context.writeError("\(listed) deal\(listed == 1 ? "" : "s") in \(whose)\(after == nil ? "" : " after `\(after ?? "")`")\n")
            }
        }
        return ExitCode.clean
    }

    /// One deal: a JSON line, or `DEAL  OWNER  STATUS  NODES  customer …  amount …  in the pool
    /// since … (how, from whom)  next timer …`, each labelled part only when the deal has it.
    func write(_ row: PoolListRow, zone: Int64?, _ context: CLIContext) {
        struct Row: Encodable {
            var deal: String, pool: String?, owner: String?, status: String, nodes: [String], nextTimer: Int64?, template: String
            /// The template's id and the hash of the version the deal runs on, named as the other
            /// outputs name them: `template` is the hash, kept for the scripts that read it, and
            /// `flowc deals` calls the id `template` (review of the CLI, C7).
            var templateID: String?, machineHash: String
            var customer: String?, amount: Decimal?, currency: String?
            var poolSince: Int64?, poolHow: String?, poolFrom: String?, poolReason: String?
            enum CodingKeys: String, CodingKey {
                case deal, pool, owner, status, nodes, nextTimer = "next_timer", template, templateID = "template_id", machineHash = "machine_hash"
                case customer, amount, currency
                case poolSince = "pool_since", poolHow = "pool_how", poolFrom = "pool_from", poolReason = "pool_reason"
            }

            /// Every key on every line, `null` when there is no value (a missing key read as a
            /// deal without the field, not as one with no timer).
            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(deal, forKey: .deal)
                try c.encode(pool, forKey: .pool)
                try c.encode(owner, forKey: .owner)
                try c.encode(status, forKey: .status)
                try c.encode(nodes, forKey: .nodes)
                try c.encode(nextTimer, forKey: .nextTimer)
                try c.encode(template, forKey: .template)
                try c.encode(templateID, forKey: .templateID)
                try c.encode(machineHash, forKey: .machineHash)
                try c.encode(customer, forKey: .customer)
                try c.encode(amount, forKey: .amount)
                try c.encode(currency, forKey: .currency)
                try c.encode(poolSince, forKey: .poolSince)
                try c.encode(poolHow, forKey: .poolHow)
                try c.encode(poolFrom, forKey: .poolFrom)
                try c.encode(poolReason, forKey: .poolReason)
            }
        }
        let d = row.deal, i = d.index
        let nodes = i.currentNodes.split(separator: ",").map(String.init)
        if json {
            context.write(HostOutput.encode(Row(
                deal: d.dealID, pool: i.pool, owner: i.owner, status: i.status, nodes: nodes,
                nextTimer: i.nextTimerAt.map { $0.millisecondsSinceEpoch / 1000 }, template: i.templateHash,
                templateID: i.projection?.templateID ?? row.templateID, machineHash: i.templateHash,
                customer: row.customer, amount: row.amount.flatMap { Decimal(string: $0, locale: Locale(identifier: "en_US_POSIX")) },
                currency: row.amount == nil ? nil : row.currency,
                poolSince: row.poolSince, poolHow: row.arrival?.how, poolFrom: row.arrival?.previousOwner,
                poolReason: row.arrival?.reason)) + "\n")
        } else {
            var parts = [Names.inline(d.dealID), i.owner.map(Names.inline) ?? "-", i.status, nodes.isEmpty ? "-" : nodes.joined(separator: ",")]
            if let customer = row.customer { parts.append("customer " + Names.shown(customer)) }
            if let amount = row.amountText { parts.append("amount " + amount) }
            if let since = row.poolSince {
                var how: [String] = row.arrival.map { [$0.how] } ?? []
                if let from = row.arrival?.previousOwner { how.append("from " + Names.inline(from)) }
                if let reason = row.arrival?.reason { how.append("reason " + Names.shown(reason)) }
                parts.append("in the pool since " + HostOutput.time(since, zone) + (how.isEmpty ? "" : " (\(how.joined(separator: ", ")))"))
            }
            parts.append(i.nextTimerAt.map { "next timer " + HostOutput.time($0.millisecondsSinceEpoch / 1000, zone) } ?? "no timer")
            context.write(parts.joined(separator: "  ") + "\n")
        }
    }
}

struct PoolClaimCommand: FlowcCommand {
    static let configuration = CommandConfiguration(commandName: "claim", abstract: "Claim a deal from the public pool.")

    @Argument(help: "The deal's id.")
    var deal: String

    @Option(name: .long, help: "Who claims it.")
    var by: String

    @OptionGroup var at: EventTimeOption

    @OptionGroup var ids: EventRetryOptions

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    @OptionGroup var store: StoreOptions

    func execute(_ context: CLIContext) -> Int32 {
        guard let service = store.open(context, writing: true) else { return ExitCode.usage }
        return DealEventCommand.apply(EventInput(id: ids.id, at: at.value ?? .now, actor: by, .claim), to: deal, service: service, json: json,
                                      repeated: ids.repeated, context)
    }
}

struct PoolReleaseCommand: FlowcCommand {
    static let configuration = CommandConfiguration(commandName: "release", abstract: "Release a deal from its owner's private pool to the public pool.")

    @Argument(help: "The deal's id.")
    var deal: String

    @Option(name: .long, help: "Who releases it (the owner, or a manager).")
    var by: String

    @OptionGroup var at: EventTimeOption

    @Flag(name: .long, help: "The host vouches that the actor is a manager (the template's pool.assign_by role).")
    var canAssign = false

    @OptionGroup var ids: EventRetryOptions

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    @OptionGroup var store: StoreOptions

    func execute(_ context: CLIContext) -> Int32 {
        guard let service = store.open(context, writing: true) else { return ExitCode.usage }
        let event = EventInput(id: ids.id, at: at.value ?? .now, actor: by, .release, canAssign: canAssign)
        return DealEventCommand.apply(event, to: deal, service: service, json: json, repeated: ids.repeated, context)
    }
}

struct PoolAssignCommand: FlowcCommand {
    static let configuration = CommandConfiguration(commandName: "assign", abstract: "Assign a deal, from either pool, to a person (a manager's decision).")

    @Argument(help: "The deal's id.")
    var deal: String

    @Option(name: .long, help: "Who gets the deal.")
    var to: String

    @Option(name: .long, help: "The manager assigning it.")
    var by: String

    @OptionGroup var at: EventTimeOption

    @Flag(name: .long, help: "The host vouches that --by is in the template's pool.assign_by role (otherwise they must hold it on the deal).")
    var canAssign = false

    @OptionGroup var ids: EventRetryOptions

    @Flag(name: .long, help: "Print the result as JSON.")
    var json = false

    @OptionGroup var store: StoreOptions

    func execute(_ context: CLIContext) -> Int32 {
        guard let service = store.open(context, writing: true) else { return ExitCode.usage }
        let event = EventInput(id: ids.id, at: at.value ?? .now, actor: by, .assign(to: to), canAssign: canAssign)
        return DealEventCommand.apply(event, to: deal, service: service, json: json, repeated: ids.repeated, context)
    }
}

struct PoolSweepCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Return idle deals to the public pool (fires every due timer, like `flowc tick`).",
        discussion: """
            Prints the deals that went to the public pool; `flowc tick` prints every timer fired.

            Exit codes: 0 done; 1 some deal's tick was refused; 2 usage error, or a store that \
            cannot be opened or written; 75 the store was busy (another writer held it past \
            --lock-timeout; the deals ticked before are kept: run it again); 130 stopped by Ctrl-C or TERM, after writing the deals \
            ticked so far (run it again to finish: the others stay due).
            """
    )

    @Option(name: .long, help: ArgumentHelp("Sweep as of this time: ISO-8601 with zone, or epoch seconds; not later than now (default: now).", valueName: "time"))
    var at: String?

    @Flag(name: .long, help: "Print the report as one JSON object, as `flowc tick --json` does.")
    var json = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if let at, let problem = StoreOptions.timeProblem("--at", at, delays: false) { throw ValidationError(problem) }
    }

    func execute(_ context: CLIContext) -> Int32 {
        guard !TickCommand.isLaterThanNow(at, store, context, sweep: true), let service = store.open(context, writing: true) else { return ExitCode.usage }
        let time = at.flatMap(TickCommand.instant) ?? service.clock()
        let report = TickCommand.sweep(service, at: time)
        if json {
            context.write(TickCommand.json(report, at: time) + "\n")
            return TickCommand.finish(report, command: "flowc pool sweep", store: store.path(context), context)
        }
        // A return whose warning came due with it (QA round 38, F1): said on its line.
        let unwarned = Set(report.returnedUnwarned)
        for id in report.returnedToPool {
            context.write("\(id) returned to the public pool\(unwarned.contains(id) ? " without its idle warning, which came due with the return (no tick ran between the two, or a migration made both due)" : "")\n")
        }
        // The pages written before the store failed stay written, as `flowc tick` says.
        let stopped = report.failure != nil ? " before the store failed (the deals not swept stay due: run `flowc pool sweep` again to finish)"
            : report.interrupted ? " before it was interrupted" : ""
        context.write("swept at \(HostOutput.time(time, service.hintZone))\(stopped): \(report.returnedToPool.count) deal\(report.returnedToPool.count == 1 ? "" : "s") returned to the public pool (\(report.ticked.count) ticked\(report.refused.isEmpty ? "" : ", \(report.refused.count) not ticked: errors below"))\n")
        return TickCommand.finish(report, command: "flowc pool sweep", store: store.path(context), context)
    }
}

/// `--id` and `--retry` of the pool commands, as `flowc deal event` has them: a caller that
/// retries a claim after a timeout is told it was applied, not that the deal is no longer in
/// the public pool (QA round 13: FC1150 either way).
struct EventRetryOptions: ParsableArguments {
    @Option(name: .long, help: "The event's id (default: auto-N, N its position in the log).")
    var id: String?

    @Flag(name: .long, help: "A retry: an event already in the deal's log under this --id, with the same action and the same person acting, is the same event sent again, skipped with exit 0; otherwise it is refused (FC1205).")
    var retry = false

    func validate() throws {
        if retry && id == nil { throw ValidationError("--retry needs the event's id (--id): without one, each call is a new event") }
    }

    var repeated: RepeatedEvents { retry ? .skip : .refuse }
}
