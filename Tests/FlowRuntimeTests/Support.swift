import FlowCheck
import FlowExpr
import FlowIR
import FlowRuntime
import Foundation
import Testing

let repoRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

struct SetupError: Error, CustomStringConvertible {
    var description: String
}

/// Compiles and verifies a template under the repository root.
func machine(path: String) throws -> PreparedMachine {
    let result = TemplateChecker.check(path: path, fs: DiskFileSystem(base: repoRoot))
    return PreparedMachine(try IRLoader.verify(try IRCompiler.compile(result)))
}

/// Compiles and verifies template text (with optional extra files).
func machine(yaml: String, files: [String: String] = [:]) throws -> PreparedMachine {
    var all = files
    all["/t/test.flow.yaml"] = yaml
    let result = TemplateChecker.check(path: "/t/test.flow.yaml", bytes: Array(yaml.utf8), fs: MemoryFileSystem(all))
    if result.hasErrors {
        throw SetupError(description: result.diagnostics.map { "\($0.code): \($0.message.text)" }.joined(separator: "\n"))
    }
    return PreparedMachine(try IRLoader.verify(try IRCompiler.compile(result)))
}

let standardPath = "templates/standard-sale.flow.yaml"

/// 2024-05-06T09:00:00+08:00.
let t0: Int64 = 1_714_957_200
let minute: Int64 = 60
let hour: Int64 = 3_600
let day: Int64 = 86_400

func money(_ amount: Int64, _ currency: String = "CNY") -> ExprValue { .money(amount: ExprDecimal(amount), currency: currency) }

/// Drives one deal through a machine, event by event, keeping the log for replays.
struct Deal {
    let pm: PreparedMachine
    var snapshot: DealSnapshot?
    var time: Int64
    var counter = 0
    var log: [(DealEvent, StepContext)] = []
    var effects: [Effect] = []
    var allEffects: [Effect] = []
    var limits: RunnerLimits = .default

    init(_ pm: PreparedMachine, at time: Int64 = t0) {
        self.pm = pm
        self.time = time
    }

    var m: Machine { pm.machine }

    mutating func event(_ action: DealAction, by actor: String?, after: Int64) -> DealEvent {
        time += after
        counter += 1
        return DealEvent(id: "e\(counter)", at: time, actor: actor, action)
    }

    /// Applies an event that must be accepted; returns its effects.
    @discardableResult
    /// - Parameter rules: the runner rules to step under (a log written by an older flowc).
    mutating func apply(_ action: DealAction, by actor: String? = nil, after: Int64 = 0, owned: Int = 0, canAssign: Bool = false,
                        rules: Int = StepContext.currentRules, sourceLocation: SourceLocation = #_sourceLocation) throws -> [Effect] {
        let e = event(action, by: actor, after: after)
        let context = StepContext(now: e.at, ownedOpenDeals: owned, actorCanAssign: canAssign, rules: rules)
        switch Runner.step(pm, snapshot, e, context: context, limits: limits) {
        case .success(let outcome):
            snapshot = outcome.snapshot
            effects = outcome.effects
            allEffects += outcome.effects
            log.append((e, context))
            return outcome.effects
        case .failure(let refusal):
            Issue.record("refused \(action.name): \(refusal)", sourceLocation: sourceLocation)
            throw refusal
        }
    }

    /// Applies an event that must be refused; checks that nothing changed and returns the refusal.
    @discardableResult
    mutating func refuse(_ action: DealAction, by actor: String? = nil, after: Int64 = 0, owned: Int = 0, canAssign: Bool = false,
                         context: StepContext? = nil, sourceLocation: SourceLocation = #_sourceLocation) -> Refusal? {
        let before = snapshot
        let savedTime = time
        let e = event(action, by: actor, after: after)
        let ctx = context ?? StepContext(now: e.at, ownedOpenDeals: owned, actorCanAssign: canAssign)
        switch Runner.step(pm, snapshot, e, context: ctx, limits: limits) {
        case .success:
            Issue.record("expected \(action.name) to be refused", sourceLocation: sourceLocation)
            return nil
        case .failure(let refusal):
            #expect(snapshot == before, sourceLocation: sourceLocation)
            time = savedTime
            counter -= 1
            return refusal
        }
    }

    func node(_ id: String) -> NodeState? {
        guard let s = snapshot, let i = m.nodes.firstIndex(where: { $0.id == id }) else { return nil }
        return s.nodes[i]
    }

    var active: [String] { snapshot.map { s in s.openNodes.map { m.nodes[$0].id } } ?? [] }

    func field(_ id: String) -> ExprValue? {
        guard let s = snapshot, let i = m.fields.firstIndex(where: { $0.id == id }) else { return nil }
        return s.fields[i]
    }

    func members(_ role: String) -> [String] {
        guard let s = snapshot, let i = m.roles.firstIndex(where: { $0.id == role }) else { return [] }
        return s.roleMembers[i]
    }

    var kinds: [EffectKind] { effects.map(\.kind) }

    /// Ticks every deliverable of a node, then completes it.
    @discardableResult
    mutating func finish(_ node: String, outcome: String? = nil, by actor: String? = nil, after: Int64 = 0,
                         sourceLocation: SourceLocation = #_sourceLocation) throws -> [Effect] {
        let deliverables = m.nodes.first { $0.id == node }?.deliverables ?? []
        var first = true
        for d in deliverables {
            try apply(.tickDeliverable(node: node, deliverable: d, done: true), by: actor, after: first ? after : 0, sourceLocation: sourceLocation)
            first = false
        }
        return try apply(.complete(node: node, outcome: outcome), by: actor, after: first ? after : 0, sourceLocation: sourceLocation)
    }

    /// The fold of this deal's log.
    func replayed() -> Result<ReplayOutcome, ReplayFailure> {
        Runner.replay(pm, events: log.map(\.0), contexts: log.map(\.1), limits: limits)
    }
}

/// The standard template's fields for each stage.
enum Standard {
    static let createFields: [FieldAssignment] = [
        FieldAssignment("customer_name", .text("星辰科技（北京）有限公司")),
        FieldAssignment("contact_name", .text("王经理")),
    ]

    static let talks: [FieldAssignment] = [
        FieldAssignment("contact_phone", .text("13800000000")),
        FieldAssignment("intent", .enumValue("high")),
        FieldAssignment("last_visit_at", .datetime(seconds: t0)),
        FieldAssignment("follow_up_notes", .text("首次拜访")),
    ]

    static let negotiation: [FieldAssignment] = [
        FieldAssignment("requirement_summary", .text("CRM 上云")),
        FieldAssignment("decision_maker", .text("李总")),
        FieldAssignment("amount", money(300_000)),
        FieldAssignment("expected_close_date", .date(days: 19_900)),
        FieldAssignment("products", .list([.text("crm")])),
    ]

    static func quotation(quote: Int64, cost: Int64) -> [FieldAssignment] {
        [FieldAssignment("quote", money(quote)), FieldAssignment("cost", money(cost)),
         FieldAssignment("discount_rate", .decimal(ExprDecimal(significand: 1, scale: 1) ?? .zero)),
         FieldAssignment("payment_terms", .enumValue("net30"))]
    }

    /// A new deal owned by alice, with a manager, presales, legal and finance on it.
    static func deal() throws -> Deal {
        var d = Deal(try machine(path: standardPath))
        try d.apply(.create(dealID: "deal-1", owner: "alice", fields: createFields,
                            members: [RoleAssignment("sales_manager", "mia"), RoleAssignment("presales", "pete"),
                                      RoleAssignment("legal", "lee"), RoleAssignment("finance", "fay"),
                                      RoleAssignment("customer_contact", "carl")]), by: "alice")
        return d
    }

    /// Brings a new deal to `proposal_quotation`.
    static func atQuotation() throws -> Deal {
        var d = try deal()
        try d.apply(.setFields(talks), after: hour)
        try d.finish("initial_talks", after: hour)
        try d.apply(.setFields(negotiation), after: day)
        try d.finish("requirement_negotiation", after: hour)
        return d
    }
}

/// The compact template in testdata/run/mini.flow.yaml.
enum Mini {
    static let path = "testdata/run/mini.flow.yaml"

    static let members = [RoleAssignment("sales_manager", "mia"), RoleAssignment("presales", "pete"), RoleAssignment("legal", "lee"),
                          RoleAssignment("finance", "fay"), RoleAssignment("contact", "carl"), RoleAssignment("audit", "ada")]

    /// A new deal owned by alice.
    static func deal(owner: String? = "alice", fields: [FieldAssignment] = []) throws -> Deal {
        var d = Deal(try machine(path: path))
        try d.apply(.create(dealID: "deal-1", owner: owner, fields: [FieldAssignment("customer_name", .text("星辰科技"))] + fields,
                            members: members), by: owner)
        return d
    }

    /// Completes `talks` with the given quote and cost.
    static func pastTalks(quote: Int64 = 100, cost: Int64 = 50, fields: [FieldAssignment] = []) throws -> Deal {
        var d = try deal(fields: fields)
        try d.apply(.setFields([FieldAssignment("quote", money(quote)), FieldAssignment("cost", money(cost))]), after: hour)
        try d.finish("talks", after: hour)
        return d
    }

    /// A deal at the fork (legal and finance review active).
    static func atFork() throws -> Deal {
        var d = try pastTalks()
        try d.apply(.complete(node: "review", outcome: "approve"), by: "mia", after: hour)
        return d
    }

    /// A deal lost for `price` and through its loss review: in the public pool.
    static func lostToPool() throws -> Deal {
        var d = try deal()
        try d.apply(.lose(reason: "price"), by: "alice", after: day)
        try d.apply(.setFields([FieldAssignment("notes", .text("too expensive"))]))
        try d.apply(.complete(node: "loss_review", outcome: nil), by: "alice", after: hour)
        return d
    }
}

/// The refusal's code, for `#expect(code(of: ...) == "FC1121")`.
func code(_ refusal: Refusal?) -> String? { refusal?.code }
