import FlowDiagnostics
import Foundation
import FlowIR
public import FlowRuntime
import FlowStore

/// The two forms of a deals file.
public enum RecordFormat: String, Sendable, CaseIterable {
    /// One JSON object per line (``RecordReader/dealRecord(_:limits:)``).
    case jsonLines = "jsonl"
    /// A header row, then one deal per row (``CSVDeals``).
    case csv

    /// The format a file name suggests: `.csv` is CSV, anything else JSON Lines.
    public static func guess(path: String) -> RecordFormat {
        path.lowercased().hasSuffix(".csv") ? .csv : .jsonLines
    }
}

/// A record that was not applied: its line (1-based), why, and its text as written.
public struct RejectedRecord: Sendable {
    public var line: Int
    public var error: HostError
    public var text: String
    /// Whether `text` is the whole record; false for a record too large to keep, whose `text` is
    /// only its first bytes (or nothing).
    public var isWhole = true
    /// The record's bytes as written when they are not UTF-8 (`text` then has U+FFFD for the
    /// bytes that are not): the rejects file keeps them so.
    public var bytes: [UInt8]?
}

/// A record file that could not be run at all (a CSV header naming an unknown column, a file
/// that is not text), or a store that failed mid-run.
public struct RecordFileProblem: Error, Sendable {
    public var line: Int
    public var error: HostError
    /// The store failed (an I/O problem rather than a problem of the file).
    public var isStoreFailure: Bool
    /// The file could not be read to its end (FC1240); the records before `line` were run.
    public var isReadFailure = false

    /// FC1241: the run was asked to stop (an interrupt) after line `line`.
    public static func interrupted(afterLine line: Int) -> RecordFileProblem {
        RecordFileProblem(line: line + 1, error: HostError(HostMessages.interrupted, String(line)), isStoreFailure: false, isReadFailure: true)
    }

    /// FC1240: the file could not be read after line `line`.
    public static func unreadable(afterLine line: Int, _ error: any Error) -> RecordFileProblem {
        RecordFileProblem(
            line: line + 1, error: HostError(HostMessages.recordsUnreadable, String(line), String(describing: error)),
            isStoreFailure: false, isReadFailure: true)
    }
}

/// What a bulk run did, over every file it read.
public struct BulkReport: Sendable {
    /// Records read (non-empty lines or rows).
    public var records = 0
    /// Records that created their deal.
    public var created = 0
    /// Records that applied events to a deal that already existed.
    public var advanced = 0
    /// Records whose events were all in the log already (a re-run).
    public var unchanged = 0
    public var rejected = 0
    /// Records run but not written: the store failed on their batch (a full disk), so the run
    /// stopped; running the file again applies them. Those rejected in that batch count here
    /// too: they were judged against records the store did not write.
    public var notWritten = 0
    /// Events stepped and stored (creations included).
    public var events = 0
    public var effects = 0
    public var effectsByKind: [String: Int] = [:]
    /// Returns to the public pool whose idle warning was not sent, as it came due with the
    /// return (the deal's events came after both: QA round 39, R8).
    public var returnedUnwarned = 0
    /// Where each deal the run touched (unchanged ones included) stands now, as a number in
    /// `states`: a run's deals share a few states, so a deal costs its id and four bytes (a
    /// `DealIndex` per deal took hundreds of bytes each, in a run of millions of deals).
    private var stateOfDeal: [String: Int32] = [:]
    private var states: [DealState] = []
    private var stateNumbers: [DealState: Int32] = [:]

    /// What the counts by status, pool and node read of a deal.
    private struct DealState: Hashable {
        var status: String
        var pool: String?
        var nodes: String
        /// The run wrote the deal, and its next timer was due by the clock when it did.
        var timerDue = false
    }

    /// Notes where a deal stands after a record. `clock` is the host's clock when the record
    /// wrote the deal; nil when it wrote nothing (the deal keeps what an earlier record of the
    /// run noted).
    mutating func note(_ dealID: String, _ index: DealIndex, writtenAt clock: StoreTime?) {
        var state = DealState(status: index.status, pool: index.pool, nodes: index.currentNodes)
        if let clock {
            state.timerDue = index.nextTimerAt.map { $0 <= clock } ?? false
        } else if let known = stateOfDeal[dealID] {
            state.timerDue = states[Int(known)].timerDue
        }
        let number: Int32
        if let known = stateNumbers[state] {
            number = known
        } else {
            number = Int32(states.count)
            states.append(state)
            stateNumbers[state] = number
        }
        stateOfDeal[dealID] = number
    }

    /// How many deals the run touched.
    public var dealCount: Int { stateOfDeal.count }

    /// Deals per status, pool, and open node.
    public var byStatus: [String: Int] { count { [$0.status] } }
    public var byPool: [String: Int] { count { [$0.pool ?? "none"] } }
    public var byNode: [String: Int] { count { $0.nodes.split(separator: ",").map(String.init) } }
    /// Deals the run wrote whose next timer was already due by the clock: their records are
    /// dated before it (an old import, or one run again), and the next `flowc tick` fires them.
    public var timersDue: Int { count { $0.timerDue ? [""] : [] }[""] ?? 0 }

    /// The first `limit` of those deals, by id (QA round 23: the note gave a count only).
    public func timersDueDeals(limit: Int) -> [String] {
        var first: [String] = []
        for (deal, number) in stateOfDeal where states[Int(number)].timerDue {
            guard first.count < limit || deal < (first.last ?? "") else { continue }
            first.insert(deal, at: first.firstIndex { $0 > deal } ?? first.count)
            if first.count > limit { first.removeLast() }
        }
        return first
    }

    private func count(_ keys: (DealState) -> [String]) -> [String: Int] {
        var deals = [Int](repeating: 0, count: states.count)
        for number in stateOfDeal.values { deals[Int(number)] += 1 }
        var out: [String: Int] = [:]
        for (state, n) in zip(states, deals) where n > 0 { for k in keys(state) { out[k, default: 0] += n } }
        return out
    }
}

/// Runs record files through a ``DealService``: deals files (JSON Lines or CSV; each record
/// creates a deal and may apply its events) and events files (JSON Lines; each line one event of
/// an existing deal).
///
/// Each record is applied all or nothing; a record that fails is returned as a
/// ``RejectedRecord`` with its line and does not stop the others. Records are written in store
/// transactions of ``DealService/batchSize`` records. Every record is idempotent: a record
/// whose events are already in the log (same event ids) changes nothing, so a file can be run
/// again, and a fixed rejects file can be run after it.
public final class BulkRun {
    public let service: DealService
    /// The machine new deals are created on.
    public let machine: PreparedMachine
    public var limits: RecordLimits
    /// Called after each record with the number of records done in the current file.
    public var onProgress: ((Int) -> Void)?
    public private(set) var report = BulkReport()
    /// When set, the rejected records of a file are handed here, in line order, as soon as no
    /// record before them can still be refused (a unit staged before them could be refused when
    /// its batch is written), rather than returned when the file ends. A run then holds at most
    /// ``maxHeldRejects`` of them before it writes its batch early: a large file whose every
    /// record is rejected runs in bounded memory. The run's result then lists none.
    public var onRejects: (([RejectedRecord]) -> Void)?
    /// How many rejected records a run with ``onRejects`` holds at most.
    public var maxHeldRejects = 1_000
    /// Asked before each record is read: true stops the run there, the records read so far run
    /// and written (a command's interrupt, Ctrl-C).
    public var isInterrupted: () -> Bool = { false }
    /// The header row of the last CSV file run, as written (for its rejects file).
    public private(set) var csvHeader: String?

    private let session: DealSession
    /// Units stepped but not yet written: unit number → (line, text, outcome).
    private var provisional: [Int: (line: Int, text: String, outcome: UnitOutcome)] = [:]
    /// Records run that create their deal, in units staged and not written yet: the report
    /// counts them as ``BulkReport/created`` once their batch is written.
    public private(set) var createdUnwritten = 0
    /// The most records held unsettled at once (for tests: a batch's worth).
    private(set) var largestHeld = 0
    private var rejects: [RejectedRecord] = []
    /// Deals with a rejected record in this run, with where it is (`line 2`): their later records
    /// are held back (FC1206). A deals file starts afresh; an events file keeps those of the deals
    /// file run before it (`flowc run --deals … --events …`), said to be of the deals file.
    private var heldBack: [String: String] = [:]
    /// How often each event line without an id has come in the events file being run.
    private var eventLines: [UInt64: Int] = [:]
    /// The text a rejects file keeps of the events-file line being run when it repeats an
    /// earlier line: the line with the id it was given (``nextEventID(deal:line:)``).
    private var repeatedLineText: String?

    public init(service: DealService, machine: PreparedMachine, limits: RecordLimits = .default) {
        self.service = service
        self.machine = machine
        self.limits = limits
        self.session = DealSession(service)
    }

    /// Runs a deals file.
    /// - Returns: the rejected records, by line; or the problem that stopped the file.
    public func runDeals(_ bytes: [UInt8], format: RecordFormat) -> Result<[RejectedRecord], RecordFileProblem> {
        switch format {
        case .jsonLines:
            var lines = RecordLines(bytes: bytes)
            return runDeals(lines: &lines)
        case .csv:
            let utf16 = RecordLines.startsAsUTF16(bytes)
            if let line = utf16 ? 1 : CSVRows.firstNonUTF8Line(in: bytes) {
                rejects = []
                return .failure(Self.notUTF8(line: line, utf16: utf16))
            }
            var rows = CSVRows(bytes: bytes, maxRowBytes: limits.maxLineBytes)
            return runDeals(csv: &rows)
        }
    }

    /// A CSV file that is not UTF-8 text, from a byte on `line` (`utf16`: a UTF-16 file, by its
    /// byte-order mark): none of it is run.
    public static func notUTF8(line: Int, utf16: Bool = false) -> RecordFileProblem {
        RecordFileProblem(line: line, error: RecordReader.fail(utf16 ? HostMessages.Record.utf16 : HostMessages.Record.notUTF8, "the file"),
                          isStoreFailure: false)
    }

    /// Runs a CSV deals file, a row at a time (see ``CSVRows``: from a file, only a batch of
    /// records is held). The caller checks that the file is UTF-8 first (``CSVRows/isUTF8(_:chunkBytes:)``)
    /// and gives the rows the line limit (`maxRowBytes: limits.maxLineBytes`).
    public func runDeals(csv rows: inout CSVRows) -> Result<[RejectedRecord], RecordFileProblem> {
        rejects = []
        heldBack = [:]
        csvHeader = nil
        var lastLine = 0
        let first: CSVRows.Row?
        do { first = try rows.next() } catch { return .failure(.unreadable(afterLine: lastLine, error)) }
        let header: CSVRow
        switch first {
        case nil: return .success([])
        case .unclosed(let line, let error, _)?: return .failure(RecordFileProblem(line: line, error: error, isStoreFailure: false))
        case .tooLarge(let line, let length, _)?:
            return .failure(RecordFileProblem(line: line, error: tooLarge(length), isStoreFailure: false))
        case .row(let row)?: header = row
        }
        csvHeader = header.text
        lastLine = header.line
        if let error = header.problemError {
            return .failure(RecordFileProblem(line: header.line, error: error, isStoreFailure: false))
        }
        var columns: CSVDeals
        do { columns = try CSVDeals(header: header.cells, machine: machine.machine) } catch {
            return .failure(RecordFileProblem(line: header.line, error: error, isStoreFailure: false))
        }
        columns.zone = service.hintZone
        var done = 0
        while true {
            let next: CSVRows.Row?
            switch readNext({ try rows.next() }, afterLine: lastLine) {
            case .success(let read): next = read
            case .failure(let problem): return .failure(problem)
            }
            guard let next else { break }
            report.records += 1
            switch next {
            case .unclosed(let line, let error, let text):
                // The rest of the file cannot be framed: the unclosed quote swallowed it. Its
                // text is kept as written (within the limit), so that the quote can be closed.
                reject(line, error, text ?? "", isWhole: text != nil)
                continue
            case .tooLarge(let line, let length, let head):
                lastLine = line
                let named = columns.dealID(CSVRow(line: line, cells: CSVReader.leadingCells(head), text: ""))
                reject(line, tooLarge(length, named: named != nil), head, isWhole: false)
                // Its deal's later rows wait for it, as a JSON line's do (review of the inputs,
                // I8: a later row of the deal ran ahead of the rejected one).
                holdBack(named, line: line)
            case .row(let row):
                lastLine = row.line
                switch columns.record(row) {
                case .success(let r):
                    let unit = DealUnit(dealID: r.create.dealID, create: r.create, machine: machine, events: r.events, repeated: .skip)
                    if let stop = run(unit, line: row.line, text: row.text) { return .failure(stop) }
                case .failure(let e):
                    reject(row.line, e, row.text)
                    holdBack(columns.dealID(row), line: row.line)
                }
            }
            done += 1
            onProgress?(done)
            if let stop = settleIfHoldingTooMany() { return .failure(stop) }
        }
        if let stop = settle() { return .failure(stop) }
        return .success(rejects.sorted { $0.line < $1.line })
    }

    /// Runs a JSON Lines deals file, a line at a time (see ``RecordLines``: from a file, only a
    /// batch of records is held, not the file).
    public func runDeals(lines: inout RecordLines) -> Result<[RejectedRecord], RecordFileProblem> {
        rejects = []
        heldBack = [:]
        return runLines(&lines, dealKey: "id") { value in
            switch RecordReader.dealRecord(value, limits: self.limits, zone: service.hintZone) {
            case .success(let r):
                return .success(DealUnit(dealID: r.create.dealID, create: r.create, machine: self.machine, events: r.events, repeated: .skip))
            case .failure(let e): return .failure(e)
            }
        }
    }

    /// Runs an events file: JSON Lines, each an event with a `deal` key. An event without `id`
    /// gets `ev-` and a hash of its deal and its line's text, so running the file again applies
    /// nothing twice.
    public func runEvents(_ bytes: [UInt8]) -> Result<[RejectedRecord], RecordFileProblem> {
        var lines = RecordLines(bytes: bytes)
        return runEvents(lines: &lines)
    }

    /// ``runEvents(_:)``, a line at a time.
    public func runEvents(lines: inout RecordLines) -> Result<[RejectedRecord], RecordFileProblem> {
        rejects = []
        eventLines = [:]
        // The lines of the deals file run before: an events file's own lines are other lines.
        for (deal, place) in heldBack where !place.hasSuffix(HostMessages.Phrase.ofTheDealsFile) {
            heldBack[deal] = place + HostMessages.Phrase.ofTheDealsFile
        }
        return runLines(&lines, dealKey: "deal") { value in
            switch RecordReader.eventRecord(value, zone: service.hintZone) {
            case .success(var r):
                if r.event.id == nil {
                    let id = self.nextEventID(deal: r.dealID, line: value)
                    r.event.id = id
                    // A repeat of a line (`-2`, `-3`) keeps its id in the rejects file: run from
                    // there it is the first of its content, and would take the id of the line
                    // it repeats, already applied (review of the inputs, I7: the event was lost).
                    if id.split(separator: "-").count > 2, case .object(let entries) = value {
                        self.repeatedLineText = JSONValue.object([("id", .string(id))] + entries.filter { $0.key != "_error" }).serialized
                    }
                }
                return .success(DealUnit(dealID: r.dealID, events: [r.event], repeated: .skip))
            case .failure(let e): return .failure(e)
            }
        }
    }

    /// The default id of an events-file event: ``eventID(deal:line:)`` for the first line with
    /// this deal and content in the file, then `-2`, `-3`, … for the same line again (another
    /// event: set high, low, then high again), so that the file run again gives the same ids.
    /// The counts are kept by the id's 64 bits (8 bytes and a count per distinct line).
    private func nextEventID(deal: String, line: JSONValue) -> String {
        let id = BulkRun.eventID(deal: deal, line: line)
        let key = UInt64(id.dropFirst(3), radix: 16) ?? 0
        let seen = (eventLines[key] ?? 0) + 1
        eventLines[key] = seen
        return seen == 1 ? id : "\(id)-\(seen)"
    }

    /// The default id of an events-file event: `ev-` + 16 hex digits of a hash of its deal and content.
    /// A rejects file's `_error` is left out, so that a fixed line keeps its id.
    static func eventID(deal: String, line: JSONValue) -> String {
        var content = line
        if case .object(let entries) = line { content = .object(entries.filter { $0.key != "_error" }) }
        var bytes = Array(deal.utf8)
        bytes.append(0)
        bytes.append(contentsOf: content.serialized.utf8)
        return "ev-" + String(SHA256.hex(bytes).prefix(16))
    }

    /// Counts the records of a file (non-empty lines), for a progress indicator.
    public static func countLines(_ bytes: [UInt8]) -> Int {
        var counter = RecordCounter()
        counter.add(bytes)
        return counter.total
    }

    // MARK: Pieces

    /// - Parameter dealKey: the key that names a record's deal (`id` in a deals file, `deal` in an
    ///   events file): a record rejected before it is run holds its deal back when it names one.
    private func runLines(_ lines: inout RecordLines, dealKey: String, _ unit: (JSONValue) -> Result<DealUnit, HostError>)
        -> Result<[RejectedRecord], RecordFileProblem>
    {
        // A line that never ends (a stream of bytes with no line break) is read chunk by chunk
        // without being kept; an interrupt stops that too (QA round 14: it ran on).
        lines.isInterrupted = isInterrupted
        let recordsAtStart = report.records
        var done = 0
        var lastLine = 0
        while true {
            let next: RecordLines.Line?
            switch readNext({ try lines.next() }, afterLine: lastLine) {
            case .success(let read): next = read
            case .failure(let problem): return .failure(problem)
            }
            guard let line = next else { break }
            // A UTF-16 file: none of it is JSON Lines (its line feeds split its characters).
            if line.number == 1, lines.isUTF16 {
                return .failure(Self.notUTF8(line: 1, utf16: true))
            }
            lastLine = line.number
            var slice = line.bytes
            if line.length == slice.count, slice.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            report.records += 1
            var valid = String(validating: slice, as: UTF8.self)
            // A line a rejects file kept as text (it was no JSON object) runs as that line, and
            // is said again as it was (review of the inputs, I2: "unknown key `_text`").
            if line.length == slice.count, let kept = Self.keptText(slice) {
                slice = ArraySlice(Array(kept.utf8))
                valid = kept
            }
            let text = valid ?? String(decoding: slice, as: UTF8.self)
            if line.length > limits.maxLineBytes {
                let named = Self.dealID(written: slice, key: dealKey)
                reject(line.number, tooLarge(line.length, named: named != nil), text, isWhole: false)
                holdBack(named, line: line.number)
            } else {
                switch JSONValue.parse(Array(slice)) {
                case .failure where report.records == recordsAtStart + 1 && Self.isCSVHeader(slice, naming: dealKey):
                    // The file is CSV (named otherwise): none of it is JSON Lines, and its header
                    // is no record read. An events file has no CSV form to name.
                    report.records -= 1
                    let said = dealKey == "deal" ? HostMessages.Record.eventsAsCSV : HostMessages.Record.looksLikeCSV
                    return .failure(RecordFileProblem(line: line.number, error: RecordReader.fail(said, "the file", dealKey), isStoreFailure: false))
                case .failure(let e):
                    // A line that does not start as an object is no record at all: the parser's
                    // "expected `null`" (for a line starting with `n`) would say nothing useful.
                    let first = slice.first { $0 != 0x20 && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
                    let named = Self.dealID(written: slice, key: dealKey)
                    var error = first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
                        ? RecordReader.fail(HostMessages.Record.notJSON, "the line", e.description)
                        : RecordReader.fail(HostMessages.Record.notARecord, "the line")
                    // A byte-order mark inside the file, as joining two files leaves one (QA
                    // round 35, B5: "byte 0: expected a value").
                    if slice.drop(while: { $0 == 0x20 || $0 == 0x09 }).starts(with: [0xEF, 0xBB, 0xBF]) {
                        error = RecordReader.fail(HostMessages.Record.notJSON, "the line",
                                                  HostMessages.fill(HostMessages.Phrase.byteOrderMark, [CharacterNames.describe("\u{FEFF}")]))
                    }
                    // The deal it names, as written, so the author finds the record (QA round 19).
                    if let named, !named.isEmpty { error = error.within(HostMessages.Phrase.inRecord, Names.shown(named, max: 256)) }
                    reject(line.number, error, text, bytes: valid == nil ? Array(slice) : nil)
                    holdBack(named, line: line.number)
                case .success(let value) where { if case .object = value { false } else { true } }():
                    // JSON, but not an object (`[1,2]`, `42`, `"text"`): no record either; a
                    // record wrapped in a list still names its deal, which is held back.
                    reject(line.number, RecordReader.fail(HostMessages.Record.notARecord, "the line"), text)
                    holdBack(Self.dealID(written: slice, key: dealKey), line: line.number)
                case .success(let value):
                    repeatedLineText = nil
                    switch unit(value) {
                    case .failure(let e):
                        reject(line.number, e, text)
                        if case .object(let entries) = value, case .string(let id)? = entries.first(where: { $0.key == dealKey })?.value {
                            holdBack(id, line: line.number)
                        }
                    case .success(let u):
                        if let problem = run(u, line: line.number, text: repeatedLineText ?? text) { return .failure(problem) }
                    }
                }
            }
            done += 1
            onProgress?(done)
            if let problem = settleIfHoldingTooMany() { return .failure(problem) }
        }
        if let problem = settle() { return .failure(problem) }
        return .success(rejects.sorted { $0.line < $1.line })
    }

    /// The reader's next record. Should the file stop being readable, what was read is run and
    /// written, and the problem (FC1240, or the store's failure) stops the file; so does an
    /// interrupt (``isInterrupted``, FC1241).
    private func readNext<T>(_ read: () throws -> T?, afterLine line: Int) -> Result<T?, RecordFileProblem> {
        if isInterrupted() {
            if let problem = settle() { return .failure(problem) }
            return .failure(.interrupted(afterLine: line))
        }
        do { return .success(try read()) } catch {
            if let problem = settle() { return .failure(problem) }
            if isInterrupted() { return .failure(.interrupted(afterLine: line)) }
            return .failure(.unreadable(afterLine: line, error))
        }
    }

    /// FC1223 for a record of `length` bytes, over the line limit, whose first bytes (as many as
    /// the limit) are read for its deal's id; `named`: they gave it (and its later records are
    /// held back), or the record is none of a deal's (a CSV header).
    private func tooLarge(_ length: Int, named: Bool = true) -> HostError {
        let limit = HostMessages.fill(HostMessages.Phrase.bytes, [String(limits.maxLineBytes)])
        let error = HostError(HostMessages.recordTooLarge, HostMessages.fill(HostMessages.Phrase.bytes, [String(length)]), limit)
        return named ? error : error.within(HostMessages.Phrase.tooLargeUnnamed, "first " + limit)
    }

    private func reject(_ line: Int, _ error: HostError, _ text: String, isWhole: Bool = true, bytes: [UInt8]? = nil) {
        report.rejected += 1
        rejects.append(RejectedRecord(line: line, error: error, text: text, isWhole: isWhole, bytes: bytes))
        releaseRejects()
    }

    /// Hands the held rejects to ``onRejects`` when no staged unit is waiting to be written (one
    /// could still be refused, with a line before theirs).
    private func releaseRejects() {
        guard let onRejects, provisional.isEmpty, !rejects.isEmpty else { return }
        let released = rejects.sorted { $0.line < $1.line }
        rejects = []
        onRejects(released)
    }

    /// Writes the staged units early when too many rejects wait for them (with ``onRejects``).
    private func settleIfHoldingTooMany() -> RecordFileProblem? {
        guard onRejects != nil, rejects.count >= maxHeldRejects, !provisional.isEmpty else { return nil }
        return settle()
    }

    /// The text of a rejects-file line `{"_error": …, "_text": "…"}`, nil for any other line.
    static func keptText(_ line: ArraySlice<UInt8>) -> String? {
        guard line.starts(with: Array(#"{"_error":"#.utf8)),
              case .success(.object(let entries)) = JSONValue.parse(Array(line)), entries.count == 2,
              entries[0].key == "_error", entries[1].key == "_text", case .string(let kept) = entries[1].value else { return nil }
        return kept
    }

    /// Holds back the later records of a deal whose record was rejected before it could run (the
    /// first rejection is the one named).
    /// The id is the deal's as its records name it, without the blanks around it (review of the
    /// inputs, I1: `" H1 "` held back `" H1 "`, and the later records of `H1` ran).
    private func holdBack(_ written: String?, line: Int) {
        guard let written else { return }
        let dealID = RecordReader.person(written)
        guard !dealID.isEmpty, heldBack[dealID] == nil else { return }
        heldBack[dealID] = HostMessages.fill(HostMessages.Phrase.atLine, [String(line)])
    }

    /// Whether a line is a CSV header with a column `key` (cells separated by `,`, `;` or a tab,
    /// maybe quoted), and no JSON.
    static func isCSVHeader(_ line: ArraySlice<UInt8>, naming key: String) -> Bool {
        guard let text = String(validating: line, as: UTF8.self), !text.contains("{"), !text.contains("[") else { return false }
        let cells = text.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "\t" })
        return cells.count > 1 && cells.contains { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"\u{FEFF}\r")) == key }
    }

    /// The deal a line that is not JSON (or too long to read) names, found as written:
    /// `"KEY"`, optional blanks, `:`, optional blanks, then a JSON string (escapes read as JSON
    /// reads them). Nil when the line has no such text: such a line holds back nothing.
    static func dealID(written line: ArraySlice<UInt8>, key: String) -> String? {
        let quote: UInt8 = 0x22, colon: UInt8 = 0x3A, backslash: UInt8 = 0x5C
        let needle = [quote] + Array(key.utf8) + [quote]
        let bytes = Array(line)
        var i = 0
        func blanks() { while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 } }
        while i + needle.count <= bytes.count {
            guard bytes[i..<(i + needle.count)].elementsEqual(needle) else {
                i += 1
                continue
            }
            let after = i + needle.count
            i = after
            blanks()
            guard i < bytes.count, bytes[i] == colon else {
                i = after
                continue
            }
            i += 1
            blanks()
            guard i < bytes.count, bytes[i] == quote else { return nil }
            // The string's end: the next quote not escaped by a backslash.
            var end = i + 1
            while end < bytes.count, bytes[end] != quote {
                end += bytes[end] == backslash ? 2 : 1
            }
            guard end < bytes.count, case .success(.string(let id))? = Optional(JSONValue.parse(Array(bytes[i...end]))) else { return nil }
            return id
        }
        return nil
    }

    /// Runs one unit; flushes when the batch is full. Returns a problem that stops the run.
    private func run(_ unit: DealUnit, line: Int, text: String) -> RecordFileProblem? {
        if let first = heldBack[unit.dealID] {
            // Applied by an earlier run of the file: nothing to hold back.
            if (try? session.isAlreadyLogged(unit)) == true {
                report.unchanged += 1
                return nil
            }
            reject(line, HostError(HostMessages.heldBack, unit.dealID, first), text)
            return nil
        }
        let number = session.nextUnit
        switch session.run(unit) {
        case .success(let outcome):
            provisional[number] = (line, text, outcome)
            if outcome.created { createdUnwritten += 1 }
            largestHeld = max(largestHeld, provisional.count)
        case .failure(let failure) where failure.error.storeProblem != nil:
            // The store failed, not the record (QA round 41, A2: a damaged store made every
            // record "rejected", and the run went on to the end): the batch staged before is
            // written, and the run stops at this record, not run, as at a batch the store could
            // not write.
            if let problem = settle() { return problem }
            report.notWritten += 1
            return RecordFileProblem(line: line, error: failure.error, isStoreFailure: true)
        case .failure(let failure):
            reject(line, failure.error, text)
            heldBack[unit.dealID] = HostMessages.fill(HostMessages.Phrase.atLine, [String(line)])
        }
        // A batch of records, whether or not they staged anything: a re-run's records stage
        // nothing, and held until the end they kept every deal they read (QA round 19).
        return session.pendingCount >= service.batchSize || provisional.count >= service.batchSize ? settle() : nil
    }

    /// Writes the staged units and counts them; units the store refused become rejects.
    private func settle() -> RecordFileProblem? {
        let failures: [(unit: Int, error: HostError)]
        do {
            failures = try session.flush()
        } catch {
            // Nothing of the batch was written: its records were not run (as after an
            // interrupt), not rejected; the problem names the first, and a rerun applies them.
            let first = provisional.values.map(\.line).min() ?? 0
            report.notWritten += provisional.count
            // The records rejected after the batch's first were judged against its units, which
            // the store did not write (a customer's duplicate naming a deal it created): like
            // them, they were not run (QA round 35, B1: they were reported, kept in the rejects
            // file and counted as rejected, naming deals that do not exist).
            if !provisional.isEmpty {
                let unrun = rejects.filter { $0.line > first }.count
                rejects.removeAll { $0.line > first }
                report.rejected -= unrun
                report.notWritten += unrun
            }
            provisional = [:]
            createdUnwritten = 0
            releaseRejects()
            return RecordFileProblem(line: first, error: error, isStoreFailure: true)
        }
        for (unit, error) in failures {
            guard let p = provisional.removeValue(forKey: unit) else { continue }
            reject(p.line, error, p.text)
            if heldBack[p.outcome.dealID] == nil { heldBack[p.outcome.dealID] = HostMessages.fill(HostMessages.Phrase.atLine, [String(p.line)]) }
        }
        let clock = StoreTime(millisecondsSinceEpoch: service.clock() * 1000)
        for unit in provisional.keys.sorted() {
            guard let o = provisional[unit]?.outcome else { continue }
            if o.created { report.created += 1 } else if o.applied > 0 { report.advanced += 1 } else { report.unchanged += 1 }
            report.events += o.applied
            report.effects += o.effects.count
            for e in o.effects { report.effectsByKind[e.kind.rawValue, default: 0] += 1 }
            report.returnedUnwarned += DealService.returnsUnwarned(o)
            report.note(o.dealID, o.index, writtenAt: o.applied > 0 ? clock : nil)
        }
        provisional = [:]
        createdUnwritten = 0
        releaseRejects()
        return nil
    }
}

/// The rejects file of a run: the rejected records as written, each with its error, in a form
/// that can be fixed and run again.
///
/// - JSON Lines: each record's object with an `_error` key first (`{"line", "code", "message"}`);
///   the readers ignore `_error`. A line that was not a JSON object is kept as text under `_text`.
/// - CSV: the header with `_line,_code,_error` in front, then each row as written behind its
///   line, code and message; the CSV reader ignores those three columns. A row too large to
///   keep has its cells left empty (its message says so): its first bytes could leave a quote
///   open, which would swallow the rows after it.
public enum RejectsFile {
    public static func jsonLines(_ rejects: [RejectedRecord]) -> String {
        String(decoding: jsonLinesBytes(rejects), as: UTF8.self)
    }

    /// ``jsonLines(_:)`` as bytes: a record that is not UTF-8 keeps its bytes as written, the
    /// `_error` entry put in front of its own (an object's text is not parsed and written
    /// again, which would turn the bytes into U+FFFD and let the record through next time).
    public static func jsonLinesBytes(_ rejects: [RejectedRecord]) -> [UInt8] {
        var out: [UInt8] = []
        for r in rejects {
            let error = JSONValue.object([("line", .number(String(r.line))), ("code", .string(r.error.code)), ("message", .string(r.error.message))])
            if let raw = r.bytes {
                out += Array("{\"_error\":".utf8) + Array(error.serialized.utf8)
                if let entries = entries(ofObject: raw) {
                    if entries.first(where: { $0 != 0x20 && $0 != 0x09 }) != 0x7D { out.append(0x2C) }
                    out += entries
                } else {
                    out += Array(",\"_text\":".utf8) + StoreJSON.quoted(bytes: raw) + [0x7D]
                }
                out.append(0x0A)
                continue
            }
            var entries: [(key: String, value: JSONValue)] = [("_error", error)]
            if case .success(.object(let original)) = JSONValue.parse(Array(r.text.utf8)) {
                entries += original.filter { $0.key != "_error" }
            } else {
                entries.append(("_text", .string(r.text)))
            }
            out += Array((JSONValue.object(entries).serialized + "\n").utf8)
        }
        return out
    }

    /// The text of an object's line after its `{`, past an `_error` entry that leads it (a
    /// rejects file run again); nil when the line does not start with `{`.
    static func entries(ofObject raw: [UInt8]) -> ArraySlice<UInt8>? {
        var i = 0
        func skipSpace() { while i < raw.count, raw[i] == 0x20 || raw[i] == 0x09 { i += 1 } }
        skipSpace()
        guard i < raw.count, raw[i] == 0x7B else { return nil }
        i += 1
        let entries = raw[i...]
        skipSpace()
        let key = Array("\"_error\"".utf8)
        guard raw[i...].starts(with: key) else { return entries }
        i += key.count
        skipSpace()
        guard i < raw.count, raw[i] == 0x3A else { return entries }
        i += 1
        skipSpace()
        guard i < raw.count, raw[i] == 0x7B else { return entries }
        // The `_error` object, to its closing brace (braces in strings do not count).
        var depth = 0
        var inString = false
        while i < raw.count {
            let b = raw[i]
            i += 1
            if inString {
                if b == 0x5C { i += 1 } else if b == 0x22 { inString = false }
            } else if b == 0x22 {
                inString = true
            } else if b == 0x7B {
                depth += 1
            } else if b == 0x7D {
                depth -= 1
                if depth == 0 { break }
            }
        }
        guard depth == 0 else { return entries }
        skipSpace()
        if i < raw.count, raw[i] == 0x2C { i += 1 }
        return raw[min(i, raw.count)...]
    }

    public static func csv(header: String, _ rejects: [RejectedRecord]) -> String {
        csvRows(header: header, rejects, withHeader: true)
    }

    /// The rows of ``csv(header:_:)``, after its header line when `withHeader` (a rejects file
    /// written a part at a time has it once).
    public static func csvRows(header: String, _ rejects: [RejectedRecord], withHeader: Bool) -> String {
        // A rejects file run again: its own `_line,_code,_error` columns are replaced.
        let cells = CSVReader.rows(header).rows.first?.cells ?? []
        let again = cells.first == "_line"
        var out = withHeader ? "_line,_code,_error," + (again ? dropThree(header) : header) + "\n" : ""
        for r in rejects {
            guard r.isWhole else {
                // The row's cells, empty: as many as the header's.
                let message = HostMessages.fill(HostMessages.Phrase.rowNotKept, [r.error.message, String(r.line)])
                let empty = String(repeating: ",", count: max(0, cells.count - (again ? 3 : 0) - 1))
                out += "\(r.line),\(r.error.code),\(CSVReader.quote(message)),\(empty)\n"
                continue
            }
            out += "\(r.line),\(r.error.code),\(CSVReader.quote(r.error.message)),\(again ? dropThree(r.text) : r.text)\n"
        }
        return out
    }

    /// A row without its first three cells (re-quoted: the text cannot be cut inside quotes).
    /// A row that cannot be framed (its quote left open: the rest of the file) loses them as
    /// written, the rest kept as it is: flowc wrote those three, closed (review of the inputs,
    /// I2: they were kept, and each pass put three more in front).
    static func dropThree(_ text: String) -> String {
        if let row = CSVReader.rows(text).rows.first, row.cells.count >= 3 {
            return row.cells.dropFirst(3).map(CSVReader.quote).joined(separator: ",")
        }
        var quoted = false, commas = 0
        for i in text.unicodeScalars.indices {
            switch text.unicodeScalars[i] {
            case "\"": quoted.toggle()
            case "," where !quoted:
                commas += 1
                if commas == 3 { return String(text.unicodeScalars[text.unicodeScalars.index(after: i)...]) }
            default: break
            }
        }
        return text
    }
}

extension JSONValue {
    /// Compact JSON text: keys in order, numbers as written, strings escaped.
    public var serialized: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s): return StoreJSON.quoted(s)
        case .array(let items): return "[" + items.map(\.serialized).joined(separator: ",") + "]"
        case .object(let entries): return "{" + entries.map { StoreJSON.quoted($0.key) + ":" + $0.value.serialized }.joined(separator: ",") + "}"
        }
    }
}
