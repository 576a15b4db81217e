import Foundation
import FlowRuntime
import FlowStore

/// What a timer sweep did.
public struct TickReport: Sendable {
    /// The instant the sweep ran at (seconds since the epoch).
    public var at: Int64
    /// Deals stepped with a `tick`, in order.
    public var ticked: [String] = []
    /// The kinds of the effects each ticked deal's tick emitted, in order, by the deal's position
    /// in ``ticked``.
    public var effectKinds: [[String]] = []
    /// Deals that went to the public pool (idle return).
    public var returnedToPool: [String] = []
    /// Those of ``returnedToPool`` whose idle warning was not sent: it came due with the return,
    /// no tick having run between them (ticks missed), and a warning of what had already
    /// happened is dropped (QA round 38, F1: nothing said so).
    public var returnedUnwarned: [String] = []
    /// Effects emitted, by kind (`idle_warning`, `returned_to_pool`, `node_blocked`, …).
    public var effectsByKind: [String: Int] = [:]
    public var effects = 0
    /// Deals whose tick was refused (their timers stay due).
    public var refused: [(dealID: String, error: HostError)] = []
    /// The store failed; the sweep stopped (what was flushed before stays written).
    public var failure: HostError?
    /// The sweep was asked to stop (an interrupt) and stopped after the pages it had written:
    /// the deals not ticked keep their due timers, and the next sweep fires them.
    public var interrupted = false
}

extension DealService {
    /// Fires every timer due at or before `time`: each deal whose indexed next timer is due gets a
    /// `tick` event (id `tick-<time>`) at `time`, with the host's clock set to `time`. Idle deals
    /// go to the public pool, due dates block nodes, escalations and warnings are emitted.
    ///
    /// Deals are read through the store's timer index in pages and written in batches of
    /// ``batchSize``. A deal whose tick is refused is reported and not retried in this sweep.
    ///
    /// - Parameters:
    ///   - onProgress: called after each page is written, with the number of deals ticked so far.
    ///   - isInterrupted: asked before each page is written; true stops the sweep there, with
    ///     the pages written before kept and ``TickReport/interrupted`` set (a command's
    ///     interrupt, Ctrl-C). The deals of the pages not written stay due.
    public func tick(at time: Int64, onProgress: ((Int) -> Void)? = nil, isInterrupted: () -> Bool = { false }) -> TickReport {
        var report = TickReport(at: time)
        do { try checkWriterLock() } catch {
            report.failure = error
            return report
        }
        var attempted = Set<String>()
        let session = DealSession(self)
        // Keyset pages through the timer index: each page starts after the last deal of the one
        // before, so the sweep reads each due deal's index entry once. A deal ticked in this
        // sweep whose next timer is still due shows up again further on and is skipped; a deal
        // that another writer makes due behind the cursor while the sweep runs waits for the next.
        //
        // Each page after the first is read, stepped and encoded while the page before is
        // written: its deals are not that page's, so what it reads is what it would read after
        // the commit, and a tick depends on its own deal only (it names no owner, so no quota
        // count enters it, and it changes no customer key). The writing touches no session.
        let store = self.store
        let limit = batchSize
        let storeTime = DealService.storeTime(time)
        var cursor: DueDeal?

        /// Reads the next page with deals not attempted yet, steps and encodes it; nil when no
        /// due deal is left.
        /// - Parameter workers: threads to decode, step and encode on (one while the page before
        ///   is written, leaving the other core to the writer).
        func stepNextPage(workers: Int) -> Result<SteppedPage?, HostError> {
            while true {
                let page: DuePage
                switch DuePage.read(store, asOf: storeTime, after: cursor, limit: limit, skipping: attempted, workers: workers) {
                case .success(let read): page = read
                case .failure(let error): return .failure(error)
                }
                guard let last = page.due.last else { return .success(nil) }
                cursor = last
                if page.fresh.isEmpty { continue }
                session.install(page.deals)
                var stepped = SteppedPage()
                for (unit, dealID, result) in session.runTicks(page.fresh, at: time, workers: workers) {
                    attempted.insert(dealID)
                    switch result {
                    case .success(let outcome): stepped.outcomes[unit] = outcome
                    case .failure(let failure): stepped.refused.append((dealID, failure.error))
                    }
                }
                stepped.batch = session.prepare(workers: workers)
                return .success(stepped)
            }
        }

        /// Reports a written page: its refused steps, then the units the store refused, then the
        /// deals ticked.
        func account(_ page: SteppedPage, _ failures: [(unit: Int, error: HostError)]) {
            report.refused.append(contentsOf: page.refused)
            var outcomes = page.outcomes
            for (unit, error) in failures {
                if let o = outcomes.removeValue(forKey: unit) { report.refused.append((o.dealID, error)) }
            }
            for unit in outcomes.keys.sorted() {
                guard let o = outcomes[unit] else { continue }
                report.ticked.append(o.dealID)
                report.effectKinds.append(o.effects.map(\.kind.rawValue))
                report.effects += o.effects.count
                for e in o.effects { report.effectsByKind[e.kind.rawValue, default: 0] += 1 }
                if o.effects.contains(where: { $0.kind == .returnedToPool }) {
                    report.returnedToPool.append(o.dealID)
                    if DealService.returnsUnwarned(o) > 0 { report.returnedUnwarned.append(o.dealID) }
                }
            }
            onProgress?(report.ticked.count)
        }

        var current: SteppedPage
        switch stepNextPage(workers: ProcessInfo.processInfo.activeProcessorCount) {
        case .failure(let error):
            report.failure = error
            return report
        case .success(nil): return report
        case .success(let page?): current = page
        }
        while true {
            if isInterrupted() {
                // As when the write fails: the steps this page refused are said, nothing of it is
                // written, and the page stepped ahead is dropped.
                report.refused.append(contentsOf: current.refused)
                report.interrupted = true
                return report
            }
            let batch = current.batch
            let (ahead, written) = ParallelWork.alongside(
                { Result { () throws(HostError) in try DealSession.write(batch, to: store) } },
                while: { stepNextPage(workers: 1) })
            switch written {
            case .failure(let error):
                // Nothing of this page was written; the page stepped ahead is dropped.
                report.refused.append(contentsOf: current.refused)
                report.failure = error
                return report
            case .success(let failures): account(current, failures)
            }
            switch ahead {
            case .failure(let error):
                report.failure = error
                return report
            case .success(nil): return report
            case .success(let page?): current = page
            }
        }
    }
}

/// A page of due deals stepped and encoded, waiting to be written.
private struct SteppedPage {
    var batch = DealSession.PreparedBatch(batch: [], records: [])
    var outcomes: [Int: UnitOutcome] = [:]
    var refused: [(dealID: String, error: HostError)] = []
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
    /// The id of a tick at `time` on a deal: `tick-<time>`, or the first of `tick-<time>-2`,
    /// `-3`, … that the deal's log does not hold, as the host's own ids step aside from ids
    /// already taken (QA round 32, R1: a migration's own tick, or an earlier tick, at the same
    /// second left the next tick refused, FC1214, and the deal not ticked). Only an event at
    /// `time` can hold one of those ids (bar an id given by hand, which the last event's is
    /// checked for), so the log is read only when the deal's last event is at `time`.
    func tickID(_ dealID: String, _ live: Live, at time: Int64) throws(HostError) -> String {
        try Self.tickID(at: time, after: live.snapshot) { () throws(HostError) in try storedLog(dealID).map(\.eventID) }
    }

    /// ``tickID(_:_:at:)`` for a deal whose snapshot is `s`, `loggedIDs` reading its log's ids.
    static func tickID(at time: Int64, after s: DealSnapshot, loggedIDs: () throws(HostError) -> [String]) throws(HostError) -> String {
        let plain = "tick-\(time)"
        guard s.lastEventAt == time else { return s.lastEventID == plain ? plain + "-2" : plain }
        let taken = Set(try loggedIDs()).union([s.lastEventID])
        if !taken.contains(plain) { return plain }
        var n = 2
        while taken.contains("\(plain)-\(n)") { n += 1 }
        return "\(plain)-\(n)"
    }

    /// The result a stepped deal holds until its step's result replaces it (never returned).
    private static let pendingTick = UnitFailure(event: 1, error: HostError(HostMessages.unknownDeal, ""))

    /// Steps a `tick` at `time` on each of these deals: what ``run(_:)`` does with a unit of one
    /// event `tick-<time>` at `time` (`repeated: .unchecked`, `now: time`) for each deal in turn,
    /// with the same results, except that the steps, which depend on nothing but their own deal,
    /// run in parallel. Loading, the customer check and staging stay in order.
    ///
    /// - Parameter dealIDs: distinct ids (a sweep's page is: it is read in timer-index order).
    /// - Returns: per deal, in order, its unit number and what its unit did.
    /// - Parameter workers: threads to step on.
    func runTicks(_ dealIDs: [String], at time: Int64, workers: Int = ProcessInfo.processInfo.activeProcessorCount)
        -> [(unit: Int, dealID: String, result: Result<UnitOutcome, UnitFailure>)]
    {
        func failure(_ dealID: String, _ error: HostError) -> UnitFailure {
            UnitFailure(event: 1, error: error.within(HostMessages.Phrase.inEvent, Names.inline(dealID), "1", HostAction.tick.name))
        }
        var results: [(unit: Int, dealID: String, result: Result<UnitOutcome, UnitFailure>)] = []
        var jobs: [(slot: Int, dealID: String, live: Live, event: DealEvent)] = []
        for dealID in dealIDs {
            let unit = units
            units += 1
            let result: Result<UnitOutcome, UnitFailure>
            do {
                if let live = try load(dealID) {
                    jobs.append((results.count, dealID, live, DealEvent(id: try tickID(dealID, live, at: time), at: time, actor: nil, .tick)))
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
        // A tick names no owner, so the quota count does not enter its context.
        let context = StepContext(now: time, utcOffset: service.utcOffset, ownedOpenDeals: 0, actorCanAssign: false)
        let limits = service.limits
        let steps = ParallelWork.map(jobs.map { ($0.dealID, $0.live, $0.event) }, workers: workers) { dealID, live, event in
            Result { () throws(HostError) in
                try DealSession.stepped(event, dealID: dealID, machine: live.machine,
                                        before: live, context: context, limits: limits)
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
