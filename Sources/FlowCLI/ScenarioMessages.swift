import FlowDiagnostics

/// Every diagnostic of `flowc test` about scenario files (FC13xx), with its long explanation.
///
/// `flowc explain` prints them with the runner's and host's codes.
enum ScenarioMessages {
    static let format = MessageSpec(1301, .error, "scenario-format", "{0}", explanation: """
        A scenario file does not follow the scenario format (docs/testing.md, "Writing a \
        scenario"): an unknown key, a missing key, a value of the wrong kind or out of its range \
        (`utc_offset` within ±14h, `owned` 0 or more, times within the years 1 to 9999, at most 9 \
        digits to a number of a duration), a step with no action or with two, an expectation \
        left blank (`status:`: null, which checks nothing). Also found before \
        any step runs: an expectation naming a node, field or role the template does not have, or \
        a refusal code a step cannot be refused with; an event id used twice; steps after a deal \
        whose creation is expected to be refused, or a key beside `refused` in its `deal.expect` \
        (there is no deal for it to check). The message names the place as a path \
        (`steps[3].expect.active`) and the diagnostic points at it.

        Wrong:

            steps:
              - complete: initial_talks
                expect: {actve: [requirement_negotiation]}

        Right:

            steps:
              - complete: initial_talks
                expect: {active: [requirement_negotiation]}
        """)

    static let value = MessageSpec(1302, .error, "scenario-value", "{0}", explanation: """
        A value in a scenario file has no meaning in a scenario: a mapping or a list used as a \
        mapping key, or a number that is not finite (`.inf`, `.nan`). Scenario values are plain \
        text, numbers, booleans, null, lists and mappings with text keys.
        """)

    static let wrongTemplate = MessageSpec(1303, .error, "scenario-wrong-template", "this scenario is for `{0}`, not for `{1}`", explanation: """
        The scenario's `template:` key names another template than the one `flowc test` is \
        testing. Scenarios found by the naming convention need no `template:` key at all; when \
        one is written, it must name the template under test, relative to the scenario file.
        """)

    static let noScenarios = MessageSpec(1304, .error, "no-scenarios", "no scenario files for `{0}` (looked in `{1}`)", explanation: """
        `flowc test TEMPLATE` found no scenario to run. Scenarios of `DIR/NAME.flow.yaml` live in \
        `DIR/scenarios/NAME/` and end in `.scenario.yaml` (or `.scenario.json`); name other files \
        on the command line after the template.

        Example:

            templates/standard-sale.flow.yaml
            templates/scenarios/standard-sale/won.scenario.yaml
        """)

    /// Also what `flowc compile` and the commands that compile a template (`graph`, `run`, `deal`,
    /// `migrate`) say for a fragment.
    static let fragment = MessageSpec(1305, .error, "fragment-as-template", "`{0}` is a fragment: it has no flow of its own; use a template that includes it",
                                      explanation: """
        A fragment only provides definitions (roles, fields) and has no flow, so no deal can run on \
        it: it cannot be tested, compiled, drawn or run. Write the scenarios for the templates that \
        `include` the fragment, and compile, draw or run those templates.

        Example:

            $ flowc compile templates/fragments/common-roles.flow.yaml -o roles.json
            templates/fragments/common-roles.flow.yaml: error[FC1305]: `templates/fragments/common-roles.flow.yaml` is a fragment: it has no flow of its own; use a template that includes it
        """)

    static let compiledMachine = MessageSpec(1306, .error, "scenario-on-compiled-machine",
                                             "`{0}` is a compiled machine: `flowc test` takes the template it was compiled from (`.flow.yaml`)",
                                             explanation: """
        `flowc test` runs scenarios against a template: it checks and compiles the template itself, \
        and points a failing step at the template's scenarios. A compiled machine (the `.json` \
        file that `flowc compile` writes) is what `flowc run`, `flowc deal` and `flowc graph` take, \
        not `flowc test`.

        Wrong:

            flowc compile standard-sale.flow.yaml -o standard-sale.json
            flowc test standard-sale.json won.scenario.yaml

        Right:

            flowc test standard-sale.flow.yaml won.scenario.yaml
        """)

    /// `flowc compile` given what it writes: read as a template, a machine is some two hundred
    /// errors about missing keys.
    static let alreadyCompiled = MessageSpec(1307, .error, "compile-compiled-machine",
                                             "`{0}` is already a compiled machine (flowc IR): `flowc compile` takes the template it was compiled from (`.flow.yaml`)",
                                             explanation: """
        `flowc compile` checks a template and writes its machine (flowc IR), the `.json` file that \
        `flowc graph`, `flowc run`, `flowc deal` and `flowc migrate` take as it is. Given a `.json` \
        file, it stops rather than read the machine as a template. To compile again, give the \
        template the machine was compiled from.

        Wrong:

            flowc compile standard-sale.json -o standard-sale-2.json

        Right:

            flowc compile standard-sale.flow.yaml -o standard-sale.json
        """)

    /// `flowc test --filter TEXT` that let no scenario run (QA round 43, T17: an uncoded line,
    /// and a JSON failure without a code).
    static let noScenarioMatches = MessageSpec(1308, .error, "no-scenario-matches",
                                               "no scenario of `{0}` matches `--filter {1}`: the text is looked for as written, capitals counting, in each scenario's name and its file's path",
                                               explanation: """
        `flowc test --filter TEXT` runs only the scenarios whose name (`scenario:`) or file path \
        contains TEXT, exactly as written. None did, so nothing was tested, and the run fails \
        rather than pass on nothing. Run `flowc test` without the filter to see the scenarios' \
        names.

        Example:

            $ flowc test templates/standard-sale.flow.yaml --filter "Lost"
            templates/standard-sale.flow.yaml: error[FC1308]: no scenario of `templates/standard-sale.flow.yaml` matches `--filter Lost`: the text is looked for as written, capitals counting, in each scenario's name and its file's path
        """)

    static let all: [MessageSpec] = [format, value, wrongTemplate, noScenarios, fragment, compiledMachine, alreadyCompiled, noScenarioMatches]

    /// Texts of the diagnostics above (FC1301's `{0}`) and of the reader's, in a scenario's words.
    enum Text {
        /// FC0109 for a scenario file (templates keep the YAML reader's own wording).
        static let multipleDocuments = "a scenario file holds one YAML document; this is a second one"
        /// `{0}` the place, `{1}` node, field or role, `{2}` the name, `{3}` a did-you-mean.
        static let unknownName = "{0}: unknown {1} `{2}`{3}"
        /// An expected field value the field's type cannot read (`{1}`: why).
        static let badExpectedValue = "{0}: {1}, so the expectation could never hold"
        static let notTailored = "{0}: node `{1}` has no `when` to tailor it, so it is in the flow ahead whenever it is pending and `{2}` says nothing of the way the deal goes; expect its status instead under `nodes` (`{1}: done`, `{1}: active`; a node the deal went past without entering stays `pending`)"
        static let node = "node"
        static let field = "field"
        static let role = "role"
        /// `{0}` the place, `{1}` the id, `{2}` the step that has it first, `{3}` that step's line.
        static let repeatedID = "{0}: event id `{1}` is already the id of step {2} (line {3}): event ids are unique within a deal, and the store refuses a repeated one (FC1214)"
        static let creationID = "{0}: event id `{1}` is the id of the deal's creation: event ids are unique within a deal, and the store refuses a repeated one (FC1214)"
        static let firstUsedHere = "first used here"
    }
}
