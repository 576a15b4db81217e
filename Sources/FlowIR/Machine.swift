/// The compiled form of a template: a versioned, self-describing JSON document that a runner can
/// load without the YAML. Every reference is a dense index into one of the arrays; names appear
/// only as ids for people and for explanations.
///
/// Format history (see `IRLoader.upgrade`): version 1 is the first.
public struct Machine: Codable, Sendable, Hashable {
    public static let formatName = "flowc-ir"
    public static let currentFormatVersion = 1

    public var format: String = Machine.formatName
    public var formatVersion: Int = Machine.currentFormatVersion
    public var template: TemplateInfo
    public var fields: [FieldDef]
    public var customer: CustomerDef
    public var roles: [RoleDef]
    public var nodes: [NodeDef]
    /// Index of the start node.
    public var start: Int
    public var lose: LoseDef?
    public var pool: PoolDef
    public var effects: [EffectDef]
    /// Template-wide effects by trigger name (`on_create`, `on_won`, …), as indices into `effects`.
    public var triggers: [String: [Int]]
    /// Guards, tailoring conditions and computed fields.
    public var expressions: [ExpressionDef]
    /// Where each node, field and expression was written, for explanations.
    public var sources: SourceTable
}

/// Identity of the template a machine was compiled from.
public struct TemplateInfo: Codable, Sendable, Hashable {
    public var id: String
    public var version: String
    public var name: [String: String]
    /// `sha256:` + the hex digest of the machine's canonical JSON with this field empty.
    public var hash: String
}

/// A field of the deal schema, at a dense slot (its index).
public struct FieldDef: Codable, Sendable, Hashable {
    public var id: String
    public var name: [String: String]
    /// `text`, `integer`, `decimal`, `money`, `boolean`, `date`, `datetime`, `enum` or `list`.
    public var type: String
    /// List element type.
    public var of: String?
    public var currency: String?
    public var values: [String]?
    public var required: Bool
    /// The default, as the YAML scalar's text (typed by `type`).
    public var defaultValue: String?
    /// Index into `Machine.expressions` for computed fields.
    public var compute: Int?
    public var min: Double?
    public var max: Double?
}

/// Customer identity (S4): the field slots that identify a customer and the normalisations.
public struct CustomerDef: Codable, Sendable, Hashable {
    public var identity: [Int]
    public var normalize: [String]
    public var profile: [Int]
    /// The deduplication group (`customer.group`); nil for the default group. Absent from the
    /// IR when nil, so templates without one keep their hash.
    public var group: String? = nil

    public init(identity: [Int], normalize: [String], profile: [Int], group: String? = nil) {
        self.identity = identity
        self.normalize = normalize
        self.profile = profile
        self.group = group
    }
}

public struct RoleDef: Codable, Sendable, Hashable {
    public var id: String
    public var name: [String: String]
    public var owner: Bool
    public var manager: Bool
    public var external: Bool
}

public enum NodeKindIR: String, Codable, Sendable, Hashable, CaseIterable {
    case task, approval, fork, join, won, lost

    public init(from decoder: any Decoder) throws {
        self = try UnknownChoice.decode(decoder, IRMessages.Formats.nodeKind)
    }
}

/// A text of a machine that is not one of the values its key allows (a node kind `teleport`).
///
/// Thrown while decoding instead of the decoder's own error, whose text names Swift types, so
/// that FC1001 can say the value, its place and the choices in flowc's words.
struct UnknownChoice: Error {
    /// Where the value is (`nodes[0].kind`).
    var path: String
    var value: String
    /// What the value should be (`a node kind`), from `IRMessages.Formats`.
    var what: String
    var choices: [String]

    /// Decodes a string enumeration, or throws this error naming its cases.
    static func decode<T: RawRepresentable<String> & CaseIterable>(_ decoder: any Decoder, _ what: String) throws -> T {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = T(rawValue: text) else {
            throw UnknownChoice(path: IRLoader.path(decoder.codingPath), value: text, what: what, choices: T.allCases.map(\.rawValue))
        }
        return value
    }
}

/// How a node goes on once it completes.
public enum Transition: Codable, Sendable, Hashable {
    /// Terminal nodes.
    case end
    case goto(Int)
    /// Conditional branches tried in order (expression index, target), then the default.
    case branch([GuardedTarget], otherwise: Int)
    /// Approval outcomes (name, target).
    case outcomes([OutcomeTarget])
    /// Start every branch; the join waits for all.
    case fork(branches: [Int], join: Int)

    private enum CodingKeys: String, CodingKey { case kind, to, branches, otherwise, outcomes, join }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .kind) {
        case "end": self = .end
        case "goto": self = .goto(try c.decode(Int.self, forKey: .to))
        case "branch": self = .branch(try c.decode([GuardedTarget].self, forKey: .branches), otherwise: try c.decode(Int.self, forKey: .otherwise))
        case "outcomes": self = .outcomes(try c.decode([OutcomeTarget].self, forKey: .outcomes))
        case "fork": self = .fork(branches: try c.decode([Int].self, forKey: .branches), join: try c.decode(Int.self, forKey: .join))
        case let other:
            throw UnknownChoice(path: IRLoader.path(c.codingPath + [CodingKeys.kind]), value: other, what: IRMessages.Formats.transitionKind,
                                choices: ["end", "goto", "branch", "outcomes", "fork"])
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .end: try c.encode("end", forKey: .kind)
        case .goto(let t): try c.encode("goto", forKey: .kind); try c.encode(t, forKey: .to)
        case .branch(let bs, let o):
            try c.encode("branch", forKey: .kind); try c.encode(bs, forKey: .branches); try c.encode(o, forKey: .otherwise)
        case .outcomes(let os): try c.encode("outcomes", forKey: .kind); try c.encode(os, forKey: .outcomes)
        case .fork(let bs, let j): try c.encode("fork", forKey: .kind); try c.encode(bs, forKey: .branches); try c.encode(j, forKey: .join)
        }
    }

    /// Every node index this transition can lead to.
    public var targets: [Int] {
        switch self {
        case .end: []
        case .goto(let t): [t]
        case .branch(let bs, let o): bs.map(\.to) + [o]
        case .outcomes(let os): os.map(\.to)
        case .fork(let bs, let j): bs + [j]
        }
    }
}

public struct GuardedTarget: Codable, Sendable, Hashable {
    /// Index into `Machine.expressions`.
    public var condition: Int
    public var to: Int

    public init(condition: Int, to: Int) {
        self.condition = condition
        self.to = to
    }
}

public struct OutcomeTarget: Codable, Sendable, Hashable {
    public var name: String
    public var to: Int

    public init(name: String, to: Int) {
        self.name = name
        self.to = to
    }
}

public struct EscalationDef: Codable, Sendable, Hashable {
    /// Seconds after the due time.
    public var after: Int64
    public var to: Int
}

public struct NodeDef: Codable, Sendable, Hashable {
    public var id: String
    public var name: [String: String]
    public var kind: NodeKindIR
    public var owner: Int?
    public var participants: [Int]
    /// Seconds.
    public var estimate: Int64?
    /// Seconds from activation; a breach marks the node blocked.
    public var due: Int64?
    public var escalate: EscalationDef?
    public var probability: Int?
    /// Field slots that must be set to complete the node.
    public var requires: [Int]
    /// Deliverable ids that must be done to complete the node.
    public var deliverables: [String]
    /// Tailoring condition (index into `expressions`): the node is skipped while it is false.
    public var when: Int?
    public var onEnter: [Int]
    public var onComplete: [Int]
    public var transition: Transition
    /// Earlier nodes this node may send the deal back to.
    public var rework: [Int]
}

public struct LoseDef: Codable, Sendable, Hashable {
    public var reasons: [String]
    public var via: Int
    /// nil: from any open node.
    public var from: [Int]?
    /// The field (slot) a lose event writes its reason into; nil: none.
    public var reasonField: Int?

    public init(reasons: [String], via: Int, from: [Int]?, reasonField: Int? = nil) {
        self.reasons = reasons
        self.via = via
        self.from = from
        self.reasonField = reasonField
    }
}

public struct PoolDef: Codable, Sendable, Hashable {
    public var lostToPublic: Bool
    /// Seconds of no status change before the deal returns to the public pool.
    public var idleAfter: Int64?
    public var idleWarn: Int64?
    /// Recipients of the idle warning.
    public var idleNotify: [Recipient]
    public var quota: Int?
    /// Seconds during which the previous owner cannot claim the deal again.
    public var cooldown: Int64?
    public var assignBy: Int?
    /// The node whose completion (done, or skipped) stops the idle clock; absent from the IR
    /// when the template has no `pool.idle.until`, so that other machines hash as before.
    public var idleUntil: Int? = nil
}

/// Who an effect goes to.
public enum Recipient: Codable, Sendable, Hashable {
    case role(Int)
    case owner
    case contacts
    /// The person just added to a role: only in `on_role_added` effects (S7, bringing them up to date).
    case added

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int.self) { self = .role(i); return }
        switch try c.decode(String.self) {
        case "owner": self = .owner
        case "contacts": self = .contacts
        case "added": self = .added
        case let other:
            throw UnknownChoice(path: IRLoader.path(decoder.codingPath), value: other, what: IRMessages.Formats.recipient,
                                choices: [IRMessages.Formats.roleIndex, "owner", "contacts", "added"])
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .role(let i): try c.encode(i)
        case .owner: try c.encode("owner")
        case .contacts: try c.encode("contacts")
        case .added: try c.encode("added")
        }
    }
}

public enum EffectKindIR: String, Codable, Sendable, Hashable, CaseIterable {
    case notify, botCard = "bot_card", groupChat = "group_chat", requirement, webhook

    public init(from decoder: any Decoder) throws {
        self = try UnknownChoice.decode(decoder, IRMessages.Formats.effectKind)
    }
}

public struct EffectDef: Codable, Sendable, Hashable {
    public var kind: EffectKindIR
    public var recipients: [Recipient]
    /// Text with `{field}` placeholders, by language (`""` when written as a plain string).
    public var text: [String: String]
    /// Field slots shown on a bot card.
    public var fields: [Int]
    public var team: String?
    public var assigneeRole: Int?
    public var url: String?
    public var event: String?
}

/// An expression as source text plus the field slots it reads, in the order the checker lists
/// them; the runner re-checks it against `fields` when it loads the machine.
public struct ExpressionDef: Codable, Sendable, Hashable {
    public var source: String
    public var reads: [Int]
    /// `boolean` for guards and tailoring; the field's type for computed fields.
    public var type: String
}

/// Source positions for explanations: file paths and, per node/field/expression, file index + line + column.
public struct SourceTable: Codable, Sendable, Hashable {
    public var files: [String]
    public var nodes: [SourceRef]
    public var fields: [SourceRef]
    public var expressions: [SourceRef]
}

public struct SourceRef: Codable, Sendable, Hashable {
    public var file: Int
    public var line: Int
    public var column: Int
}
