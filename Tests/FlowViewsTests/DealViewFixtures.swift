import FlowCheck
import FlowExpr
import FlowHost
import FlowIR
import FlowRuntime
@testable import FlowStore
import Foundation
@testable import FlowViews

/// Stores of real deals for the view and report tests: the bundled example records run through
/// the host several times, with their ids, customers, owners, industries and amounts varied.
enum DealViewFixtures {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// 2024-06-20T00:00:00Z: after every example event.
    static let now: Int64 = 1_718_841_600

    struct SetupError: Error, CustomStringConvertible { var description: String }

    static func machine(_ relative: String = "templates/standard-sale.flow.yaml") throws -> VerifiedMachine {
        let result = TemplateChecker.check(path: relative, fs: DiskFileSystem(base: root))
        if result.hasErrors { throw SetupError(description: "\(result.diagnostics.map(\.message.text))") }
        return try IRLoader.verify(try IRCompiler.compile(result))
    }

    /// The example records, `copies` times, varied per copy.
    static func records(copies: Int) throws -> String {
        let text = try String(contentsOfFile: root + "/examples/standard-sale.deals.jsonl", encoding: .utf8)
        let industries = ["manufacturing", "retail", "finance", "internet", "healthcare", "education"]
        var out = ""
        for k in 0..<copies {
            for line in text.split(separator: "\n") where line.hasPrefix("{") {
                var l = String(line)
                if k > 0 {
                    l = l.replacingOccurrences(of: "\"id\": \"D-", with: "\"id\": \"K\(k)-")
                    l = l.replacingOccurrences(of: "\"customer_name\": \"", with: "\"customer_name\": \"客户\(k)·")
                    l = l.replacingOccurrences(of: "\"tax_id\": \"", with: "\"tax_id\": \"\(k)")
                    l = l.replacingOccurrences(of: "\"industry\": \"[a-z_]+\"", with: "\"industry\": \"\(industries[k % industries.count])\"",
                                               options: .regularExpression)
                    l = l.replacingOccurrences(of: "000 CNY\"", with: "\(k)00 CNY\"")
                    for person in ["zhang.san", "li.si", "wang.wu"] {
                        l = l.replacingOccurrences(of: "\"\(person)\"", with: "\"\(person)\(k % 2 == 0 ? "" : ".b")\"")
                    }
                }
                out += l + "\n"
            }
        }
        return out
    }

    /// A service over a store holding `copies` × the example deals.
    static func service(_ store: any DealStore, copies: Int = 4) throws -> DealService {
        let registry = MachineRegistry(archive: InMemoryMachineArchive())
        let service = DealService(store: store, machines: registry, clock: { now })
        let machine = try registry.register(try machine())
        let bulk = BulkRun(service: service, machine: machine)
        switch bulk.runDeals(Array(try records(copies: copies).utf8), format: .jsonLines) {
        case .failure(let problem): throw SetupError(description: "\(problem)")
        case .success(let rejected): if !rejected.isEmpty { throw SetupError(description: "\(rejected.map(\.error))") }
        }
        return service
    }

    /// A fresh SQLite store in a temporary directory.
    static func sqlite() throws -> SQLiteStore {
        try SQLiteStore(path: try scratchDirectory("flowc-views") + "/deals.sqlite")
    }

    /// A view compiled against the standard template's fields, or its diagnostics' codes.
    static func compile(_ spec: DealViewSpec, now: Int64 = now) throws -> Result<CompiledDealView, ViewProblems> {
        CompiledDealView.compile(spec, schema: DealViewSchema(machine: try machine()), defaultColumns: ["deal"],
                                 clock: ExprClock(now: now), locator: .options(spec))
    }
}

/// The directory this test process makes its scratch directories in, removed when the process
/// exits (as the host and CLI tests' own: the views tests left some 230 directories a run in the
/// system's temporary directory).
let viewsScratchRoot: String = {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("flowc-tests-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: FileManager.default.temporaryDirectory.appendingPathComponent("flowc-tests-\(getpid())").path) }
    return root
}()

/// A new directory inside ``viewsScratchRoot``, its name starting with `prefix`.
func scratchDirectory(_ prefix: String) throws -> String {
    let dir = viewsScratchRoot + "/\(prefix)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}
