/// The durable store of deals: an append-only event log per deal, the latest snapshot of each
/// deal, the deal columns the runner queries by, and an outbox of emitted effects.
///
/// The store is independent of the runner's types: events, snapshots and effects are opaque JSON,
/// and the host extracts the indexed columns (``DealIndex``). Two conformances exist,
/// ``InMemoryStore`` for tests and ``SQLiteStore``, and one conformance suite runs against both.
///
/// ## Appending
///
/// ``append(_:)`` writes a batch of records, each one event of one deal, in one transaction.
/// Every record is judged on its own and answered in order:
///
/// - a new event is appended at `afterSequence + 1`, the deal's snapshot and columns are replaced
///   and its effects enter the outbox (``AppendResult/appended(sequence:)``);
/// - an event id already in the deal's log writes nothing (``AppendResult/duplicate(sequence:)``),
///   so a host may re-deliver anything it is unsure about;
/// - a record that cannot be applied (unknown deal, stale `afterSequence`, malformed) writes nothing
///   (``AppendResult/rejected(_:)``) and does not stop the others. A later record of the same deal
///   in the batch is then rejected as a sequence conflict too, so a deal's log never has a gap.
///
/// Records are applied in batch order, so a batch may hold several consecutive events of one deal.
/// The deal's row (snapshot and columns) is written once per batch, from the last of its records
/// that was appended; a record can leave its row to be made only if asked for
/// (``AppendRecord/init(dealID:eventID:afterSequence:event:columns:effects:row:)``).
/// If the store itself fails (I/O, full disk) the call throws and nothing of the batch is written.
/// When `append` returns, every `.appended` record is durable (see ``SQLiteStore`` for the exact
/// guarantee); that return is the acknowledgement.
///
/// - Important: Per-record results with the good records committed were chosen over
///   all-or-nothing batches because bulk runs batch unrelated deals: one deal's stale record must
///   not cost the thousand others their write (DESIGN.md: "clear per-record errors without losing
///   the other records").
public protocol DealStore: Sendable {
    /// Appends a batch of events in one transaction; see the type's documentation.
    /// - Returns: One result per record, in order.
    /// - Throws: ``StoreError`` with code ``StoreError/Code/database`` when the store fails; then
    ///   nothing of the batch was written.
    func append(_ batch: [AppendRecord]) throws -> [AppendResult]

    /// The deal's row, or `nil` when no deal has that id.
    func deal(_ dealID: String) throws -> StoredDeal?

    /// The deal's latest snapshot, or `nil` when no deal has that id.
    func snapshot(of dealID: String) throws -> StoredSnapshot?

    /// The rows and snapshots of those of `dealIDs` that exist, in the order asked (an id asked
    /// twice is answered once), all read from one consistent state of the store.
    ///
    /// A host loading many deals (a timer sweep's page) reads them with one call rather than one
    /// read transaction each.
    func dealStates(_ dealIDs: [String]) throws -> [StoredDealState]

    /// Events of a deal in log order, starting after sequence number `sequence`.
    /// - Parameters:
    ///   - sequence: Return events with a greater sequence number (0 for the whole log).
    ///   - limit: At most this many.
    func events(of dealID: String, after sequence: Int64, limit: Int) throws -> [StoredEvent]

    /// Deal ids in ascending order, after `dealID` (keyset paging; `nil` starts at the beginning).
    func dealIDs(after dealID: String?, limit: Int) throws -> [String]

    /// Deals whose next timer is due at or before `time`, earliest first (then by id), after
    /// `after` in that order (keyset paging: pass the last deal of the previous page; `nil`
    /// starts at the earliest).
    ///
    /// Read through an index on the next-timer column, so its cost grows with the answer, not with
    /// the number of deals.
    func dueDeals(asOf time: StoreTime, after: DueDeal?, limit: Int) throws -> [DueDeal]

    /// Deals in a pool, by id, after `dealID` (keyset paging: pass the last id of the previous page).
    ///
    /// With ``OwnerFilter/nobody`` or ``OwnerFilter/person(_:)`` the page is read in order from an
    /// index on (pool, owner, deal id); ``OwnerFilter/anyone`` sorts the pool's deals (a manager's
    /// view, not a hot path).
    func deals(inPool pool: String, owner: OwnerFilter, after dealID: String?, limit: Int) throws -> [StoredDeal]

    /// Open deals that hold any of `customerKeys` (``DealIndex/customerKeys``), by id (normally
    /// none or one).
    func openDeals(customerKeys: [String]) throws -> [StoredDeal]

    /// Deals whose customer keys must be computed again by the host (a store upgraded from a
    /// version whose key joined the identity fields), at most `limit`; empty when none is left.
    func customerKeyBackfill(limit: Int) throws -> [StoredSnapshot]

    /// Sets the customer keys of deals (the backfill), each written as ``DealIndex/customerKey``
    /// and indexed while the deal is open; unknown ids are ignored.
    /// - Returns: how many of the deals were found and set.
    @discardableResult
    func setCustomerKeys(_ keys: [(dealID: String, key: String?)]) throws -> Int

    /// How many open deals of template `templateID` (every version) `owner` owns, for the claim
    /// quota. A deal stored without view columns (``DealIndex/projection`` nil, a store from
    /// before them not yet backfilled) has no template id, and counts for every template.
    func openDealCount(ownedBy owner: String, template templateID: String) throws -> Int

    /// Outbox entries not yet delivered, in enqueue order, from the one after `position` (0: from
    /// the first), at most `limit` (none for a limit of 0 or less).
    func undeliveredEffects(after position: Int64, limit: Int) throws -> [OutboxEntry]

    /// The highest position the outbox has given out (0 when empty): positions run from 1 to it.
    func lastOutboxPosition() throws -> Int64

    /// Marks outbox entries delivered. Positions already delivered or unknown are ignored.
    /// - Returns: How many entries changed from pending to delivered.
    @discardableResult
    func markDelivered(_ positions: [Int64], at time: StoreTime) throws -> Int

    /// What is wrong with the store's own structure, beyond any one deal (a damaged page of an
    /// index or of the outbox, a table gone), at most `limit` problems; empty for a sound store,
    /// and for a store that has no such structure to check (the default).
    func structureProblems(limit: Int) throws -> [String]
}

extension DealStore {
    public func structureProblems(limit: Int) throws -> [String] { [] }

    /// The first `limit` outbox entries not yet delivered, in enqueue order.
    public func undeliveredEffects(limit: Int) throws -> [OutboxEntry] {
        try undeliveredEffects(after: 0, limit: limit)
    }

    /// Appends one record (a batch of one).
    public func append(_ record: AppendRecord) throws -> AppendResult {
        let results = try append([record])
        guard let result = results.first else {
            throw StoreError(.database, "the store answered an append of one record with no result")
        }
        return result
    }

    /// The deal's whole log, in order (read in pages); with `through`, its first `through`
    /// events only: the log of a snapshot read before, which a writer may have extended since
    /// (readers take no lock, and an event and its snapshot are committed together).
    public func allEvents(of dealID: String, through: Int64? = nil, pageSize: Int = 1000) throws -> [StoredEvent] {
        var all: [StoredEvent] = []
        var after: Int64 = 0
        while true {
            let want = through.map { Int(min(Int64(pageSize), max(0, $0 - after))) } ?? pageSize
            if want == 0 { return all }
            let page = try events(of: dealID, after: after, limit: want)
            all.append(contentsOf: page)
            guard page.count == want, let last = page.last else { return all }
            after = last.sequence
        }
    }

    /// Deals whose next timer is due at or before `time`, earliest first: the first page.
    public func dueDeals(asOf time: StoreTime, limit: Int) throws -> [DueDeal] {
        try dueDeals(asOf: time, after: nil, limit: limit)
    }

    /// Every deal id, in order (read in pages).
    public func allDealIDs(pageSize: Int = 1000) throws -> [String] {
        var all: [String] = []
        var after: String? = nil
        while true {
            let page = try dealIDs(after: after, limit: pageSize)
            all.append(contentsOf: page)
            guard page.count == pageSize, let last = page.last else { return all }
            after = last
        }
    }
}
