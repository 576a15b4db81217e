import FlowDiagnostics
import FlowRuntime

/// One entry of the host's message catalogue: a stable code, a short name, a message format with
/// `{0}`, `{1}`… placeholders, and a long explanation (`flowc explain FC12xx`).
///
/// The format is kept apart from its arguments so that the catalogue can be translated, as the
/// runner's ``FlowRuntime/RuntimeMessageSpec`` is.
public struct HostMessageSpec: Sendable, Hashable, CustomStringConvertible {
    /// `FC` + four digits; FC12xx for the host.
    public let code: String
    /// A short kebab-case name, e.g. `customer-has-owner`.
    public let name: String
    /// The message, lowercase, names in backticks, `{n}` for argument n.
    public let format: String
    /// What the code means and what to do about it.
    public let explanation: String

    init(_ number: Int, _ name: String, _ format: String, _ explanation: String) {
        self.code = "FC" + String(number)
        self.name = name
        self.format = format
        self.explanation = explanation
    }

    /// The format with its placeholders filled in.
    public func render(_ arguments: [String]) -> String { HostMessages.fill(format, arguments) }

    public var description: String { "\(code) \(name)" }
}

/// Every message the host layer produces: the codes FC1201–FC12xx for problems that are not the
/// runner's (duplicate customers, unknown deals, the store, the record formats), and the texts of
/// `flowc deal why` and the bulk run. Code outside this file never builds message text.
///
/// Numbering: FC120x deals and customers; FC121x the store and machines; FC122x record files.
public enum HostMessages {
    // MARK: Deals and customers (FC120x)

    public static let customerHasOwner = HostMessageSpec(1201, "customer-has-owner", "customer `{0}` already has open deal `{1}` in `{2}`'s private pool", """
        The template declares which fields identify a customer (`customer.identity`, normalised \
        by `customer.normalize`), and a customer has at most one live deal at a time (S4) among \
        the templates of one `customer.group` (all templates without a group form one group; the \
        bundled renewal template is in `renewals`). Another deal for the same customer is open \
        in a sales person's private pool, so this deal is not created (or the change that would \
        make it a duplicate is refused). Talk to the owner named in the message, or ask a \
        manager to assign the existing deal.
        """)
    public static let customerInPublicPool = HostMessageSpec(1202, "customer-in-public-pool", "customer `{0}` already has deal `{1}` in the public pool: claim it (`flowc pool claim {1} --by PERSON`) instead of creating a new one", """
        A deal for the same customer (same normalised `customer.identity`, a template of the \
        same `customer.group`) sits in the public pool: returned there idle or lost, released by \
        its owner, or created without one. Creating a second deal would duplicate the customer \
        record; claim the existing deal instead, which keeps its history (a lost \
        deal that is claimed starts again at the start node).
        """)
    public static let unknownDeal = HostMessageSpec(1203, "unknown-deal", "there is no deal `{0}` in the store", """
        The command or record names a deal id that the store does not hold. Deal ids are chosen \
        when the deal is created (`id` of a deal record, `flowc deal create --id`); check the id, \
        or the `--db` path.
        """)

    public static let dealIDReused = HostMessageSpec(1204, "deal-id-reused", "deal `{0}` already exists and was created differently (event `{1}`): a record for another deal needs another id", """
        The record's deal id is already in the store, and the event that created it (same event \
        id) had other values: another owner, other fields or other role members. Running a \
        record again is harmless only when it is the same record; this one describes a \
        different deal under a reused id (a copied line, or two deals given the same id). Give \
        the new deal its own id. To change the existing deal, send events for it instead.
        """)

    // MARK: The store and machines (FC121x)

    public static let eventIDReused = HostMessageSpec(1205, "event-id-reused", "event `{0}` is already in the log of deal `{1}` with another action or another person acting: a new event needs a new id", """
        Running a file again skips the events whose id is already in the deal's log: it is the \
        same event delivered twice. This one has the id of a logged event but another action or \
        other values (an edited line of a file already run, or an id used twice), so skipping it \
        would drop the change without a word. Give the new event its own id; an events-file \
        event without `id` gets one from its content.
        """)
    public static let heldBack = HostMessageSpec(1206, "held-back", "held back: an earlier record of deal `{0}` was rejected ({1}); fix it and run the rejects file again", """
        A bulk run applies a deal's records in the order of the file. Once one is rejected, the \
        deal's later records in the run are not applied either: applied, they would move the \
        deal past the rejected one, which could then never be applied (an event may not be \
        earlier than the deal's last). They go to the rejects file after it, in order; fix the \
        first and run the rejects file.
        """)
    public static let machineUnavailable = HostMessageSpec(1210, "machine-unavailable", "the machine {1} of {0} cannot be loaded: {2}", """
        A deal stays pinned to the compiled template (IR hash) it was created with. The host \
        keeps each machine beside the store (`DB.machines/HASH.ir.json`); that file is missing, \
        unreadable, or fails verification. Restore the directory, or recompile the exact \
        template version the deal started on with `flowc run` or `flowc deal create`, which \
        stores its machine again.
        """)
    public static let storeConflict = HostMessageSpec(1211, "store-conflict", "the store refused event `{0}` of deal `{1}`: {2}", """
        The store judged the event after the runner had accepted it: another process wrote to \
        the same deal in between (its log moved on), or the record was malformed. Nothing of \
        this event was written. Re-run the record: events already stored are recognised by their \
        ids and skipped.
        """)
    public static let storeFailed = HostMessageSpec(1212, "store-failed", "the store failed: {0}", """
        The database could not be opened, read or written (I/O error, full disk, a lock held \
        too long by another process, a file that is not a flowc store, or a store written by a \
        newer flowc). Nothing of the failed batch was written. Exit code 2; 75 when the store \
        was busy (`busy:`, another writer held it past `--lock-timeout`), where running the \
        command again is the remedy.
        """)
    public static let eventLogged = HostMessageSpec(1214, "event-already-logged", "event `{0}` is already in the log of deal `{1}`", """
        Event ids are unique within a deal: the log already holds an event with this id, so \
        this one is not applied. Bulk runs skip such events silently (they were delivered \
        before, so running a file again is harmless); a single command reports them. Give a new \
        event a new id, or leave the id out and let the host choose one.
        """)
    public static let storedDealUnreadable = HostMessageSpec(1213, "stored-deal-unreadable", "the stored deal `{0}` cannot be read: {1}", """
        The store holds a snapshot or a log entry that this flowc cannot decode (written by a \
        newer flowc, or corrupted). The deal's event log is the authority: replaying it with the \
        deal's machine rebuilds the snapshot.
        """)
    public static let noStore = HostMessageSpec(1215, "no-store", "there is no deal store at `{0}`{1}", """
        The command reads or changes deals that exist, in the store given with `--db` (else \
        `$FLOWC_DB`, else `.flowc/deals.sqlite`), and that file does not exist (or is empty). \
        Such commands (`deal`, `pool`, `tick`, `outbox`, `migrate`, `deals`, `report`, `graph \
        --deal`) never create a store: an empty one would only hide a mistyped path. Check the \
        path; `flowc run` and `flowc deal create` create stores. When no store was named (neither \
        `--db` nor `$FLOWC_DB`), the message says so: a store made with `--db` elsewhere is not \
        found by a later command without it. Exit code 2; the store's path \
        is the error's location (`location` in JSON). FC1415 (`deals`, `report`) and FC1403 \
        (`graph --deal`) said the same until 2026-11-30 and are no longer used.
        """)
    public static let storeDirectoryMissing = HostMessageSpec(1216, "store-directory-missing", "the directory `{0}` does not exist (the store `{1}` would be created in it)", """
        `flowc run` and `flowc deal create` create the store given with `--db` (or \
        `$FLOWC_DB`) when it does not exist, but not the directories above it: a mistyped \
        directory would otherwise quietly start a new, empty store. Create the directory \
        first, or correct the path. (The default store, `.flowc/deals.sqlite`, is created with \
        its directory.)
        """)

    // MARK: Record files (FC122x)

    public static let malformedRecord = HostMessageSpec(1220, "malformed-record", "not a valid record: {0}", """
        A line of a deals or events file must be one JSON object in the record format \
        (examples/README.md): a deal record has `id` and may have `at`, `owner`, `by`, \
        `fields`, `roles` and `events`; an event has exactly one action (`set`, `deliverables`, \
        `complete`, `rework`, `add_member`, `remove_member`, `join_chat`, `lose`, `win`, `claim`, \
        `release`, `assign`, `tick`, `add_note`, `add_link`). The message names the key at \
        fault. The record is written to the rejects file; fix it there and run that file again.
        """)
    public static let unreadableValue = HostMessageSpec(1221, "unreadable-value", "field `{0}`: {1}", """
        A field value is read by its field's type: `"80000 CNY"` or `80000` for money, \
        `"2024-06-30"` for a date, an ISO-8601 datetime with zone, `true`/`false`, an enum value, \
        a list for a list field (`;`-separated in CSV), `null` to unset. This value does not \
        fit the type.
        """)
    public static let unknownColumn = HostMessageSpec(1222, "unknown-column", "unknown column `{0}`{1}", """
        Every column of a CSV deals file is `id`, `owner`, `by`, `at`, a field of \
        the template, or `role:ROLE` (people separated by `;`). An unknown column would be \
        silently lost, so no row of the file is run; fix the header.
        """)
    public static let recordTooLarge = HostMessageSpec(1223, "record-too-large", "the record has {0}, over the limit of {1}", """
        Records are bounded (`RecordLimits`) so that a hostile or broken file cannot exhaust \
        memory: the bytes of one line (of one CSV row, its quoted line breaks included), the \
        events of one deal record. Split the record (events \
        can also come from an events file). A record over the line limit is read no further \
        than the limit: when its deal's id comes later, the deal's later records are not held \
        back for it (FC1206), and the message says so.
        """)
    public static let recordsUnreadable = HostMessageSpec(1240, "records-unreadable", "the file could not be read after line {0}: {1}", """
        A deals or events file is read a chunk at a time as the run goes. Reading it failed \
        (the file was removed, truncated, or the disk failed): the records before were run and \
        written, the rest were not. Once the file can be read, run it again: the records already \
        applied are skipped.
        """)

    public static let interrupted = HostMessageSpec(1241, "interrupted", "the run was interrupted after line {0}", """
        The run was asked to stop (Ctrl-C, or a TERM signal). It stopped at a record boundary: \
        the records up to that line were run and written, with their rejects. Run the same \
        file again to go on: the records already applied are skipped.
        """)

    public static let interruptedWaiting = HostMessageSpec(1242, "interrupted-waiting", "stopped by Ctrl-C or TERM while waiting for {0}: nothing was changed", """
        A command that changes deals waits while another flowc command writes to the same store. \
        It was asked to stop (Ctrl-C, or a TERM signal) before it had the store: it read and wrote \
        nothing, and exits 130 as an interrupted run does. Run it again once the other command is \
        done, or give `--lock-timeout SECONDS` to bound the wait.
        """)

    public static let interruptedMigration = HostMessageSpec(1243, "interrupted-migration", "stopped by Ctrl-C or TERM after reading {0} of {1} deal{2}{3}: nothing was changed", """
        `flowc migrate` reads every deal it considers and works out its move before it writes \
        anything; the moves are then written together, in one transaction. It was asked to stop \
        (Ctrl-C, or a TERM signal) before that write: no deal was moved, the new version was not \
        archived, and it exits 130. A dry run stops the same way, without its report. Once the \
        write has begun it is finished, and a note says so.
        """)

    /// Every entry, in code order.
    public static let all: [HostMessageSpec] = [
        customerHasOwner, customerInPublicPool, unknownDeal, dealIDReused, eventIDReused, heldBack,
        machineUnavailable, storeConflict, storeFailed, storedDealUnreadable, eventLogged, noStore, storeDirectoryMissing,
        malformedRecord, unreadableValue, unknownColumn, recordTooLarge, recordsUnreadable, interrupted, interruptedWaiting,
        interruptedMigration,
    ]

    /// The entry with this code, if any (`flowc explain FC1201`).
    public static func spec(code: String) -> HostMessageSpec? {
        all.first { $0.code == code.uppercased() }
    }

    // MARK: Texts that are not errors

    /// Phrases used inside messages.
    public enum Phrase {
        /// FC1243's end: where a migration stopped.
        public static let beforeTheWrite = ", before the migration was written"
        public static let inADryRun = " in a dry run"
        /// FC1120's hint for a node a migration of the deal renamed.
        public static let renamedNode = " (a migration of the deal renamed it `{0}`)"
        /// FC1120's and FC1110's hints for a node or field the deal's migration to version `{0}` removed.
        public static let removedNode = " (the deal's migration to version {0} removed it)"
        public static let removedField = " (the deal's migration to version {0} removed it; its values stay in the deal's history)"
        /// FC1120's and FC1110's hint for a node or field of another version: node/field,
        /// template, that version, its open deals, plural s, this deal's version.
        public static let otherVersionHas = " (a {0} of `{1}` {2}, the version of {3} other open deal{4}; this deal runs on {5}: `flowc migrate` moves it)"
        /// FC1213: the stored log position is out of range.
        public static let logPositionOutOfRange = "its log position {0} is out of range (a damaged store)"
        /// FC1107 as the host says it: which clock, and where it comes from for either caller.
        public static let eventFromFuture = "event `{0}` is dated {1}, after the host's clock ({2}; a command sets it with `--now`, a library host with its service's `clock`)"
        public static let snapshotOutOfStep = "its snapshot is after event {0}, its log after event {1} (a damaged store; `flowc deal verify` compares them)"
        /// FC1212: a service that let its writer lock go was asked to write.
        public static let lockReleased = "this service let the store's writer lock go (`writerLock = nil`) and writes no more: open another service to write"
        /// FC1215 when no store was named: the default, and how to name another.
        public static let defaultStore = " (the default store: name the one to use with `--db PATH` or `$FLOWC_DB`)"
        /// FC1215 for an empty file at the store's path.
        public static let emptyStoreFile = ": the file is empty (0 bytes), as a copy or a restore that did not finish leaves it; restore the store from a backup (its file, its `-wal` and its `.machines` directory), or remove the file to start a new store"
        /// FC1220's detail for a line of JSON Lines that starts with a byte-order mark: `{0}` it, named.
        public static let byteOrderMark = "it starts with {0}, a byte-order mark, which joining two files leaves inside the file: remove it"
        /// FC1242's `{0}`.
        public static let anotherCommandWriting = "the store, which another flowc command was writing to"
        public static let anotherProgramHolding = "the store's database, which another program held"
        public static let storeOpening = "the store to open"
        /// FC1212: the lock timeout passed while another writer (a command, or a service of a
        /// library host) held the writer lock. Both callers' names for the timeout are given.
        public static let storeBusy = "the store is busy: another writer held its writer lock (`{0}`) past the lock timeout (`--lock-timeout` for a command, `lockTimeout:` for a library host); nothing was changed, try again"
        /// FC1210's `{0}`: who runs on the machine.
        public static let machineUser = "deal `{0}`"
        public static let machineUsers = "template `{0}` ({1} deal{2})"
        /// Appended to FC1210's reason: the machine's file in the archive, and what to do.
        public static let archiveFile = " (file `{0}`)"
        public static let machineRemedy = "; restore the file, or run the template version the deal started on again (`flowc compile` it and compare the hash) with `flowc run` or `flowc deal create`, which stores its machine again"
        /// FC1212's reason for a `--db` that names a pipe, a device or a socket.
        public static let storeNotRegular = "`{0}` is not a regular file (a pipe, a device or a socket), so not a store file"
        /// FC1212's reason for a store file with several names.
        public static let storeHardLinked = "`{0}` has {1} names (hard links): SQLite keeps a store's write-ahead log beside the name it is opened by, so two names would write two logs and corrupt the store; keep one name (a symbolic link is fine)"
        /// FC1212's reason for a `--db` the system cannot follow (a loop of links), in its words.
        public static let storeUnreachable = "cannot reach `{0}`: {1}"
        /// FC1212's reason for a `--db` that names a directory.
        /// After FC1212's reason when the store cannot be written by this user.
        public static let notWritable = "this user cannot write the store: a command that writes (run, deal create and event, pool, tick, migrate, outbox ack) needs write access to its directory, its files and its `.machines` directory; commands that read (deal show, deals, report, pool list, outbox list) work without"
        public static let storePathEmpty = "the store path is empty: name the store's file (`--db deals.sqlite`), or leave `--db` out for `$FLOWC_DB` or `.flowc/deals.sqlite`"
        public static let storePathIsDirectoryName = "`{0}` ends with `/`: it names a directory, not a store file (name the store's file, e.g. `{0}deals.sqlite`)"
        public static let storeIsDirectory = "`{0}` is a directory, not a store file (name the store's file, e.g. `{0}/deals.sqlite`)"
        /// Where a held-back deal's rejected record is (FC1206).
        public static let atLine = "line {0}"
        public static let ofTheDealsFile = " of the deals file"
        /// Where in a record a problem lies: the deal and the event.
        public static let inCreate = "deal `{0}`, create: {1}"
        /// A record that could not be read, once its deal id is known.
        public static let inRecord = "deal `{0}`: {1}"
        public static let inEvent = "deal `{0}`, event {1} ({2}): {3}"
        /// A unit of one event (a `deal event`, a line of an events file): no number to count.
        public static let inOnlyEvent = "deal `{0}`, {1}: {2}"
        public static let bytes = "{0} bytes"
        /// FC1223 for a record whose kept head (`{0}`, its first bytes) does not name its deal
        /// (`{1}`: the message; QA round 28, R5).
        public static let tooLargeUnnamed = "{1}; its {0} do not name its deal, so the later records of its deal were not held back for it, and may have been applied"
        public static let events = "{0} events"
        public static let notArchived = "it is not in the machine archive"
        public static let archiveNotADirectory = "the machine archive {0} is not a directory"
        public static let archiveUnwritable = "cannot write the machine archive file {0}: {1}"
        public static let otherHash = "the archived file holds {0}"
        public static let notAHash = "not a content hash"
        public static let logSchema = "a log entry has schema version {0}; this flowc reads version {1}"
        public static let logEntry = "a log entry is not an event ({0})"
        /// The message of a CSV rejects-file row whose record was too large to keep.
        public static let rowNotKept = "{0}; its cells are left empty here: fix the row at line {1} of the input file"
    }

    /// What is wrong with a record (the argument of FC1220); `{0}` is where (`events[2].at`).
    public enum Record {
        /// A CSV header cell that is empty (column numbers count from 1).
        public static let cellUnderUnnamed = "column {0} has no name in the header, but this row has a value there: name the column, or move the value"
        public static let otherUnknownColumns = "; other unknown columns: {0}"
        /// `{0}`: the separator the header's one cell holds (`;`, a tab).
        public static let otherSeparator = "(the cells are separated by {0}: flowc reads CSV separated by `,`; save the file as comma-separated CSV)"
        public static let moreUnknownColumns = "and {0} more"
        /// FC1221's other values that do not fit, after the first.
        public static let alsoUnreadable = "; also field `{0}`: {1}"
        /// A CSV header naming a column twice.
        public static let columnTwice = "the header: column `{0}` appears twice (columns {1} and {2})"
        public static let top = "the record"
        public static let notJSON = "{0} is not JSON: {1}"
        /// A JSON Lines file whose first line is a CSV header (`{1}`: the key the header names).
        public static let looksLikeCSV = "{0} reads as CSV (its first line is a header naming `{1}`), but is read as JSON Lines: name it `.csv`, or add `--format csv`"
        /// An events file that is CSV: events files are JSON Lines only (review of the inputs, I6).
        public static let eventsAsCSV = "{0} reads as CSV (its first line is a header naming `{1}`), but an events file is JSON Lines only: one object per line, `{\"deal\": \"D-1\", \"by\": \"li\", \"complete\": \"initial_talks\"}`"
        /// A line that does not even start as a JSON object (prose, a CSV row in a JSON Lines file).
        public static let notARecord = "{0} is not a JSON record: each line is one JSON object, `{\"id\": …}` in a deals file, `{\"deal\": …}` in an events file"
        public static let expectedObject = "{0}: expected an object"
        public static let expectedRoles = "{0}: expected an object: role id → a person or a list of people"
        public static let expectedList = "{0}: expected a list of events"
        public static let expectedString = "{0}: expected a string"
        public static let expectedStrings = "{0}: expected a list of strings"
        public static let expectedBool = "{0}: expected true or false"
        public static let missing = "{0}: missing `{1}`"
        public static let unknownKey = "{0}: unknown key `{1}`{2}"
        public static let badTime = "{0}: `{1}` is not `+3d`, an ISO-8601 datetime with zone (`2024-05-06T09:00:00+08:00`), or epoch seconds"
        /// The same with the form to write (`FieldValueHints`).
        public static let badTimeHint = "{0}: `{1}` is not `+3d`, an ISO-8601 datetime with zone, or epoch seconds; {2}"
        public static let timeOutOfRange = "{0}: the time is outside the years 1 to 9999"
        public static let emptyID = "{0}: the deal id is empty"
        public static let csvQuote = "{0}: a quoted cell is not closed"
        public static let csvQuoteRest = "{0}: a quoted cell is not closed: it takes in the rest of the file ({1} more line{2}), which is not run; close the quote (`\"`) and run the file again"
        public static let loneCR = "{0}: a line ends in a carriage return alone (CR); flowc reads lines that end in LF or CRLF, so save the file with those line endings"
        public static let csvStray = "{0}: cell {1} has text after its closing quote; quote the whole cell, writing a quote inside it as `\"\"`"
        public static let csvCells = "{0}: {1} cells, but the header has {2}"
        /// A file that starts with a UTF-16 byte-order mark (review of the inputs, I15).
        public static let utf16 = "{0} is UTF-16 text (as Excel's \"Unicode text\" and some Windows tools save it), not UTF-8: save it as UTF-8, or `iconv -f UTF-16 -t UTF-8` (`-f UTF-16LE` for a file without a byte-order mark, as Windows writes it)"
        public static let notUTF8 = "{0} is not UTF-8 text (saved as GBK or GB18030? save it as UTF-8: Excel's \"CSV UTF-8\", or `iconv -f GB18030 -t UTF-8`)"
    }

    /// Notes of ``DealService/completeUpgrade()``, each a sentence about the store (`{0}` a count,
    /// `{1}` the first deals named).
    public enum Upgrade {
        public static let keyComputed = "computed the customer keys of {0} deal"
        public static let keysComputed = "computed the customer keys of {0} deals"
        public static let keyUnreadable = "{0} deal could not be read to compute its customer key ({1}), and the duplicate check does not see it; `flowc deal verify` reports it"
        public static let keysUnreadable = "{0} deals could not be read to compute their customer keys ({1}), and the duplicate check does not see them; `flowc deal verify` reports them"
        /// The machine archive lacks the first deal's machine: a store copied or restored without it.
        public static let archiveMissing = "the machine archive (the `.machines` directory beside the store's file) has no machine for deal `{0}`: its deals cannot be stepped until the directory is restored with the file (a store is both)"
    }

    /// Lines of `flowc deal why` and `flowc deal history` (the runner's own lines come from
    /// `RuntimeMessages.Explain`).
    public enum Why {
        public static let template = "template `{0}` {1} ({2})"
        public static let pathHeading = "path taken:"
        public static let event = "#{0} {1} {2}{3}"
        public static let byActor = " by `{0}`"
        public static let entered = "entered {0}"
        public static let completed = "completed {0}"
        public static let skipped = "skipped {0}"
        public static let closed = "closed {0}"
        public static let reset = "reset {0}"
        public static let blocked = "blocked {0}"
        public static let nothingMoved = "no node moved"
        public static let decisionsDropped = "({0} older decisions were dropped from the snapshot; the path above comes from the log)"
        public static let replayFailed = "the log does not replay: {0}"
        public static let replayDiffers = "the fold of the {0} logged events differs from the stored snapshot"
        public static let replayLength = "the log has {0} events but the snapshot is at sequence {1}"
        public static let replayMatches = "{0}: {1} events replay to the stored snapshot"
    }

    /// Events as `flowc deal history` and `why` show them.
    public enum Action {
        public static let create = "create (owner {0})"
        public static let setFields = "set {0}"
        /// A deliverable ticked or unticked (not "tick", the timers' word: QA round 44, A14).
        public static let tick = "deliverable `{0}`.`{1}` done"
        public static let untick = "deliverable `{0}`.`{1}` not done"
        public static let complete = "complete `{0}`"
        public static let completeWith = "complete `{0}` with `{1}`"
        public static let rework = "rework `{0}` → `{1}`: {2}"
        public static let joinChat = "`{0}` joins {1}"
        public static let theGroupChats = "the group chats"
        public static let addMember = "add `{1}` to `{0}`"
        public static let removeMember = "remove `{1}` from `{0}`"
        public static let lose = "lose ({0})"
        public static let win = "win"
        public static let claim = "claim"
        public static let release = "release"
        public static let assign = "assign to `{0}`"
        public static let timers = "time passes"
        public static let nobody = "nobody"
        public static let noReason = "no reason"
        public static let pool = "now in the {0} pool, owner {1}"
        public static let status = "the deal is {0}"
    }

    /// `{n}` replaced by argument n; other braces are kept (the diagnostics' own filling).
    public static func fill(_ format: String, _ arguments: [String]) -> String {
        Message(format, arguments).text
    }

    /// " (did you mean `x`?)" for the closest candidate within a small edit distance, else "" —
    /// the runner's rule, so that the host and the runner suggest alike.
    static func didYouMean(_ name: String, among candidates: [String]) -> String {
        Names.didYouMean(name, among: candidates)
    }
}
