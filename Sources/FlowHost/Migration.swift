import FlowDiagnostics
import FlowExpr
import Foundation
public import FlowIR
public import FlowRuntime
import FlowStore
import FlowYAML

/// What `flowc migrate` asks of the host: move open deals to `target`, a new version of their
/// template, with a node mapping.
public struct MigrationRequest: Sendable {
    /// The version the deals move to (registered in the machine archive by ``DealService/migrate(_:)``).
    public var target: VerifiedMachine
    /// Old node id → new node id (nodes not named are matched by id).
    public var map: [NodeMapping]
    /// Only deals on this machine hash (nil: every version of the target's template).
    public var fromHash: String?
    /// Only these deals (empty: every deal of the target's template).
    public var deals: [String]
    /// Write the migrate events (false: a dry run that writes nothing).
    public var apply: Bool
    /// Move deals whose version is later than the target's (``DealService/isOlder(_:than:)``)
    /// back to it; false refuses them (FC1230).
    public var allowOlder: Bool
    /// The entries of ``map`` given on the command line (`--map OLD=NEW`) rather than in a map
    /// file: a help that rewrites one says it in the form it was written (QA round 28, R7).
    public var writtenAsFlags: Set<NodeMapping>
    /// Asked before each deal and before the write: true stops the migration, which then writes
    /// nothing (FC1243; Ctrl-C or TERM in `flowc migrate`, QA round 43, F6).
    public var stop: (@Sendable () -> Bool)?

    public init(target: VerifiedMachine, map: [NodeMapping] = [], fromHash: String? = nil, deals: [String] = [], apply: Bool = false,
                allowOlder: Bool = false, writtenAsFlags: Set<NodeMapping> = [], stop: (@Sendable () -> Bool)? = nil) {
        self.stop = stop
        self.target = target
        self.map = map
        self.fromHash = fromHash
        self.deals = deals
        self.apply = apply
        self.allowOlder = allowOlder
        self.writtenAsFlags = writtenAsFlags
    }
}

/// What a migration did (or would do) to one deal.
public struct DealMigration: Codable, Sendable, Hashable {
    public enum Outcome: String, Codable, Sendable, Hashable {
        /// Safe: migrated (with `--apply`) or would be.
        case ok
        /// Unsafe or impossible: `code` and `reason` say why; nothing is written for the deal.
        case refused
        /// Not migrated, and not a problem: closed deals (FC1165) and deals already on the target (FC1164).
        case skipped
    }

    public var deal: String
    public var fromHash: String?
    public var fromVersion: String?
    public var toHash: String
    public var toVersion: String
    public var outcome: Outcome
    public var code: String?
    public var reason: String?
    /// Where each node the deal had reached goes.
    public var moves: [NodeMove]
    /// What is dropped or changed on the way.
    public var notes: [String]
    /// Whether the migrate event was written (its id in `event`).
    public var applied: Bool
    public var event: String?
    /// The deal's other problems besides `code` and `reason`, each `CODE: reason`: a refused
    /// deal's every node and field that does not move, so that one run shows them all.
    public var alsoRefused: [String] = []
    /// The timers already due on the new version at the migration's time, which the deal's next
    /// event or `flowc tick` fires at once: a due date past (the node is blocked), the idle
    /// warning, the idle return to the public pool (QA round 27, M1). Each also has a note.
    public var dueAtOnce: [DueAtOnce] = []
}

/// A timer of the new version that is already due when the deal migrates.
public struct DueAtOnce: Codable, Sendable, Hashable {
    /// `due` (an active node past its new due date), `idle_warning` or `idle_return`.
    public var kind: String
    /// The node, for `due`.
    public var node: String?
    /// When it came due on the new version, seconds since 1970.
    public var at: Int64

    public init(kind: String, node: String?, at: Int64) {
        self.kind = kind
        self.node = node
        self.at = at
    }
}

/// A migration's per-deal report.
public struct MigrationReport: Codable, Sendable, Hashable {
    public var templateID: String
    public var toHash: String
    public var toVersion: String
    public var dryRun: Bool
    /// Only deals on this version were considered (`--from`).
    public var fromHash: String?
    public var deals: [DealMigration]
    /// The old sides of the mapping that no deal considered has on its version (each such deal
    /// is refused with FC1228; these are said once more for the whole run).
    public var unknownSources: [String] = []
    /// When no deal of the target's template is in the store at all (and neither `--deal` nor
    /// `--from` narrowed the run): the templates the store's open deals run, with how many each,
    /// by template id. A new version given another `template.id` finds none of its deals.
    public var otherTemplates: [TemplateDeals] = []
    /// With `--from` (and no `--deal`): the open deals of the target's template on other
    /// versions, which the run did not consider, by version (QA round 27, M10).
    public var otherVersions: [VersionDeals] = []
    /// The versions the deals considered run on, with their nodes (not in the JSON): what a
    /// mapping's old side should name, for the command's hints on a mapping written the wrong
    /// way round or with display names.
    public var sourceVersions: [SourceVersion] = []
    /// What is said of the run as a whole, beside its deals: a target that keeps the version
    /// number of deals it moves, with other content (QA round 19; in the JSON too, QA round 37).
    public var notes: [String] = []

    /// A version deals were considered on, and its nodes.
    public struct SourceVersion: Sendable, Hashable {
        public var version: String
        public var hash: String
        public var nodes: [NodeDef]
    }

    private enum CodingKeys: String, CodingKey {
        case templateID, toHash, toVersion, dryRun, fromHash, deals, notes, unknownSources, otherTemplates, otherVersions
    }

    /// A version of the target's template and how many open deals run on it.
    public struct VersionDeals: Codable, Sendable, Hashable {
        public var version: String
        public var hash: String
        public var openDeals: Int
    }

    /// A template id and how many open deals run it.
    public struct TemplateDeals: Codable, Sendable, Hashable {
        public var templateID: String
        public var openDeals: Int
    }

    public var ok: Int { deals.count { $0.outcome == .ok } }
    public var refused: Int { deals.count { $0.outcome == .refused } }
    public var skipped: Int { deals.count { $0.outcome == .skipped } }
}

extension DealService {
    /// Migrates deals to a new version of their template (``Runner/migrate(from:to:_:_:context:limits:)``
    /// per deal), or, without `apply`, reports what it would do.
    ///
    /// Each safe deal gets one `migrate` event in its log (so the snapshot stays the fold of the
    /// log); its id is `migrate-<16 hex digits of the target hash>-<sequence>`, and a deal already
    /// on the target is skipped, so running the same migration again writes nothing. Deals are
    /// written together, in one store transaction.
    ///
    /// - Throws: ``HostError`` FC1212 when the store or the machine archive fails.
    public func migrate(_ request: MigrationRequest) throws(HostError) -> MigrationReport {
        if request.apply { try checkWriterLock() }
        // A dry run writes nothing, the machine archive included (QA round 41, A9); nor does a
        // migration stopped before its write (F6): the target is archived just before it.
        let target = machines.preview(request.target)
        let tm = target.machine
        let hash = tm.template.hash
        let explicit = !request.deals.isEmpty
        let ids: [String]
        if explicit {
            // A deal named twice (a list built from a query) is considered once.
            var seen = Set<String>()
            ids = request.deals.filter { seen.insert($0).inserted }
        } else {
            do { ids = try store.allDealIDs() } catch { throw HostError(error) }
        }
        let now = clock()
        var out: [DealMigration] = []
        // The node ids of every version a considered deal runs on, by machine hash.
        var nodesOfVersion: [String: Set<String>] = [:]
        var records: [(index: Int, record: AppendRecord)] = []
        // The customer keys of the deals this run moves, by key: two deals that become the same
        // customer on the new version (a new normalisation) are not both moved.
        var movedKeys: [String: (id: String, pool: String?, owner: String?)] = [:]
        // Open deals of other templates, and whether any deal runs the target's (see `otherTemplates`).
        var otherOpen: [String: Int] = [:]
        var templateSeen = false
        // With `--from`: the open deals of the template left out, by version.
        var otherVersionDeals: [VersionKey: Int] = [:]
        var sourceVersions: [MigrationReport.SourceVersion] = []
        // Deals refused with FC1228, by their place in `out`: the old node, and the deal's version.
        var unknownAt: [Int: String] = [:]
        for (n, id) in ids.enumerated() {
            if let stop = request.stop, stop() { throw HostError.interruptedMigration(read: n, of: ids.count, dryRun: !request.apply) }
            var entry = DealMigration(deal: id, fromHash: nil, fromVersion: nil, toHash: hash, toVersion: tm.template.version, outcome: .ok,
                                      code: nil, reason: nil, moves: [], notes: [], applied: false, event: nil)
            // The note that due timers fire first: true only of a deal that moves (QA round 36,
            // C15: a refused deal's JSON said a tick would be written, and none was).
            var tickNote: String?
            func refuse(_ error: HostError, skipped: Bool = false) {
                if let tickNote { entry.notes.removeAll { $0 == tickNote } }
                entry.outcome = skipped ? .skipped : .refused
                entry.code = error.code
                entry.reason = error.message
                out.append(entry)
            }
            let view: DealView
            do { view = try self.view(id) } catch {
                if error.is(HostMessages.storeFailed) { throw error }
                refuse(error)
                continue
            }
            let s = view.snapshot
            entry.fromHash = s.machineHash
            entry.fromVersion = s.templateVersion
            // A deal named and already on the target (the same command run again) is skipped
            // below, FC1164, as without `--from` (QA round 36, C11: refused FC1227, exit 1, on a
            // retried job).
            if let from = request.fromHash, from != s.machineHash, !(explicit && s.machineHash == hash) {
                if explicit { refuse(HostError(MigrationMessages.notOnSource, id, s.machineHash, from)) }
                if !explicit, s.templateID == tm.template.id, s.status == .open {
                    otherVersionDeals[VersionKey(version: s.templateVersion, hash: s.machineHash), default: 0] += 1
                }
                continue
            }
            if s.templateID == tm.template.id { templateSeen = true }
            if request.fromHash == nil, s.templateID != tm.template.id {
                if explicit { refuse(HostError(MigrationMessages.otherTemplate, id, s.templateID, tm.template.id)) }
                if s.status == .open { otherOpen[s.templateID, default: 0] += 1 }
                continue
            }
            // The versions the open deals considered run on: what the mapping's old sides should
            // name. A deal refused for an older target below counts (QA round 38, G1: its node
            // was said to be no version's, FC1228); a closed deal, which stays, and a deal already
            // on the target do not (G2: a closed deal's version hid the help for a pair written
            // the wrong way round).
            if s.status == .open, s.machineHash != hash, nodesOfVersion[s.machineHash] == nil {
                nodesOfVersion[s.machineHash] = Set(view.machine.machine.nodes.map(\.id))
                sourceVersions.append(MigrationReport.SourceVersion(version: s.templateVersion, hash: s.machineHash, nodes: view.machine.machine.nodes))
            }
            // A target older than the deal's version moves it back: most likely a command or a
            // job that still names the old file (QA round 27, M4). Refused unless asked for.
            let backwards = s.status == .open && s.machineHash != hash && DealService.isOlder(tm.template.version, than: s.templateVersion)
            if backwards && !request.allowOlder {
                refuse(HostError(MigrationMessages.olderTarget, id, s.templateVersion, tm.template.version))
                continue
            }
            if backwards {
                entry.notes.append(HostMessages.fill(MigrationMessages.Phrase.movedBack, [s.templateVersion, tm.template.version]))
            }
            // Timers that came due by the migration's time fire first, on the version the deal is
            // on, as `flowc tick` would fire them (each at its own time, with its effects): the
            // migration itself fires none, and a timer left for later would fire at the
            // migration's time at the earliest (an overdue node blocked late, its escalation late).
            var current = s
            var currentIndex = view.index
            var sequence = view.sequence
            var tickRecord: AppendRecord?
            if s.status == .open, s.machineHash != hash, let due = Runner.nextTimer(view.machine, s), due <= now {
                let tickID: String
                do {
                    let store = self.store
                    tickID = try DealSession.tickID(at: now, after: s) { () throws(HostError) in
                        do { return try store.allEvents(of: id).map(\.eventID) } catch { throw HostError(error) }
                    }
                } catch {
                    refuse(error)
                    continue
                }
                let tick = DealEvent(id: tickID, at: now, actor: nil, .tick)
                let tickContext = StepContext(now: now, utcOffset: utcOffset, ownedOpenDeals: 0, actorCanAssign: false)
                switch Runner.step(view.machine, s, tick, context: tickContext, limits: limits) {
                case .failure(let refusal):
                    refuse(HostError(refusal))
                    continue
                case .success(let stepped):
                    current = stepped.snapshot
                    currentIndex = DealService.index(view.machine, current, previous: (s, view.index))
                    tickRecord = AppendRecord(
                        dealID: id, eventID: tick.id, afterSequence: sequence,
                        event: LoggedEvent(event: tick, context: tickContext).encoded(), snapshot: Data(SnapshotJSON.encode(current)),
                        index: currentIndex, effects: stepped.effects.map(SnapshotJSON.record))
                    sequence += 1
                    let kinds = stepped.effects.map(\.kind.rawValue)
                    // A return whose warning came due with it is said (QA round 40, K6).
                    let unwarned = Runner.returnedUnwarned(view.machine.machine, current, at: current.sequence)
                    let note = HostMessages.fill(MigrationMessages.Phrase.timersFirst, [
                        TimeText.iso(now, utcOffset: hintZone), kinds.isEmpty ? MigrationMessages.Phrase.noEffects : kinds.joined(separator: ", "),
                    ]) + (unwarned ? MigrationMessages.Phrase.returnedUnwarned : "")
                    entry.notes.append(note)
                    tickNote = note
                }
            }
            let eventID = "migrate-" + String(hash.dropFirst("sha256:".count).prefix(16)) + "-" + String(sequence + 1)
            let event = DealEvent(id: eventID, at: now, .migrate(from: s.machineHash, to: hash, map: request.map))
            let context = StepContext(now: now, utcOffset: utcOffset)
            let result = Runner.migrate(from: view.machine, to: target, current, event, context: context, limits: limits)
            if case .failure(let refusal) = result, refusal.is(RuntimeMessages.migrateClosed) || refusal.is(RuntimeMessages.alreadyOnTarget) {
                refuse(HostError(refusal), skipped: true)
                continue
            }
            // The runner ignores a mapping from a node the old version lacks; the host refuses
            // it, since it is most likely a misspelt id.
            let versionNodes = nodesOfVersion[s.machineHash, default: []]
            let known = request.map.filter { versionNodes.contains($0.old) }
            let targetNodes = Set(tm.nodes.map(\.id))
            let unknowns = request.map.filter { !versionNodes.contains($0.old) }.map { m in
                // Written the wrong way round (`new: old`), or with a display name.
                let hint = targetNodes.contains(m.old) && versionNodes.contains(m.new)
                    ? MigrationMessages.reversed(m, newVersion: tm.template.version, oldVersion: s.templateVersion,
                                                 asFlag: request.writtenAsFlags.contains(m))
                    : Names.didYouMeanNode(m.old, among: view.machine.machine.nodes)
                return (old: m.old, error: HostError(MigrationMessages.unknownSource, m.old, m.new, s.templateVersion, hint))
            }
            if let unknown = unknowns.first {
                // The deal's other problems too, under the rest of the mapping: one run shows them all.
                entry.alsoRefused = unknowns.dropFirst().map { "\($0.error.code): \($0.error.message)" }
                    + Runner.migrationProblems(from: view.machine, to: target, current, map: known, limits: limits).map { "\($0.code): \($0.message)" }
                unknownAt[out.count] = unknown.old
                refuse(unknown.error)
                continue
            }
            switch result {
            case .failure(let refusal):
                // The first problem is the refusal; the report lists the deal's others too.
                let all = Runner.migrationProblems(from: view.machine, to: target, current, map: request.map, limits: limits)
                entry.alsoRefused = all.filter { $0 != refusal }.map { "\($0.code): \($0.message)" }
                // The host's own check too, on the moves the mapping asks for.
                if let crossing = DealService.losePathCrossing(DealService.askedMoves(current, from: view.machine, to: target, map: request.map),
                                                               from: view.machine, to: target) {
                    entry.alsoRefused.append("\(crossing.code): \(crossing.message)")
                }
                refuse(HostError(refusal))
            case .success(let outcome):
                if let crossing = DealService.losePathCrossing(outcome.moves, from: view.machine, to: target) {
                    refuse(crossing)
                    continue
                }
                // S4 holds across versions: a new `customer.identity`, `normalize` or `group` can
                // give the deal keys another open deal holds. Refused as creating it would be.
                let index = DealService.index(target, outcome.snapshot)
                let store = self.store
                do {
                    try DealService.checkCustomer(id, index, before: currentIndex, machine: target, snapshot: outcome.snapshot) {
                        (keys) throws(HostError) in
                        let open: [StoredDeal]
                        do { open = try store.openDeals(customerKeys: keys) } catch { throw HostError(error) }
                        let stored = open.filter { $0.dealID != id }.sorted { $0.dealID < $1.dealID }.map { ($0.dealID, $0.index.pool, $0.index.owner) }
                        return stored + keys.compactMap { movedKeys[$0] }.filter { $0.id != id }
                    }
                } catch {
                    if error.is(HostMessages.storeFailed) { throw error }
                    refuse(error)
                    continue
                }
                if index.isOpen {
                    for key in index.customerKeys { movedKeys[key] = (id, index.pool, index.owner) }
                }
                entry.moves = outcome.moves
                entry.notes += outcome.notes
                // A blocked node the new version's later due date (or none) makes no longer
                // overdue is active again: the manager's overdue list changes (QA round 27, M7).
                entry.notes += DealService.activeAgainNotes(outcome.moves, before: current, on: view.machine, outcome.snapshot, on: target, zone: hintZone)
                // What the new version makes due at once, which the next tick fires: a shorter
                // `due` puts an active node's due date before the migration (QA round 16:
                // fifteen deals overdue at once, unsaid); a shorter `pool.idle` a deal's idle
                // return, which then comes with no warning first (QA round 27: 45 deals).
                entry.dueAtOnce = DealService.dueAtOnce(target, outcome.snapshot, now: now)
                entry.notes += DealService.dueAtOnceNotes(entry.dueAtOnce, target, outcome.snapshot, now: now, zone: hintZone)
                if request.apply {
                    entry.event = eventID
                    if let tickRecord { records.append((out.count, tickRecord)) }
                    records.append((out.count, AppendRecord(
                        dealID: id, eventID: eventID, afterSequence: sequence,
                        event: LoggedEvent(event: event, context: context).encoded(), snapshot: Data(SnapshotJSON.encode(outcome.snapshot)),
                        index: index, effects: [])))
                }
                out.append(entry)
            }
        }
        if let stop = request.stop, stop() { throw HostError.interruptedMigration(read: ids.count, of: ids.count, dryRun: !request.apply) }
        if request.apply { _ = try machines.register(request.target) }
        if !records.isEmpty {
            let results: [AppendResult]
            do { results = try store.append(records.map(\.record)) } catch { throw HostError(error) }
            for (pending, result) in zip(records, results) {
                switch result {
                case .appended:
                    // A deal's tick (if any) comes before its migration: applied is the migration's.
                    if pending.record.eventID == out[pending.index].event { out[pending.index].applied = true }
                case .duplicate:
                    let e = HostError(HostMessages.eventLogged, pending.record.eventID, pending.record.dealID)
                    out[pending.index].outcome = .refused
                    out[pending.index].code = e.code
                    out[pending.index].reason = e.message
                case .rejected(let why):
                    let e = HostError(HostMessages.storeConflict, pending.record.eventID, pending.record.dealID, why.description)
                    out[pending.index].outcome = .refused
                    out[pending.index].code = e.code
                    out[pending.index].reason = e.message
                }
            }
        }
        var report = MigrationReport(templateID: tm.template.id, toHash: hash, toVersion: tm.template.version, dryRun: !request.apply, fromHash: request.fromHash, deals: out)
        if !nodesOfVersion.isEmpty {
            let known = nodesOfVersion.values.reduce(into: Set<String>()) { $0.formUnion($1) }
            report.unknownSources = request.map.map(\.old).filter { !known.contains($0) }
        }
        // A node another version considered has: the mapping was written for that version.
        for (i, old) in unknownAt {
            let versions = out.compactMap { d -> (version: String, hash: String)? in
                guard let h = d.fromHash, let v = d.fromVersion, nodesOfVersion[h]?.contains(old) == true else { return nil }
                return (v, h)
            }
            if let other = versions.min(by: { ($0.version, $0.hash) < ($1.version, $1.hash) }) {
                report.deals[i].reason = (report.deals[i].reason ?? "")
                    + HostMessages.fill(MigrationMessages.Phrase.otherVersionHasIt, [old, other.version, other.hash])
            }
        }
        report.sourceVersions = sourceVersions
        report.otherVersions = otherVersionDeals.sorted { ($0.key.version, $0.key.hash) < ($1.key.version, $1.key.hash) }.map {
            MigrationReport.VersionDeals(version: $0.key.version, hash: $0.key.hash, openDeals: $0.value)
        }
        // A version number that now names two machines (QA round 19).
        let sameNumber = out.filter {
            $0.outcome != .skipped && $0.fromVersion == report.toVersion && $0.fromHash != nil && $0.fromHash != report.toHash
        }.count
        if sameNumber > 0 {
            report.notes.append(HostMessages.fill(MigrationMessages.Report.sameVersion,
                                                  [report.toVersion, String(sameNumber), sameNumber == 1 ? "" : "s", sameNumber == 1 ? "s" : ""]))
        }
        if !explicit, request.fromHash == nil, !templateSeen {
            report.otherTemplates = otherOpen.sorted { $0.key < $1.key }.map { MigrationReport.TemplateDeals(templateID: $0.key, openDeals: $0.value) }
        }
        return report
    }

    struct VersionKey: Hashable {
        var version: String
        var hash: String
    }

    /// Whether version `a` comes before `b`: both numbers separated by dots (`1.10.0` after
    /// `1.9.0`; a missing part counts as 0, so `2` and `2.0.0` are one version). Versions
    /// written otherwise (`2024-q3`, `1.0.0-rc1`) are not ordered: false.
    public static func isOlder(_ a: String, than b: String) -> Bool {
        func parts(_ v: String) -> [Int]? {
            let p = v.split(separator: ".", omittingEmptySubsequences: false)
            guard !p.isEmpty, p.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { return nil }
            return p.map { Int($0) ?? Int.max }
        }
        guard let x = parts(a), let y = parts(b) else { return false }
        for i in 0..<max(x.count, y.count) {
            let p = i < x.count ? x[i] : 0, q = i < y.count ? y[i] : 0
            if p != q { return p < q }
        }
        return false
    }

    /// The timers of the new version due by `now` on the migrated snapshot: an idle warning
    /// is left out when the idle return is due too (the tick drops it, as it would announce
    /// what has already happened).
    static func dueAtOnce(_ target: PreparedMachine, _ s: DealSnapshot, now: Int64) -> [DueAtOnce] {
        let due = Runner.pendingTimers(target, s).filter { $0.at <= now }
        let returns = due.contains { $0.kind == .idleReturn }
        return due.compactMap { timer in
            switch timer.kind {
            case .due:
                guard let n = timer.node, target.machine.nodes.indices.contains(n) else { return nil }
                return DueAtOnce(kind: timer.kind.rawValue, node: target.machine.nodes[n].id, at: timer.at)
            case .idleWarning where !returns, .idleReturn:
                return DueAtOnce(kind: timer.kind.rawValue, node: nil, at: timer.at)
            case .idleWarning, .escalation:
                return nil
            }
        }
    }

    /// The notes of ``dueAtOnce(_:_:now:)``: what the next tick does, and to whom.
    static func dueAtOnceNotes(_ due: [DueAtOnce], _ target: PreparedMachine, _ s: DealSnapshot, now: Int64, zone: Int64?) -> [String] {
        typealias P = MigrationMessages.Phrase
        let pool = target.machine.pool
        let owner = s.owner ?? "?"
        let idle = [TimeText.iso(s.lastStatusChangeAt, utcOffset: zone), MigrationMessages.elapsed(now - s.lastStatusChangeAt)]
        return due.map { d in
            switch d.kind {
            case PendingTimer.Kind.due.rawValue:
                // Its escalation only when the node has one (QA round 36, C18).
                let escalates = target.machine.nodes.first { $0.id == d.node }?.escalate != nil
                return HostMessages.fill(escalates ? P.overdueOnNewVersion : P.overdueOnNewVersionNoEscalation, [d.node ?? "?", TimeText.iso(d.at, utcOffset: zone)])
            case PendingTimer.Kind.idleReturn.rawValue:
                // The owner was warned on the old version, or the new one warns at all.
                let warning = s.idleWarned ? P.warnedBefore : pool.idleWarn.map { HostMessages.fill(P.noWarningFirst, [MigrationMessages.duration($0)]) } ?? ""
                return HostMessages.fill(P.idleReturnPast, idle + [MigrationMessages.duration(pool.idleAfter ?? 0), owner, warning])
            default:
                let (returns, overflow) = s.lastStatusChangeAt.addingReportingOverflow(pool.idleAfter ?? 0)
                return HostMessages.fill(P.idleWarningPast, idle + [MigrationMessages.duration(pool.idleWarn ?? 0), owner, TimeText.iso(overflow ? Int64.max : returns, utcOffset: zone)])
            }
        }
    }

    /// The notes for the blocked nodes a migration makes active again (``NodeMove/becomes``):
    /// since when the node was blocked, and its new due date, if any; and for those it keeps
    /// blocked as of a later due date, passed too (rules 16).
    static func activeAgainNotes(_ moves: [NodeMove], before: DealSnapshot, on old: PreparedMachine, _ after: DealSnapshot, on new: PreparedMachine,
                                 zone: Int64?) -> [String] {
        typealias P = MigrationMessages.Phrase
        return moves.compactMap { move in
            guard move.status == .blocked, let to = move.to,
                  let i = old.machine.nodes.firstIndex(where: { $0.id == move.from }), before.nodes.indices.contains(i),
                  let t = new.machine.nodes.firstIndex(where: { $0.id == to }), after.nodes.indices.contains(t) else { return nil }
            let since = before.nodes[i].blockedAt.map { TimeText.iso($0, utcOffset: zone) } ?? "?"
            if move.becomes == nil {
                // Still blocked, as of a later due date that has passed too (QA round 43, F10:
                // the report said nothing, and the runtime's text said it became active).
                guard after.nodes[t].status == .blocked, let now = after.nodes[t].blockedAt, now != before.nodes[i].blockedAt,
                      after.nodes[t].dueAt == now else { return nil }
                return HostMessages.fill(P.stillOverdue, [to, since, TimeText.iso(now, utcOffset: zone)])
            }
            guard move.becomes == .active else { return nil }
            if let due = after.nodes[t].dueAt {
                return HostMessages.fill(P.activeAgain, [to, since, TimeText.iso(due, utcOffset: zone)])
            }
            return HostMessages.fill(P.activeAgainNoDue, [to, since])
        }
    }

    /// Where the mapping sends each node the deal has reached (by id when it names none), as
    /// ``NodeMove``s: the moves of a migration the runner refused, for the host's own checks.
    static func askedMoves(_ s: DealSnapshot, from old: PreparedMachine, to new: PreparedMachine, map: [NodeMapping]) -> [NodeMove] {
        let explicit = Dictionary(map.map { ($0.old, $0.new) }, uniquingKeysWith: { first, _ in first })
        let newIDs = Set(new.machine.nodes.map(\.id))
        var moves: [NodeMove] = []
        for (i, state) in s.nodes.enumerated() where state.status != .pending && old.machine.nodes.indices.contains(i) {
            let id = old.machine.nodes[i].id
            let to = explicit[id] ?? id
            moves.append(NodeMove(from: id, to: newIDs.contains(to) ? to : nil, status: state.status))
        }
        return moves
    }

    /// FC1229 when a node the deal has reached would change sides: from the flow onto the lose
    /// path, or back (pending nodes move nowhere; skipped and closed ones are dropped or kept as
    /// history, and count too, since a closed lose-path node records a loss).
    static func losePathCrossing(_ moves: [NodeMove], from old: PreparedMachine, to new: PreparedMachine) -> HostError? {
        let oldPath = old.losePathNodeIDs, newPath = new.losePathNodeIDs
        // A deal already lost, at its loss review, has its `lose` event and its reason (QA round
        // 36, C13: the message said it had neither).
        let losing = moves.contains { ($0.status == .active || $0.status == .blocked) && oldPath.contains($0.from) }
        for move in moves {
            guard let to = move.to, move.status != .skipped else { continue }
            let was = oldPath.contains(move.from), will = newPath.contains(to)
            if was == will { continue }
            let end = will ? (losing ? MigrationMessages.Phrase.ontoLosePathLosing : MigrationMessages.Phrase.ontoLosePath) : MigrationMessages.Phrase.offLosePath
            return HostError(MigrationMessages.losePathCrossed, move.from, move.status.rawValue, to, end)
        }
        return nil
    }

    /// The machine each logged event of a deal ran on resolves by hash through the registry; the
    /// log starts on the `from` of its first migration.
    func initialMachine(_ dealID: String, entries: [LoggedEvent], current: PreparedMachine) throws(HostError) -> PreparedMachine {
        let hash = Runner.initialMachineHash(events: entries.map(\.event), current: current.machine.template.hash)
        if hash == current.machine.template.hash { return current }
        return try machines.machine(hash: hash, for: dealID)
    }
}

/// Reading node mappings: `OLD=NEW` arguments and map files (`old: new` per line, YAML).
public enum NodeMappingInput {
    /// One `OLD=NEW` argument.
    public static func pair(_ text: String) -> Result<NodeMapping, HostError> {
        guard let eq = text.firstIndex(of: "=") else {
            return .failure(HostError(MigrationMessages.mapInvalid, text, MigrationMessages.Phrase.expectedPair))
        }
        let old = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
        let new = String(text[text.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
        guard !old.isEmpty, !new.isEmpty, !new.contains("=") else {
            return .failure(HostError(MigrationMessages.mapInvalid, text, MigrationMessages.Phrase.expectedPair))
        }
        return .success(NodeMapping(old, new))
    }

    /// The entries of a map file, in order: a YAML mapping of node ids (plain or quoted
    /// scalars), read by the templates' YAML reader. Comments and blank lines are allowed; a YAML
    /// error (a syntax error, a duplicate key) or anything but scalar keys and values is FC1225,
    /// located `path:line:column`.
    public static func file(_ bytes: [UInt8], path: String) -> Result<[NodeMapping], HostError> {
        located(bytes, path: path).map { $0.map(\.mapping) }
    }

    /// A map file's entry and where it was written: `path:line:column` of its key (the old node)
    /// and of its value (the new one), for the problems of the mapping found later (FC1167,
    /// FC1224, FC1228; QA round 27, M8).
    public struct LocatedMapping: Sendable, Hashable {
        public var mapping: NodeMapping
        public var oldAt: String
        public var newAt: String
    }

    /// ``file(_:path:)`` with each entry's place.
    public static func located(_ bytes: [UInt8], path: String) -> Result<[LocatedMapping], HostError> {
        let source = SourceFile(path: path, bytes: bytes)
        func place(_ offset: Int) -> String {
            let at = source.location(of: offset)
            return "\(path):\(at.line):\(at.column)"
        }
        func fail(at offset: Int, _ reason: String) -> Result<[LocatedMapping], HostError> {
            let at = source.location(of: offset)
            return .failure(HostError(MigrationMessages.mapFileUnreadable, "\(path):\(at.line):\(at.column)", reason))
        }
        let read = YAMLReader.read(source)
        // A file of nothing but comments maps nothing.
        let errors = read.diagnostics.filter { $0.severity == .error && $0.code != YAMLMessages.empty.code }
        if let error = errors.min(by: { ($0.span?.start ?? 0) < ($1.span?.start ?? 0) }) {
            // The reader's help (a full-width colon, a tab) says what the error is about; a
            // second document is said of a map file, not of a template.
            let said = error.code == YAMLMessages.multipleDocuments.code ? MigrationMessages.Phrase.secondDocument : error.message.text
            var reason = HostMessages.fill(MigrationMessages.Phrase.notYAML, [said])
            if let help = error.help {
                reason += HostMessages.fill(MigrationMessages.Phrase.withHelp, [help.text])
            } else if let line = NodeMappingInput.fullWidthColonLine(source, through: source.location(of: error.span?.start ?? 0).line) {
                // A full-width colon leaves its line a plain string; the error comes on a later one.
                reason += HostMessages.fill(MigrationMessages.Phrase.withHelp, [HostMessages.fill(MigrationMessages.Phrase.fullWidthColonLine, [String(line)])])
            }
            return fail(at: error.span?.start ?? 0, reason)
        }
        guard let document = read.document else { return .success([]) }
        let root = document.root
        guard document.kind(root) == .mapping else {
            var reason = MigrationMessages.Phrase.notAMapping
            // `old：new` typed with a Chinese input method reads as one plain string.
            if document.kind(root) == .scalar, let text = document.text(root), let colon = text.firstIndex(of: "\u{FF1A}") {
                let line = source.location(of: document.span(root).start).line
                reason += HostMessages.fill(MigrationMessages.Phrase.withHelp, [
                    HostMessages.fill(MigrationMessages.Phrase.fullWidthColon, [String(line), String(text[..<colon]), String(text[text.index(after: colon)...])]),
                ])
            }
            return fail(at: document.span(root).start, reason)
        }
        var out: [LocatedMapping] = []
        for (key, value) in document.pairs(root) {
            guard document.kind(key) == .scalar, let old = document.text(key), !old.isEmpty else {
                return fail(at: document.span(key).start, MigrationMessages.Phrase.notAMapping)
            }
            guard document.kind(value) == .scalar, let new = document.text(value) else {
                let written = document.span(value)
                return fail(at: written.start, HostMessages.fill(MigrationMessages.Phrase.notAnID, [source.text(written.range)]))
            }
            if new.isEmpty || document.value(value) == .null {
                return fail(at: document.span(key).start, HostMessages.fill(MigrationMessages.Phrase.noTarget, [old]))
            }
            out.append(LocatedMapping(mapping: NodeMapping(old, new), oldAt: place(document.span(key).start), newAt: place(document.span(value).start)))
        }
        return .success(out)
    }

    /// The first line, up to `last`, that has a full-width colon (U+FF1A) and no `:`.
    static func fullWidthColonLine(_ source: SourceFile, through last: Int) -> Int? {
        let text = String(decoding: source.bytes, as: UTF8.self)
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where i < last {
            if line.contains("\u{FF1A}"), !line.contains(":"), !line.trimmingCharacters(in: .whitespaces).hasPrefix("#") { return i + 1 }
        }
        return nil
    }

    /// ``file(_:path:)`` of a text in memory.
    public static func file(_ text: String, path: String) -> Result<[NodeMapping], HostError> {
        file(Array(text.utf8), path: path)
    }

    /// A map file that could not be read (FC1225): its path and the reason.
    public static func unreadable(_ path: String, reason: String) -> HostError {
        HostError(MigrationMessages.mapFileUnreadable, path, HostMessages.fill(MigrationMessages.Phrase.cannotRead, [reason]))
    }

    /// Checks a whole mapping: every old node mapped at most once (FC1224).
    public static func checked(_ entries: [NodeMapping]) -> Result<[NodeMapping], HostError> {
        var seen: [String: String] = [:]
        var out: [NodeMapping] = []
        for e in entries {
            if let earlier = seen[e.old] {
                if earlier == e.new { continue }
                return .failure(HostError(MigrationMessages.mapInvalid, "\(e.old)=\(e.new)",
                                          HostMessages.fill(MigrationMessages.Phrase.mappedTwice, [e.old])))
            }
            seen[e.old] = e.new
            out.append(e)
        }
        return .success(out)
    }
}
