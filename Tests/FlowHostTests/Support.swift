import FlowCheck
import FlowHost
import FlowIR
import FlowRuntime
import FlowStore
import Foundation
import Testing

let repoRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// Compiles a template file of the repository (or YAML text) to a verified machine.
func machine(_ relativePath: String) throws -> VerifiedMachine {
    try IRLoader.verify(try IRCompiler.compile(TemplateChecker.check(path: repoRoot + "/" + relativePath)))
}

func machine(yaml: String, path: String = "inline.flow.yaml") throws -> VerifiedMachine {
    let result = TemplateChecker.check(path: repoRoot + "/templates/" + path, bytes: Array(yaml.utf8))
    return try IRLoader.verify(try IRCompiler.compile(result))
}

let standard: VerifiedMachine = {
    do { return try machine("templates/standard-sale.flow.yaml") } catch { fatalError("the standard template does not compile: \(error)") }
}()

func bytes(_ relativePath: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: repoRoot + "/" + relativePath)))
}

/// Seconds since the epoch of an ISO-8601 datetime.
func at(_ text: String) -> Int64 {
    if case .absolute(let t)? = RecordReader.time(text: text) { return t }
    return 0
}

let day: Int64 = 86_400

/// The stores every host test runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomStringConvertible {
    case memory, sqlite
    var description: String { rawValue }
}

/// The directory this test process makes its scratch directories in, removed when the process
/// exits: the suite makes some 20,000 a run, and left them all in the system's temporary
/// directory (a development machine had gathered 1.9 million).
let scratchRoot: String = {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("flowc-tests-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: FileManager.default.temporaryDirectory.appendingPathComponent("flowc-tests-\(getpid())").path) }
    return root
}()

/// A temporary directory, inside ``scratchRoot``.
func temporaryDirectory() throws -> String {
    let dir = scratchRoot + "/flowc-host-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// A service over a fresh store of the given kind, with a clock fixed at `now`.
func service(_ kind: StoreKind, now: Int64 = at("2024-12-31T00:00:00Z"), batchSize: Int = 500) throws -> DealService {
    switch kind {
    case .memory:
        return DealService(store: InMemoryStore(), machines: MachineRegistry(archive: InMemoryMachineArchive()), clock: { now },
                           batchSize: batchSize)
    case .sqlite:
        let path = try temporaryDirectory() + "/deals.sqlite"
        return DealService(store: try SQLiteStore(path: path, durability: .processCrash),
                           machines: MachineRegistry(archive: DirectoryMachineArchive(besideDatabase: path)), clock: { now },
                           batchSize: batchSize)
    }
}

/// Runs the bundled example files (good deals, bad deals, events, CSV leads) through a service.
@discardableResult
func runExamples(_ service: DealService) throws -> (run: BulkRun, rejects: [String: [RejectedRecord]]) {
    let m = try service.machines.register(standard)
    let run = BulkRun(service: service, machine: m)
    var rejects: [String: [RejectedRecord]] = [:]
    for (file, kind) in [("standard-sale.deals.jsonl", 0), ("standard-sale.bad.deals.jsonl", 0), ("standard-sale.leads.csv", 1),
                         ("standard-sale.events.jsonl", 2)] {
        let data = try bytes("examples/" + file)
        let result = switch kind {
        case 0: run.runDeals(data, format: .jsonLines)
        case 1: run.runDeals(data, format: .csv)
        default: run.runEvents(data)
        }
        switch result {
        case .success(let r): rejects[file] = r
        case .failure(let problem): Issue.record("\(file):\(problem.line): \(problem.error)")
        }
    }
    return (run, rejects)
}

extension Result {
    var value: Success? {
        if case .success(let v) = self { return v }
        return nil
    }

    var error: Failure? {
        if case .failure(let e) = self { return e }
        return nil
    }
}

/// Calls `body` with every intermediate step of every deal in the store, by replaying each
/// deal's log on its machine (stops a deal's replay at a refused entry, which a test then sees
/// as fewer steps).
func forEachLoggedStep(_ s: DealService, _ body: (_ dealID: String, _ entry: LoggedEvent, _ outcome: StepOutcome) throws -> Void) throws {
    for id in try s.store.allDealIDs() {
        let view = try s.view(id)
        var snapshot: DealSnapshot?
        for entry in try s.log(of: id) {
            guard case .success(let outcome) = Runner.step(view.machine, snapshot, entry.event, context: entry.context) else { break }
            snapshot = outcome.snapshot
            try body(id, entry, outcome)
        }
    }
}

/// Text that needs every kind of JSON escape, and a new standard-sale deal created with it.
let textNeedingEscapes = "quote \" backslash \\ slash / tab \t nl \n cr \r bell \u{07} unit \u{1F} del \u{7F} 中文 😀 é"

func dealWithEscapes(_ s: DealService) throws -> UnitOutcome {
    let m = try s.machines.register(standard)
    return try #require(s.create(NewDealInput(dealID: "D-esc", at: .absolute(at("2024-05-06T09:00:00Z")), owner: "amy",
                                              fields: [WrittenValue("customer_name", .string("甲")), WrittenValue("follow_up_notes", .string(textNeedingEscapes))]),
                                 machine: m).value)
}
