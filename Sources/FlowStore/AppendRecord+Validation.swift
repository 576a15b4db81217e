extension AppendRecord {
    /// Why the record is malformed, or `nil`. Both stores call this first, so they refuse the
    /// same records.
    func validationError() -> StoreError? {
        Self.validationError(dealID: dealID, eventID: eventID, afterSequence: afterSequence, effects: effects)
    }

    /// The same check on the record's fields: the SQLite append path reads its records in place,
    /// and a method call on a record there copied it (a retain of every string and buffer in it).
    static func validationError(dealID: String, eventID: String, afterSequence: Int64, effects: [EffectRecord]) -> StoreError? {
        if dealID.isEmpty { return StoreError(.invalidRecord, "the deal id is empty") }
        if eventID.isEmpty { return StoreError(.invalidRecord, "the event id of deal `\(dealID)` is empty") }
        if afterSequence < 0 {
            return StoreError(.invalidRecord, "event `\(eventID)` of deal `\(dealID)` has a negative afterSequence")
        }
        for effect in effects where effect.effectID.isEmpty {
            return StoreError(.invalidRecord, "event `\(eventID)` of deal `\(dealID)` emits an effect with an empty id")
        }
        if let repeated = repeatedID(effects) {
            return StoreError(.invalidRecord, "event `\(eventID)` of deal `\(dealID)` emits effect id `\(repeated)` twice")
        }
        return nil
    }

    /// The first effect id that comes twice. An event emits a handful of effects, so they are
    /// compared pairwise (no set to allocate on every append); a long list goes through a set.
    private static func repeatedID(_ effects: [EffectRecord]) -> String? {
        if effects.count <= 16 {
            for i in effects.indices.dropFirst() {
                for j in 0..<i where effects[j].effectID == effects[i].effectID { return effects[i].effectID }
            }
            return nil
        }
        var seen = Set<String>()
        for effect in effects where !seen.insert(effect.effectID).inserted { return effect.effectID }
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
