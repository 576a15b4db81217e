import FlowDiagnostics

/// One entry of the runtime message catalogue: a stable code, a short name, a message format with
/// `{0}`, `{1}`… placeholders, and a long explanation.
///
/// The format is kept apart from its arguments so that the catalogue can be translated (authors
/// work in Chinese as often as in English); ``Refusal/message`` fills it in.
public struct RuntimeMessageSpec: Sendable, Hashable, CustomStringConvertible {
    /// `FC` + four digits; FC11xx for the runner.
    public let code: String
    /// A short kebab-case name, e.g. `node-not-active`.
    public let name: String
    /// The message, lowercase, names in backticks, `{n}` for argument n.
    public let format: String
    /// What the code means and what to do about it (`flowc explain`).
    public let explanation: String

    init(_ number: Int, _ name: String, _ format: String, _ explanation: String) {
        self.code = "FC" + String(number)
        self.name = name
        self.format = format
        self.explanation = explanation
    }

    /// The format with its placeholders filled in (`{n}` by argument n; unknown ones are kept).
    public func render(_ arguments: [String]) -> String {
        RuntimeMessages.fill(format, arguments)
    }

    public var description: String { "\(code) \(name)" }
}

/// Every message the runner can produce: the refusal codes FC1101–FC1182 and the texts used by
/// explanations and the scenario runner. Code outside this file never builds message text.
///
/// Numbering: FC110x the deal and its log; FC111x field values; FC112x nodes, completion and
/// winning; FC113x rework and losing; FC114x roles; FC115x pools; FC1160–FC1161 limits;
/// FC1162–FC1170 migrations; FC1171–FC1173 node records; FC1174–FC1176 group chats; FC1177 the
/// rules of a logged event; FC1178–FC1179 migrations again; FC1180–FC1181 pools and roles again;
/// FC1182 migrations again.
public enum RuntimeMessages {
    // MARK: The deal and its log (FC110x)

    public static let noDeal = RuntimeMessageSpec(1101, "no-deal", "there is no deal yet: the first event of a deal must be `create`", """
        Every event except `create` applies to an existing deal. The host passed no snapshot, so \
        the deal has not been created (or the host looked up the wrong deal id).
        """)
    public static let dealExists = RuntimeMessageSpec(1102, "deal-exists", "deal `{0}` already exists", """
        A `create` event was applied to a deal that already has a snapshot. Deal ids are unique; \
        create a new deal with a new id.
        """)
    public static let machineMismatch = RuntimeMessageSpec(1103, "machine-mismatch", "the deal runs on template `{0}` with hash {1}, not on this machine ({2})", """
        A snapshot remembers the hash of the compiled template it was created with. Stepping it \
        with a different machine would read field slots and node indices that mean something \
        else, so the runner refuses. Load the machine the deal was created with, or migrate the deal.
        """)
    public static let snapshotUnusable = RuntimeMessageSpec(1104, "snapshot-unusable", "the snapshot cannot be used: {0}", """
        The snapshot's schema version is not the one this runner writes, or its arrays do not \
        match the machine (a corrupted or hand-edited snapshot). Upgrade the snapshot with \
        `DealSnapshot.upgrade` or rebuild it by replaying the deal's event log.
        """)
    public static let dealClosed = RuntimeMessageSpec(1105, "deal-closed", "the deal is {0}; `{1}` is not possible any more", """
        A won or lost deal accepts no further work: no field edits, completions, reworks, role \
        changes or losing. A lost deal in the public pool can be claimed or assigned, which \
        reopens it at the start node.
        """)
    public static let eventOutOfOrder = RuntimeMessageSpec(1106, "event-out-of-order", "event `{0}` happened at {1}, before the last event applied ({2})", """
        Events are applied in the order they happened. An event dated before the last applied \
        event would move the deal's timers backwards; the host must order its log.
        """)
    public static let eventFromFuture = RuntimeMessageSpec(1107, "event-from-future", "event `{0}` is dated {1}, after the step's clock ({2})", """
        An event may not be dated after the instant the host applies it (`StepContext.now`): a \
        future-dated event would fire due dates and idle timers early.
        """)
    public static let invalidID = RuntimeMessageSpec(1108, "invalid-id", "{0} `{1}` is not a valid id: {2}", """
        Ids supplied by the host (event ids, deal ids, person ids, reasons) must be non-empty, at \
        most 256 characters, and free of control characters: they become parts of effect ids and \
        of the outbox. Under runner rules 6 they are also free of invisible characters (a \
        zero-width space, a byte-order mark, a no-break or full-width space), which would make an \
        id that looks like another.
        """)
    public static let duplicateEvent = RuntimeMessageSpec(1109, "duplicate-event", "event `{0}` was already applied to this deal", """
        The event has the same id as the last event applied. Event ids are unique within a deal, \
        and effect ids are derived from them; a retried event is refused instead of applied twice.
        """)

    // MARK: Field values (FC111x)

    public static let unknownField = RuntimeMessageSpec(1110, "unknown-field", "unknown field `{0}`{1}", """
        The event names a field the template does not declare. Field ids are the keys of the \
        template's `fields:` section.
        """)
    public static let computedField = RuntimeMessageSpec(1111, "computed-field", "field `{0}` is computed from `{1}` and cannot be set", """
        A field with `compute:` is read-only: it is re-evaluated whenever a field it reads \
        changes. Set the fields it is computed from instead.
        """)
    public static let wrongType = RuntimeMessageSpec(1112, "wrong-type", "field `{0}` is given {1}, not {2}", """
        The value does not have the field's type. Money must carry the field's currency, lists \
        hold elements of their declared type, and an integer is accepted for a decimal field.
        """)
    public static let outOfRange = RuntimeMessageSpec(1113, "out-of-range", "{1} is outside the range of field `{0}` ({2})", """
        The field declares `min` and/or `max` and the value lies outside them.
        """)
    public static let unknownEnumValue = RuntimeMessageSpec(1114, "unknown-enum-value", "`{1}` is not a value of field `{0}` (values: {2}){3}", """
        An enum field (or a list of enum) holds only its declared values.
        """)
    public static let requiredFieldMissing = RuntimeMessageSpec(1115, "required-field-missing", "{0} needs fields that are not set: {1}", """
        A deal cannot be created without its `required: true` fields (a default counts), and a \
        node cannot complete until every field in its `requires:` list is set. The message names \
        the fields that are missing.
        """)
    public static let requiredFieldUnset = RuntimeMessageSpec(1116, "required-field-unset", "field `{0}` is required and cannot be unset", """
        A `required: true` field keeps a value for the whole life of the deal; it can be changed \
        but not cleared.
        """)
    public static let duplicateField = RuntimeMessageSpec(1117, "duplicate-field", "field `{0}` is set twice in one event", """
        One event sets each field at most once, so that the result does not depend on the order \
        of its entries.
        """)

    // MARK: Nodes, completion, winning (FC112x)

    public static let unknownNode = RuntimeMessageSpec(1120, "unknown-node", "unknown node `{0}`{1}", """
        The event names a node the template does not declare.
        """)
    public static let nodeNotActive = RuntimeMessageSpec(1121, "node-not-active", "node `{0}` is {1}, not active", """
        Only an active (or blocked) node can be completed, reworked from, or have its \
        deliverables ticked. The deal's active nodes are listed in its snapshot.
        """)
    public static let deliverablesMissing = RuntimeMessageSpec(1122, "deliverables-missing", "node `{0}` cannot complete: deliverables not done: {1}", """
        Every checklist item in a node's `deliverables:` must be ticked before the node completes.
        """)
    public static let unknownDeliverable = RuntimeMessageSpec(1123, "unknown-deliverable", "node `{0}` has no deliverable `{1}`{2}", """
        The event ticks a deliverable the node does not list.
        """)
    public static let outcomeRequired = RuntimeMessageSpec(1124, "outcome-required", "approval `{0}` is completed with one of its outcomes: {1}", """
        An approval decides where the deal goes next; completing it names the outcome chosen.
        """)
    public static let unknownOutcome = RuntimeMessageSpec(1125, "unknown-outcome", "`{1}` is not an outcome of `{0}` (outcomes: {2})", """
        The outcome named is not one of the approval's `outcomes:`.
        """)
    public static let unexpectedOutcome = RuntimeMessageSpec(1126, "unexpected-outcome", "node `{0}` is a {1}, not an approval, and takes no outcome", """
        Only approvals have outcomes; a task continues with its `next`.
        """)
    public static let winNotAvailable = RuntimeMessageSpec(1127, "win-not-available", "the deal cannot be won now: {0}", """
        `win` completes an active node whose next step is a `won` end (a task whose `next` is \
        the won node, an approval with an outcome leading there, or a conditional `next` that \
        currently chooses it). No active node qualifies, so the deal must go on through its flow.
        """)

    // MARK: Rework and losing (FC113x)

    public static let reworkNotAllowed = RuntimeMessageSpec(1130, "rework-not-allowed", "node `{0}` cannot send the deal back to `{1}` (allowed: {2})", """
        A node may send the deal back only to the nodes in its `rework:` list.
        """)
    public static let reasonRequired = RuntimeMessageSpec(1131, "reason-required", "{0} needs a reason{1}", """
        A rework must say why the work goes back (free text), and a lose event must carry one of \
        the template's `lose.reasons` codes when it declares any.
        """)
    public static let unknownReason = RuntimeMessageSpec(1132, "unknown-reason", "`{0}` is not a lose reason (reasons: {1}){2}", """
        The lose event's reason must be one of `lose.reasons`. When the template declares no \
        reasons, a lose event carries none.
        """)
    public static let loseNotConfigured = RuntimeMessageSpec(1133, "lose-not-configured", "this template has no `lose:` section; the deal cannot be lost", """
        Losing a deal leads through the template's `lose.via` node. A template without a `lose:` \
        section cannot be lost by an event (it may still reach a `lost` end through its flow).
        """)
    public static let loseNotAllowedHere = RuntimeMessageSpec(1134, "lose-not-allowed-here", "the deal cannot be lost from {0} (lose.from: {1})", """
        The template restricts losing to the nodes in `lose.from`, and no active node is one of them.
        """)
    public static let alreadyLosing = RuntimeMessageSpec(1135, "already-losing", "the deal is already on the lose path (at {0})", """
        The deal has been lost and is going through its follow-up nodes; it cannot be lost again.
        """)

    // MARK: Roles (FC114x)

    public static let unknownRole = RuntimeMessageSpec(1140, "unknown-role", "unknown role `{0}`{1}", """
        The event names a role the template does not declare.
        """)
    public static let alreadyMember = RuntimeMessageSpec(1141, "already-member", "`{1}` is already a member of `{0}`", """
        The person is already in the role on this deal.
        """)
    public static let notAMember = RuntimeMessageSpec(1142, "not-a-member", "`{1}` is not a member of `{0}`", """
        The person cannot be removed from a role they are not in.
        """)
    public static let ownerRoleFollowsPool = RuntimeMessageSpec(1143, "owner-role-follows-pool", "the members of the owner role `{0}` follow the deal's owner: claim, assign or release instead", """
        The owner role holds exactly the deal's owner. It changes with `claim`, `assign`, \
        `release`, the idle timer and losing, so that the pools, the quota and the cooldown stay \
        consistent.
        """)

    // MARK: Pools (FC115x)

    public static let notInPublicPool = RuntimeMessageSpec(1150, "not-in-public-pool", "the deal is not in the public pool (owner: `{0}`)", """
        Only a deal in the public pool can be claimed. A manager can assign a deal from either pool.
        """)
    public static let quotaExceeded = RuntimeMessageSpec(1151, "quota-exceeded", "`{0}` already owns {1} open deals of this template; the quota is {2}", """
        `pool.claim.quota` limits how many open deals one person may own at once: a creation \
        with an owner, a claim and an assignment count. The host tells the runner how many the \
        person owns (`StepContext.ownedOpenDeals`). A host that takes in a book its owners \
        already hold (an import) waives it: `flowc run --waive-quota`, `flowc deal create \
        --waive-quota`.
        """)
    public static let cooldownActive = RuntimeMessageSpec(1152, "cooldown-active", "`{0}` owned this deal until {1} and can claim it again from {2}", """
        `pool.claim.cooldown` keeps the previous owner from claiming the deal back right after it \
        left their private pool (release, idle return, or loss). A manager can still assign it.
        """)
    public static let notAManager = RuntimeMessageSpec(1153, "not-a-manager", "`{0}` may not assign deals: assigning needs the role `{1}`", """
        Only members of the `pool.assign_by` role assign deals: members of that role on the deal, \
        or people the host vouches for (`StepContext.actorCanAssign`).
        """)
    public static let assignNotConfigured = RuntimeMessageSpec(1154, "assign-not-configured", "this template names no `pool.assign_by` role; deals cannot be assigned", """
        Assignment is a manager's decision; the template must say which role may make it.
        """)
    public static let notInPrivatePool = RuntimeMessageSpec(1155, "not-in-private-pool", "the deal is not in a private pool", """
        Only an owned deal can be released.
        """)
    public static let notTheOwner = RuntimeMessageSpec(1156, "not-the-owner", "`{0}` does not own this deal (owner: `{1}`)", """
        A deal is released by its owner (or by a member of the `pool.assign_by` role).
        """)
    public static let alreadyOwner = RuntimeMessageSpec(1157, "already-owner", "`{0}` already owns this deal", """
        The deal is already in this person's private pool.
        """)
    public static let unclaimedDeal = RuntimeMessageSpec(1159, "unclaimed-deal", "the deal is in the public pool{1}: claim it (or have a manager assign it) before `{0}`", """
        A deal in the public pool (公海) belongs to nobody, so nobody works its flow: completing a \
        node, ticking a deliverable, sending it back, winning or losing it waits until someone \
        claims the deal or a manager assigns it. Fields, role members and notes can still be kept \
        up, and its timers still run. A deal whose idle time ran out before the event (with no \
        `flowc tick` since) went back to the public pool at that time, which the message says: \
        the store still shows it with its owner until a tick or another event is written.
        """)
    public static let actorRequired = RuntimeMessageSpec(1158, "actor-required", "`{0}` needs the person acting: `by` in a record, `--by` on the command line", """
        Claiming, assigning and releasing are decisions of a person; the event must name them: \
        `by` in a deals or events file, `--by` for `flowc deal event` and `flowc pool`, the \
        event's `actor` for a program that embeds the runner.
        """)

    // MARK: Limits (FC116x)

    public static let stepLimit = RuntimeMessageSpec(1160, "step-limit", "the event needed more than {0} automatic steps (skipped nodes, joins, branches, timers); the template may loop through nodes that are all tailored out", """
        After an event the runner moves the deal on by itself: it passes through skipped nodes, \
        completes forks and joins, takes branches and fires due timers. These eventless steps run \
        under a budget so that a template that loops through tailored-out nodes cannot hang the \
        runner: 1,000 steps, or 4 per node of the flow when that is more \
        (`RunnerLimits.maxEventlessSteps`, `eventlessStepsPerNode`), which a flow that does not \
        loop stays well under however wide its forks. The event is refused and changes nothing.
        """)
    public static let limitExceeded = RuntimeMessageSpec(1161, "limit-exceeded", "{0} exceeds the limit of {1}", """
        Everything an event controls has a bound (`RunnerLimits`): the length of a text value \
        and of an id, the elements of a list value, the fields of one event, the members of one \
        role, the people `join_chat` may bring into one group chat.
        """)

    // MARK: Migrations (FC1162–FC1170)

    public static let migrateNeedsMachines = RuntimeMessageSpec(1162, "migrate-needs-machines", "the migration to {0} is applied with both machines (`Runner.migrate`), not as a plain step", """
        A `migrate` event moves a deal from one compiled template to another, so it needs the \
        machine the deal leaves and the machine it moves to. `Runner.step` has only one; hosts \
        apply migrations with `Runner.migrate`, and replays resolve the target machine by hash. \
        This refusal also answers a replay whose host cannot find the target machine.
        """)
    public static let migrateTargetMismatch = RuntimeMessageSpec(1163, "migrate-target-mismatch", "the migration names machine {0}, but is applied with machine {1}", """
        The `to` hash of a `migrate` event must be the hash of the machine it is applied with, \
        so that a replay of the log moves the deal to the same machine.
        """)
    public static let alreadyOnTarget = RuntimeMessageSpec(1164, "already-on-target", "deal `{0}` already runs on {1}", """
        The deal is already on the version it would migrate to; there is nothing to move. \
        `flowc migrate` reports such deals as skipped, so that running a migration again applies \
        nothing twice.
        """)
    public static let migrateClosed = RuntimeMessageSpec(1165, "migrate-closed", "the deal is {0}; closed deals are not migrated", """
        A won or lost deal stays on the version it closed on: its history reads best against the \
        template that produced it, and it has no timers to recompute. `flowc migrate` reports \
        closed deals as skipped.
        """)
    public static let nodeRemoved = RuntimeMessageSpec(1166, "node-removed", "node `{0}` is {1} and does not exist in the new version: map it to a node of the new version (`--map {0}=NODE`)", """
        A node the deal is working on (active, blocked, a waiting join) or has completed must \
        have a place in the new version: otherwise the deal would lose its position or its \
        history. Give the node a counterpart with a mapping (`--map old=new` or `--map-file`). \
        Skipped and closed nodes without a counterpart are dropped with a note; pending ones \
        simply do not exist in the new version.
        """)
    public static let mappingUnknownNode = RuntimeMessageSpec(1167, "mapping-unknown-node", "the mapping sends `{0}` to `{1}`, which is not a node of the new version{2}", """
        Every target of a node mapping must be a node id of the version the deals move to.
        """)
    public static let mappingDuplicate = RuntimeMessageSpec(1168, "mapping-duplicate", "node `{0}` is mapped twice (to `{1}` and to `{2}`)", """
        A node of the old version has one counterpart; several old nodes may share one (a merge), \
        but one old node cannot go to two places.
        """)
    public static let nodeKindIncompatible = RuntimeMessageSpec(1169, "node-kind-incompatible", "node `{0}` is {1}, but would move to `{2}`, a {3} node, which cannot be {1}{4}", """
        Only tasks and approvals can be active or blocked, and only joins can be waiting. A done \
        node cannot become a `won` or `lost` end of an open deal (an end is done only once the \
        deal closes on it), nor a join unless it was a join (a join is done only once all its \
        branches have arrived). Map the node to a node of a kind that can hold its state.
        """)
    public static let fieldIncompatible = RuntimeMessageSpec(1170, "field-incompatible", "field `{0}` holds {1}, which the new version refuses: {2}; set `{0}` to a value the new version takes (or to null) on this deal, then migrate it again", """
        Fields are matched by id. A field whose type, range or enum values changed must still \
        accept the value the deal holds, or the migration would lose it silently; the deal is \
        refused instead. Change the value first (`flowc deal event ID --set FIELD=…`), or keep \
        the field compatible. When the type itself changed (text to integer, say), the old \
        version cannot hold a value of the new type: unset the field on the old version \
        (`--set FIELD=null`), migrate, and set it again on the new one. (A field removed from the new version is dropped with a note: its \
        value stays in the deal's log.)
        """)

    // MARK: Node records (FC1171–FC1173)

    public static let recordNodeNotReached = RuntimeMessageSpec(1171, "record-node-not-reached", "node `{0}` is {1}: notes and links attach only to nodes the deal has reached", """
        A note or a document link belongs to work that happened: it can be attached to an \
        active, blocked, waiting, done or closed node, not to a node the deal has not reached \
        (pending) or passed by (skipped).
        """)
    public static let recordEmpty = RuntimeMessageSpec(1172, "record-empty", "the {0} is empty", """
        A note needs a text and a link needs a URL; blank ones are refused.
        """)
    public static let recordURLInvalid = RuntimeMessageSpec(1173, "record-url-invalid", "`{0}` is not an http or https URL", """
        Document links are web addresses: `http://` or `https://`, a host, no spaces or control \
        characters. Other schemes (`file:`, `javascript:`) are refused so that a rendered link is \
        always safe to open.
        """)
    public static let noGroupChat = RuntimeMessageSpec(1174, "no-group-chat", "the deal has no group chat to join", """
        A deal's group chat is created by a `group_chat` effect of the template, when its node is \
        entered (S10). A deal whose flow has not reached that node, or whose template has no \
        group chat, has nothing to join; the people of the chat's roles join it when it is \
        created.
        """)
    public static let alreadyInChat = RuntimeMessageSpec(1175, "already-in-chat", "`{0}` is already in {1}", """
        The person is already a member of the chat (through a role, or an earlier `join_chat`), \
        so joining again would only repeat the invitation.
        """)
    public static let unknownChat = RuntimeMessageSpec(1176, "unknown-chat", "the deal has no group chat `{0}`; its chats: {1}", """
        `join_chat` names a chat by the id its `group_chat_create` effect carried \
        (`flowc deal show` lists them). Leave `chat` out to join every chat of the deal.
        """)

    public static let unknownRules = RuntimeMessageSpec(1177, "unknown-rules", "the event was stepped under runner rules {0}; this flowc knows rules 1 to {1}", """
        Each logged event carries the version of the runner's rules it was stepped under \
        (`StepContext.rules`), and a replay steps it under the same rules. A version this flowc \
        does not know comes from a newer flowc (or an edited log): replaying it under other rules \
        could give another snapshot than the one stored, so it is refused. Use the flowc that \
        wrote the store, or a newer one.
        """)
    public static let forkBranchNotEntered = RuntimeMessageSpec(1178, "fork-branch-not-entered", "the deal is inside fork `{0}`; on the new version its {1} no node the deal reached (new, or mapped elsewhere): join `{2}` would wait for ever", """
        A fork starts its branches when the deal enters it, and its join waits for every one. A \
        deal already past the fork cannot start a branch the new version adds, so the join would \
        never be released and the deal could only be lost. Migrate the deal once it has passed \
        the join, or map one of the nodes it is working on (`--map`) onto the new branch.
        """)
    public static let forkNotEntered = RuntimeMessageSpec(1179, "fork-not-entered", "node `{0}` is {1} and would be `{2}`, inside fork `{3}`, which the deal has not entered: its join `{4}` would wait for ever{5}", """
        A fork starts its branches when the deal enters it, and its join waits for every one. The \
        new version puts a node the deal is working on inside a branch (or at the join) of a fork \
        the deal has not passed, so nothing would start the fork's other branches and the deal \
        could only be lost. Map the node (`--map NODE=…`) onto a node before the fork, or migrate \
        the deal once it has passed the fork's join on its own version. Runner rules 6; under \
        rules 5 such a deal moved and was stuck.
        """)
    public static let releaseWhileLosing = RuntimeMessageSpec(1180, "release-while-losing", "the deal is on its lose path, at `{0}`: it goes to the public pool by itself once lost; complete `{0}` first, or have a manager assign it", """
        A lost deal goes through its follow-up nodes (a loss review) and then to the public pool. \
        Released before that, it would sit in the public pool open, at its loss review, and \
        whoever claimed it would have to write someone else's loss analysis; the idle timer \
        holds off on the lose path for the same reason. Complete the follow-up nodes, and the \
        deal goes to the public pool by itself; a manager may assign it to someone else to \
        complete them. Runner rules 6; under rules 5 the release was taken.
        """)
    public static let notAnAssigner = RuntimeMessageSpec(1181, "not-an-assigner", "`{0}` may not {2} `{1}`: its members assign and release deals; only they{3} or an actor the host vouches for (`--can-assign`) may; ask one of them to {4}", """
        The members of the `pool.assign_by` role on a deal may assign it to anyone and release it \
        for its owner. If anyone could add themselves to that role, the check on assigning \
        (FC1153) would stop nobody. So under runner rules 6 only a member of the role or an actor \
        the host vouches for (`--can-assign`, `"can_assign": true`) adds or removes one; the \
        deal's owner (who may release it anyway) may add someone else, but not themselves and \
        not remove one, which would take the deal out of the managers' reach. Under rules 11 the \
        owner adds someone only while the role has no member: a colleague the owner added could \
        otherwise, as a member, remove the managers, or add the owner, who then did. The deal's \
        creation may name them. Other roles are open to anyone, as before.
        """)
    public static let openAfterOpen = RuntimeMessageSpec(1182, "open-after-open", "node `{0}` ({1}) would come after `{2}` ({3}), both open on the new version: the deal would enter `{0}` again when it leaves `{2}`{4}", """
        A deal's open nodes are where it is: side by side in the branches of a fork, with the \
        fork's join waiting after them, never one after another. A mapping (or a new version \
        that reorders the flow) can leave one open node after another: an open node moved back \
        before a fork whose other branch is still open, or an open branch node moved past its \
        join. When the deal left the earlier node it would enter the later one again, though \
        it is open already: its `on_enter` effects would go out twice and its due date start \
        again, or a join would wait for ever for a branch in which nothing is open. Check the \
        mapping, or migrate the deal once it has left the earlier node. "After" follows the \
        transitions that lead forward: a loop back (a branch's approval that can send the deal \
        back before its fork) reworks the nodes between, and enters nothing twice. Runner rules \
        12; under rules 11 such a deal moved.
        """)
    /// Every refusal entry, in code order.
    public static let refusals: [RuntimeMessageSpec] = [
        noDeal, dealExists, machineMismatch, snapshotUnusable, dealClosed, eventOutOfOrder, eventFromFuture, invalidID, duplicateEvent,
        unknownField, computedField, wrongType, outOfRange, unknownEnumValue, requiredFieldMissing, requiredFieldUnset, duplicateField,
        unknownNode, nodeNotActive, deliverablesMissing, unknownDeliverable, outcomeRequired, unknownOutcome, unexpectedOutcome, winNotAvailable,
        reworkNotAllowed, reasonRequired, unknownReason, loseNotConfigured, loseNotAllowedHere, alreadyLosing,
        unknownRole, alreadyMember, notAMember, ownerRoleFollowsPool,
        notInPublicPool, quotaExceeded, cooldownActive, notAManager, assignNotConfigured, notInPrivatePool, notTheOwner, alreadyOwner, actorRequired, unclaimedDeal,
        stepLimit, limitExceeded,
        migrateNeedsMachines, migrateTargetMismatch, alreadyOnTarget, migrateClosed, nodeRemoved, mappingUnknownNode, mappingDuplicate,
        nodeKindIncompatible, fieldIncompatible, recordNodeNotReached, recordEmpty, recordURLInvalid,
        noGroupChat, alreadyInChat, unknownChat, unknownRules, forkBranchNotEntered, forkNotEntered, releaseWhileLosing, notAnAssigner,
        openAfterOpen,
    ]

    /// The refusal entry with this code, if any (`flowc explain FC1121`).
    public static func refusal(code: String) -> RuntimeMessageSpec? {
        refusals.first { $0.code == code }
    }

    // MARK: Texts that are not refusals

    /// Phrases used as arguments of the formats above.
    public enum Phrase {
        public static let everyChat = "every group chat of the deal"
        /// FC1159's `{1}` for a deal the idle timer returned to the public pool within the step.
        public static let returnedBeforeEvent = " (its idle time ran out: it went back there at {0}, before this event, from `{1}`)"
        public static let creatingTheDeal = "creating the deal"
        public static let completingNode = "completing node `{0}`"
        public static let rework = "a rework of `{0}`"
        public static let losing = "losing the deal"
        public static let reasonsAre = " (reasons: {0})"
        public static let noActiveNode = "no active node leads to a `won` end"
        public static let nodeDoesNotLeadToWon = "node `{0}` does not lead to a `won` end now"
        public static let didYouMean = " (did you mean `{0}`?)"
        /// A node named by its display name where its id is wanted (`{1}` the name written).
        public static let didYouMeanNamed = " (did you mean `{0}`? `{1}` is its name; a node mapping takes node ids)"
        /// A name that is a known one with an invisible character in it (`{1}`: the character named).
        public static let didYouMeanWithout = " (did you mean `{0}`? this one contains {1})"
        /// Why a done node cannot move onto an end or a join (FC1169).
        public static let endNotDone = " while the deal is open: a {0} node is done only once the deal is {0}"
        public static let joinNotDone = " coming from a {0} node: a join is done only once all its branches have arrived"
        public static let empty = "it is empty"
        public static let tooLong = "it is longer than {0} characters"
        /// `{0}`: the character's code point and name.
        public static let controlCharacter = "it contains the control character {0}"
        /// `{0}`: the character, as `CharacterNames.describe` names it.
        public static let invisibleCharacter = "it contains {0}; write the id without it"
        /// FC1181's `{2}` (what was done) and `{4}` (what to ask for), by adding and by removing.
        public static let addTo = "add someone to"
        public static let removeFrom = "remove someone from"
        public static let askToAdd = "add `{0}`"
        public static let askToRemove = "remove `{0}`"
        /// FC1178's `{1}`: the branches without a node the deal reached, and the verb.
        public static let branchHas = "branch `{0}` has"
        public static let branchesHave = "branches {0} have"
        /// FC1181's `{3}`: who else may, when adding (the owner may add, not remove).
        public static let orTheOwner = ", the deal's owner"
        /// FC1181 under rules 11: the owner adds someone only while the role has no member.
        public static let orTheOwnerWhileEmpty = ", the deal's owner while it has no member,"
        /// FC1181's `{3}` to an owner who would add themselves.
        public static let orTheOwnerSomeoneElse = ", the deal's owner (adding someone other than themselves),"
        public static let orTheOwnerSomeoneElseWhileEmpty = ", the deal's owner (adding someone other than themselves, while it has no member),"
        /// FC1182's `{1}`, `{3}`: a node's state, and the node it came from when a mapping moved it.
        public static let openState = "{0}"
        public static let openStateFrom = "from `{1}`, {0}"
        /// FC1182's `{4}`: what to do, with the mapping that moved a node, or without one.
        public static let checkMapping = "; check the mapping `--map {0}={1}`, or migrate the deal once it has left `{2}`"
        public static let migrateLater = "; migrate the deal once it has left `{0}`"
        /// FC1179's `{5}`: what to do (`{0}` the old node, `{1}` the fork).
        public static let mapBeforeFork = "; map `{0}` onto a node before fork `{1}` (`--map {0}=NODE`), or migrate the deal once it has moved past `{0}`"
        public static let schemaVersion = "schema version {0}; this runner reads version {1}"
        public static let shapeMismatch = "it has {0} {1} but the machine has {2}"
        public static let none = "none"
        public static let noOwner = "nobody"
    }

    /// Lines of `Runner.explain` (why a deal is where it is).
    public enum Explain {
        public static let status = "deal `{0}` is {1}, in the {2} pool, owner {3}"
        /// The open-node lines: `{0}` the node's id, then its display names (`nodeNames`).
        public static let activeNode = "node `{0}`{1} is {2} since {3}"
        public static let activeNodeDue = "node `{0}`{1} is {2} since {3}, due {4}"
        public static let blockedNode = "node `{0}`{1} is blocked since {2}, due {3} (active since {4})"
        /// After ``blockedNode`` when the node was marked blocked before a migration moved its
        /// due date earlier (`{0}`).
        public static let blockedBeforeEarlierDue = "; it was marked blocked before a migration moved its due date to {0}, which it is overdue from"
        /// A node's display names after its id (`初步洽谈 Initial talks`: Chinese, then English).
        public static let nodeNames = " ({0})"
        public static let branch = "at `{0}`, `{1}` was {2} (reads {3}): went to `{4}`"
        public static let branchDefault = "at `{0}`, no condition held: went to the default `{1}`"
        public static let tailoringSkipped = "`{0}` was skipped: `{1}` was {2} (reads {3})"
        public static let tailoringEntered = "`{0}` was entered: `{1}` was true (reads {2})"
        public static let projectionIn = "`{0}` is back in the flow ahead: `{1}` is now true (reads {2})"
        /// A node out of the flow ahead from the start, coming into it for the first time.
        public static let projectionInFirst = "`{0}` comes into the flow ahead: `{1}` is now true (reads {2})"
        public static let projectionOut = "`{0}` left the flow ahead: `{1}` is now {2} (reads {3})"
        public static let projectionOutAtStart = "`{0}` is not in the flow ahead from the start: `{1}` is {2} (reads {3})"
        /// A node a migration's new version adds ahead of the deal (runner rules 9), in the flow
        /// ahead or not.
        public static let projectionAddedIn = "`{0}`, new in this version, is in the flow ahead: `{1}` is true (reads {2})"
        public static let projectionAddedOut = "`{0}`, new in this version, is not in the flow ahead: `{1}` is {2} (reads {3})"
        /// The `{2}` of the projection lines for a condition whose evaluation failed.
        public static let failedVerdict = "not known, as evaluating it failed ({0}), which counts as false"
        public static let outcome = "`{0}` was completed with outcome `{1}`: went to `{2}`"
        public static let rework = "`{0}` sent the deal back to `{1}`: {2}"
        public static let lose = "the deal was lost ({0}) at {1}: it goes through `{2}`"
        public static let blocked = "`{0}` passed its due date at {1} and was blocked"
        /// A due date before the deal's previous event (after a migration that shortened `due`).
        public static let blockedLate = "`{0}` passed its due date at {1}, before the deal's last event (a migration that shortened its `due`), and was marked blocked at {2}, as of its due date"
        public static let escalated = "`{0}` was escalated to `{1}` at {2}"
        public static let dueRestarted = "`{0}` is due again at {1}: the deal left the public pool at {2}, and its due clock started again"
        public static let dueRestartedNoDue = "`{0}` is active again: the deal left the public pool at {1}"
        public static let idleWarning = "no status change since {0}: idle warning at {1}"
        /// After ``idleWarning``, when a migration made the warning due at once.
        public static let idleWarningMigrated = ", due at {0} on the version the deal moved to: the migration made it due at once"
        public static let idleReturn = "no status change since {0}: returned to the public pool at {1}"
        /// After ``idleReturn``, when its warning was dropped.
        public static let idleReturnUnwarned = ", without the idle warning due at {0}: no tick ran between the two, and a warning of what had already happened is not sent"
        /// ``idleReturnUnwarned`` when a migration made the warning and the return due at once.
        public static let idleReturnUnwarnedMigrated = ", without the idle warning due at {0} on the version the deal moved to: the migration made the two due at once, and a warning of what had already happened is not sent"
        public static let evaluationFailed = "evaluating `{0}` failed ({1}; reads {2}); it counts as false"
        public static let computeFailed = "computing field `{0}` as `{1}` failed ({2}; reads {3}); the field is unset"
        public static let migration = "the deal moved to another version of its template at {0}: {1}"
    }

    /// Notes of a migration (what was carried over with a loss), and its node moves.
    public enum Migration {
        public static let nodeDropped = "node `{0}` ({1}) is not in the new version: dropped"
        /// `{0}` the nodes merged, each with its state.
        public static let merged = "nodes {0} merge into `{1}`, which keeps the state of `{2}`"
        public static let outcomeForgotten = "outcome `{1}` of node `{0}` is not in the new version: forgotten"
        /// `{0}` the deliverable, `{1}` its node, `{2}` the node it moves to.
        public static let deliverableDropped = "deliverable `{0}` of node `{1}` is done, and `{2}` has no such deliverable in the new version: the tick is dropped (it stays in the log)"
        public static let fieldDropped = "field `{0}` is not in the new version: its value {1} is dropped (it stays in the log)"
        public static let fieldComputed = "field `{0}` is computed in the new version: its value {1} is replaced by the computation"
        public static let requiredUnset = "field `{0}` is required in the new version and the deal has no value for it (no default): set it with an event (`--set {0}=…`)"
        public static let roleDropped = "role `{0}` is not in the new version: {1} dropped"
        public static let chatDropped = "group chat `{0}` has no matching `group_chat` effect in the new version (on the same node, or the node it is mapped to, and trigger): the deal no longer follows it, so new role members are not added to it, and entering its node again creates a new chat"
        /// A chat kept with the roles it was made with (`{1}`) where the new version's effect
        /// lists others (`{2}`); `{3}` ``chatRolesAdded`` and ``chatRolesLeft``.
        public static let chatRolesKept = "group chat `{0}` keeps following the roles it was made with, {1}, where the new version's `group_chat` lists {2}: {3}"
        public static let chatRolesAdded = "a person added later to {0} is not added to the chat"
        public static let chatRolesLeft = "one added to {0} still is"
        /// A node new in this version before the deal's open nodes (`{1}`).
        public static let addedBehind = "node `{0}` is new in this version and comes before {1}, where the deal is: the deal does not pass it, and it stays pending unless the deal is sent back before it"
        public static let detail = "{0} {1} → {2} {3}"
        /// A done node the migration puts after the deal's open nodes (`{0}` the new node, `{1}`
        /// the old one, `{2}` the open nodes, `{3}` ``doneAheadMapped`` or ``doneAheadReordered``).
        public static let doneAhead = "`{0}` is done (as `{1}`), but the new version puts it after {2}, where the deal is: it shows done ahead of the deal until the deal gets there, and is entered again then{3}"
        public static let doneAheadMapped = "; if the mapping is a slip, map `{0}` to the node it became (`--map {0}=NODE`)"
        public static let doneAheadReordered = " (the new version moved it later)"
        public static let note = "note"
        public static let url = "URL"
    }

    /// Failure texts of the scenario runner.
    public enum Scenario {
        public static let stepHeading = "step {0} ({1} at {2})"
        public static let unexpectedRefusal = "expected the event to be accepted, but it was refused: {0}"
        public static let expectedRefusal = "expected refusal {0}, but the event was accepted"
        public static let wrongRefusal = "expected refusal {0}, got {1}"
        public static let refusedChanged = "a refused event changed the snapshot"
        public static let mismatch = "expected {0} {1}, got {2}"
        public static let effectMissing = "expected an effect {0}, none of this step's effects matches (got {1})"
        public static let effectTaken = "expected an effect {0} of its own: the effects that match it are taken by the patterns before it (got {1})"
        public static let unknownEffectKind = "unknown effect kind `{0}`{1}; the runner emits {2}"
        public static let unknownNodeInExpectation = "the expectation names unknown node `{0}`"
        public static let unknownFieldInExpectation = "the expectation names unknown field `{0}`"
        public static let badValue = "{0}: {1}"
        /// FC1112's "holds …" for a YAML number written for a text field.
        public static let numberForText = "the number `{0}` (YAML reads an unquoted number as a number, which can change it, as `013800000000` becomes 13800000000: quote the text)"
        /// FC1112's "holds …" for one element of a list.
        public static let inList = "{0} in its list"
        public static let aList = "a list"
        public static let aMapping = "a mapping"
        public static let replayDiffers = "replaying the scenario's accepted events gives a different snapshot"
        public static let decisions = "decisions in this step:"

        // Format errors of a scenario file (FC1301 in `flowc test`), found before any step runs.

        /// `expect.refused` naming no code at all; `{1}` is a did-you-mean.
        public static let notARefusal = "`{0}` is not a refusal code{1}: `refused` takes the code the step is refused with, one of the runner's (FC11xx; `flowc explain CODE` tells what each means)"
        /// `expect.refused` naming a host or store code (FC12xx).
        public static let hostRefusal = "`{0}` is a code of the host and its store, which a scenario does not run: its events are refused by the runner alone, with its codes (FC11xx)"
        /// `expect.refused` naming a runner refusal that a scenario's deal never meets.
        public static let refusalNeverMet = "`{0}` ({1}) cannot happen in a scenario, which creates its deal first, names and dates its events itself, and has no stored deal and no migration"
        /// Steps after a deal whose creation is expected to be refused.
        public static let stepsAfterRefusedCreation = "the deal is not created: its creation is expected to be refused (`deal.expect.refused: {0}`), so no step can run after it; leave `steps` out, or expect the creation to succeed"
        /// A key of `deal.expect` beside `refused`: `{1}` the key.
        public static let keyBesideRefusedCreation = "the deal is not created: its creation is expected to be refused (`refused: {0}`), so there is no deal for `{1}` to check; leave `{1}` out, or expect the creation to succeed"
        /// An expectation's key written with no value: `{0}` what it takes (below).
        public static let blankExpectation = "left blank (null): expected {0}"
        public static let blankHelp = "a key with nothing after it is null in YAML, which this key does not take (only `owner`, `next_timer` and a field's value take null: nobody, no timer, unset): write what must hold, or leave the key out to check nothing"
        public static let blankRefused = "the code the step is refused with (FC11xx)"
        public static let blankStatus = "open, won or lost"
        public static let blankPool = "private or public"
        public static let blankKind = "an effect kind"
        public static let blankText = "the text an effect's message contains"
        public static let blankNode = "a node id"
        public static let blankPerson = "a person"
        public static let blankTrigger = "the trigger of an effect"
        /// The runner given such a key all the same (a scenario not read from a file).
        public static let noDealToCheck = "expected {0} of the deal, but there is no deal: its creation was refused"
        public static let instantOutOfRange = "`{0}` is outside the years 1 to 9999 (the range of `--now`)"
        public static let timeAfterOutOfRange = "`{0}` after {1} is past the year 9999 (the range of `--now`)"
        public static let durationDigits = "`{0}`: each number in a duration has at most {1} digits (`999999999m`; write a longer time in a larger unit)"
    }

    /// `{n}` replaced by argument n; other braces are kept (the diagnostics' own filling).
    static func fill(_ format: String, _ arguments: [String]) -> String {
        Message(format, arguments).text
    }
}
