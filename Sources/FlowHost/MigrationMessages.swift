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
        lose a deal with a `lose` event (`flowc deal event ID --lose REASON`).
        """)

    /// Every code, in order.
    public static let all: [HostMessageSpec] = [mapInvalid, mapFileUnreadable, otherTemplate, notOnSource, unknownSource, losePathCrossed]

    /// Phrases of the mapping checks.
    public enum Phrase {
        public static let expectedPair = "expected OLD=NEW (two node ids)"
        public static let mappedTwice = "`{0}` is mapped twice"
        public static let notAMapping = "expected a YAML mapping `old_node: new_node`"
        public static let notAnID = "`{0}` is not a node id (expected a plain string)"
        public static let noTarget = "`{0}` is mapped to no node id"
        public static let notYAML = "not valid YAML: {0}"
        public static let cannotRead = "cannot read the file: {0}"
        /// After a map file's problem: what to do about it.
        public static let withHelp = " (help: {0})"
        public static let fullWidthColonLine = "line {0} has `：` (U+FF1A FULLWIDTH COLON) where YAML needs `:` followed by a space"
        public static let fullWidthColon = "line {0} has `：` (U+FF1A FULLWIDTH COLON) where YAML needs `:` followed by a space: `{1}: {2}`"
        /// A note: the timers due by the migration fired first, on the old version (a tick event).
        public static let timersFirst = "timers due by {0} fire first, on the version the deal is on (a `tick` event before the migration): {1}"
        public static let noEffects = "no effects"
        /// A note: an active node whose new due date is already past.
        public static let overdueOnNewVersion = "`{0}` is past its new due date ({1}): the next tick or event blocks it, as of that date, and its escalation follows from it"
        /// FC1229's end: a node of the flow mapped onto the lose path.
        public static let ontoLosePath = "a node of the lose path: the deal would be on its way to `lost` with no `lose` event and no reason"
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
        public static let sameVersion = "note: the new version keeps the number {0} of {1} deal{2}' version, with other content: give it a `version:` of its own, so that reports and `deal show` tell the two apart"
        public static let unknownSource = "mapping from `{0}`: `{0}` is not a node of any version the deals considered run on"
        public static let noDealsOnSource = "no deal of template `{0}` to consider: no deal of the store runs on {1} (`--from`)"
        public static let noDeals = "no deal of template `{0}` to consider (on the `--from` version, or named with `--deal`)"
        public static let noDealsOfTemplate = "no deal of template `{0}` is in the store"
        /// After ``noDealsOfTemplate``: the templates the store's open deals run.
        public static let otherTemplates = "the store's open deals run {0}; a new version of a template keeps its `template.id` and changes its `version`"
        public static let registered = "target: template `{0}` {1} ({2})"
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
