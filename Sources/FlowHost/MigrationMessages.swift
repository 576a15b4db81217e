public import FlowIR
public import FlowRuntime

/// The host's messages for migrations and node records: codes FC1224–FC1239 (`flowc explain`
/// lists them with the host's own catalogue), and the texts of `flowc migrate`'s report and of
/// the new events in `flowc deal history`.
public enum MigrationMessages {
    public static let mapInvalid = HostMessageSpec(1224, "migrate-map-invalid", "node mapping `{0}`: {1}", """
        A node mapping moves the state of an old node to a node of the new version: `--map \
        OLD=NEW` on the command line (repeatable), or a map file, a YAML mapping `OLD: NEW` per \
        line. Both ids must be non-empty; an old node is mapped at most once.
        """)
    public static let mapFileUnreadable = HostMessageSpec(1225, "migrate-map-file", "{0}: {1}", """
        The map file could not be read, is not valid YAML (a syntax error, a key written \
        twice), or is not a YAML mapping of node ids to node ids (`old_node: new_node`, one per \
        line; nothing else). The message gives the file, line and column.
        """)
    public static let otherTemplate = HostMessageSpec(1226, "migrate-other-template", "deal `{0}` runs template `{1}`, not `{2}`", """
        `flowc migrate` moves deals between versions of one template: the deal named with \
        `--deal` was created from another template. Pass `--from` with the deal's machine hash \
        to migrate it anyway (its nodes, fields and roles are matched by id).
        """)
    public static let notOnSource = HostMessageSpec(1227, "migrate-not-on-source", "deal `{0}` runs on {1}, not on {2} (`--from`)", """
        `--from` restricts the migration to deals on one version; the deal named with `--deal` \
        runs on another one.
        """)
    public static let unknownSource = HostMessageSpec(1228, "migrate-map-unknown-source", "the mapping sends `{0}` to `{1}`, but `{0}` is not a node of the deal's version {2}{3}", """
        The old side of a node mapping names a node of the version a deal runs on now. A \
        mapping applies to every deal considered, and deals can be on different versions: a \
        deal whose version has no such node is refused, so that a misspelt node id is not \
        silently ignored. Correct the id, or migrate the deals of each version apart (`--from`).
        """)

    public static let losePathCrossed = HostMessageSpec(1229, "migrate-lose-path", "node `{0}` ({1}) would move to `{2}`, {3}", """
        A migration keeps each node the deal has reached on its side of the template: in the \
        flow, or on the lose path (the nodes a `lose` event leads through). A mapping that sends \
        a node of the flow onto the lose path would put a live deal on its way to `lost` with no \
        lose event and no reason; one that sends a lose-path node into the flow would revive a \
        deal that is being lost. Both are refused: correct the mapping (most often a slip), and \
        lose a deal with a `lose` event (`flowc deal event ID '{"lose": "REASON"}'`).
        """)

    public static let olderTarget = HostMessageSpec(1230, "migrate-older-version", "deal `{0}` runs on {1}, a later version than the target's {2}: moving it back needs `--allow-older`", """
        The new version's `version:` is lower than the one the deal runs on (versions of \
        numbers separated by dots are compared part by part: `1.10.0` is after `1.9.0`), so the \
        migration would move the deal back to an older version: most often a command or a \
        scheduled job that still names the old template file. Such deals are refused, and the \
        command says so at the target's `version:` line. Check `--to`; to move the deals back on \
        purpose (a version withdrawn), pass `--allow-older`, and each of them gets a note.
        """)
    public static let noDealOnSource = HostMessageSpec(1231, "migrate-from-matches-nothing", "no deal of the store runs on {0} (`--from`){1}", """
        `--from` restricts a migration to the deals on one version (a machine hash, or the \
        template file that compiles to it), and no deal of the store runs on it: a mistyped or \
        stale hash, or a template file edited since the deals were created (any change, even a \
        comment, makes another machine). Nothing is migrated and the exit is 1, as when nothing \
        else the command is given matches. The message names the versions the template's open \
        deals run on; `flowc deals --columns deal,template` and `flowc deal show` give a deal's hash.
        """)

    /// Every code, in order.
    public static let all: [HostMessageSpec] = [mapInvalid, mapFileUnreadable, otherTemplate, notOnSource, unknownSource, losePathCrossed,
                                                olderTarget, noDealOnSource]

    /// Phrases of the mapping checks.
    public enum Phrase {
        public static let expectedPair = "expected OLD=NEW (two node ids)"
        public static let mappedTwice = "`{0}` is mapped twice"
        public static let notAMapping = "expected a YAML mapping `old_node: new_node`"
        public static let notAnID = "`{0}` is not a node id (expected a plain string)"
        public static let noTarget = "`{0}` is mapped to no node id"
        public static let notYAML = "not valid YAML: {0}"
        /// A `---` that starts a second YAML document in a map file.
        public static let secondDocument = "a map file holds one YAML mapping; this `---` starts a second document (put every `old_node: new_node` line in one)"
        public static let cannotRead = "cannot read the file: {0}"
        /// After a map file's problem: what to do about it.
        public static let withHelp = " (help: {0})"
        public static let fullWidthColonLine = "line {0} has `：` (U+FF1A FULLWIDTH COLON) where YAML needs `:` followed by a space"
        public static let fullWidthColon = "line {0} has `：` (U+FF1A FULLWIDTH COLON) where YAML needs `:` followed by a space: `{1}: {2}`"
        /// A note: the timers due by the migration fired first, on the old version (a tick event).
        public static let timersFirst = "timers due by {0} fire first, on the version the deal is on (a `tick` event before the migration): {1}"
        /// After ``timersFirst`` when that tick returns the deal without its idle warning.
        public static let returnedUnwarned = "; the deal returns to the public pool without the idle warning, which came due with the return"
        public static let noEffects = "no effects"
        /// A note: an active node whose new due date is already past.
        public static let overdueOnNewVersion = "`{0}` is past its new due date ({1}): the next tick or event blocks it, as of that date, and its escalation follows from it"
        public static let overdueOnNewVersionNoEscalation = "`{0}` is past its new due date ({1}): the next tick or event blocks it, as of that date"
        /// A note: a blocked node the new version's later due date makes no longer overdue
        /// (`{0}` the node, `{1}` since when it was blocked, `{2}` its new due date).
        public static let activeAgain = "`{0}` is no longer overdue on the new version: blocked since {1}, it is active again, due {2}"
        /// A note: a blocked node whose new due date is later than its old one but has passed too
        /// (`{0}` the node, `{1}` since when it was blocked, `{2}` its new due date), QA round 43, F10.
        public static let stillOverdue = "`{0}` is still overdue on the new version: blocked since {1}, its new due date {2} has passed too, so it stays blocked, as of {2}"
        /// The same for a node the new version gives no due date.
        public static let activeAgainNoDue = "`{0}` is no longer overdue on the new version, which gives it no due date: blocked since {1}, it is active again"
        /// A note: the deal has been idle past the new version's `pool.idle.after` (`{0}` since
        /// when, `{1}` how long, `{2}` the new `after`, `{3}` the owner, `{4}` ``noWarningFirst``
        /// or ``warnedBefore``).
        public static let idleReturnPast = "idle since {0} ({1}), past the new version's idle return after {2}: the next tick returns the deal from `{3}` to the public pool{4}"
        public static let noWarningFirst = ", with no idle warning first (the new warning after {0} is past too)"
        public static let warnedBefore = " (the owner had the idle warning on the old version)"
        /// A note: idle past the new `pool.idle.warn` only (`{4}`: when the deal returns).
        public static let idleWarningPast = "idle since {0} ({1}), past the new version's idle warning after {2}: the next tick gives the warning, and the deal returns to the public pool from `{3}` at {4} unless its status changes first"
        /// A version and its open deals (`{0}` version, `{1}` hash, `{2}` count).
        public static let versionDeals = "{0} {1} ({2})"
        /// FC1231's `{1}`: the versions the template's open deals run on.
        public static let otherVersionsAre = "; the open deals of `{0}` run on {1}"
        /// FC1228's or FC1167's end for a mapping written `new: old` (`{0}` its old side, a node
        /// of the new version `{1}`; `{2}` its new side, a node of the deals' version `{3}`; `{4}`
        /// the pair swapped, as ``swappedInFile`` or ``swappedAsFlag``).
        public static let reversed = " (help: a mapping goes from the deal's node to the new version's, `OLD: NEW` or `--map OLD=NEW`; `{0}` is a node of the new version {1} and `{2}` one of {3}: swap them, {4})"
        public static let swappedInFile = "`{0}: {1}`"
        public static let swappedAsFlag = "`--map {0}={1}`"
        /// A note: the deal moves back to an older version, as `--allow-older` asks.
        public static let movedBack = "moves back from {0} to {1}, an older version (`--allow-older`)"
        /// FC1229's end: a node of the flow mapped onto the lose path.
        public static let ontoLosePath = "a node of the lose path: the deal would be on its way to `lost` with no `lose` event and no reason"
        /// FC1229's end: a node of the flow mapped onto the lose path, for a deal already on it.
        public static let ontoLosePathLosing = "a node of the lose path: a step of the flow the deal went through would become part of its loss"
        /// FC1229's end: a lose-path node mapped into the flow.
        public static let offLosePath = "a node of the flow: the deal is being lost, and would be back in the flow with its loss half done"
        /// FC1228's end when the node is one of another version the run considers.
        public static let otherVersionHasIt = "; `{0}` is a node of version {1}: a mapping applies to every deal considered, so migrate each version's deals apart (`--from {2}`)"
    }

    /// `flowc migrate`'s report.
    public enum Report {
        public static let deal = "deal `{0}`: {1} {2} → {3} {4}"
        public static let dealUnread = "deal `{0}`:"
        public static let wouldMigrate = "  ok: would migrate"
        public static let migrated = "  ok: migrated (event `{0}`)"
        public static let refused = "  refused[{0}]: {1}"
        /// One more problem of a refused deal (`CODE: reason`).
        public static let alsoRefused = "  also: {0}"
        public static let skipped = "  skipped[{0}]: {1}"
        public static let move = "  node `{0}` → `{1}` ({2})"
        /// A node whose state changes with the move (a blocked node no longer overdue).
        public static let moveBecomes = "  node `{0}` → `{1}` ({2} → {3})"
        /// A done node the new version puts after the deal's open nodes (the note says which).
        public static let moveAhead = "  node `{0}` → `{1}` ({2}, ahead of the deal)"
        public static let drop = "  node `{0}` dropped ({1})"
        public static let note = "  note: {0}"
        public static let summaryDryRun = "dry run: {0} would migrate, {1} refused{3}, {2} skipped (no deal changed; --apply writes)"
        public static let summaryApplied = "applied: {0} migrated, {1} refused{3}, {2} skipped"
        /// The skipped deals of one code, counted (`{0}` code, `{1}` count and what they are, `{2}` ids).
        public static let skippedGroup = "skipped[{0}]: {1} ({2})"
        public static let closedDeals = "{0} closed deal{1}"
        public static let closedDealsWhy = ": closed deals stay on the version they closed on"
        public static let onTarget = "{0} deal{1} already on the target"
        public static let otherSkipped = "{0} deal{1}"
        /// After the first ids of a group.
        public static let andMore = ", and {0} more"
        /// A target whose version number is the deals' own, with other content.
        public static let sameVersion = "the new version keeps the number {0} of the version {1} deal{2} run{3} on, with other content: give it a `version:` of its own, so that reports and `deal show` tell the two apart"
        public static let unknownSource = "mapping from `{0}`: `{0}` is not a node of any version the deals considered run on"
        public static let noDealsOnSource = "no deal of template `{0}` to consider: no deal of the store runs on {1} (`--from`)"
        public static let noDeals = "no deal of template `{0}` to consider (on the `--from` version, or named with `--deal`)"
        public static let noDealsOfTemplate = "no deal of template `{0}` is in the store"
        /// After ``noDealsOfTemplate``: the templates the store's open deals run.
        public static let otherTemplates = "the store's open deals run {0}; a new version of a template keeps its `template.id` and changes its `version`"
        public static let registered = "target: template `{0}` {1} ({2})"
        /// With `--from`: the open deals of the template on other versions, left out.
        public static let notConsidered = "note: not considered (`--from {0}`): the open deals on {1}"
        /// The deals refused with FC1230, counted (`{0}` code, `{1}` count, `{3}` the target's version, `{4}` ids).
        public static let olderGroup = "refused[{0}]: {1} deal{2} on a later version than the target's {3} ({4}): moving deals back needs --allow-older"
        /// FC1230 once for the run, on standard error at the target's `version:` (`{0}` the
        /// target's version, `{1}` the deals' versions, `{2}` and `{3}` how many deals).
        public static let olderTarget = "the new version {0} is older than {1}, the version of {2} open deal{3}: they are refused (check `--to`); --allow-older moves deals back to an older version"
        /// Before the summary: what the next tick does at once on the new version (`{0}`: the
        /// parts below, joined), so that the deals can be seen to first (QA round 27, M1).
        public static let dueAtOnceDryRun = "due at once on the new version, at the next tick after --apply: {0}; each deal's notes say which"
        public static let dueAtOnceApplied = "due at once on the new version, at the next tick: {0}; each deal's notes say which"
        /// The parts of ``dueAtOnceDryRun``: `{0}` ``deals``, `{1}` the verb's `s` for one deal.
        public static let idleReturns = "{0} return{1} to the public pool (idle past the new `pool.idle.after`)"
        public static let overdueNodes = "{0} get{1} a node blocked (past its new `due`)"
        public static let idleWarnings = "{0} get{1} the idle warning (idle past the new `pool.idle.warn`)"
        public static let deals = "{0} deal{1}"
        /// Before the summary: the deals a blocked node of which the new version makes active
        /// again (`{0}` ``deals``, `{1}` the verb's `s`; QA round 27, M7).
        public static let activeAgain = "no longer overdue on the new version: {0} get{1} a blocked node active again (its new `due` is later); each deal's notes say which"
        /// Before the summary: the deals with a done node after their open nodes (`{0}`
        /// ``deals``, `{1}` `s` or `ve`; QA round 27, M5).
        public static let doneAhead = "done ahead of the deal on the new version: {0} ha{1} a done node after the deal's open nodes (check the mapping); each deal's notes say which"
    }

    /// The end of FC1228 or FC1167 for a pair written the wrong way round: its old side is a
    /// node of the new version and its new side one of the deals' version. `asFlag`: the pair
    /// was given as `--map OLD=NEW`, and the swapped pair is written so.
    public static func reversed(_ m: NodeMapping, newVersion: String, oldVersion: String, asFlag: Bool) -> String {
        let swapped = HostMessages.fill(asFlag ? Phrase.swappedAsFlag : Phrase.swappedInFile, [m.new, m.old])
        return HostMessages.fill(Phrase.reversed, [Names.shown(m.old), newVersion, Names.shown(m.new), oldVersion, swapped])
    }

    /// " (did you mean `id`?…)" for a node written by its display name or misspelt, among the
    /// nodes of the versions the deals run on (ids first, as written once per version).
    public static func nodeHint(_ name: String, among nodes: [NodeDef]) -> String {
        var seen = Set<String>()
        return Names.didYouMeanNode(name, among: nodes.filter { seen.insert($0.id).inserted })
    }

    /// A length of time as a template writes it: whole days, hours, minutes or seconds, the
    /// largest unit that divides it (`21d`, `36h`).
    public static func duration(_ seconds: Int64) -> String {
        for (unit, letter) in [(Int64(86_400), "d"), (3_600, "h"), (60, "m")] where seconds != 0 && seconds % unit == 0 {
            return String(seconds / unit) + letter
        }
        return String(seconds) + "s"
    }

    /// A time elapsed, cut to its largest unit as the deal views show it (`23d` for 23 days
    /// and 5 hours).
    public static func elapsed(_ seconds: Int64) -> String {
        for (unit, letter) in [(Int64(86_400), "d"), (3_600, "h"), (60, "m")] where seconds.magnitude >= unit.magnitude {
            return String(seconds / unit) + letter
        }
        return String(seconds) + "s"
    }

    /// Events as `flowc deal history` and `why` show them.
    public enum Action {
        public static let migrate = "migrate to {0}"
        public static let note = "note on `{0}`: {1}"
        public static let link = "link on `{0}`: {1}"
        public static let moved = "moved to version {0}: {1}"
        public static let nodeMove = "`{0}` → `{1}`"
    }
}
