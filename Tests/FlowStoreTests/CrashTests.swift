import Foundation
import Testing
import FlowStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Killing the writer mid-run loses no acknowledged event and duplicates none (issue 3, point 4).
///
/// How: the test process starts a copy of its own test binary (`/proc/self/exe`, found through
/// `Bundle.main`) that runs only ``CrashTests/childWriter()``, enabled by environment variables.
/// The child opens the SQLite store and appends batches of deterministic events as fast as it can;
/// before each append it writes the batch's new event ids to an acknowledgement file as `pending`,
/// after the append returns it writes them as `ack` (one write(2) each, so a line is either there
/// or not). The parent waits for a number of acknowledgements, then for a moment when the child
/// is inside `append` (the file ends with `pending` lines), waits a random few hundred
/// microseconds to milliseconds more, kills the child with SIGKILL, reopens the store and checks
/// it against the file: every acknowledged event is stored at its acknowledged position, each log
/// is gap-free and in generator order, each snapshot is the fold of its log, each effect is in the
/// outbox once, and the batch in flight at the kill was committed entirely or not at all. Six
/// rounds, alternating `synchronous = FULL` and `NORMAL`, continue the same database; then every
/// event is re-delivered and must come back as a duplicate at its position.
///
/// A child process rather than fork(): a forked child of this multithreaded test runner would
/// inherit locks held by other threads (Swift runtime, libdispatch under GRDB) and may deadlock;
/// a fresh exec of the same binary has none of that and still runs the real store code.
@Suite("Crash safety")
struct CrashTests {
    @Test(.enabled(if: CrashWorkload.isChild))
    func childWriter() throws {
        try CrashWorkload.runChild()
    }

    @Test(.timeLimit(.minutes(5)))
    func killedWriterLosesNoAcknowledgedEventAndDuplicatesNone() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = directory.appendingPathComponent("crash.sqlite").path
        var acknowledged: [String: Int64] = [:]  // "deal event" → sequence, over every round
        var report: [String] = []
        for round in 1...6 {
            let durability = round % 2 == 1 ? "full" : "normal"
            let acks = directory.appendingPathComponent("acks-\(round).txt").path
            let log = directory.appendingPathComponent("child-\(round).log")
            let child = try CrashWorkload.spawnChild(database: database, acks: acks, durability: durability, log: log)
            let target = 1_000
            let deadline = Date().addingTimeInterval(120)
            var lines = CrashWorkload.AckFile(path: acks)
            while lines.acknowledged.count < target && child.isRunning && Date() < deadline {
                usleep(2_000)
                lines = CrashWorkload.AckFile(path: acks)
            }
            // Then aim at a transaction: wait until the child has announced a batch and not yet
            // acknowledged it (it is inside `append`), and kill it a random moment later, before
            // or after the commit.
            let aimDeadline = Date().addingTimeInterval(5)
            while !CrashWorkload.endsWithPending(acks) && child.isRunning && Date() < aimDeadline {}
            usleep(UInt32.random(in: 0...(round <= 2 ? 300 : 3_000)))
            let running = child.isRunning
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            let childOutput = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            try #require(running, "the child stopped by itself:\n\(childOutput.suffix(3000))")
            #expect(child.terminationReason == .uncaughtSignal && child.terminationStatus == SIGKILL)

            lines = CrashWorkload.AckFile(path: acks)
            #expect(lines.failures.isEmpty, "child reported: \(lines.failures)")
            #expect(lines.acknowledged.count >= target)
            for ack in lines.acknowledged { acknowledged[ack.key] = ack.sequence }

            let store = try SQLiteStore(path: database)
            let stored = try CrashWorkload.verify(store)
            // Every acknowledged event is in the log, at the position it was acknowledged at.
            let lost = acknowledged.filter { stored[$0.key] != $0.value }
            #expect(lost.isEmpty, "acknowledged but not stored: \(lost.prefix(10))")
            // Events stored but never acknowledged can only be the batch in flight at the kill,
            // and that batch was committed entirely or not at all.
            let unacknowledged = Set(stored.keys).subtracting(acknowledged.keys)
            let inFlight = Set(lines.pendingWithoutAck)
            #expect(unacknowledged.isSubset(of: inFlight), "\(unacknowledged.subtracting(inFlight).prefix(10))")
            #expect(unacknowledged.isEmpty || unacknowledged == inFlight, "a torn batch: \(unacknowledged.count) of \(inFlight.count)")
            for key in unacknowledged { acknowledged[key] = stored[key] }
            report.append(
                "round \(round) (\(durability)): \(lines.acknowledged.count) acknowledged, in flight at kill \(inFlight.count) "
                    + "(\(inFlight.isEmpty ? "between batches" : unacknowledged.isEmpty ? "rolled back" : "committed, not acknowledged")), "
                    + "log \(stored.count)")
            try store.close()
        }

        // Re-deliver every event, and a few new ones: the old are duplicates at their positions.
        let store = try SQLiteStore(path: database)
        var duplicates = 0
        var appended = 0
        for deal in 0..<CrashWorkload.deals {
            let length = try store.deal(CrashWorkload.dealID(deal))?.lastSequence ?? 0
            var host = CrashWorkload.Generator(deal: deal)
            let records = (1...(length + 5)).map { _ in host.next() }
            for (record, result) in zip(records, try store.append(records)) {
                switch result {
                case .duplicate(let sequence) where sequence == record.afterSequence + 1: duplicates += 1
                case .appended(let sequence) where sequence > length: appended += 1
                default: Issue.record("re-delivery of \(record.eventID) gave \(result)")
                }
            }
        }
        let final = try CrashWorkload.verify(store)
        #expect(duplicates == acknowledged.count)
        #expect(appended == 5 * CrashWorkload.deals)
        #expect(final.count == acknowledged.count + appended)
        print("crash test: " + report.joined(separator: "; ") + "; re-delivered \(duplicates) as duplicates")
    }
}

/// The child's workload and the checks, shared by both sides.
enum CrashWorkload {
    static let databaseVariable = "FLOWSTORE_CRASH_CHILD_DB"
    static let acksVariable = "FLOWSTORE_CRASH_CHILD_ACKS"
    static let durabilityVariable = "FLOWSTORE_CRASH_CHILD_SYNC"
    static let deals = 24

    static var isChild: Bool { ProcessInfo.processInfo.environment[databaseVariable] != nil }

    static func dealID(_ deal: Int) -> String { "crash-deal-\(deal)" }

    /// The events of one deal, the same on every run: event n has id `e<n>`, and its record
    /// carries the fold of events 1…n as its snapshot.
    struct Generator {
        let deal: Int
        var state = ToyDeal()
        var sequence: Int64 = 0

        init(deal: Int) { self.deal = deal }

        mutating func next() -> AppendRecord {
            let n = sequence + 1
            let event = ToyDeal.Event(id: "e\(n)", amount: Int((Int64(deal) * 31 + n * 7) % 97))
            state.apply(event)
            let index = DealIndex(
                templateHash: "crash", status: n % 5 == 0 ? "waiting" : "open", isOpen: true, pool: "private",
                owner: "owner-\(deal % 3)", customerKey: "customer-\(deal)",
                nextTimerAt: StoreTime(millisecondsSinceEpoch: n * 1000), currentNodes: "node-\(n % 4)")
            let effects = n % 3 == 0 ? [EffectRecord(effectID: "fx-\(n)", payload: Data(#"{"n":\#(n)}"#.utf8))] : []
            let record = AppendRecord(
                dealID: CrashWorkload.dealID(deal), eventID: event.id, afterSequence: sequence,
                event: ToyDeal.encode(event), snapshot: ToyDeal.encode(state), index: index, effects: effects)
            sequence = n
            return record
        }
    }

    static func spawnChild(database: String, acks: String, durability: String, log: URL) throws -> Process {
        let process = Process()
        let executable = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--testing-library", "swift-testing", "--filter", "CrashTests/childWriter"]
        var environment = ProcessInfo.processInfo.environment
        environment[databaseVariable] = database
        environment[acksVariable] = acks
        environment[durabilityVariable] = durability
        process.environment = environment
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: log.path])
        }
        let output = try FileHandle(forWritingTo: log)
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return process
    }

    /// The child: resume every deal from the store, then append random batches until killed
    /// (or, as a safety net, for two minutes or until the parent is gone).
    static func runChild() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let database = environment[databaseVariable], let acks = environment[acksVariable] else { return }
        let durability: SQLiteStore.Durability = environment[durabilityVariable] == "normal" ? .processCrash : .powerLoss
        let store = try SQLiteStore(path: database, durability: durability)
        let fd = open(acks, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { throw StoreError(.database, "cannot open \(acks)") }
        func emit(_ text: String) {
            var bytes = Array(text.utf8)
            _ = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
        }
        var generators: [Generator] = []
        for deal in 0..<deals {
            var generator = Generator(deal: deal)
            let length = try store.deal(dealID(deal))?.lastSequence ?? 0
            for _ in 0..<length { _ = generator.next() }
            generators.append(generator)
        }
        let parent = getppid()
        let stop = Date().addingTimeInterval(120)
        var random = SystemRandomNumberGenerator()
        while Date() < stop && getppid() == parent {
            // Records generated in this batch are new; the others are re-deliveries.
            let before = generators.map(\.sequence)
            var batch: [(deal: Int, record: AppendRecord)] = []
            for _ in 0..<Int.random(in: 1...128, using: &random) {
                let deal = Int.random(in: 0..<deals, using: &random)
                if before[deal] > 0 && Int.random(in: 0..<10, using: &random) == 0 {
                    // A re-delivery of an event stored before this batch: must be a duplicate.
                    var replay = Generator(deal: deal)
                    let target = Int64.random(in: 1...before[deal], using: &random)
                    var record = replay.next()
                    while replay.sequence < target { record = replay.next() }
                    batch.append((deal, record))
                } else {
                    batch.append((deal, generators[deal].next()))
                }
            }
            func isNew(_ entry: (deal: Int, record: AppendRecord)) -> Bool {
                entry.record.afterSequence >= before[entry.deal]
            }
            emit(batch.filter(isNew).map { "pending \($0.record.dealID) \($0.record.eventID)\n" }.joined())
            let results = try store.append(batch.map(\.record))
            var lines = ""
            for (entry, result) in zip(batch, results) {
                let record = entry.record
                switch result {
                case .appended(let sequence) where isNew(entry) && sequence == record.afterSequence + 1:
                    lines += "ack \(record.dealID) \(record.eventID) \(sequence)\n"
                case .duplicate(let sequence) where !isNew(entry) && sequence == record.afterSequence + 1:
                    break
                default:
                    lines += "fail \(record.dealID) \(record.eventID) \(result)\n"
                }
            }
            emit(lines)
        }
        close(fd)
    }

    /// Whether the last complete line of the acknowledgement file announces a batch.
    static func endsWithPending(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 200 ? size - 200 : 0)
        let tail = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        guard let last = tail.split(separator: "\n").last else { return false }
        return tail.hasSuffix("\n") && last.hasPrefix("pending ")
    }

    /// The acknowledgement file as written so far (complete lines only).
    struct AckFile {
        var acknowledged: [(key: String, sequence: Int64)] = []
        var pendingWithoutAck: [String] = []
        var failures: [String] = []

        init(path: String) {
            guard let data = FileManager.default.contents(atPath: path) else { return }
            var text = String(decoding: data, as: UTF8.self)
            if let lastNewline = text.lastIndex(of: "\n") {
                text = String(text[...lastNewline])
            } else {
                text = ""
            }
            var pending: [String] = []
            var acked = Set<String>()
            for line in text.split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count >= 3 else { continue }
                let key = "\(fields[1]) \(fields[2])"
                switch fields[0] {
                case "pending": pending.append(key)
                case "ack":
                    acknowledged.append((key, Int64(fields[3]) ?? -1))
                    acked.insert(key)
                default: failures.append(String(line))
                }
            }
            pendingWithoutAck = pending.filter { !acked.contains($0) }
        }
    }

    /// Checks every deal of the store against the generator and the fold, and returns every
    /// stored event as "deal event" → sequence.
    static func verify(_ store: SQLiteStore, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String: Int64] {
        var stored: [String: Int64] = [:]
        #expect(try expectEverySnapshotIsTheFoldOfItsLog(store, sourceLocation: sourceLocation) <= deals)
        let outbox = try store.undeliveredEffects(limit: 1_000_000)
        for deal in 0..<deals {
            let log = try store.allEvents(of: dealID(deal))
            var generator = Generator(deal: deal)
            for event in log {
                let expected = generator.next()
                #expect(event.eventID == expected.eventID && event.payload == expected.event, sourceLocation: sourceLocation)
                stored["\(dealID(deal)) \(event.eventID)"] = event.sequence
            }
            if !log.isEmpty {
                #expect(
                    try store.snapshot(of: dealID(deal))?.payload == ToyDeal.encode(generator.state),
                    sourceLocation: sourceLocation)
            }
            // One outbox entry per emitting event, never two.
            let effects = outbox.filter { $0.dealID == dealID(deal) }.map(\.effectID)
            #expect(effects == (0..<log.count / 3).map { "fx-\(3 * ($0 + 1))" }, sourceLocation: sourceLocation)
        }
        return stored
    }
}
