import FlowDiagnostics
import FlowIR
import FlowRuntime

/// Checks of a parsed scenario that its format alone cannot make: the names its expectations give,
/// against the template under test, and its event ids, against each other.
///
/// A typo in an expectation (`active: [intial_talks]`) or a repeated event id is a mistake in the
/// scenario file, never the template's behaviour, so it is reported as the file's unknown keys are:
/// FC1301 at the name's own line and column, with a did-you-mean, before any step runs. Names in
/// actions are left to the runner: refusing them (FC1110, FC1120, FC1140) is behaviour a scenario
/// may test.
enum ScenarioChecks {
    typealias T = ScenarioMessages.Text

    /// Every problem found, in no particular order (the caller sorts them).
    ///
    /// - Parameter machine: the template's machine; nil when the template has errors, and then
    ///   only the event ids are checked.
    static func problems(_ scenario: Scenario, source: ScenarioSource, machine: VerifiedMachine?) -> [Diagnostic] {
        var out = repeatedIDs(scenario, source: source)
        if let machine {
            out += unknownNames(scenario, source: source, machine: machine.machine)
            out += expectedValues(scenario, source: source, machine: machine)
        }
        return out
    }

    // MARK: Names in expectations

    static func unknownNames(_ scenario: Scenario, source: ScenarioSource, machine: Machine) -> [Diagnostic] {
        let nodes = machine.nodes.map(\.id)
        let fields = machine.fields.map(\.id)
        let roles = machine.roles.map(\.id)
        var out: [Diagnostic] = []
        func unknown(_ kind: String, _ name: String, among names: [String], at span: SourceSpan, _ path: String) {
            guard !names.contains(name) else { return }
            let text = Message(T.unknownName, [path, kind, name, Names.didYouMean(name, among: names)]).text
            out.append(ScenarioMessages.format.at(span, text))
        }
        for (path, e) in expectations(scenario) {
            let lists: [(String, [String]?)] = [("active", e.active), ("blocked", e.blocked), ("tailored_out", e.tailoredOut), ("in_plan", e.inPlan)]
            for (key, names) in lists {
                for (i, name) in (names ?? []).enumerated() {
                    let at = "\(path).\(key)[\(i)]"
                    unknown(T.node, name, among: nodes, at: source.span(at: at), at)
                    // The flow ahead is what `when`s decide: a node without one (or an approval,
                    // whose `when` is not projected) is in it whenever it is pending, so the
                    // expectation could never fail (or never pass).
                    guard key == "in_plan" || key == "tailored_out", let n = nodes.firstIndex(of: name) else { continue }
                    let node = machine.nodes[n]
                    if node.when == nil || node.kind == .approval {
                        out.append(ScenarioMessages.format.at(source.span(at: at), Message(T.notTailored, [at, name, key]).text))
                    }
                }
            }
            for (i, pattern) in (e.effectsInclude ?? []).enumerated() {
                guard let name = pattern.node else { continue }
                let at = "\(path).effects_include[\(i)].node"
                unknown(T.node, name, among: nodes, at: source.span(at: at), at)
            }
            // Names given as keys: pointed at the key, not at its value.
            let keyed: [(String, String, [String], [String])] = [
                ("nodes", T.node, e.nodes.map { Array($0.keys) } ?? [], nodes),
                ("fields", T.field, e.fields.map { Array($0.keys) } ?? [], fields),
                ("members", T.role, e.members.map { Array($0.keys) } ?? [], roles),
            ]
            for (key, kind, names, known) in keyed {
                for name in names.sorted() {
                    unknown(kind, name, among: known, at: source.span(ofKey: name, in: "\(path).\(key)"), "\(path).\(key).\(name)")
                }
            }
        }
        return out
    }

    /// The scenario's expectations, each with its path in the file (`deal.expect`, `steps[2].expect`).
    static func expectations(_ scenario: Scenario) -> [(path: String, expect: Scenario.Expectation)] {
        var out: [(path: String, expect: Scenario.Expectation)] = []
        if let e = scenario.deal.expect { out.append(("deal.expect", e)) }
        for step in scenario.steps {
            if let e = step.expect { out.append(("steps[\(step.number - 1)].expect", e)) }
        }
        return out
    }

    // MARK: Values in expectations

    /// An expected field value its field's type cannot read (`amount: lots` for a money field)
    /// could never match: FC1301 at the value, as an unknown name, rather than a failure of every
    /// run without a place (QA round 28, R8). It is read as the runner reads it.
    static func expectedValues(_ scenario: Scenario, source: ScenarioSource, machine: VerifiedMachine) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for (path, e) in expectations(scenario) {
            for (name, raw) in (e.fields ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard let slot = machine.machine.fields.firstIndex(where: { $0.id == name }),
                      case .failure(let error) = ScenarioValues.value(raw, type: machine.fieldTypes[slot]) else { continue }
                let at = "\(path).fields.\(name)"
                out.append(ScenarioMessages.format.at(source.span(at: at), Message(T.badExpectedValue, [at, error.message]).text))
            }
        }
        return out
    }

    // MARK: Event ids

    /// A step whose `id` an earlier step already has, or that is the creation's (`create`): the
    /// store refuses such an event (FC1214), so the scenario is refused before it runs.
    static func repeatedIDs(_ scenario: Scenario, source: ScenarioSource) -> [Diagnostic] {
        repeatedIDs(scenario.steps.map { ($0.number, $0.id) }, source: source)
    }

    /// ``repeatedIDs(_:source:)`` of a file whose form has other mistakes, from its steps as
    /// written: said with them, in the same round (QA round 32, D13: only once the others were
    /// fixed). A step's `id` that is not a text is one of those other mistakes.
    static func repeatedIDs(written tree: JSONValue, source: ScenarioSource) -> [Diagnostic] {
        guard case .array(let steps)? = tree["steps"] else { return [] }
        return repeatedIDs(steps.enumerated().map { i, step in
            if case .string(let id)? = step["id"] { return (i + 1, id) }
            return (i + 1, nil)
        }, source: source)
    }

    /// Each step's number (1 for the first) and its `id`, if it has one.
    private static func repeatedIDs(_ steps: [(number: Int, id: String?)], source: ScenarioSource) -> [Diagnostic] {
        var first: [String: Int] = [:]
        var out: [Diagnostic] = []
        for step in steps {
            guard let id = step.id else { continue }
            let path = "steps[\(step.number - 1)].id"
            let here = source.span(at: path)
            if id == creationID {
                out.append(ScenarioMessages.format.at(here, Message(T.creationID, [path, id]).text))
            } else if let earlier = first[id] {
                let there = source.span(at: "steps[\(earlier - 1)].id")
                let line = there.file.location(of: there.start).line
                out.append(ScenarioMessages.format.at(here, Message(T.repeatedID, [path, id, String(earlier), String(line)]).text)
                    .label(there, T.firstUsedHere))
            } else {
                first[id] = step.number
            }
        }
        return out
    }

    /// The id of the event that creates a scenario's deal (``ScenarioRunner``), as the host's.
    static let creationID = "create"
}
