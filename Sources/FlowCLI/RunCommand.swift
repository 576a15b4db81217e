import ArgumentParser
import FlowDiagnostics
import FlowHost
import FlowIR
import FlowRuntime
import Foundation

/// `flowc run TEMPLATE --deals FILE [--events FILE]`: bulk creation and advancing of deals.
struct RunCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run deal records through a template: create deals in bulk and advance them.",
        discussion: """
            The deals file holds one deal per record: JSON Lines (one object per line: `id`, `at`, \
            `owner`, `by`, `fields`, `roles`, and `events` in the scenario-step form such as \
            {"at": "+1d", "by": "mia", "complete": "negotiation_review", "outcome": "approve"}) \
            or CSV (a header of `id`, `owner`, `by`, `at`, field ids and `role:ROLE` columns; \
            one deal per row). The events file holds one event per line with a `deal` key. \
            examples/README.md describes the formats.

            A record is applied all or nothing. A record that fails is reported on stderr as \
            `FILE:LINE: error[CODE]: message` and written, with its error, to the rejects file \
            (`--rejects`; by default beside the input, `NAME.rejects.jsonl` or `.csv`, or in the \
            current directory for a pipe such as /dev/stdin), which can be fixed and run again; \
            the other records proceed. Every record is idempotent: events already in a deal's \
            log (same ids) are skipped, so a file can be run again. A record rejected before \
            is tried again as the store is now, with the times it gives: run again later, a \
            record refused as a duplicate of a deal since closed creates its deal, dated then. \
            Deals created on an older version of the template than other open deals run on \
            are said in a note (`flowc migrate` moves them), and so are deals written with a \
            timer already due by the clock (dated earlier: the next `flowc tick` fires them; \
            `timers_due` in the JSON summary). \
            A summary follows on stdout; when stderr is a terminal (and TERM is not `dumb`), a \
            progress line is shown there.

            A store that fails partway (a full disk, a lock held too long) stops the run at the \
            batch it could not write: the records before it are applied, those rejected before \
            it are in the rejects file, and the rest are not run (the summary's `stopped:` line \
            names the first); run the file again once the store works.

            Exit codes: 0 every record applied (or already applied); 1 some records were \
            rejected, or the template has errors; 2 usage error, an unreadable file, a store \
            that cannot be opened or written, or a rejects file that cannot be written (its \
            directory is checked before any record runs) or that is another file of the run; \
            75 the store was busy (another writer held it past --lock-timeout; the batches \
            written before are kept: run the file again); 130 stopped by Ctrl-C or TERM, after writing what was read (run the file again to \
            go on).
            """
    )

    @Argument(help: "The template (a .flow.yaml file, or a compiled IR .json) new deals are created on.")
    var template: String

    @Option(name: .long, help: ArgumentHelp("The deals file: JSON Lines, or CSV (`-`: standard input).", valueName: "file"))
    var deals: String?

    @Option(name: .long, help: ArgumentHelp("An events file (JSON Lines), applied after the deals file (`-`: standard input).", valueName: "file"))
    var events: String?

    @Option(name: .long, help: "The deals file's format: jsonl or csv (default: from its extension); the summary as JSON is --json.",
            transform: RecordFormatArgument.read)
    var format: RecordFormatArgument?

    @Option(name: .long, help: ArgumentHelp("Where to write the rejected deal records (default: beside the deals file).", valueName: "path"))
    var rejects: String?

    @Option(name: .long, help: ArgumentHelp("Where to write the rejected events (default: beside the events file).", valueName: "path"))
    var eventsRejects: String?

    @Option(name: .long, help: "Records per store transaction, from 1 to 10000: a batch is held in memory (some 45 KB a record) until it is written.")
    var batchSize = 500

    /// The largest `--batch-size`: a run's memory does not grow with the file only while batches
    /// stay small (QA round 35: `--batch-size 100000000` held 907 MB for 20,000 records). Pages
    /// of 2,500 and more were slower in the benchmarks already.
    static let maxBatchSize = 10_000

    @Flag(name: .long, help: "The records are a book their owners already hold (an import from another system): the claim quota (FC1151) refuses none of them. Later claims and assignments count these deals as usual. Logged with each event.")
    var waiveQuota = false

    @Flag(name: .long, help: "Print the summary as one JSON object.")
    var json = false

    @Flag(name: [.short, .long], help: "Do not print each rejected record on standard error (the rejects file holds every one, with its error); the summary, the notes and what stops the run are still printed.")
    var quiet = false

    @OptionGroup var store: StoreOptions

    mutating func validate() throws {
        if deals == nil && events == nil { throw ValidationError("give a deals file (--deals) or an events file (--events), or both") }
        if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        if batchSize > Self.maxBatchSize { throw ValidationError("--batch-size must be at most \(Self.maxBatchSize): a batch is held in memory until it is written") }
        // `-` is standard input, as everywhere (CLI review, C19: "cannot read `-`").
        if deals == "-" && events == "-" { throw ValidationError("--deals - and --events - both name standard input: give one of them as a file") }
        if deals == "-" { deals = "/dev/stdin" }
        if events == "-" { events = "/dev/stdin" }
    }

    /// The rejects file of each input: `--rejects` / `--events-rejects`, else beside the input.
    func rejectsPaths(_ context: CLIContext) -> (deals: String?, events: String?) {
        (deals.map { rejects ?? Self.rejectsPath($0, csv: isCSV($0), in: context.currentDirectory) },
         events.map { eventsRejects ?? Self.rejectsPath($0, csv: false, in: context.currentDirectory) })
    }

    /// Why the rejects files cannot be written where they would go, if they cannot: a rejects
    /// file that is an input, the template, the store or one of its own files (compared as
    /// files: device and inode, or for a file not there yet its absolute standardized path), or
    /// the other input's.
    func rejectsProblem(_ paths: (deals: String?, events: String?), _ context: CLIContext) -> String? {
        let storePath = store.path(context)
        // The store's own files too: SQLite's companions (removing or replacing one loses
        // committed events) and the machine archive (a replaced machine leaves its deals unreadable).
        var others: [(what: String, path: String)] = [("template", template), ("store", storePath)]
        if let deals { others.insert(("deals file", deals), at: 0) }
        if let events { others.insert(("events file", events), at: deals == nil ? 0 : 1) }
        // A store reached through a symbolic link keeps its log beside the file the link names
        // (SQLite follows it): those names are the store's too.
        let realStore = StorePath.canonical(storePath)
        for base in realStore == storePath ? [storePath] : [storePath, realStore] {
            others += [("store's write-ahead log", base + "-wal"), ("store's shared-memory file", base + "-shm"),
                       ("store's rollback journal", base + "-journal")]
        }
        let archives = Set([Self.resolved(storePath + ".machines"), Self.resolved(realStore + ".machines")])
        for output in [paths.deals, paths.events].compactMap({ $0 }) {
            // Found out only at the first reject, after the records before it were stored.
            if output.isEmpty { return "the rejects file's path is empty: name a file (or /dev/null) with --rejects or --events-rejects" }
            let id = FileIdentity(output)
            if let other = others.first(where: { FileIdentity($0.path) == id }) {
                return "the rejects file `\(output)` is the \(other.what) `\(other.path)`: give --rejects or --events-rejects another path"
            }
            let resolved = Self.resolved(output)
            if archives.contains(where: { resolved.hasPrefix($0 + "/") }) {
                return "the rejects file `\(output)` is in the store's machine archive `\(storePath).machines`: give --rejects or --events-rejects another path"
            }
        }
        // Two runs' rejects may both go to `/dev/null`: a device is written into, not replaced.
        if let d = paths.deals, let e = paths.events, FileIdentity(d) == FileIdentity(e), !OutputFile.isSpecial(d) {
            return "the rejects files of the deals and of the events are the same file `\(e)`: give --events-rejects another path"
        }
        return nil
    }

    /// A path made absolute, with `.`, `..` and links resolved as far as it exists.
    static func resolved(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// Whether a deals file is read as CSV (`--format`, or its name).
    func isCSV(_ path: String) -> Bool {
        (format?.value ?? RecordFormat.guess(path: path)) == .csv
    }

    /// The default rejects file: `x.deals.jsonl` → `x.deals.rejects.jsonl`, `x.csv` →
    /// `x.rejects.csv`, beside the input; `.csv` whenever the input is read as CSV. An input that
    /// is not a regular file (a pipe, `/dev/stdin`) has no place beside it to write to: its
    /// rejects go to `directory`, under its name (`stdin.rejects.jsonl`); so do those of an
    /// input in a directory that cannot be written (a shared, read-only folder of exports).
    static func rejectsPath(_ input: String, csv: Bool, in directory: String,
                            isWritable: (String) -> Bool = { access($0, W_OK) == 0 }) -> String {
        var base = input
        let inputDirectory = PathText.directory(of: input)
        if (FileManager.default.fileExists(atPath: input) && !RecordSource.isRegular(input))
            || !isWritable(inputDirectory.isEmpty ? "." : inputDirectory)
        {
            base = (directory as NSString).appendingPathComponent((input as NSString).lastPathComponent)
        }
        let lower = base.lowercased()
        if let ext = [".jsonl", ".ndjson", ".json", ".csv"].first(where: { lower.hasSuffix($0) }) { base = String(base.dropLast(ext.count)) }
        return base + ".rejects" + (csv ? ".csv" : ".jsonl")
    }

    @OptionGroup var colors: ColorOptions

    func execute(_ context: CLIContext) -> Int32 {
        colors.apply(to: context)
        let started = Date()
        // Before anything is read or written: a rejects file must not replace another file of the run.
        let rejectsFiles = rejectsPaths(context)
        if let problem = rejectsProblem(rejectsFiles, context) {
            context.writeError("error: \(problem)\n")
            return ExitCode.usage
        }
        for path in [rejectsFiles.deals, rejectsFiles.events].compactMap({ $0 }) {
            if let reason = RejectsWriter.unwritable(path) {
                context.writeError(FileError.cannotWrite(path, reason + " (the rejects file)", option: "--rejects"))
                return ExitCode.usage
            }
        }
        let verified: VerifiedMachine
        var sources: [String] = []
        switch HostTemplates.load(template, context, files: { sources = $0 }) {
        case .success(let m): verified = m
        case .failure(let status): return status.code
        }
        // A file the template includes or extends, as the template itself (QA round 35, B3: a
        // shared fragment was overwritten with rejected records).
        for output in [rejectsFiles.deals, rejectsFiles.events].compactMap({ $0 }) {
            let id = FileIdentity(output)
            if let source = sources.first(where: { FileIdentity($0) == id }) {
                context.writeError("error: the rejects file `\(output)` is `\(source)`, a file the template reads: give --rejects or --events-rejects another path\n")
                return ExitCode.usage
            }
        }
        // Files are read a chunk at a time as they run (a run holds a batch of records, not the
        // file); a CSV file that is not a regular file (a pipe) is copied to a temporary file
        // first, since it is read twice (checked to be UTF-8 first).
        var inputs: [(path: String, source: RecordSource, isEvents: Bool)] = []
        for (path, isEvents) in [(deals, false), (events, true)] {
            guard let path else { continue }
            let csv = !isEvents && isCSV(path)
            // The copy of a CSV pipe goes to `TMPDIR` as the command sees it.
            let temporary = context.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? NSTemporaryDirectory()
            guard let source = RecordSource(path: path, spooled: csv, temporaryDirectory: temporary) else {
                context.writeError(FileError.cannotRead(path, RecordSource.whyUnreadable(path, temporaryDirectory: temporary), option: isEvents ? "--events" : "--deals"))
                return ExitCode.usage
            }
            inputs.append((path, source, isEvents))
        }
        let lockWait = LockWait()
        guard let service = store.open(context, creating: true, writing: true, lockWait: lockWait) else { return ExitCode.usage }
        service.batchSize = batchSize
        service.quotaWaived = waiveQuota
        let machine: PreparedMachine
        do { machine = try service.machines.register(verified) } catch {
            return HostOutput.fail(error, context)
        }
        let run = BulkRun(service: service, machine: machine)
        // Ctrl-C or TERM: the run stops at the next record, writes what it has and says so.
        let interrupts = Interrupts.install()
        defer { interrupts.remove() }
        run.isInterrupted = { interrupts.isRaised }
        var rejected = 0
        // A store failure, a file that could not be read to its end, or a rejects file that
        // could not be written: the run stops, with exit code 2.
        var stopped = false
        var rejectFiles: [String] = []
        // Files not run at all, and files whose run stopped: the summary says so.
        var notRun: [RunSummary.FileProblem] = []
        var stoppedFiles: [RunSummary.FileProblem] = []
        for input in inputs {
            let csv = !input.isEvents && isCSV(input.path)
            let total = context.showsProgress ? input.source.records(csv: csv, maxRowBytes: run.limits.maxLineBytes) : nil
            let progress = RunProgress(context: context, path: input.path, total: total)
            run.onProgress = { [unowned run] in progress.update($0, run: run) }
            let explicit = input.isEvents ? eventsRejects : rejects
            guard let path = input.isEvents ? rejectsFiles.events : rejectsFiles.deals else { continue }
            // Rejected records are reported and written as the run goes, in line order, so that
            // a large file whose records are mostly rejected does not pile them up in memory.
            let writer = RejectsWriter(path: path)
            run.onRejects = { [unowned run] list in
                progress.interrupt()
                // One piece per record, written in one go: a disk that fills up partway keeps
                // the records written whole and names the first that was not (QA round 43, F3:
                // a batch's rejects were one write, all lost, and no line was named).
                let pieces = list.enumerated().map { i, r in
                    csv ? Array(RejectsFile.csvRows(header: run.csvHeader ?? "", [r], withHeader: writer.isEmpty && i == 0).utf8)
                        : RejectsFile.jsonLinesBytes([r])
                }
                let unwritten = writer.append(pieces: pieces)
                if let unwritten, writer.failedAtLine == nil { writer.failedAtLine = list[unwritten].line }
                // Quiet leaves them to the rejects file, unless it could not be written: then the
                // records from the first not written on are said after all (QA round 30, N6: with
                // `-q` they were in neither).
                for (i, r) in list.enumerated() where !quiet || (unwritten.map { i >= $0 } ?? false) {
                    context.writeError("\(input.path):\(r.line): \(r.error.description)\n")
                }
            }
            let rejectedBefore = run.report.rejected
            let recordsBefore = run.report.records
            let result: Result<[RejectedRecord], RecordFileProblem>
            if csv {
                // UTF-16 text that starts with ASCII passes for UTF-8 (zero bytes are valid
                // UTF-8): refused as UTF-16 at its first line.
                let utf16 = input.source.startsAsUTF16()
                switch utf16 ? .success(1) : input.source.firstNonUTF8Line() {
                case .success(nil):
                    var rows = CSVRows(file: input.source.handle, maxRowBytes: run.limits.maxLineBytes)
                    result = run.runDeals(csv: &rows)
                case .success(let line?): result = .failure(BulkRun.notUTF8(line: line, utf16: utf16))
                case .failure(let problem): result = .failure(problem)
                }
            } else {
                var lines = RecordLines(file: input.source.handle, maxLineBytes: run.limits.maxLineBytes)
                result = input.isEvents ? run.runEvents(lines: &lines) : run.runDeals(lines: &lines)
            }
            run.onRejects = nil
            input.source.close()
            progress.finish()
            if case .failure(let problem) = result {
                context.writeError(problem.error, place: "\(input.path):\(problem.line)")
                let told = RunSummary.FileProblem(input: input.path, line: problem.line, code: problem.error.code, message: problem.error.message)
                if problem.isStoreFailure || problem.isReadFailure {
                    stoppedFiles.append(told)
                    stopped = true
                    // A file the store failed on, or that could not be read to its end, keeps
                    // the rejects of the records before: "rejected" counts the records in the
                    // rejects file, and the records of the batch the store did not write are
                    // not run (the rerun applies them).
                } else {
                    // The file could not be run at all (a CSV header naming an unknown column).
                    notRun.append(told)
                    rejected += 1
                    writer.discard()
                    continue
                }
            }
            rejected += run.report.rejected - rejectedBefore
            if run.report.records == recordsBefore, case .success = result {
                // Said, so that an export that came out empty is not taken for a run that did
                // its work (QA round 12: exit 0 and "0 read" only).
                context.writeError("note: \(input.path) holds no records\(csv ? " (empty, or a header only)" : " (empty, or blank lines only)")\n")
            }
            // A run that stopped before the end of its input (interrupted, a read or store failure)
            // leaves a rejects file of an earlier run as it was: its records were not all run
            // again (review of the inputs, I10: an interrupt removed it, or put the few rejects
            // read so far in its place).
            let complete: Bool = if case .success = result, !interrupts.isRaised { true } else { false }
            if writer.isEmpty && !writer.hasFailed {
                writer.discard()
                if explicit == nil && complete { Self.removeStaleRejects(path) }
            } else if !complete, Self.isRejectsFile(path) {
                // Quiet, the records rejected so far were not printed either (QA round 31, P3).
                let unsaid = quiet && !writer.isEmpty ? " (the records it rejected so far were neither printed, -q, nor kept: running it again says them)" : ""
                writer.discard()
                context.writeError("note: the run of \(input.path) stopped before its end, so the rejects file \(path) of the run before is left as it was\(unsaid); run \(input.path) again to finish it\n")
            } else {
                do {
                    try writer.commit()
                    rejectFiles.append(path)
                } catch {
                    // What the file holds, and where the rest went (QA round 41, A6).
                    let rest = writer.keptBeforeFailure
                        ? "; it holds the records rejected before line \(writer.failedAtLine.map(String.init) ?? "?"), and those from that line on were printed on standard error"
                        : "; the records it rejected were printed on standard error"
                    let reason = OutputFile.reason(error, path: path) + " (the rejects file)" + rest
                    context.writeError(FileError.cannotWrite(path, reason, option: "--rejects"))
                    // The summary says it too, not only the exit code (QA round 31, N6).
                    stoppedFiles.append(.init(input: input.path, line: nil, code: DriverMessages.cannotWrite.code.description,
                                              message: FileError.cannotWriteMessage(path, reason)))
                    stopped = true
                }
            }
            if stopped { break }
        }
        // The run's own time: waiting for another command's lock is not the run's rate.
        let elapsed = Date().timeIntervalSince(started) - lockWait.seconds
        var summary = RunSummary(template: machine.machine.template, inputs: inputs.map(\.path), store: store.path(context),
                              report: run.report, rejectFiles: rejectFiles, elapsed: elapsed)
        summary.waitedSeconds = (lockWait.seconds * 1000).rounded() / 1000
        summary.notRun = notRun
        summary.stopped = stoppedFiles
        context.write(json ? HostOutput.encode(summary) + "\n" : summary.text)
        if summary.timersDue > 0 {
            let n = summary.timersDue
            let named = summary.timersDueDeals.prefix(5).map { "`\(Names.inline($0))`" }.joined(separator: ", ")
                + (n > 5 ? ", and \(n - 5) more (`flowc deals --where 'due < now() or returns < now()'` lists the deals past a due date or a return)" : "")
            context.writeError("note: \(n) deal\(n == 1 ? " the run wrote has a timer" : "s the run wrote have timers") already due by the "
                + "clock (\(HostOutput.time(service.clock(), service.hintZone))), \(n == 1 ? "its" : "their") records being dated earlier: the next "
                + "`flowc tick` fires \(n == 1 ? "it" : "them") at once (due dates, escalations, idle warnings, returns to the public pool): \(named)\n")
        }
        if run.report.created > 0 {
            let n = run.report.created
            HostOutput.noteNewerVersion(service, machine, subject: n == 1 ? "the deal created runs" : "the \(n) deals created run", context)
        }
        if interrupts.isRaised { return ExitCode.interrupted }
        if stopped { return ExitCode.usage }
        return rejected > 0 ? ExitCode.problems : ExitCode.clean
    }

    /// Removes a rejects file of an earlier run that this run has nothing to put in (it would
    /// describe records that are now applied). Only a file that looks like a rejects file is removed.
    static func removeStaleRejects(_ path: String) {
        if isRejectsFile(path) { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Whether `path` is a regular file that starts as a rejects file does.
    static func isRejectsFile(_ path: String) -> Bool {
        guard RecordSource.isRegular(path), let handle = FileHandle(forReadingAtPath: path) else { return false }
        let head = String(decoding: handle.readData(ofLength: 16), as: UTF8.self)
        try? handle.close()
        return head.hasPrefix("{\"_error\":") || head.hasPrefix("_line,_code,")
    }
}

/// What makes two paths the same file: its device and inode when it exists, else its absolute,
/// standardized path (symbolic links resolved as far as they exist).
struct FileIdentity: Equatable {
    private let node: (device: UInt64, inode: UInt64)?
    private let path: String

    init(_ path: String) {
        var info = stat()
        if stat(path, &info) == 0 {
            node = (UInt64(info.st_dev), UInt64(info.st_ino))
            self.path = ""
        } else {
            node = nil
            self.path = RunCommand.resolved(path)
        }
    }

    static func == (a: Self, b: Self) -> Bool {
        if let x = a.node, let y = b.node { return x == y }
        return a.node == nil && b.node == nil && a.path == b.path
    }
}

/// `--format jsonl|csv`.
struct RecordFormatArgument: ExpressibleByArgument {
    var value: RecordFormat
    init?(argument: String) {
        guard let f = RecordFormat(rawValue: argument.lowercased()) else { return nil }
        value = f
    }
    static var allValueStrings: [String] { RecordFormat.allCases.map(\.rawValue) }

    /// `--format`'s value; `json`, which every other command's `--format` takes for its output,
    /// is told apart (CLI review, C9: "Please provide one of 'jsonl' and 'csv'").
    static func read(_ text: String) throws -> RecordFormatArgument {
        if let f = RecordFormatArgument(argument: text) { return f }
        if text.lowercased() == "json" {
            throw ValidationError("run's --format says how the deals file is written, jsonl or csv (JSON Lines is `jsonl`); for the run's summary as JSON, use --json")
        }
        throw ValidationError("the deals file's format is jsonl or csv, not `\(text)`")
    }
}

/// The progress line of a long run, on stderr when it is a terminal (``CLIContext/showsProgress``):
/// rewritten in place at most ten times a second, and cleared at the end.
final class RunProgress {
    let context: CLIContext
    let path: String
    /// Records in the file, when known.
    let total: Int?
    private var last = Date.distantPast
    private var shown = false

    init(context: CLIContext, path: String, total: Int?) {
        self.context = context
        self.path = path
        self.total = total
    }

    /// - Parameter done: the records of the file run so far.
    func update(_ done: Int, run: BulkRun) {
        guard context.showsProgress else { return }
        let now = Date()
        guard now.timeIntervalSince(last) >= 0.1 || done == total else { return }
        last = now
        shown = true
        let count: String
        if let total {
            count = "\(done)/\(total) records (\(total > 0 ? done * 100 / total : 100)%)"
        } else {
            count = "\(done) records"
        }
        // The deals created so far, those of the batch not written yet included (review of the
        // CLI, C5: "0 created" at 100 %, the report counting a batch once it is written).
        let created = run.report.created + run.createdUnwritten
        context.writeError("\r\u{1B}[2K\(path): \(count), \(created) created, \(run.report.rejected) rejected")
    }

    func finish() {
        if shown { context.writeError("\r\u{1B}[2K") }
    }

    /// Clears the progress line before other output; the next update draws it again.
    func interrupt() {
        guard shown else { return }
        context.writeError("\r\u{1B}[2K")
        shown = false
        last = .distantPast
    }
}

/// A rejects file written as the run goes: to a file of its own beside the target, which
/// replaces the target (atomically, by `rename`) when the run of the input ends. A target that
/// is neither a regular file nor a directory (`/dev/null`, a FIFO) is written into directly and
/// never replaced: renaming over `/dev/null` would put a plain file in the device's place.
final class RejectsWriter {
    let path: String
    private let partial: String
    /// The target is a device or a FIFO: written into, not replaced.
    private let direct: Bool
    private var descriptor: Int32 = -1
    private var failure: (any Error)?
    private(set) var isEmpty = true
    /// Whether writing failed (``commit()`` then throws the error).
    var hasFailed: Bool { failure != nil }
    /// Bytes of the appends that were written whole.
    private var written: UInt64 = 0
    /// The input line of the first record an append failed to write, when its caller says it.
    var failedAtLine: Int?
    /// Whether ``commit()``, after a failure, put the records written whole before it in place
    /// (QA round 41, A6: on a full disk the partial file was removed, and with `-q` the records
    /// rejected before the failure were named nowhere).
    private(set) var keptBeforeFailure = false

    init(path: String) {
        self.path = path
        partial = path + ".\(ProcessInfo.processInfo.processIdentifier).partial"
        direct = OutputFile.isSpecial(path)
        if !direct { Self.removeAbandoned(beside: path) }
    }

    deinit { closeDescriptor() }

    private func closeDescriptor() {
        if descriptor >= 0 { _ = Glibc.close(descriptor) }
        descriptor = -1
    }

    /// Removes the partial files a killed run left beside `path` (`NAME.PID.partial` whose
    /// process is gone); a running one's file is left alone.
    static func removeAbandoned(beside path: String) {
        let url = URL(fileURLWithPath: path)
        let name = url.lastPathComponent + "."
        let directory = url.deletingLastPathComponent().path
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for entry in entries where entry.hasPrefix(name) && entry.hasSuffix(".partial") {
            guard let pid = Int32(entry.dropFirst(name.count).dropLast(".partial".count)), pid > 0,
                  pid != ProcessInfo.processInfo.processIdentifier, kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(atPath: directory + "/" + entry)
        }
    }

    /// Why a rejects file cannot be written at `path`, found before the run (its directory is
    /// missing or not writable, or it is a directory); nil when it can be.
    static func unwritable(_ path: String) -> String? {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return "it is a directory" }
        if OutputFile.isSpecial(path) { return access(path, W_OK) == 0 ? nil : "it is not writable" }
        if let problem = OutputFile.directoryProblem(path) { return problem }
        let directory = OutputFile.directory(of: path)
        guard access(directory, W_OK) == 0 else { return "the directory `\(directory)` is not writable" }
        return nil
    }

    /// Appends one record's bytes.
    func append(_ text: [UInt8]) { append(pieces: [text]) }

    /// Appends the records' bytes in one write; returns the index of the first record not
    /// written whole (nil when all were, or when writing had failed before: then none is tried,
    /// and the index is 0). A write the disk cuts short keeps the whole records before the cut.
    @discardableResult
    func append(pieces: [[UInt8]]) -> Int? {
        guard failure == nil else { return pieces.isEmpty ? nil : 0 }
        let bytes = pieces.flatMap { $0 }
        guard !bytes.isEmpty else { return nil }
        if descriptor < 0 {
            descriptor = direct ? open(path, O_WRONLY) : open(partial, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard descriptor >= 0 else {
                failure = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
                return 0
            }
        }
        var done = 0
        let error: Int32? = bytes.withUnsafeBytes { buffer in
            while done < buffer.count {
                let n = write(descriptor, buffer.baseAddress! + done, buffer.count - done)
                if n > 0 { done += n; continue }
                if n < 0, errno == EINTR { continue }
                return n < 0 ? errno : ENOSPC
            }
            return nil
        }
        isEmpty = false
        guard let error else {
            written += UInt64(bytes.count)
            return nil
        }
        failure = POSIXError(POSIXErrorCode(rawValue: error) ?? .EIO)
        var whole = 0, end = 0
        while whole < pieces.count, end + pieces[whole].count <= done {
            end += pieces[whole].count
            whole += 1
        }
        written += UInt64(end)
        // The part of a record the disk took is cut off (shortening a file needs no space).
        if !direct { _ = ftruncate(descriptor, off_t(written)) }
        return whole
    }

    /// Puts the written rejects in place. After a failure, the records written whole before it
    /// are put in place all the same (``keptBeforeFailure``), and the failure is thrown.
    func commit() throws {
        if let failure {
            if !direct, written > 0, descriptor >= 0 {
                _ = fsync(descriptor)
                closeDescriptor()
                keptBeforeFailure = rename(partial, path) == 0
            }
            if !keptBeforeFailure { discard() }
            throw failure
        }
        if direct {
            closeDescriptor()
            return
        }
        if descriptor >= 0, fsync(descriptor) != 0 {
            let error = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            discard()
            throw error
        }
        closeDescriptor()
        guard rename(partial, path) == 0 else {
            let error = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            discard()
            throw error
        }
    }

    /// Leaves no file (the target is not touched).
    func discard() {
        closeDescriptor()
        if !direct { try? FileManager.default.removeItem(atPath: partial) }
    }
}

/// A records file to run, read a chunk at a time. A CSV input that is not a regular file (a
/// pipe) is read twice (checked to be UTF-8 first), so it is first copied to a temporary file,
/// removed again on ``close()``: memory stays bounded whatever comes down the pipe.
struct RecordSource {
    let handle: FileHandle
    /// Where the records are read from: the file, or its temporary copy.
    let path: String
    /// The name of a pipe's temporary copy, removed on ``close()``, when it still has one
    /// (without `/proc`).
    private let spool: String?

    /// Opens the file (`spooled`: copied first, into `temporaryDirectory`, when it is not a
    /// regular file); nil when it cannot be opened or read.
    init?(path: String, spooled: Bool, temporaryDirectory: String) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
              let input = FileHandle(forReadingAtPath: path) else { return nil }
        guard spooled && !Self.isRegular(path) else {
            (handle, self.path, spool) = (input, path, nil)
            return
        }
        defer { try? input.close() }
        guard let copy = Self.copy(input, into: temporaryDirectory) else { return nil }
        (handle, self.path, spool) = copy
    }

    /// Copies what `input` gives, a chunk at a time, to a new file in `directory`: the copy's
    /// handle at its start, the path to read it by, and its name when it still has one; nil (the
    /// file removed) when it cannot be read or written. The copy's name is removed before its
    /// first byte is written, and it is read through the open descriptor: a run killed (`kill
    /// -9`), even while it copies a pipe still being written, leaves nothing behind (QA round 35,
    /// B6: a 4 MB copy stayed in TMPDIR for good). Without `/proc` it keeps its name until
    /// ``close()``.
    private static func copy(_ input: FileHandle, into directory: String) -> (FileHandle, String, String?)? {
        var template = Array((directory + "/flowc-spool-XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { return nil }
        let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let output = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        let open = "/proc/self/fd/\(fd)"
        let unnamed = FileManager.default.isReadableFile(atPath: open) && unlink(path) == 0
        do {
            while let chunk = try input.read(upToCount: RecordLines.defaultChunkBytes), !chunk.isEmpty {
                try output.write(contentsOf: chunk)
            }
            try output.seek(toOffset: 0)
            return unnamed ? (output, open, nil) : (output, path, path)
        } catch {
            try? output.close()
            if !unnamed { unlink(path) }
            return nil
        }
    }

    /// Why ``init(path:spooled:temporaryDirectory:)`` could not open `path`, in plain words.
    static func whyUnreadable(_ path: String, temporaryDirectory: String) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return PathText.notFound("no such file or directory", path: path) }
        if isDirectory.boolValue { return "it is a directory" }
        if access(path, R_OK) != 0 { return String(cString: strerror(errno)).lowercased() }
        return "it could not be copied into `\(temporaryDirectory)` (a CSV pipe is read twice)"
    }

    /// Whether `path`, its links followed, is a regular file (the spool's `/proc/self/fd/N` is
    /// a link to one; review of the session: a piped CSV lost its progress total).
    static func isRegular(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
    }

    /// Whether the file starts as UTF-16 text (``RecordLines/startsAsUTF16(_:)``).
    func startsAsUTF16() -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return RecordLines.startsAsUTF16((try? handle.read(upToCount: RecordLines.utf16Probe)) ?? Data())
    }

    /// The line of the file's first byte that is not UTF-8 (nil: the file is UTF-8 throughout),
    /// read in a pass of its own.
    func firstNonUTF8Line() -> Result<Int?, RecordFileProblem> {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .success(1) }
        defer { try? handle.close() }
        do { return .success(try CSVRows.firstNonUTF8Line(handle)) } catch {
            return .failure(.unreadable(afterLine: 0, error))
        }
    }

    /// The records for the progress line, counted in a pass of their own over a regular file:
    /// non-blank lines, or for CSV the rows after the header (a quoted line break does not start
    /// a record, and a row over `maxRowBytes` is measured, not held); nil when the file cannot
    /// be read twice (a pipe of JSON Lines).
    func records(csv: Bool, maxRowBytes: Int) -> Int? {
        guard Self.isRegular(path), let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard csv else { return try? RecordLines.countRecords(handle) }
        var rows = CSVRows(file: handle, maxRowBytes: maxRowBytes)
        guard let count = try? rows.countRows() else { return nil }
        return max(0, count - 1)
    }

    func close() {
        try? handle.close()
        if let spool { unlink(spool) }
    }
}

/// The end-of-run summary.
struct RunSummary: Encodable {
    var template: String
    var version: String
    var hash: String
    var inputs: [String]
    var store: String
    var records: Int
    var created: Int
    var advanced: Int
    var unchanged: Int
    var rejected: Int
    /// Records run but not written (the store failed on their batch): the file's re-run applies them.
    var notWritten: Int
    var events: Int
    var effects: Int
    var effectsByKind: [String: Int]
    /// Returns to the public pool without their idle warning (``BulkReport/returnedUnwarned``).
    var returnedUnwarned: Int
    /// Deals the run wrote whose next timer was already due by the clock.
    var timersDue: Int
    /// The first 20 of them, by id.
    var timersDueDeals: [String]
    var status: [String: Int]
    var pool: [String: Int]
    var nodes: [String: Int]
    var rejectFiles: [String]
    /// Files not run at all (a CSV header naming an unknown column, a file that is not UTF-8).
    var notRun: [FileProblem] = []
    /// Files whose run stopped (the store failed, the file could not be read to its end).
    var stopped: [FileProblem] = []
    /// The run's own time, without ``waitedSeconds``.
    var elapsedSeconds: Double
    /// How long the run waited for another command's writer lock before it started.
    var waitedSeconds: Double = 0

    /// A file's problem, where it is and why.
    struct FileProblem: Encodable {
        var input: String
        /// The input's line; none when the problem is not at a line (its rejects file failed).
        var line: Int?
        var code: String
        var message: String

        var text: String { "\(input)\(line.map { ":\($0)" } ?? ""): error[\(code)]: \(message)" }
    }

    init(template: TemplateInfo, inputs: [String], store: String, report: BulkReport, rejectFiles: [String], elapsed: Double) {
        self.template = template.id
        self.version = template.version
        self.hash = template.hash
        self.inputs = inputs
        self.store = store
        records = report.records
        created = report.created
        advanced = report.advanced
        unchanged = report.unchanged
        rejected = report.rejected
        notWritten = report.notWritten
        events = report.events
        effects = report.effects
        effectsByKind = report.effectsByKind
        returnedUnwarned = report.returnedUnwarned
        timersDue = report.timersDue
        timersDueDeals = report.timersDueDeals(limit: 20)
        status = report.byStatus
        pool = report.byPool
        nodes = report.byNode
        self.rejectFiles = rejectFiles
        elapsedSeconds = (elapsed * 1000).rounded() / 1000
    }

    enum CodingKeys: String, CodingKey {
        case template, version, hash, inputs, store, records, created, advanced, unchanged, rejected, notWritten = "not_written", events, effects
        case effectsByKind = "effects_by_kind", returnedUnwarned = "returned_unwarned", timersDue = "timers_due", timersDueDeals = "timers_due_deals", status, pool, nodes, rejectFiles = "reject_files", notRun = "not_run", stopped
        case elapsedSeconds = "elapsed_seconds", waitedSeconds = "waited_seconds"
    }

    static func counts(_ map: [String: Int], order: [String] = []) -> String {
        if map.isEmpty { return "none" }
        let keys = order.filter { map[$0] != nil } + map.keys.filter { !order.contains($0) }.sorted()
        return keys.map { "\($0) \(map[$0] ?? 0)" }.joined(separator: ", ")
    }

    var text: String {
        let rate = elapsedSeconds > 0 ? String(format: "%.0f", Double(records) / elapsedSeconds) : "-"
        var lines = [
            "ran \(inputs.joined(separator: " and ")) through `\(template)` \(version) (\(hash.prefix(19))…)",
            "records: \(records) read: \(created) created, \(advanced) advanced, \(unchanged) unchanged, \(rejected) rejected"
                + (notWritten > 0 ? ", \(notWritten) not written (the store failed: run the file again)" : ""),
            "events:  \(events) applied; effects: \(effects)" + (effects > 0 ? " (\(Self.counts(effectsByKind)))" : "")
                + (returnedUnwarned > 0 ? "; \(returnedUnwarned) return\(returnedUnwarned == 1 ? "" : "s") to the public pool without the idle "
                    + "warning, which came due with the return (`flowc deal why` says so)" : ""),
            "deals:   \(Self.counts(status, order: ["open", "won", "lost"]))",
            "pools:   \(Self.counts(pool, order: ["private", "public"]))",
            "nodes:   \(Self.counts(nodes))",
            "store:   \(store)",
        ]
        if !rejectFiles.isEmpty { lines.append("rejects: \(rejectFiles.joined(separator: ", "))") }
        lines += notRun.map { "not run: " + $0.text } + stopped.map { "stopped: " + $0.text }
        lines.append("elapsed: \(String(format: "%.2f", elapsedSeconds))s (\(rate) records/s)"
            + (waitedSeconds > 0 ? "; before that, \(String(format: "%.2f", waitedSeconds))s waiting for another flowc command's lock" : ""))
        return lines.joined(separator: "\n") + "\n"
    }
}
