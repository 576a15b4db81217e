public import FlowDiagnostics

/// Every error of loading a compiled machine (FC10xx), with its long explanation, for `flowc
/// explain`. The loader's message is whole (`{0}`): it names the place in the file.
public enum IRMessages {
    public static let malformed = MessageSpec(1001, .error, "ir-malformed", "{0}", explanation: """
        A compiled machine file is not JSON, or is JSON that is not a machine: it is empty, was cut \
        short (a copy or a download that stopped), or a key the machine needs is missing or holds \
        a value of the wrong kind. The message names the key (`nodes[3].transition`).

        Example:

            $ flowc run standard-sale.json --deals deals.jsonl
            standard-sale.json: error[FC1001]: not JSON (it ends in the middle: truncated)

        Compile the template again: `flowc compile standard-sale.flow.yaml -o standard-sale.json`.
        """)

    public static let unknownFormat = MessageSpec(1002, .error, "ir-unknown-format", "{0}", explanation: """
        The file is not a flowc machine (no `"format": "flowc-ir"`), or its `formatVersion` is \
        missing, not a whole number, or newer than this flowc reads. A machine written by a newer flowc \
        needs that flowc, or the template compiled again with this one.

        Example:

            $ flowc graph deals.json
            deals.json: error[FC1002]: not a flowc IR file (no `"format": "flowc-ir"`)

        Give the file that `flowc compile` wrote, or the template (`.flow.yaml`) itself.
        """)

    public static let badReference = MessageSpec(1003, .error, "ir-bad-reference", "{0}", explanation: """
        The machine's content matches its hash but does not hold together: an index points \
        outside its array (a transition to node 999 of 12), an id repeats, the start is an end \
        node, a node's transition is not one its kind has (a `won`/`lost` node with a \
        transition), or the flow has a shape `flowc check` refuses: an approval with fewer than \
        two outcomes, a fork with fewer than two branches or a join that is not a `join` node or \
        is another fork's, a join of no fork, a branch that never reaches its join or can end \
        before it, a rework from one branch of a fork into another, a fork naming a branch or an \
        approval an outcome twice, a lose path (from `lose.via`) that can reach a `won` node or \
        reaches no `lost` one, computed fields that read each other in a cycle, a rework that \
        does not go back or goes to a join, a way into a fork's branches or join from a node no \
        path from the fork reaches, a node, role or field id, enum value, outcome or lose reason \
        that is not an identifier, a role named like a \
        special recipient, a `customer.group` that is not an identifier, an `added` recipient \
        outside `on_role_added`, a lose reason field that cannot hold the reasons, or not \
        exactly one owner role. (An edited file is FC1004: the hash is \
        checked before the structure.) `flowc compile` never writes such a \
        machine; it comes from another tool or a flowc bug.

        Example:

            $ flowc run machine.json --deals deals.jsonl
            machine.json: error[FC1003]: nodes[0] (`talks`) target node index 999 is out of range (0..<12)

        Compile the template again with `flowc compile`, and report the file if it came from flowc.
        """)

    public static let hashMismatch = MessageSpec(1004, .error, "ir-hash-mismatch", "{0}", explanation: """
        The machine's content does not match the hash written in it (`template.hash`): the file \
        was edited by hand or corrupted after `flowc compile` wrote it. Deals record the hash of \
        the machine they run on, so a changed machine is refused rather than run.

        Example:

            $ flowc graph standard-sale.json
            standard-sale.json: error[FC1004]: the content does not match its hash sha256:28373f…; the file was edited or corrupted

        Change the template and compile it again instead of editing the machine.
        """)

    public static let badExpression = MessageSpec(1005, .error, "ir-bad-expression", "{0}", explanation: """
        An expression of the machine (a branch condition, a `when`, a computed field) does not \
        check against the machine's fields, or reads other fields than the compiler recorded, or \
        a field has a type this flowc does not know, or its type is not that of its use: a \
        condition (`when`, a branch) is boolean, a computed field's expression has the field's \
        type. The loader checks every expression again, against its use, so that a deal never \
        evaluates one that does not type. The message gives the checker's \
        first error as `flowc check` words it, with its column in the expression; an expression \
        longer than 80 characters is shown cut, with its length.

        Example:

            $ flowc run machine.json --deals deals.jsonl
            machine.json: error[FC1005]: expressions[0] `quote < nothing_here` does not check against the fields: error[FC0415] at column 9: unknown field `nothing_here`

        Compile the template again with `flowc compile`; `flowc check` shows the expression's own \
        errors.
        """)

    public static let valueOutOfRange = MessageSpec(1006, .error, "ir-value-out-of-range", "{0}", explanation: """
        The machine's content matches its hash, but a value is outside the bounds `flowc check` \
        puts on the template value it comes from: a node's probability outside 0 to 100; a \
        duration (a node's `due`, `estimate` or `escalate.after`, the pool's `idleAfter` or \
        `idleWarn`) that is negative, zero, or longer than a template can write \
        (694859999305140 seconds, `999999999w999999999d999999999h999999999m`); a negative or \
        too long `cooldown` (zero is allowed); a claim quota below 1; a text (an id, a name, a \
        message) holding a control character no template may hold (FC0116 in `flowc check`); or \
        a field whose default is not a value of its type or is outside its bounds, an enum with \
        no values or one twice, a currency that is no ISO 4217 code, a `min` above the `max`, a \
        computed field that is also required or has a default, or a customer-key normalisation \
        flowc does not know. `flowc check` refuses \
        such values in a template, so the machine was written by another tool or a flowc bug. \
        The message names the value by its place in the file.

        Example:

            $ flowc run machine.json --deals deals.jsonl
            machine.json: error[FC1006]: `nodes[3].probability` (`negotiation`) is 150: a probability is from 0 to 100

        Compile the template again with `flowc compile`.
        """)

    /// The phrases the loader builds its messages from (each message is whole: `{0}` of its code).
    public enum Formats {
        /// FC1001: the file does not decode as a machine.
        public static let notAMachine = "not a valid machine: {0}"
        public static let missingKey = "missing `{0}`"
        /// A value of another kind than the key holds: path, expected, found.
        public static let wrongKind = "`{0}`: expected {1}, found {2}"
        /// A text outside an enumeration: path, value, what it should be, the choices.
        public static let notOneOf = "`{0}`: `{1}` is not {2} ({3})"
        /// A number no whole number of a machine can hold: path, value.
        public static let numberOutOfRange = "`{0}` is {1}: out of range (a whole number is from {2} to {3})"
        /// A number that is not whole where a whole number is needed: path, value.
        public static let notWhole = "`{0}` is {1}: expected a whole number"
        /// Nothing more precise is known about the value at the path.
        public static let unreadable = "`{0}` cannot be read"
        public static let unreadableSomewhere = "a value cannot be read"

        /// The kinds of JSON value, as `wrongKind` names them.
        public static let kindWholeNumber = "a whole number"
        public static let kindNumber = "a number"
        public static let kindText = "text"
        public static let kindBoolean = "true or false"
        public static let kindList = "a list"
        public static let kindObject = "an object"
        public static let kindNull = "null"
        public static let kindOther = "another kind of value"
        /// A value found, as written (`true`).
        public static let foundValue = "`{0}`"
        /// A text value found, shown with its first characters.
        public static let foundText = "text `{0}`"

        /// What the enumerations of a machine are, for `notOneOf`.
        public static let nodeKind = "a node kind"
        public static let effectKind = "an effect kind"
        public static let transitionKind = "a transition kind"
        public static let recipient = "a recipient"
        public static let roleIndex = "a role index"

        /// FC1005: expression index, the expression shown, the reason.
        public static let expressionFails = "expressions[{0}] {1} does not check against the fields: {2}"
        /// The checker's first error, as `flowc check` words it: code, column, message.
        public static let expressionError = "error[{0}] at column {1}: {2}"
        public static let moreErrors = "{0} (and {1} more errors)"
        /// An expression that checks but reads other fields: index, shown, what it reads, recorded.
        public static let expressionReads = "expressions[{0}] {1} reads {2}, but the machine records that it reads {3}"
        public static let noFields = "no field"
        /// FC1005: an expression whose declared type is not its use's (index, shown, declared,
        /// the use, the type the use needs).
        public static let expressionDeclared = "expressions[{0}] {1} is declared of type {2}, but it is {3}, of type `{4}`"
        /// FC1005: an expression used where two types are needed (index, one use, the other).
        public static let expressionTwoUses = "expressions[{0}] is used as {1} and as {2}, which need values of different types"
        /// FC1006: a text of the machine holding a character no template text may (its place,
        /// the character named).
        public static let forbiddenCharacter = "{0} holds {1}, a control character no template may hold (a terminal would act on it where the text is printed)"
        /// FC1003: an id that is not one (its place, the text).
        public static let notAnIdentifier = "{0} `{1}` is not an identifier (lowercase letters, digits and `_`, starting with a letter, at most 64 characters)"
        /// FC1003: a lose path (the node it starts at) that can reach a `won` node (named).
        public static let losePathWins = "the lose path from {0} can reach {1}, a `won` node: losing a deal would win it"
        public static let losePathNeverLost = "the lose path from {0} reaches no `lost` node: a lost deal would stay open"
        /// FC1003: computed fields that read each other, in the cycle's order.
        public static let computeCycle = "computed fields read each other in a cycle ({0}): none of them would ever have a value"
        /// FC1003: the lose reason field that cannot hold the reasons.
        public static let reasonFieldType = "lose.reason_field is field `{0}`, a `{1}` field; it must be a text field, or an enum whose values include every lose reason"
        public static let reasonFieldComputed = "lose.reason_field is field `{0}`, a computed field, which a lose event cannot write"
        /// FC1003: the owner role, missing or several.
        public static let ownerRoles = "the machine has {0} owner roles; a template has exactly one role marked `owner: true`"
        /// FC1006: a field's definition that `flowc check` refuses (its place, what is wrong).
        public static let fieldDefinition = "fields[{0}] (`{1}`) {2}"
        public static let unreadableDefault = "has a default, `{0}`, that is not a value of its type or is outside its bounds"
        public static let noEnumValues = "is an enum with no values"
        public static let repeatedEnumValue = "lists the enum value `{0}` twice"
        public static let unknownCurrency = "has the currency `{0}`, which is no ISO 4217 code"
        public static let minAboveMax = "has a `min` above its `max`"
        public static let computedAndWritten = "is computed, and also required or given a default, which a computed field cannot be"
        /// FC1006: a customer-key normalisation not known (index, name, the known ones).
        public static let unknownNormalizer = "customer.normalize[{0}] `{1}` is no normalisation flowc knows ({2})"
        /// An expression too long to echo: its start, its length in characters.
        public static let truncatedExpression = "`{0}…` ({1} characters)"

        /// FC1006: path, ` (`node`)` or nothing, the value, the rule.
        public static let outOfRange = "`{0}`{1} is {2}: {3}"
        public static let ofNode = " (`{0}`)"
        public static let probabilityRange = "a probability is from 0 to 100"
        public static let negativeDuration = "a duration cannot be negative"
        public static let zeroDuration = "a duration cannot be zero"
        /// The longest duration, in seconds, and as a template writes it.
        public static let longDuration = "a duration is at most {0} seconds (`{1}`, the longest a template can write)"
        public static let quotaRange = "a quota is at least 1"
    }

    public static let all: [MessageSpec] = [malformed, unknownFormat, badReference, hashMismatch, badExpression, valueOutOfRange]

    /// The catalogue entry of a loader error's kind.
    public static func spec(for kind: IRLoadError.Kind) -> MessageSpec {
        switch kind {
        case .malformed: malformed
        case .unknownFormat: unknownFormat
        case .badReference: badReference
        case .hashMismatch: hashMismatch
        case .badExpression: badExpression
        case .valueOutOfRange: valueOutOfRange
        }
    }
}
