public import Foundation
internal import Synchronization

/// An instant as the store keeps it: whole milliseconds since 1970-01-01T00:00:00Z.
///
/// The store never reads the clock; every instant it holds was handed to it by the host, so a
/// run driven by a simulated clock stores exactly what a real one would.
public struct StoreTime: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    public static func < (lhs: StoreTime, rhs: StoreTime) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    public var description: String { "\(millisecondsSinceEpoch)ms" }
}

/// The columns of a deal that the store indexes, extracted by the host from its snapshot.
///
/// The store does not interpret the snapshot; these copies are what makes the queries cheap
/// (timer sweep, pool listing, quota count, duplicate-customer lookup). The host supplies them
/// with every append, from the snapshot it appends, so they always describe the latest snapshot.
public struct DealIndex: Hashable, Sendable {
    /// Hash of the compiled template (IR) the deal runs on.
    public var templateHash: String
    /// The runner's status word (opaque to the store).
    public var status: String
    /// Whether the deal is still open: open deals count against an owner's quota and are the
    /// ones found by ``DealStore/openDeals(customerKeys:)``.
    public var isOpen: Bool
    /// The pool the deal sits in (for example `private` or `public`), or `nil`.
    public var pool: String?
    /// The person who owns the deal, or `nil` when nobody does (a public-pool deal).
    public var owner: String?
    /// The deal's customer keys (for duplicate detection), separated by U+001E
    /// (``customerKeySeparator``): each identifies the customer on its own.
    public var customerKey: String?

    /// The separator of the keys in ``customerKey``.
    public static let customerKeySeparator: Character = "\u{1E}"

    /// The keys in ``customerKey``.
    public var customerKeys: [String] {
        customerKey.map { $0.split(separator: Self.customerKeySeparator, omittingEmptySubsequences: true).map(String.init) } ?? []
    }
    /// When the deal's earliest pending timer fires, or `nil` when none is pending.
    public var nextTimerAt: StoreTime?
    /// The active nodes, as text the host chooses (for listings and `explain`).
    public var currentNodes: String
    /// The columns views and reports read (schema version 2), or nil when the host supplies none
    /// (then they are left null; ``DealViewStore/unprojectedSnapshots(limit:)`` finds such deals).
    public var projection: DealProjection?

    public init(
        templateHash: String, status: String, isOpen: Bool, pool: String? = nil, owner: String? = nil,
        customerKey: String? = nil, nextTimerAt: StoreTime? = nil, currentNodes: String = "",
        projection: DealProjection? = nil
    ) {
        self.projection = projection
        self.templateHash = templateHash
        self.status = status
        self.isOpen = isOpen
        self.pool = pool
        self.owner = owner
        self.customerKey = customerKey
        self.nextTimerAt = nextTimerAt
        self.currentNodes = currentNodes
    }
}

/// An effect the runner emitted, on its way to the outbox.
public struct EffectRecord: Hashable, Sendable {
    /// Stable id, unique within the deal. An effect id already in the deal's outbox is not
    /// enqueued again, so a host that re-runs a step after a crash cannot notify twice.
    public var effectID: String
    /// The effect as JSON (opaque to the store).
    public var payload: Data

    public init(effectID: String, payload: Data) {
        self.effectID = effectID
        self.payload = payload
    }
}

/// One event to append to one deal's log, with the snapshot and effects that stepping it produced.
///
/// A record whose `afterSequence` is 0 creates the deal: a deal never exists without the event
/// that created it, so its snapshot is always the fold of its log.
public struct AppendRecord: Hashable, Sendable {
    /// The deal (opaque, chosen by the host).
    public var dealID: String
    /// The event's id, unique within the deal. Storing an id already in the log is a no-op that
    /// answers ``AppendResult/duplicate(sequence:)``: this is what makes re-delivery idempotent.
    public var eventID: String
    /// The sequence number of the last event folded into the snapshot this event was stepped
    /// from (0 for the creating event). The event gets `afterSequence + 1`. A mismatch with the
    /// stored log means the host stepped a stale snapshot, and the record is rejected.
    public var afterSequence: Int64
    /// The event as JSON (opaque to the store).
    public var event: Data
    /// The effects this event emitted, in order.
    public var effects: [EffectRecord]

    private var givenSnapshot: Data
    private var givenIndex: DealIndex
    /// When set, it makes the snapshot and the view columns (and `givenSnapshot` is empty and
    /// `givenIndex.projection` nil).
    private var deferred: DeferredRow?

    public init(
        dealID: String, eventID: String, afterSequence: Int64, event: Data, snapshot: Data,
        index: DealIndex, effects: [EffectRecord] = []
    ) {
        self.dealID = dealID
        self.eventID = eventID
        self.afterSequence = afterSequence
        self.event = event
        self.givenSnapshot = snapshot
        self.givenIndex = index
        self.effects = effects
    }

    /// A record whose snapshot and view columns are made only when they are first asked for.
    ///
    /// A store writes a deal's row once per batch, from the last record of the deal it appended;
    /// it asks for the others' rows only when a later record of the deal is refused. A host that
    /// appends many events of a deal in one batch makes the rows of all but the last this way,
    /// and most of them are never made.
    /// - Parameters:
    ///   - columns: the indexed columns; their `projection` is ignored (`row` gives it).
    ///   - row: makes the snapshot and the view columns (called at most once, on any thread).
    public init(
        dealID: String, eventID: String, afterSequence: Int64, event: Data, columns: DealIndex,
        effects: [EffectRecord] = [], row: @escaping @Sendable () -> (snapshot: Data, projection: DealProjection?)
    ) {
        self.init(dealID: dealID, eventID: eventID, afterSequence: afterSequence, event: event, snapshot: Data(),
                  index: columns, effects: effects)
        givenIndex.projection = nil
        deferred = DeferredRow(row)
    }

    /// The deal's snapshot after this event, as JSON (opaque); it replaces the stored one.
    public var snapshot: Data {
        get { deferred?.value.snapshot ?? givenSnapshot }
        set {
            resolve()
            givenSnapshot = newValue
        }
    }

    /// The indexed columns of `snapshot`.
    public var index: DealIndex {
        get {
            guard let deferred else { return givenIndex }
            var index = givenIndex
            index.projection = deferred.value.projection
            return index
        }
        set {
            resolve()
            givenIndex = newValue
        }
    }

    /// The snapshot and the columns together (a deferred row is made once for both).
    public var row: (snapshot: Data, index: DealIndex) {
        guard let deferred else { return (givenSnapshot, givenIndex) }
        let made = deferred.value
        var index = givenIndex
        index.projection = made.projection
        return (made.snapshot, index)
    }

    /// Whether the row is still to be made (see ``init(dealID:eventID:afterSequence:event:columns:effects:row:)``).
    public var isRowDeferred: Bool { deferred.map { !$0.isMade } ?? false }

    /// The same record with its row made and held as given.
    public func resolved() -> AppendRecord {
        var copy = self
        copy.resolve()
        return copy
    }

    private mutating func resolve() {
        guard let deferred else { return }
        let made = deferred.value
        givenSnapshot = made.snapshot
        givenIndex.projection = made.projection
        self.deferred = nil
    }

    public static func == (a: AppendRecord, b: AppendRecord) -> Bool {
        a.dealID == b.dealID && a.eventID == b.eventID && a.afterSequence == b.afterSequence && a.event == b.event
            && a.effects == b.effects && a.row == b.row
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(dealID)
        hasher.combine(eventID)
        hasher.combine(afterSequence)
        hasher.combine(event)
        hasher.combine(effects)
        let row = self.row
        hasher.combine(row.snapshot)
        hasher.combine(row.index)
    }
}

/// A deferred snapshot and view columns, made once, by the first thread that asks.
final class DeferredRow: Sendable {
    typealias Made = (snapshot: Data, projection: DealProjection?)
    private let make: @Sendable () -> Made
    private let made = Mutex<Made?>(nil)

    init(_ make: @escaping @Sendable () -> Made) { self.make = make }

    var value: Made {
        made.withLock { made in
            if let made { return made }
            let value = make()
            made = value
            return value
        }
    }

    var isMade: Bool { made.withLock { $0 != nil } }
}

/// What happened to one ``AppendRecord`` of a batch.
public enum AppendResult: Hashable, Sendable {
    /// The event is now in the log at `sequence`; the snapshot, columns and outbox are updated.
    case appended(sequence: Int64)
    /// The event id was already in the deal's log (at `sequence`); nothing was written.
    case duplicate(sequence: Int64)
    /// The record was refused (see the error's code); nothing of it was written.
    case rejected(StoreError)

    /// The sequence number the event has in the log, if it is there.
    public var sequence: Int64? {
        switch self {
        case .appended(let sequence), .duplicate(let sequence): sequence
        case .rejected: nil
        }
    }

    /// Whether the event is durably in the log (newly or from an earlier delivery).
    public var isStored: Bool { sequence != nil }
}

/// An event of a deal's log.
public struct StoredEvent: Hashable, Sendable {
    public var dealID: String
    /// 1-based, gap-free position within the deal's log.
    public var sequence: Int64
    public var eventID: String
    public var payload: Data

    public init(dealID: String, sequence: Int64, eventID: String, payload: Data) {
        self.dealID = dealID
        self.sequence = sequence
        self.eventID = eventID
        self.payload = payload
    }
}

/// The latest snapshot of a deal, and the log position it folds up to.
public struct StoredSnapshot: Hashable, Sendable {
    public var dealID: String
    /// The sequence number of the last event folded into `payload`.
    public var sequence: Int64
    public var payload: Data

    public init(dealID: String, sequence: Int64, payload: Data) {
        self.dealID = dealID
        self.sequence = sequence
        self.payload = payload
    }
}

/// A deal's row: its id, how long its log is, and its indexed columns.
public struct StoredDeal: Hashable, Sendable {
    public var dealID: String
    /// The sequence number of the deal's last event (its log length).
    public var lastSequence: Int64
    public var index: DealIndex

    public init(dealID: String, lastSequence: Int64, index: DealIndex) {
        self.dealID = dealID
        self.lastSequence = lastSequence
        self.index = index
    }
}

/// A deal's row and latest snapshot, read together: what a host needs to step the deal without
/// recomputing the columns it was stored with.
public struct StoredDealState: Hashable, Sendable {
    public var deal: StoredDeal
    /// The snapshot after event `deal.lastSequence`.
    public var snapshot: Data

    public init(deal: StoredDeal, snapshot: Data) {
        self.deal = deal
        self.snapshot = snapshot
    }
}

/// A deal whose next timer is due, as the timer sweep reads it.
public struct DueDeal: Hashable, Sendable {
    public var dealID: String
    public var nextTimerAt: StoreTime

    public init(dealID: String, nextTimerAt: StoreTime) {
        self.dealID = dealID
        self.nextTimerAt = nextTimerAt
    }
}

/// An effect in the outbox.
public struct OutboxEntry: Hashable, Sendable {
    /// Store-wide position, increasing in enqueue order; the handle for
    /// ``DealStore/markDelivered(_:at:)``.
    public var position: Int64
    public var dealID: String
    public var effectID: String
    /// The sequence number of the event that emitted the effect.
    public var eventSequence: Int64
    public var payload: Data
    /// When the host reported it delivered, or `nil` while it is pending.
    public var deliveredAt: StoreTime?

    public init(
        position: Int64, dealID: String, effectID: String, eventSequence: Int64, payload: Data,
        deliveredAt: StoreTime?
    ) {
        self.position = position
        self.dealID = dealID
        self.effectID = effectID
        self.eventSequence = eventSequence
        self.payload = payload
        self.deliveredAt = deliveredAt
    }
}

/// Which owners a pool listing keeps.
public enum OwnerFilter: Hashable, Sendable {
    /// Every deal of the pool.
    case anyone
    /// Deals nobody owns (a public pool).
    case nobody
    /// Deals this person owns.
    case person(String)
}
