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

    public init(target: VerifiedMachine, map: [NodeMapping] = [], fromHash: String? = nil, deals: [String] = [], apply: Bool = false) {
        self.target = target
        self.map = map
        self.fromHash = fromHash
        self.deals = deals
        self.apply = apply
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
        let target = try machines.register(request.target)
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
        // Deals refused with FC1228, by their place in `out`: the old node, and the deal's version.
        var unknownAt: [Int: String] = [:]
        for id in ids {
            var entry = DealMigration(deal: id, fromHash: nil, fromVersion: nil, toHash: hash, toVersion: tm.template.version, outcome: .ok,
                                      code: nil, reason: nil, moves: [], notes: [], applied: false, event: nil)
            func refuse(_ error: HostError, skipped: Bool = false) {
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
            if let from = request.fromHash, from != s.machineHash {
                if explicit { refuse(HostError(MigrationMessages.notOnSource, id, s.machineHash, from)) }
                continue
            }
            if s.templateID == tm.template.id { templateSeen = true }
            if request.fromHash == nil, s.templateID != tm.template.id {
                if explicit { refuse(HostError(MigrationMessages.otherTemplate, id, s.templateID, tm.template.id)) }
                if s.status == .open { otherOpen[s.templateID, default: 0] += 1 }
                continue
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
                let tick = DealEvent(id: "tick-\(now)", at: now, actor: nil, .tick)
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
                    entry.notes.append(HostMessages.fill(MigrationMessages.Phrase.timersFirst, [
                        TimeText.iso(now, utcOffset: hintZone), kinds.isEmpty ? MigrationMessages.Phrase.noEffects : kinds.joined(separator: ", "),
                    ]))
                }
            }
            let eventID = "migrate-" + String(hash.dropFirst("sha256:".count).prefix(16)) + "-" + String(sequence + 1)
            let event = DealEvent(id: eventID, at: now, .migrate(from: s.machineHash, to: hash, map: request.map))
            let context = StepContext(now: now, utcOffset: utcOffset)
            let oldNodes = view.machine.machine.nodes.map(\.id)
            // A deal already on the target is skipped: its nodes say nothing of the mapping's sources.
            if s.machineHash != hash, nodesOfVersion[s.machineHash] == nil { nodesOfVersion[s.machineHash] = Set(oldNodes) }
            let result = Runner.migrate(from: view.machine, to: target, current, event, context: context, limits: limits)
            if case .failure(let refusal) = result, refusal.is(RuntimeMessages.migrateClosed) || refusal.is(RuntimeMessages.alreadyOnTarget) {
                refuse(HostError(refusal), skipped: true)
                continue
            }
            // The runner ignores a mapping from a node the old version lacks; the host refuses
            // it, since it is most likely a misspelt id.
            let versionNodes = nodesOfVersion[s.machineHash, default: []]
            let known = request.map.filter { versionNodes.contains($0.old) }
            let unknowns = request.map.filter { !versionNodes.contains($0.old) }.map { m in
                (old: m.old, error: HostError(MigrationMessages.unknownSource, m.old, m.new, s.templateVersion,
                                              HostMessages.didYouMean(m.old, among: oldNodes)))
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
                // A shorter `due` can put an active node's due date before the migration: the
                // node is blocked at once (QA round 16: fifteen deals overdue at once, unsaid).
                for (n, st) in outcome.snapshot.nodes.enumerated() where st.status == .active && target.machine.nodes.indices.contains(n) {
                    guard let due = st.dueAt, due <= now else { continue }
                    entry.notes.append(HostMessages.fill(MigrationMessages.Phrase.overdueOnNewVersion, [
                        target.machine.nodes[n].id, TimeText.iso(due, utcOffset: hintZone),
                    ]))
                }
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
        if !explicit, request.fromHash == nil, !templateSeen {
            report.otherTemplates = otherOpen.sorted { $0.key < $1.key }.map { MigrationReport.TemplateDeals(templateID: $0.key, openDeals: $0.value) }
        }
        return report
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
        for move in moves {
            guard let to = move.to, move.status != .skipped else { continue }
            let was = oldPath.contains(move.from), will = newPath.contains(to)
            if was == will { continue }
            let end = will ? MigrationMessages.Phrase.ontoLosePath : MigrationMessages.Phrase.offLosePath
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
        let source = SourceFile(path: path, bytes: bytes)
        func fail(at offset: Int, _ reason: String) -> Result<[NodeMapping], HostError> {
            let at = source.location(of: offset)
            return .failure(HostError(MigrationMessages.mapFileUnreadable, "\(path):\(at.line):\(at.column)", reason))
        }
        let read = YAMLReader.read(source)
        // A file of nothing but comments maps nothing.
        let errors = read.diagnostics.filter { $0.severity == .error && $0.code != YAMLMessages.empty.code }
        if let error = errors.min(by: { ($0.span?.start ?? 0) < ($1.span?.start ?? 0) }) {
            // The reader's help (a full-width colon, a tab) says what the error is about.
            var reason = HostMessages.fill(MigrationMessages.Phrase.notYAML, [error.message.text])
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
        var out: [NodeMapping] = []
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
            out.append(NodeMapping(old, new))
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
