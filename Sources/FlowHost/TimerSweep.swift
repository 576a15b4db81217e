import FlowRuntime
import FlowStore

/// What a timer sweep did.
public struct TickReport: Sendable {
    /// The instant the sweep ran at (seconds since the epoch).
    public var at: Int64
    /// Deals stepped with a `tick`, in order.
    public var ticked: [String] = []
    /// Deals that went to the public pool (idle return).
    public var returnedToPool: [String] = []
    /// Effects emitted, by kind (`idle_warning`, `returned_to_pool`, `node_blocked`, …).
    public var effectsByKind: [String: Int] = [:]
    public var effects = 0
    /// Deals whose tick was refused (their timers stay due).
    public var refused: [(dealID: String, error: HostError)] = []
    /// The store failed; the sweep stopped (what was flushed before stays written).
    public var failure: HostError?
}

extension DealService {
    /// Fires every timer due at or before `time`: each deal whose indexed next timer is due gets a
    /// `tick` event (id `tick-<time>`) at `time`, with the host's clock set to `time`. Idle deals
    /// go to the public pool, due dates block nodes, escalations and warnings are emitted.
    ///
    /// Deals are read through the store's timer index in pages and written in batches of
    /// ``batchSize``. A deal whose tick is refused is reported and not retried in this sweep.
    public func tick(at time: Int64, onProgress: ((Int) -> Void)? = nil) -> TickReport {
        var report = TickReport(at: time)
        var attempted = Set<String>()
        let session = DealSession(self)
        var provisional: [Int: UnitOutcome] = [:]
        func settle() -> Bool {
            do {
                let failures = try session.flush()
                for (unit, error) in failures {
                    if let o = provisional.removeValue(forKey: unit) { report.refused.append((o.dealID, error)) }
                }
            } catch {
                report.failure = error
                return false
            }
            for unit in provisional.keys.sorted() {
                guard let o = provisional[unit] else { continue }
                report.ticked.append(o.dealID)
                report.effects += o.effects.count
                for e in o.effects { report.effectsByKind[e.kind.rawValue, default: 0] += 1 }
                if o.effects.contains(where: { $0.kind == .returnedToPool }) { report.returnedToPool.append(o.dealID) }
            }
            provisional = [:]
            onProgress?(report.ticked.count)
            return true
        }
        // Keyset pages through the timer index: each page starts after the last deal of the one
        // before, so the sweep reads each due deal's index entry once. A deal ticked in this
        // sweep whose next timer is still due shows up again further on and is skipped.
        var cursor: DueDeal?
        while true {
            let due: [DueDeal]
            do { due = try store.dueDeals(asOf: DealService.storeTime(time), after: cursor, limit: batchSize) } catch {
                report.failure = HostError(error)
                return report
            }
            guard let last = due.last else { break }
            cursor = last
            let fresh = due.filter { !attempted.contains($0.dealID) }
            if fresh.isEmpty { continue }
            do { try session.prefetch(fresh.map(\.dealID)) } catch {
                report.failure = error
                return report
            }
            for d in fresh {
                attempted.insert(d.dealID)
                let unit = session.nextUnit
                let tick = EventInput(id: "tick-\(time)", at: .absolute(time), .tick)
                switch session.run(DealUnit(dealID: d.dealID, events: [tick], repeated: .unchecked, now: time)) {
                case .success(let outcome): provisional[unit] = outcome
                case .failure(let failure): report.refused.append((d.dealID, failure.error))
                }
            }
            if !settle() { return report }
        }
        return report
    }
}
