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
            standard-sale.json: error[FC1001]: not JSON (truncated or corrupted)

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
        node, or a `won`/`lost` node has a transition. (An edited file is FC1004: the hash is \
        checked first.) `flowc compile` never writes such a \
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
        a field has a type this flowc does not know. The loader checks every expression again \
        so that a deal never evaluates one that does not type.

        Example:

            $ flowc run machine.json --deals deals.jsonl
            machine.json: error[FC1005]: expressions[0] `quote < nothing_here` does not check against the fields

        Compile the template again with `flowc compile`; `flowc check` shows the expression's own \
        errors.
        """)

    public static let valueOutOfRange = MessageSpec(1006, .error, "ir-value-out-of-range", "{0}", explanation: """
        The machine's content matches its hash, but a value is outside what the runner can take: \
        a node's probability outside 0 to 100, a negative duration (a node's `due`, `estimate` or \
        `escalate.after`, the pool's `cooldown`, `idleAfter` or `idleWarn`), or a negative claim \
        quota. `flowc check` refuses such values in a template, so the machine was written by \
        another tool or a flowc bug. The message names the value by its place in the file.

        Example:

            $ flowc run machine.json --deals deals.jsonl
            machine.json: error[FC1006]: `nodes[3].probability` (`negotiation`) is 150: a probability is from 0 to 100

        Compile the template again with `flowc compile`.
        """)

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
