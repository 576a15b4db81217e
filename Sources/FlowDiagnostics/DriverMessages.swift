/// Every diagnostic of the driver (FC00xx): reading files, and `flowc-ignore` suppressions.
public enum DriverMessages {
    public static let cannotRead = MessageSpec(1, .error, "cannot-read-file", "cannot read `{0}`: {1}", explanation: """
        flowc could not read a file it was given: a template to check, compile or run, a compiled \
        machine, a deals or events file (`flowc run --deals`, `--events`). The message gives the \
        path as it was written on the command line and the reason the operating system gave (no \
        such file, permission denied, a directory where a file was expected, ...). Exit code 2.

        Example:

            $ flowc check templates/proposl.flow.yaml
            templates/proposl.flow.yaml: error[FC0001]: cannot read `templates/proposl.flow.yaml`: no such file or directory

        Check the spelling of the path, that the file exists, and that the user running flowc may \
        read it.
        """)

    public static let noTemplates = MessageSpec(2, .error, "no-template-files", "no template files found in `{0}`", explanation: """
        A directory was given to check, but it holds no template file. flowc looks for files \
        ending in `.flow.yaml` in the directory and its subdirectories; other YAML files are \
        not templates and are skipped.

        Example:

            $ ls templates/
            sales.yaml
            $ flowc check templates/
            templates/: error[FC0002]: no template files found in `templates/`

        Rename the template to `sales.flow.yaml`, or point flowc at the right directory.
        """)

    public static let notACode = MessageSpec(3, .warning, "invalid-suppression-code", "`{0}` is not a diagnostic code", explanation: """
        A `# flowc-ignore` comment names something that is not a diagnostic code. Codes are `FC` \
        followed by four digits, as printed in brackets after `error` or `warning`. The comment \
        suppresses nothing for that name. Here the node is kept for old deals, and nothing leads \
        to it any more (FC0501, reported on its `id` line):

        Wrong:

            - id: legacy_review  # flowc-ignore FC501
              name: 旧版审核
              owner: sales_manager
              next: won

        Right:

            - id: legacy_review  # flowc-ignore FC0501
              name: 旧版审核
              owner: sales_manager
              next: won

        A reason may follow the codes after `--`: `# flowc-ignore FC0501 -- kept for old deals`.
        """)

    public static let errorNotSuppressible = MessageSpec(4, .warning, "error-not-suppressible", "`{0}` is an error and cannot be suppressed", explanation: """
        Only warnings can be suppressed. An error means the template cannot be compiled or would \
        misbehave at run time, so it is reported even when a `# flowc-ignore` comment names its \
        code; fix the template instead. `FC0302` (an unknown node) is an error: the comment does \
        not hide it, and this warning points at the code in the comment.

        Wrong:

            next: propsal  # flowc-ignore FC0302

        Right: write the node's name, and no comment.

            next: proposal
        """)

    public static let unusedSuppression = MessageSpec(5, .warning, "unused-suppression", "suppression of `{0}` is unused", explanation: """
        A `# flowc-ignore` comment names a code, but no diagnostic with that code starts on the \
        comment's line. The problem it once hid may have been fixed, or the comment sits on the \
        wrong line: a suppression applies only to diagnostics whose span starts on the same \
        line as the comment. Here the node no longer has an estimate longer than its due time \
        (FC0604), so that code hides nothing:

        Wrong:

            - id: legacy_review  # flowc-ignore FC0501, FC0604
              name: 旧版审核
              owner: sales_manager
              next: won

        Right:

            - id: legacy_review  # flowc-ignore FC0501
              name: 旧版审核
              owner: sales_manager
              next: won

        Delete a stale code (or the whole comment), so that it cannot hide a new problem later.
        """)

    public static let emptySuppression = MessageSpec(6, .warning, "empty-suppression", "`flowc-ignore` names no diagnostic code", explanation: """
        A `# flowc-ignore` comment must name the codes it suppresses; flowc has no way to \
        suppress every diagnostic of a line at once, so that a suppression cannot hide problems \
        nobody has looked at. Only warnings can be suppressed (FC0004): here FC0501, a node that \
        nothing leads to any more, kept for old deals.

        Wrong:

            - id: legacy_review  # flowc-ignore
              name: 旧版审核
              owner: sales_manager
              next: won

        Right:

            - id: legacy_review  # flowc-ignore FC0501
              name: 旧版审核
              owner: sales_manager
              next: won
        """)

    public static let tooManyProblems = MessageSpec(7, .error, "too-many-problems", "more than {0} problems: the rest are not reported", explanation: """
        A file so broken that reading it, or checking it, finds more than 10,000 problems (a \
        generated file gone wrong, a list pasted at the wrong indentation thousands of times) \
        keeps the first 10,000 of each stage, and this error stands at the first one left out. \
        Fix the ones reported (usually one mistake repeated) and check again. The bound keeps the \
        memory and time of a check in proportion to what anyone can read.

        Wrong: the same mistake on each of 20,000 lines (each field is no mapping, FC0203):

            fields:
              f1: 1
              f2: 1
              f3: 1
        """)

    public static let cannotWrite = MessageSpec(8, .error, "cannot-write-file", "cannot write `{0}`: {1}", explanation: """
        flowc could not write a file it was asked to write: `flowc compile -o`, `flowc graph -o`, \
        `flowc report --html`. The message gives the path as it was written on the command line \
        and the reason (a directory that does not exist, permission denied, a full disk, a deal \
        store, which an output never replaces). Nothing was written: the file, if there was one, \
        is as it was. Give another path, or `-o -` for standard output. Exit code 2.

        Example:

            $ flowc compile templates/standard-sale.flow.yaml -o out/ir.json
            out/ir.json: error[FC0008]: cannot write `out/ir.json`: no such file or directory

        `flowc graph` said FC1402 for the same until 2026-11-30.
        """)

    /// Text of the label that FC0004 puts on the error it could not suppress.
    public static let errorReportedHere = "the error is reported here"

    /// Every entry, in code order.
    public static let all: [MessageSpec] = [
        cannotRead, noTemplates, notACode, errorNotSuppressible, unusedSuppression, emptySuppression, tooManyProblems, cannotWrite,
    ]
}
