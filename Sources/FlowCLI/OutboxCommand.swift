import ArgumentParser
import FlowDiagnostics
import FlowHost
import FlowRuntime
import FlowStore
import Foundation

/// `flowc outbox list|ack`: the effects waiting for another system to perform them (the core and
/// the host never perform one), and their acknowledgement once performed.
struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "List the effects waiting to be performed, and acknowledge those performed.",
        discussion: """
            Every effect a step emits (notifications, bot cards, group chats, linked \
            requirements, webhooks) waits in the store's outbox, oldest first, under a position \
            and a stable id, until it is acknowledged. A deliverer lists them, performs each \
            (using the effect id to stay idempotent on its side) and acknowledges the positions. \
            Thousands of positions are best given on standard input (`flowc outbox ack --stdin \
            < done.txt`): as arguments, their parsing takes time that grows with their square. \
            Exit codes: 0 done; 2 usage error (a position the outbox never gave out: nothing is \
            acknowledged), or a store that cannot be opened or written; 75 the store was busy \
            (another writer held it past --lock-timeout; try again); 130 `ack` stopped by Ctrl-C \
            or TERM: while it waited for its positions or the store (FC1242: nothing was \
            acknowledged), or while it wrote them (written whole, then said in a note).
            """,
        subcommands: [OutboxListCommand.self, OutboxAckCommand.self]
    )
}

struct OutboxListCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the effects not yet acknowledged, oldest first: position, deal, effect id, kind, people."
    )

    @Option(name: .long, help: "At most this many effects (0: every one waiting).")
    var limit = 100

    @Option(name: .long, help: ArgumentHelp("Start after this outbox position (paging without acknowledging).", valueName: "position"))
    var after: Int64 = 0

    @Flag(name: .long, help: "One JSON object per effect, with the effect as the runner emitted it.")
    var json = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit must be 0 (every effect) or more") }
        if after < 0 { throw ValidationError("--after must be a position, 0 or more") }
    }

    func execute(_ context: CLIContext) -> Int32 {
        guard let service = store.open(context) else { return ExitCode.usage }
        // Written as read, a page at a time: a long outbox is never held whole.
        let listed: Int, last: Int64, more: Bool
        var written: Int64?
        do {
            (listed, last, more) = try PagedListing.each(
                limit: limit, after: after, fetch: { try service.store.undeliveredEffects(after: $0, limit: $1) }, key: \.position,
                write: { write($0, context); written = $0.position })
        } catch {
            let failure = HostError.store(error)
            let code = HostOutput.fail(failure, context)
            // Cut short after a page was printed: said, so that the lines above are not taken for
            // the whole outbox (QA round 43, F5); in JSON as the last line, the failure object
            // that a command failing before its output prints alone.
            if let written {
                if json {
                    context.write(FailureJSON.object(errorLine: context.errorLine(failure), exit: code) + "\n")
                } else {
                    context.writeError("note: the list above stops after position \(written): the store failed reading the effects after it (a page at a time), so it is not the whole outbox\n")
                }
            }
            return code
        }
        if json {
            if more { context.writeError("note: more effects wait: --after \(last)\n") }
        } else {
            // On standard error: standard output is the effects, one a line, which a deliverer
            // pipes to `outbox ack --stdin` (QA round 36, D2: the count line's first word was
            // taken for a position, and acknowledged an effect never delivered).
            let count = "\(listed) effect\(listed == 1 ? "" : "s")"
            let from = after == 0 ? "" : " after position \(after)"
            if more {
                context.writeError("the first \(count) waiting\(from); more follow (--after \(last))\n")
            } else {
                context.writeError("\(count) waiting\(from)\n")
            }
        }
        return ExitCode.clean
    }

    /// One effect: a JSON line, or `POSITION  DEAL  fx-…  KIND → people`.
    func write(_ entry: OutboxEntry, _ context: CLIContext) {
        let effect = try? JSONValue.parse(Array(entry.payload)).get()
        if json {
            var fields: [(key: String, value: JSONValue)] = [
                ("position", .number(String(entry.position))), ("deal", .string(entry.dealID)),
                ("effect_id", .string(entry.effectID)), ("event_seq", .number(String(entry.eventSequence))),
            ]
            fields.append(("effect", effect ?? .string(String(decoding: entry.payload, as: UTF8.self))))
            context.write(JSONValue.object(fields).serialized + "\n")
        } else {
            let kind = effect?["kind"].flatMap { if case .string(let s) = $0 { s } else { nil } } ?? "?"
            var people: [String] = []
            if case .array(let list)? = effect?["people"] {
                for case .string(let p) in list { people.append(p) }
            }
            let to = people.isEmpty ? "" : " → " + people.map { Names.inline($0) }.joined(separator: ", ")
            context.write("\(entry.position)  \(Names.inline(entry.dealID))  \(entry.effectID)  \(kind)\(to)\n")
        }
    }
}

struct OutboxAckCommand: FlowcCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Acknowledge effects as performed, by their positions (from `flowc outbox list`)."
    )

    @Argument(help: "The positions of the effects performed.")
    var positions: [Int64] = []

    @Flag(name: .long, help: "Read the positions from standard input as well (separated by spaces or lines): for thousands of them. Standard input with no position acknowledges nothing, exit 0 (a deliverer's round with nothing done).")
    var stdin = false

    @Flag(name: .long, help: "Print the result as one JSON object: `acknowledged` (effects marked now) and `before` (acknowledged earlier).")
    var json = false

    @OptionGroup var store: StoreOptions

    func validate() throws {
        if positions.isEmpty && !stdin { throw ValidationError("give the positions of the effects performed (or --stdin)") }
    }

    /// The positions in a text (spaces, tabs and line ends between them); the first word that
    /// is not one, with its line, as an error.
    /// A byte-order mark at the start (a file saved by a Windows editor) is no part of the first
    /// position (QA round 36, D6: "`﻿1` is not a position", the mark invisible).
    static func readPositions(_ bytes: [UInt8]) -> (positions: [Int64], problem: String?) {
        let bytes = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        var out: [Int64] = []
        var line = 1
        var word: [UInt8] = []
        func flush() -> String? {
            defer { word = [] }
            guard !word.isEmpty else { return nil }
            let text = String(decoding: word, as: UTF8.self)
            guard let n = Int64(text) else {
                return "standard input, line \(line): `\(CharacterNames.showingInvisibles(String(text.prefix(40))))` is not a position (a whole number)"
            }
            out.append(n)
            return nil
        }
        for b in bytes {
            if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D {
                if let problem = flush() { return (out, problem) }
                if b == 0x0A { line += 1 }
            } else {
                word.append(b)
            }
        }
        if let problem = flush() { return (out, problem) }
        return (out, nil)
    }

    /// Positions as a reader takes them in: runs of consecutive ones as `37–200`, in the order
    /// given, at most ten parts and then how many more.
    static func ranges(_ positions: [Int64]) -> String {
        var parts: [String] = []
        var i = 0
        while i < positions.count {
            var j = i
            while j + 1 < positions.count, positions[j + 1] == positions[j] + 1 { j += 1 }
            parts.append(j > i ? "\(positions[i])–\(positions[j])" : "\(positions[i])")
            i = j + 1
        }
        guard parts.count > 10 else { return parts.joined(separator: ", ") }
        return parts.prefix(10).joined(separator: ", ") + " and \(parts.count - 10) more"
    }

    func execute(_ context: CLIContext) -> Int32 {
        // Ctrl-C or TERM: before the acknowledgements are written, nothing is; while they are,
        // they are written whole; either way said, exit 130 (QA round 41, A7: the process ended
        // without a word, the engineer unable to tell whether the acknowledgement happened).
        let interrupts = Interrupts.install()
        defer { interrupts.remove() }
        var positions = self.positions
        if stdin {
            guard let text = context.readStandardInput(stoppedBy: { interrupts.isRaised }), !interrupts.isRaised else {
                context.writeError(HostError.interruptedWaiting("the positions on standard input"))
                return ExitCode.interrupted
            }
            let read = Self.readPositions(text)
            if let problem = read.problem {
                context.writeError("error: \(problem); nothing acknowledged\n")
                return ExitCode.usage
            }
            positions += read.positions
            if positions.isEmpty {
                // A deliverer's loop that performed nothing this round: no error (QA round 13).
                guard store.open(context) != nil else { return ExitCode.usage }
                context.write(json ? #"{"acknowledged":0,"before":0}"# + "\n" : "acknowledged 0 effects (standard input held no position)\n")
                return ExitCode.clean
            }
        }
        if interrupts.isRaised {
            context.writeError(HostError.interruptedWaiting(stdin ? "the positions on standard input" : "the store"))
            return ExitCode.interrupted
        }
        // An acknowledgement dates no event: any clock is taken (QA round 29, N5).
        guard let service = store.open(context, writing: true, datesEvents: false) else { return ExitCode.usage }
        let now = StoreTime(millisecondsSinceEpoch: service.clock() * 1000)
        let changed: Int
        do {
            // A position the outbox never gave out is a typo or another store: nothing is
            // acknowledged, so that the list can be corrected and given again.
            let last = try service.store.lastOutboxPosition()
            var seen = Set<Int64>()
            let unknown = positions.filter { ($0 < 1 || $0 > last) && seen.insert($0).inserted }
            if !unknown.isEmpty {
                let range = last == 0 ? "the outbox is empty" : "its positions run from 1 to \(last)"
                let list = Self.ranges(unknown)
                context.writeError("error: position\(unknown.count == 1 ? "" : "s") \(list) \(unknown.count == 1 ? "is" : "are") not in the outbox (\(range)); nothing acknowledged\n")
                return ExitCode.usage
            }
            changed = try service.store.markDelivered(positions, at: now)
        } catch {
            return HostOutput.fail(HostError.store(error), context)
        }
        let asked = Set(positions).count
        if json {
            context.write("{\"acknowledged\":\(changed),\"before\":\(asked - changed)}\n")
        } else {
            var line = "acknowledged \(changed) effect\(changed == 1 ? "" : "s")"
            if changed < asked { line += "; \(asked - changed) \(asked - changed == 1 ? "was" : "were") acknowledged before" }
            context.write(line + "\n")
        }
        if interrupts.isRaised {
            context.writeError("note: interrupted (Ctrl-C or TERM) while acknowledging: the acknowledgements were written whole, as said\n")
            return ExitCode.interrupted
        }
        return ExitCode.clean
    }
}
