/// A field value as written in a step, a record or on the command line, typed later by the deal's
/// machine (a host knows the machine only once the deal is found: a deal runs on the machine it
/// started on).
public struct WrittenValue: Sendable, Hashable {
    public var field: String
    public var value: JSONValue

    public init(_ field: String, _ value: JSONValue) {
        self.field = field
        self.value = value
    }
}

/// What a step does, as written: the actions of docs/runtime.md §16, shared by scenario steps and
/// event records (field values not yet typed, deliverables not yet split into one event each).
public enum StepAction: Sendable, Hashable {
    case set([WrittenValue])
    /// One `tick_deliverable` event per item (a host gives them ids `ID.1`, `ID.2`, … when there
    /// are several).
    case deliverables(node: String, done: [String], undo: Bool)
    case complete(node: String, outcome: String?)
    case rework(node: String, target: String, reason: String)
    case addMember(role: String, person: String)
    case removeMember(role: String, person: String)
    case lose(reason: String?)
    case win(node: String?)
    case claim
    case release
    case assign(to: String)
    case tick
    /// A communication note on a node the deal has reached (S9): `{"add_note": {"node": …, "text": …}}`.
    case note(node: String, text: String)
    /// A document link on a node the deal has reached: `{"add_link": {"node": …, "url": …, "title": …}}`.
    case link(node: String, url: String, title: String?)
    /// S10: a person joins the deal's group chat: `{"join_chat": {"person": …, "chat": …}}`
    /// (`chat`, a chat id, only when the deal has several).
    case joinChat(person: String, chat: String?)

    /// The action's key (`set`, `complete`, …).
    public var name: String {
        switch self {
        case .set: "set"
        case .deliverables: "deliverables"
        case .complete: "complete"
        case .rework: "rework"
        case .addMember: "add_member"
        case .removeMember: "remove_member"
        case .lose: "lose"
        case .win: "win"
        case .claim: "claim"
        case .release: "release"
        case .assign: "assign"
        case .tick: "tick"
        case .note: "add_note"
        case .link: "add_link"
        case .joinChat: "join_chat"
        }
    }

    /// Every action key, in the order messages list them.
    public static let names = ["set", "deliverables", "complete", "rework", "add_member", "remove_member", "join_chat", "lose", "win", "claim", "release",
                               "assign", "tick", "add_note", "add_link"]
}

extension StepAction {
    /// The runner's actions for this step, in order: one, or one per item of a `deliverables`
    /// step. `typed` gives the field values of a `set` their types (a scenario reads them by the
    /// field's type from text forms, a host from the record's JSON); its error is the caller's.
    public func dealActions<E: Error>(typed: ([WrittenValue]) throws(E) -> [FieldAssignment]) throws(E) -> [DealAction] {
        switch self {
        case .set(let values): [.setFields(try typed(values))]
        case .deliverables(let node, let done, let undo): done.map { .tickDeliverable(node: node, deliverable: $0, done: !undo) }
        case .complete(let node, let outcome): [.complete(node: node, outcome: outcome)]
        case .rework(let node, let target, let reason): [.rework(node: node, target: target, reason: reason)]
        case .addMember(let role, let person): [.addRoleMember(role: role, person: person)]
        case .removeMember(let role, let person): [.removeRoleMember(role: role, person: person)]
        case .lose(let reason): [.lose(reason: reason)]
        case .win(let node): [.win(node: node)]
        case .claim: [.claim]
        case .release: [.release]
        case .assign(let to): [.assign(to: to)]
        case .tick: [.tick]
        case .note(let node, let text): [.note(node: node, text: text)]
        case .link(let node, let url, let title): [.link(node: node, url: url, title: title)]
        case .joinChat(let person, let chat): [.joinChat(person: person, chat: chat)]
        }
    }
}

/// Why a step's action could not be read: where (`steps[2].claim`, `events[0]`; empty for the
/// whole step) and what.
public struct StepFormatError: Error, Sendable, Hashable {
    public var path: String
    public var message: String
}

/// The one reader of a step's action, for scenario files (``Scenario``) and event records (the
/// host's `RecordReader`), so that the two formats cannot drift apart: exactly one action; no key
/// of another action; flags that must be `true`; an empty `set` or list of deliverables refused
/// (it would only lengthen the log).
public enum StepFormat {
    /// The keys of a step that belong to one action (`to` and `reason` to a `rework`), in the order
    /// they are checked.
    public static let actionKeys: [(key: String, action: String)] = [
        ("outcome", "complete"), ("to", "rework"), ("reason", "rework"), ("undo", "deliverables"),
    ]

    /// The first key of `step` that belongs to another action than `action` (it would be ignored
    /// without a word: `to` on a `complete`), with the action it goes with.
    public static func misplacedKey(in step: JSONValue, action: String) -> (key: String, action: String)? {
        actionKeys.first { step[$0.key] != nil && $0.action != action }
    }

    /// The messages, as formats with `{n}` placeholders.
    public enum Messages {
        public static let oneAction = "{0} has exactly one action ({1}); found {2}"
        /// After ``oneAction`` for a step holding only an `expect`.
        public static let expectAlone = " (an `expect` written as a list item of its own is a step with no action: indent it under the step it checks, without its `-`)"
        public static let none = "none"
        public static let keyOfAnotherAction = "`{0}` goes with `{1}`, not with `{2}`"
        public static let expectedObject = "expected an object"
        public static let expectedFields = "expected an object of field values"
        public static let expectedString = "expected a string"
        public static let expectedStrings = "expected a list of strings"
        public static let expectedBool = "expected true or false"
        public static let expectedTrue = "expected `true`"
        public static let expectedTrueOr = "expected `true` or {0}"
        public static let aReason = "a lose reason"
        public static let aNode = "a node id"
        public static let missing = "missing `{0}`"
        public static let missingTarget = "missing `to` (the node `rework` goes back to)"
        public static let unknownKey = "unknown key `{0}`{1}"
        public static let nothingToDo = "is empty: name at least {0}"
        public static let aField = "a field"
        public static let aDeliverable = "a deliverable"
        public static let undoDisagrees = "`undo` is given beside `deliverables` and inside it, with different values"
    }

    /// Reads the action of `step`, whose keys the caller has checked against its own list.
    /// - Parameters:
    ///   - path: where the step is, for messages (`steps[2]`, `events[0]`; empty for a whole line).
    ///   - noun: what a step is called in the one-action message (`a step`, `an event`).
    public static func action(of step: JSONValue, path: String, noun: String) throws(StepFormatError) -> StepAction {
        guard case .object(let entries) = step else { throw StepFormatError(path: path, message: Messages.expectedObject) }
        let present = entries.map(\.key).filter { StepAction.names.contains($0) }
        guard present.count == 1, let key = present.first, let value = step[key] else {
            var message = fill(Messages.oneAction, [noun, StepAction.names.joined(separator: ", "),
                                                    present.isEmpty ? Messages.none : present.joined(separator: ", ")])
            // `- expect: …` written as a list item of its own: a step with nothing to do.
            if present.isEmpty, entries.contains(where: { $0.key == "expect" }) { message += Messages.expectAlone }
            // Two or more: at the second, where the next step or event usually begins (QA round
            // 43, F7).
            throw StepFormatError(path: present.count > 1 ? join(path, present[1]) : path, message: message)
        }
        if let (extra, owner) = misplacedKey(in: step, action: key) {
            throw StepFormatError(path: join(path, extra), message: fill(Messages.keyOfAnotherAction, [extra, owner, key]))
        }
        let p = join(path, key)
        switch key {
        case "set":
            guard case .object(let fields) = value else { throw StepFormatError(path: p, message: Messages.expectedFields) }
            if fields.isEmpty { throw StepFormatError(path: p, message: fill(Messages.nothingToDo, [Messages.aField])) }
            return .set(fields.map { WrittenValue($0.key, $0.value) })
        case "deliverables":
            try keys(value, p, allowed: ["node", "done", "undo"])
            let node = try string(try required(value, p, "node"), join(p, "node"))
            let done = try strings(try required(value, p, "done"), join(p, "done"))
            if done.isEmpty { throw StepFormatError(path: join(p, "done"), message: fill(Messages.nothingToDo, [Messages.aDeliverable])) }
            // `undo` beside `deliverables` (the event's key) or inside it, where the docs' table
            // shows it; given in both places, they must agree.
            let outer = try step["undo"].map { (x) throws(StepFormatError) in try bool(x, join(path, "undo")) }
            let inner = try value["undo"].map { (x) throws(StepFormatError) in try bool(x, join(p, "undo")) }
            if let outer, let inner, outer != inner {
                throw StepFormatError(path: join(p, "undo"), message: Messages.undoDisagrees)
            }
            return .deliverables(node: node, done: done, undo: inner ?? outer ?? false)
        case "complete":
            return .complete(node: try string(value, p), outcome: try optionalString(step["outcome"], join(path, "outcome")))
        case "rework":
            // The reason may be left out (the runner's FC1131 says what is missing); the target
            // may not: without it the event names no node at all.
            guard let target = step["to"] else { throw StepFormatError(path: path, message: Messages.missingTarget) }
            return .rework(node: try string(value, p), target: try string(target, join(path, "to")),
                           reason: try optionalString(step["reason"], join(path, "reason")) ?? "")
        case "add_member", "remove_member":
            try keys(value, p, allowed: ["role", "person"])
            let role = try string(try required(value, p, "role"), join(p, "role"))
            let person = try string(try required(value, p, "person"), join(p, "person"))
            return key == "add_member" ? .addMember(role: role, person: person) : .removeMember(role: role, person: person)
        case "lose": return .lose(reason: try trueOrString(value, p, Messages.aReason))
        case "win": return .win(node: try trueOrString(value, p, Messages.aNode))
        case "claim", "release", "tick":
            // A flag: `claim: false` must not claim.
            guard value == .bool(true) else { throw StepFormatError(path: p, message: Messages.expectedTrue) }
            return key == "claim" ? .claim : key == "release" ? .release : .tick
        case "assign": return .assign(to: try string(value, p))
        case "join_chat":
            try keys(value, p, allowed: ["person", "chat"])
            return .joinChat(person: try string(try required(value, p, "person"), join(p, "person")),
                             chat: try optionalString(value["chat"], join(p, "chat")))
        case "add_note":
            try keys(value, p, allowed: ["node", "text"])
            return .note(node: try string(try required(value, p, "node"), join(p, "node")),
                         text: try string(try required(value, p, "text"), join(p, "text")))
        default:
            try keys(value, p, allowed: ["node", "url", "title"])
            return .link(node: try string(try required(value, p, "node"), join(p, "node")),
                         url: try string(try required(value, p, "url"), join(p, "url")),
                         title: try optionalString(value["title"], join(p, "title")))
        }
    }

    // MARK: Pieces

    static func fill(_ format: String, _ arguments: [String]) -> String { RuntimeMessages.fill(format, arguments) }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }

    static func keys(_ v: JSONValue, _ path: String, allowed: [String]) throws(StepFormatError) {
        guard case .object(let entries) = v else { throw StepFormatError(path: path, message: Messages.expectedObject) }
        for (key, _) in entries where !allowed.contains(key) {
            throw StepFormatError(path: path, message: fill(Messages.unknownKey, [key, Names.didYouMean(key, among: allowed)]))
        }
    }

    static func required(_ v: JSONValue, _ path: String, _ key: String) throws(StepFormatError) -> JSONValue {
        guard let value = v[key] else { throw StepFormatError(path: path, message: fill(Messages.missing, [key])) }
        return value
    }

    static func string(_ v: JSONValue, _ path: String) throws(StepFormatError) -> String {
        guard case .string(let s) = v else { throw StepFormatError(path: path, message: Messages.expectedString) }
        return s
    }

    static func optionalString(_ v: JSONValue?, _ path: String) throws(StepFormatError) -> String? {
        guard let v, v != .null else { return nil }
        return try string(v, path)
    }

    static func strings(_ v: JSONValue, _ path: String) throws(StepFormatError) -> [String] {
        guard case .array(let items) = v else { throw StepFormatError(path: path, message: Messages.expectedStrings) }
        var out: [String] = []
        for (i, item) in items.enumerated() { out.append(try string(item, "\(path)[\(i)]")) }
        return out
    }

    static func bool(_ v: JSONValue, _ path: String) throws(StepFormatError) -> Bool {
        guard case .bool(let b) = v else { throw StepFormatError(path: path, message: Messages.expectedBool) }
        return b
    }

    /// `true` (nil) or a text: the reason of a loss, the end node of a win. `false` or null would
    /// read as the same action, so they are refused.
    static func trueOrString(_ v: JSONValue, _ path: String, _ what: String) throws(StepFormatError) -> String? {
        if v == .bool(true) { return nil }
        guard case .string(let s) = v else { throw StepFormatError(path: path, message: fill(Messages.expectedTrueOr, [what])) }
        return s
    }
}
