import ArgumentParser
import FlowCheck
import FlowDiagnostics
import FlowExpr
import FlowHost
import FlowIR
import FlowRuntime
import FlowStore
import FlowYAML
import Foundation

/// Options every command that touches the deal store takes.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The deal store (an SQLite file, created by run and deal create). Default: $FLOWC_DB, else .flowc/deals.sqlite.",
        discussion: "Compiled templates are kept beside it in DB.machines/, so that every deal keeps running on the machine it started on.",
        valueName: "path"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp("The host's clock: an ISO-8601 datetime with zone, or epoch seconds (default: the system clock).", valueName: "time"))
    var now: String?

    @Option(name: .long, help: ArgumentHelp("Zone offset for today() in expressions and for dates in reports: 8h, -5h, -05:00, Z, or seconds east of UTC, in whole quarter hours (default: the zone written in --now, else UTC). Text outputs print times in it, as ISO-8601 with the offset (2024-06-03T10:00:00+08:00), or in UTC with Z when no zone is given; the report prints its dates and times in it without the offset, naming the zone once at its top (2024-06-03 10:00); JSON prints UTC.", valueName: "offset"))
    var utcOffset: String?

    @Flag(name: .long, help: ArgumentHelp("Let a command that changes deals take a --now more than five minutes after the system clock (a test or training store): its events are dated then, and the deals it touches refuse any event dated earlier until that time."))
    var allowFutureNow = false

    @Option(name: .long, help: ArgumentHelp("How long a command that changes deals waits for another one writing to the store, or for another program holding its database (a database browser, a backup), before it gives up (FC1212, exit 75: try again): a command on one deal changes nothing; `run` and `tick` keep the batches written before and say how many (run them again to finish); default: as long as it takes.", valueName: "seconds"))
    var lockTimeout: Double?

    /// The zone offset in effect: `--utc-offset`, else the one written at the end of `--now`
    /// (`…+08:00`, `…-0500`, `…Z`), else none (UTC).
    var effectiveOffset: Int64? {
        if let utcOffset { return Self.offset(utcOffset) }
        guard let now else { return nil }
        return Self.zone(of: now)
    }

    /// The offset written at the end of an ISO-8601 datetime, in seconds east of UTC.
    static func zone(of text: String) -> Int64? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard t.contains("T") else { return nil }
        if t.hasSuffix("Z") || t.hasSuffix("z") { return 0 }
        let digits = t.reversed().prefix { $0.isASCII && ($0.isNumber || $0 == ":") }
        let rest = t.dropLast(digits.count)
        guard let sign = rest.last, sign == "+" || sign == "-" else { return nil }
        let d = String(digits.reversed()).replacingOccurrences(of: ":", with: "")
        guard d.count == 4, let hours = Int64(d.prefix(2)), let minutes = Int64(d.suffix(2)), hours < 24, minutes < 60 else { return nil }
        let seconds = hours * 3600 + minutes * 60
        return sign == "-" ? -seconds : seconds
    }

    func validate() throws {
        if let lockTimeout, !(lockTimeout >= 0 && lockTimeout <= 86_400 * 365) {
            throw ValidationError("--lock-timeout: seconds, from 0 (do not wait) to a year")
        }
        // The zone of `--now` is the default offset, held to the zones in use (QA round 11:
        // `+23:59` and `+05:17` became the report's zone), as every instant written is (round 43).
        if let now, let problem = Self.nowProblem(now) { throw ValidationError(problem) }
        if let utcOffset {
            if Self.looksLikeBasicZone(utcOffset) {
                // `-0500` as seconds would be 500 seconds west: an ISO zone written without its colon.
                let signed = utcOffset.first == "+" || utcOffset.first == "-" ? utcOffset : "+" + utcOffset
                throw ValidationError("--utc-offset: `\(utcOffset)` reads as seconds; write hours and minutes with a colon (\(signed.dropLast(2)):\(signed.suffix(2))) or as \(Self.hoursForm(signed))")
            }
            guard let seconds = Self.offset(utcOffset) else {
                // A zone's name: whose offset, and when (summer time moves it).
                let name = Self.namedZone(utcOffset).map { " (\($0.name) \(nowInstant == nil ? "now" : "at --now"))" } ?? ""
                let fix = Self.offsetFix(utcOffset, at: nowInstant).map { "; write `\($0)`\(name)" } ?? ""
                throw ValidationError("--utc-offset: expected 8h, -5h, -05:00, Z or seconds\(fix)")
            }
            // As a scenario's `utc_offset`.
            if seconds.magnitude > Scenario.maxUTCOffset.magnitude {
                throw ValidationError("--utc-offset: `\(utcOffset)` is out of range: a UTC offset is from -14h to +14h")
            }
            if seconds % Scenario.utcOffsetStep != 0 {
                // Every zone in use is a whole number of quarter hours from UTC: `-5` was meant as
                // hours, `-300` or `+05:46` as something else.
                let n = seconds.magnitude, sign = seconds < 0 ? "-" : ""
                let read = Int64(utcOffset) != nil ? "reads as \(n) second\(n == 1 ? "" : "s")" : "is \(n / 3600)h\(n % 3600 / 60)m\(n % 60 == 0 ? "" : "\(n % 60)s") \(seconds < 0 ? "west" : "east") of UTC"
                let hint = Int64(utcOffset) != nil && n <= 14 ? "write hours as `\(sign)\(n)h` or `\(seconds < 0 ? "-" : "+")\(n < 10 ? "0" : "")\(n):00`" : "write `8h`, `-5h30m` or `-05:00`"
                throw ValidationError("--utc-offset: `\(utcOffset)` \(read), and no zone is off UTC by other than whole quarter hours; \(hint)")
            }
        }
    }

    /// `--now` in epoch seconds (nil when not given; `validate` has refused any other).
    var nowInstant: Int64? { now.flatMap { RecordReader.time(text: $0).flatMap(Self.absolute) } }

    /// How far after the system clock a command that changes deals may set its own (`--now`)
    /// without ``allowFutureNow``: five minutes, for clocks a little apart. A zone slip (`Z`
    /// written for `+08:00`) is hours (QA round 29, N1: a margin of a day let it through).
    static let futureNowMargin: Int64 = 300

    /// What a `--now` after `systemClock` means for a command that changes deals, and whether it
    /// is refused: more than ``futureNowMargin`` after it, without ``allowFutureNow``. The
    /// events would be dated then, and the append-only log would refuse every event of those
    /// deals dated by the real clock (FC1106) until that time: one mistyped year froze them (CLI
    /// review, C1). Nil when `--now` is not that far ahead.
    func futureNow(systemClock: Int64) -> (text: String, refused: Bool)? {
        guard let now, let t = nowInstant, t > systemClock + Self.futureNowMargin else { return nil }
        let text = "--now `\(now)` is \(Self.span(t - systemClock)) after this machine's clock (\(TimeText.iso(systemClock, utcOffset: nil))): "
            + "the events this command writes are dated then, and every later event of the deals it touches, dated by the clock, "
            + "is refused as earlier (FC1106) until that time"
        return (text, !allowFutureNow)
    }

    /// A length of time, in the largest unit that gives at least two (`8 hours`, `40 days`,
    /// `177 years`), rounded down.
    static func span(_ seconds: Int64) -> String {
        for (unit, name) in [(Int64(365 * 86_400), "years"), (86_400, "days"), (3_600, "hours")] where seconds >= 2 * unit {
            return "\(seconds / unit) \(name)"
        }
        return "\(seconds / 60) minutes"
    }

    /// Why `--now` is no time: not a form it takes, or a number of epoch seconds outside the
    /// years 1 to 9999, said so, and milliseconds (`date +%s%3N`, a script's usual slip) named
    /// (QA round 29, C12: "expected … epoch seconds" for epoch seconds). Nil when it is one.
    static func nowProblem(_ now: String) -> String? { timeProblem("--now", now, delays: false) }

    /// Why `text` is no time `option` takes, in one wording for `--now` and every `--at` (QA
    /// round 30, N14): the forms it takes (`delays`: a delay after the deal's last event too),
    /// a delay where a time is needed, and milliseconds (which `date +%s%3N` writes) with their
    /// value in seconds.
    static func timeProblem(_ option: String, _ text: String, delays: Bool) -> String? {
        let forms = (delays ? "+3d (after the deal's last event), " : "") + "an ISO-8601 datetime with zone (2024-06-01T09:00:00+08:00) or epoch seconds"
        if let problem = fractionProblem(option, text) { return problem }
        if case .failure(.calendar(.zone)) = FieldText.read(text, as: .datetime) {
            return "\(option): the zone of `\(text)` is no zone in use (they run from -14:00 to +14:00, in whole quarter hours)"
        }
        if let problem = Scenario.instantProblem(.string(text)) { return "\(option): `\(text)` is no instant: \(problem)" }
        if let t = RecordReader.time(text: text) {
            if absolute(t) != nil || delays { return nil }
            return "\(option): `\(text)` is a delay, which only an event on a deal takes (after its last event): give \(forms)"
        }
        guard let n = Int64(text) else { return "\(option): expected \(forms)" }
        if n > 0, RecordReader.time(text: String(n / 1000)).flatMap(absolute) != nil {
            return "\(option): `\(text)` as epoch seconds is past the year 9999; as milliseconds (which `date +%s%3N` writes), it is `\(n / 1000)` in seconds"
        }
        return "\(option): `\(text)` as epoch seconds is outside the years 1 to 9999"
    }

    /// A datetime with a fraction of a second, which is not kept (QA round 35: taken without a
    /// word). Its zone is only the instant's here (`--now`'s is held to the zones in use apart).
    static func fractionProblem(_ option: String, _ text: String) -> String? {
        let scalars = Array(text.unicodeScalars)
        if let t = scalars.firstIndex(of: "T"), let dot = scalars[t...].firstIndex(of: "."),
           scalars.index(after: dot) < scalars.endIndex, CharacterSet.decimalDigits.contains(scalars[scalars.index(after: dot)]) {
            var end = scalars.index(after: dot)
            while end < scalars.endIndex, CharacterSet.decimalDigits.contains(scalars[end]) { end += 1 }
            // `.000` (JavaScript's `toISOString()`) cuts nothing.
            if scalars[scalars.index(after: dot)..<end].allSatisfy({ $0 == "0" }) { return nil }
            let whole = String(String.UnicodeScalarView(scalars[..<dot] + scalars[end...]))
            return "\(option): `\(text)` has a fraction of a second, which is not kept (events are timed to the second): write `\(whole)`"
        }
        return nil
    }

    static func absolute(_ t: EventTime) -> Int64? {
        if case .absolute(let x) = t { return x }
        return nil
    }

    /// An offset in seconds east of UTC, from seconds (`-18000`), a duration (`8h`, `-5h30m`) or
    /// hours and minutes as the end of an ISO-8601 time writes them (`+08:00`, `-05:00`).
    static func offset(_ text: String) -> Int64? {
        if let seconds = Int64(text) { return seconds }
        if text == "Z" || text == "z" { return 0 }
        return Scenario.utcOffset(text)
    }

    /// A number of four digits with a leading zero, signed or not (`-0500`, `+0800`, `0530`):
    /// the end of an ISO time without its colon, which as seconds would be minutes off the zone
    /// meant.
    static func looksLikeBasicZone(_ text: String) -> Bool {
        let digits = text.first == "+" || text.first == "-" ? text.dropFirst() : Substring(text)
        return digits.count == 4 && digits.first == "0" && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// The offset meant by a form `offset(_:)` does not read (QA round 23): `8H`, `UTC+8`,
    /// `GMT-5:30`, `5:30`, and a zone's name (`Asia/Shanghai`: its offset at `instant`, `--now`,
    /// else now, so that summer time is the command's, QA round 43, T6); nil if none.
    static func offsetFix(_ text: String, at instant: Int64? = nil) -> String? {
        var t = text.trimmingCharacters(in: .whitespaces)
        if let zone = namedZone(t)?.zone {
            let seconds = zone.secondsFromGMT(for: instant.map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? Date())
            let h = abs(seconds) / 3600, m = abs(seconds) % 3600 / 60
            return (seconds < 0 ? "-" : "") + "\(h)h" + (m == 0 ? "" : "\(m)m")
        }
        for prefix in ["UTC", "GMT", "utc", "gmt"] where t.hasPrefix(prefix) { t.removeFirst(prefix.count) }
        if offset(t.lowercased()) != nil, t.lowercased() != t { return t.lowercased() }
        let sign = t.first == "-" ? "-" : "+"
        let body = t.first == "+" || t.first == "-" ? String(t.dropFirst()) : t
        let parts = body.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.count <= 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let hours = Int(parts[0]), hours <= 14 else { return nil }
        let minutes = parts.count == 2 ? String(parts[1]) : "00"
        let form = "\(sign == "-" ? "-" : "")\(hours)h" + (minutes == "00" ? "" : "\(Int(minutes) ?? 0)m")
        return offset(form) == nil || form == text ? nil : form
    }

    /// The zone `text` names in the system's zone data, in any case (`america/new_york`,
    /// `UTC`, `EST5EDT`; QA round 44, R8: only a name with a `/` written in its own case was
    /// read), with the name to show; nil for anything else, an offset such as `GMT+8` included.
    static func namedZone(_ text: String) -> (zone: TimeZone, name: String)? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty, t.allSatisfy({ $0.isLetter || $0 == "/" || $0 == "_" || $0 == "-" || $0.isNumber }),
              t.contains(where: \.isLetter), !t.contains(where: { $0 == "+" }) else { return nil }
        if let exact = TimeZone(identifier: t) { return (exact, t) }
        let lower = t.lowercased()
        if let known = TimeZone.knownTimeZoneIdentifiers.first(where: { $0.lowercased() == lower }), let zone = TimeZone(identifier: known) { return (zone, known) }
        return ["utc", "gmt"].contains(lower) ? TimeZone(identifier: "UTC").map { ($0, t.uppercased()) } : nil
    }

    /// `-0530` as a duration, `-5h30m`.
    private static func hoursForm(_ text: String) -> String {
        let digits = text.dropFirst()
        let hours = Int(digits.prefix(2)) ?? 0, minutes = Int(digits.suffix(2)) ?? 0
        return "\(text.first == "-" ? "-" : "")\(hours)h" + (minutes == 0 ? "" : "\(minutes)m")
    }

    /// The store path: `--db`, else `$FLOWC_DB` (an empty one counts as unset, as a shell's
    /// `FLOWC_DB=` means), else `.flowc/deals.sqlite`.
    func path(_ context: CLIContext) -> String { Self.path(db: db, context) }

    /// ``path(_:)`` for a command with a `--db` of its own (`graph --deal`).
    static func path(db: String?, _ context: CLIContext) -> String { db ?? environmentPath(context) ?? defaultPath }

    static let defaultPath = ".flowc/deals.sqlite"

    /// `$FLOWC_DB`, nil when it is unset or empty.
    static func environmentPath(_ context: CLIContext) -> String? {
        context.environment["FLOWC_DB"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Where a store problem is said: the path, or `--db` for an empty one.
    static func place(_ path: String) -> String { path.isEmpty ? "--db" : path }

    /// Opens the store and its machine archive; prints the problem and returns nil when it cannot.
    /// - Parameter creating: whether a store that does not exist is created (`flowc run`, `flowc
    ///   deal create`), in a directory that must exist — but for the default store's `.flowc/`.
    ///   Otherwise (the commands on deals that exist) a missing store is FC1215, and nothing is
    ///   created.
    /// - Parameter writing: whether the command changes deals; it then holds the store's
    ///   ``StoreWriterLock`` until it ends (waiting, and saying so, while another command holds
    ///   it), so that its reads, steps and appends are not interleaved with another process's.
    /// - Parameter lockWait: told how long the command waited for another command's writer
    ///   lock (a run's rate leaves that time out).
    /// - Parameter datesEvents: the command dates what it writes by the clock (every command
    ///   that changes deals but `outbox ack`): a `--now` after the system clock is refused.
    func open(_ context: CLIContext, creating: Bool = false, writing: Bool = false, lockWait: LockWait? = nil, datesEvents: Bool = true) -> DealService? {
        if writing || creating, datesEvents, let future = futureNow(systemClock: DealService.wallClock()) {
            guard !future.refused else {
                context.writeError("error: " + future.text + "; check the date (and its zone), or add --allow-future-now for a test store\n")
                return nil
            }
            // Asked for (`--allow-future-now`): said all the same, since it lasts.
            context.writeError("note: " + future.text + "\n")
        }
        return openService(context, creating: creating, writing: writing, lockWait: lockWait)
    }

    private func openService(_ context: CLIContext, creating: Bool, writing: Bool, lockWait: LockWait?) -> DealService? {
        if writing || creating { context.keepGoingOnClosedPipes() }
        let path = path(context)
        if let problem = StoreFile.namesNoFile(path) {
            context.writeError("\(Self.place(path)): \(problem)\n")
            return nil
        }
        // What is at the path, read once. Its problems are said before the writer lock, which
        // would make `PATH.machines` beside a path that is no store.
        var info = stat()
        let exists = stat(path, &info) == 0
        if !exists, let problem = StoreFile.unreachable(path, errno: errno) {
            context.writeError("\(path): \(problem)\n")
            return nil
        }
        // A directory, a pipe, a file with two names, a file that is not SQLite.
        if exists, let refusal = StoreFile.refusal(at: path, writing: writing || creating) {
            context.writeError("\(path): \(refusal)\n")
            return nil
        }
        // An empty file (a copy that failed, a crash while it was made) is no store either: SQLite
        // would take it for an empty database, and a command on existing deals would report none.
        if !exists || (info.st_size == 0 && !creating) {
            guard creating else {
                // An empty file is said to be one (QA round 41, A10: "no deal store" for a file
                // that is there).
                context.writeError(HostError.noStore(path, defaulted: db == nil && Self.environmentPath(context) == nil, empty: exists), place: path)
                return nil
            }
            // The default store's `.flowc/` is made for it.
            let isDefault = db == nil && Self.environmentPath(context) == nil
            if !isDefault, let missing = StoreFile.directoryMissing(path) {
                context.writeError(missing, place: path)
                return nil
            }
        }
        var lock: StoreWriterLock?
        // Ctrl-C or TERM while the command waits for the store (another flowc command's hold,
        // another program's lock) stops the wait, said, exit 130 (QA round 35, B4: the signal
        // ended the process without a word, its JSON, or its exit status).
        let interrupts = Interrupts.install()
        defer { interrupts.remove() }
        if writing {
            // Another program's database, before the lock makes `PATH.machines/` beside it and
            // the open switches it to WAL (QA round 35, B2).
            if exists {
                do {
                    try SQLiteStore.refuseForeign(at: path)
                    // Without flowc's `.machines` beside it, no flowc command is making it a store
                    // (one that is holds its lock there, and is waited for below).
                    if !creating, !FileManager.default.fileExists(atPath: StorePath.canonical(path) + ".machines") {
                        try SQLiteStore.refuseEmpty(at: path)
                    }
                } catch {
                    context.writeError(HostError.store(error), place: path)
                    return nil
                }
            }
            // Taken before the store is opened, so that two commands creating it do not race.
            let directory = PathText.directory(of: path)
            if creating, !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            do {
                let asked = Date()
                var waited = false
                lock = try StoreWriterLock.acquire(besideDatabase: path, timeout: lockTimeout, waiting: {
                    waited = true
                    // How long, as the note for another program's lock says (QA round 30, N16).
                    context.writeError("note: another flowc command is writing to \(path); waiting for it, \(waitBound(lockTimeout)) (`--lock-timeout SECONDS` sets how long)\n")
                }, isInterrupted: { interrupts.isRaised })
                if waited { lockWait?.seconds = Date().timeIntervalSince(asked) }
                // Under the lock, a store being made by a command before is made by now.
                if exists, !creating {
                    do { try SQLiteStore.refuseEmpty(at: path) } catch {
                        context.writeError(HostError.store(error), place: path)
                        return nil
                    }
                }
            } catch {
                context.writeError(error, place: path)
                return nil
            }
        }
        // A command that changes no deal opens the store read-only: it writes nothing to it.
        guard let store = openStore(path, context, readOnly: !writing && !creating, busyTimeout: lockTimeout, noteWaits: true) else { return nil }
        // Ctrl-C or TERM while the store was opened (an upgrade, say): the command stops before
        // it does anything (review of the session: it went on, and exited 0).
        if interrupts.isRaised, writing || creating {
            context.writeError(HostError.interruptedWaiting(HostMessages.Phrase.storeOpening), place: path)
            return nil
        }
        let machines = MachineRegistry(archive: DirectoryMachineArchive(besideDatabase: path))
        var clock = DealService.wallClock
        if let t = nowInstant { clock = { t } }
        let service = DealService(store: store, machines: machines, clock: clock, utcOffset: effectiveOffset ?? 0)
        service.hintZone = effectiveOffset
        service.writerLock = lock
        context.openedStore = path
        if writing {
            // What an upgrade leaves to the host (customer keys, view columns), before any write
            // reads them (store review: a `flowc tick` that upgraded the store left the view
            // columns empty for good, and the view commands open the store read-only).
            do {
                for note in try service.openingNotes() { context.writeError("note: \(path): \(note)\n") }
            } catch {
                context.writeError(error)
                return nil
            }
        }
        return service
    }
}

/// A file a command could not read or write, said in one form by every command (review of the
/// CLI, C14: with a code in some, without in others): located at the file, as `flowc check` says
/// FC0001, so that JSON gives the path as the failure's `location`.
enum FileError {
    /// `PATH: error[FC0001]: cannot read `PATH`: REASON`; `option` stands for an empty path.
    static func cannotRead(_ path: String, _ reason: String, option: String) -> String {
        line(DriverMessages.cannotRead, path, reason, option)
    }

    /// `PATH: error[FC0008]: cannot write `PATH`: REASON`; `option` stands for an empty path.
    static func cannotWrite(_ path: String, _ reason: String, option: String) -> String {
        line(DriverMessages.cannotWrite, path, reason, option)
    }

    /// FC0008's message alone, without its place (`cannot write `PATH`: REASON`).
    static func cannotWriteMessage(_ path: String, _ reason: String) -> String {
        Message(DriverMessages.cannotWrite.format, [path, reason]).text
    }

    private static func line(_ spec: MessageSpec, _ path: String, _ reason: String, _ option: String) -> String {
        "\(path.isEmpty ? option : path): \(spec.severity.rawValue)[\(spec.code)]: \(Message(spec.format, [path, reason]).text)\n"
    }
}

/// A small input file read whole (a compiled machine, a mapping file), as templates are read: a
/// pipe too (`<(…)`), and at most `YAMLLimits.default.maxFileBytes`, refused before it is read.
enum InputFile {
    /// Why the file could not be read: `cannot read `PATH`: REASON`, for the caller to print.
    struct Unreadable: Error {
        /// Why, in a few words (`no such file or directory`).
        var reason: String
        var message: String
    }

    /// The file's bytes, or why they could not be read.
    static func read(_ path: String) -> Result<[UInt8], Unreadable> {
        let limits = YAMLLimits.default
        switch DiskFileSystem().read(path, limits: limits) {
        case .success(let bytes): return .success(bytes)
        case .failure(let problem):
            let reason: String
            switch problem.kind {
            case .notFound: reason = PathText.notFound("no such file or directory", path: path)
            case .tooLarge(let size): reason = "it has \(size) bytes, over the limit of \(limits.maxFileBytes)"
            case .isDirectory, .unreadable: reason = problem.detail
            }
            return .failure(Unreadable(reason: reason, message: "cannot read `\(path)`: \(reason)"))
        }
    }
}

/// Why a file could not be written, for `cannot write `PATH`: REASON`: the system's words,
/// lowercase as flowc's messages are (`is a directory`, `permission denied`, `no such file or
/// directory`). Every command that writes a file says it this way.
enum OutputFile {
    /// Writes an output file (`-o`, `--html`): atomically, to a file beside it renamed over it, when
    /// it is a regular file or a new one; into it when it is a device or a FIFO (`-o /dev/null`),
    /// which a rename would replace with a plain file.
    static func write(_ data: Data, to path: String) throws {
        // Foundation's own words for an empty path are "NSCocoaErrorDomain error 512".
        if path.isEmpty { throw OutputRefused(reason: "the path is empty; name a file") }
        if let reason = protected(path) { throw OutputRefused(reason: reason) }
        guard isSpecial(path) else { return try data.write(to: URL(fileURLWithPath: path), options: .atomic) }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EACCES) }
        defer { try? handle.close() }
        try handle.write(contentsOf: data)
    }

    /// A file an output must never replace, and why: an SQLite database (a deal store: a
    /// mistyped `-o store.sqlite` lost every deal), or a file in a store's machine archive
    /// (`DB.machines/`, beside its writer lock: the deals on that machine could not be read).
    static func protected(_ path: String) -> String? {
        let parent = PathText.directory(of: StorePath.canonical(path))
        if parent.hasSuffix(".machines"), FileManager.default.fileExists(atPath: parent + "/writer.lock") {
            return "it is in a deal store's machine archive (`\(parent)`)"
        }
        if isSQLite(path) { return "it is an SQLite database (a deal store?), which an output never replaces" }
        // An author's template (`compile other.flow.yaml -o t.flow.yaml`): flowc writes IR,
        // pictures and pages, never templates.
        if path.hasSuffix(".flow.yaml") || path.hasSuffix(".flow.yml"), FileManager.default.fileExists(atPath: path) {
            return "it is a template (`.flow.yaml`), which an output never replaces"
        }
        // A store's write-ahead log or shared memory: its last committed writes may be only there.
        for suffix in ["-wal", "-shm", "-journal"] where path.hasSuffix(suffix) && FileManager.default.fileExists(atPath: path) {
            if isSQLite(String(path.dropLast(suffix.count))) { return "it belongs to an SQLite database (a deal store?), which an output never replaces" }
        }
        return nil
    }

    /// Whether `path` is a regular file that starts as an SQLite database does.
    /// The directory a file at `path` goes in (`.` for a bare name).
    static func directory(of path: String) -> String {
        let parent = PathText.directory(of: path)
        return parent.isEmpty ? "." : parent
    }

    /// Why no file can be made at `path` for its directory: missing, or not a directory; nil
    /// when it is one. Every output (`-o`, `--html`, the rejects file) says it in these words.
    static func directoryProblem(_ path: String) -> String? {
        let directory = directory(of: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else { return "the directory `\(directory)` does not exist" }
        return isDirectory.boolValue ? nil : "`\(directory)` is not a directory"
    }

    static func isSQLite(_ path: String) -> Bool {
        !isSpecial(path) && StoreFile.startsAsSQLite(path) == true
    }

    /// The refusal of ``write(_:to:)`` to replace a ``protected(_:)`` file.
    struct OutputRefused: Error {
        var reason: String
    }

    /// Whether writing `output` would replace `input`: the same file, whatever the paths say
    /// (symbolic links, `..`, a hard link: ``FileIdentity``). An author's `flowc compile
    /// t.flow.yaml -o t.flow.yaml` replaced the template with its IR.
    static func replaces(_ output: String, _ input: String) -> Bool {
        output != "-" && FileIdentity(output) == FileIdentity(input)
    }

    /// Whether `path` names something other than a regular file or a directory (a device such as
    /// `/dev/null`, a FIFO, a socket).
    static func isSpecial(_ path: String) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let type = info.st_mode & S_IFMT
        return type != S_IFREG && type != S_IFDIR
    }

    static func reason(_ error: any Error, path: String) -> String {
        if let refused = error as? OutputRefused { return refused.reason }
        if let code = SystemError.code(error) {
            let text = SystemError.reason(error)
            let reason = text.prefix(1).lowercased() + text.dropFirst()
            // "No such file" of a file being made says which part is missing (QA round 30, N16;
            // round 33, Q6): the directory, as the rejects file says it, or, in a directory that
            // is there, the file the output is written to first (beside the output, to be
            // renamed over it), which that directory does not take (`/proc`).
            if code == ENOENT, !isSpecial(path) {
                // As the rejects file says it (QA round 34, S6).
                if let problem = directoryProblem(path) { return problem }
                let replacing = FileManager.default.fileExists(atPath: path) ? " to replace it with" : ""
                return "cannot create a file in `\(directory(of: path))`\(replacing): \(reason)"
            }
            return reason
        }
        // No POSIX error to go by (a file that could not be created): what the path is tells.
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return "is a directory" }
        let parent = PathText.directory(of: path)
        if !parent.isEmpty, !FileManager.default.fileExists(atPath: parent) { return "no such file or directory" }
        return (error as NSError).localizedDescription
    }
}

/// Loading the machine of a template for the host commands.
enum HostTemplates {
    /// Prints FC1305 (exit 2, as `flowc test` does) and returns true when the checked file is a
    /// fragment: it compiles to a machine with no nodes, which nothing can load.
    static func refuseFragment(_ result: CheckResult, path: String, _ context: CLIContext) -> Bool {
        guard result.template?.main.isFragment == true else { return false }
        let color = context.colorsErrors
        context.writeError(HumanRenderer(color: color).render(ScenarioMessages.fragment.inFile(path, path)))
        return true
    }

    /// A compile error as `flowc check` prints diagnostics: located and coded.
    static func render(_ error: CompileError, _ context: CLIContext, color: Bool? = nil) -> String {
        guard let d = error.diagnostic else { return "error: \(error.message)\n" }
        let color = color ?? context.colorsErrors
        return HumanRenderer(color: color).render(CappedDiagnostics([d], limit: 100), summary: DiagnosticCounts(counting: [d]))
    }

    /// Whether `path` names a compiled machine (the IR `flowc compile` writes) rather than a
    /// template: a `.json` file.
    static func isCompiled(_ path: String) -> Bool {
        path.lowercased().hasSuffix(".json")
    }

    /// Whether `path` is an existing file (not a directory) that `isCompiled` names a machine:
    /// what `flowc test` (FC1306) and `flowc compile` (FC1307) refuse to read as a template. A
    /// missing `.json` file is left to the reader, which says it cannot be read.
    static func isCompiledFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return isCompiled(path) && FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    /// Prints a template's diagnostics on standard error as `flowc check` prints them, with the
    /// summary line: every error, and the warnings unless `quiet`. Nothing when there is none.
    static func printDiagnostics(_ result: CheckResult, quiet: Bool, _ context: CLIContext) {
        let shown = result.diagnostics.filter { $0.severity == .error || (!quiet && $0.severity == .warning) }
        guard !shown.isEmpty else { return }
        let color = context.colorsErrors
        context.writeError(HumanRenderer(color: color).render(CappedDiagnostics(shown, limit: 100), summary: DiagnosticCounts(counting: shown)))
    }

    /// Checks and compiles a template (or loads a compiled IR file, `*.json`). Template errors are
    /// printed as by `flowc check`.
    /// - Parameter warnings: also print the template's warnings (`flowc graph`, as `compile`
    ///   does); the commands that run deals print only the errors that stop them.
    /// - Returns: the machine, or the exit code (1 template errors, 2 unreadable).
    /// - Parameter files: given the paths of the files the template was read from (itself, and
    ///   those it includes or extends), when it checks.
    static func load(_ path: String, _ context: CLIContext, warnings: Bool = false,
                     files: ([String]) -> Void = { _ in }) -> Result<VerifiedMachine, ExitStatus> {
        if isCompiled(path) {
            let data: [UInt8]
            switch InputFile.read(path) {
            case .success(let bytes): data = bytes
            case .failure(let problem):
                context.writeError(FileError.cannotRead(path, problem.reason, option: "TEMPLATE"))
                return .failure(ExitStatus(ExitCode.usage))
            }
            do { return .success(try IRLoader.load(data)) } catch {
                context.writeError("\(path): \(error.description)\n")
                return .failure(ExitStatus(ExitCode.problems))
            }
        }
        let result = TemplateChecker.check(path: path)
        let unreadable = result.diagnostics.contains { $0.code == DriverMessages.cannotRead.code }
        printDiagnostics(result, quiet: !warnings || unreadable, context)
        if unreadable || result.hasErrors {
            return .failure(ExitStatus(unreadable ? ExitCode.usage : ExitCode.problems))
        }
        if refuseFragment(result, path: path, context) { return .failure(ExitStatus(ExitCode.usage)) }
        files(result.files.map(\.path))
        do {
            return .success(try IRLoader.verify(try IRCompiler.compile(result)))
        } catch let error as CompileError {
            context.writeError(render(error, context))
        } catch {
            // The machine does not verify (FC10xx): said as for a compiled file, which it is.
            context.writeError("\(path): \(error)\n")
        }
        return .failure(ExitStatus(ExitCode.problems))
    }
}

/// An exit code as an error value.
struct ExitStatus: Error {
    var code: Int32
    init(_ code: Int32) { self.code = code }
}

/// Printing what the host did.
enum HostOutput {
    /// An instant in a text output: in the command's zone when it knows one (`--utc-offset`,
    /// or the zone written in `--now`: `2024-05-06T09:00:00+08:00`), else in UTC with `Z`.
    static func time(_ seconds: Int64, _ zone: Int64?) -> String { TimeText.iso(seconds, utcOffset: zone) }

    /// The exit code for a host error: 75 when the store was busy (try again); 2 when the store
    /// cannot serve the command (it failed, a deal's machine is missing from the archive, a
    /// stored deal cannot be read); 1 for a refusal.
    static func exitCode(_ error: HostError) -> Int32 {
        if error.storeProblem == .busy { return ExitCode.busy }
        if error.storeProblem == .interrupted { return ExitCode.interrupted }
        let unusable = error.is(HostMessages.storeFailed) || error.is(HostMessages.machineUnavailable)
            || error.is(HostMessages.storedDealUnreadable)
        return unusable ? ExitCode.usage : ExitCode.problems
    }

    /// Prints an error on stderr (`error[FC1203]: …`) and returns its exit code.
    static func fail(_ error: HostError, _ context: CLIContext) -> Int32 {
        context.writeError(error)
        return exitCode(error)
    }

    /// The deal's state: `Runner.explain`'s status and open-node lines.
    static func state(_ outcome: UnitOutcome, zone: Int64?) -> [String] {
        let s = outcome.snapshot
        return Array(Runner.explain(outcome.machine.machine, s, utcOffset: zone).prefix(1 + s.openNodes.count))
    }

    /// `notify → alice, mia` per effect.
    static func effects(_ effects: [Effect]) -> [String] {
        effects.map { e in
            var line = "effect \(e.kind.rawValue) (\(e.trigger)"
            if let node = e.node { line += ", `\(node)`" }
            line += ")"
            if !e.people.isEmpty {
                line += " → " + e.people.joined(separator: ", ")
            } else if !e.to.isEmpty {
                // Addressed to groups that have nobody in them: said, rather than shown as sent
                // (also when the effect is about a person, such as a customer's contact who is
                // `added` but gets no internal card).
                line += " → nobody (no one in " + e.to.map { "`\($0.recipient)`" }.joined(separator: ", ") + ")"
            } else if let person = e.person {
                line += " → " + person
            }
            return line
        }
    }

    /// A step's result as JSON: the deal's summary and the effects emitted.
    static func json(_ outcome: UnitOutcome) -> String {
        struct Out: Encodable {
            var deal: DealSummary
            var applied: Int
            var skipped: Int
            var effects: [Effect]
            /// Returns to the public pool whose idle warning came due with them (QA round 40, K6).
            var returnedUnwarned: Int
        }
        let out = Out(deal: Runner.summary(outcome.machine, outcome.snapshot), applied: outcome.applied, skipped: outcome.skipped,
                      effects: outcome.effects, returnedUnwarned: DealService.returnsUnwarned(outcome))
        return encode(out)
    }

    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
    }

    /// Prints a unit's outcome: a heading, the deal's state, the effects (or JSON).
    static func report(_ heading: String, _ outcome: UnitOutcome, json: Bool, zone: Int64?, _ context: CLIContext) {
        if json {
            context.write(Self.json(outcome) + "\n")
            return
        }
        context.write(heading + "\n")
        for line in state(outcome, zone: zone) + effects(outcome.effects) { context.write("  " + line + "\n") }
        // A return whose idle warning came due with it, the event coming after both (QA round
        // 39, R8: said by tick and sweep only).
        if DealService.returnsUnwarned(outcome) > 0 {
            context.write("  note: returned to the public pool without the idle warning, which came due with the return (`flowc deal why` says so)\n")
        }
    }
}

/// A field assignment written on the command line, `FIELD=VALUE`: the value is JSON when it reads
/// as JSON (`80000`, `true`, `null`, `["crm","bi"]`, `"text"`), else text (`80000 CNY`, `2024-06-30`).
struct FieldArgument: ExpressibleByArgument {
    var value: WrittenValue

    init?(argument: String) {
        guard let eq = argument.firstIndex(of: "="), eq != argument.startIndex else { return nil }
        let field = String(argument[..<eq])
        let text = String(argument[argument.index(after: eq)...])
        if case .success(let json) = JSONValue.parse(Array(text.utf8)) {
            value = WrittenValue(field, json)
        } else {
            value = WrittenValue(field, .string(text))
        }
    }
}

/// `ROLE=PERSON` on the command line.
struct RoleArgument: ExpressibleByArgument {
    var value: RoleAssignment

    init?(argument: String) {
        guard let eq = argument.firstIndex(of: "="), eq != argument.startIndex, argument.index(after: eq) != argument.endIndex else { return nil }
        value = RoleAssignment(String(argument[..<eq]), String(argument[argument.index(after: eq)...]))
    }
}

/// `--at` of the commands that apply an event to a deal (`deal event`, `pool
/// claim|release|assign`): one help and one check for all (review of the CLI, C15: `When
/// (default: now).` on the pool commands; QA round 30, N14: worded two ways).
struct EventTimeOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("When: +3d (after the deal's last event), ISO-8601 with zone, or epoch seconds; not later than now (default: now).", valueName: "time"))
    var at: String?

    func validate() throws {
        if let at, let problem = StoreOptions.timeProblem("--at", at, delays: true) { throw ValidationError(problem) }
    }

    /// The time given, or nil for the clock.
    var value: EventTime? { at.flatMap { RecordReader.time(text: $0) } }
}

/// `--at` of `deal create`: a time, not a delay, since a deal being created has no event for
/// `+1d` to follow (review of the CLI, C15: `+1d` was taken from now, and so always refused as a
/// time in the future).
struct CreationTimeOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("When: ISO-8601 with zone, or epoch seconds; not later than now (default: now).", valueName: "time"))
    var at: String?

    func validate() throws {
        if let at, let problem = StoreOptions.timeProblem("--at", at, delays: false) { throw ValidationError(problem) }
    }

    var value: EventTime? { at.flatMap { RecordReader.time(text: $0) } }
}

/// How long a command waits for a lock, as its notes say it: `up to 3 s`, `as long as it takes`.
func waitBound(_ timeout: TimeInterval?) -> String {
    timeout.map { "up to " + ($0 == $0.rounded() && $0 < 1e9 ? String(Int($0)) : String($0)) + " s" } ?? "as long as it takes"
}

/// How long a command waited for another command's writer lock.
final class LockWait {
    var seconds: TimeInterval = 0
}

/// Opens the SQLite store at `path`, saying first when the file is from an older flowc and is
/// about to be upgraded (a large store's upgrade takes a while, and the command would otherwise
/// pause without a word); prints the problem and returns nil when it cannot be opened.
/// `busyTimeout`: how long a write waits while a program other than flowc holds the database's
/// lock (nil: as long as it takes), as `--lock-timeout` bounds the wait for another command.
/// - Parameter noteWaits: say on standard error when another program's lock on the database has
///   kept a write waiting for a second (once), with how long the command waits.
func openStore(_ path: String, _ context: CLIContext, readOnly: Bool = false, busyTimeout: TimeInterval? = SQLiteStore.busyTimeout,
               noteWaits: Bool = false) -> SQLiteStore? {
    let bound = waitBound(busyTimeout)
    let note: (@Sendable () -> Void)? = noteWaits ? { @Sendable in
        context.writeError("note: another program holds the database of \(path) (not a flowc command: a database browser, a backup, a script?); "
            + "waiting for it, \(bound) (`--lock-timeout SECONDS` sets how long)\n")
    } : nil
    do {
        return try SQLiteStore(path: path, readOnly: readOnly, busyTimeout: busyTimeout, onUpgrade: { from, to in
            context.writeError("note: upgrading the store \(path) from schema version \(from) to \(to) (once; a large store takes a while)\n")
        }, onBusyWait: note, stopWaiting: { Interrupts.raisedInProcess })
    } catch {
        let failure = HostError.store(error)
        // Given up at Ctrl-C or TERM while another program held the database (QA round 35, B4).
        if failure.storeProblem == .busy, Interrupts.raisedInProcess {
            context.writeError(HostError.interruptedWaiting(HostMessages.Phrase.anotherProgramHolding), place: path)
            return nil
        }
        context.writeError(failure, place: path)
        return nil
    }
}

extension CLIContext {
    /// Writes a host error on standard error (`PLACE: error[FC1212]: …`), remembering a busy
    /// store for the exit status (``ExitCode/busy``).
    func writeError(_ error: HostError, place: String? = nil) {
        if error.storeProblem == .busy { storeWasBusy = true }
        if error.storeProblem == .interrupted { storeWaitInterrupted = true }
        writeError(errorLine(error, place: place) + "\n")
    }

    /// `PLACE: error[FC…]: …` for `error`, at `place`, else at the store a failure of it is of.
    func errorLine(_ error: HostError, place: String? = nil) -> String {
        let place = place ?? (error.storeProblem == .failed ? openedStore : nil)
        return (place.map { "\($0): " } ?? "") + error.description
    }
}

extension HostOutput {
    /// A note when `machine` is an older version of its template than one that other open deals
    /// run on: a run or a creation from an old template file, or a lost deal claimed back, starts
    /// deals on the old process, which only `flowc migrate` moves on (QA round 16). `subject`
    /// says which deals (`deal `D-1` runs`, `the 6 deals created run`).
    static func noteNewerVersion(_ service: DealService, _ machine: PreparedMachine, subject: String, _ context: CLIContext) {
        let t = machine.machine.template
        guard let others = try? service.openDealsOnOtherVersions(of: machine) else { return }
        let newer = others.filter { $0.version.map { VersionOrder.isNewer($0, than: t.version) } ?? false }
        guard !newer.isEmpty else { return }
        let list = newer.map { "\(Names.inline($0.version ?? $0.hash)) (\($0.openDeals) open deal\($0.openDeals == 1 ? "" : "s"))" }
        context.writeError("note: \(subject) on `\(t.id)` \(Names.inline(t.version)), while open deals of it run on "
            + list.joined(separator: ", ") + ": `flowc migrate --to TEMPLATE` moves deals to a newer version\n")
    }
}

/// The order of template versions written as numbers (`1.10.0` after `1.9.2`).
enum VersionOrder {
    /// Whether `a` is a later version than `b`, by their numbers in turn (`v2`, `1.1.0`,
    /// `2024.06`); false when either has none.
    static func isNewer(_ a: String, than b: String) -> Bool {
        func numbers(_ v: String) -> [Int] {
            v.split(whereSeparator: { !("0"..."9").contains($0) }).compactMap { Int($0) }
        }
        let x = numbers(a), y = numbers(b)
        guard !x.isEmpty, !y.isEmpty else { return false }
        for i in 0..<max(x.count, y.count) {
            let p = i < x.count ? x[i] : 0, q = i < y.count ? y[i] : 0
            if p != q { return p > q }
        }
        return false
    }
}

/// A listing read a page at a time and written as it is read (`pool list`, `outbox list`), so
/// that `--limit 0` (everything) never holds the whole list.
enum PagedListing {
    /// Rows read per store query.
    static let page = 1_000

    /// Reads rows after `start` (each page by `fetch(after, count)`, one more than wanted to tell
    /// whether more follow) and hands each to `write`, up to `limit` rows (0: all).
    /// - Returns: how many were written, the key of the last, and whether more follow the limit.
    static func each<Row, Key>(limit: Int, after start: Key, fetch: (Key, Int) throws -> [Row], key: (Row) -> Key,
                               write: (Row) -> Void) rethrows -> (listed: Int, last: Key, more: Bool) {
        var listed = 0
        var last = start
        var more = false
        while limit == 0 || listed < limit {
            let want = limit == 0 ? page : min(page, limit - listed)
            var rows = try fetch(last, want + 1)
            let beyond = rows.count > want
            if beyond { rows.removeLast() }
            for row in rows { write(row) }
            listed += rows.count
            if let final = rows.last { last = key(final) }
            if !beyond { break }
            more = limit != 0 && listed >= limit
        }
        return (listed, last, more)
    }
}
