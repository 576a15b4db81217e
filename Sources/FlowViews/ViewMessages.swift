public import FlowDiagnostics

/// Every message of `flowc deals`, saved views (`*.view.yaml`) and `flowc report`
/// (FC1410–FC1459). Code outside this file never builds their text.
///
/// Numbering: FC141x the keys and options of a view; FC142x saved view files; FC143x the store
/// and templates; FC144x the report.
public enum ViewMessages {
    public static let unknownKey = MessageSpec(1410, .error, "view-unknown-key", "unknown key `{0}` in {1}", explanation: """
        A view's columns, `--group-by` and `--sort` name keys: a field of the template (its id, \
        as in `fields:`) or a built-in (\(builtinKeys)). The key named is neither; the message \
        suggests the closest one. `flowc deals --help` lists the built-ins.
        """)
    /// Every built-in key, from the schema's own list (review of the views, V6: the explanation
    /// wrote twelve of them, and missed those added since).
    static var builtinKeys: String { DealViewSchema.Builtin.allCases.map { "`\($0.rawValue)`" }.joined(separator: ", ") }
    public static let severalTemplates = MessageSpec(1411, .error, "view-several-templates", "the store holds deals of several templates ({0}): name one with `--template` (or `template:`) to use its fields", explanation: """
        Fields belong to templates, and the store holds deals of more than one template id. A \
        view that uses only built-in keys (`status`, `owner`, `node`…) may span every template; \
        one that uses a field must name the template whose fields it means, with `--template ID` \
        or a saved view's `template:`. The filter is then checked against that template's fields \
        and only its deals are listed.
        """)
    public static let unknownTemplate = MessageSpec(1412, .error, "view-unknown-template", "the store has no deal of template `{0}`, so its fields are not known{1}", explanation: """
        `--template ID` names a template id, as in the template's `template.id`. Its fields are \
        read from the compiled template of its deals, and the store holds no deal of that id. \
        Check the id (the message lists the ids in the store) or the `--db` path.
        """)
    public static let badSort = MessageSpec(1413, .error, "view-bad-sort", "`{0}` is not a sort key: write KEY or KEY:desc (or KEY:asc)", explanation: """
        `--sort` (and a saved view's `sort:` entries) take a key, optionally followed by `:asc` \
        or `:desc`. Grouped views sort groups by their key, `count`, or a summed column.
        """)
    public static let notGroupable = MessageSpec(1414, .error, "view-not-groupable", "`{0}` is a list field and cannot be grouped by", explanation: listExplanation)
    /// FC1414 met in a sort key (not listed apart by `flowc explain`: one code, one explanation).
    public static let notSortable = MessageSpec(1414, .error, "view-not-groupable", "`{0}` is a list field and cannot be sorted by", explanation: listExplanation)
    static let listExplanation = """
        A group is one value of its key, and a sort compares one value per deal; a list field \
        has many. Group or sort by another key, or filter on the list with `\"crm\" in products`.
        """
    public static let differingField = MessageSpec(1418, .error, "view-field-differs", "field `{0}` has another type in another version of template `{1}` in the store: {2}", explanation: """
        A view reads the deals of every version of a template in the store (`flowc migrate` \
        moves open deals to a new version; closed ones stay where they ran). A field that a new \
        version changed (its currency, or its type) holds values of two kinds, and a view \
        cannot compare, sort or add them as one: `amount > 100 CNY` would read 5 USD as 5 CNY. \
        The message lists each version's type and its number of deals. Leave the field out of \
        the view, or move the deals to one version (`flowc migrate`). The default columns of \
        `flowc deals` leave such an amount out, with a note.
        """)
    public static let duplicateColumn = MessageSpec(1417, .error, "view-duplicate-column", "column `{0}` is listed twice", explanation: """
        A view shows each key once: `--columns deal,amount,amount` (or a saved view's \
        `columns:`) names `amount` twice. The second mention is reported; remove it.
        """)

    /// Help lines of the messages above (`{n}`: arguments).
    public enum Help {
        /// FC1411: the templates of the store that have the field, and the option to add.
        public static let fieldOf = "`{0}` is a field of {1}: add `--template {2}`"
        public static let fieldOfNone = "no template of the store has a field `{0}`"
        /// FC1411 for a name close to a field of some templates: the field, they, one to add.
        public static let didYouMeanFieldOf = "did you mean `{0}`, a field of {1}? add `--template {2}`"
        /// FC1418: what to do.
        public static let differingField = "leave it out of the view, or move the deals to one version with `flowc migrate`"
        /// An unknown field in a view of a store with no deal: no template's fields are known yet.
        public static let storeHasNoDeals = "the store has no deals yet, so no template's fields are known: a view names fields once deals of their template are in the store"
        /// An unknown field that the saved view's own version of the template has: that version
        /// ({1} {2}), which no stored deal runs on.
        public static let fieldOfViewVersion = "`{0}` is a field of `{1}` {2}, which the view was written for and no stored deal runs on: `flowc migrate` moves open deals to it"
    }

    /// The notes `flowc deals` prints on stderr beside its output (`{n}`: arguments).
    public enum Note {
        public static let moreDeals = "more deals match; raise --limit (0 for all) to see them"
        public static let moreGroups = "{0} more groups; raise --limit (0 for all) to see them"
        /// A node id in the filter that no version of the viewed templates has.
        public static let unknownNode = "`{0}` is no node of {1} in the store{2}: the view matches no deal at it"
        /// CSV lists whose elements hold `;`: how many, plural s, verb s, which (`column` of `deal`).
        public static let listSeparator = "{0} list value{1} hold{2} an element with `;` ({3}), which the CSV also writes between elements: `flowc run` would read such an element back as several (`--format json` keeps every element whole)"
        /// A template id in the filter that no deal of the store runs on.
        public static let unknownTemplate = "`{0}` is no template of the store's deals{1}: the view matches no deal of it"
        /// The default columns leave out an amount whose type differs between versions.
        public static let differingAmount = "the default columns leave out `{0}`: its type differs between the versions of template `{1}` in the store ({2}), so its values cannot be shown or added as one (`flowc explain FC1418`)"
        public static let notShown = "a grouped view shows its key, the count and the sums of money and number fields; not shown: {0}"
    }

    // MARK: Saved views (FC142x)

    public static let viewFileKey = MessageSpec(1420, .error, "view-file-unknown-key", "unknown key `{0}` in a saved view", explanation: """
        A saved view (`*.view.yaml`) has the keys `flowc`, `view` (with `id` and `name`), \
        `template`, `where`, `group_by`, `sort`, `columns` and `limit`. The key is none of them; \
        the message suggests the closest one.
        """)
    public static let viewFileMissing = MessageSpec(1421, .error, "view-file-missing-key", "a saved view needs `{0}`", explanation: """
        Every saved view has `flowc: 1`, a `view:` with an `id`, and the `template:` whose deals \
        it shows (a path to the template file, relative to the view file, or a template id).
        """)
    public static let viewFileValue = MessageSpec(1422, .error, "view-file-bad-value", "`{0}` must be {1}", explanation: """
        The value of a saved view's key has the wrong shape: `flowc` is the format version 1, \
        `id` an identifier, `name` a map of languages (`zh`, `en`) to text, `where` an \
        expression, `group_by` one key, `sort` and `columns` lists of keys, `limit` a \
        non-negative integer.
        """)
    public static let viewFileTemplate = MessageSpec(1423, .error, "view-file-template", "the view's template `{0}` cannot be used: {1}", explanation: """
        A saved view is checked against the fields of its template, so the template must be \
        readable and free of errors. A path is relative to the view file; an id must be the \
        `template.id` of a template in the same directory tree.
        """)

    public static let viewFileUnknownNode = MessageSpec(1424, .warning, "view-file-unknown-node", "`{0}` is no node of template `{1}`: the view matches no deal at it", explanation: """
        The view's filter compares `node` or `blocked` with a text that is no node id of its \
        template, so no deal matches it there: a misspelt id, or a node the template no longer \
        has. `flowc deals` says the same of a filter on the command line, against every version \
        of the template in the store, and a deal still at a node of an older version is found by \
        its id; the warning names the closest id of the template.
        """)

    /// The table `flowc explain` lists.
    public static let all: [MessageSpec] = [
        unknownKey, severalTemplates, unknownTemplate, badSort, notGroupable, duplicateColumn, differingField, viewFileKey, viewFileMissing,
        viewFileValue, viewFileTemplate, viewFileUnknownNode,
    ]
}
