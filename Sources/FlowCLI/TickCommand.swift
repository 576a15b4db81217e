import ArgumentParser
import FlowHost
import FlowRuntime
import Foundation

/// `flowc tick [--at TIME]`: fires the timers that are due.
struct TickCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "tick",
        abstract: "Fire every due timer: due dates, escalations, idle warnings, idle returns to the public pool.",
        discussion: """
            Each deal whose next timer is due at or before the time gets a `tick` event (id \
            `tick-<epoch seconds>`, or `tick-<epoch seconds>-2` (`-3`, …) when the deal's last \
            event, or an event of the deal in that second, has that id already) at that time; the store's timer index finds them without a \
            scan. Run it from a scheduler (every few minutes). --at may not be later than the \
            clock: to simulate a later time, set the clock with --now as well.

            Deals are ticked in pages, one store transaction each. Ctrl-C or TERM stops the tick \
            after the page being written: the deals ticked so far are reported, and the others \
            stay due, for the next tick to fire.

            Exit codes: 0 done; 1 some deal's tick was refused; 2 usage error, or a store that \
            cannot be opened or written; 75 the store was busy (another writer held it past \
            --lock-timeout; the deals ticked before are kept: run it again); 130 stopped by Ctrl-C or TERM, after writing the deals \
            ticked so far (run it again to finish).
            """
    )

    @Option(name: .long, help: ArgumentHelp("Fire what is due at this time: ISO-8601 with zone, or epoch seconds; not later than now (default: now).", valueName: "time"))
    var at: String?

    @Flag(name: .long, help: "List every deal ticked, with its effects.")
    var verbose = false

    @Flag(name: .long, help: "Print the report as one JSON object.")
    var json = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if let at, let problem = StoreOptions.timeProblem("--at", at, delays: false) { throw ValidationError(problem) }
    }

    static func instant(_ text: String) -> Int64? {
        if case .absolute(let t)? = RecordReader.time(text: text) { return t }
        return nil
    }

    /// Whether `--at` is later than the clock, which is refused (the reason printed): its events
    /// would be dated in the future, and every other event of those deals refused until then
    /// (FC1106), as `deal event` refuses one. Checked before the store is opened (QA round 30,
    /// N4: the store's lock was waited for first, and a busy store made this usage error exit
    /// 75); without `--at` the time is the clock's once the store is open (after any wait).
    static func isLaterThanNow(_ at: String?, _ store: StoreOptions, _ context: CLIContext, sweep: Bool = false) -> Bool {
        guard let at, let time = instant(at) else { return false }
        let now = store.nowInstant ?? DealService.wallClock()
        guard time > now else { return false }
        let zone = store.effectiveOffset
        context.writeError(
            "error: --at \(HostOutput.time(time, zone)) is later than now (\(HostOutput.time(now, zone))); a \(sweep ? "sweep" : "tick") fires what is due by now (set the clock with --now to simulate a later time)\n")
        return true
    }

    func execute(_ context: CLIContext) -> Int32 {
        guard !Self.isLaterThanNow(at, store, context), let service = store.open(context, writing: true) else { return ExitCode.usage }
        let time = at.flatMap(Self.instant) ?? service.clock()
        let report = Self.sweep(service, at: time)
        if json {
            context.write(Self.json(report, at: time) + "\n")
        } else {
            if verbose {
                let returned = Set(report.returnedToPool)
                for (id, kinds) in zip(report.ticked, report.effectKinds) {
                    context.write("ticked \(id)\(returned.contains(id) ? " → public pool" : "")\(kinds.isEmpty ? "" : ": " + kinds.joined(separator: ", "))\n")
                }
            }
            var line = "ticked \(report.ticked.count) deal\(report.ticked.count == 1 ? "" : "s") at \(HostOutput.time(time, service.hintZone))"
            // The pages written before the store failed stay written (QA round 28, R2: a lock
            // taken mid-sweep left 4,500 deals ticked, and the failure alone was said).
            if report.failure != nil { line += " before the store failed (the deals not ticked stay due: run `flowc tick` again to finish)" }
            if report.interrupted { line += " before it was interrupted" }
            line += report.effects == 0 ? ": nothing fired" : ": \(RunSummary.counts(report.effectsByKind))"
            // Deals whose timers were due but could not be ticked (said one by one on standard error).
            if !report.refused.isEmpty { line += "; \(report.refused.count) due deal\(report.refused.count == 1 ? "" : "s") not ticked (errors below)" }
            context.write(line + "\n")
            if !report.returnedToPool.isEmpty { context.write(Self.returnedLine(report.returnedToPool) + "\n") }
            if !report.returnedUnwarned.isEmpty { context.write(Self.unwarnedLine(report.returnedUnwarned) + "\n") }
        }
        return Self.finish(report, command: "flowc tick", store: store.path(context), context)
    }

    /// The report as one JSON object, as `flowc tick --json` and `flowc pool sweep --json` print it.
    static func json(_ report: TickReport, at time: Int64) -> String {
        struct Stopped: Encodable { var code: String, message: String }
        struct Out: Encodable {
            var at: Int64, ticked: [String], returnedToPool: [String], returnedUnwarned: [String], effects: Int, effectsByKind: [String: Int]
            var refused: [String: String]
            var interrupted: Bool
            /// The store failure that stopped the sweep after the pages in `ticked` (QA round 30,
            /// N7: said by the exit code alone); null when it ran to its end.
            var stopped: Stopped?
            enum CodingKeys: String, CodingKey {
                case at, ticked, returnedToPool = "returned_to_pool", returnedUnwarned = "returned_unwarned", effects, effectsByKind = "effects_by_kind", refused, interrupted, stopped
            }

            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(at, forKey: .at)
                try c.encode(ticked, forKey: .ticked)
                try c.encode(returnedToPool, forKey: .returnedToPool)
                try c.encode(returnedUnwarned, forKey: .returnedUnwarned)
                try c.encode(effects, forKey: .effects)
                try c.encode(effectsByKind, forKey: .effectsByKind)
                try c.encode(refused, forKey: .refused)
                try c.encode(interrupted, forKey: .interrupted)
                try c.encode(stopped, forKey: .stopped)
            }
        }
        var refused: [String: String] = [:]
        for r in report.refused { refused[r.dealID] = r.error.description }
        return HostOutput.encode(Out(at: time, ticked: report.ticked, returnedToPool: report.returnedToPool, returnedUnwarned: report.returnedUnwarned,
                                     effects: report.effects,
                                     effectsByKind: report.effectsByKind, refused: refused, interrupted: report.interrupted,
                                     stopped: report.failure.map { Stopped(code: $0.code, message: $0.message) }))
    }

    /// How many returned deals the text report names; the rest are counted (QA round 29, N2:
    /// 17,499 ids on one line of 192,516 characters in a cron log).
    static let namedReturns = 20

    /// `returned to the public pool: D-1, D-2, …`, at most ``namedReturns`` of them named.
    static func returnedLine(_ ids: [String]) -> String {
        "returned to the public pool: " + named(ids, more: "`flowc pool list public` lists the public pool; --json or --verbose names every deal")
    }

    /// `N of them without their idle warning: …`, at most ``namedReturns`` named (QA round 38,
    /// F1: a tick after missed ones returned deals unwarned without a word).
    static func unwarnedLine(_ ids: [String]) -> String {
        "\(ids.count) of them without their idle warning, which came due with the return (no tick ran between the two, "
            + "or a migration made both due; `flowc deal why` says which): " + named(ids, more: "--json names every deal")
    }

    /// The first ``namedReturns`` ids, then `, and N more (HINT)` for the rest.
    static func named(_ ids: [String], more hint: String) -> String {
        let more = ids.count - namedReturns
        return ids.prefix(namedReturns).joined(separator: ", ") + (more > 0 ? ", and \(more) more (\(hint))" : "")
    }

    /// The service's sweep at `time`, which Ctrl-C or TERM stops after the page being written
    /// (review of the CLI, C4: killed without a word, with pages already written).
    static func sweep(_ service: DealService, at time: Int64) -> TickReport {
        let interrupts = Interrupts.install()
        defer { interrupts.remove() }
        return service.tick(at: time, isInterrupted: { interrupts.isRaised })
    }

    /// Prints refusals, failures and an interrupt; the exit code of a sweep.
    /// - Parameter command: the command to run again after an interrupt (`flowc tick`).
    /// - Parameter store: the store's path, where a store failure is said to be, as when the
    ///   store cannot be opened (QA round 30, N7).
    static func finish(_ report: TickReport, command: String, store: String, _ context: CLIContext) -> Int32 {
        for r in report.refused { context.writeError("\(r.dealID): \(r.error.description)\n") }
        if let failure = report.failure {
            context.writeError(failure, place: store)
            return ExitCode.usage
        }
        if report.interrupted {
            let n = report.ticked.count
            context.writeError("interrupted: \(n) deal\(n == 1 ? "" : "s") ticked before Ctrl-C or TERM stopped the sweep; "
                + "the deals not ticked stay due: run `\(command)` again to finish\n")
            return ExitCode.interrupted
        }
        return report.refused.isEmpty ? ExitCode.clean : ExitCode.problems
    }
}
