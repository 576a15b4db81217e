import FlowDiagnostics
import FlowExpr
import FlowIR

/// The event handlers. Each checks everything it needs before it changes anything it cannot take
/// back; since the stepper works on a copy, a refusal thrown halfway still changes nothing. The
/// actions of ``DealAction/keepsPendingNodes`` go further — every refusal comes before the first
/// change — so that they can work on the caller's snapshot in place.
extension Stepper {
    /// Applies one event to a snapshot (or creates the deal).
    static func run(_ pm: PreparedMachine, _ snapshot: DealSnapshot?, _ event: DealEvent, _ context: StepContext,
                    _ limits: RunnerLimits) throws(Refusal) -> StepOutcome {
        try checkEvent(event, context, limits)
        if case .create(let dealID, let owner, let fields, let members) = event.action {
            if let existing = snapshot { throw Refusal(RuntimeMessages.dealExists, Names.shown(existing.dealID)) }
            try Stepper.checkID("deal id", dealID, limits, rules: context.rules)
            var fresh = emptySnapshot(pm, dealID: dealID, event: event)
            let effects = try Stepper.with(pm, &fresh, event: event, context: context, limits: limits) { (stepper) throws(Refusal) in
                try stepper.create(owner: owner, fields: fields, members: members)
                return stepper.finishStep()
            }
            return StepOutcome(snapshot: fresh, effects: effects)
        }
        guard var copy = snapshot else { throw Refusal(RuntimeMessages.noDeal) }
        // `copy` shares its arrays with the caller's snapshot, which stays alive.
        let effects = try step(pm, &copy, event, context, limits, fieldsShared: true)
        return StepOutcome(snapshot: copy, effects: effects)
    }

    /// Applies one event to an existing deal's snapshot in place, and returns its effects. On a
    /// refusal `snapshot` is unchanged.
    ///
    /// An event that cannot be refused once it has started changing the deal (field edits,
    /// checklist ticks, role members, ticks — when no timer is due first) works on `snapshot`
    /// itself: when the caller holds the only reference to its storage, nothing is copied. Any
    /// other event works on a copy that replaces `snapshot` only when the event is accepted.
    static func step(_ pm: PreparedMachine, _ snapshot: inout DealSnapshot, _ event: DealEvent, _ context: StepContext,
                     _ limits: RunnerLimits, eventChecked: Bool = true, fieldsShared: Bool = false) throws(Refusal) -> [Effect] {
        if !eventChecked { try checkEvent(event, context, limits) }
        if case .create = event.action { throw Refusal(RuntimeMessages.dealExists, Names.shown(snapshot.dealID)) }
        let scan = try withUnsafePointer(to: &snapshot) { (place) throws(Refusal) in try usable(place, pm.tables) }
        if event.id == snapshot.lastEventID { throw Refusal(RuntimeMessages.duplicateEvent, Names.shown(event.id)) }
        if event.at < snapshot.lastEventAt {
            throw Refusal(RuntimeMessages.eventOutOfOrder, Names.shown(event.id), time(event.at, in: context), time(snapshot.lastEventAt, in: context))
        }
        let incremental = event.action.keepsPendingNodes
        if incremental, scan.firstTimer.map({ $0.at > event.at }) ?? true {
            // Nothing fires first, and the action checks everything before it changes anything.
            return try Stepper.with(pm, &snapshot, event: event, context: context, limits: limits) { (stepper) throws(Refusal) in
                stepper.incremental = true
                stepper.fieldsShared = fieldsShared
                stepper.nodeScan = scan
                try stepper.apply()
                return stepper.finishStep()
            }
        }
        var work = snapshot
        let effects = try Stepper.with(pm, &work, event: event, context: context, limits: limits) { (stepper) throws(Refusal) in
            stepper.incremental = incremental
            stepper.now = stepper.s.lastEventAt
            try stepper.fireTimers(upTo: event.at)
            // Before the action: its tailoring and branches read these fields.
            stepper.refreshClockFields()
            try stepper.apply()
            return stepper.finishStep()
        }
        snapshot = work
        return effects
    }

    /// The checks of the event itself, before any snapshot is looked at.
    static func checkEvent(_ event: DealEvent, _ context: StepContext, _ limits: RunnerLimits) throws(Refusal) {
        // Rules this flowc does not know (a log written by a newer one) are refused, not guessed.
        guard (1...StepContext.currentRules).contains(context.rules) else {
            throw Refusal(RuntimeMessages.unknownRules, String(context.rules), String(StepContext.currentRules))
        }
        try Stepper.checkID("event id", event.id, limits, rules: context.rules)
        if let actor = event.actor { try checkID("actor", actor, limits, rules: context.rules) }
        if event.at > context.now {
            throw Refusal(RuntimeMessages.eventFromFuture, Names.shown(event.id), time(event.at, in: context), time(context.now, in: context))
        }
    }

    /// What the pass over a deal's nodes in ``usable(_:_:)`` finds besides whether they fit.
    struct NodeScan {
        /// The next timer, as ``PendingTimer/first(_:_:)`` would return it.
        var firstTimer: PendingTimer?
        /// The forecast probability of the open nodes (the highest they declare; nil when none
        /// declares one or the deal is closed).
        var probability: Int?
        /// Whether some node is out of the plan although its projection does not hold it there
        /// (it is not a pending node with a projected `when`): the projection puts it back.
        var planStale = false
        /// Whether an open node is on the lose path: the deal is being lost.
        var losing = false
        /// Whether a way leads from an open node to a `won` node: the deal can still be won.
        var winnable = false
        /// Whether the deal has an open node at all.
        var anyOpen = false

        /// Adds open node `n` (of an open deal): its due date or escalation, its probability.
        @inline(never)
        mutating func addOpen(_ nodes: UnsafeBufferPointer<NodeState>, _ facts: UnsafeBufferPointer<PreparedTables.NodeFacts>, _ n: Int,
                              _ best: inout Int) {
            if nodes[n].status == .active {
                if let due = nodes[n].dueAt { firstTimer = PendingTimer.earlier(firstTimer, PendingTimer(at: due, kind: .due, node: n)) }
            } else if facts[n].escalationDelay >= 0, nodes[n].escalatedAt == nil, let blocked = nodes[n].blockedAt {
                let at = add(blocked, facts[n].escalationDelay)
                firstTimer = PendingTimer.earlier(firstTimer, PendingTimer(at: at, kind: .escalation, node: n))
            }
            best = max(best, facts[n].probability)
            if facts[n].losePath { losing = true }
            if facts[n].canWin { winnable = true }
            anyOpen = true
        }
    }

    /// Refuses a snapshot this machine cannot step (``usable(_:_:)``), returning the next timer.
    @discardableResult
    static func usable(_ s: DealSnapshot, _ pm: PreparedMachine) throws(Refusal) -> PendingTimer? {
        try withUnsafePointer(to: s) { (place) throws(Refusal) in try usable(place, pm.tables).firstTimer }
    }

    /// Refuses a snapshot this machine cannot step. Every event pays for this check, so the
    /// messages are only built for a snapshot that fails it; and since it reads every node, it
    /// also returns, from the same pass, the next timer and what an event that changes no node
    /// needs to know of them (``NodeScan``). The snapshot is read in place (it is not copied).
    static func usable(_ place: UnsafePointer<DealSnapshot>, _ t: PreparedTables) throws(Refusal) -> NodeScan {
        let m = t.machine
        guard place.pointee.schemaVersion == DealSnapshot.currentSchemaVersion else {
            throw Refusal(RuntimeMessages.snapshotUnusable, RuntimeMessages.fill(RuntimeMessages.Phrase.schemaVersion,
                                                                                  [String(place.pointee.schemaVersion), String(DealSnapshot.currentSchemaVersion)]))
        }
        guard place.pointee.machineHash == m.template.hash else {
            throw Refusal(RuntimeMessages.machineMismatch, place.pointee.templateID, place.pointee.machineHash, m.template.hash)
        }
        func shape(_ what: @autoclosure () -> String, _ have: Int, _ want: Int) throws(Refusal) {
            if have != want {
                throw Refusal(RuntimeMessages.snapshotUnusable, RuntimeMessages.fill(RuntimeMessages.Phrase.shapeMismatch, [String(have), what(), String(want)]))
            }
        }
        try shape("fields", place.pointee.fields.count, m.fields.count)
        try shape("nodes", place.pointee.nodes.count, t.nodeFacts.count)
        try shape("roles", place.pointee.roleMembers.count, m.roles.count)
        let open = place.pointee.status == .open
        var scan = NodeScan()
        var best = Int.min
        let bad = place.pointee.nodes.withUnsafeBufferPointer { nodes in
            t.nodeFacts.withUnsafeBufferPointer { facts -> Int? in
                // Kept lean: most nodes are pending, and every event reads all of them.
                var stale = false
                for n in 0..<min(nodes.count, facts.count) {
                    if nodes[n].deliverables.count != facts[n].deliverables { return n }
                    if facts[n].outcomes >= 0, let o = nodes[n].outcome, o < 0 || o >= facts[n].outcomes { return n }
                    let status = nodes[n].status
                    if !nodes[n].inPlan, status != .pending || !facts[n].projected { stale = true }
                    if open, status.isOpen { scan.addOpen(nodes, facts, n, &best) }
                }
                scan.planStale = stale
                return nil
            }
        }
        scan.probability = best == Int.min ? nil : best
        if let n = bad {
            try shape("deliverables at node `\(m.nodes[n].id)`", place.pointee.nodes[n].deliverables.count, m.nodes[n].deliverables.count)
            if let o = place.pointee.nodes[n].outcome, case .outcomes(let os) = m.nodes[n].transition, !os.indices.contains(o) {
                try shape("outcomes at node `\(m.nodes[n].id)`", o + 1, os.count)
            }
        }
        if !place.pointee.groupChats.isEmpty {
            for chat in place.pointee.groupChats where !m.effects.indices.contains(chat.effect) {
                try shape("effects", chat.effect + 1, m.effects.count)
            }
        }
        if open, place.pointee.pool == .private, place.pointee.owner != nil, !PreparedMachine.idleStopped(place.pointee.nodes, m.pool.idleUntil),
           let after = m.pool.idleAfter {
            let lastStatusChangeAt = place.pointee.lastStatusChangeAt
            if let warn = m.pool.idleWarn, warn < after, !place.pointee.idleWarned {
                scan.firstTimer = PendingTimer.earlier(scan.firstTimer, PendingTimer(at: add(lastStatusChangeAt, warn), kind: .idleWarning, node: nil))
            }
            scan.firstTimer = PendingTimer.earlier(scan.firstTimer, PendingTimer(at: add(lastStatusChangeAt, after), kind: .idleReturn, node: nil))
        }
        return scan
    }

    static func emptySnapshot(_ pm: PreparedMachine, dealID: String, event: DealEvent) -> DealSnapshot {
        let m = pm.machine
        return DealSnapshot(
            schemaVersion: DealSnapshot.currentSchemaVersion, dealID: dealID, templateID: m.template.id, templateVersion: m.template.version,
            machineHash: m.template.hash, createdAt: event.at, sequence: 0, lastEventID: "", lastEventAt: event.at,
            fields: Array(repeating: nil, count: m.fields.count), nodes: m.nodes.map { NodeState(deliverables: $0.deliverables.count) },
            status: .open, pool: .public, owner: nil, previousOwner: nil, releasedAt: nil,
            roleMembers: Array(repeating: [], count: m.roles.count), lastStatusChangeAt: event.at, idleWarned: false,
            loseReason: nil, closedAt: nil, probability: nil, groupChats: [], decisions: [], decisionsDropped: 0,
            records: [], recordsDropped: 0, withheld: [])
    }

    /// - Parameter rules: the rules the event is stepped under; from 6 an invisible character is
    ///   refused too.
    static func checkID(_ what: String, _ id: String, _ limits: RunnerLimits, rules: Int) throws(Refusal) {
        // The common case, decided on the UTF-8 bytes: short printable ASCII (one scalar per byte).
        let plain = id.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard !bytes.isEmpty, bytes.count <= limits.maxIDLength else { return false }
            // Printable ASCII is 0x20 ..< 0x7F: one unsigned comparison per byte, no branch.
            var outside: UInt8 = 0
            for byte in bytes { outside |= byte &- 0x20 >= 0x5F ? 1 : 0 }
            return outside == 0
        }
        if plain == true { return }
        if id.isEmpty { throw Refusal(RuntimeMessages.invalidID, what, id, RuntimeMessages.Phrase.empty) }
        if id.unicodeScalars.count > limits.maxIDLength {
            throw Refusal(RuntimeMessages.invalidID, what, Names.shown(id), RuntimeMessages.fill(RuntimeMessages.Phrase.tooLong, [String(limits.maxIDLength)]))
        }
        if let control = id.unicodeScalars.first(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            // Named, and the id shown with it (QA round 35, B5: a line feed dropped from the id
            // shown, a tab shown as a space: the id looked valid).
            throw Refusal(RuntimeMessages.invalidID, what, Names.shown(id),
                          RuntimeMessages.fill(RuntimeMessages.Phrase.controlCharacter, [CharacterNames.codePoint(control)]))
        }
        if rules >= 6, let invisible = id.unicodeScalars.first(where: CharacterNames.isInvisible) {
            let phrase = RuntimeMessages.fill(RuntimeMessages.Phrase.invisibleCharacter, [CharacterNames.describe(invisible)])
            throw Refusal(RuntimeMessages.invalidID, what, Names.shown(id), phrase)
        }
    }

    static func time(_ t: Int64) -> String { ExprValue.datetime(seconds: t).description }

    /// An instant in a refusal's message, in the step's zone (its `today()`'s: `--utc-offset`
    /// or the zone of `--now` on the command line, a scenario's `utc_offset`), as the text
    /// outputs around it write times (QA round 23); UTC with `Z` for a zone of 0.
    func time(_ t: Int64) -> String { Self.time(t, in: context) }
    static func time(_ t: Int64, in context: StepContext) -> String { TimeText.iso(t, utcOffset: context.utcOffset) }

    // MARK: Dispatch

    /// Applies the event's action (read in place from the event).
    mutating func apply() throws(Refusal) {
        switch event.action {
        case .create:
            throw Refusal(RuntimeMessages.dealExists, Names.shown(s.dealID))
        case .tick:
            break
        case .setFields(let assignments):
            try requireOpen()
            try setFields(assignments)
        case .tickDeliverable(let node, let deliverable, let done):
            try requireOpen()
            try requireOwned()
            let n = try openNode(node)
            guard let i = m.nodes[n].deliverables.firstIndex(of: deliverable) else {
                throw Refusal(RuntimeMessages.unknownDeliverable, m.nodes[n].id, Names.shown(deliverable),
                              Names.didYouMean(deliverable, among: m.nodes[n].deliverables))
            }
            s.nodes[n].deliverables[i] = done
        case .complete(let node, let outcome):
            try requireOpen()
            try requireOwned()
            try complete(try openNode(node), outcomeName: outcome)
        case .rework(let node, let target, let reason):
            try requireOpen()
            try requireOwned()
            try rework(from: try openNode(node), to: target, reason: reason)
        case .addRoleMember(let role, let person):
            try requireOpen()
            try addMember(role: role, person: person)
        case .removeRoleMember(let role, let person):
            try requireOpen()
            try removeMember(role: role, person: person)
        case .lose(let reason):
            try requireOpen()
            try requireOwned()
            try lose(reason: reason)
        case .win(let node):
            try requireOpen()
            try requireOwned()
            try win(node: node)
        case .claim:
            try claim()
        case .release:
            try release()
        case .assign(let to):
            try assign(to: to)
        case .migrate(_, let to, _):
            // Needs the machine the deal moves to: `Runner.migrate`.
            throw Refusal(RuntimeMessages.migrateNeedsMachines, Names.shown(to))
        case .note(let node, let text):
            try attach(.note, node: node, text: text, url: nil)
        case .link(let node, let url, let title):
            try attach(.link, node: node, text: title ?? "", url: url)
        case .joinChat(let person, let chat):
            try joinChat(person: person, chat: chat)
        }
    }

    @inline(__always)
    func requireOpen() throws(Refusal) {
        if s.status != .open { throw Refusal(RuntimeMessages.dealClosed, s.status.rawValue, event.action.name) }
    }

    /// Work on the flow itself (completing, ticking deliverables, sending back, winning, losing)
    /// is done by the deal's owner: a deal in the public pool belongs to nobody until it is
    /// claimed or assigned (S4). Fields, role members and node records may still be kept up.
    @inline(__always)
    func requireOwned() throws(Refusal) {
        guard s.pool == .public else { return }
        // Returned there by the idle timer this very step, after the last event: the refused
        // event leaves the store showing the deal with its owner, so the message says when.
        if let released = s.releasedAt, released > s.lastEventAt, let owner = s.previousOwner {
            throw Refusal(RuntimeMessages.unclaimedDeal, event.action.name,
                          RuntimeMessages.fill(RuntimeMessages.Phrase.returnedBeforeEvent, [time(released), Names.shown(owner)]))
        }
        throw Refusal(RuntimeMessages.unclaimedDeal, event.action.name, "")
    }

    func node(_ id: String) throws(Refusal) -> Int {
        guard let n = pt.nodeIndex[id] else {
            throw Refusal(RuntimeMessages.unknownNode, Names.shown(id), Names.didYouMean(id, among: m.nodes.map(\.id)))
        }
        return n
    }

    func openNode(_ id: String) throws(Refusal) -> Int {
        let n = try node(id)
        guard s.nodes[n].status.isOpen else { throw Refusal(RuntimeMessages.nodeNotActive, id, s.nodes[n].status.rawValue) }
        return n
    }

    func role(_ id: String) throws(Refusal) -> Int {
        guard let r = pt.roleIndex[id] else {
            throw Refusal(RuntimeMessages.unknownRole, Names.shown(id), Names.didYouMean(id, among: m.roles.map(\.id)))
        }
        return r
    }

    // MARK: Create and fields

    mutating func create(owner: String?, fields: [FieldAssignment], members: [RoleAssignment]) throws(Refusal) {
        now = event.at
        for slot in m.fields.indices where m.fields[slot].compute == nil {
            s.fields[slot] = FieldValues.defaultValue(slot: slot, in: pt.verified)
        }
        try assign(fields, creating: true)
        let missing = m.fields.indices.filter { m.fields[$0].required && m.fields[$0].compute == nil && s.fields[$0] == nil }
        if !missing.isEmpty {
            throw Refusal(RuntimeMessages.requiredFieldMissing, RuntimeMessages.Phrase.creatingTheDeal, Names.list(missing.map { m.fields[$0].id }))
        }
        for member in members {
            let r = try role(member.role)
            try Stepper.checkID("person", member.person, limits, rules: context.rules)
            if r == pt.ownerRole { throw Refusal(RuntimeMessages.ownerRoleFollowsPool, m.roles[r].id) }
            if s.roleMembers[r].contains(member.person) { throw Refusal(RuntimeMessages.alreadyMember, m.roles[r].id, Names.shown(member.person)) }
            if s.roleMembers[r].count >= limits.maxMembersPerRole {
                throw Refusal(RuntimeMessages.limitExceeded, "the members of role `\(m.roles[r].id)`", "\(limits.maxMembersPerRole) people")
            }
            s.roleMembers[r].append(member.person)
        }
        if let owner {
            try Stepper.checkID("owner", owner, limits, rules: context.rules)
            try checkQuota(owner)
            s.owner = owner
            s.pool = .private
            if let r = pt.ownerRole { s.roleMembers[r] = [owner] }
        }
        recomputeFields()
        statusChanged()
        queue.append(m.start)
        try drain()
        deferTrigger(.onCreate)
    }

    mutating func setFields(_ assignments: [FieldAssignment]) throws(Refusal) {
        try assign(assignments, creating: false)
        recomputeFields()
    }

    /// Validates and stores field values (all or nothing): every assignment is checked, in
    /// order, before any is stored, so a refusal leaves the fields as they were.
    mutating func assign(_ assignments: [FieldAssignment], creating: Bool) throws(Refusal) {
        if assignments.count > limits.maxFieldsPerEvent {
            throw Refusal(RuntimeMessages.limitExceeded, "the fields of one event (\(assignments.count))", "\(limits.maxFieldsPerEvent)")
        }
        // The assignments are read in place (no copy of each assignment and its value), and
        // stored once all are checked.
        if assignments.count == 1 {
            // The common single edit: no list of checked values.
            let (pt, limits) = (pt, limits)
            let (slot, stored) = try assignments.withUnsafeBufferPointer { (one) throws(Refusal) -> (Int, ExprValue?) in
                let slot = try pt.fieldSlot(one[0].field)
                return (slot, try pt.validated(one, 0, slot: slot, creating: creating, limits: limits))
            }
            store(stored, at: slot)
            return
        }
        let (pt, limits) = (pt, limits)
        let checked = try assignments.withUnsafeBufferPointer { (all) throws(Refusal) -> [(slot: Int, value: ExprValue?)] in
            var checked: [(slot: Int, value: ExprValue?)] = []
            checked.reserveCapacity(all.count)
            for i in all.indices {
                let slot = try pt.fieldSlot(all[i].field)
                if checked.contains(where: { $0.slot == slot }) { throw Refusal(RuntimeMessages.duplicateField, all[i].field) }
                checked.append((slot, try pt.validated(all, i, slot: slot, creating: creating, limits: limits)))
            }
            return checked
        }
        for (slot, stored) in checked { store(stored, at: slot) }
    }

    /// A new array with the same elements.
    @inline(never)
    static func copy(of fields: [ExprValue?]) -> [ExprValue?] {
        let count = fields.count
        guard count > 0 else { return [] }
        return fields.withUnsafeBufferPointer { source in
            [ExprValue?](unsafeUninitializedCapacity: count) { target, initialized in
                guard let base = target.baseAddress else { return }
                for i in 0..<count { (base + i).initialize(to: source[i]) }
                initialized = count
            }
        }
    }

    /// Stores a field value (taking it over: the value is moved into the slot, not copied).
    mutating func store(_ value: consuming ExprValue?, at slot: Int) {
        if fieldsShared {
            // The copy-on-write copy the next line would make, element by element with the
            // element type known (the generic copy goes through value witnesses, several times slower).
            s.fields = Stepper.copy(of: s.fields)
            fieldsShared = false
        }
        // Swapped in (moved, bit for bit: no copy of the new value); the old value leaves with `value`.
        var value = value
        place.pointee.fields.withUnsafeMutableBufferPointer { fields in
            if fields.indices.contains(slot) { swap(&fields[slot], &value) }
        }
        changedMask |= PreparedTables.bit(slot)
    }

    // MARK: Roles

    mutating func addMember(role id: String, person: String) throws(Refusal) {
        let r = try role(id)
        try Stepper.checkID("person", person, limits, rules: context.rules)
        if r == pt.ownerRole { throw Refusal(RuntimeMessages.ownerRoleFollowsPool, m.roles[r].id) }
        try checkChangesAssigners(r, person, adding: true)
        if s.roleMembers[r].contains(person) { throw Refusal(RuntimeMessages.alreadyMember, m.roles[r].id, Names.shown(person)) }
        if s.roleMembers[r].count >= limits.maxMembersPerRole {
            throw Refusal(RuntimeMessages.limitExceeded, "the members of role `\(m.roles[r].id)`", "\(limits.maxMembersPerRole) people")
        }
        s.roleMembers[r].append(person)
        joinChats(role: r, person: person)
        added = (r, person)
        deferTrigger(.onRoleAdded, person: person)
        added = nil
    }

    mutating func removeMember(role id: String, person: String) throws(Refusal) {
        let r = try role(id)
        if r == pt.ownerRole { throw Refusal(RuntimeMessages.ownerRoleFollowsPool, m.roles[r].id) }
        try checkChangesAssigners(r, person, adding: false)
        guard let i = s.roleMembers[r].firstIndex(of: person) else {
            throw Refusal(RuntimeMessages.notAMember, m.roles[r].id, Names.shown(person))
        }
        // Chats keep their members: people are not removed from a chat automatically.
        s.roleMembers[r].remove(at: i)
    }

    /// Under rules 6, the members of `pool.assign_by` (who may assign and release the deal) are
    /// changed only by one of them or an actor the host vouches for, and added to by the deal's
    /// owner too, with someone else (the owner may release the deal anyway; removing a manager, or
    /// becoming one and then removing the others, would take the deal out of the managers'
    /// reach): FC1181, FC1158 without an actor. Any other role's by anyone.
    ///
    /// Under rules 11 the owner adds someone only while the role has no member (QA round 32, R4:
    /// the owner added a colleague, who as a member removed the managers, or added the owner,
    /// who then did).
    func checkChangesAssigners(_ r: Int, _ member: String, adding: Bool) throws(Refusal) {
        guard context.rules >= 6, r == m.pool.assignBy else { return }
        let person = try actor()
        // The owner adds others, not themselves: a member may remove the other managers (QA
        // round 21).
        let ownerMayAdd = context.rules < 11 || members(ofRole: r).isEmpty
        if canAssign(person) || (adding && person == s.owner && member != person && ownerMayAdd) { return }
        typealias P = RuntimeMessages.Phrase
        // The owner adding themselves is told that the owner adds someone else (QA round 35, A9:
        // "only … the deal's owner … may", said to the owner).
        let owner = !adding ? "" : person == s.owner && member == person
            ? (context.rules < 11 ? P.orTheOwnerSomeoneElse : P.orTheOwnerSomeoneElseWhileEmpty)
            : (context.rules < 11 ? P.orTheOwner : P.orTheOwnerWhileEmpty)
        throw Refusal(RuntimeMessages.notAnAssigner, Names.shown(person), m.roles[r].id, adding ? P.addTo : P.removeFrom,
                      owner, RuntimeMessages.fill(adding ? P.askToAdd : P.askToRemove, [Names.shown(member)]))
    }

    // MARK: Rework, lose, win

    mutating func rework(from c: Int, to targetID: String, reason: String) throws(Refusal) {
        let def = m.nodes[c]
        let t = try node(targetID)
        guard def.rework.contains(t) else {
            throw Refusal(RuntimeMessages.reworkNotAllowed, def.id, targetID, Names.list(def.rework.map(nodeID)))
        }
        let reason = reason.trimmingWhitespace
        if reason.isEmpty {
            throw Refusal(RuntimeMessages.reasonRequired, RuntimeMessages.fill(RuntimeMessages.Phrase.rework, [def.id]), "")
        }
        if reason.utf8.count > limits.maxTextBytes {
            throw Refusal(RuntimeMessages.limitExceeded, "the rework reason (\(reason.utf8.count) bytes)", "\(limits.maxTextBytes) bytes")
        }
        record(.rework, node: c, target: t, detail: reason)
        // The nodes between the target and this node go back to pending; a fork among them takes
        // its whole region and its join with it (its other open branches close).
        resetBetween(t, c)
        statusChanged()
        // The target becomes active again as chosen: its `when` is not evaluated.
        if case .fork = m.nodes[t].transition { enterFork(t) } else if m.nodes[t].kind == .task || m.nodes[t].kind == .approval { activate(t) } else { queue.append(t) }
        try drain()
    }

    mutating func lose(reason: String?) throws(Refusal) {
        guard let lose = m.lose else { throw Refusal(RuntimeMessages.loseNotConfigured) }
        let reason = reason?.trimmingWhitespace
        if lose.reasons.isEmpty {
            if let reason, !reason.isEmpty { throw Refusal(RuntimeMessages.unknownReason, Names.shown(reason), RuntimeMessages.Phrase.none, "") }
        } else {
            guard let reason, !reason.isEmpty else {
                throw Refusal(RuntimeMessages.reasonRequired, RuntimeMessages.Phrase.losing,
                              RuntimeMessages.fill(RuntimeMessages.Phrase.reasonsAre, [Names.list(lose.reasons)]))
            }
            guard lose.reasons.contains(reason) else {
                throw Refusal(RuntimeMessages.unknownReason, Names.shown(reason), Names.list(lose.reasons), Names.didYouMean(reason, among: lose.reasons))
            }
        }
        let open = s.openNodes
        if let onPath = open.first(where: { pt.onLosePath[$0] }) {
            throw Refusal(RuntimeMessages.alreadyLosing, "`\(nodeID(onPath))`")
        }
        if let from = lose.from, !open.contains(where: { from.contains($0) }) {
            throw Refusal(RuntimeMessages.loseNotAllowedHere, Names.list(open.map(nodeID)), Names.list(from.map(nodeID)))
        }
        for n in open {
            s.nodes[n].status = .closed
            s.nodes[n].finishedAt = now
        }
        for n in s.nodes.indices where s.nodes[n].status == .waiting {
            s.nodes[n].status = .pending
            s.nodes[n].arrivals = 0
        }
        s.loseReason = (reason?.isEmpty ?? true) ? nil : reason
        // `lose.reason_field`: the reason is written into the field, for the follow-up's
        // conditions (the checker holds it to a text field, or an enum with every reason).
        if let slot = lose.reasonField, let reason = s.loseReason, pt.verified.fieldTypes.indices.contains(slot) {
            if case .enumeration = pt.verified.fieldTypes[slot] { store(.enumValue(reason), at: slot) } else { store(.text(reason), at: slot) }
            recomputeFields()
        }
        record(.lose, target: lose.via, detail: s.loseReason)
        statusChanged()
        queue.append(lose.via)
        try drain()
    }

    /// Whether completing open node `n` now would lead straight to a `won` end, and with which outcome.
    mutating func leadsToWon(_ n: Int) -> (Bool, String?) {
        func won(_ t: Int) -> Bool { m.nodes.indices.contains(t) && m.nodes[t].kind == .won }
        switch m.nodes[n].transition {
        case .goto(let t): return (won(t), nil)
        case .outcomes(let os):
            if let o = os.first(where: { won($0.to) }) { return (true, o.name) }
            return (false, nil)
        case .branch(let guarded, let otherwise):
            return (won(chooseBranch(n, guarded, otherwise, record: false)), nil)
        case .end, .fork:
            return (false, nil)
        }
    }

    mutating func win(node id: String?) throws(Refusal) {
        if let id {
            let n = try openNode(id)
            let (ok, outcome) = leadsToWon(n)
            guard ok else {
                throw Refusal(RuntimeMessages.winNotAvailable, RuntimeMessages.fill(RuntimeMessages.Phrase.nodeDoesNotLeadToWon, [id]))
            }
            try complete(n, outcomeName: outcome)
            return
        }
        for n in s.openNodes {
            let (ok, outcome) = leadsToWon(n)
            if ok {
                try complete(n, outcomeName: outcome)
                return
            }
        }
        throw Refusal(RuntimeMessages.winNotAvailable, RuntimeMessages.Phrase.noActiveNode)
    }

    // MARK: Pools

    func actor() throws(Refusal) -> String {
        guard let actor = event.actor else { throw Refusal(RuntimeMessages.actorRequired, event.action.name) }
        return actor
    }

    func checkQuota(_ person: String) throws(Refusal) {
        if let quota = m.pool.quota, !context.quotaWaived, context.ownedOpenDeals >= quota {
            throw Refusal(RuntimeMessages.quotaExceeded, Names.shown(person), String(context.ownedOpenDeals), String(quota))
        }
    }

    func canAssign(_ person: String) -> Bool {
        guard let r = m.pool.assignBy else { return false }
        return context.actorCanAssign || members(ofRole: r).contains(person)
    }

    mutating func claim() throws(Refusal) {
        let person = try actor()
        // A won deal first: "won" says more than "not in the public pool (owner: …)".
        if s.status == .won { throw Refusal(RuntimeMessages.dealClosed, s.status.rawValue, "claim") }
        guard s.pool == .public else { throw Refusal(RuntimeMessages.notInPublicPool, s.owner ?? RuntimeMessages.Phrase.noOwner) }
        if let cooldown = m.pool.cooldown, cooldown > 0 {
            // Every former owner whose cooldown runs; and the last one from `releasedAt` (a
            // snapshot upgraded from version 2 knows only that one).
            var until = s.withheld.last(where: { $0.person == person })?.until
            if s.previousOwner == person, let released = s.releasedAt { until = max(until ?? .min, Stepper.add(released, cooldown)) }
            if let until, now < until {
                throw Refusal(RuntimeMessages.cooldownActive, Names.shown(person), time(until - cooldown), time(until))
            }
        }
        try checkQuota(person)
        try takeOver(person, fromPublicPool: true)
    }

    mutating func assign(to person: String) throws(Refusal) {
        let manager = try actor()
        try Stepper.checkID("person", person, limits, rules: context.rules)
        guard let r = m.pool.assignBy else { throw Refusal(RuntimeMessages.assignNotConfigured) }
        guard canAssign(manager) else { throw Refusal(RuntimeMessages.notAManager, Names.shown(manager), m.roles[r].id) }
        if s.status == .won { throw Refusal(RuntimeMessages.dealClosed, s.status.rawValue, "assign") }
        if s.owner == person { throw Refusal(RuntimeMessages.alreadyOwner, Names.shown(person)) }
        try checkQuota(person)
        let fromPublicPool = s.pool == .public
        if let previous = s.owner {
            s.previousOwner = previous
            s.releasedAt = now
            withhold(from: previous)
        }
        try takeOver(person, fromPublicPool: fromPublicPool)
    }

    /// Claim and assign: the new owner takes the deal; a lost deal reopens at the start node, and
    /// an open one out of the public pool gets fresh due dates.
    mutating func takeOver(_ person: String, fromPublicPool: Bool) throws(Refusal) {
        takeOwnership(person)
        if s.status == .lost {
            try reopen()
        } else if fromPublicPool && context.rules >= 2 {
            restartDueDates()
        }
        deferTrigger(.onClaim, person: person)
    }

    /// Nobody can work the flow of a deal in the public pool, so the time it spent there does not
    /// count against its nodes: each open node's due clock restarts now (a node blocked meanwhile
    /// is active again, its escalation undone), as if the new owner had just reached it. The
    /// activation time and the node's history are kept.
    mutating func restartDueDates() {
        for n in s.nodes.indices where s.nodes[n].status.isOpen {
            let before = s.nodes[n]
            s.nodes[n].dueAt = m.nodes[n].due.map { Stepper.add(now, $0) }
            s.nodes[n].status = .active
            s.nodes[n].blockedAt = nil
            s.nodes[n].escalatedAt = nil
            // Said in `why` and `history`: a manager sees why a blocked stage is active again.
            if before != s.nodes[n] { record(.dueRestarted, node: n, detail: s.nodes[n].dueAt.map(String.init)) }
        }
    }

    mutating func release() throws(Refusal) {
        let person = try actor()
        guard s.pool == .private, let owner = s.owner else { throw Refusal(RuntimeMessages.notInPrivatePool) }
        guard person == owner || canAssign(person) else { throw Refusal(RuntimeMessages.notTheOwner, Names.shown(person), owner) }
        if s.status == .won { throw Refusal(RuntimeMessages.dealClosed, s.status.rawValue, "release") }
        if context.rules >= 6, let onPath = s.openNodes.first(where: { pt.onLosePath[$0] }) {
            throw Refusal(RuntimeMessages.releaseWhileLosing, nodeID(onPath))
        }
        returnToPool(why: "release")
    }

    // MARK: Finishing

    /// Ends an accepted step: deferred effects, projection, probability, bookkeeping and effect
    /// ids. Returns the effects.
    /// Starts `person`'s claim cooldown on the deal (they just lost it), when the pool has one.
    mutating func withhold(from person: String) {
        guard let cooldown = m.pool.cooldown, cooldown > 0 else { return }
        s.withheld.removeAll { $0.person == person }
        s.withheld.append(Withheld(person: person, until: Stepper.add(now, cooldown)))
    }

    mutating func finishStep() -> [Effect] {
        // Ended cooldowns leave the list (a deal keeps only the people it is withheld from).
        if !s.withheld.isEmpty { s.withheld.removeAll { $0.until <= event.at } }
        // An event stepped in place (it cannot be refused once it changes the deal) refreshes
        // them here, after its action; the projection below reads them.
        if s.status == .open { refreshClockFields() }
        flush()
        updateProjection()
        if s.status == .open {
            // Rules 11: a deal on its lose path can no longer be won, so its forecast is 0 (QA
            // round 32, R3); under 10 it kept its last probability until it reached its lost end.
            // Rules 13: nor can a deal none of whose open nodes leads to a `won` node (QA round
            // 34, S8: a node an approval's outcome sends the deal to, on its way to `lost`).
            let zeroWhenLosing = context.rules >= 11
            let zeroWhenUnwinnable = context.rules >= 13
            if let scan = nodeScan {
                // No node changed: the open nodes are those the scan saw (none: nothing is said).
                if zeroWhenLosing && scan.losing || zeroWhenUnwinnable && scan.anyOpen && !scan.winnable {
                    s.probability = 0
                } else if let best = scan.probability {
                    s.probability = best
                }
            } else {
                let (best, losing, unwinnable) = pt.nodeFacts.withUnsafeBufferPointer { facts in
                    s.nodes.withUnsafeBufferPointer { nodes -> (Int?, Bool, Bool) in
                        var best = Int.min
                        var losing = false, open = false, winnable = false
                        for n in 0..<min(nodes.count, facts.count) where nodes[n].status.isOpen {
                            best = max(best, facts[n].probability)
                            losing = losing || facts[n].losePath
                            winnable = winnable || facts[n].canWin
                            open = true
                        }
                        return (best == Int.min ? nil : best, losing, open && !winnable)
                    }
                }
                if zeroWhenLosing && losing || zeroWhenUnwinnable && unwinnable {
                    s.probability = 0
                } else if let best {
                    s.probability = best
                }
            }
        }
        s.sequence = sequence
        s.lastEventID = event.id
        s.lastEventAt = event.at
        if s.decisions.count > limits.maxDecisions {
            let drop = s.decisions.count - max(0, limits.maxDecisions)
            s.decisions.removeFirst(drop)
            s.decisionsDropped += drop
        }
        if s.records.count > limits.maxRecords {
            let drop = s.records.count - max(0, limits.maxRecords)
            s.records.removeFirst(drop)
            s.recordsDropped += drop
        }
        for i in effects.indices {
            effects[i].dealID = s.dealID
            effects[i].eventID = event.id
            effects[i].index = i
            effects[i].id = Effect.stableID(dealID: s.dealID, eventID: event.id, index: i)
        }
        return effects
    }

    /// S6: the flow ahead follows the fields. A pending node with `when` is in the plan while its
    /// condition holds; a change is recorded as a projection decision. In the incremental mode a
    /// condition that reads no changed slot and not the clock keeps the result it had.
    mutating func updateProjection() {
        if incremental, let scan = nodeScan, !scan.planStale {
            // No node changed and every node the projection does not hold is in the plan: only
            // the pending nodes whose `when` reads a changed slot (or the clock) can change.
            guard pt.whenAnyAlways || pt.whenAnyReadMask & changedMask != 0 else { return }
            for n in pt.projectedNodes where s.nodes[n].status == .pending && (pt.whenAlways[n] || pt.whenReadMask[n] & changedMask != 0) {
                project(n)
            }
            return
        }
        // A read-only scan finds the nodes with work to do, so that the nodes array is only made
        // unique (copied, when the caller still holds it) if one of them changes.
        var n = 0
        while let next = nextProjection(from: n) {
            project(next)
            n = next + 1
        }
    }

    /// The first node from `start` on whose projection needs evaluating or resetting.
    func nextProjection(from start: Int) -> Int? {
        let t = pt
        let incremental = incremental, changedMask = changedMask
        return s.nodes.withUnsafeBufferPointer { nodes -> Int? in
            var n = start
            while n < nodes.count {
                if nodes[n].status == .pending, n < t.projectedWhen.count, t.projectedWhen[n] != nil {
                    if !incremental || t.whenAlways[n] || t.whenReadMask[n] & changedMask != 0 { return n }
                } else if !nodes[n].inPlan {
                    return n
                }
                n += 1
            }
            return nil
        }
    }

    @inline(never)
    mutating func project(_ n: Int) {
        guard s.nodes[n].status == .pending, pt.projectedWhen.indices.contains(n), let w = pt.projectedWhen[n] else {
            s.nodes[n].inPlan = true
            return
        }
        let e = evaluate(w)
        let holds = e.value == .boolean(true)
        if holds != s.nodes[n].inPlan {
            s.nodes[n].inPlan = holds
            record(.projection, node: n, expression: w, reads: reads(w), result: e.value, detail: e.failure)
        }
    }
}

extension DealAction {
    /// Whether the action never changes which nodes are pending (nor, timers aside, anything but
    /// fields, checklists and role members): the steps that may run incrementally.
    var keepsPendingNodes: Bool {
        switch self {
        case .setFields, .tickDeliverable, .addRoleMember, .removeRoleMember, .tick, .note, .link, .joinChat: true
        case .create, .complete, .rework, .lose, .win, .claim, .release, .assign, .migrate: false
        }
    }
}

extension String {
    /// Without leading and trailing white space.
    var trimmingWhitespace: String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars = scalars.dropFirst() }
        while let last = scalars.last, last.isWhitespace { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
