import FlowExpr
import FlowIR
import FlowRuntime
import Testing

/// The runtime message catalogue: stable, unique codes, and an event that produces each one.
@Suite struct RefusalCatalogueTests {
    @Test func codesAreUniqueAndInTheRunnerRange() {
        let codes = RuntimeMessages.refusals.map(\.code)
        #expect(Set(codes).count == codes.count)
        #expect(Set(RuntimeMessages.refusals.map(\.name)).count == codes.count)
        for spec in RuntimeMessages.refusals {
            #expect(spec.code.hasPrefix("FC11") && spec.code.count == 6, "\(spec)")
            #expect(!spec.format.isEmpty && !spec.explanation.isEmpty, "\(spec)")
            #expect(spec.format.first?.isUppercase != true && spec.format.last != ".", "\(spec): lowercase, no trailing period")
            #expect(RuntimeMessages.refusal(code: spec.code) == spec)
        }
    }

    /// An event that is refused with `code`, on a fresh deal.
    static func produce(_ code: String) throws -> Refusal? {
        let mini = try machine(path: Mini.path)
        let name = [FieldAssignment("customer_name", .text("x"))]
        switch code {
        case "FC1101": var d = Deal(mini); return d.refuse(.tick)
        case "FC1102": var d = try Mini.deal(); return d.refuse(.create(dealID: "d", owner: nil, fields: name, members: []))
        case "FC1103":
            let d = try Mini.deal()
            return Runner.step(try machine(path: standardPath), d.snapshot, DealEvent(id: "x", at: t0, .tick), context: StepContext(now: t0)).failure
        case "FC1104":
            var s = try #require(try Mini.deal().snapshot)
            s.roleMembers.removeAll()
            return Runner.step(mini, s, DealEvent(id: "x", at: t0, .tick), context: StepContext(now: t0)).failure
        case "FC1105": var d = try Mini.lostToPool(); return d.refuse(.setFields(name))
        case "FC1106":
            let d = try Mini.deal()
            return Runner.step(mini, d.snapshot, DealEvent(id: "x", at: t0 - 1, .tick), context: StepContext(now: t0)).failure
        case "FC1107": var d = try Mini.deal(); return d.refuse(.tick, after: 10, context: StepContext(now: t0))
        case "FC1108": var d = try Mini.deal(); return d.refuse(.addRoleMember(role: "legal", person: ""))
        case "FC1109":
            let d = try Mini.deal()
            return Runner.step(mini, d.snapshot, DealEvent(id: "e1", at: t0, .tick), context: StepContext(now: t0)).failure
        case "FC1110": var d = try Mini.deal(); return d.refuse(.setFields([FieldAssignment("nope", .null)]))
        case "FC1111": var d = try Mini.deal(); return d.refuse(.setFields([FieldAssignment("margin", .null)]))
        case "FC1112": var d = try Mini.deal(); return d.refuse(.setFields([FieldAssignment("strategic", .text("yes"))]))
        case "FC1113": var d = try Mini.deal(); return d.refuse(.setFields([FieldAssignment("quote", money(-1))]))
        case "FC1114": var d = try Mini.deal(); return d.refuse(.setFields([FieldAssignment("tier", .text("bronze"))]))
        case "FC1115": var d = try Mini.deal(); return d.refuse(.complete(node: "talks", outcome: nil))
        case "FC1116": var d = try Mini.deal(); return d.refuse(.setFields([FieldAssignment("customer_name", .null)]))
        case "FC1117": var d = try Mini.deal(); return d.refuse(.setFields(name + name))
        case "FC1120": var d = try Mini.deal(); return d.refuse(.complete(node: "nope", outcome: nil))
        case "FC1121": var d = try Mini.deal(); return d.refuse(.complete(node: "signing", outcome: nil))
        case "FC1122":
            var d = try Mini.deal()
            try d.apply(.setFields([FieldAssignment("quote", money(1))]))
            return d.refuse(.complete(node: "talks", outcome: nil))
        case "FC1123": var d = try Mini.deal(); return d.refuse(.tickDeliverable(node: "talks", deliverable: "nope", done: true))
        case "FC1124": var d = try Mini.pastTalks(); return d.refuse(.complete(node: "review", outcome: nil))
        case "FC1125": var d = try Mini.pastTalks(); return d.refuse(.complete(node: "review", outcome: "nope"))
        case "FC1126": var d = try Mini.deal(); return d.refuse(.complete(node: "talks", outcome: "approve"))
        case "FC1127": var d = try Mini.deal(); return d.refuse(.win(node: nil))
        case "FC1130": var d = try Mini.atFork(); return d.refuse(.rework(node: "legal_review", target: "signing", reason: "x"))
        case "FC1131": var d = try Mini.atFork(); return d.refuse(.rework(node: "legal_review", target: "talks", reason: ""))
        case "FC1132": var d = try Mini.deal(); return d.refuse(.lose(reason: "nope"))
        case "FC1133":
            var d = Deal(try machine(yaml: """
            flowc: 1
            template: {id: t, version: 1.0.0, name: T}
            roles: {o: {name: O, owner: true}}
            nodes:
              - {id: a, name: A, owner: o, next: won}
              - {id: won, name: Won, kind: won}
            """))
            try d.apply(.create(dealID: "d", owner: "amy", fields: [], members: []))
            return d.refuse(.lose(reason: nil))
        case "FC1134":
            var d = Deal(try machine(yaml: """
            flowc: 1
            template: {id: t, version: 1.0.0, name: T}
            roles: {o: {name: O, owner: true}}
            nodes:
              - {id: a, name: A, owner: o, next: b}
              - {id: b, name: B, owner: o, next: won}
              - {id: won, name: Won, kind: won}
              - {id: lost, name: Lost, kind: lost}
            lose: {via: lost, from: [b]}
            """))
            try d.apply(.create(dealID: "d", owner: "amy", fields: [], members: []))
            return d.refuse(.lose(reason: nil))
        case "FC1135":
            var d = try Mini.deal()
            try d.apply(.lose(reason: "price"))
            return d.refuse(.lose(reason: "price"))
        case "FC1140": var d = try Mini.deal(); return d.refuse(.addRoleMember(role: "nope", person: "p"))
        case "FC1141": var d = try Mini.deal(); return d.refuse(.addRoleMember(role: "legal", person: "lee"))
        case "FC1142": var d = try Mini.deal(); return d.refuse(.removeRoleMember(role: "legal", person: "nobody"))
        case "FC1143": var d = try Mini.deal(); return d.refuse(.addRoleMember(role: "sales_owner", person: "p"))
        case "FC1150": var d = try Mini.deal(); return d.refuse(.claim, by: "bob")
        case "FC1151": var d = try Mini.lostToPool(); return d.refuse(.claim, by: "bob", owned: 2)
        case "FC1152": var d = try Mini.lostToPool(); return d.refuse(.claim, by: "alice")
        case "FC1153": var d = try Mini.deal(); return d.refuse(.assign(to: "bob"), by: "bob")
        case "FC1154":
            var d = Deal(try machine(yaml: """
            flowc: 1
            template: {id: t, version: 1.0.0, name: T}
            roles: {o: {name: O, owner: true}}
            nodes:
              - {id: a, name: A, owner: o, next: won}
              - {id: won, name: Won, kind: won}
            """))
            try d.apply(.create(dealID: "d", owner: nil, fields: [], members: []))
            return d.refuse(.assign(to: "p"), by: "m", canAssign: true)
        case "FC1155": var d = try Mini.deal(owner: nil); return d.refuse(.release, by: "alice")
        case "FC1156": var d = try Mini.deal(); return d.refuse(.release, by: "bob")
        case "FC1157": var d = try Mini.deal(); return d.refuse(.assign(to: "alice"), by: "mia")
        case "FC1158": var d = try Mini.lostToPool(); return d.refuse(.claim, by: nil)
        case "FC1159":
            // Idle for longer than the pool's idle timer: the tick before the event returns the
            // deal to the public pool, where nobody may complete its nodes.
            var d = try Mini.deal()
            try d.apply(.setFields([FieldAssignment("quote", money(1))]))
            return d.refuse(.complete(node: "talks", outcome: nil), after: 400 * day)
        case "FC1160":
            var d = Deal(try machine(yaml: LimitTests.skipLoop))
            try d.apply(.create(dealID: "d", owner: "o", fields: [], members: []))
            return d.refuse(.complete(node: "start", outcome: nil))
        case "FC1161":
            var d = try Mini.deal()
            d.limits.maxTextBytes = 1
            return d.refuse(.setFields([FieldAssignment("notes", .text("ab"))]))
        case "FC1174":
            var d = Deal(try machine(yaml: RunnerEventTests.noChat))
            try d.apply(.create(dealID: "d", owner: "o", fields: [], members: []))
            return d.refuse(.joinChat(person: "zoe", chat: nil))
        case "FC1180":
            var d = try Mini.deal()
            try d.apply(.lose(reason: "price"), by: "alice", after: day)
            return d.refuse(.release, by: "alice")
        case "FC1181": var d = try Mini.deal(); return d.refuse(.addRoleMember(role: "sales_manager", person: "bob"), by: "bob")
        case "FC1175": var d = try Mini.deal(); return d.refuse(.joinChat(person: "pete", chat: nil))
        case "FC1176": var d = try Mini.deal(); return d.refuse(.joinChat(person: "zoe", chat: "chat-nope"))
        case "FC1177":
            let d = try Mini.deal()
            return Runner.step(mini, d.snapshot, DealEvent(id: "x", at: t0, .tick), context: StepContext(now: t0, rules: StepContext.currentRules + 1)).failure
        default:
            // Migrations and node records (MigrationTests.swift).
            return try MigrationTests.produce(code)
        }
    }

    @Test(arguments: RuntimeMessages.refusals.map(\.code))
    func everyRefusalCodeIsProducedByAnEvent(_ code: String) throws {
        let refusal = try Self.produce(code)
        #expect(refusal?.code == code, "no event in this test produces \(code); got \(refusal?.description ?? "no refusal")")
        #expect(refusal.map { !$0.message.contains("{") } ?? false, "\(refusal?.message ?? "")")
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}
