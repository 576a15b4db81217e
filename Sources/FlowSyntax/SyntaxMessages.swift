public import FlowDiagnostics

/// Every diagnostic of the structure phase (FC02xx): keys, shapes and scalar types.
public enum SyntaxMessages {
    public static let unknownKey = MessageSpec(201, .error, "unknown-key", "unknown key `{0}` in {1}", explanation: """
        The key is not part of the template language at this place. Keys are spelled in \
        snake_case; a close match is suggested when there is one.

        Wrong:

            nodes:
              - id: initial_talks
                nmae: 初步洽谈

        Right:

            nodes:
              - id: initial_talks
                name: 初步洽谈
        """)

    public static let missingKey = MessageSpec(202, .error, "missing-key", "missing required key `{0}` in {1}", explanation: """
        A required key is absent. For example every node needs `id` and `name`, every field a \
        `type`, and a template needs `flowc:` and `template:`.
        """)

    public static let wrongShape = MessageSpec(203, .error, "wrong-shape", "expected {0} for `{1}`, found {2}", explanation: """
        The value has the wrong YAML shape: a mapping where a list is expected, a list where a \
        single value is expected, and so on.

        Wrong:

            participants: presales

        Right:

            participants: [presales]
        """)

    public static let wrongType = MessageSpec(204, .error, "wrong-type", "expected {0} for `{1}`, found {2} `{3}`", explanation: """
        The scalar has the wrong type. YAML 1.2 core rules apply: `yes`, `no`, `on` and `off` are \
        strings, not booleans (write `true` / `false`); quoted numbers are strings.

        Wrong:

            required: yes

        Right:

            required: true
        """)

    public static let badDuration = MessageSpec(205, .error, "invalid-duration", "`{0}` is not a duration", explanation: """
        Durations are an integer followed by a unit — `m` minutes, `h` hours, `d` days, `w` weeks — \
        and may combine units from largest to smallest: `30d`, `12h`, `2w`, `1d12h`.

        Wrong:

            due: 7 days

        Right:

            due: 7d
        """)

    public static let badIdentifier = MessageSpec(206, .error, "invalid-identifier", "`{0}` is not a valid identifier", explanation: """
        Ids of nodes, roles, fields, deliverables, outcomes and enum values are lowercase \
        snake_case: a letter, then letters, digits or underscores, at most 64 characters. Display \
        names (in any language) go in `name:`. `owner`, `contacts` and `added` are special \
        recipients of effects and cannot be role ids. An id that looks right but holds a look-alike letter (a \
        Cyrillic `а`, a full-width `ｓ`) or an invisible character (a zero-width space, usually \
        pasted in) is named for that character and its code point, and the declared id it was \
        meant to be is suggested.

        Wrong:

            - id: Initial Talks

        Right:

            - id: initial_talks
              name: {zh: 初步洽谈, en: Initial talks}
        """)

    public static let unsupportedVersion = MessageSpec(207, .error, "unsupported-version", "unsupported language version `{0}`; this flowc understands version 1", explanation: """
        The `flowc:` key names the version of the template language. Only version 1 exists.
        """)

    public static let unknownValue = MessageSpec(208, .error, "unknown-value", "`{0}` is not a valid {1}", explanation: """
        The value must be one of a fixed set, for example a node `kind` (task, approval, fork, \
        join, won, lost) or a field `type` (text, integer, decimal, money, boolean, date, datetime, \
        enum, list). A close match is suggested when there is one.
        """)

    public static let emptyCollection = MessageSpec(209, .error, "empty-collection", "`{0}` must not be empty", explanation: """
        The list or mapping needs at least one entry, e.g. a display name needs at least one \
        language, an enum at least one value, a `next` list at least one branch (a deal \
        completing the node would have nowhere to go), `customer.identity` at least one field \
        (without one, duplicate customers go uncaught), and `lose.from` at least one node (or \
        `any`).

        Wrong:

            next: []

        Right:

            next: negotiation_review
        """)

    public static let badEffect = MessageSpec(210, .error, "invalid-effect", "an effect is a mapping with exactly one key naming its kind; found {0}", explanation: """
        Each effect is written as a one-key mapping whose key is the kind: `notify`, `bot_card`, \
        `group_chat`, `requirement` or `webhook`.

        Right:

            on_enter:
              - notify: {to: [owner], message: 请跟进}
        """)

    public static let headerConflict = MessageSpec(211, .error, "header-conflict", "a file has either `template:` or `fragment:`, not both", explanation: """
        A file is either a template (with `template:`) or a fragment that templates include (with \
        `fragment:`), never both. A fragment cannot use `extends`, `remove_nodes`, `customer`, \
        `start`, `lose` or `pool`.
        """)

    public static let outOfRange = MessageSpec(212, .error, "out-of-range", "`{0}` is out of range for `{1}`: {2}", explanation: """
        The number is outside the range the key allows; the message names the range. A node's \
        `probability` is a percentage from 0 to 100; an integer (`flowc`, `pool.claim.quota`) \
        fits 64 bits; each number in a duration has at most 9 digits (`999999999m` is the \
        longest run of minutes: write larger durations in a larger unit).

        Wrong:

            probability: 120

        Right:

            probability: 100
        """)

    public static let badLanguage = MessageSpec(213, .error, "invalid-language", "`{0}` is not a language tag", explanation: """
        Keys of a display name are language tags such as `zh`, `en`, `zh-Hant` or `en-US`.
        """)

    public static let badCurrency = MessageSpec(214, .error, "invalid-currency", "`{0}` is not a currency code", explanation: """
        Currencies are ISO 4217 codes: three uppercase letters, such as `CNY`, `USD` or `EUR`, \
        and one of the codes the standard lists (`RMB`, a common name of the renminbi, is not its \
        code: `CNY` is).
        """)

    public static let badKey = MessageSpec(215, .error, "non-string-key", "keys must be plain strings; found {0}", explanation: """
        Every key in a template is a string. A mapping or a list used as a key, or a number, is refused.
        """)

    /// Other wordings of the messages above, and help lines, kept here so that the phase is
    /// translated from one place.
    public enum Formats {
        /// FC0203 where the place is a phrase that carries its own quoting ("field `amount`",
        /// "`roles`", "the template").
        public static let wrongShapeOf = "expected {0} for {1}, found {2}"
        /// What an effect written `{}` is, for FC0210.
        public static let emptyMapping = "an empty mapping"
        /// FC0210 for an item with several kinds (usually a missing `- `).
        public static let severalEffectKinds = "an effect is a mapping with exactly one key naming its kind; found {0} keys: {1}"
        public static let oneEffectPerItem = "start each effect on its own line with `- `"
        /// FC0202 when neither `template:` nor `fragment:` is given.
        public static let fragmentHeader = "a file that templates include starts with `fragment:` instead"
        public static let didYouMean = "did you mean `{0}`?"
        /// A type written in another language's or tool's word (`{0}`), and flowc's (`{1}`).
        public static let typeWordElsewhere = "flowc calls `{0}` `{1}`"
        /// `type: number`: which number.
        public static let numberTypes = "a whole number is `integer`; a number with a fraction is `decimal`; an amount in a currency is `money` (with `currency:`)"
        /// `else:` written inside a conditional branch: the other way is an entry of its own.
        public static let defaultOfItsOwn = "`{0}` is no part of a conditional branch: the other way is a branch of its own, after this one: `- default: {1}`"
        /// FC0201 for `type： boolean` (U+FF1A, as a Chinese input method types `:`).
        public static let fullWidthColonInKey = "`：` (U+FF1A FULLWIDTH COLON) is not YAML's `:`, so the key and its value are read as one key; write `{0}`"
        /// FC0203 when a key has no value where a mapping or a list is expected.
        public static let nothingWritten = "expected {0} for `{1}`, found nothing after `{1}:`"
        /// FC0201 for keys at the indentation of an empty key before them (`{0}` the empty key).
        public static let indentUnder = "if this is an entry of `{0}`, which is empty above, indent it under `{0}`: YAML reads lines at a key's own indentation as keys beside it"
        public static let indentThemUnder = "if these are entries of `{0}`, which is empty above, indent them under `{0}`: YAML reads lines at a key's own indentation as keys beside it"
        public static let strayKeys = "{0} keys after the empty `{1}`, at its indentation"
        public static let alsoAtItsIndentation = "this one too"
        /// FC0203 for an empty list value inside `{…}`: `{0}` the key.
        public static let listInBrackets = "write the list in brackets after the key: `{0}: [owner]`, `{0}: [sales_manager, legal]`"
        public static let entriesBelow = "write its entries on the lines below it, indented further than the key: YAML reads lines at the key's own indentation as keys beside it"
        /// FC0211 for a template-only key in a fragment.
        public static let notInFragment = "a fragment cannot use `{0}`; only templates can"
        public static let templateIsHere = "`template:` is here"
        public static let expectedOneOf = "expected one of {0}"
        public static let identifierLike = "ids are lowercase snake_case, such as `{0}`; display names go in `name:`"
        /// FC0203 for a list written `-quote` (no space after the dash).
        public static let dashNeedsSpace = "a list item starts with `- `, a dash and a space: `- quote`; without the space YAML reads one text"
        /// FC0213 for `message: {customer_name}`: `{0}` the key with the placeholder quoted.
        public static let placeholderAsMapping = "YAML reads `{…}` without quotes as a mapping; to write a placeholder, quote the text: `{0}`"
        /// FC0201 for `default:` in an `if`/`to` branch: the next branch without its `- `.
        public static let defaultInBranch = "`default` in a branch with `if` and `to`: a branch has `if` and `to`, or `default` alone"
        /// The same with `default` before `to` (or `if`): `{0}` its target.
        public static let defaultToMove = "`default` is a branch of its own, the last: move it to an item after this one, `- default: {0}`"
        /// The same with a default branch in the list already: `{0}` this one's target.
        public static let defaultAlreadyThere = "the list has its `default` branch already: take out this `default: {0}`, or make it that branch's target"
        public static let defaultNeedsDash = "if `default` is the next branch, write `- ` before it, in the column of the other branches' `- `"
        /// FC0206 for a list item whose next line has no `- ` of its own: `{0}` that line's text.
        public static let foldedItem = "YAML joins the lines of a list item into one text: if {0} is an item of its own, write `- ` before it, in the column of the `- ` above"
        /// The same for several lines: `{0}` their texts.
        public static let foldedItems = "YAML joins the lines of a list item into one text: if {0} are items of their own, write `- ` before each, in the column of the `- ` above"
        /// FC0206 for `quote，cost`: entries of a list joined by a full-width comma.
        public static let fullWidthComma = "separate the entries of a list with `,` (a full-width `，` or `、` is part of the name): `[{0}]`"
        public static let identifierRule = "ids are lowercase snake_case; display names go in `name:`"
        /// FC0206 in an enum's `values` or `lose.reasons`, which have no display name: `{0}` which.
        public static let bareIdentifierLike = "{0} are ids, lowercase snake_case, such as `{1}`, with no display name of their own"
        public static let bareIdentifierRule = "{0} are ids, lowercase snake_case such as `{1}`, with no display name of their own"
        public static let enumValues = "an enum's values"
        public static let loseReasons = "lose reasons"
        public static let outcomeIDs = "an approval's outcomes"
        /// FC0206 for an id that looks right: `{1}` names the character (`CharacterNames.describe`).
        public static let deceptiveCharacter = "`{0}` is not a valid identifier: it contains {1}"
        public static let yesIsString = "YAML 1.2 reads `{0}` as a string; write `true`"
        public static let noIsString = "YAML 1.2 reads `{0}` as a string; write `false`"
        public static let write = "write `{0}`"
        /// FC0116 for a control character written as it is in a text, named.
        public static func rawControl(_ named: String) -> String {
            "this text holds \(named), a control character a template may not hold (a terminal would act on it where the text is printed)"
        }
        /// FC0116 for an escape that writes a control character, named.
        public static func escapedControl(_ named: String) -> String {
            "an escape in this string writes \(named), a control character a template may not hold (a terminal would act on it where the text is printed)"
        }
        /// FC0116 for a tab or a line break in a template's version, named.
        public static func versionOnOneLine(_ named: String) -> String {
            "a version is one line of text, and this one holds \(named)"
        }
        public static let fractionForPercent = "a probability is a percent from 0 to 100: `{0}` is written `{1}`"
        public static let currencyCommonName = "write `{0}`, the ISO 4217 code (`{1}` is a common name, not a code)"
        public static let writeList = "write `[{0}]`"
        /// FC0206 for `owner` or `contacts` used as a role id.
        public static let reservedRoleID = "`{0}` cannot be a role id: it is a special recipient of effects"
        public static let reservedRoleHelp = "`owner` is the deal owner, `contacts` the members of `external` roles and `added` the person just added to a role; name the role differently, such as `customer_contact`"
        /// FC0203 for `next: [delivery]`.
        public static let singleNext = "one next node is written without brackets: `next: {0}`"
        /// FC0203 for entries of a mapping written as list items (`- approve: contract`).
        public static let removeDash = "remove the `- ` before each entry: the entries are keys of a mapping, such as `{0}`"
        /// FC0204 for `probability: 10%`.
        public static let percentWithoutSign = "the value is a percentage already: write `{0}`, without `%`"
        /// FC0202 for a file without `flowc:`.
        public static let addVersion = "add `flowc: 1` as the first line: it names the version of the template language"
        public static let writeDefault = "write `- default: {0}` for the branch taken when no condition holds"
        public static let durationForms = "durations look like `30d`, `12h`, `2w` or `1d12h`"
        /// A duration in months: there is no month unit.
        public static let noMonthUnit = "there is no month unit, as months differ in length (`m` is minutes): write days, such as `{0}`"
        /// A duration whose units are out of order or repeated.
        public static let unitsInOrder = "write the largest unit first, each once: `{0}`"
        /// FC0212 reasons.
        public static let integerRange = "integers range from -9223372036854775808 to 9223372036854775807"
        public static let numberRange = "it is too large to be held as a number"
        /// A `min` or `max` with more significant digits than a bound keeps (`{0}`: what it would be).
        public static let boundDigits = "a bound keeps about 15 significant digits, and this one would be read as `{0}`: write it with fewer digits"
        public static let durationDigits = "each number in a duration has at most {0} digits"
        /// FC0204 for `.inf` or `.nan` where a number is expected.
        public static let notFinite = "expected a finite number for `{0}`, found `{1}`"
        /// FC0209 for `lose.from: []`.
        public static let fromAny = "leave `from` out, or write `from: any`, to allow losing from every open node"
        /// FC0209 for `next: []`.
        public static let nextNeedsATarget = "name the next node, `next: NODE`, or list branches that end with `- default: NODE`"
    }

    public static let all: [MessageSpec] = [
        unknownKey, missingKey, wrongShape, wrongType, badDuration, badIdentifier, unsupportedVersion,
        unknownValue, emptyCollection, badEffect, headerConflict, outOfRange, badLanguage, badCurrency, badKey,
    ]
}
