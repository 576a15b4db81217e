import Foundation
public import FlowExpr
import FlowIR
public import FlowRuntime
public import FlowStore

/// A stored deal, decoded, with the machine it is pinned to.
public struct DealView: Sendable {
    public var snapshot: DealSnapshot
    public var machine: PreparedMachine
    public var index: DealIndex
    /// The log position of the snapshot.
    public var sequence: Int64

    /// The value of the field `id` (its template id), nil when it is unset or the template has
    /// no such field. The snapshot holds values by slot; this reads the slot the machine gives it.
    public func value(of id: String) -> ExprValue? {
        guard let slot = machine.machine.fields.firstIndex(where: { $0.id == id }), slot < snapshot.fields.count else { return nil }
        return snapshot.fields[slot]
    }

    /// Every set field, by id.
    public var values: [String: ExprValue] {
        var out: [String: ExprValue] = [:]
        for (slot, def) in machine.machine.fields.enumerated() where slot < snapshot.fields.count {
            if let v = snapshot.fields[slot] { out[def.id] = v }
        }
        return out
    }
}

/// One event of a deal's history, replayed: what it did to the nodes, the decisions taken during
/// it, and its effects.
public struct HistoryEntry: Sendable {
    public var sequence: Int64
    public var event: DealEvent
    public var context: StepContext
    public var effects: [Effect]
    /// What moved, as sentences (`completed `initial_talks``, `entered `requirement_negotiation``).
    public var moves: [String]
    /// The decisions recorded during the event, rendered by `Runner.explain`.
    public var decisions: [String]
}

/// Whether a deal's stored snapshot is the fold of its stored log.
public struct ReplayCheck: Sendable, CustomStringConvertible {
    public var dealID: String
    public var events: Int
    /// Nil when the fold equals the stored snapshot; otherwise why not.
    public var problem: String?

    public var matches: Bool { problem == nil }
    public var description: String {
        problem.map { "\(dealID): \($0)" } ?? HostMessages.fill(HostMessages.Why.replayMatches, [dealID, String(events)])
    }
}

extension DealService {
    /// The deal as stored.
    /// - Throws: FC1203 for an unknown deal; FC1210, FC1212, FC1213 when it cannot be read.
    public func view(_ dealID: String) throws(HostError) -> DealView {
        // As the writing commands read an id: without blanks or a line end around it (QA round
        // 17: `D-0014\r` from a CSV line, said raw as "no deal `D-0014`").
        let dealID = RecordReader.person(dealID)
        let stored: StoredSnapshot?
        do { stored = try store.snapshot(of: dealID) } catch { throw HostError(error) }
        guard let stored else { throw HostError(HostMessages.unknownDeal, Names.shown(dealID, max: 256)) }
        let snapshot: DealSnapshot
        do { snapshot = try DealSnapshot.decode(Array(stored.payload)) } catch {
            throw HostError(HostMessages.storedDealUnreadable, dealID, error.message)
        }
        let machine = try machines.machine(hash: snapshot.machineHash, for: dealID)
        return DealView(snapshot: snapshot, machine: machine, index: DealService.index(machine, snapshot), sequence: stored.sequence)
    }

    /// The deal's log as far as its stored snapshot, decoded, without its machine: what `deal
    /// history --json` shows even when the compiled template is not in the archive.
    public func storedLog(_ dealID: String) throws(HostError) -> [LoggedEvent] {
        let dealID = RecordReader.person(dealID)
        let stored: StoredSnapshot?
        do { stored = try store.snapshot(of: dealID) } catch { throw HostError(error) }
        guard let stored else { throw HostError(HostMessages.unknownDeal, Names.shown(dealID, max: 256)) }
        return try log(of: dealID, through: stored.sequence)
    }

    /// The deal's log, decoded; with `through`, its first `through` events (the log of a
    /// snapshot read before: a writer may have appended since, and readers take no lock).
    public func log(of dealID: String, through: Int64? = nil) throws(HostError) -> [LoggedEvent] {
        let dealID = RecordReader.person(dealID)
        let stored: [StoredEvent]
        do { stored = try store.allEvents(of: dealID, through: through) } catch { throw HostError(error) }
        var out: [LoggedEvent] = []
        out.reserveCapacity(stored.count)
        for e in stored { out.append(try LoggedEvent.decode(e.payload, dealID: dealID)) }
        return out
    }

    /// Folds the deal's log with its machine (`Runner.replay`) and compares the result with the
    /// stored snapshot: the store's central guarantee ("a deal's snapshot always equals the fold of
    /// its log").
    public func replay(_ dealID: String) throws(HostError) -> ReplayCheck {
        let view = try self.view(dealID)
        // The log as far as the snapshot read: a writer's later events are not its fold.
        let entries = try log(of: dealID, through: view.sequence)
        let initial = try initialMachine(dealID, entries: entries, current: view.machine)
        let registry = machines
        let replayed = Runner.replay(initial, events: entries.map(\.event), contexts: entries.map(\.context), limits: limits) { hash in
            try? registry.machine(hash: hash, for: dealID)
        }
        switch replayed {
        case .failure(let f):
            return ReplayCheck(dealID: dealID, events: entries.count, problem: HostMessages.fill(HostMessages.Why.replayFailed, [f.description]))
        case .success(let outcome):
            if outcome.snapshot != view.snapshot {
                return ReplayCheck(dealID: dealID, events: entries.count, problem: HostMessages.fill(HostMessages.Why.replayDiffers, [String(entries.count)]))
            }
            if Int64(entries.count) != view.sequence {
                return ReplayCheck(dealID: dealID, events: entries.count, problem: HostMessages.fill(HostMessages.Why.replayLength, [String(entries.count), String(view.sequence)]))
            }
            return ReplayCheck(dealID: dealID, events: entries.count, problem: nil)
        }
    }

    /// When `history` (of `dealID`) stops short of the deal's log, the error that says why
    /// (FC1213, with ``replay(_:)``'s reason); nil for a whole history. A command that shows a
    /// history prints what it has, then this, and fails: a shortened history is never shown as
    /// the whole.
    public func historyShortfall(_ dealID: String, _ history: [HistoryEntry]) throws(HostError) -> HostError? {
        let view = try self.view(dealID)
        guard Int64(history.count) < view.sequence else { return nil }
        // The deal may have grown since the history read it (a writer appended): if its log
        // folds, the history was whole for the snapshot it read.
        let problem = try replay(dealID).problem
        if problem == nil { return nil }
        return shortfall(dealID, replayed: history.count, of: view.sequence, problem: problem)
    }

    /// FC1213 for a history of `replayed` of `sequence` events, with the replay's `problem`.
    func shortfall(_ dealID: String, replayed: Int, of sequence: Int64, problem: String?) -> HostError {
        HostError(HostMessages.storedDealUnreadable, dealID,
                  problem ?? HostMessages.fill(HostMessages.Why.replayLength, [String(replayed), String(sequence)]))
    }

    /// The deal's history: each logged event replayed, with its node moves, decisions and effects.
    /// A log that stops replaying ends the history there (``historyShortfall(_:_:)`` says why).
    public func history(_ dealID: String) throws(HostError) -> [HistoryEntry] {
        let view = try self.view(dealID)
        let entries = try log(of: dealID, through: view.sequence)
        // The machine changes at each migration (the log starts on the first one's `from`).
        var machine = try initialMachine(dealID, entries: entries, current: view.machine)
        var out: [HistoryEntry] = []
        var snapshot: DealSnapshot?
        for (i, entry) in entries.enumerated() {
            let sequence = Int64(i + 1)
            if case .migrate(_, let to, _) = entry.event.action, let before = snapshot {
                guard let target = try? machines.machine(hash: to, for: dealID),
                      case .success(let migrated) = Runner.migrate(from: machine, to: target, before, entry.event, context: entry.context, limits: limits)
                else { break }
                let decided = migrated.snapshot
                let decisions = Array(Runner.explain(target.machine, decided, decisionsOf: sequence, utcOffset: hintZone).dropFirst(1 + decided.openNodes.count))
                // With what it did to the blocked nodes: active again, or blocked as of a later
                // due date (QA round 44, R11: `why` said only "no node moved").
                let blocked = DealService.activeAgainNotes(migrated.moves, before: before, on: machine, migrated.snapshot, on: target, zone: hintZone)
                out.append(HistoryEntry(sequence: sequence, event: entry.event, context: entry.context, effects: [],
                                        moves: [DealService.migrationMoves(target.machine, migrated)] + blocked, decisions: decisions))
                machine = target
                snapshot = migrated.snapshot
                continue
            }
            let m = machine.machine
            guard case .success(let outcome) = Runner.step(machine, snapshot, entry.event, context: entry.context, limits: limits) else {
                break
            }
            let moves = DealService.moves(m, from: snapshot, to: outcome.snapshot)
            // The decisions recorded during this event (decisions carry their event's sequence).
            let decided = outcome.snapshot
            let decisions = Array(Runner.explain(m, decided, decisionsOf: sequence, utcOffset: hintZone).dropFirst(1 + decided.openNodes.count))
            out.append(HistoryEntry(sequence: sequence, event: entry.event, context: entry.context, effects: outcome.effects,
                                    moves: moves, decisions: decisions))
            snapshot = outcome.snapshot
        }
        return out
    }

    /// Why the deal is where it is: its state (`Runner.explain`'s first lines), then the path it
    /// took, event by event — the nodes it entered, completed, skipped, closed or reset — with every
    /// branch and tailoring decision taken during the event: the condition and the field values
    /// that decided it.
    public func why(_ dealID: String) throws(HostError) -> [String] {
        try explanation(dealID).lines
    }

    /// ``why(_:)``'s lines, and when the log stops replaying, the error that says so
    /// (``historyShortfall(_:_:)``), found by the same replay.
    public func explanation(_ dealID: String) throws(HostError) -> (lines: [String], shortfall: HostError?) {
        typealias W = HostMessages.Why
        let view = try self.view(dealID)
        let m = view.machine.machine
        let s = view.snapshot
        var lines = Array(Runner.explain(m, s, utcOffset: hintZone).prefix(1 + s.openNodes.count))
        lines.insert(HostMessages.fill(W.template, [m.template.id, m.template.version, m.template.hash]), at: 1)
        lines.append(W.pathHeading)
        let entries = try history(dealID)
        for entry in entries {
            lines.append("  " + DealService.eventLine(entry.event, sequence: entry.sequence, utcOffset: hintZone))
            lines.append("      " + (entry.moves.isEmpty ? W.nothingMoved : entry.moves.joined(separator: "; ")))
            for d in entry.decisions { lines.append("      " + d) }
        }
        var shortfall: HostError?
        if Int64(entries.count) < view.sequence {
            let problem = try replay(dealID).problem
            if let problem { lines.append(problem) }
            shortfall = self.shortfall(dealID, replayed: entries.count, of: view.sequence, problem: problem)
        }
        if s.decisionsDropped > 0 { lines.append(HostMessages.fill(W.decisionsDropped, [String(s.decisionsDropped)])) }
        return (lines, shortfall)
    }

    /// `#3 2024-05-06T03:00:00Z complete `initial_talks` by `alice``; the time in the zone
    /// `utcOffset` when it is known (`2024-05-06T11:00:00+08:00`).
    public static func eventLine(_ event: DealEvent, sequence: Int64, utcOffset: Int64?) -> String {
        HostMessages.fill(HostMessages.Why.event, [
            String(sequence), TimeText.iso(event.at, utcOffset: utcOffset), describe(event.action),
            event.actor.map { HostMessages.fill(HostMessages.Why.byActor, [$0]) } ?? "",
        ])
    }

    /// An action in words.
    public static func describe(_ action: DealAction) -> String {
        typealias A = HostMessages.Action
        func f(_ format: String, _ args: String...) -> String { HostMessages.fill(format, args) }
        switch action {
        case .create(_, let owner, _, _): return f(A.create, owner.map { "`\($0)`" } ?? A.nobody)
        case .setFields(let fields): return f(A.setFields, fields.map(\.field).joined(separator: ", "))
        case .tickDeliverable(let node, let deliverable, let done): return f(done ? A.tick : A.untick, node, deliverable)
        case .complete(let node, let outcome): return outcome.map { f(A.completeWith, node, $0) } ?? f(A.complete, node)
        case .rework(let node, let target, let reason): return f(A.rework, node, target, Names.inline(reason))
        case .addRoleMember(let role, let person): return f(A.addMember, role, person)
        case .removeRoleMember(let role, let person): return f(A.removeMember, role, person)
        case .joinChat(let person, let chat): return f(A.joinChat, person, chat.map { "`\($0)`" } ?? A.theGroupChats)
        case .lose(let reason): return f(A.lose, reason.map(Names.inline) ?? A.noReason)
        case .win: return A.win
        case .claim: return A.claim
        case .release: return A.release
        case .assign(let to): return f(A.assign, to)
        case .tick: return A.timers
        case .migrate(_, let to, _): return f(MigrationMessages.Action.migrate, to)
        case .note(let node, let text): return f(MigrationMessages.Action.note, node, Names.inline(text))
        case .link(let node, let url, let title):
            return f(MigrationMessages.Action.link, node, Names.inline(title.map { "\($0) <\(url)>" } ?? url))
        }
    }

    /// A migration in words: the new version, and the nodes whose id changed (or were dropped).
    static func migrationMoves(_ m: Machine, _ outcome: MigrationOutcome) -> String {
        let changed = outcome.moves.filter { $0.to != $0.from }.map { move in
            HostMessages.fill(MigrationMessages.Action.nodeMove, [move.from, move.to ?? "-"])
        }
        return HostMessages.fill(MigrationMessages.Action.moved, [m.template.version, changed.isEmpty ? HostMessages.Why.nothingMoved : changed.joined(separator: ", ")])
    }

    /// What changed between two snapshots, in words: nodes by how they changed, then the deal's
    /// status, pool and owner.
    static func moves(_ m: Machine, from before: DealSnapshot?, to after: DealSnapshot) -> [String] {
        typealias W = HostMessages.Why
        var entered: [String] = [], completed: [String] = [], skipped: [String] = [], closed: [String] = []
        var reset: [String] = [], blocked: [String] = []
        for (i, node) in after.nodes.enumerated() where m.nodes.indices.contains(i) {
            let old = before.flatMap { $0.nodes.indices.contains(i) ? $0.nodes[i] : nil }
            let id = "`\(m.nodes[i].id)`"
            let was = old?.status ?? .pending
            let reentered = (old?.entries ?? 0) < node.entries
            switch node.status {
            case .active where !was.isOpen || reentered: entered.append(id)
            case .blocked where was != .blocked:
                if was.isOpen { blocked.append(id) } else { entered.append(id) }
            case .done where was != .done: completed.append(id)
            case .skipped where was != .skipped: skipped.append(id)
            case .closed where was != .closed: closed.append(id)
            case .pending where was != .pending: reset.append(id)
            default: break
            }
        }
        var out: [String] = []
        func add(_ format: String, _ ids: [String]) { if !ids.isEmpty { out.append(HostMessages.fill(format, [ids.joined(separator: ", ")])) } }
        add(W.completed, completed)
        add(W.skipped, skipped)
        add(W.closed, closed)
        add(W.reset, reset)
        add(W.entered, entered)
        add(W.blocked, blocked)
        if before?.status != after.status, before != nil {
            out.append(HostMessages.fill(HostMessages.Action.status, [after.status.rawValue]))
        }
        if before?.pool != after.pool || before?.owner != after.owner {
            out.append(HostMessages.fill(HostMessages.Action.pool, [after.pool.rawValue, after.owner.map { "`\($0)`" } ?? HostMessages.Action.nobody]))
        }
        return out
    }
}

/// Open deals of a template on a version other than the one a command used.
public struct OtherVersion: Sendable, Hashable {
    public var hash: String
    /// The version as its template gives it, when its machine can be read.
    public var version: String?
    public var openDeals: Int
}

extension DealService {
    /// The versions of `machine`'s template, other than `machine` itself, that open deals run on,
    /// most deals first: a run or a creation on an old version, once the store's deals were moved
    /// to a new one, starts deals on the old process (QA round 16). Empty when the store has no
    /// views (the in-memory store of tests answers them too).
    public func openDealsOnOtherVersions(of machine: PreparedMachine) throws(HostError) -> [OtherVersion] {
        guard let views = store as? any DealViewStore else { return [] }
        let template = machine.machine.template
        // The hashes before and after this one, as two ranges of the report's index: most deals
        // run on this version, and one query over `!=` read all of their entries (18 ms at
        // 100,000 deals, on every creation; 2 ms as ranges).
        var rows: [DealGroupRow] = []
        do {
            for side in [ViewComparison.less, .greater] {
                rows += try views.viewGroups(DealGroupQuery(
                    filter: .and([.compare(.column(.templateID), .equal, .value(.text(template.id))),
                                  .compare(.column(.templateHash), side, .value(.text(template.hash))),
                                  .compare(.column(.status), .equal, .value(.text("open")))]),
                    groupBy: [.column(.templateHash)]))
            }
        } catch {
            throw HostError(error)
        }
        return rows.compactMap { row -> OtherVersion? in
            guard case .text(let hash) = row.keys.first, hash != template.hash, row.count > 0 else { return nil }
            let version = try? machines.machine(hash: hash, forTemplate: template.id, deals: row.count).machine.template.version
            return OtherVersion(hash: hash, version: version, openDeals: row.count)
        }.sorted { ($0.openDeals, $1.hash) > ($1.openDeals, $0.hash) }
    }
}
