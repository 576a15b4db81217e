/// A store that hands every call to another one, `base`, unless it implements the call itself:
/// the shape of a wrapper that changes one or two calls and passes the rest on (one that counts
/// or records appends, one that fails on purpose in a test, one that removes its files when it
/// goes away).
///
/// A conforming type's own implementation of a ``DealStore`` requirement takes precedence over
/// the forwarding one here.
public protocol ForwardingDealStore: DealStore {
    /// The store the calls go to.
    var base: any DealStore { get }
}

extension ForwardingDealStore {
    public func append(_ batch: [AppendRecord]) throws -> [AppendResult] { try base.append(batch) }
    public func deal(_ dealID: String) throws -> StoredDeal? { try base.deal(dealID) }
    public func snapshot(of dealID: String) throws -> StoredSnapshot? { try base.snapshot(of: dealID) }
    public func dealStates(_ dealIDs: [String]) throws -> [StoredDealState] { try base.dealStates(dealIDs) }
    public func events(of dealID: String, after sequence: Int64, limit: Int) throws -> [StoredEvent] {
        try base.events(of: dealID, after: sequence, limit: limit)
    }
    public func dealIDs(after dealID: String?, limit: Int) throws -> [String] { try base.dealIDs(after: dealID, limit: limit) }
    public func dueDeals(asOf time: StoreTime, after: DueDeal?, limit: Int) throws -> [DueDeal] {
        try base.dueDeals(asOf: time, after: after, limit: limit)
    }
    public func deals(inPool pool: String, owner: OwnerFilter, after dealID: String?, limit: Int) throws -> [StoredDeal] {
        try base.deals(inPool: pool, owner: owner, after: dealID, limit: limit)
    }
    public func openDeals(customerKeys: [String]) throws -> [StoredDeal] { try base.openDeals(customerKeys: customerKeys) }
    public func customerKeyBackfill(limit: Int) throws -> [StoredSnapshot] { try base.customerKeyBackfill(limit: limit) }
    public func structureProblems(limit: Int) throws -> [String] { try base.structureProblems(limit: limit) }
    @discardableResult
    public func setCustomerKeys(_ keys: [(dealID: String, key: String?)]) throws -> Int { try base.setCustomerKeys(keys) }
    public func openDealCount(ownedBy owner: String, template templateID: String) throws -> Int {
        try base.openDealCount(ownedBy: owner, template: templateID)
    }
    public func undeliveredEffects(after position: Int64, limit: Int) throws -> [OutboxEntry] {
        try base.undeliveredEffects(after: position, limit: limit)
    }
    public func lastOutboxPosition() throws -> Int64 { try base.lastOutboxPosition() }
    @discardableResult
    public func markDelivered(_ positions: [Int64], at time: StoreTime) throws -> Int {
        try base.markDelivered(positions, at: time)
    }
}
