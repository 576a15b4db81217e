import FlowCheck
import FlowHost
import FlowIR
import FlowRuntime
import FlowStore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The standard-sale template's machine, compiled once at start-up as `flowc compile` does it
/// (check, compile, canonical JSON), loaded back as a host loads a machine file, and registered.
/// The template is found from this file's place in the repository.
nonisolated(unsafe) let standardSale: (registry: MachineRegistry, machine: PreparedMachine) = {
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    let path = repo.appendingPathComponent("templates/standard-sale.flow.yaml").path
    let checked = TemplateChecker.check(path: path)
    guard !checked.hasErrors, let machine = try? IRCompiler.compile(checked),
          let verified = try? IRLoader.load(IRCompiler.canonicalJSON(machine))
    else { violated("cannot compile \(path): \(checked.diagnostics)") }
    // One registry for every input (a fuzzer runs inputs one at a time): registering writes the
    // machine's IR to the archive and prepares it, which would otherwise take most of each
    // input's time.
    let registry = MachineRegistry(archive: InMemoryMachineArchive())
    do { return (registry, try registry.register(verified)) } catch { violated("cannot register the machine: \(error)") }
}()

/// The examples' deals file (`examples/standard-sale.deals.jsonl`), run before an events file
/// (bit 6 of the first byte) so that its events meet deals that exist.
let exampleDeals: [UInt8] = {
    let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    let path = repo.appendingPathComponent("examples/standard-sale.deals.jsonl").path
    guard let data = FileManager.default.contents(atPath: path) else { violated("cannot read \(path)") }
    return [UInt8](data)
}()

/// LeakSanitizer's suppressions: the machine above lives for the whole process, but LSan loses
/// track of objects reached only through Swift enum payloads (pointers with tag bits), and
/// would report them at exit. Leaks from the inputs themselves are still reported.
@_cdecl("__lsan_default_suppressions")
public func lsanSuppressions() -> UnsafePointer<CChar> {
    UnsafeRawPointer(lsanSuppressionText.utf8Start).assumingMemoryBound(to: CChar.self)
}

let lsanSuppressionText: StaticString = "leak:standardSale\n"

/// A scratch file for the chunked readers, one per process (libFuzzer's workers are processes).
let scratch: Int32 = {
    let path = "/tmp/flowc-fuzz-records-\(getpid())"
    let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
    if fd < 0 { violated("cannot open \(path)") }
    unlink(path)
    return fd
}()

/// Chunk sizes for the file readers: tiny ones cut lines, CRLFs, quotes and byte-order marks.
let chunkSizes = [1, 2, 3, 4, 7, 16, 64, 4096]

/// libFuzzer entry point. The first byte chooses how the rest, a deals file, is read:
/// - bit 0: JSON Lines (0) or CSV (1);
/// - bits 1–3: the chunk size of the file readers (``chunkSizes``);
/// - bit 4: a small line limit (24 bytes), to reach the over-long line paths;
/// - bit 5: run the file (below); without it, only read its records, much faster;
/// - bit 6 (with bit 5): run the examples' deals file first, then the bytes as an events file
///   only (bit 0 is then ignored), so that events meet deals that exist.
///
/// With bit 5, the file runs through ``BulkRun`` over an in-memory store with the standard-sale
/// machine (the path of `flowc run --deals`; a JSON Lines file is then also run as an events
/// file). Every
/// rejected record and every problem that stops the file must name a line of the file. The
/// file readers (``RecordLines``, ``CSVRows``) read from a file a few bytes at a time must give
/// what they give for the bytes in memory; for CSV, also what ``CSVReader/rows(_:)`` gives for
/// the whole text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRecords(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let control = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let csv = control & 1 == 1
    let chunk = chunkSizes[Int(control >> 1) & 7]
    let limits = RecordLimits(maxLineBytes: control & 0x10 != 0 ? 24 : RecordLimits.default.maxLineBytes, maxEventsPerRecord: 20)
    let lines = lineCount(bytes)

    if csv {
        compareCSVRows(bytes, chunk: chunk, maxRowBytes: limits.maxLineBytes)
    } else {
        compareLines(bytes, chunk: chunk, maxLineBytes: limits.maxLineBytes)
    }

    guard control & 0x20 != 0 else {
        readRecords(bytes, csv: csv, limits: limits)
        return 0
    }
    let service = DealService(store: InMemoryStore(), machines: standardSale.registry, clock: { 1_735_603_200 }, batchSize: 7)
    let run = BulkRun(service: service, machine: standardSale.machine, limits: limits)
    if control & 0x40 != 0 {
        // An events file against deals that exist: the examples' deals first (D-1001 to D-1006,
        // as `flowc run --deals … --events …` runs them), then the bytes as the events file.
        guard case .success = run.runDeals(exampleDeals, format: .jsonLines) else { violated("the examples' deals file does not run") }
        let before = run.report
        let events = run.runEvents(bytes)
        checkOutcome(events, lines: lines, what: "events")
        checkAccounting(run.report, since: before, events, what: "events")
        return 0
    }
    var before = run.report
    let deals = run.runDeals(bytes, format: csv ? .csv : .jsonLines)
    checkOutcome(deals, lines: lines, what: "deals")
    checkAccounting(run.report, since: before, deals, what: "deals")
    if !csv {
        before = run.report
        let events = run.runEvents(bytes)
        checkOutcome(events, lines: lines, what: "events")
        checkAccounting(run.report, since: before, events, what: "events")
    }
    return 0
}

/// No record is dropped silently: after a file that ran to its end, every record read (a
/// non-blank line or row) was created, advanced, unchanged or rejected, and the rejects handed
/// back are the ones counted.
func checkAccounting(_ r: BulkReport, since b: BulkReport, _ outcome: Result<[RejectedRecord], RecordFileProblem>, what: String) {
    guard case .success(let rejects) = outcome else { return }
    let records = r.records - b.records
    let (created, advanced, unchanged, rejected) = (r.created - b.created, r.advanced - b.advanced, r.unchanged - b.unchanged, r.rejected - b.rejected)
    if records != created + advanced + unchanged + rejected || r.notWritten != b.notWritten {
        violated("\(what): \(records) records read, but \(created) created + \(advanced) advanced + \(unchanged) unchanged + \(rejected) rejected (\(r.notWritten - b.notWritten) not written)")
    }
    if rejects.count != rejected { violated("\(what): \(rejected) rejected, \(rejects.count) rejects handed back") }
}

/// The readers without the run (much faster: no store, no runner): each line of a JSON Lines
/// file read as a deal record and as an event record; each row of a CSV file under its header.
func readRecords(_ bytes: [UInt8], csv: Bool, limits: RecordLimits) {
    if csv {
        var rows = CSVRows(bytes: bytes, maxRowBytes: limits.maxLineBytes)
        var columns: CSVDeals?
        while let row = try? rows.next() {
            guard case .row(let r) = row else { continue }
            guard let header = columns else {
                columns = try? CSVDeals(header: r.cells, machine: standardSale.machine.machine)
                if columns == nil { return }
                continue
            }
            _ = header.dealID(r)
            if case .failure(let e) = header.record(r) { checkError(e, "csv row") }
        }
        return
    }
    var lines = RecordLines(bytes: bytes)
    while let line = try? lines.next() {
        guard case .success(let value) = JSONValue.parse(Array(line.bytes)) else { continue }
        if case .failure(let e) = RecordReader.dealRecord(value, limits: limits) { checkError(e, "deal record") }
        if case .failure(let e) = RecordReader.eventRecord(value) { checkError(e, "event record") }
    }
}

/// The lines of a file as an editor counts them: a last line without LF counts.
func lineCount(_ bytes: [UInt8]) -> Int {
    let feeds = bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    return feeds + (bytes.last.map { $0 == 0x0A ? 0 : 1 } ?? 0)
}

/// Every rejected record and a problem that stops the file name a line of the file, with a code
/// and a message.
func checkOutcome(_ outcome: Result<[RejectedRecord], RecordFileProblem>, lines: Int, what: String) {
    switch outcome {
    case .success(let rejects):
        for r in rejects {
            if r.line < 1 || r.line > lines { violated("\(what): reject at line \(r.line) of \(lines): \(r.error)") }
            checkError(r.error, what)
        }
    case .failure(let p):
        if p.isStoreFailure { violated("\(what): the in-memory store failed: \(p.error)") }
        if p.line < 1 || p.line > max(lines, 1) { violated("\(what): problem at line \(p.line) of \(lines): \(p.error)") }
        checkError(p.error, what)
    }
}

func checkError(_ e: HostError, _ what: String) {
    if !e.code.hasPrefix("FC1") || e.code.count != 6 { violated("\(what): code \(e.code)") }
    if e.message.isEmpty { violated("\(what): \(e.code) without a message") }
}

/// Writes `bytes` to the scratch file and gives a handle reading it from its start.
func scratchFile(_ bytes: [UInt8]) -> FileHandle {
    if ftruncate(scratch, 0) != 0 { violated("ftruncate") }
    let written = bytes.withUnsafeBufferPointer { pwrite(scratch, $0.baseAddress, $0.count, 0) }
    if written != bytes.count { violated("pwrite") }
    lseek(scratch, 0, SEEK_SET)
    return FileHandle(fileDescriptor: scratch, closeOnDealloc: false)
}

/// ``RecordLines`` from a file, `chunk` bytes at a time with a line limit, against the lines of
/// the bytes in memory: same numbers, lengths and (kept) bytes.
func compareLines(_ bytes: [UInt8], chunk: Int, maxLineBytes: Int) {
    var memory = RecordLines(bytes: bytes)
    var file = RecordLines(file: scratchFile(bytes), maxLineBytes: maxLineBytes, chunkBytes: chunk)
    let lines = lineCount(bytes)
    while true {
        let m: RecordLines.Line?, f: RecordLines.Line?
        do { (m, f) = (try memory.next(), try file.next()) } catch { violated("lines: read failed: \(error)") }
        guard let m else {
            if let f { violated("lines: file has line \(f.number) after the last line in memory") }
            return
        }
        guard let f else { violated("lines: file ends before line \(m.number)") }
        if m.number < 1 || m.number > lines { violated("lines: line \(m.number) of \(lines)") }
        if f.number != m.number || f.length != m.length || !f.bytes.elementsEqual(m.bytes.prefix(maxLineBytes)) {
            violated("lines: line \(m.number) (chunk \(chunk)): memory \(m.length) \(Array(m.bytes)), file \(f.number) \(f.length) \(Array(f.bytes))")
        }
    }
}

/// A row as text, to compare rows from the two inputs.
func describe(_ row: CSVRows.Row) -> String {
    switch row {
    case .row(let r): "row \(r.line) \(r.cells.debugDescription) \(r.text.debugDescription) \(String(describing: r.problem))"
    case .unclosed(let line, let error, let text): "unclosed \(line) \(error.code) \(String(describing: text).debugDescription)"
    case .tooLarge(let line, let length, let head): "tooLarge \(line) \(length) \(head.debugDescription)"
    }
}

/// ``CSVRows`` from a file, `chunk` bytes at a time, against the rows of the bytes in memory;
/// without a row limit, against ``CSVReader/rows(_:)`` of the whole text too.
func compareCSVRows(_ bytes: [UInt8], chunk: Int, maxRowBytes: Int) {
    let lines = lineCount(bytes)
    var memory = CSVRows(bytes: bytes, maxRowBytes: maxRowBytes)
    var file = CSVRows(file: scratchFile(bytes), maxRowBytes: maxRowBytes, chunkBytes: chunk)
    var fromMemory: [CSVRows.Row] = []
    while true {
        let m: CSVRows.Row?, f: CSVRows.Row?
        do { (m, f) = (try memory.next(), try file.next()) } catch { violated("csv: read failed: \(error)") }
        let (dm, df) = (m.map(describe) ?? "end", f.map(describe) ?? "end")
        // A row over the limit is kept in memory but dropped from a file: the unclosed quote's
        // text is then nil from the file only.
        if dm != df, !(isUnclosed(m) && isUnclosed(f) && maxRowBytes < bytes.count) {
            violated("csv rows (chunk \(chunk), limit \(maxRowBytes)): memory \(dm), file \(df)")
        }
        guard let m else { break }
        fromMemory.append(m)
        let line: Int
        switch m {
        case .row(let r): line = r.line
        case .unclosed(let l, _, _): line = l
        case .tooLarge(let l, _, _): line = l
        }
        if line < 1 || line > lines { violated("csv: row at line \(line) of \(lines): \(dm)") }
    }
    guard maxRowBytes == RecordLimits.default.maxLineBytes, maxRowBytes >= bytes.count,
          let text = String(validating: bytes, as: UTF8.self) else { return }
    let whole = CSVReader.rows(text)
    var expected = whole.rows.map { describe(.row($0)) }
    if let (line, error) = whole.error { expected.append("unclosed \(line) \(error.code)") }
    let got = fromMemory.map { row -> String in
        if case .unclosed(let line, let error, _) = row { return "unclosed \(line) \(error.code)" }
        return describe(row)
    }
    if got != expected { violated("csv: rows one at a time \(got), whole text \(expected)") }
}

func isUnclosed(_ row: CSVRows.Row?) -> Bool {
    if case .unclosed? = row { true } else { false }
}

/// Stops the run with a message: libFuzzer records the input that broke an invariant.
func violated(_ what: String) -> Never {
    let line = Array("invariant violated: \(what)\n".utf8)
    _ = line.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
    abort()
}
