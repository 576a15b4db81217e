import Foundation
import Synchronization
import Testing
import FlowStore

/// Records whose snapshot and view columns are made only when the store asks for them
/// (``AppendRecord/init(dealID:eventID:afterSequence:event:columns:effects:row:)``).
@Suite("Deferred rows")
struct DeferredRowTests {
    /// Counts how many times each deferred row was made.
    final class Counter: Sendable {
        let made = Mutex<[String: Int]>([:])
        func count(_ key: String) -> Int { made.withLock { $0[key] ?? 0 } }
        func tick(_ key: String) { made.withLock { $0[key, default: 0] += 1 } }
    }

    static let projection = DealProjection(
        templateID: "toy", fields: #"{"total":9}"#, probability: 40, createdAt: at(1), statusChangedAt: at(2),
        openNodes: "[]", dueAt: at(50), amount: 9, closeDate: "2024-09-30")

    /// `record` with its row deferred: the same snapshot, and `projection` as its view columns.
    static func deferring(_ record: AppendRecord, projection: DealProjection? = Self.projection, counter: Counter) -> AppendRecord {
        let snapshot = record.snapshot
        let key = record.eventID
        return AppendRecord(
            dealID: record.dealID, eventID: record.eventID, afterSequence: record.afterSequence, event: record.event,
            columns: record.index, effects: record.effects
        ) {
            counter.tick(key)
            return (snapshot, projection)
        }
    }

    @Test func aDeferredRecordReadsAsTheRecordItStandsFor() throws {
        var host = ToyHost()
        let counter = Counter()
        let given = host.next("d1", event: "e1", amount: 4, effects: ["fx-1"])
        var expected = given
        expected.index.projection = Self.projection
        let deferred = Self.deferring(given, counter: counter)
        #expect(deferred.isRowDeferred)
        #expect(counter.count("e1") == 0)
        #expect(deferred == expected)
        #expect(deferred.hashValue == expected.hashValue)
        #expect(deferred.snapshot == given.snapshot)
        #expect(deferred.index == expected.index)
        #expect(deferred.row.snapshot == given.snapshot && deferred.row.index == expected.index)
        // Made once, however often it is read.
        #expect(counter.count("e1") == 1)
        #expect(!deferred.isRowDeferred)
        let resolved = Self.deferring(given, counter: counter).resolved()
        #expect(resolved == expected && !resolved.isRowDeferred)

        // Setting one part keeps the other.
        var edited = Self.deferring(given, counter: counter)
        edited.snapshot = Data("{}".utf8)
        #expect(edited.index.projection == Self.projection)
        var reowned = Self.deferring(given, counter: counter)
        reowned.index.owner = "li"
        #expect(reowned.snapshot == given.snapshot)
        #expect(reowned.index.projection == Self.projection)
        // The projection given with the columns is not the one written: the row's is.
        let withoutViews = Self.deferring(given, projection: nil, counter: counter)
        #expect(withoutViews.index.projection == nil)
    }

    /// The SQLite store writes a deal's row once per batch, from its last appended record: the
    /// earlier records' rows are never made.
    @Test func theSQLiteStoreMakesOnlyTheRowItWrites() throws {
        let store = try StoreFactory.sqlite.make()
        var host = ToyHost()
        let counter = Counter()
        let batch = [
            Self.deferring(host.next("d1", event: "e1", amount: 1), counter: counter),
            Self.deferring(host.next("d2", event: "e1", amount: 5), counter: counter),
            Self.deferring(host.next("d1", event: "e2", amount: 2), counter: counter),
            host.next("d1", event: "e3", amount: 3),
        ]
        #expect(try store.append(batch) == [.appended(sequence: 1), .appended(sequence: 1), .appended(sequence: 2), .appended(sequence: 3)])
        #expect(batch.map(\.isRowDeferred) == [true, false, true, false])
        #expect(try JSONDecoder().decode(ToyDeal.self, from: #require(try store.snapshot(of: "d1")).payload).total == 6)
        #expect(try store.deal("d1")?.index.projection == nil)
        #expect(try store.deal("d2")?.index.projection == Self.projection)
        #expect(try expectEverySnapshotIsTheFoldOfItsLog(store) == 2)
    }

    /// When a deal's later records are refused, its row is the last appended record's, deferred
    /// or not, on every store.
    @Test(arguments: StoreFactory.all)
    func aRefusedLaterRecordLeavesTheRowOfTheLastAppendedOne(_ factory: StoreFactory) throws {
        let store = try factory.make()
        var host = ToyHost()
        let counter = Counter()
        let e1 = host.next("d1", event: "e1", amount: 1)
        let e2 = Self.deferring(host.next("d1", event: "e2", amount: 2), counter: counter)
        var stale = host.next("d1", event: "e3", amount: 4)
        stale.afterSequence = 1
        // e1 delivered again after e2: a duplicate (its id is in the log), not a new event.
        var again = e1
        again.afterSequence = 2
        let results = try store.append([e1, e2, stale, again])
        #expect(results[0] == .appended(sequence: 1) && results[1] == .appended(sequence: 2))
        if case .rejected(let error) = results[2] { #expect(error.code == .sequenceConflict) } else {
            Issue.record("the stale record was not refused: \(results[2])")
        }
        #expect(results[3] == .duplicate(sequence: 1))
        #expect(counter.count("e2") == 1)
        let snapshot = try #require(try store.snapshot(of: "d1"))
        #expect(snapshot.sequence == 2)
        #expect(try JSONDecoder().decode(ToyDeal.self, from: snapshot.payload).total == 3)
        #expect(try store.deal("d1")?.index.projection == Self.projection)
        #expect(try expectEverySnapshotIsTheFoldOfItsLog(store) == 1)
    }
}
