public import FlowIR
import FlowExpr

/// A verified machine with the dense tables the runner needs, computed once: the graph's
/// successors and predecessors, each fork's region and join, the lose path, computed fields in
/// dependency order, effect texts split into literal and field pieces, and the id → index maps
/// used only to resolve the names in incoming events.
///
/// Prepare a machine once and step many deals with it; ``Runner`` also accepts a
/// `VerifiedMachine` and prepares it on the fly.
public struct PreparedMachine: Sendable {
    public let verified: VerifiedMachine
    public var machine: Machine { verified.machine }

    let fieldSlot: [String: Int]
    let nodeIndex: [String: Int]
    let roleIndex: [String: Int]
    /// The role with `owner: true` (the first one, should a machine have several).
    let ownerRole: Int?
    let externalRoles: [Int]
    /// Computed field slots, each after the computed fields it reads.
    let computeOrder: [Int]
    let successors: [[Int]]
    let predecessors: [[Int]]
    /// Per fork node: the nodes of its branches (up to, not including, its join); empty otherwise.
    let forkRegion: [[Int]]
    /// Per fork node: its join; nil otherwise.
    let forkJoin: [Int?]
    /// Per join node: how many branches must arrive (its fork's branch count).
    let joinExpected: [Int]
    /// Whether a node is on the lose path (reachable from `lose.via`).
    let onLosePath: [Bool]
    /// Template-wide effects by trigger, resolved once.
    let triggerEffects: [TemplateTrigger: [Int]]
    /// Per effect definition: its texts by language, split into pieces.
    let effectTexts: [[(language: String, pieces: [TextPiece])]]

    /// Prepares a verified machine.
    public init(_ verified: VerifiedMachine) {
        self.verified = verified
        let m = verified.machine
        var fieldSlot: [String: Int] = [:]
        for (i, f) in m.fields.enumerated() where fieldSlot[f.id] == nil { fieldSlot[f.id] = i }
        var nodeIndex: [String: Int] = [:]
        for (i, n) in m.nodes.enumerated() where nodeIndex[n.id] == nil { nodeIndex[n.id] = i }
        var roleIndex: [String: Int] = [:]
        for (i, r) in m.roles.enumerated() where roleIndex[r.id] == nil { roleIndex[r.id] = i }
        self.fieldSlot = fieldSlot
        self.nodeIndex = nodeIndex
        self.roleIndex = roleIndex
        ownerRole = m.roles.firstIndex { $0.owner }
        externalRoles = m.roles.indices.filter { m.roles[$0].external }

        // Computed fields in dependency order (Kahn); a cycle, which the checker rejects but a
        // hand-made machine might hold, is evaluated in slot order rather than trapping.
        let n = m.fields.count
        var computeReads: [[Int]] = Array(repeating: [], count: n)
        var isComputed = Array(repeating: false, count: n)
        for (slot, f) in m.fields.enumerated() {
            guard let x = f.compute, m.expressions.indices.contains(x) else { continue }
            isComputed[slot] = true
            computeReads[slot] = m.expressions[x].reads.filter { $0 >= 0 && $0 < n && $0 != slot }
        }
        var order: [Int] = []
        var placed = Array(repeating: false, count: n)
        var progress = true
        while progress {
            progress = false
            for slot in 0..<n where isComputed[slot] && !placed[slot] {
                if computeReads[slot].allSatisfy({ !isComputed[$0] || placed[$0] }) {
                    placed[slot] = true
                    order.append(slot)
                    progress = true
                }
            }
        }
        for slot in 0..<n where isComputed[slot] && !placed[slot] { order.append(slot) }
        computeOrder = order

        let nn = m.nodes.count
        var successors: [[Int]] = Array(repeating: [], count: nn)
        var predecessors: [[Int]] = Array(repeating: [], count: nn)
        for (i, node) in m.nodes.enumerated() {
            for t in node.transition.targets where t >= 0 && t < nn && !successors[i].contains(t) {
                successors[i].append(t)
                predecessors[t].append(i)
            }
        }
        self.successors = successors
        self.predecessors = predecessors

        var forkRegion: [[Int]] = Array(repeating: [], count: nn)
        var forkJoin: [Int?] = Array(repeating: nil, count: nn)
        var joinExpected = Array(repeating: 0, count: nn)
        for (i, node) in m.nodes.enumerated() {
            guard case .fork(let branches, let join) = node.transition, join >= 0, join < nn else { continue }
            forkJoin[i] = join
            joinExpected[join] = max(joinExpected[join], branches.count)
            var seen = Array(repeating: false, count: nn)
            var stack = branches.filter { $0 >= 0 && $0 < nn && $0 != join }
            var region: [Int] = []
            while let x = stack.popLast() {
                if seen[x] { continue }
                seen[x] = true
                region.append(x)
                for y in successors[x] where y != join && !seen[y] { stack.append(y) }
            }
            forkRegion[i] = region.sorted()
        }
        self.forkRegion = forkRegion
        self.forkJoin = forkJoin
        self.joinExpected = joinExpected

        var onLosePath = Array(repeating: false, count: nn)
        if let via = m.lose?.via, via >= 0, via < nn {
            var stack = [via]
            while let x = stack.popLast() {
                if onLosePath[x] { continue }
                onLosePath[x] = true
                stack.append(contentsOf: successors[x].filter { !onLosePath[$0] })
            }
        }
        self.onLosePath = onLosePath

        var triggers: [TemplateTrigger: [Int]] = [:]
        for trigger in TemplateTrigger.allCases {
            triggers[trigger] = (m.triggers[trigger.rawValue] ?? []).filter { $0 >= 0 && $0 < m.effects.count }
        }
        triggerEffects = triggers
        effectTexts = m.effects.map { e in
            e.text.keys.sorted().map { language in (language, TextPiece.parse(e.text[language] ?? "", fieldSlot: fieldSlot)) }
        }
    }

    /// Nodes reachable from `start` (including it).
    func reachable(from start: Int) -> [Bool] {
        var seen = Array(repeating: false, count: successors.count)
        guard start >= 0, start < seen.count else { return seen }
        var stack = [start]
        while let x = stack.popLast() {
            if seen[x] { continue }
            seen[x] = true
            stack.append(contentsOf: successors[x].filter { !seen[$0] })
        }
        return seen
    }

    /// Nodes from which `target` can be reached (including it).
    func reaching(_ target: Int) -> [Bool] {
        var seen = Array(repeating: false, count: predecessors.count)
        guard target >= 0, target < seen.count else { return seen }
        var stack = [target]
        while let x = stack.popLast() {
            if seen[x] { continue }
            seen[x] = true
            stack.append(contentsOf: predecessors[x].filter { !seen[$0] })
        }
        return seen
    }
}

/// The template-wide triggers (`effects:` keys).
enum TemplateTrigger: String, CaseIterable, Sendable {
    case onCreate = "on_create", onWon = "on_won", onLost = "on_lost", onIdleWarning = "on_idle_warning"
    case onReturnToPool = "on_return_to_pool", onClaim = "on_claim", onRoleAdded = "on_role_added"
}

/// A piece of an effect text: literal text or a field placeholder.
enum TextPiece: Sendable, Hashable {
    case literal(String)
    case field(Int)

    /// Splits `{field}` placeholders out of a text; `{{` and `}}` are literal braces, and a
    /// placeholder naming no field is kept as written.
    static func parse(_ text: String, fieldSlot: [String: Int]) -> [TextPiece] {
        var pieces: [TextPiece] = []
        var literal = ""
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "{", i + 1 < chars.count, chars[i + 1] == "{" {
                literal.append("{")
                i += 2
            } else if c == "}", i + 1 < chars.count, chars[i + 1] == "}" {
                literal.append("}")
                i += 2
            } else if c == "{", let close = chars[(i + 1)...].firstIndex(of: "}") {
                let name = String(chars[(i + 1)..<close])
                if let slot = fieldSlot[name] {
                    if !literal.isEmpty { pieces.append(.literal(literal)); literal = "" }
                    pieces.append(.field(slot))
                } else {
                    literal += "{" + name + "}"
                }
                i = close + 1
            } else {
                literal.append(c)
                i += 1
            }
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        return pieces
    }
}
