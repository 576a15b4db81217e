public import FlowIR
public import FlowExpr

/// A verified machine with the dense tables the runner needs, computed once: the graph's
/// successors and predecessors, each fork's region and join, the lose path, computed fields in
/// dependency order, effect texts split into literal and field pieces, and the id → index maps
/// used only to resolve the names in incoming events.
///
/// Prepare a machine once and step many deals with it; ``Runner`` also accepts a
/// `VerifiedMachine` and prepares it on the fly.
public struct PreparedMachine: Sendable {
    /// Everything below lives in one shared, immutable object, so that copying a prepared machine
    /// (the runner keeps one per step) costs one reference count, not one per table.
    let tables: PreparedTables

    public var verified: VerifiedMachine { tables.verified }

    /// The ids of the nodes on the lose path: `lose.via` and every node after it (the loss review
    /// and the `lost` end). An open deal whose open nodes are all here was lost by its owner and
    /// is only finishing its follow-up: not pipeline.
    public var losePathNodeIDs: Set<String> {
        Set(zip(tables.machine.nodes, tables.onLosePath).compactMap { $1 ? $0.id : nil })
    }
    public var machine: Machine { tables.verified.machine }
    /// The machine's field types, read without copying the whole machine (as
    /// `verified.fieldTypes` does: a retain of every table in it).
    public var fieldTypes: [ExprType] { tables.verified.fieldTypes }

    var fieldSlot: [String: Int] { tables.fieldSlot }
    var nodeIndex: [String: Int] { tables.nodeIndex }
    var roleIndex: [String: Int] { tables.roleIndex }
    /// The role with `owner: true` (the first one, should a machine have several).
    var ownerRole: Int? { tables.ownerRole }
    var externalRoles: [Int] { tables.externalRoles }
    /// Computed field slots, each after the computed fields it reads.
    var computeOrder: [Int] { tables.computeOrder }
    var successors: [[Int]] { tables.successors }
    var predecessors: [[Int]] { tables.predecessors }
    /// Per fork node: the nodes of its branches (up to, not including, its join); empty otherwise.
    var forkRegion: [[Int]] { tables.forkRegion }
    /// Per fork node: its join; nil otherwise.
    var forkJoin: [Int?] { tables.forkJoin }
    /// Per join node: how many branches must arrive (its fork's branch count).
    var joinExpected: [Int] { tables.joinExpected }
    /// Whether a node is on the lose path (reachable from `lose.via`).
    var onLosePath: [Bool] { tables.onLosePath }

    /// Whether the deal is on its lose path (an open node of it is reachable from `lose.via`):
    /// its idle timer does not run then (docs/runtime.md §7).
    /// Whether the deal's idle clock has stopped: the node `pool.idle.until` names is done (or
    /// was skipped), so the deal stays with its owner through the nodes after it.
    public func idleStopped(_ s: DealSnapshot) -> Bool { Self.idleStopped(s.nodes, tables.machine.pool.idleUntil) }

    static func idleStopped(_ nodes: [NodeState], _ until: Int?) -> Bool {
        guard let u = until, nodes.indices.contains(u) else { return false }
        return nodes[u].status == .done || nodes[u].status == .skipped
    }

    public func isLosing(_ s: DealSnapshot) -> Bool {
        let path = tables.onLosePath
        return s.nodes.indices.contains { $0 < path.count && path[$0] && s.nodes[$0].status.isOpen }
    }
    /// Template-wide effects by trigger, resolved once.
    var triggerEffects: [TemplateTrigger: [Int]] { tables.triggerEffects }
    /// Per effect definition: its texts by language, split into pieces.
    var effectTexts: [[(language: String, pieces: [TextPiece])]] { tables.effectTexts }

    /// Prepares a verified machine.
    public init(_ verified: VerifiedMachine) {
        tables = PreparedTables(verified)
    }

    /// The machine whose tables these are.
    init(tables: PreparedTables) {
        self.tables = tables
    }

    /// Nodes reachable from `start` (including it).
    /// - Parameter stop: a node whose successors are not followed (it is reached itself).
    /// - Parameter forward: along the transitions that lead forward only (``ForwardEdges``).
    func reachable(from start: Int, stoppingAt stop: Int? = nil, forward: Bool = false) -> [Bool] {
        let successors = forward ? tables.forward.successors : self.successors
        var seen = Array(repeating: false, count: successors.count)
        guard start >= 0, start < seen.count else { return seen }
        var stack = [start]
        while let x = stack.popLast() {
            if seen[x] { continue }
            seen[x] = true
            if x == stop && x != start { continue }
            stack.append(contentsOf: successors[x].filter { !seen[$0] })
        }
        return seen
    }

    /// Nodes from which `target` can be reached (including it).
    /// - Parameter stop: a node whose predecessors are not followed (it is included itself).
    /// - Parameter forward: along the transitions that lead forward only (``ForwardEdges``).
    func reaching(_ target: Int, stoppingAt stop: Int? = nil, forward: Bool = false) -> [Bool] {
        let predecessors = forward ? tables.forward.predecessors : self.predecessors
        var seen = Array(repeating: false, count: predecessors.count)
        guard target >= 0, target < seen.count else { return seen }
        var stack = [target]
        while let x = stack.popLast() {
            if seen[x] { continue }
            seen[x] = true
            if x == stop && x != target { continue }
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

/// A piece of an effect text: literal text, a field placeholder, or in `on_role_added` effects
/// the person added (`{added.person}`) and the role they joined (`{added.role}`, its name).
enum TextPiece: Sendable, Hashable {
    case literal(String)
    case field(Int)
    case addedPerson
    case addedRole

    /// The placeholders that name the person added to a role and the role (no field id has a dot).
    static let addedPersonName = "added.person", addedRoleName = "added.role"

    /// Splits `{field}` placeholders out of a text; `{{` and `}}` are literal braces, and a
    /// placeholder naming no field is kept as written.
    static func parse(_ text: String, fieldSlot: [String: Int]) -> [TextPiece] {
        var pieces: [TextPiece] = []
        var literal = ""
        let chars = Array(text)
        var i = 0
        // Once a `{` finds no `}` after it, none after it does: no more searching (a text of
        // many `x{` was a search to the end from each, quadratic; IR review F5).
        var noCloseAhead = false
        while i < chars.count {
            let c = chars[i]
            if c == "{", i + 1 < chars.count, chars[i + 1] == "{" {
                literal.append("{")
                i += 2
            } else if c == "}", i + 1 < chars.count, chars[i + 1] == "}" {
                literal.append("}")
                i += 2
            } else if c == "{", !noCloseAhead, let close = chars[(i + 1)...].firstIndex(of: "}") {
                let name = String(chars[(i + 1)..<close])
                let piece: TextPiece? = switch name {
                case addedPersonName: .addedPerson
                case addedRoleName: .addedRole
                default: fieldSlot[name].map(TextPiece.field)
                }
                if let piece {
                    if !literal.isEmpty { pieces.append(.literal(literal)); literal = "" }
                    pieces.append(piece)
                } else {
                    literal += "{" + name + "}"
                }
                i = close + 1
            } else {
                if c == "{" { noCloseAhead = true }
                literal.append(c)
                i += 1
            }
        }
        if !literal.isEmpty { pieces.append(.literal(literal)) }
        return pieces
    }
}
