extension AppendRecord {
    /// Why the record is malformed, or `nil`. Both stores call this first, so they refuse the
    /// same records.
    func validationError() -> StoreError? {
        if dealID.isEmpty { return StoreError(.invalidRecord, "the deal id is empty") }
        if eventID.isEmpty { return StoreError(.invalidRecord, "the event id of deal `\(dealID)` is empty") }
        if afterSequence < 0 {
            return StoreError(.invalidRecord, "event `\(eventID)` of deal `\(dealID)` has a negative afterSequence")
        }
        var seen = Set<String>()
        for effect in effects {
            if effect.effectID.isEmpty {
                return StoreError(.invalidRecord, "event `\(eventID)` of deal `\(dealID)` emits an effect with an empty id")
            }
            if !seen.insert(effect.effectID).inserted {
                return StoreError(
                    .invalidRecord, "event `\(eventID)` of deal `\(dealID)` emits effect id `\(effect.effectID)` twice")
            }
        }
        return nil
    }

    func conflict(lastSequence: Int64) -> StoreError {
        StoreError(
            .sequenceConflict,
            "event `\(eventID)` of deal `\(dealID)` was stepped after sequence \(afterSequence) but the log ends at \(lastSequence)"
        )
    }

    func unknownDeal() -> StoreError {
        StoreError(.unknownDeal, "event `\(eventID)` names deal `\(dealID)`, which does not exist (a creating event has afterSequence 0)")
    }
}
