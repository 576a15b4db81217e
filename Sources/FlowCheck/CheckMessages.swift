public import FlowDiagnostics

/// Every diagnostic of the checker: names and reuse (FC03xx), flow graph (FC05xx), timers
/// (FC06xx), pools and effects (FC07xx). Expression codes (FC04xx) live in `ExprMessages`.
public enum CheckMessages {
    // MARK: names, references, reuse (FC03xx)

    public static let duplicateID = MessageSpec(301, .error, "duplicate-id", "duplicate {0} id `{1}`", explanation: """
        Two fields, roles, nodes, deliverables, outcomes or enum values share an id (also across \
        included fragments). Every id must be unique within its kind so that references are not \
        ambiguous. The second definition is reported, with a label at the first.

        Wrong:

            nodes:
              - {id: proposal, name: 方案报价, owner: sales_owner, next: won}
              - {id: proposal, name: 报价, owner: sales_owner, next: won}
        """)

    public static let unknownNode = MessageSpec(302, .error, "unknown-node", "unknown node `{0}`", explanation: """
        A transition (`next`, `to`, `default`, `outcomes`, `branches`, `join`, `rework`), `start`, \
        `lose.via` or `lose.from` names a node that the template does not define. A close name is \
        suggested when there is one.

        Wrong:

            next: propsal

        Right:

            next: proposal
        """)

    public static let unknownRole = MessageSpec(303, .error, "unknown-role", "unknown role `{0}`", explanation: """
        An `owner`, `participants`, `escalate.to`, effect recipient, `pool.assign_by` or \
        `pool.idle.notify` names a role that `roles:` does not declare. Effects may also name the \
        special recipients `owner` (the deal owner), `contacts` (the customer's contacts) and, in \
        `on_role_added` effects, `added` (the person just added). A close name is suggested when \
        there is one.

        Wrong:

            participants: [presale]

        Right:

            participants: [presales]
        """)

    public static let unknownField = MessageSpec(304, .error, "unknown-field", "unknown field `{0}`", explanation: """
        A `requires` list, `customer` section, bot card `fields`, or a `{placeholder}` in an effect \
        text names a field that `fields:` does not declare. A close name is suggested when there \
        is one.

        Wrong:

            requires: [amout]

        Right:

            requires: [amount]
        """)

    public static let cannotLoad = MessageSpec(305, .error, "cannot-load", "cannot load `{0}`: {1}", explanation: """
        A file named by `extends:` or `include:` cannot be read. Paths are relative to the file \
        that names them.
        """)

    public static let reuseCycle = MessageSpec(306, .error, "reuse-cycle", "`{0}` closes a cycle of `extends` and `include`: {1}", explanation: """
        Templates extend or include each other in a cycle (`a` extends `b`, which extends `a`). \
        The chain is shown in the message.
        """)

    public static let reuseTooDeep = MessageSpec(307, .error, "reuse-too-deep", "templates extend or include each other more than {0} levels deep", explanation: """
        The chain of `extends` and `include` is longer than the limit (16).
        """)

    public static let removeUnknown = MessageSpec(308, .error, "remove-unknown-node", "`remove_nodes` names `{0}`, which the parent template does not define", explanation: """
        `remove_nodes` removes nodes inherited through `extends`; it can only name nodes of the parent.
        """)

    public static let noNodes = MessageSpec(309, .error, "no-nodes", "the template defines no nodes", explanation: """
        A template needs at least one node, and a path from its start node to a `won` or `lost` end.
        """)

    public static let ownerRole = MessageSpec(310, .error, "owner-role", "no role is marked `owner: true`; one role must own the deals", explanation: """
        Exactly one role is the deal owner (`owner: true`): deals in a private pool belong to a \
        person in that role, and `owner` in effects means that person.
        """)

    public static let fieldKeyNotAllowed = MessageSpec(311, .error, "field-key-not-allowed", "`{0}` does not apply to a field of type `{1}`", explanation: """
        Some field keys only make sense for some types: `currency` for money, `values` for enum \
        (and list of enum), `of` for lists, `min`/`max` for integer, decimal and money, `multiline` for text.
        """)

    public static let fieldKeyMissing = MessageSpec(312, .error, "field-key-missing", "a field of type `{0}` needs `{1}`", explanation: """
        Money fields need a `currency`, enum fields their `values`, list fields the type of their \
        elements in `of`.
        """)

    public static let computedCycle = MessageSpec(313, .error, "computed-cycle", "computed field `{0}` depends on itself: {1}", explanation: """
        Computed fields are evaluated from other fields. A chain that leads back to the same field \
        can never be evaluated.
        """)

    public static let amountGuessed = MessageSpec(714, .warning, "amount-guessed", "the report will read `{0}` as each deal's amount, though `{1}` is worked out from it", explanation: """
        `flowc report` sums each deal's amount in its funnel, forecast and totals. Templates do \
        not mark the field, so a fixed rule picks it (docs/views.md, "What the report reads"): \
        the money field `amount`, else one whose id holds `amount` (`expected_amount`), else the \
        first money field. This template has none of the first two, and its first money field \
        is one that another money field is computed from (a price per seat, from which the \
        contract value is worked out): the report would sum the part, not the deal's value. \
        Name the deal's value `amount` (rename the computed field, or compute one: `amount: \
        {type: money, currency: …, compute: "price_per_seat * seats"}`); if the first money \
        field is the amount after all, suppress this warning.
        """)

    public static let divisorMayBeZero = MessageSpec(436, .warning, "divisor-may-be-zero", "`{0}` can be zero, and the condition is then false", explanation: """
        A division by a field that can hold zero (a number or money field without a `min` above \
        zero) has no value on a deal where it is zero, and a condition then counts as false \
        (FC0430 at run time; the deal goes on). A condition meant to catch a low margin lets \
        through the deal with a quote of zero, the one that most needs it. The same holds for a \
        computed field whose `compute` divides so: it is unset, and a condition on it is false. \
        Test the divisor against zero in the condition before the division (`or` and `and` \
        read left to right, and a division by zero fails the whole condition, so a test written \
        after it comes too late), or the computed field with `has`, or give the divisor a `min` \
        above zero.

        Wrong:

            (quote - cost) / quote < 0.15

        Wrong: the test comes after the division, too late:

            (quote - cost) / quote < 0.15 or quote <= 0 CNY

        Right:

            quote <= 0 CNY or (quote - cost) / quote < 0.15
        """)

    public static let badDefault = MessageSpec(314, .error, "invalid-default", "default `{0}` is not a valid `{1}`", explanation: """
        A field's default must be a value of its type, as a new deal will read it: a whole number \
        for integer (64-bit), a number for decimal and money (exact, at most 18 significant \
        digits: it is never rounded), `true`/`false` for boolean, a declared value for enum, a \
        real calendar day `"YYYY-MM-DD"` (years 0001–9999) for date, and an ISO-8601 instant \
        with a zone for datetime. A number default must also lie within the field's `min` and \
        `max`. A note names the rule the default breaks. A default that broke these rules would \
        silently be left out of every new deal, and a `required` field with it could never be \
        created.

        Wrong:

            fields:
              visit_at: {type: datetime, default: "2024-05-01T25:30:00+08:00"}

        Right:

            fields:
              visit_at: {type: datetime, default: "2024-05-01T09:30:00+08:00"}
        """)

    public static let computedConflict = MessageSpec(315, .error, "computed-conflict", "a computed field cannot have `{0}`", explanation: """
        A computed field's value always comes from its expression, so it cannot be `required` (no \
        one fills it in) nor have a `default`.
        """)

    public static let badRange = MessageSpec(316, .error, "invalid-range", "`min` ({0}) is greater than `max` ({1})", explanation: """
        No value can satisfy a field whose `min` is greater than its `max`.
        """)

    public static let identityField = MessageSpec(317, .error, "identity-field", "customer identity field `{0}` must be a text field, not `{1}`", explanation: """
        Duplicate customers are caught by comparing normalised identity fields (a company name, a \
        tax id), which must therefore be text.
        """)

    public static let unknownNormalizer = MessageSpec(318, .error, "unknown-normalizer", "unknown normalisation `{0}`", explanation: """
        `customer.normalize` lists normalisations applied to identity fields before comparing them: \
        `trim`, `lowercase`, `collapse_spaces`, `fullwidth_to_halfwidth`, `strip_legal_suffix`.
        """)

    public static let keyNotForKind = MessageSpec(319, .error, "key-not-for-kind", "`{0}` does not apply to a node of kind `{1}`", explanation: """
        Each node kind uses its own keys: tasks and joins go on with `next`; approvals with \
        `outcomes`; forks with `branches` and `join`; `won` and `lost` are ends and go nowhere.
        """)

    public static let keyNeededForKind = MessageSpec(320, .error, "key-needed-for-kind", "a node of kind `{0}` needs `{1}`", explanation: """
        Tasks and approvals need an `owner` role and a way on (`next` or `outcomes`); forks need \
        `branches` and `join`; joins need `next`.
        """)

    public static let loseReasonField = MessageSpec(321, .error, "lose-reason-field", "`{0}` cannot hold the lose reason: {1}", explanation: """
        `lose.reason_field` names the field a lose event writes its reason into, so that the \
        follow-up nodes can branch on it (S12: a loss to a competitor goes to a competitor \
        analysis, one on price to a price review). It must be a text field, or an enum field whose \
        values include every reason of `lose.reasons`, and not a computed one; and `lose.reasons` \
        must list the reasons, or no lose event carries one.

        Wrong:

            lose: {reasons: [price, competitor], via: loss_review, reason_field: loss_type}
            fields:
              loss_type: {type: enum, values: [price]}

        Right:

            lose: {reasons: [price, competitor], via: loss_review, reason_field: loss_type}
            fields:
              loss_type: {type: enum, values: [price, competitor]}
        """)

    public static let ownerExternal = MessageSpec(323, .warning, "owner-external", "the owner role `{0}` is also marked `external`", explanation: """
        The owner role holds the deal's owner, the salesperson whose private pool keeps the deal. \
        `external: true` marks the customer's own people: with both, the owner counts among the \
        deal's `contacts`, and the cards sent to a newcomer in an external role withhold the \
        internal figures from them. Give the customer's contacts a role of their own.
        """)

    public static let fieldHiddenInViews = MessageSpec(322, .warning, "field-hidden-in-views", "field `{0}` cannot be named in deal views: `{0}` is a built-in key ({1})", explanation: """
        `flowc deals`, saved views and `flowc report` name deals' fields by their ids, beside \
        built-in keys: `deal`, `template`, `status`, `pool`, `owner`, `node`, `blocked`, \
        `probability`, `created`, `closed`, `age`, `idle`, `returns` and `due`. A built-in takes \
        precedence, so a field with one of those ids can be set and used in conditions, but no \
        view can filter, group, sort or show it: `--columns due` shows the built-in. Name the \
        field differently.

        Wrong:

            due: {type: date}

        Right:

            due_date: {type: date}
        """)

    public static let closeDateNotADate = MessageSpec(324, .warning, "close-date-not-a-date", "field `{0}` is a `{1}`: the forecast reads the expected close date from a `date` field, so no deal of this template gets a close month", explanation: """
        The report's forecast, and views' close month, read a deal's expected close date from \
        the field `expected_close_date`, else from the first `date` field whose id starts with \
        `expected_close` (docs/views.md). A field of that name of another type is not read: \
        every deal of the template lands in "未定 no date". A close date is a day: make the field \
        a `date`, or give it another name if it is something else.

        Wrong:

            expected_close_date: {type: datetime}

        Right:

            expected_close_date: {type: date}
        """)

    // MARK: flow graph (FC05xx)

    public static let unreachable = MessageSpec(501, .warning, "unreachable-node", "node `{0}` cannot be reached from the start node `{1}`", explanation: """
        No transition, branch, outcome, fork or the global lose leads to this node, so no deal will \
        ever enter it. Remove it, or connect it. (Rework transitions go back to earlier nodes and do \
        not count as reaching a node.) This is a warning: suppress it with \
        `# flowc-ignore FC0501` on the node's `id` line when the node is kept on purpose.

        Wrong:

            - id: legacy_review
              name: 旧版审核
              owner: sales_manager
              next: won

        Right: say why it is kept.

            - id: legacy_review  # flowc-ignore FC0501 -- kept for deals created before 2.0
              name: 旧版审核
              owner: sales_manager
              next: won
        """)

    public static let cannotEnd = MessageSpec(502, .error, "cannot-reach-end", "no path leads from node `{0}` to a `won` or `lost` end", explanation: """
        A deal that enters this node can never finish: every path from it leads into a loop that \
        has no exit (reported as FC0503). Each path must end in a node of kind `won` or `lost`. \
        The error is reported where the flow enters the loop, not again on every node before it.
        """)

    public static let loopWithoutExit = MessageSpec(503, .error, "loop-without-exit", "nodes {0} form a loop with no exit", explanation: """
        These nodes lead only to each other: a deal entering the loop goes round forever. Give one \
        of them a branch that leaves the loop.
        """)

    public static let forkJoin = MessageSpec(504, .error, "fork-join", "branch `{0}` of fork `{1}` never reaches its join `{2}`", explanation: """
        A fork starts its `branches` in parallel and its `join` waits for all of them. Every branch \
        must lead to that join (and only to it), the join must be a node of kind `join`, and a join \
        belongs to exactly one fork.
        """)

    public static let noDefault = MessageSpec(505, .error, "branch-without-default", "this branch set can match nothing: no `default` branch", explanation: """
        When none of the `if` conditions holds, a deal would be stuck. End every conditional `next` \
        list with a `default:` entry.

        Right:

            next:
              - if: "quote < cost"
                to: internal_audit
              - default: negotiation_review
        """)

    public static let shadowedByDefault = MessageSpec(506, .error, "shadowed-branch", "this branch can never be taken: the `default` above always matches first", explanation: """
        Branches are tried in order and `default` always matches, so anything after it is dead. \
        Move `default` to the end.
        """)

    public static let constantCondition = MessageSpec(507, .warning, "constant-condition", "this condition is always {0}", explanation: """
        The condition does not depend on any field, so it always has the same value: the branch is \
        always or never taken, and a node `when` always or never includes the node.

        Wrong:

            when: "100 > 50"

        Right:

            when: "amount > 50 CNY"
        """)

    public static let shadowedByCondition = MessageSpec(508, .warning, "duplicate-condition", "this branch can never be taken: an earlier branch has the same condition", explanation: """
        An earlier branch has the same condition, or a condition that is always true, so this \
        branch is never reached.
        """)

    public static let reworkTarget = MessageSpec(509, .error, "rework-target", "`rework` can only go back to an earlier node; `{0}` does not come before `{1}`", explanation: """
        Rework sends a deal back to a node it has already passed, with a reason. The target must be \
        a node from which this node can be reached. (A node that deals cannot reach at all is \
        reported as such, FC0501, and its rework is not judged.)

        Wrong (the first node cannot go back to a later one):

            rework: [proposal]

        Right: the same list on a node after `proposal`, such as `negotiation_review`, which the \
        deal reaches only through `proposal`.
        """)

    public static let reworkToJoin = MessageSpec(517, .error, "rework-to-join", "`rework` cannot go back to the join `{0}`: a deal cannot rest on a join; name the fork `{1}` to do every branch again, or a node in the branch to do again", explanation: """
        A join is no step of work: it waits for the fork's branches and lets the deal go on once \
        they have all arrived. Rework makes its target active, and a join cannot be active: \
        the deal would rest on no node, with every branch done, and nothing could be completed \
        or won. A transition back to the join from after it (an approval's outcome) is the same \
        mistake: the join is passed at once and no branch is done again. Going back to the fork \
        does every branch again; going back to a node inside a branch does that branch again, \
        and the others count as arrived.

        Wrong:

            - id: signing
              rework: [contract_review_done]

        Right:

            - id: signing
              rework: [contract_review, legal_review]
        """)

    public static let badStart = MessageSpec(510, .error, "bad-start", "the start node `{0}` is a `{1}` node", explanation: """
        A deal starts in the start node (the first node, or `start:`); it must be a task or an approval.
        """)

    public static let loseEnd = MessageSpec(511, .error, "lose-end", "the lose path from `{0}` must end in a `lost` node", explanation: """
        `lose.via` starts the follow-up of a lost deal (for example a loss review). Every path from \
        it must end in a node of kind `lost`, never in `won`.
        """)

    public static let noWon = MessageSpec(512, .warning, "no-won-end", "no node of kind `won`: deals can never be won", explanation: """
        Most sales processes end with a won deal. Without a `won` node, every deal ends lost.
        """)

    public static let loseFromTerminal = MessageSpec(513, .error, "lose-from-end", "`lose.from` names `{0}`, a `{1}` node; deals there are already closed", explanation: """
        Deals can only be lost from open nodes: a deal at a `won` or `lost` node is already closed, \
        so listing such a node in `lose.from` has no effect and is almost certainly a typo. A \
        node of the lose path (`lose.via` and what follows it) is refused too: a deal there is \
        being lost already, and with only such nodes listed no deal could ever be lost.
        """)

    public static let probabilityOnLosePath = MessageSpec(518, .warning, "probability-on-lose-path", "`probability: {0}` on `{1}`, a node of the lose path, never counts: a deal there is forecast at 0", explanation: """
        A deal that is being lost (from the `lose` event, through `lose.via` and the nodes after \
        it, to its `lost` end) can no longer be won, so its forecast probability is 0 there, \
        whatever its nodes declare (runner rules 11). A `probability` above 0 on such a node \
        would never weigh in the forecast; remove it, or write 0 to say so. The same holds for a \
        node from which no transition leads to a `won` node (a debrief an approval's `no_bid` \
        sends the deal to, on its way to `lost`): a deal there is forecast at 0 too (rules 13).
        """)

    public static let duplicateTarget = MessageSpec(514, .warning, "duplicate-outcome-target", "outcomes `{0}` and `{1}` lead to the same node `{2}`", explanation: """
        An approval's outcomes normally lead to different places (approve and reject). Two outcomes \
        with the same target are often a copy-paste slip.
        """)

    public static let forkBranchesOverlap = MessageSpec(515, .error, "fork-branches-overlap", "fork `{0}` names branch `{1}` twice", explanation: """
        A fork starts each of its `branches` once, and its join waits for one arrival from each. \
        Branches must therefore be different nodes, and a branch must never lead into another \
        branch or share a node with it: that node is done once, arrives at the join once, and \
        the join waits forever for the arrival that is missing. A deal stuck there is open with no \
        active node. (An approval in a branch may still send the deal back to a node before the \
        fork: that resets the whole fork.)

        Wrong:

            - {id: review, name: 会审, kind: fork, branches: [legal_review, legal_review], join: review_done}
            - {id: legal_review, name: 法务, owner: legal, next: finance_review}
            - {id: finance_review, name: 财务, owner: finance, next: review_done}

        Right:

            - {id: review, name: 会审, kind: fork, branches: [legal_review, finance_review], join: review_done}
            - {id: legal_review, name: 法务, owner: legal, next: review_done}
            - {id: finance_review, name: 财务, owner: finance, next: review_done}
        """)

    public static let forkEnteredFromOutside = MessageSpec(516, .error, "fork-entered-from-outside", "`{0}` leads into `{1}` inside fork `{2}`, and deals can reach `{0}` without passing the fork", explanation: """
        A fork's branches and its join are entered through the fork: the fork starts every branch \
        and the join waits for all of them. A transition, an approval outcome, `start` or \
        `lose.via` that leads into a branch (or to the join) of a fork the deal has not passed \
        runs one branch alone, and the join then waits forever for the others: the deal is open \
        with no active node.

        Going back is allowed: a node that every path reaches through the fork (after its join) \
        may lead back into one branch, and `rework` may name a branch node from anywhere after \
        the fork's join. Only that branch is done again; the others count as arrived.

        Wrong (the quotation skips the fork but enters one of its branches):

            - id: quotation
              next:
                - if: "quote < cost"
                  to: legal_review
                - default: contract_review
            - {id: contract_review, kind: fork, branches: [legal_review, finance_review], join: contract_review_done}

        Right:

            - id: quotation
              next:
                - if: "quote < cost"
                  to: internal_audit
                - default: contract_review
        """)

    // MARK: timers (FC06xx)

    public static let warnAfterDeadline = MessageSpec(601, .error, "warning-after-deadline", "the warning at {0} comes at or after the deadline at {1}", explanation: """
        The idle warning must come before the deal returns to the public pool, or the owner is \
        warned too late to act.

        Wrong:

            idle: {after: 30d, warn: 30d}

        Right:

            idle: {after: 30d, warn: 25d}
        """)

    public static let negativeDuration = MessageSpec(602, .error, "negative-duration", "`{0}` is negative; `{1}` must be a positive duration", explanation: """
        Durations measure time forwards from an event; a negative one has no meaning.
        """)

    public static let zeroDuration = MessageSpec(603, .error, "zero-duration", "`{0}` must be longer than zero", explanation: """
        A zero duration would fire at the same moment its timer starts.
        """)

    public static let estimateOverDue = MessageSpec(604, .warning, "estimate-over-due", "the estimate {0} is longer than the due time {1}", explanation: """
        A node estimated to take longer than it is allowed will be overdue on plan.
        """)

    public static let escalateWithoutDue = MessageSpec(605, .error, "escalate-without-due", "`escalate` needs a `due` time on the node", explanation: """
        Escalation happens some time after the node's due date is breached; without `due` it can never happen.
        """)

    public static let dueAfterIdle = MessageSpec(606, .warning, "due-after-idle", "node `{0}` is due after {1}, later than the pool's idle time {2}", explanation: """
        The idle clock and a node's due clock both start when the node becomes active, and the \
        idle clock runs on until the deal's status changes again. A node allowed longer than the \
        pool's idle time therefore loses its owner first: unless something else changes the \
        deal's status (another branch of a fork completing, say), the deal returns to the public \
        pool before the node is overdue, and its escalation never reaches the manager while the \
        owner still has it. Give the node a due time no longer than `pool.idle.after`, or make \
        the idle time longer. Nodes of the lose path are left out: the idle clock stops there.
        """)

    // MARK: pools and effects (FC07xx)

    public static let badQuota = MessageSpec(701, .error, "invalid-quota", "the claim quota must be at least 1, not {0}", explanation: """
        `pool.claim.quota` is the most open deals one owner may hold in their private pool.
        """)

    public static let assignerNotManager = MessageSpec(702, .error, "assigner-not-manager", "`pool.assign_by` names `{0}`, which is not a manager role", explanation: """
        Assigning deals from the public pool is a manager's act: mark the role `manager: true`.
        """)

    public static let badWebhook = MessageSpec(703, .error, "invalid-webhook-url", "`{0}` is not an http or https URL", explanation: """
        A webhook effect posts to an `http://` or `https://` URL with a host.
        """)

    public static let emptyGroup = MessageSpec(704, .error, "empty-group-chat", "a group chat needs at least one role", explanation: """
        A group chat's members are the people in its roles, and follow them as roles change.
        """)

    public static let noLose = MessageSpec(705, .warning, "no-lose", "the template has no `lose`: open deals cannot be lost", explanation: """
        Without a global `lose`, a deal can only end at the nodes the flow leads to; sales people \
        cannot mark it lost from where it is, and lost deals never reach the public pool.
        """)

    public static let contactsWithoutExternal = MessageSpec(706, .warning, "contacts-without-external-role", "`contacts` is notified but no role is marked `external`", explanation: """
        `contacts` means the customer's contacts, who are the people of the external role(s).
        """)

    public static let noRecipients = MessageSpec(707, .error, "no-recipients", "`{0}` has no recipients", explanation: """
        A notification or bot card must go to at least one role, `owner` or `contacts`.
        """)

    public static let badPlaceholder = MessageSpec(708, .error, "invalid-placeholder", "unknown field `{0}` in placeholder", explanation: """
        `{field}` placeholders in effect texts (`message`, `title`, `name`) are replaced by the \
        deal's field values. The name between the braces must be a declared field, written \
        without spaces. Every other brace must be doubled: `{{` and `}}` are literal braces. An \
        unclosed `{`, a lone `}` or an empty `{}` is an error, because the runner would send it \
        to the customer as written; so is a placeholder typed with full-width braces, \
        `｛customer_name｝`, as a Chinese input method in full-width mode types them.

        Wrong:

            message: "{customer_name 的合同已签署, 金额 { amount }, 附件 {}"

        Right:

            message: "{customer_name} 的合同已签署, 金额 {amount}, 附件 {{见邮件}}"
        """)

    public static let idleWithoutPool = MessageSpec(709, .warning, "idle-notify-missing", "the idle warning notifies no one", explanation: """
        `pool.idle.warn` is set but `notify` is empty, so the warning reaches nobody. Add the owner role.
        """)

    public static let idleNotifyWithoutWarn = MessageSpec(710, .warning, "idle-notify-without-warn", "`notify` has no effect without `warn`: no idle warning is sent", explanation: """
        `pool.idle.notify` names who receives the idle warning, which is sent at `pool.idle.warn`. \
        Without `warn` there is no warning, so nobody on the list is ever told: the deal returns \
        to the public pool at `after` unannounced. This is a warning, not an error, because the \
        template still runs as written; but the list was written for a reason. Add `warn` (less \
        than `after`), or remove `notify`.

        Wrong:

            pool:
              idle: {after: 30d, notify: [sales_owner, sales_manager]}

        Right:

            pool:
              idle: {after: 30d, warn: 25d, notify: [sales_owner, sales_manager]}
        """)

    public static let repeatedEntry = MessageSpec(711, .error, "repeated-entry", "`{0}` is listed twice in `{1}`", explanation: """
        A list of names (`requires`, `participants`, `rework`, `customer.identity`, `profile` and \
        `normalize`, `lose.from`, `pool.idle.notify`, effect recipients, bot card `fields`, \
        `remove_nodes`) names each entry once. A repeat changes nothing when the template runs, \
        but it is almost always a slip for another name: `requires: [amount, amount]` where \
        `[amount, quote]` was meant. The template schema (`grammar/template.schema.json`) marks \
        these lists unique, so editors flag the repeat too. The second entry is reported, with a \
        label at the first.

        Wrong:

            requires: [amount, quote, amount]

        Right:

            requires: [amount, quote, cost]
        """)

    public static let addedOutsideRoleAdded = MessageSpec(712, .error, "added-outside-role-added", "`added` is only a recipient of `on_role_added` effects", explanation: """
        `added` is the person just added to one of the deal's roles: an `on_role_added` effect can \
        send them what they need to catch up (S7: every role added must be brought up to date), \
        and its texts can name them, `{added.person}`, and the role they joined, `{added.role}`. \
        Anywhere else there is no such person, so the effect would reach nobody and the \
        placeholders would be empty. In a node's effects, send to the role instead; to greet \
        newcomers, put the effect under `effects.on_role_added`.

        Wrong:

            effects:
              on_create:
                - notify: {to: [owner, added], message: "新商机 {customer_name}"}

        Right:

            effects:
              on_create:
                - notify: {to: [owner], message: "新商机 {customer_name}"}
              on_role_added:
                - bot_card: {to: [added], title: "{added.person}，你已作为{added.role}加入商机 {customer_name}", fields: [customer_name, amount]}
        """)
    public static let placeholderOfAnotherLanguage = MessageSpec(713, .warning, "foreign-placeholder", "`{0}` is another template language's placeholder: here the text reads {1}", explanation: """
        A placeholder is a field's id in single braces, `{customer_name}`. Other template \
        languages write theirs as `{{customer_name}}` or `${customer_name}`, and both are valid \
        text here with another meaning: `{{` and `}}` are literal braces, so \
        `{{customer_name}}` sends the words `{customer_name}` to the customer, and a `$` before a \
        placeholder is sent as it is, before the value. When the braces or the `$` are meant \
        (a literal `{customer_name}`, a price written `${amount}`), the warning can be silenced \
        on its line with `# flowc-ignore FC0713`.

        Wrong:

            on_enter:
              - notify: {to: [owner], message: "{{customer_name}} 的方案已提交, 报价 ${quote}"}

        Right:

            on_enter:
              - notify: {to: [owner], message: "{customer_name} 的方案已提交, 报价 {quote}"}
        """)

    /// Other wordings of the messages above, labels and help lines. A rule that needs one builds
    /// the diagnostic from its code's entry with `at(_:format:_:)`, so that the code, severity
    /// and rule name stay the entry's and every text of the phase is translated from this file.
    public enum Formats {
        // FC0713
        public static let literalText = "the literal text `{0}`"
        public static let dollarAndValue = "`$` and then the value of `{0}`"
        public static let singleBraces = "a placeholder has single braces: `{0}`"
        public static let noDollar = "leave out the `$`, unless the text means it: `{0}`"
        // FC0302
        public static let removedNode = "unknown node `{0}`: `remove_nodes` removes it"
        public static let removedButReferenced = "`remove_nodes` removes `{0}`, but `{1}` still leads to it"
        public static let removedHere = "removed here"
        public static let stillLeadsHere = "`{0}` leads here"
        public static let replaceReferrer = "replace `{0}` in this template as well, or keep `{1}`"
        public static let didYouMean = "did you mean `{0}`?"
        public static let didYouMeanOrRename = "did you mean `{0}`? If `{1}` is the name meant, rename the declaration of `{0}`"
        public static let alsoUsedHere = "also used here"
        public static let usedTimes = "used {0} times; no definition has this name"
        public static let declaredHere = "`{0}` is declared here"
        /// FC0320 for a fork without `join`, when one join node belongs to no fork.
        public static let joinOfFork = "add `join: {0}`, the join node no fork names"
        /// FC0301 for an id repeated through an alias: the label on the anchor, and the help.
        public static let repeatedByAlias = "the node anchored here, repeated by the alias"
        /// A label at an alias, on a diagnostic about the value it repeats.
        public static let usedThroughAlias = "the value is used here too, through an alias"
        /// A note on such a diagnostic when the value has more aliases than are labelled.
        public static let usedThroughAliases = "the value is used through {0} aliases, on lines {1}"
        public static let aliasRepeatsID = "an alias repeats the whole node, its id too; write the second one out, with an id of its own"
        /// `{3}` of ``chatRoleListed`` and ``chatRolesAreRoles``: the list of role ids.
        public static let chatRoles = "a group chat's `roles`"
        public static let participantRoles = "a node's `participants`"
        /// FC0303 for `owner` or `contacts` in a list of role ids: `{1}` the role meant, `{2}` its
        /// flag, `{3}` the list.
        public static let chatRoleListed = "{3} are role ids, and `{0}` is none: leave it out, since `{1}`, the role with `{2}: true`, is listed already"
        public static let chatRolesAreRoles = "{3} are role ids, and `{0}` is none: did you mean `{1}`, the role with `{2}: true`?"
        /// FC0504 for a fork's `join` that is no join node, when one join node belongs to no fork.
        public static let joinMeant = "did you mean `{0}`, the join node no fork names?"
        /// FC0302 for a fork's `join` that names no node, with no join node near it.
        public static let addJoinNode = "add the node where the branches meet: `- {id: {0}, name: …, kind: join, next: …}`"
        // FC0322
        public static let renameField = "rename the field, for example to `{0}`, to filter, group or sort deals by it"
        // FC0712
        public static let addedPlaceholder = "`{0}` is about someone just added to a role: only `on_role_added` effects have one"
        public static let addedInEffect = "nobody is added to a role here: name the role to reach, or move the effect under `effects.on_role_added`"
        public static let addedInIdleNotify = "the idle warning is not about a new member: name a role or `owner`"
        // FC0301, FC0711
        public static let firstDefinedHere = "first defined here"
        public static let firstListedHere = "first listed here"
        public static let removeRepeat = "remove the repeat, or name the entry that was meant"
        public static let alsoDefinedHere = "also defined here"
        // FC0314
        public static let notAValue = "default `{0}` is not a value of `{1}`"
        public static let belowMin = "default `{0}` is below the field's `min` ({1})"
        public static let aboveMax = "default `{0}` is above the field's `max` ({1})"
        public static let minIsHere = "`min` is here"
        public static let listHasNoDefault = "a list field has no default; a new deal starts with it unset"
        // FC0310
        public static let severalOwners = "more than one role is marked `owner: true`"
        public static let ownerRoleIs = "`{0}` is the owner role"
        public static let addOwner = "add `owner: true` to the sales owner's role"
        // FC0415 in a template when no declared field is close.
        public static let declareField = "declare `{0}` under `fields:`, with its type"
        public static let dealProperty = "`{0}` is the deal's own, not a field, and expressions read only the template's fields: declare a field for it under `fields:` if a condition needs it"
        public static let literalWord = "`{0}` is no word of the expression language: write `{1}`"
        public static let unquotedEnumValue = "`{0}` is a value of the enum field `{1}`: write it in quotes, `'{0}'`"
        // FC0319 for `when` on an approval.
        /// FC0319 for `next` on an approval, a fork, an end.
        public static let approvalGoesOnByOutcomes = "an approval goes on by the outcome chosen: each entry of `outcomes` names the node it leads to; remove `next`"
        public static let forkGoesOnByItsJoin = "a fork goes on through its `branches`, which meet at its `join`: give the join node the `next`, and remove it here"
        public static let endHasNoNext = "a `won` or `lost` node ends the deal: nothing comes after it; remove `next`"
        public static let conditionOnTransition = "a skipped approval would have no outcome to follow: put the condition on the transition that leads to it, `- if: …` with `to: {0}`"
        // FC0320
        public static let needsAtLeastTwo = "a node of kind `{0}` needs at least two `{1}`"
        // FC0502, FC0503
        public static let entersLoop = "every path from `{0}` enters this loop"
        public static let loopOfOne = "node `{0}` leads only back to itself"
        public static let partOfLoop = "part of the loop"
        public static let leaveLoop = "give one of these nodes a branch that leaves the loop"
        // FC0504
        public static let joinNotAJoin = "the join of fork `{0}` is `{1}`, a `{2}` node; it must be a `join` node"
        public static let definedHere = "`{0}` is defined here"
        public static let joinShared = "join `{0}` already belongs to fork `{1}`"
        public static let otherFork = "the other fork"
        public static let branchEndsInside = "branch `{0}` of fork `{1}` can end at `{2}` without reaching its join `{3}`"
        public static let endInsideBranch = "the branch can end here"
        public static let joinWithoutFork = "join `{0}` belongs to no fork; name it in a fork's `join:` or make it a `task`"
        // FC0515
        public static let firstNamedHere = "first named here"
        public static let nameBranchOnce = "the join `{0}` waits for one arrival from each branch; name each branch once"
        public static let leadsIntoBranch = "branch `{0}` of fork `{1}` leads into branch `{2}`"
        public static let branchStartsHere = "`{0}` starts a branch of its own here"
        public static let leadToJoin = "lead `{0}` to the join `{1}` instead: the join waits for one arrival from each branch"
        public static let branchesShareNode = "branches `{0}` and `{1}` of fork `{2}` both lead to `{3}`"
        public static let alsoLeadsHere = "branch `{0}` leads here too"
        public static let oneBranchPerNode = "a node belongs to one branch: `{0}` is done once, so the join `{1}` waits for an arrival that never comes; give each branch its own node, or move `{0}` after the join"
        // FC0516
        public static let leadsToJoinFromOutside = "`{0}` leads to join `{1}` of fork `{2}`, and deals can reach `{0}` without passing the fork"
        public static let startInsideFork = "the start node `{0}` is inside fork `{1}`"
        public static let loseViaInsideFork = "`lose.via` leads into `{0}` inside fork `{1}`"
        public static let theFork = "fork `{0}`"
        public static let branchesNeverStarted = "the join `{0}` would wait for branches that never started; lead `{1}` to the fork `{2}` instead"
        public static let goBackWithRework = "to send deals back into one branch after the join, make every path to `{0}` pass the fork, or use `rework: [{1}]`"
        public static let startBeforeFork = "the join `{0}` would wait for branches that never started; start at a node before the fork"
        public static let loseAroundFork = "the join `{0}` would wait for branches that never started; let the lose path go around the fork"
        // FC0314
        public static let declaredValues = "declared values: {0}"
        // FC0316
        public static let maxIsHere = "`max` is here"
        // FC0305
        public static let noSuchFile = "no such file or directory"
        public static let isDirectory = "it is a directory"
        public static let fileTooLarge = "it is {0} bytes, more than the limit of {1}"
        public static let extendsFragment = "it is a fragment; use `include:` for fragments"
        /// FC0513 for a `lose.from` node on the lose path.
        public static let loseFromLosePath = "`lose.from` names `{0}`, a node of the lose path; deals there are being lost already and cannot be lost again"
        /// FC0518 of a node off the lose path from which the deal cannot be won.
        public static let probabilityNeverWon = "`probability: {0}` on `{1}`, from which no way leads to a `won` node, never counts: a deal there is forecast at 0"
        public static let losePathStartsHere = "the lose path starts here"
        /// FC0308 for `remove_nodes` in a template without `extends` (`{0}` its first entry).
        public static let removeWithoutExtends = "`remove_nodes` (here `{0}`) removes nodes of a parent template, and this template names none with `extends:`; delete a node of its own where it is defined"
        public static let includesTemplate = "it is a template, not a fragment; use `extends:` for templates"
        // FC0505, FC0508
        public static let idleReturnsFirst = "with no status change, the deal returns to the public pool after {0}"
        public static let dueWithinIdle = "make `due` at most {0}, or `pool.idle.after` longer"
        public static let displayNameForID = "`{0}` is the name of the field `{1}`, and fields are named by id here: write `{1}`"
        public static let branchGoesPastJoin = "goes on to `{0}`, past the join"
        public static let endBranchAtJoin = "end the branch at its join: give `{0}` `next: {1}`"
        public static let endOutcomeAtJoin = "end the branch at its join: make the outcome `{0}` of `{1}` lead to it, `{0}: {2}`"
        public static let addDefault = "add `- default: NODE` as the last entry, NODE the node a deal goes to when no condition holds (the branches go to {0})"
        public static let alwaysTrueIsNoDefault = "this branch set has no `default` branch: a conditional `next` must end with one"
        public static let writeAlwaysTrueAsDefault = "write the branch whose condition is always true as `- default: {0}`"
        public static let afterAlwaysTrue = "this branch can never be taken: an earlier condition is always true"
        public static let sameCondition = "the same condition"
        // FC0511
        public static let lostCouldBeWon = "a lost deal could end here, as won"
        // FC0601, FC0604
        public static let dueHere = "due here"
        public static let returnsToPoolHere = "the deal returns to the public pool here"
        public static let warnEarlier = "warn some days before, e.g. `warn: {0}`"
        // FC0323
        public static let contactsOwnRole = "give the customer's contacts a role of their own, such as `customer_contact: {name: 客户联系人, external: true}`"
        // FC0702
        public static let roleDefinedHere = "role defined here"
        // FC0706
        public static let markExternal = "mark the customer's role `external: true`, such as `customer_contact: {name: 客户联系人, external: true}`"
        // FC0708
        public static let unclosedPlaceholder = "this `{` opens a placeholder that is never closed"
        public static let loneCloseBrace = "this `}` closes no placeholder"
        public static let emptyPlaceholder = "empty placeholder `{0}`"
        public static let literalBraces = "write `{{` and `}}` for literal braces; a placeholder is `{field_id}`"
        public static let spacedPlaceholder = "placeholder `{0}` names no field: the spaces are part of the name"
        public static let writeInstead = "write `{0}`"
        // FC0509, a rework between the branches of a fork
        public static let reworkIntoSiblingBranch = "`rework` cannot go from `{1}` to `{0}`, in another branch of fork `{2}`: the branches run side by side, so `{0}` does not come before `{1}`"
        public static let reworkAcrossFork = "to do both branches again, rework to a node before the fork `{0}`; to redo `{2}` alone, rework from a node after the join `{1}`"
        // FC0517
        public static let backToJoin = "`{0}` goes back to the join `{1}`: a deal cannot rest on a join; go back to the fork `{2}` to do every branch again, or to a node in the branch to do again"
        public static let fullWidthPlaceholder = "placeholder `{0}` is written with full-width braces (U+FF5B, U+FF5D, as a Chinese input method types them): the runner sends it as written"
        // FC0321
        public static let reasonFieldType = "its type is `{0}`; use a text field or an enum field"
        public static let reasonFieldComputed = "it is computed"
        public static let reasonNotAValue = "the reason `{0}` is not one of its values"
        public static let connectOrRemove = "name `{0}` in a `next`, a branch's `to`, an outcome or a fork's `branches` of a node the deal reaches, or remove it"
        public static let nameTheAmount = "if `{1}` is what a deal is worth, name it `amount` (or compute one: `amount: {type: money, currency: {2}, compute: \"…\"}`); if `{0}` is, suppress this warning"
        public static let workedOutFromIt = "`{0}` is computed from it"
        public static let addReasonToValues = "add `{0}` to the `values` of `{1}`, or take it out of `lose.reasons`"
        public static let noReasons = "`lose.reasons` is empty, so no lose event carries a reason"
        // FC0436
        public static let testDivisorFirst = "say what a zero `{0}` means first: `{0} <= {1} or …` to count it, `{0} > {1} and …` to leave it out; or give `{0}` a `min` above zero"
        public static let computedDividesByZero = "`{0}` has no value when `{1}` is zero (through `{2}`), and the condition is then false"
        public static let testComputedFirst = "say what a zero `{1}` means: `not has({0}) or …` counts such a deal in, `has({0}) and …` leaves it out; or give `{1}` a `min` above zero"
        // FC0710
        public static let addWarn = "add `warn: {0}` (less than `after`) to warn these recipients before the deal returns to the public pool, or remove `notify`"
    }

    public static let all: [MessageSpec] = [
        duplicateID, unknownNode, unknownRole, unknownField, cannotLoad, reuseCycle, reuseTooDeep, removeUnknown,
        noNodes, ownerRole, fieldKeyNotAllowed, fieldKeyMissing, computedCycle, badDefault, computedConflict, badRange,
        identityField, unknownNormalizer, keyNotForKind, keyNeededForKind, loseReasonField, fieldHiddenInViews, closeDateNotADate, ownerExternal,
        unreachable, cannotEnd, loopWithoutExit, forkJoin, noDefault, shadowedByDefault, constantCondition,
        shadowedByCondition, reworkTarget, reworkToJoin, badStart, loseEnd, noWon, loseFromTerminal, duplicateTarget,
        forkBranchesOverlap, forkEnteredFromOutside, probabilityOnLosePath,
        warnAfterDeadline, negativeDuration, zeroDuration, estimateOverDue, escalateWithoutDue, dueAfterIdle,
        badQuota, assignerNotManager, badWebhook, emptyGroup, noLose, contactsWithoutExternal, noRecipients,
        badPlaceholder, idleWithoutPool, idleNotifyWithoutWarn, repeatedEntry, addedOutsideRoleAdded, placeholderOfAnotherLanguage,
        amountGuessed, divisorMayBeZero,
    ]
}

extension MessageSpec {
    /// A diagnostic with this entry's code and severity, worded by another format of the same
    /// catalogue (one of `CheckMessages.Formats`).
    func at(_ span: SourceSpan, format: String, _ arguments: String...) -> Diagnostic {
        var d = Diagnostic(spec: self, span: span, arguments: arguments)
        d.message = Message(format, arguments)
        return d
    }
}
