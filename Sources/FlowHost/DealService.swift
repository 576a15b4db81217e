import Foundation
import FlowExpr
import FlowIR
public import FlowRuntime
public import FlowStore

/// The host: runs deals through the pure runner against a ``FlowStore/DealStore``.
///
/// For every event it finds the deal's snapshot and the machine the deal is pinned to (by hash,
/// from the ``MachineRegistry``), gives the event its id and time, computes the
/// ``FlowRuntime/StepContext`` the core cannot know (the clock, how many open deals the would-be
/// owner has), steps, refuses duplicate customers (S4), and appends the event, the new snapshot,
/// its indexed columns and its effects in one record.
///
/// ## Decisions
///
/// - **The log holds the context.** Each stored event is a ``LoggedEvent`` (event + context), so
///   a replay of the log gives exactly the stored snapshot; ``replay(_:)`` checks it.
/// - **Live deals.** The store's `isOpen` column is true for a deal that is open *or* lost and
///   in the public pool: both can still be worked (a lost public deal is claimed back). These are
///   the deals a duplicate customer is matched against, so a returning customer is pointed to
///   the public deal instead of getting a second one. Lost public deals have no owner and never
///   count against a quota.
/// - **Duplicate customers.** An event whose result is a live deal with a customer key held by
///   another live deal is refused: FC1201 naming the owner when that deal is in a private pool,
///   FC1202 pointing to it when it is in the public pool. Checked on creation and whenever the
///   key changes or the deal becomes live again (a claim of a lost deal).
/// - **Event ids are checked before stepping** (``RepeatedEvents``). In bulk work an event whose
///   id is already in the deal's log is skipped, so a file can be run again without duplicates
///   or refusals; a single command refuses it (FC1214). Either way the store is never handed an
///   event it already holds, which it would answer as a duplicate without writing anything.
/// - **Units.** A record (a deal and its events) is applied all or nothing within the host; many
///   records share one store transaction (``batchSize``).
public final class DealService {
    public let store: any DealStore
    public let machines: MachineRegistry
    /// The host's clock, seconds since the epoch (tests inject one).
    public var clock: @Sendable () -> Int64
    /// Zone offset for `today()` in expressions, seconds east of UTC.
    public var utcOffset: Int64
    /// The zone the host's user writes times in, when the host knows it (`--utc-offset`, or the
    /// zone of `--now`): the example of a time refused for having none is written in it.
    public var hintZone: Int64?
    public var limits: RunnerLimits
    /// Records per store transaction in bulk work.
    public var batchSize: Int
    /// The deals taken in are a book their owners already hold (an import): the claim quota
    /// refuses none of the events applied (``FlowRuntime/StepContext/quotaWaived``, logged).
    public var quotaWaived = false

    /// Held while the service is: the store's writer lock of a command that changes deals
    /// (``StoreWriterLock``), released with the service. A service that held one and let it go
    /// (set to nil) writes no more: it no longer excludes other writers, and its quota and
    /// duplicate checks would read stale counts (QA round 26).
    public var writerLock: StoreWriterLock? {
        didSet { if writerLock != nil { heldWriterLock = true } }
    }
    private var heldWriterLock = false

    /// FC1212 when the service let its writer lock go: called before every write.
    func checkWriterLock() throws(HostError) {
        if heldWriterLock, writerLock == nil { throw HostError(HostMessages.storeFailed, HostMessages.Phrase.lockReleased) }
    }

    /// Field slots by id, per machine hash (names are resolved once per machine).
    private var fieldSlots: [String: [String: Int]] = [:]

    public init(store: any DealStore, machines: MachineRegistry, clock: @escaping @Sendable () -> Int64 = DealService.wallClock,
                utcOffset: Int64 = 0, limits: RunnerLimits = .default, batchSize: Int = 500) {
        self.store = store
        self.machines = machines
        self.clock = clock
        self.utcOffset = utcOffset
        self.limits = limits
        self.batchSize = max(1, batchSize)
    }

    /// The system clock, in whole seconds.
    public static let wallClock: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }

    /// A unit of work over the store, for hosts that batch their own records (bulk runs and timer
    /// sweeps use one): ``DealSession/run(_:)`` stages, ``DealSession/flush()`` writes.
    public func session() -> DealSession { DealSession(self) }

    // MARK: - One operation at a time

    /// Creates one deal (and applies `events` after it), in one store transaction.
    /// - Parameter repeated: a deal whose creation is in the store already: refused (FC1102, the
    ///   default: a single command means a new deal), or, when the creation logged is the same,
    ///   a caller's retry: its events already logged are skipped and the others applied (another
    ///   creation under the id is FC1204).
    public func create(_ deal: NewDealInput, machine: PreparedMachine, events: [EventInput] = [],
                       repeated: RepeatedEvents = .refuse) -> Result<UnitOutcome, HostError> {
        let session = DealSession(self)
        return finish(session, session.run(DealUnit(dealID: deal.dealID, create: deal, machine: machine, events: events, repeated: repeated)))
    }

    /// Applies events to an existing deal, in one store transaction.
    /// - Parameter repeated: an event whose id is in the deal's log: refused (FC1214, the
    ///   default: a single command means a new event), or skipped as delivered before when its
    ///   action is the same (a caller's retry; another action is FC1205).
    public func apply(_ events: [EventInput], to dealID: String, repeated: RepeatedEvents = .refuse) -> Result<UnitOutcome, HostError> {
        let session = DealSession(self)
        return finish(session, session.run(DealUnit(dealID: dealID, events: events, repeated: repeated)))
    }

    private func finish(_ session: DealSession, _ result: Result<UnitOutcome, UnitFailure>) -> Result<UnitOutcome, HostError> {
        switch result {
        case .failure(let failure): return .failure(failure.error)
        case .success(let outcome):
            do {
                if let (_, error) = try session.flush().first { return .failure(error) }
            } catch {
                return .failure(error)
            }
            return .success(outcome)
        }
    }

    // MARK: - Pieces shared with sessions

    /// The columns the store indexes, from a snapshot (see the type's notes on `isOpen`), with
    /// the view columns (``projection(_:_:unchangedFields:)``, in `ViewProjection.swift`).
    ///
    /// - Parameter previous: the deal's snapshot and columns before the step, if known: the
    ///   customer key is reused when no identity field changed (normalising names is the costly
    ///   part of the columns), and so are the view columns of the fields when no field changed.
    public static func index(_ machine: PreparedMachine, _ s: DealSnapshot, previous: (snapshot: DealSnapshot, index: DealIndex)? = nil) -> DealIndex {
        var index = columns(machine, s, previous: previous)
        index.projection = projection(machine, s, unchangedFields: previous.flatMap {
            $0.snapshot.machineHash == s.machineHash && $0.snapshot.fields == s.fields ? $0.index.projection : nil
        })
        return index
    }

    /// Computes the customer keys of the deals a store upgrade left without them (schema version
    /// 4: each identity field became a key of its own), from their snapshots, in batches. Run
    /// before a command writes, under the writer lock, so that no duplicate check misses them.
    /// Deals whose snapshot or machine cannot be read keep no key and are counted, and so are
    /// deals the store cannot find again by the id it listed them with (a damaged id): a page of
    /// only those ends the backfill, which went round them for ever (store review, finding 3).
    /// - Returns: how many deals got their keys, and the ids of those that could not.
    @discardableResult
    public func backfillCustomerKeys(batch: Int = 500) throws(HostError) -> (written: Int, skipped: [String]) {
        var written = 0
        var skipped: [String] = []
        while true {
            let page: [StoredSnapshot]
            do { page = try store.customerKeyBackfill(limit: batch) } catch { throw HostError(error) }
            if page.isEmpty { return (written, skipped) }
            var out: [(dealID: String, key: String?)] = []
            var unreadable: [String] = []
            for stored in page {
                guard let snapshot = try? DealSnapshot.decode(Array(stored.payload)),
                      let machine = try? machines.machine(hash: snapshot.machineHash, for: stored.dealID)
                else {
                    // Listed no more: its key stays unset (it is counted, and `deal verify` names it).
                    unreadable.append(stored.dealID)
                    out.append((stored.dealID, nil))
                    continue
                }
                out.append((stored.dealID, CustomerKey.key(machine.machine, fields: snapshot.fields)))
            }
            let found: Int
            do { found = try store.setCustomerKeys(out) } catch { throw HostError(error) }
            if found == 0 {
                // Listed, but none found again by its id: nothing can set them, and they would
                // come back on every page.
                return (written, skipped + page.map(\.dealID))
            }
            // A deal not found comes back on a later page, and is counted there.
            written += max(0, found - unreadable.count)
            skipped += unreadable.prefix(found)
        }
    }

    /// ``index(_:_:previous:)`` without the view columns (`projection` is nil): what a step needs
    /// to go on (pool, owner, customer key, openness). The view columns are made when the
    /// session writes (``DealSession/flush()``), once per deal and batch.
    public static func columns(_ machine: PreparedMachine, _ s: DealSnapshot, previous: (snapshot: DealSnapshot, index: DealIndex)? = nil) -> DealIndex {
        let m = machine.machine
        let customerKey: String?
        // A deal whose keys the store has yet to get again (an upgraded store) has none, and a
        // migrated deal may have another identity: made anew.
        if let previous, previous.index.customerKey != nil, previous.snapshot.machineHash == s.machineHash, m.customer.identity.allSatisfy({ slot in
            !s.fields.indices.contains(slot) || !previous.snapshot.fields.indices.contains(slot) || s.fields[slot] == previous.snapshot.fields[slot]
        }) {
            customerKey = previous.index.customerKey
        } else {
            customerKey = CustomerKey.key(m, fields: s.fields)
        }
        let nodes = s.openNodes.filter { m.nodes.indices.contains($0) }.map { m.nodes[$0].id }
        return DealIndex(
            templateHash: s.machineHash, status: s.status.rawValue, isOpen: isLive(s), pool: s.pool.rawValue, owner: s.owner,
            customerKey: customerKey, nextTimerAt: Runner.nextTimer(machine, s).map(storeTime),
            currentNodes: nodes.joined(separator: ","))
    }

    /// A snapshot as stored: the bytes of `DealSnapshot.encoded()`, written directly (see
    /// `SnapshotJSON`, which a test keeps byte-identical to the runtime's encoder).
    public static func encode(_ snapshot: DealSnapshot) -> [UInt8] { SnapshotJSON.encode(snapshot) }

    /// An effect as the outbox keeps it: the bytes of `Effect.encoded()`, written directly.
    public static func encode(_ effect: Effect) -> [UInt8] { SnapshotJSON.encode(effect) }

    /// Whether a deal can still be worked: open, or lost and waiting in the public pool.
    public static func isLive(_ s: DealSnapshot) -> Bool {
        s.isOpen || (s.status == .lost && s.pool == .public)
    }

    /// FC1120 and FC1110 told why the node or field is unknown to this deal when another version
    /// of its template has it, in place of a did-you-mean (QA round 28, R6: `security_review`, a
    /// node of the new version, was offered `solution_review`):
    /// - a node a migration of the deal renamed, with the new id: scripts and people keep using
    ///   the old one (QA round 16: a bare "unknown node" after the rename);
    /// - a node or field a migration of the deal removed (QA round 27, M9);
    /// - a node or field of a version other open deals run on, which this deal does not: it was
    ///   left on an older one, or is ahead of the others (QA round 27, M9).
    func withRenameHint(_ error: HostError, dealID: String) -> HostError {
        let isNode = error.is(RuntimeMessages.unknownNode)
        guard isNode || error.is(RuntimeMessages.unknownField), let name = error.arguments.first,
              let log = try? storedLog(dealID) else { return error }
        func has(_ machine: PreparedMachine) -> Bool {
            isNode ? machine.machine.nodes.contains { Names.shown($0.id) == name } : machine.machine.fields.contains { Names.shown($0.id) == name }
        }
        for entry in log.reversed() {
            guard case .migrate(let from, _, let map) = entry.event.action else { continue }
            if isNode, let renamed = map.first(where: { Names.shown($0.old) == name && $0.new != $0.old }) {
                return error.with(argument: 1, HostMessages.fill(HostMessages.Phrase.renamedNode, [Names.inline(renamed.new)]))
            }
            if let before = try? machines.machine(hash: from, for: dealID), has(before) {
                let version = (try? store.deal(dealID)).flatMap { try? machines.machine(hash: $0.index.templateHash, for: dealID) }?.machine.template.version
                return error.with(argument: 1, HostMessages.fill(isNode ? HostMessages.Phrase.removedNode : HostMessages.Phrase.removedField,
                                                                 [version ?? "?"]))
            }
        }
        guard let deal = try? store.deal(dealID), let machine = try? machines.machine(hash: deal.index.templateHash, for: dealID),
              let others = try? openDealsOnOtherVersions(of: machine) else { return error }
        for other in others {
            guard let version = other.version, let that = try? machines.machine(hash: other.hash, for: dealID), has(that) else { continue }
            return error.with(argument: 1, HostMessages.fill(HostMessages.Phrase.otherVersionHas, [
                isNode ? "node" : "field", Names.inline(machine.machine.template.id), version, String(other.openDeals),
                other.openDeals == 1 ? "" : "s", machine.machine.template.version,
            ]))
        }
        return error
    }

    /// Seconds → the store's milliseconds (saturating).
    public static func storeTime(_ seconds: Int64) -> StoreTime {
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return StoreTime(millisecondsSinceEpoch: overflow ? (seconds > 0 ? Int64.max : Int64.min) : ms)
    }

    /// Field values as written, typed by the machine's fields. An unknown field passes through
    /// (as text when written as a string) so that the runner's refusal, with its did-you-mean,
    /// is what the caller sees.
    func typed(_ values: [WrittenValue], _ machine: PreparedMachine) -> Result<[FieldAssignment], HostError> {
        let m = machine.machine
        let hash = m.template.hash
        let slots: [String: Int]
        if let known = fieldSlots[hash] {
            slots = known
        } else {
            var map: [String: Int] = [:]
            for (i, f) in m.fields.enumerated() where map[f.id] == nil { map[f.id] = i }
            fieldSlots[hash] = map
            slots = map
        }
        let fieldTypes = machine.fieldTypes
        var out: [FieldAssignment] = []
        out.reserveCapacity(values.count)
        // Every value that does not fit, in one message, so that one pass fixes the record (QA
        // round 16: a CSV row's second bad value was said only on the next run).
        var unfit: [(field: String, message: String)] = []
        for written in values {
            guard let slot = slots[written.field], fieldTypes.indices.contains(slot) else {
                if case .string(let s) = written.value { out.append(FieldAssignment(written.field, .text(s))) } else {
                    out.append(FieldAssignment(written.field, .null))
                }
                continue
            }
            switch ScenarioValues.value(written.value, type: fieldTypes[slot], zone: hintZone) {
            case .success(let v): out.append(FieldAssignment(written.field, v))
            case .failure(let error): unfit.append((written.field, error.message))
            }
        }
        if let first = unfit.first {
            let others = unfit.dropFirst().map { HostMessages.fill(HostMessages.Record.alsoUnreadable, [$0.field, $0.message]) }
            return .failure(HostError(HostMessages.unreadableValue, first.field, first.message + others.joined()))
        }
        return .success(out)
    }

    /// A readable name for the customer: the identity fields that are set, as written.
    static func customerLabel(_ machine: Machine, _ s: DealSnapshot) -> String {
        let parts = machine.customer.identity.compactMap { slot -> String? in
            guard s.fields.indices.contains(slot), let v = s.fields[slot] else { return nil }
            return v.displayText
        }
        return parts.isEmpty ? s.dealID : parts.joined(separator: " / ")
    }
}

/// A stepped event waiting for ``DealSession/flush()``, with its snapshot, view columns and
/// effects not yet made (the flush makes a batch's records in parallel, and the snapshot and view
/// columns only for the last record of each deal; see ``encoded(lastOfDeal:)``).
///
/// A class, never changed once made: a staged record is handed from the step to the session's
/// pending list and to the flush's workers, and a reference is one retain where a copy of the
/// snapshot and columns was dozens.
final class StagedRecord: Sendable {
    let dealID: String
    let eventID: String
    let afterSequence: Int64
    /// The ``LoggedEvent``, encoded (small; read back when an id is looked for in the session).
    let event: Data
    let snapshot: DealSnapshot
    let machine: PreparedMachine
    /// The indexed columns, without the view columns.
    let columns: DealIndex
    /// The latest view columns known for the deal before this event (see ``ProjectionBase``).
    let base: ProjectionBase?
    let effects: [Effect]

    init(dealID: String, eventID: String, afterSequence: Int64, event: Data, snapshot: DealSnapshot, machine: PreparedMachine,
         columns: DealIndex, base: ProjectionBase?, effects: [Effect]) {
        self.dealID = dealID
        self.eventID = eventID
        self.afterSequence = afterSequence
        self.event = event
        self.snapshot = snapshot
        self.machine = machine
        self.columns = columns
        self.base = base
        self.effects = effects
    }

    /// The record the store appends. The last record of its deal in a batch has its snapshot and
    /// view columns made now (the store writes them); the others' are made only if the store
    /// asks for them, which it does when a later record of the deal is refused.
    func encoded(lastOfDeal: Bool) -> AppendRecord {
        let effects = effects.map(SnapshotJSON.record)
        let (snapshot, machine, base) = (self.snapshot, self.machine, self.base)
        @Sendable func row() -> (snapshot: Data, projection: DealProjection?) {
            let unchanged = base.flatMap { $0.machineHash == snapshot.machineHash && $0.fields == snapshot.fields ? $0.projection : nil }
            return (Data(SnapshotJSON.encode(snapshot)), DealService.projection(machine, snapshot, unchangedFields: unchanged))
        }
        if lastOfDeal {
            let made = row()
            var index = columns
            index.projection = made.projection
            return AppendRecord(
                dealID: dealID, eventID: eventID, afterSequence: afterSequence, event: event, snapshot: made.snapshot,
                index: index, effects: effects)
        }
        return AppendRecord(
            dealID: dealID, eventID: eventID, afterSequence: afterSequence, event: event, columns: columns,
            effects: effects, row: row)
    }
}

/// The view columns a deal's row had at some snapshot, with that snapshot's fields: the view
/// columns of the fields (their JSON, amount and close date, the costly part) are reused for a
/// later snapshot with the same fields.
struct ProjectionBase: Sendable {
    var machineHash: String
    var fields: [ExprValue?]
    var projection: DealProjection
}

/// What to do with an event whose id is already in the deal's log.
public enum RepeatedEvents: Sendable {
    /// Skip it: it was delivered before (bulk runs, so that a file can be run again).
    case skip
    /// Refuse the unit with FC1214 (single commands). A repeated creation is left to the runner,
    /// which refuses it as FC1102.
    case refuse
    /// Do not read the log: the caller's ids cannot repeat (timer sweeps). Should one repeat
    /// anyway, the store's answer makes the unit fail with FC1214 at ``DealSession/flush()``.
    case unchecked
}

/// A record's worth of work on one deal: optionally its creation, then events, all or nothing.
public struct DealUnit: Sendable {
    public var dealID: String
    public var create: NewDealInput?
    /// The machine of a creation (events use the machine the deal is pinned to).
    public var machine: PreparedMachine?
    public var events: [EventInput]
    public var repeated: RepeatedEvents
    /// The host's clock for this unit; nil reads the service's clock.
    public var now: Int64?

    public init(dealID: String, create: NewDealInput? = nil, machine: PreparedMachine? = nil, events: [EventInput] = [],
                repeated: RepeatedEvents, now: Int64? = nil) {
        self.dealID = dealID
        self.create = create
        self.machine = machine
        self.events = events
        self.repeated = repeated
        self.now = now
    }
}

extension DealUnit {
    /// The unit with no blanks around its deal id and the people it names (owner, creator,
    /// actors, role members, an assignee, a chat's new member), whatever wrote it: a command
    /// line, a JSON record or a CSV cell (QA rounds 12 and 13: `' wang '` was another person).
    func withoutBlanksAroundNames() -> DealUnit {
        func t(_ s: String) -> String { RecordReader.person(s) }
        var u = self
        u.dealID = t(dealID)
        if var c = u.create {
            c.dealID = t(c.dealID)
            // An owner written empty is refused by the runner (FC1108), not read as none: a
            // user lookup that failed would put the deal in the public pool (QA round 26, E7).
            // Nil is no owner; a CSV cell left blank is nil already.
            c.owner = c.owner.map(t)
            c.actor = c.actor.map(t).flatMap { $0.isEmpty ? nil : $0 }
            c.members = c.members.map { RoleAssignment($0.role, t($0.person)) }
            u.create = c
        }
        u.events = events.map { e in
            var e = e
            e.actor = e.actor.map(t).flatMap { $0.isEmpty ? nil : $0 }
            switch e.action {
            case .addMember(let role, let person): e.action = .addMember(role: role, person: t(person))
            case .removeMember(let role, let person): e.action = .removeMember(role: role, person: t(person))
            case .assign(let person): e.action = .assign(to: t(person))
            case .joinChat(let person, let chat): e.action = .joinChat(person: t(person), chat: chat)
            default: break
            }
            return e
        }
        return u
    }
}

extension DealService {
    /// How many of a unit's events returned its deal to the public pool without the idle warning,
    /// which came due with the return (``Runner/returnedUnwarned(_:_:at:)``): what `flowc run`
    /// counts and `flowc deal event` says.
    public static func returnsUnwarned(_ o: UnitOutcome) -> Int {
        guard o.applied > 0, o.effects.contains(where: { $0.kind == .returnedToPool }) else { return 0 }
        let last = o.snapshot.sequence
        return (max(1, last - Int64(o.applied) + 1)...last).filter { Runner.returnedUnwarned(o.machine.machine, o.snapshot, at: $0) }.count
    }
}

/// What a unit did.
public struct UnitOutcome: Sendable {
    public var dealID: String
    /// Whether this unit created the deal.
    public var created: Bool
    /// Events stepped and logged (a deliverables action with several items counts each).
    public var applied: Int
    /// Events skipped because their id was already in the log.
    public var skipped: Int
    /// The effects emitted, in order.
    public var effects: [Effect]
    /// The deal after the unit.
    public var snapshot: DealSnapshot
    /// Its indexed columns, without the view columns (`projection` is nil: they are made when
    /// the session writes the deal; ``DealService/index(_:_:previous:)`` makes them all).
    public var index: DealIndex
    public var machine: PreparedMachine
}

/// Why a unit was not applied: which of its events (0 for the creation, n for the n-th event),
/// and the error, already placed in its context (`deal `D-1`, event 3 (complete): …`).
public struct UnitFailure: Error, Sendable {
    public var event: Int
    public var error: HostError
}

/// A unit of work over the store: deals loaded, stepped and staged in memory, written by
/// ``flush()`` in one transaction. Queries the runner needs (an owner's open deals, the live deals
/// of a customer) see the staged changes as well as the store.
public final class DealSession {
    /// A deal as this session knows it.
    struct Live: Sendable {
        var snapshot: DealSnapshot
        var machine: PreparedMachine
        var index: DealIndex
        /// The log position of `snapshot` (the store's sequence number).
        var logSequence: Int64
        /// Whether the deal is in the store (false: created in this session, not flushed).
        var inStore: Bool
        /// Event ids in the log (read lazily for stored deals) and staged.
        var loggedIDs: Set<String>?
        /// The view columns as last known (as stored, for a deal read from the store); `index`
        /// has none once the deal is stepped.
        var base: ProjectionBase?
    }

    let service: DealService
    private var deals: [String: Live] = [:]
    /// Deals read ahead by ``prefetch(_:)``, not yet run.
    private var prefetched: [String: Live] = [:]
    /// Staged changes to owners' open-deal counts, per owner and template id (nil: a deal
    /// without view columns, which counts for every template, as in the store).
    private var ownedDelta: [OwnedDeals: Int] = [:]
    private var liveKeys: [String: Set<String>] = [:]
    private var pending: [(record: StagedRecord, unit: Int)] = []
    var units = 0

    init(_ service: DealService) {
        self.service = service
    }

    /// Records waiting for ``flush()``.
    public var pendingCount: Int { pending.count }

    /// The unit number `run` gives the next unit (flush failures name units by it).
    public var nextUnit: Int { units }

    // MARK: Reading through the session

    func load(_ dealID: String) throws(HostError) -> Live? {
        if let live = deals[dealID] { return live }
        if let loaded = prefetched.removeValue(forKey: dealID) { return loaded }
        let states: [StoredDealState]
        do { states = try service.store.dealStates([dealID]) } catch { throw HostError(error) }
        guard let state = states.first else { return nil }
        return try live(state)
    }

    /// Reads these deals from the store in one call, so that running their units does not read
    /// them one at a time (a timer sweep's page). Deals the session already holds are skipped;
    /// unknown ids are ignored (their units fail as unknown deals when run), and so are deals
    /// that cannot be read (their units read them again and fail with the reason).
    /// - Throws: FC1212 when the store fails.
    public func prefetch(_ dealIDs: [String]) throws(HostError) {
        let wanted = dealIDs.filter { held($0) == false }
        if wanted.isEmpty { return }
        install(try DealSession.read(wanted, from: service.store))
    }

    /// Deals read from the store and decoded, not yet held by a session.
    /// A key of ``ownedDelta``.
    struct OwnedDeals: Hashable {
        var owner: String
        var templateID: String
    }

    struct ReadDeals: Sendable {
        var states: [StoredDealState] = []
        /// The decoded snapshots, in the order of `states`; nil where one cannot be decoded.
        var snapshots: [DealSnapshot?] = []
    }

    /// Reads these deals from the store in one call and decodes their snapshots. It touches no
    /// session, so a timer sweep reads its next page with it while the session writes the last.
    /// - Parameter workers: threads to decode on (decoding is most of a load and independent per
    ///   deal).
    /// - Throws: FC1212 when the store fails.
    static func read(
        _ dealIDs: [String], from store: any DealStore, workers: Int = ProcessInfo.processInfo.activeProcessorCount
    ) throws(HostError) -> ReadDeals {
        if dealIDs.isEmpty { return ReadDeals() }
        let states: [StoredDealState]
        do { states = try store.dealStates(dealIDs) } catch { throw HostError(error) }
        let snapshots = ParallelWork.map(states, workers: workers) { state in try? DealSnapshot.decode(Array(state.snapshot)) }
        return ReadDeals(states: states, snapshots: snapshots)
    }

    /// Holds deals read by ``read(_:from:workers:)`` for their units, but those the session
    /// already holds (its own state of them is newer).
    func install(_ read: ReadDeals) {
        for (state, snapshot) in zip(read.states, read.snapshots) where !held(state.deal.dealID) {
            guard let snapshot, let loaded = try? live(state, decoded: snapshot) else { continue }
            prefetched[state.deal.dealID] = loaded
        }
    }

    /// The log positions a deal may have: far more events than any deal gets, and room to count on.
    static let maxLogSequence: Int64 = 1 << 53

    /// Whether the session holds the deal: stepped in it, or prefetched.
    private func held(_ dealID: String) -> Bool { deals[dealID] != nil || prefetched[dealID] != nil }

    /// A stored deal as the session holds it. The stored columns are used as they are when they
    /// are complete and belong to the snapshot's version (they were computed from this snapshot
    /// when it was appended); otherwise (a store from before the view columns) they are computed.
    private func live(_ state: StoredDealState, decoded: DealSnapshot? = nil) throws(HostError) -> Live {
        let dealID = state.deal.dealID
        // A log position no log reaches (a damaged store): refused, not counted on from (QA
        // round 14: the next event's position overflowed and the process trapped).
        guard (0..<Self.maxLogSequence).contains(state.deal.lastSequence) else {
            throw HostError(HostMessages.storedDealUnreadable, dealID,
                            HostMessages.fill(HostMessages.Phrase.logPositionOutOfRange, [String(state.deal.lastSequence)]))
        }
        let snapshot: DealSnapshot
        if let decoded {
            snapshot = decoded
        } else {
            do { snapshot = try DealSnapshot.decode(Array(state.snapshot)) } catch {
                throw HostError(HostMessages.storedDealUnreadable, dealID, error.message)
            }
        }
        // The snapshot is the fold of the log: it counts as many events. One that does not (a
        // damaged store) is refused before a step counts on from it (store review, finding 4:
        // a sequence of Int64.max overflowed, and a tick stopped for every deal).
        guard snapshot.sequence == state.deal.lastSequence else {
            throw HostError(HostMessages.storedDealUnreadable, dealID, HostMessages.fill(
                HostMessages.Phrase.snapshotOutOfStep, [String(snapshot.sequence), String(state.deal.lastSequence)]))
        }
        let machine = try service.machines.machine(hash: snapshot.machineHash, for: dealID)
        let stored = state.deal.index
        let index = stored.projection != nil && stored.templateHash == snapshot.machineHash
            ? stored : DealService.index(machine, snapshot)
        return Live(snapshot: snapshot, machine: machine, index: index, logSequence: state.deal.lastSequence,
                    inStore: true, loggedIDs: nil,
                    base: index.projection.map { ProjectionBase(machineHash: snapshot.machineHash, fields: snapshot.fields, projection: $0) })
    }

    /// The deal's log as stored.
    func storedLog(_ dealID: String) throws(HostError) -> [StoredEvent] {
        do { return try service.store.allEvents(of: dealID) } catch { throw HostError(error) }
    }

    /// Open deals of template `templateID` that `person` owns, counting staged changes.
    func ownedOpenDeals(_ person: String, template templateID: String) throws(HostError) -> Int {
        let staged = ownedDelta[OwnedDeals(owner: person, templateID: templateID)] ?? 0
        do { return try service.store.openDealCount(ownedBy: person, template: templateID) + staged } catch { throw HostError(error) }
    }

    /// Live deals holding any of these customer keys, other than `dealID`: (id, pool, owner).
    func liveDeals(customerKeys: [String], except dealID: String) throws(HostError) -> [(id: String, pool: String?, owner: String?)] {
        var out: [(id: String, pool: String?, owner: String?)] = []
        let stored: [StoredDeal]
        do { stored = try service.store.openDeals(customerKeys: customerKeys) } catch { throw HostError(error) }
        for d in stored where d.dealID != dealID && deals[d.dealID] == nil {
            out.append((d.dealID, d.index.pool, d.index.owner))
        }
        var seen: Set<String> = []
        for key in customerKeys {
            for id in (liveKeys[key] ?? []).sorted() where id != dealID && seen.insert(id).inserted {
                if let live = deals[id] { out.append((id, live.index.pool, live.index.owner)) }
            }
        }
        return out.sorted { $0.id < $1.id }
    }

    // MARK: Running a unit

    /// Steps a unit against the session's view of the store and stages its records; nothing is
    /// staged when any of its events is refused.
    /// Whether every event of `unit` (events of a stored deal, each with an id) is in the deal's
    /// log already, stored or staged in this session: running it would change nothing. A bulk
    /// run asks before holding a record back (FC1206), so that a file run again reports the
    /// records applied before as unchanged rather than rejected.
    func isAlreadyLogged(_ unit: DealUnit) throws(HostError) -> Bool {
        guard unit.create == nil, !unit.events.isEmpty, let live = try load(unit.dealID) else { return false }
        var ids: [String] = []
        for event in unit.events {
            guard let id = event.id else { return false }
            ids.append(id)
        }
        var logged = live.loggedIDs ?? []
        if live.loggedIDs == nil, live.inStore { logged = Set(try storedLog(unit.dealID).map(\.eventID)) }
        for r in pending where r.record.dealID == unit.dealID { logged.insert(r.record.eventID) }
        // A deliverables action with several items is logged as `ID.1`, `ID.2`, ….
        return ids.allSatisfy { logged.contains($0) || logged.contains($0 + ".1") }
    }

    public func run(_ unit: DealUnit) -> Result<UnitOutcome, UnitFailure> {
        let number = units
        units += 1
        do {
            return .success(try runUnit(unit.withoutBlanksAroundNames(), number: number))
        } catch {
            return .failure(error)
        }
    }

    private func runUnit(_ unit: DealUnit, number: Int) throws(UnitFailure) -> UnitOutcome {
        let dealID = unit.dealID
        func wrap(_ error: HostError, event: Int, label: String) -> UnitFailure {
            // The id as the input wrote it, but safe on a terminal (no escape sequence from a file),
            // and cut when it is longer than any id can be (a 1 MB id was printed whole).
            let dealID = Names.shown(dealID, max: 256)
            if event == 0 { return UnitFailure(event: 0, error: error.within(HostMessages.Phrase.inCreate, dealID)) }
            // The event's number counts only among several ("event 1" of a single command read
            // as the deal's first event).
            if unit.create == nil && unit.events.count == 1 {
                return UnitFailure(event: event, error: error.within(HostMessages.Phrase.inOnlyEvent, dealID, label))
            }
            return UnitFailure(event: event, error: error.within(HostMessages.Phrase.inEvent, dealID, String(event), label))
        }
        let start: Live?
        do { start = try load(dealID) } catch { throw wrap(error, event: unit.create == nil ? 1 : 0, label: unit.events.first?.action.name ?? "") }
        let now = unit.now ?? service.clock()
        var live = start
        var staged: [StagedRecord] = []
        var effects: [Effect] = []
        var applied = 0
        var skipped = 0
        var created = false
        var previous: Int64 = start?.snapshot.lastEventAt ?? now

        /// The deal's stored events, payload by id, read once per unit: a file run again looks up
        /// every event of a record, and compares each with its logged self.
        var storedPayloads: [String: Data]?
        func stored() throws(HostError) -> [String: Data] {
            if let storedPayloads { return storedPayloads }
            var byID: [String: Data] = [:]
            if live?.inStore ?? false { for e in try storedLog(dealID) { byID[e.eventID] = e.payload } }
            storedPayloads = byID
            return byID
        }

        func logged(_ id: String) throws(HostError) -> Bool {
            guard unit.repeated != .unchecked, var l = live else { return false }
            if l.loggedIDs == nil {
                var ids = Set(try stored().keys)
                for r in pending where r.record.dealID == dealID { ids.insert(r.record.eventID) }
                for r in staged { ids.insert(r.eventID) }
                l.loggedIDs = ids
                live = l
            }
            return l.loggedIDs?.contains(id) ?? false
        }

        /// The logged event with this id (from the store, or staged earlier in the session).
        func loggedEvent(_ id: String) throws(HostError) -> DealEvent? {
            let payload: Data
            if let r = staged.first(where: { $0.eventID == id }) {
                payload = r.event
            } else if let r = pending.first(where: { $0.record.dealID == dealID && $0.record.eventID == id }) {
                payload = r.record.event
            } else {
                guard let stored = try stored()[id] else { return nil }
                payload = stored
            }
            let entry: LoggedEvent = try LoggedEvent.decode(payload, dealID: dealID)
            return entry.event
        }

        func step(_ event: DealEvent, machine: PreparedMachine, owner: String?, canAssign: Bool) throws(HostError) {
            let before = live
            var owned = 0
            if let owner {
                owned = try ownedOpenDeals(owner, template: machine.machine.template.id)
                // This unit's own staged changes to the deal.
                if let s = start?.index, s.isOpen, s.owner == owner { owned -= 1 }
                if let c = before?.index, c.isOpen, c.owner == owner { owned += 1 }
            }
            var context = StepContext(now: now, utcOffset: service.utcOffset, ownedOpenDeals: max(0, owned), actorCanAssign: canAssign)
            context.quotaWaived = service.quotaWaived
            let step: (live: Live, record: StagedRecord, effects: [Effect])
            do throws(HostError) {
                step = try Self.stepped(event, dealID: dealID, machine: machine, before: before, context: context, limits: service.limits)
            } catch where error.is(RuntimeMessages.quotaExceeded) && before == nil {
                // A creation that is also a duplicate customer is refused as the duplicate: waiving
                // the quota would not let it through (QA round 16: FC1151 first, FC1201 once waived).
                var waived = context
                waived.quotaWaived = true
                if let other = try? Self.stepped(event, dealID: dealID, machine: machine, before: nil, context: waived, limits: service.limits) {
                    try checkCustomer(dealID, other.live.index, before: nil, machine: machine, snapshot: other.live.snapshot)
                }
                throw error
            }
            try checkCustomer(dealID, step.live.index, before: before?.index, machine: machine, snapshot: step.live.snapshot)
            staged.append(step.record)
            live = step.live
            effects.append(contentsOf: step.effects)
            applied += 1
        }

        func resolve(_ t: EventTime) throws(HostError) -> Int64 {
            switch t {
            case .now: return now
            case .same: return previous
            case .absolute(let x): return x
            case .after(let d):
                // `+999999999w` after a valid time: out of the calendar, as an absolute time
                // would be refused when read (it was dated `datetime(604801719187200)`).
                let at = Self.add(previous, d)
                guard RecordReader.instants.contains(at) else { throw RecordReader.fail(HostMessages.Record.timeOutOfRange, "at") }
                return at
            }
        }

        // The creation.
        if let create = unit.create {
            guard let machine = unit.machine else {
                throw wrap(HostError(HostMessages.unknownDeal, dealID), event: 0, label: "create")
            }
            let at: Int64
            do throws(HostError) { at = try resolve(create.at) } catch { throw wrap(error, event: 0, label: "create") }
            previous = at
            do throws(HostError) {
                let fields: [FieldAssignment]
                switch service.typed(create.fields, machine) {
                case .success(let f): fields = f
                case .failure(let e): throw e
                }
                // An empty owner is no actor: the runner refuses it as the owner it is.
                let event = DealEvent(id: create.eventID, at: at, actor: create.actor ?? create.owner.flatMap { $0.isEmpty ? nil : $0 },
                                      .create(dealID: dealID, owner: create.owner, fields: fields, members: create.members))
                if unit.repeated == .skip, try logged(create.eventID) {
                    // Delivered before — unless the record is another deal under a reused id.
                    if let earlier = try loggedEvent(create.eventID), !earlier.action.isRedelivery(of: event.action) || earlier.actor != event.actor {
                        throw HostError(HostMessages.dealIDReused, dealID, create.eventID)
                    }
                    skipped += 1
                } else {
                    try step(event, machine: machine, owner: create.owner, canAssign: false)
                    created = true
                }
            } catch {
                throw wrap(error, event: 0, label: "create")
            }
        } else if start == nil {
            throw wrap(HostError(HostMessages.unknownDeal, dealID), event: 1, label: unit.events.first?.action.name ?? "")
        }

        // The events.
        for (k, input) in unit.events.enumerated() {
            do throws(HostError) {
                guard let current = live else { throw HostError(HostMessages.unknownDeal, dealID) }
                let machine = current.machine
                let at = try resolve(input.at)
                previous = at
                var baseID = input.id ?? "auto-\(current.logSequence + 1)"
                if input.id == nil {
                    // An id the host chooses is never one given by hand to an earlier event (an
                    // event sent without an id was refused as already logged, FC1214).
                    var n = 2
                    while true {
                        let taken = try logged(baseID)
                        let takenAsItem = try logged(baseID + ".1")
                        if !taken && !takenAsItem { break }
                        baseID = "auto-\(current.logSequence + 1)-\(n)"
                        n += 1
                    }
                }
                for (id, action) in try actions(input.action, id: baseID, machine: machine) {
                    if try logged(id) {
                        guard unit.repeated == .skip else { throw HostError(HostMessages.eventLogged, id, dealID) }
                        // The same event delivered again, unless its id now names another action
                        // or another person acting (QA round 13: li's retry of wang's claim).
                        if let earlier = try loggedEvent(id), !earlier.action.isRedelivery(of: action) || earlier.actor != input.actor {
                            throw HostError(HostMessages.eventIDReused, id, dealID)
                        }
                        skipped += 1
                        continue
                    }
                    var owner: String?
                    switch action {
                    case .claim: owner = input.actor
                    case .assign(let to): owner = to
                    default: owner = nil
                    }
                    try step(DealEvent(id: id, at: at, actor: input.actor, action), machine: machine, owner: owner, canAssign: input.canAssign)
                }
            } catch {
                throw wrap(service.withRenameHint(error, dealID: dealID), event: k + 1, label: input.action.name)
            }
        }

        guard let final = live else { throw wrap(HostError(HostMessages.unknownDeal, dealID), event: 0, label: "") }
        commit(dealID, from: start, to: final, staged: staged, unit: number)
        return UnitOutcome(dealID: dealID, created: created, applied: applied, skipped: skipped, effects: effects,
                           snapshot: final.snapshot, index: final.index, machine: final.machine)
    }

    /// One event stepped on a deal: the runner's step, the new columns and the record to stage.
    /// Pure (no session state), so that a timer sweep can step many deals at once.
    static func stepped(_ event: DealEvent, dealID: String, machine: PreparedMachine, before: Live?, context: StepContext,
                        limits: RunnerLimits) throws(HostError) -> (live: Live, record: StagedRecord, effects: [Effect]) {
        let outcome: StepOutcome
        switch Runner.step(machine, before?.snapshot, event, context: context, limits: limits) {
        case .success(let o): outcome = o
        case .failure(let refusal): throw HostError(refusal)
        }
        let index = DealService.columns(machine, outcome.snapshot, previous: before.map { ($0.snapshot, $0.index) })
        let afterSequence = before?.logSequence ?? 0
        let base = before.flatMap { before in
            before.index.projection.map { ProjectionBase(machineHash: before.snapshot.machineHash, fields: before.snapshot.fields, projection: $0) }
                ?? before.base
        }
        let record = StagedRecord(
            dealID: dealID, eventID: event.id, afterSequence: afterSequence,
            event: LoggedEvent(event: event, context: context).encoded(), snapshot: outcome.snapshot, machine: machine,
            columns: index, base: base, effects: outcome.effects)
        var ids = before?.loggedIDs
        ids?.insert(event.id)
        let live = Live(snapshot: outcome.snapshot, machine: machine, index: index, logSequence: afterSequence + 1,
                        inStore: before?.inStore ?? false, loggedIDs: ids ?? (before == nil ? [event.id] : nil), base: base)
        return (live, record, outcome.effects)
    }

    /// S4: refuses a step whose result is a live deal with a customer key another live deal
    /// holds (FC1201 naming its owner, FC1202 pointing to the public pool). Checked when the key
    /// is new to the deal or the deal has just become live.
    func checkCustomer(_ dealID: String, _ index: DealIndex, before: DealIndex?, machine: PreparedMachine, snapshot: DealSnapshot)
        throws(HostError)
    {
        try DealService.checkCustomer(dealID, index, before: before, machine: machine, snapshot: snapshot) { (keys) throws(HostError) in
            try liveDeals(customerKeys: keys, except: dealID)
        }
    }

    /// The runner's actions for one written action (a deliverables action gives one per item).
    /// One action keeps the event's id; the events of a deliverables action with several items
    /// are `ID.1`, `ID.2`, ….
    private func actions(_ action: HostAction, id: String, machine: PreparedMachine) throws(HostError) -> [(String, DealAction)] {
        let actions = try action.dealActions { (values) throws(HostError) in try service.typed(values, machine).get() }
        if actions.count == 1 { return [(id, actions[0])] }
        return actions.enumerated().map { ("\(id).\($0.offset + 1)", $0.element) }
    }

    func commit(_ dealID: String, from start: Live?, to final: Live, staged: [StagedRecord], unit: Int) {
        // Counted under the template of the deal's machine: a stepped deal's index has no view
        // columns, so its projection's template id was nil, and a nil was counted against every
        // template (store review: a claim refused by FC1151 for a deal of another template
        // staged in the same batch).
        if let s = start, s.index.isOpen, let owner = s.index.owner {
            ownedDelta[OwnedDeals(owner: owner, templateID: s.machine.machine.template.id), default: 0] -= 1
        }
        if final.index.isOpen, let owner = final.index.owner {
            ownedDelta[OwnedDeals(owner: owner, templateID: final.machine.machine.template.id), default: 0] += 1
        }
        for key in start?.index.customerKeys ?? [] { liveKeys[key]?.remove(dealID) }
        if final.index.isOpen { for key in final.index.customerKeys { liveKeys[key, default: []].insert(dealID) } }
        deals[dealID] = final
        for record in staged { pending.append((record, unit)) }
    }

    /// Overflow-safe `a + b` for instants.
    static func add(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? Int64.max : Int64.min) : sum
    }

    // MARK: Writing

    /// Writes every staged record in one transaction and starts afresh.
    ///
    /// - Returns: the units the store refused a record of (normally none: only another process
    ///   writing the same deals makes the store refuse what the runner accepted), with FC1211.
    /// - Throws: ``HostError`` FC1212 when the store fails; then nothing was written.
    @discardableResult
    public func flush() throws(HostError) -> [(unit: Int, error: HostError)] {
        try service.checkWriterLock()
        return try Self.write(prepare(), to: service.store)
    }

    /// The staged records, taken from the session and encoded, for ``write(_:to:)``.
    struct PreparedBatch: Sendable {
        var batch: [(record: StagedRecord, unit: Int)]
        var records: [AppendRecord]
    }

    /// Takes the staged records (the session starts afresh) and encodes them: the first half of
    /// ``flush()``. A timer sweep steps its next page while the store writes this one.
    /// - Parameter workers: threads to encode on (one while a sweep's page is written, leaving
    ///   the other core to the writer).
    func prepare(workers: Int = ProcessInfo.processInfo.activeProcessorCount) -> PreparedBatch {
        let batch = pending
        deals = [:]
        prefetched = [:]
        ownedDelta = [:]
        liveKeys = [:]
        pending = []
        guard !batch.isEmpty else { return PreparedBatch(batch: [], records: []) }
        // Encoding the snapshots and effects is most of a flush's own work and each record's is
        // independent of the others': it is spread over the cores. Only the last record of each
        // deal has its snapshot and view columns made (the store writes the deal's row once).
        var seen = Set<String>()
        seen.reserveCapacity(batch.count)
        var lastOfDeal = [Bool](repeating: false, count: batch.count)
        for offset in batch.indices.reversed() { lastOfDeal[offset] = seen.insert(batch[offset].record.dealID).inserted }
        let records = ParallelWork.map(Array(zip(batch, lastOfDeal)), workers: workers) { entry, last in
            entry.record.encoded(lastOfDeal: last)
        }
        return PreparedBatch(batch: batch, records: records)
    }

    /// Writes a prepared batch in one transaction: the second half of ``flush()``, which touches
    /// no session.
    static func write(_ prepared: PreparedBatch, to store: any DealStore) throws(HostError) -> [(unit: Int, error: HostError)] {
        guard !prepared.records.isEmpty else { return [] }
        let results: [AppendResult]
        do { results = try store.append(prepared.records) } catch { throw HostError(error) }
        var failures: [(unit: Int, error: HostError)] = []
        for (entry, result) in zip(prepared.batch, results) where !failures.contains(where: { $0.unit == entry.unit }) {
            switch result {
            case .appended: break
            case .duplicate:
                // The store already held the event and wrote nothing: what was stepped is not stored.
                failures.append((entry.unit, HostError(HostMessages.eventLogged, entry.record.eventID, entry.record.dealID)))
            case .rejected(let e):
                failures.append((entry.unit, HostError(HostMessages.storeConflict, entry.record.eventID, entry.record.dealID, e.description)))
            }
        }
        return failures
    }
}

extension DealService {
    /// S4's check (``DealSession/checkCustomer(_:_:before:machine:snapshot:)``) against the live
    /// deals `others` finds for a set of keys: the session's own view, or the store's (a
    /// migration, which writes one deal at a time).
    static func checkCustomer(
        _ dealID: String, _ index: DealIndex, before: DealIndex?, machine: PreparedMachine, snapshot: DealSnapshot,
        others: ([String]) throws(HostError) -> [(id: String, pool: String?, owner: String?)]
    ) throws(HostError) {
        guard index.isOpen, index.customerKey != nil else { return }
        // Only keys new to a live deal are checked: the others were when they came.
        var keys = index.customerKeys
        if let before, before.isOpen {
            let held = Set(before.customerKeys)
            keys.removeAll { held.contains($0) }
        }
        if keys.isEmpty { return }
        guard let other = try others(keys).first else { return }
        let customer = DealService.customerLabel(machine.machine, snapshot)
        if other.pool == PoolPlacement.private.rawValue, let owner = other.owner {
            throw HostError(HostMessages.customerHasOwner, customer, other.id, owner)
        }
        throw HostError(HostMessages.customerInPublicPool, customer, other.id)
    }
}

extension DealAction {
    /// Whether `other`, delivered under this action's event id, is this action delivered again:
    /// equal, but for the order of the fields it sets and of the role members it names (QA round
    /// 26: a CRM's dictionary, or a JSON re-encoder, gave them in another order, and the retry was
    /// refused as another event with advice to give it a new id, which would apply it twice). A
    /// field is set once per event (FC1117), so its fields are a map; members a set.
    func isRedelivery(of other: DealAction) -> Bool {
        self == other || unordered == other.unordered
    }

    /// The action with its fields sorted by id and its members by role and person.
    private var unordered: DealAction {
        func fields(_ f: [FieldAssignment]) -> [FieldAssignment] { f.sorted { $0.field < $1.field } }
        switch self {
        case .create(let dealID, let owner, let f, let members):
            return .create(dealID: dealID, owner: owner, fields: fields(f), members: members.sorted { ($0.role, $0.person) < ($1.role, $1.person) })
        case .setFields(let f): return .setFields(fields(f))
        default: return self
        }
    }
}
