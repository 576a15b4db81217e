import FlowExpr
import FlowIR

/// The tables of a ``PreparedMachine``, computed once and shared by every copy of it.
///
/// Besides the graph tables, it holds what lets a step do only the work an event calls for:
/// for every computed field and every tailoring condition, the field slots it reads (as a
/// 64-bit mask, `slot % 64`, so a test is one `and`) and whether it reads the clock. A step
/// that only edits fields re-evaluates what reads an edited slot, and nothing else.
final class PreparedTables: Sendable {
    let verified: VerifiedMachine
    let machine: Machine

    let fieldSlot: [String: Int]
    let nodeIndex: [String: Int]
    let roleIndex: [String: Int]
    let ownerRole: Int?
    let externalRoles: [Int]
    let computeOrder: [Int]
    let successors: [[Int]]
    let predecessors: [[Int]]
    /// The transitions that lead forward, without those back to a node that dominates their
    /// source (runner rules 12).
    let forward: ForwardEdges
    let forkRegion: [[Int]]
    let forkJoin: [Int?]
    let joinExpected: [Int]
    let onLosePath: [Bool]
    let triggerEffects: [TemplateTrigger: [Int]]
    let effectTexts: [[(language: String, pieces: [TextPiece])]]

    /// Per field slot: whether it is computed (`compute` set); such fields refuse assignments.
    let isComputed: [Bool]
    /// Per computed field slot (others 0): the slots its expression reads, as a mask.
    let computeReadMask: [UInt64]
    /// Per computed field slot: whether it must be evaluated on every field change whatever it
    /// reads (it reads the clock, or its expression cannot be analysed).
    let computeAlways: [Bool]
    /// Per node: the `when` the flow ahead projects (tasks and forks with `when`; approvals
    /// ignore theirs), else nil.
    let projectedWhen: [Int?]
    /// Per node: the slots its projected `when` reads, as a mask.
    let whenReadMask: [UInt64]
    /// Per node: whether its projected `when` must be evaluated at every event (clock, or not analysable).
    let whenAlways: [Bool]
    /// Per node: the delay of its escalation after the node is blocked (`max(0, after)`), if any.
    let escalationDelay: [Int64?]
    /// Field ids → slots, for the names in incoming events (see ``FieldNameTable``).
    let fieldNames: FieldNameTable
    /// Per field slot: its type when values of that type are stored as given (no bounds, no
    /// conversion), for the fast path of field validation.
    let valueKinds: [ValueKind]
    /// Per field slot: its `compute` expression, if any (read without copying the field's definition).
    let computeExpression: [Int?]
    /// The union of ``computeReadMask`` over the computed fields, and whether any of them is
    /// ``computeAlways``: a field edit that touches none of these slots recomputes nothing.
    let computeAnyReadMask: UInt64
    let computeAnyAlways: Bool
    /// The nodes with a projected `when` (``projectedWhen`` set), in node order.
    let projectedNodes: [Int]
    /// The union of ``whenReadMask`` over ``projectedNodes``, and whether any of them is
    /// ``whenAlways``: a field edit that touches none of these slots projects nothing anew.
    let whenAnyReadMask: UInt64
    let whenAnyAlways: Bool
    /// Per node, in one array: what the check of every event reads (``NodeFacts``).
    let nodeFacts: [NodeFacts]

    /// What ``Stepper/usable(_:_:)`` needs of one node, side by side so that the pass over a
    /// deal's nodes reads one table.
    struct NodeFacts: Sendable {
        /// How many deliverables the node has.
        var deliverables: Int
        /// How many outcomes it has (approvals), or -1 when it takes none.
        var outcomes: Int
        /// Its escalation delay after being blocked (`max(0, after)`), or -1 without escalation.
        var escalationDelay: Int64
        /// Its `probability`, or `Int.min` without one.
        var probability: Int
        /// Whether it has a projected `when`.
        var projected: Bool
        /// Whether it is on the lose path (`lose.via` and the nodes after it).
        var losePath: Bool
        /// Whether a way leads from it to a `won` node (true for every node of a flow without
        /// one, whose forecast says nothing either way).
        var canWin: Bool
    }

    enum ValueKind: UInt8, Sendable {
        case other, text, boolean, date, datetime, duration
    }

    /// The mask bit of a field slot.
    @inline(__always) static func bit(_ slot: Int) -> UInt64 { 1 &<< UInt64(truncatingIfNeeded: slot & 63) }

    init(_ verified: VerifiedMachine) {
        self.verified = verified
        let m = verified.machine
        machine = m
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
        self.isComputed = m.fields.map { $0.compute != nil }

        /// The read mask of an expression and whether it must always be evaluated.
        func dependencies(_ x: Int) -> (mask: UInt64, always: Bool) {
            guard m.expressions.indices.contains(x), verified.expressions.indices.contains(x) else { return (0, true) }
            let reads = m.expressions[x].reads
            var mask: UInt64 = 0
            for slot in reads { mask |= PreparedTables.bit(slot) }
            return (mask, verified.expressions[x].usesClock || reads.contains { $0 < 0 || $0 >= n })
        }
        var computeReadMask = Array(repeating: UInt64(0), count: n)
        var computeAlways = Array(repeating: false, count: n)
        for slot in 0..<n {
            guard let x = m.fields[slot].compute else { continue }
            (computeReadMask[slot], computeAlways[slot]) = dependencies(x)
        }
        self.computeReadMask = computeReadMask
        self.computeAlways = computeAlways

        let nn = m.nodes.count
        var projectedWhen: [Int?] = Array(repeating: nil, count: nn)
        var whenReadMask = Array(repeating: UInt64(0), count: nn)
        var whenAlways = Array(repeating: false, count: nn)
        for (i, node) in m.nodes.enumerated() where node.kind != .approval {
            guard let w = node.when else { continue }
            projectedWhen[i] = w
            (whenReadMask[i], whenAlways[i]) = dependencies(w)
        }
        self.projectedWhen = projectedWhen
        self.whenReadMask = whenReadMask
        self.whenAlways = whenAlways
        projectedNodes = projectedWhen.indices.filter { projectedWhen[$0] != nil }
        whenAnyReadMask = projectedNodes.reduce(0) { $0 | whenReadMask[$1] }
        whenAnyAlways = projectedNodes.contains { whenAlways[$0] }
        computeExpression = m.fields.map(\.compute)
        computeAnyReadMask = computeOrder.reduce(0) { $0 | computeReadMask[$1] }
        computeAnyAlways = computeOrder.contains { computeAlways[$0] }
        let probability = m.nodes.map(\.probability)
        let deliverableCounts = m.nodes.map(\.deliverables.count)
        let outcomeCounts = m.nodes.map { node -> Int? in
            if case .outcomes(let outcomes) = node.transition { return outcomes.count }
            return nil
        }
        let escalationDelay = m.nodes.map { $0.escalate.map { max(0, $0.after) } }
        self.escalationDelay = escalationDelay
        fieldNames = FieldNameTable(fieldSlot)
        valueKinds = m.fields.indices.map { slot in
            guard verified.fieldTypes.indices.contains(slot) else { return .other }
            switch verified.fieldTypes[slot] {
            case .text: return .text
            case .boolean: return .boolean
            case .date: return .date
            case .datetime: return .datetime
            case .duration: return .duration
            default: return .other
            }
        }

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
        forward = ForwardEdges(successors: successors, predecessors: predecessors, roots: [m.start] + (m.lose.map { [$0.via] } ?? []))

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
        var canWin = m.nodes.map { $0.kind == .won }
        if canWin.contains(true) {
            var stack = canWin.indices.filter { canWin[$0] }
            while let x = stack.popLast() {
                for p in predecessors[x] where !canWin[p] {
                    canWin[p] = true
                    stack.append(p)
                }
            }
        } else {
            canWin = Array(repeating: true, count: nn)
        }
        nodeFacts = m.nodes.indices.map { n in
            NodeFacts(deliverables: deliverableCounts[n], outcomes: outcomeCounts[n] ?? -1, escalationDelay: escalationDelay[n] ?? -1,
                      probability: probability[n] ?? Int.min, projected: projectedWhen[n] != nil, losePath: onLosePath[n],
                      canWin: canWin[n])
        }

        var triggers: [TemplateTrigger: [Int]] = [:]
        for trigger in TemplateTrigger.allCases {
            triggers[trigger] = (m.triggers[trigger.rawValue] ?? []).filter { $0 >= 0 && $0 < m.effects.count }
        }
        triggerEffects = triggers
        effectTexts = m.effects.map { e in
            e.text.keys.sorted().map { language in (language, TextPiece.parse(e.text[language] ?? "", fieldSlot: fieldSlot)) }
        }
    }

    /// The nodes of each branch of fork `f` (its `branches` in range, in order), as a mask: those
    /// reached from the branch's first node within the fork's region. A loop back through the
    /// join, or an approval's outcome, does not make another branch's; a branch that goes
    /// straight to the join has none.
    func branchLanes(fork f: Int, branches: [Int], join j: Int) -> [(branch: Int, lane: [Bool])] {
        let n = machine.nodes.count
        var inRegion = Array(repeating: false, count: n)
        for r in forkRegion[f] { inRegion[r] = true }
        return branches.filter { (0..<n).contains($0) }.map { b in
            var lane = Array(repeating: false, count: n)
            var stack = b != j && inRegion[b] ? [b] : []
            while let x = stack.popLast() {
                if lane[x] { continue }
                lane[x] = true
                stack.append(contentsOf: successors[x].filter { inRegion[$0] && !lane[$0] })
            }
            return (b, lane)
        }
    }
}

// The checks of field assignments, which need only the machine (and the limits): kept off the
// stepper so that calling them never copies it.
extension PreparedTables {
    /// The slot of a field named in an event.
    func fieldSlot(_ id: String) throws(Refusal) -> Int {
        // The byte table answers for the ids as written; the dictionary also for other spellings
        // of the same text (String equality is canonical equivalence).
        guard let slot = fieldNames.slot(id) ?? fieldSlot[id] else {
            throw Refusal(RuntimeMessages.unknownField, Names.shown(id), Names.didYouMean(id, among: machine.fields.map(\.id)))
        }
        return slot
    }

    /// The value the deal stores for assignment `i` to `slot`, or why it is refused. The
    /// assignment is read where it is (the event's list), so that only the stored value is copied.
    func validated(_ a: UnsafeBufferPointer<FieldAssignment>, _ i: Int, slot: Int, creating: Bool, limits: RunnerLimits) throws(Refusal) -> ExprValue? {
        if let x = computeExpression[slot] {
            throw Refusal(RuntimeMessages.computedField, machine.fields[slot].id, machine.expressions.indices.contains(x) ? machine.expressions[x].source : "")
        }
        // The values `FieldValues.validate` keeps as they are, decided without it.
        switch valueKinds[slot] {
        case .text:
            if case .text(let text) = a[i].value, text.utf8.count <= limits.maxTextBytes {
                // A blank text is no value (see below); a text starting with a letter is decided at once.
                if Self.hasNonWhitespace(text) { return a[i].value }
                return try cleared(slot: slot, creating: creating)
            }
        case .boolean: if case .boolean = a[i].value { return a[i].value }
        case .date: if case .date = a[i].value { return a[i].value }
        case .datetime: if case .datetime = a[i].value { return a[i].value }
        case .duration: if case .duration = a[i].value { return a[i].value }
        case .other: break
        }
        let stored: ExprValue?
        switch FieldValues.validate(a[i].value, slot: slot, in: verified, limits: limits) {
        case .success(let v): stored = v
        case .failure(let refusal): throw refusal
        }
        if stored == nil { return try cleared(slot: slot, creating: creating) }
        return stored
    }

    /// Whether `text` holds a scalar that is not white space (Unicode's `White_Space`), decided
    /// from the scalar's value: the property lookup cost about 150 instructions a scalar, a
    /// seventh of a `set_fields` step. `White_Space` is a fixed list (stable since Unicode 6.3);
    /// `BlankTextTests` compares this with the property over every scalar.
    @inline(__always)
    static func hasNonWhitespace(_ text: String) -> Bool {
        for scalar in text.unicodeScalars where !isWhiteSpace(scalar.value) { return true }
        return false
    }

    /// Unicode's `White_Space`: tab to carriage return, space, next line, no-break space, Ogham
    /// space mark, the spaces U+2000 to U+200A, the line and paragraph separators, the narrow
    /// no-break and medium mathematical spaces, the ideographic space.
    @inline(__always)
    static func isWhiteSpace(_ v: UInt32) -> Bool {
        if v < 0x80 { return v == 0x20 || (0x09...0x0D).contains(v) }
        if v < 0x1680 { return v == 0x85 || v == 0xA0 }
        return v == 0x1680 || (0x2000...0x200A).contains(v) || v == 0x2028 || v == 0x2029 || v == 0x202F || v == 0x205F || v == 0x3000
    }

    /// A field set to no value (null, or a text of nothing but white space): cleared, but a
    /// required field keeps its value once the deal exists (FC1116; at the creation the check of
    /// the required fields says which are missing, FC1115).
    private func cleared(slot: Int, creating: Bool) throws(Refusal) -> ExprValue? {
        if machine.fields[slot].required, !creating { throw Refusal(RuntimeMessages.requiredFieldUnset, machine.fields[slot].id) }
        return nil
    }
}
