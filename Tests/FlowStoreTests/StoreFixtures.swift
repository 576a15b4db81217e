import Foundation
import Testing
@testable import FlowStore

/// A store in a temporary directory that goes away with the store (it forwards every call).
final class TemporaryStore: ForwardingDealStore {
    let base: any DealStore
    let directory: URL

    init(_ base: any DealStore, directory: URL) {
        self.base = base
        self.directory = directory
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

/// Makes a temporary directory that the caller removes.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("flowstore-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// One kind of store the conformance suite runs against.
struct StoreFactory: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable () throws -> any DealStore

    var testDescription: String { name }

    static let inMemory = StoreFactory(name: "in-memory") { InMemoryStore() }

    static let sqlite = StoreFactory(name: "sqlite") {
        let directory = try makeTemporaryDirectory()
        let store = try SQLiteStore(path: directory.appendingPathComponent("deals.sqlite").path)
        return TemporaryStore(store, directory: directory)
    }

    static let sqliteProcessCrash = StoreFactory(name: "sqlite-normal-sync") {
        let directory = try makeTemporaryDirectory()
        let store = try SQLiteStore(
            path: directory.appendingPathComponent("deals.sqlite").path, durability: .processCrash)
        return TemporaryStore(store, directory: directory)
    }

    static let all: [StoreFactory] = [.inMemory, .sqlite, .sqliteProcessCrash]
}

/// A toy deal, standing in for the runner: the store must not care what the JSON means, and the
/// tests need a fold to check that a snapshot equals the fold of its log.
struct ToyDeal: Codable, Equatable {
    var eventIDs: [String] = []
    var total: Int = 0

    struct Event: Codable, Equatable {
        var id: String
        var amount: Int
    }

    mutating func apply(_ event: Event) {
        eventIDs.append(event.id)
        total += event.amount
    }

    static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // Encoding these plain structs cannot fail.
        return (try? encoder.encode(value)) ?? Data()
    }

    /// Replays a log from the empty deal.
    static func fold(_ events: [StoredEvent]) throws -> ToyDeal {
        var deal = ToyDeal()
        for event in events { deal.apply(try JSONDecoder().decode(Event.self, from: event.payload)) }
        return deal
    }
}

/// Builds records for one deal the way a host would: steps the toy deal and appends.
struct ToyHost {
    var deals: [String: (deal: ToyDeal, sequence: Int64)] = [:]

    /// The record of an event stepped by a host that knows nothing yet (a creating record).
    static func fresh(_ dealID: String, event eventID: String, effects: [String] = []) -> AppendRecord {
        var host = ToyHost()
        return host.next(dealID, event: eventID, effects: effects)
    }

    /// The record for the next event of `dealID` (the state is advanced as if it was appended).
    mutating func next(
        _ dealID: String, event eventID: String, amount: Int = 1, index: DealIndex? = nil,
        effects: [String] = []
    ) -> AppendRecord {
        var (deal, sequence) = deals[dealID] ?? (ToyDeal(), 0)
        let event = ToyDeal.Event(id: eventID, amount: amount)
        deal.apply(event)
        let record = AppendRecord(
            dealID: dealID, eventID: eventID, afterSequence: sequence, event: ToyDeal.encode(event),
            snapshot: ToyDeal.encode(deal), index: index ?? DealIndex(templateHash: "t1", status: "open", isOpen: true),
            effects: effects.map { EffectRecord(effectID: $0, payload: Data(#"{"effect":"\#($0)"}"#.utf8)) })
        deals[dealID] = (deal, sequence + 1)
        return record
    }
}

/// Checks the store's central invariant for every deal: the log is gap-free from 1, the deal row
/// and the snapshot point at its end, and the snapshot equals the fold of the log.
func expectEverySnapshotIsTheFoldOfItsLog(_ store: any DealStore, sourceLocation: SourceLocation = #_sourceLocation)
    throws -> Int
{
    var checked = 0
    for dealID in try store.allDealIDs(pageSize: 7) {
        let log = try store.allEvents(of: dealID, pageSize: 5)
        #expect(log.map(\.sequence) == Array(1...Int64(log.count)), "log of \(dealID)", sourceLocation: sourceLocation)
        let snapshot = try #require(try store.snapshot(of: dealID), sourceLocation: sourceLocation)
        let deal = try #require(try store.deal(dealID), sourceLocation: sourceLocation)
        #expect(snapshot.sequence == Int64(log.count), sourceLocation: sourceLocation)
        #expect(deal.lastSequence == Int64(log.count), sourceLocation: sourceLocation)
        let stored = try JSONDecoder().decode(ToyDeal.self, from: snapshot.payload)
        #expect(stored == (try ToyDeal.fold(log)), "snapshot of \(dealID)", sourceLocation: sourceLocation)
        checked += 1
    }
    return checked
}

func at(_ milliseconds: Int64) -> StoreTime { StoreTime(millisecondsSinceEpoch: milliseconds) }
