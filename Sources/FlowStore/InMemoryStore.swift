internal import Foundation
internal import Synchronization

/// A ``DealStore`` held in memory, for tests: the same semantics as ``SQLiteStore`` (the shared
/// conformance suite checks it), no durability, queries by scanning.
public final class InMemoryStore: DealStore {
    private struct Deal {
        var events: [StoredEvent] = []
        var sequenceOfEventID: [String: Int64] = [:]
        var effectIDs: Set<String> = []
        var snapshot: Data
        var index: DealIndex

        var lastSequence: Int64 { Int64(events.count) }
    }

    private struct State {
        var deals: [String: Deal] = [:]
        var outbox: [OutboxEntry] = []
    }

    private let state = Mutex(State())

    public init() {}

    public func append(_ batch: [AppendRecord]) throws -> [AppendResult] {
        state.withLock { state in
            batch.map { record in Self.apply(record, to: &state) }
        }
    }

    private static func apply(_ record: AppendRecord, to state: inout State) -> AppendResult {
        if let error = record.validationError() { return .rejected(error) }
        var deal: Deal
        if let existing = state.deals[record.dealID] {
            if let sequence = existing.sequenceOfEventID[record.eventID] { return .duplicate(sequence: sequence) }
            guard record.afterSequence == existing.lastSequence else {
                return .rejected(record.conflict(lastSequence: existing.lastSequence))
            }
            deal = existing
        } else {
            guard record.afterSequence == 0 else { return .rejected(record.unknownDeal()) }
            deal = Deal(snapshot: Data(), index: record.index)
        }
        let sequence = deal.lastSequence + 1
        deal.events.append(
            StoredEvent(dealID: record.dealID, sequence: sequence, eventID: record.eventID, payload: record.event))
        deal.sequenceOfEventID[record.eventID] = sequence
        let row = record.row
        deal.snapshot = row.snapshot
        // The projection is kept when the host supplies none, as the SQL update leaves the columns.
        let kept = deal.index.projection
        deal.index = row.index
        if deal.index.projection == nil { deal.index.projection = kept }
        for effect in record.effects where deal.effectIDs.insert(effect.effectID).inserted {
            state.outbox.append(
                OutboxEntry(
                    position: Int64(state.outbox.count + 1), dealID: record.dealID, effectID: effect.effectID,
                    eventSequence: sequence, payload: effect.payload, deliveredAt: nil))
        }
        state.deals[record.dealID] = deal
        return .appended(sequence: sequence)
    }

    public func deal(_ dealID: String) throws -> StoredDeal? {
        state.withLock { state in
            state.deals[dealID].map { StoredDeal(dealID: dealID, lastSequence: $0.lastSequence, index: $0.index) }
        }
    }

    public func snapshot(of dealID: String) throws -> StoredSnapshot? {
        state.withLock { state in
            state.deals[dealID].map { StoredSnapshot(dealID: dealID, sequence: $0.lastSequence, payload: $0.snapshot) }
        }
    }

    public func dealStates(_ dealIDs: [String]) throws -> [StoredDealState] {
        state.withLock { state in
            var seen = Set<String>()
            return dealIDs.compactMap { id in
                guard seen.insert(id).inserted, let deal = state.deals[id] else { return nil }
                return StoredDealState(
                    deal: StoredDeal(dealID: id, lastSequence: deal.lastSequence, index: deal.index), snapshot: deal.snapshot)
            }
        }
    }

    public func events(of dealID: String, after sequence: Int64, limit: Int) throws -> [StoredEvent] {
        state.withLock { state in
            guard let deal = state.deals[dealID], limit > 0 else { return [] }
            let start = Int(max(0, min(sequence, deal.lastSequence)))
            return Array(deal.events[start...].prefix(limit))
        }
    }

    public func dealIDs(after dealID: String?, limit: Int) throws -> [String] {
        state.withLock { state in
            Array(state.deals.keys.filter { id in dealID.map { id > $0 } ?? true }.sorted().prefix(max(0, limit)))
        }
    }

    public func dueDeals(asOf time: StoreTime, after: DueDeal?, limit: Int) throws -> [DueDeal] {
        state.withLock { state in
            let due = state.deals.compactMap { id, deal -> DueDeal? in
                guard let at = deal.index.nextTimerAt, at <= time else { return nil }
                if let after, (at, id) <= (after.nextTimerAt, after.dealID) { return nil }
                return DueDeal(dealID: id, nextTimerAt: at)
            }
            return Array(
                due.sorted { ($0.nextTimerAt, $0.dealID) < ($1.nextTimerAt, $1.dealID) }.prefix(max(0, limit)))
        }
    }

    public func deals(inPool pool: String, owner: OwnerFilter, after dealID: String?, limit: Int) throws
        -> [StoredDeal]
    {
        rows { id, deal in
            guard deal.index.pool == pool, dealID.map({ id > $0 }) ?? true else { return false }
            switch owner {
            case .anyone: return true
            case .nobody: return deal.index.owner == nil
            case .person(let person): return deal.index.owner == person
            }
        }.prefix(max(0, limit)).map { $0 }
    }

    public func openDeals(customerKeys: [String]) throws -> [StoredDeal] {
        let wanted = Set(customerKeys)
        return rows { _, deal in deal.index.isOpen && deal.index.customerKeys.contains(where: wanted.contains) }
    }

    /// A memory store is never upgraded: nothing to backfill.
    public func customerKeyBackfill(limit: Int) throws -> [StoredSnapshot] { [] }

    @discardableResult
    public func setCustomerKeys(_ keys: [(dealID: String, key: String?)]) throws -> Int {
        state.withLock { state in
            var found = 0
            for (id, key) in keys where state.deals[id] != nil {
                state.deals[id]?.index.customerKey = key
                found += 1
            }
            return found
        }
    }

    public func openDealCount(ownedBy owner: String, template templateID: String) throws -> Int {
        rows { _, deal in
            deal.index.isOpen && deal.index.owner == owner && (deal.index.projection.map { $0.templateID == templateID } ?? true)
        }.count
    }

    private func rows(where predicate: (String, Deal) -> Bool) -> [StoredDeal] {
        state.withLock { state in
            state.deals.filter { predicate($0.key, $0.value) }
                .map { StoredDeal(dealID: $0.key, lastSequence: $0.value.lastSequence, index: $0.value.index) }
                .sorted { $0.dealID < $1.dealID }
        }
    }

    public func undeliveredEffects(after position: Int64, limit: Int) throws -> [OutboxEntry] {
        state.withLock { state in
            Array(state.outbox.lazy.filter { $0.deliveredAt == nil && $0.position > position }.prefix(max(0, limit)))
        }
    }

    public func lastOutboxPosition() throws -> Int64 {
        state.withLock { Int64($0.outbox.count) }
    }

    @discardableResult
    public func markDelivered(_ positions: [Int64], at time: StoreTime) throws -> Int {
        state.withLock { state in
            var changed = 0
            for position in Set(positions) {
                let index = Int(position) - 1
                guard state.outbox.indices.contains(index), state.outbox[index].deliveredAt == nil else { continue }
                state.outbox[index].deliveredAt = time
                changed += 1
            }
            return changed
        }
    }
}

extension InMemoryStore: DealViewStore {
    private func projectedRows() -> [StoredDeal] {
        state.withLock { state in
            state.deals.map { id, deal in StoredDeal(dealID: id, lastSequence: deal.lastSequence, index: deal.index) }
        }
    }

    public func viewRows(_ query: DealRowQuery) throws -> [StoredDeal] {
        try ViewScan.rows(projectedRows(), query)
    }

    public func viewGroups(_ query: DealGroupQuery) throws -> [DealGroupRow] {
        try ViewScan.groups(projectedRows(), query)
    }

    public func unprojectedSnapshots(limit: Int) throws -> [StoredSnapshot] {
        state.withLock { state in
            state.deals.filter { $0.value.index.projection == nil }.sorted { $0.key < $1.key }.prefix(max(0, limit)).map {
                StoredSnapshot(dealID: $0.key, sequence: $0.value.lastSequence, payload: $0.value.snapshot)
            }
        }
    }

    public func setProjections(_ projections: [(dealID: String, projection: DealProjection)]) throws {
        state.withLock { state in
            for (id, projection) in projections { state.deals[id]?.index.projection = projection }
        }
    }
}
