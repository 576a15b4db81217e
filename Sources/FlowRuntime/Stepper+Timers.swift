import FlowIR

/// A timer that is pending on a deal.
public struct PendingTimer: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// An active node reaches its due date and becomes blocked.
        case due
        /// A blocked node is escalated to its `escalate.to` role.
        case escalation
        /// The idle warning (`pool.idle.warn` after the last status change).
        case idleWarning = "idle_warning"
        /// The idle return to the public pool (`pool.idle.after` after the last status change).
        case idleReturn = "idle_return"

        /// Ties at one instant fire in this order.
        var rank: Int {
            switch self {
            case .due: 0
            case .escalation: 1
            case .idleWarning: 2
            case .idleReturn: 3
            }
        }
    }

    public var at: Int64
    public var kind: Kind
    /// The node, for due dates and escalations.
    public var node: Int?

    /// Every timer pending on the deal, in firing order (time, then kind, then node).
    static func all(_ pm: PreparedMachine, _ s: DealSnapshot) -> [PendingTimer] {
        guard s.status == .open else { return [] }
        let m = pm.machine
        var out: [PendingTimer] = []
        for (n, st) in s.nodes.enumerated() where m.nodes.indices.contains(n) {
            if st.status == .active, let due = st.dueAt {
                out.append(PendingTimer(at: due, kind: .due, node: n))
            } else if st.status == .blocked, st.escalatedAt == nil, let blocked = st.blockedAt, let e = m.nodes[n].escalate {
                out.append(PendingTimer(at: Stepper.add(blocked, max(0, e.after)), kind: .escalation, node: n))
            }
        }
        // A deal on its lose path is not idle: its follow-up nodes have their own due dates, and
        // it goes to the public pool when they are done.
        // Nor is one past the node that stops the idle clock (`pool.idle.until`).
        if s.pool == .private, s.owner != nil, !pm.isLosing(s), !pm.idleStopped(s), let after = m.pool.idleAfter {
            if let warn = m.pool.idleWarn, warn < after, !s.idleWarned {
                out.append(PendingTimer(at: Stepper.add(s.lastStatusChangeAt, warn), kind: .idleWarning, node: nil))
            }
            out.append(PendingTimer(at: Stepper.add(s.lastStatusChangeAt, after), kind: .idleReturn, node: nil))
        }
        return out.sorted { ($0.at, $0.kind.rank, $0.node ?? -1) < ($1.at, $1.kind.rank, $1.node ?? -1) }
    }

    /// The first of ``all(_:_:)`` (the earliest, ties by kind then node), without building the list.
    static func first(_ pm: PreparedMachine, _ s: DealSnapshot) -> PendingTimer? {
        guard s.status == .open else { return nil }
        let t = pm.tables
        var losing = false
        var best = s.nodes.withUnsafeBufferPointer { nodes -> PendingTimer? in
            var best: PendingTimer?
            for n in 0..<min(nodes.count, t.escalationDelay.count) {
                switch nodes[n].status {
                case .active:
                    if t.onLosePath[n] { losing = true }
                    if let due = nodes[n].dueAt { best = earlier(best, PendingTimer(at: due, kind: .due, node: n)) }
                case .blocked:
                    if t.onLosePath[n] { losing = true }
                    if nodes[n].escalatedAt == nil, let blocked = nodes[n].blockedAt, let delay = t.escalationDelay[n] {
                        best = earlier(best, PendingTimer(at: Stepper.add(blocked, delay), kind: .escalation, node: n))
                    }
                default:
                    break
                }
            }
            return best
        }
        if s.pool == .private, s.owner != nil, !losing, !PreparedMachine.idleStopped(s.nodes, t.machine.pool.idleUntil),
           let after = t.machine.pool.idleAfter {
            if let warn = t.machine.pool.idleWarn, warn < after, !s.idleWarned {
                best = earlier(best, PendingTimer(at: Stepper.add(s.lastStatusChangeAt, warn), kind: .idleWarning, node: nil))
            }
            best = earlier(best, PendingTimer(at: Stepper.add(s.lastStatusChangeAt, after), kind: .idleReturn, node: nil))
        }
        return best
    }

    /// The one of `a` and `b` that fires first (`a` on a tie).
    @inline(__always)
    static func earlier(_ a: PendingTimer?, _ b: PendingTimer) -> PendingTimer {
        guard let a else { return b }
        return (a.at, a.kind.rank, a.node ?? -1) <= (b.at, b.kind.rank, b.node ?? -1) ? a : b
    }
}

extension Stepper {
    /// Fires, in time order, every timer due at or before `instant`; each firing is one eventless
    /// step. Timers fire at their own due time (which the records and effects carry).
    mutating func fireTimers(upTo instant: Int64) throws(Refusal) {
        while let timer = PendingTimer.first(pm, s), timer.at <= instant {
            try spend()
            now = max(timer.at, s.lastEventAt)
            fire(timer, upTo: instant)
            flush()
        }
        now = instant
    }

    mutating func fire(_ timer: PendingTimer, upTo instant: Int64) {
        switch timer.kind {
        case .due:
            guard let n = timer.node else { return }
            s.nodes[n].status = .blocked
            // A due date before the deal's last event (a migration that shortened `due`) is
            // marked at that event's time at the earliest; under rules 5 the node is blocked
            // since its due date, so that its escalation comes when it would have, and the
            // record says both times (QA round 16: blocked and escalated two days late).
            let late = context.rules >= 5 && timer.at < now
            s.nodes[n].blockedAt = late ? timer.at : now
            record(.blocked, node: n, detail: late ? String(timer.at) : nil)
            let owner = m.nodes[n].owner.map { [resolve(.role($0))] } ?? []
            emitTimerEffect(.nodeBlocked, node: n, to: owner)
        case .escalation:
            guard let n = timer.node, let e = m.nodes[n].escalate else { return }
            s.nodes[n].escalatedAt = now
            let role = m.roles.indices.contains(e.to) ? m.roles[e.to].id : "#\(e.to)"
            record(.escalated, node: n, detail: role)
            emitTimerEffect(.escalation, node: n, to: [resolve(.role(e.to))], detail: role)
        case .idleWarning:
            s.idleWarned = true
            // A warning whose return is due in the same step would announce what has already
            // happened: it is dropped, and the return fires next.
            if let after = m.pool.idleAfter, Stepper.add(s.lastStatusChangeAt, after) <= instant { return }
            record(.idleWarning, detail: String(s.lastStatusChangeAt))
            emitTimerEffect(.idleWarning, node: nil, to: m.pool.idleNotify.map(resolve))
            deferTrigger(.onIdleWarning)
        case .idleReturn:
            record(.idleReturn, detail: String(s.lastStatusChangeAt))
            returnToPool(why: "idle")
        }
    }
}
