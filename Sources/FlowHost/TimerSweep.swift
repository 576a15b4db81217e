import Foundation
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
        // sweep whose next timer is still due shows up again further on and is skipped; a deal
        // that another writer makes due behind the cursor while the sweep runs waits for the next.
        //
        // Each page after the first is read (its due deals, rows and snapshots) while the page
        // before is written: its deals are not that page's, so what it reads is what it would
        // read after the commit. The reading decodes on one thread, leaving the other core to
        // the writer.
        let store = self.store
        let limit = batchSize
        let storeTime = DealService.storeTime(time)
        var cursor: DueDeal?
        var next: Result<DuePage, HostError>?
        while true {
            let page: DuePage
            switch next ?? DuePage.read(store, asOf: storeTime, after: cursor, limit: limit, skipping: attempted) {
            case .success(let read): page = read
            case .failure(let error):
                report.failure = error
                return report
            }
            next = nil
            guard let last = page.due.last else { break }
            cursor = last
            if page.fresh.isEmpty { continue }
            session.install(page.deals)
            for (unit, dealID, result) in session.runTicks(page.fresh, at: time) {
                attempted.insert(dealID)
                switch result {
                case .success(let outcome): provisional[unit] = outcome
                case .failure(let failure): report.refused.append((dealID, failure.error))
                }
            }
            let (settled, ahead) = ParallelWork.alongside(
                { [attempted, cursor] in DuePage.read(store, asOf: storeTime, after: cursor, limit: limit, skipping: attempted, workers: 1) },
                while: settle)
            if !settled { return report }
            next = ahead
        }
        return report
    }
}

/// A page of due deals as a sweep reads it: the timer index's entries, those not attempted yet,
/// and their rows and snapshots.
private struct DuePage: Sendable {
    var due: [DueDeal]
    var fresh: [String]
    var deals: DealSession.ReadDeals

    static func read(
        _ store: any DealStore, asOf time: StoreTime, after cursor: DueDeal?, limit: Int, skipping attempted: Set<String>,
        workers: Int = ProcessInfo.processInfo.activeProcessorCount
    ) -> Result<DuePage, HostError> {
        let due: [DueDeal]
        do { due = try store.dueDeals(asOf: time, after: cursor, limit: limit) } catch { return .failure(HostError(error)) }
        let fresh = due.map(\.dealID).filter { !attempted.contains($0) }
        do throws(HostError) {
            return .success(DuePage(due: due, fresh: fresh, deals: try DealSession.read(fresh, from: store, workers: workers)))
        } catch {
            return .failure(error)
        }
    }
}

extension DealSession {
    /// The result a stepped deal holds until its step's result replaces it (never returned).
    private static let pendingTick = UnitFailure(event: 1, error: HostError(HostMessages.unknownDeal, ""))

    /// Steps a `tick` at `time` on each of these deals: what ``run(_:)`` does with a unit of one
    /// event `tick-<time>` at `time` (`repeated: .unchecked`, `now: time`) for each deal in turn,
    /// with the same results, except that the steps, which depend on nothing but their own deal,
    /// run in parallel. Loading, the customer check and staging stay in order.
    ///
    /// - Parameter dealIDs: distinct ids (a sweep's page is: it is read in timer-index order).
    /// - Returns: per deal, in order, its unit number and what its unit did.
    func runTicks(_ dealIDs: [String], at time: Int64) -> [(unit: Int, dealID: String, result: Result<UnitOutcome, UnitFailure>)] {
        func failure(_ dealID: String, _ error: HostError) -> UnitFailure {
            UnitFailure(event: 1, error: error.within(HostMessages.Phrase.inEvent, dealID, "1", HostAction.tick.name))
        }
        var results: [(unit: Int, dealID: String, result: Result<UnitOutcome, UnitFailure>)] = []
        var jobs: [(slot: Int, dealID: String, live: Live)] = []
        for dealID in dealIDs {
            let unit = units
            units += 1
            let result: Result<UnitOutcome, UnitFailure>
            do {
                if let live = try load(dealID) {
                    jobs.append((results.count, dealID, live))
                    // Replaced by the step's result below.
                    result = .failure(Self.pendingTick)
                } else {
                    result = .failure(failure(dealID, HostError(HostMessages.unknownDeal, dealID)))
                }
            } catch {
                result = .failure(failure(dealID, error))
            }
            results.append((unit, dealID, result))
        }
        let event = DealEvent(id: "tick-\(time)", at: time, actor: nil, .tick)
        // A tick names no owner, so the quota count does not enter its context.
        let context = StepContext(now: time, utcOffset: service.utcOffset, ownedOpenDeals: 0, actorCanAssign: false)
        let limits = service.limits
        let steps = ParallelWork.map(jobs.map { ($0.dealID, $0.live) }) { dealID, live in
            Result { () throws(HostError) in
                try DealSession.stepped(event, dealID: dealID, machine: live.machine, before: live, context: context, limits: limits)
            }
        }
        for (job, step) in zip(jobs, steps) {
            let unit = results[job.slot].unit
            do throws(HostError) {
                let step = try step.get()
                try checkCustomer(job.dealID, step.live.index, before: job.live.index, machine: job.live.machine,
                                  snapshot: step.live.snapshot)
                commit(job.dealID, from: job.live, to: step.live, staged: [step.record], unit: unit)
                results[job.slot].result = .success(UnitOutcome(
                    dealID: job.dealID, created: false, applied: 1, skipped: 0, effects: step.effects, snapshot: step.live.snapshot,
                    index: step.live.index, machine: step.live.machine))
            } catch {
                results[job.slot].result = .failure(failure(job.dealID, error))
            }
        }
        return results
    }
}
