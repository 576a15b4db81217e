import FlowCheck
import FlowDiagnostics
import FlowExpr
import FlowHost
import FlowIR
import FlowRuntime
import FlowStore
import Foundation
import Testing

// The code of docs/embedding.md, compiled and run here: each ```swift block of the page is a
// part of this file, word for word (EmbeddingGuideTests checks that it is).

// MARK: guide: machine

/// Checks and compiles a template. A host can load a file `flowc compile` wrote instead:
/// `IRLoader.load(bytes)`, which verifies it as this does.
func compiledMachine(templateAt path: String) throws -> VerifiedMachine {
    let checked = TemplateChecker.check(path: path)
    return try IRLoader.verify(try IRCompiler.compile(checked))
}

/// The errors of a template that does not check, as `flowc check` prints them.
func checkErrors(_ error: CompileError) -> String {
    let renderer = HumanRenderer(color: false)
    return error.diagnostics.map { renderer.render($0) }.joined(separator: "\n")
}

// MARK: guide: deals

/// Opens the store, creates a deal and applies an event from another system.
func createAndAdvance(store path: String, template: String, at now: Int64) throws -> DealService {
    let (service, notes) = try DealService.open(writingTo: path, lockTimeout: 30, clock: { now })
    for note in notes { print("note: \(note)") }
    let machine = try service.machines.register(try compiledMachine(templateAt: template))

    let deal = NewDealInput(dealID: "D-1", owner: "li.si",
                            fields: [WrittenValue("customer_name", .string("远山物流股份有限公司"))])
    switch service.create(deal, machine: machine) {
    case .success(let outcome): print("created, effects: \(outcome.effects.map(\.kind.rawValue))")
    case .failure(let error): print("refused \(error.code): \(error.message)")
    }

    // The caller's event id makes a delivery made twice apply once (`.skip`).
    let set = EventInput(id: "crm-1042", actor: "li.si", .set([WrittenValue("quote", .string("90000 CNY"))]))
    if case .failure(let error) = service.apply([set], to: "D-1", repeated: .skip) {
        print("refused \(error.code): \(error.message)")
    }
    return service
}

/// A deal's quote, as text, or nil while it has none.
func quote(of dealID: String, in service: DealService) throws -> String? {
    let deal = try service.view(dealID)
    guard case .money(let amount, let currency)? = deal.value(of: "quote") else { return nil }
    return "\(amount) \(currency)"
}

// MARK: guide: timers and effects

/// What a scheduler runs: the due timers, then the outbox.
func tickAndDeliver(_ service: DealService, at now: Int64, deliver: (OutboxEntry) -> Bool) throws {
    let report = service.tick(at: now)
    print("ticked \(report.ticked.count) deals, \(report.returnedToPool.count) back to the public pool")

    // Each effect waits until it is acknowledged: deliver it (a message, a card, a webhook),
    // then acknowledge what was delivered. A crash in between delivers it again, never loses it.
    let pending = try service.store.undeliveredEffects(limit: 500)
    let delivered = pending.filter(deliver).map(\.position)
    try service.store.markDelivered(delivered, at: DealService.storeTime(now))
}

// MARK: guide: end

@Suite struct EmbeddingGuideTests {
    /// The guide's functions do what the page says, on the standard template.
    @Test func theGuideRuns() throws {
        let db = try temporaryDirectory() + "/deals.sqlite"
        let now = at("2024-06-03T02:00:00Z")
        let service = try createAndAdvance(store: db, template: repoRoot + "/templates/standard-sale.flow.yaml", at: now)
        let view = try service.view("D-1")
        #expect(view.snapshot.owner == "li.si")
        #expect(try quote(of: "D-1", in: service) == "90000 CNY")
        #expect(view.values["customer_name"] == ExprValue.text("远山物流股份有限公司"))
        #expect(view.value(of: "no_such_field") == nil)
        #expect(view.snapshot.sequence == 2)
        // Delivered again, the event is not applied again.
        let again = EventInput(id: "crm-1042", actor: "li.si", .set([WrittenValue("quote", .string("90000 CNY"))]))
        #expect((try? service.apply([again], to: "D-1", repeated: .skip).get())?.skipped == 1)
        #expect(try service.view("D-1").snapshot.sequence == 2)
        var seen: [String] = []
        try tickAndDeliver(service, at: now + 60 * day) { entry in seen.append(entry.dealID); return true }
        #expect(!seen.isEmpty)
        #expect(try service.store.undeliveredEffects(limit: 500).isEmpty)
        #expect(try service.view("D-1").snapshot.pool == .public, "the idle timer returned it")
    }

    /// A template that does not check: the error carries the check's errors, and its message
    /// names the first (QA round 26, E2: it said to run the CLI, and a missing file read as a
    /// template with one error).
    @Test func aTemplateThatDoesNotCheckThrowsItsErrors() throws {
        let dir = try temporaryDirectory()
        let bad = dir + "/bad.flow.yaml"
        try Data("flowc: 1\ntemplate: {id: t, version: 1.0.0, name: T}\nnodes:\n  - {id: a, name: A, next: b}\n".utf8).write(to: URL(fileURLWithPath: bad))
        do {
            _ = try compiledMachine(templateAt: bad)
            Issue.record("compiled")
        } catch let error as CompileError {
            #expect(!error.diagnostics.isEmpty && error.diagnostics.allSatisfy { $0.severity == .error })
            #expect(error.message.hasPrefix("the template has \(error.diagnostics.count) error"), "\(error.message)")
            #expect(error.message.contains("\(bad):"), "\(error.message)")
            #expect(!error.message.contains("flowc check"))
            #expect(checkErrors(error).contains("error[\(error.diagnostics[0].code)]"), "\(checkErrors(error))")
        }
        do {
            _ = try compiledMachine(templateAt: dir + "/missing.flow.yaml")
            Issue.record("compiled")
        } catch let error as CompileError {
            #expect(error.diagnostics.map(\.code.description) == ["FC0001"])
            #expect(error.message == "the template has 1 error: \(dir)/missing.flow.yaml: error[FC0001]: cannot read `\(dir)/missing.flow.yaml`: no such file or directory", "\(error.message)")
        }
    }

    /// Each ```swift block of docs/embedding.md is in this file as written.
    @Test func thePageQuotesThisFile() throws {
        let page = try String(contentsOfFile: repoRoot + "/docs/embedding.md", encoding: .utf8)
        let file = try String(contentsOfFile: repoRoot + "/Tests/FlowHostTests/EmbeddingGuideTests.swift", encoding: .utf8)
        let blocks = page.components(separatedBy: "```swift\n").dropFirst().map { $0.components(separatedBy: "```").first ?? "" }
        #expect(blocks.count >= 3)
        for block in blocks { #expect(file.contains(block), "\(block.prefix(80))") }
    }
}
