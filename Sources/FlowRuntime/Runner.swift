public import FlowIR

/// The runner core: a pure, deterministic function from (machine, snapshot, event, context) to
/// a new snapshot and the effects to put in the outbox, or a refusal that changes nothing.
///
/// It never reads the clock, never performs I/O and never generates random ids: the host
/// supplies event ids and times, and performs the effects. The same machine and the same log
/// of events and contexts always give the same snapshots and effects (``replay(_:events:contexts:limits:)``).
public enum Runner {
    /// Applies one event.
    ///
    /// - Parameters:
    ///   - machine: the deal's machine (the snapshot's `machineHash` must match).
    ///   - snapshot: the deal's current snapshot; nil for a `create` event.
    ///   - event: the event; every timer due at or before `event.at` fires first.
    ///   - context: what the host knows that the core cannot (its clock, the owner's deal count, …).
    ///   - limits: the eventless-step budget, expression fuel and input bounds.
    /// - Returns: the new snapshot and the effects, or a ``Refusal`` with a stable FC11xx code.
    ///   On refusal nothing changes: the host keeps `snapshot` and logs nothing.
    public static func step(_ machine: PreparedMachine, _ snapshot: DealSnapshot?, _ event: DealEvent,
                            context: StepContext, limits: RunnerLimits = .default) -> Result<StepOutcome, Refusal> {
        do {
            return .success(try Stepper.run(machine, snapshot, event, context, limits))
        } catch {
            return .failure(error)
        }
    }

    /// Applies one event to an existing deal in place: the snapshot becomes the new snapshot and
    /// the effects are returned. The same step as ``step(_:_:_:context:limits:)-(PreparedMachine,DealSnapshot?,_,_,_)``
    /// (for an existing deal), for hosts that keep snapshots in memory.
    ///
    /// - Parameters:
    ///   - machine: the deal's machine (the snapshot's `machineHash` must match).
    ///   - snapshot: the deal's current snapshot; replaced by the new one when the event is accepted.
    ///   - event: the event (a `create` is refused: the deal exists); every timer due at or before
    ///     `event.at` fires first.
    ///   - context: what the host knows that the core cannot.
    ///   - limits: the eventless-step budget, expression fuel and input bounds.
    /// - Returns: the effects, or a ``Refusal``; on refusal `snapshot` is unchanged.
    /// - Important: field edits, checklist ticks, role members and ticks change the snapshot's
    ///   storage in place when nothing else references it (no copy); other events build the new
    ///   snapshot beside the old one.
    public static func step(_ machine: PreparedMachine, _ snapshot: inout DealSnapshot, _ event: DealEvent,
                            context: StepContext, limits: RunnerLimits = .default) -> Result<[Effect], Refusal> {
        do {
            return .success(try Stepper.step(machine, &snapshot, event, context, limits, eventChecked: false))
        } catch {
            return .failure(error)
        }
    }

    /// Applies one event, preparing the machine first (prefer a ``PreparedMachine`` for many steps).
    public static func step(_ machine: VerifiedMachine, _ snapshot: DealSnapshot?, _ event: DealEvent,
                            context: StepContext, limits: RunnerLimits = .default) -> Result<StepOutcome, Refusal> {
        step(PreparedMachine(machine), snapshot, event, context: context, limits: limits)
    }

    /// Folds a deal's event log: the snapshot after the last event and every effect, in order.
    ///
    /// - Parameters:
    ///   - events: the accepted events of one deal, the `create` event first.
    ///   - contexts: the context each event was applied with; a missing one is
    ///     `StepContext.at(event)`.
    /// - Returns: the fold, or the first event that was refused (a log that does not replay).
    public static func replay(_ machine: PreparedMachine, events: [DealEvent], contexts: [StepContext],
                              limits: RunnerLimits = .default) -> Result<ReplayOutcome, ReplayFailure> {
        var snapshot: DealSnapshot?
        var effects: [Effect] = []
        for (i, event) in events.enumerated() {
            let context = i < contexts.count ? contexts[i] : StepContext.at(event)
            if var current = snapshot {
                // The fold holds the only reference: step it in place.
                snapshot = nil
                switch step(machine, &current, event, context: context, limits: limits) {
                case .success(let stepEffects):
                    snapshot = current
                    effects.append(contentsOf: stepEffects)
                case .failure(let refusal):
                    return .failure(ReplayFailure(index: i, eventID: event.id, refusal: refusal))
                }
                continue
            }
            switch step(machine, nil, event, context: context, limits: limits) {
            case .success(let outcome):
                snapshot = outcome.snapshot
                effects.append(contentsOf: outcome.effects)
            case .failure(let refusal):
                return .failure(ReplayFailure(index: i, eventID: event.id, refusal: refusal))
            }
        }
        return .success(ReplayOutcome(snapshot: snapshot, effects: effects))
    }

    /// ``replay(_:events:contexts:limits:)`` with a verified machine.
    public static func replay(_ machine: VerifiedMachine, events: [DealEvent], contexts: [StepContext],
                              limits: RunnerLimits = .default) -> Result<ReplayOutcome, ReplayFailure> {
        replay(PreparedMachine(machine), events: events, contexts: contexts, limits: limits)
    }

    /// The next instant something is due on the deal (a node's due date, an escalation, the idle
    /// warning or the idle return), so that the store can index it and send a `tick` then; nil
    /// when nothing is pending (closed deals, public-pool deals without open due dates).
    public static func nextTimer(_ machine: PreparedMachine, _ snapshot: DealSnapshot) -> Int64? {
        PendingTimer.first(machine, snapshot)?.at
    }

    /// ``nextTimer(_:_:)`` with a verified machine.
    public static func nextTimer(_ machine: VerifiedMachine, _ snapshot: DealSnapshot) -> Int64? {
        nextTimer(PreparedMachine(machine), snapshot)
    }

    /// Every pending timer, in the order they would fire.
    public static func pendingTimers(_ machine: PreparedMachine, _ snapshot: DealSnapshot) -> [PendingTimer] {
        PendingTimer.all(machine, snapshot)
    }
}

/// The fold of an event log.
public struct ReplayOutcome: Sendable, Hashable {
    /// The snapshot after the last event (nil for an empty log).
    public var snapshot: DealSnapshot?
    /// All effects, in order.
    public var effects: [Effect]
}

/// A log that does not replay: event `index` was refused.
public struct ReplayFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// The entry's position in the log, from 0.
    public var index: Int
    public var eventID: String
    public var refusal: Refusal

    /// Numbers the entry as the log's sequence does (from 1), as `deal history` shows it.
    public var description: String { "event #\(index + 1) (`\(eventID)`): \(refusal)" }
}
