import FlowYAML

/// The keys one kind of mapping may have: an enum whose raw values are the key names.
///
/// `SyntaxReader.mapping` matches each key's bytes against a `KeyTable` and returns `Entries`,
/// a fixed array indexed by key, instead of a `[String: …]` dictionary with a `String` built and
/// hashed per key: the syntax phase reads hundreds of thousands of keys on large templates.
protocol MappingKey: RawRepresentable, CaseIterable, Equatable, Sendable where RawValue == String {
    /// The keys prepared for matching; every conforming type stores one (`KeyTable()`).
    static var table: KeyTable<Self> { get }
    /// Words authors write for a key that no edit distance brings close to it (`else` for
    /// `default`, `then` for `to`), so that an unknown key still gets its did-you-mean.
    static var synonyms: [String: Self] { get }
}

extension MappingKey {
    static var synonyms: [String: Self] { [:] }
}

/// A `MappingKey` type's keys in declaration order, with their names packed into words and
/// hashed, so that a key's bytes are matched with one probe.
struct KeyTable<Key: MappingKey>: Sendable {
    let keys: [Key]
    let names: [String]
    /// Each name's bytes packed into two words (names are at most 16 bytes), with its length.
    private let packed: [(low: UInt64, high: UInt64, count: Int)]
    /// An open-addressing hash table of ordinals (-1 for an empty slot), indexed by `slot(_:_:)`.
    private let slots: [Int8]

    init() {
        keys = Array(Key.allCases)
        names = keys.map(\.rawValue)
        var packed: [(low: UInt64, high: UInt64, count: Int)] = []
        var slots = [Int8](repeating: -1, count: 64)
        for (k, name) in names.enumerated() {
            let words = name.utf8.withContiguousStorageIfAvailable(KeyTable.pack) ?? nil
            assert(words != nil, "key names are at most 16 bytes")
            let (low, high) = words ?? (0, 0)
            packed.append((low, high, name.utf8.count))
            var s = KeyTable.slot(low, high)
            while slots[s] >= 0 { s = (s + 1) & 63 }
            slots[s] = Int8(k)
        }
        self.packed = packed
        self.slots = slots
    }

    /// `text` as two little-endian words, or nil when it is longer than 16 bytes.
    private static func pack(_ text: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64)? {
        guard text.count <= 16 else { return nil }
        var words: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(text)) }
        return words
    }

    private static func slot(_ low: UInt64, _ high: UInt64) -> Int {
        Int(truncatingIfNeeded: ((low ^ (high &* 31)) &* 0x9E37_79B9_7F4A_7C15) >> 58)
    }

    /// The position of `key` in `keys`.
    func ordinal(of key: Key) -> Int {
        // Cases are compared by discriminator; the tables are short.
        keys.firstIndex(of: key) ?? 0
    }

    /// The key whose name is exactly `text` (bytes compared: key names are lowercase ASCII
    /// words, which no other spelling is canonically equivalent to). One hash of the packed
    /// bytes finds the only candidate; comparing with each name in turn cost more than the rest
    /// of reading the key.
    func match(_ text: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let (low, high) = KeyTable.pack(text) else { return nil }
        var s = KeyTable.slot(low, high)
        while true {
            let k = Int(slots[s])
            guard k >= 0 else { return nil }
            let p = packed[k]
            if p.low == low, p.high == high, p.count == text.count { return k }
            s = (s + 1) & 63
        }
    }
}

/// What `SyntaxReader.mapping` read: the pair written for each allowed key (the first one when
/// a key is repeated, which the reader has reported), and what the other keys were.
struct Entries<Key: MappingKey> {
    /// Indexed by the key's position in `Key.table`. (An array rather than a fixed-size inline
    /// one: reading an element of an inline array held in a `let` copied all of it first.)
    private var slots: [(key: YAMLNodeID, value: YAMLNodeID)?]
    /// For each key that is not allowed but close to an allowed one: that allowed key's name.
    var guesses: [String] = []
    /// The later pairs of a key given more than once (FC0102), by the key's position.
    var repeated: [Int: [(key: YAMLNodeID, value: YAMLNodeID)]] = [:]

    /// The values of `key` given after its first (a section written twice).
    func repeatedValues(_ key: Key) -> [YAMLNodeID] { repeated[Key.table.ordinal(of: key)]?.map(\.value) ?? [] }
    /// True when some key could not be read as a string (a list or a number used as a key).
    var hasUnreadableKey = false

    init() { slots = Array(repeating: nil, count: Key.table.keys.count) }

    subscript(key: Key) -> (key: YAMLNodeID, value: YAMLNodeID)? {
        slots[Key.table.ordinal(of: key)]
    }

    subscript(ordinal ordinal: Int) -> (key: YAMLNodeID, value: YAMLNodeID)? {
        get { slots[ordinal] }
        set { slots[ordinal] = newValue }
    }
}

enum TopKey: String, MappingKey {
    case flowc, template, fragment, extends, include, fields, customer, roles, nodes
    case removeNodes = "remove_nodes"
    case start, lose, pool, effects
    static let table = KeyTable<Self>()
    /// Keys written in Chinese (QA round 22: `名称:` got no did-you-mean).
    static let synonyms: [String: Self] = [
        "字段": .fields, "角色": .roles, "节点": .nodes, "客户": .customer, "公海": .pool, "输单": .lose, "开始": .start,
    ]
}

enum HeaderKey: String, MappingKey {
    case id, version, name, description
    static let table = KeyTable<Self>()
}

enum FieldKey: String, MappingKey {
    case type, name, description, required
    case `default`
    case compute, currency, values, of, min, max, multiline
    static let table = KeyTable<Self>()
    static let synonyms: [String: Self] = [
        "类型": .type, "名称": .name, "名字": .name, "描述": .description, "说明": .description, "必填": .required,
        "默认": .default, "默认值": .default, "计算": .compute, "公式": .compute, "币种": .currency, "货币": .currency,
        "取值": .values, "选项": .values, "最小": .min, "最小值": .min, "最大": .max, "最大值": .max,
    ]
}

enum CustomerKey: String, MappingKey {
    case identity, normalize, profile, group
    static let table = KeyTable<Self>()
}

enum RoleKey: String, MappingKey {
    case name, description, owner, manager, external
    static let table = KeyTable<Self>()
    static let synonyms: [String: Self] = ["名称": .name, "名字": .name, "描述": .description, "说明": .description]
}

enum NodeKey: String, MappingKey {
    case id, name, description, kind, owner, participants, estimate, due, escalate, probability, requires, deliverables
    case when
    case onEnter = "on_enter"
    case onComplete = "on_complete"
    case next, outcomes, branches, join, rework
    static let table = KeyTable<Self>()
    static let synonyms: [String: Self] = [
        "名称": .name, "名字": .name, "描述": .description, "说明": .description, "类型": .kind, "负责人": .owner,
        "参与人": .participants, "参与者": .participants, "预计": .estimate, "预估": .estimate, "工期": .estimate,
        "截止": .due, "期限": .due, "时限": .due, "升级": .escalate, "概率": .probability, "赢率": .probability,
        "必填": .requires, "交付物": .deliverables, "条件": .when, "下一步": .next, "结果": .outcomes,
        "分支": .branches, "汇合": .join, "返工": .rework, "退回": .rework,
    ]
}

enum EscalationKey: String, MappingKey {
    case after, to
    static let table = KeyTable<Self>()
}

enum DeliverableKey: String, MappingKey {
    case id, name
    static let table = KeyTable<Self>()
}

enum BranchKey: String, MappingKey {
    case `if`, to
    case `default`
    static let table = KeyTable<Self>()
    /// The words of other workflow languages and of programming languages for a branch's parts.
    static let synonyms: [String: Self] = [
        "else": .default, "otherwise": .default,
        "then": .to, "goto": .to, "target": .to,
        "when": .if, "condition": .if,
    ]
}

/// The keys of every effect kind; each kind allows some of them (`TemplateParser.effectKeys`).
enum EffectKey: String, MappingKey {
    case to, message, title, fields, name, roles, team
    case assigneeRole = "assignee_role"
    case url, event
    static let table = KeyTable<Self>()
}

enum LoseKey: String, MappingKey {
    case reasons, via, from
    case reasonField = "reason_field"
    static let table = KeyTable<Self>()
}

enum PoolKey: String, MappingKey {
    case lostToPublic = "lost_to_public"
    case idle, claim
    case assignBy = "assign_by"
    static let table = KeyTable<Self>()
}

enum IdleKey: String, MappingKey {
    case after, warn, notify, until
    static let table = KeyTable<Self>()
}

enum ClaimKey: String, MappingKey {
    case quota, cooldown
    static let table = KeyTable<Self>()
}
