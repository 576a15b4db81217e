public import FlowDiagnostics
public import FlowYAML

/// A value with the span it was written at.
public struct Located<Value: Sendable>: Sendable {
    public var value: Value
    public var span: SourceSpan
    public init(_ value: Value, _ span: SourceSpan) {
        self.value = value
        self.span = span
    }
}

/// A display name: a plain string, or one text per language (`{zh: 初步洽谈, en: Initial talks}`).
public struct LocalizedName: Sendable {
    public var entries: [(language: String, text: String)]
    public var span: SourceSpan

    /// The text for a language, falling back to the first entry.
    public func text(for language: String) -> String {
        entries.first { $0.language == language }?.text ?? entries.first?.text ?? ""
    }
}

/// A signed duration written as `30d`, `12h`, `1d12h`, `-3d`.
public struct Duration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var seconds: Int64
    public init(seconds: Int64) { self.seconds = seconds }
    public static func < (a: Self, b: Self) -> Bool { a.seconds < b.seconds }

    /// The unit letter a lowercase word for a unit means (`days`, `天`, `d` → `d`; `min`,
    /// `分钟` → `m`), for the help on a duration written another way; nil for another word, and
    /// for `m` alone, which the caller reads (in a template `M` is a month).
    public static func unitLetter(forWord word: some StringProtocol) -> String? {
        switch String(word) {
        case "day", "days", "天", "d": "d"
        case "hour", "hours", "小时", "h": "h"
        case "week", "weeks", "周", "w": "w"
        case "minute", "minutes", "min", "分钟": "m"
        default: nil
        }
    }

    /// The duration in the largest single unit that expresses it exactly: `30d`, `36h`, `90m`
    /// (weeks are shown as days, as authors usually write idle times in days).
    public var description: String {
        let sign = seconds < 0 ? "-" : ""
        let s = seconds.magnitude
        if s == 0 { return "0m" }
        if s % 86_400 == 0 { return "\(sign)\(s / 86_400)d" }
        if s % 3_600 == 0 { return "\(sign)\(s / 3_600)h" }
        if s % 60 == 0 { return "\(sign)\(s / 60)m" }
        return "\(sign)\(s)s"
    }

    /// The most digits one number of a duration may have (so that no sum of them overflows).
    public static let maxDigits = 9

    /// Each unit and its seconds, largest first: the one table `parse`, `isWellFormed` and the
    /// bounds below read.
    static let units: [(letter: UInt8, seconds: Int64)] = [
        (UInt8(ascii: "w"), 604_800), (UInt8(ascii: "d"), 86_400), (UInt8(ascii: "h"), 3_600), (UInt8(ascii: "m"), 60),
    ]

    /// The seconds of the unit written `letter`, if it is one.
    @inline(__always)
    static func seconds(ofUnit letter: UInt8) -> Int64? {
        units.first { $0.letter == letter }?.seconds
    }

    /// The longest duration a template can write, as written: the largest number of `maxDigits`
    /// digits in every unit.
    public static let longestText = units.map { String(repeating: "9", count: maxDigits) + String(UnicodeScalar($0.letter)) }.joined()

    /// The seconds of `longestText`, about 22 million years. A compiled machine holding a longer
    /// duration was not written from a template (FC1006).
    public static let maxSeconds: Int64 = {
        let largest = (0..<maxDigits).reduce(Int64(0)) { n, _ in n * 10 + 9 }
        return units.reduce(0) { $0 + largest * $1.seconds }
    }()

    /// Whether `u` has the form of a duration, whatever the length of its numbers: when `parse`
    /// refuses such a text, a number is longer than `maxDigits`.
    static func isWellFormed(utf8 u: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = u.first == UInt8(ascii: "-") ? 1 : 0
        guard i < u.count else { return false }
        var lastSize = Int64.max
        while i < u.count {
            let digitsStart = i
            while i < u.count, u[i] >= UInt8(ascii: "0"), u[i] <= UInt8(ascii: "9") { i += 1 }
            guard i > digitsStart, i < u.count, let size = seconds(ofUnit: u[i]) else { return false }
            guard size < lastSize else { return false }
            lastSize = size
            i += 1
        }
        return true
    }

    /// Parses `<integer><unit>` groups with units `w`, `d`, `h`, `m`, optionally negative.
    public static func parse(_ text: String) -> Duration? {
        var text = text
        return text.withUTF8 { parse(utf8: $0) }
    }

    /// `parse` on UTF-8 bytes. The grammar is ASCII: any non-ASCII byte fails it, as a character
    /// built on an ASCII digit or unit does.
    static func parse(utf8 u: UnsafeBufferPointer<UInt8>) -> Duration? {
        let n = u.count
        var i = 0
        var sign: Int64 = 1
        if i < n, u[i] == UInt8(ascii: "-") { sign = -1; i += 1 }
        guard i < n else { return nil }
        var total: Int64 = 0
        var lastSize = Int64.max
        while i < n {
            var value: Int64 = 0
            let digitsStart = i
            while i < n, u[i] >= UInt8(ascii: "0"), u[i] <= UInt8(ascii: "9") {
                guard i - digitsStart < maxDigits else { return nil }
                value = value * 10 + Int64(u[i] - UInt8(ascii: "0"))
                i += 1
            }
            guard i > digitsStart, i < n, let size = seconds(ofUnit: u[i]) else { return nil }
            // Units must decrease (`1d12h`, not `12h1d`) and not repeat.
            guard size < lastSize else { return nil }
            lastSize = size
            total += value * size
            i += 1
        }
        return Duration(seconds: sign * total)
    }
}

/// An expression is a text written in one YAML scalar.
public typealias ExpressionText = ScalarText

/// A text written in one YAML scalar (an expression, an effect's message), with what is needed to
/// locate a column inside it through quotes, escapes and folded lines.
public struct ScalarText: Sendable {
    public var text: String
    /// The scalar holding the text (for mapping offsets inside it to the file).
    public var scalar: YAMLNodeID
    public var document: YAMLDocument
    public var span: SourceSpan

    /// The file span of a byte range of `text`. Each call decodes the scalar's source again:
    /// for many ranges of one text, map them through one ``map``.
    public func span(of range: Range<Int>) -> SourceSpan {
        document.sourceSpan(of: range, inScalar: scalar)
    }

    /// The map from `text`'s bytes to the file, made once for many ranges.
    public var map: ScalarMap { document.scalarMap(scalar) }
}

/// The field types of the deal schema.
public enum FieldTypeName: String, Sendable, CaseIterable {
    case text, integer, decimal, money, boolean, date, datetime, `enum`, list

    /// The type meant by another language's or tool's word for it (`string`, `int`, `bool`,
    /// `array`, `select`): the type to write, or for a bare `number` (whole or not?) a help that
    /// names the choices. Nil for a word that is none of them.
    static func meant(by word: String) -> (fix: String?, help: String)? {
        switch word.lowercased() {
        case "number", "num", "numeric", "float", "double", "real", "number(decimal)":
            return (nil, SyntaxMessages.Formats.numberTypes)
        case "int", "long", "bigint", "int64", "int32", "whole": return ("integer", "")
        case "string", "str", "varchar", "char", "textarea": return ("text", "")
        case "bool": return ("boolean", "")
        case "timestamp", "time", "date_time", "date-time": return ("datetime", "")
        case "array", "multi", "multiselect", "tags": return ("list", "")
        case "select", "choice", "options", "option", "dropdown", "enumeration": return ("enum", "")
        case "currency", "amount", "price": return ("money", "")
        default: return nil
        }
    }
}

/// One field of the deal schema (`fields:`).
///
/// A value type like the other syntax types, with its fields in a `CopyOnWrite` box.
public struct FieldSyntax: Sendable {
    public var id: Located<String> {
        @inlinable get { storage.fields.id }
        _modify { yield &uniqueStorage().fields.id }
    }
    public var type: Located<FieldTypeName>? {
        @inlinable get { storage.fields.type }
        _modify { yield &uniqueStorage().fields.type }
    }
    public var name: LocalizedName? {
        @inlinable get { storage.fields.name }
        _modify { yield &uniqueStorage().fields.name }
    }
    public var required: Located<Bool>? {
        @inlinable get { storage.fields.required }
        _modify { yield &uniqueStorage().fields.required }
    }
    /// The default value's node; its type is checked against the field's type.
    public var defaultValue: Located<ScalarValue>? {
        @inlinable get { storage.fields.defaultValue }
        _modify { yield &uniqueStorage().fields.defaultValue }
    }
    /// The default as written: the scalar's text (`1e3`, `0.15`, `2024-05-01`, quotes removed),
    /// which messages echo and from which the IR's text of the default is made, digit for digit.
    public var defaultSource: String? {
        @inlinable get { storage.fields.defaultSource }
        _modify { yield &uniqueStorage().fields.defaultSource }
    }
    public var compute: ExpressionText? {
        @inlinable get { storage.fields.compute }
        _modify { yield &uniqueStorage().fields.compute }
    }
    public var currency: Located<String>? {
        @inlinable get { storage.fields.currency }
        _modify { yield &uniqueStorage().fields.currency }
    }
    public var values: [Located<String>] {
        @inlinable get { storage.fields.values }
        _modify { yield &uniqueStorage().fields.values }
    }
    public var valuesSpan: SourceSpan? {
        @inlinable get { storage.fields.valuesSpan }
        _modify { yield &uniqueStorage().fields.valuesSpan }
    }
    public var of: Located<FieldTypeName>? {
        @inlinable get { storage.fields.of }
        _modify { yield &uniqueStorage().fields.of }
    }
    public var min: Located<Double>? {
        @inlinable get { storage.fields.min }
        _modify { yield &uniqueStorage().fields.min }
    }
    public var max: Located<Double>? {
        @inlinable get { storage.fields.max }
        _modify { yield &uniqueStorage().fields.max }
    }
    public var multiline: Located<Bool>? {
        @inlinable get { storage.fields.multiline }
        _modify { yield &uniqueStorage().fields.multiline }
    }
    public var span: SourceSpan {
        @inlinable get { storage.fields.span }
        _modify { yield &uniqueStorage().fields.span }
    }
    /// Keys that are written but whose value could not be read (`type: mony`, `currency: cny`).
    /// The problem is already reported; rules skip the checks that would repeat it.
    public var unreadKeys: Set<String> {
        @inlinable get { storage.fields.unreadKeys }
        _modify { yield &uniqueStorage().fields.unreadKeys }
    }

    /// A field with its id and span; every other key is not written (yet).
    init(id: Located<String>, span: SourceSpan) {
        storage = CopyOnWrite(Fields(id: id, span: span))
    }

    @usableFromInline var storage: CopyOnWrite<Fields>

    private mutating func uniqueStorage() -> CopyOnWrite<Fields> { CopyOnWrite.unique(&storage) }

    @usableFromInline struct Fields: Sendable {
        @usableFromInline var id: Located<String>
        @usableFromInline var type: Located<FieldTypeName>? = nil
        @usableFromInline var name: LocalizedName? = nil
        @usableFromInline var required: Located<Bool>? = nil
        @usableFromInline var defaultValue: Located<ScalarValue>? = nil
        @usableFromInline var defaultSource: String? = nil
        @usableFromInline var compute: ExpressionText? = nil
        @usableFromInline var currency: Located<String>? = nil
        @usableFromInline var values: [Located<String>] = []
        @usableFromInline var valuesSpan: SourceSpan? = nil
        @usableFromInline var of: Located<FieldTypeName>? = nil
        @usableFromInline var min: Located<Double>? = nil
        @usableFromInline var max: Located<Double>? = nil
        @usableFromInline var multiline: Located<Bool>? = nil
        @usableFromInline var span: SourceSpan
        @usableFromInline var unreadKeys: Set<String> = []
    }
}

/// Customer identity and profile (`customer:`).
public struct CustomerSyntax: Sendable {
    public var identity: [Located<String>]
    public var normalize: [Located<String>]
    public var profile: [Located<String>]
    /// The deduplication group: templates of one group check each other's open deals for the same
    /// customer; nil is the default group.
    public var group: Located<String>? = nil
    public var span: SourceSpan
}

/// A role (`roles:`).
public struct RoleSyntax: Sendable {
    public var id: Located<String>
    public var name: LocalizedName?
    public var owner: Bool
    public var manager: Bool
    public var external: Bool
    public var ownerSpan: SourceSpan?
    public var managerSpan: SourceSpan?
    public var span: SourceSpan
    /// `owner:` was written but could not be read (`owner: ture`, reported already).
    public var ownerUnread = false
}

/// The kinds of node.
public enum NodeKind: String, Sendable, CaseIterable {
    case task, approval, fork, join, won, lost

    public var isTerminal: Bool { self == .won || self == .lost }
}

/// One entry of a conditional `next:` list.
public struct BranchSyntax: Sendable {
    /// nil for the `default:` entry.
    public var condition: ExpressionText?
    public var target: Located<String>
    public var span: SourceSpan
    public var isDefault: Bool { condition == nil }
}

/// A node's `next:`.
public enum NextSyntax: Sendable {
    case single(Located<String>)
    case conditional([BranchSyntax], span: SourceSpan)
}

/// A checklist item of a node.
public struct DeliverableSyntax: Sendable {
    public var id: Located<String>
    public var name: LocalizedName?
    public var span: SourceSpan
}

/// A node's escalation after its due date is breached.
public struct EscalationSyntax: Sendable {
    public var after: Located<Duration>?
    public var to: Located<String>?
    public var span: SourceSpan
}

/// One node (`nodes:` entry).
///
/// A value type like the other syntax types, with its fields in a `CopyOnWrite` box.
public struct NodeSyntax: Sendable {
    public var id: Located<String> {
        @inlinable get { storage.fields.id }
        _modify { yield &uniqueStorage().fields.id }
    }
    public var name: LocalizedName? {
        @inlinable get { storage.fields.name }
        _modify { yield &uniqueStorage().fields.name }
    }
    public var kind: Located<NodeKind>? {
        @inlinable get { storage.fields.kind }
        _modify { yield &uniqueStorage().fields.kind }
    }
    public var owner: Located<String>? {
        @inlinable get { storage.fields.owner }
        _modify { yield &uniqueStorage().fields.owner }
    }
    public var participants: [Located<String>] {
        @inlinable get { storage.fields.participants }
        _modify { yield &uniqueStorage().fields.participants }
    }
    public var estimate: Located<Duration>? {
        @inlinable get { storage.fields.estimate }
        _modify { yield &uniqueStorage().fields.estimate }
    }
    public var due: Located<Duration>? {
        @inlinable get { storage.fields.due }
        _modify { yield &uniqueStorage().fields.due }
    }
    public var escalate: EscalationSyntax? {
        @inlinable get { storage.fields.escalate }
        _modify { yield &uniqueStorage().fields.escalate }
    }
    public var probability: Located<Int>? {
        @inlinable get { storage.fields.probability }
        _modify { yield &uniqueStorage().fields.probability }
    }
    public var requires: [Located<String>] {
        @inlinable get { storage.fields.requires }
        _modify { yield &uniqueStorage().fields.requires }
    }
    public var deliverables: [DeliverableSyntax] {
        @inlinable get { storage.fields.deliverables }
        _modify { yield &uniqueStorage().fields.deliverables }
    }
    public var when: ExpressionText? {
        @inlinable get { storage.fields.when }
        _modify { yield &uniqueStorage().fields.when }
    }
    public var onEnter: [EffectSyntax] {
        @inlinable get { storage.fields.onEnter }
        _modify { yield &uniqueStorage().fields.onEnter }
    }
    public var onComplete: [EffectSyntax] {
        @inlinable get { storage.fields.onComplete }
        _modify { yield &uniqueStorage().fields.onComplete }
    }
    public var next: NextSyntax? {
        @inlinable get { storage.fields.next }
        _modify { yield &uniqueStorage().fields.next }
    }
    public var outcomes: [(name: Located<String>, target: Located<String>)] {
        @inlinable get { storage.fields.outcomes }
        _modify { yield &uniqueStorage().fields.outcomes }
    }
    public var outcomesSpan: SourceSpan? {
        @inlinable get { storage.fields.outcomesSpan }
        _modify { yield &uniqueStorage().fields.outcomesSpan }
    }
    public var branches: [Located<String>] {
        @inlinable get { storage.fields.branches }
        _modify { yield &uniqueStorage().fields.branches }
    }
    public var branchesSpan: SourceSpan? {
        @inlinable get { storage.fields.branchesSpan }
        _modify { yield &uniqueStorage().fields.branchesSpan }
    }
    public var join: Located<String>? {
        @inlinable get { storage.fields.join }
        _modify { yield &uniqueStorage().fields.join }
    }
    public var rework: [Located<String>] {
        @inlinable get { storage.fields.rework }
        _modify { yield &uniqueStorage().fields.rework }
    }
    public var span: SourceSpan {
        @inlinable get { storage.fields.span }
        _modify { yield &uniqueStorage().fields.span }
    }
    /// Keys that are written but could not be read, already reported: a value that is not valid
    /// (`kind: aproval`, `next: Internal-Audit`), or the key an unknown key probably meant
    /// (`ownr` → `owner`). `*` means a key could not be read at all (a list used as a key).
    /// Rules skip what depends on these keys, so that one mistake is reported once.
    public var unreadKeys: Set<String> {
        @inlinable get { storage.fields.unreadKeys }
        _modify { yield &uniqueStorage().fields.unreadKeys }
    }
    /// The node's kind, `task` when not written.
    @inlinable public var effectiveKind: NodeKind { kind?.value ?? .task }

    /// A node with its id and span; every other key is not written (yet).
    init(id: Located<String>, span: SourceSpan) {
        storage = CopyOnWrite(Fields(id: id, span: span))
    }

    // The getters are inlinable so that the rules (another module) read a field directly.
    @usableFromInline var storage: CopyOnWrite<Fields>

    private mutating func uniqueStorage() -> CopyOnWrite<Fields> { CopyOnWrite.unique(&storage) }

    @usableFromInline struct Fields: Sendable {
        @usableFromInline var id: Located<String>
        @usableFromInline var name: LocalizedName? = nil
        @usableFromInline var kind: Located<NodeKind>? = nil
        @usableFromInline var owner: Located<String>? = nil
        @usableFromInline var participants: [Located<String>] = []
        @usableFromInline var estimate: Located<Duration>? = nil
        @usableFromInline var due: Located<Duration>? = nil
        @usableFromInline var escalate: EscalationSyntax? = nil
        @usableFromInline var probability: Located<Int>? = nil
        @usableFromInline var requires: [Located<String>] = []
        @usableFromInline var deliverables: [DeliverableSyntax] = []
        @usableFromInline var when: ExpressionText? = nil
        @usableFromInline var onEnter: [EffectSyntax] = []
        @usableFromInline var onComplete: [EffectSyntax] = []
        @usableFromInline var next: NextSyntax? = nil
        @usableFromInline var outcomes: [(name: Located<String>, target: Located<String>)] = []
        @usableFromInline var outcomesSpan: SourceSpan? = nil
        @usableFromInline var branches: [Located<String>] = []
        @usableFromInline var branchesSpan: SourceSpan? = nil
        @usableFromInline var join: Located<String>? = nil
        @usableFromInline var rework: [Located<String>] = []
        @usableFromInline var span: SourceSpan
        @usableFromInline var unreadKeys: Set<String> = []
    }
}

/// The global lose (`lose:`).
public struct LoseSyntax: Sendable {
    public var reasons: [Located<String>]
    public var via: Located<String>?
    /// nil means `any`.
    public var from: [Located<String>]?
    public var span: SourceSpan
    /// The field a lose event writes its reason into (`reason_field`), so that the follow-up's
    /// conditions can read it.
    public var reasonField: Located<String>? = nil
}

/// Idle timer (`pool.idle`).
public struct IdleSyntax: Sendable {
    public var after: Located<Duration>?
    public var warn: Located<Duration>?
    public var notify: [Located<String>]
    /// The node whose completion stops the idle clock (`until`): after it, the deal stays with
    /// its owner however long the next nodes take (delivery, payment).
    public var until: Located<String>? = nil
    public var span: SourceSpan
    /// Where the `notify` list is written, when it is.
    public var notifySpan: SourceSpan? = nil
    /// Whether `warn` is written, also when its value could not be read.
    public var warnIsWritten = false
    /// Whether `notify` is written as something other than a list (`notify: owner`, reported).
    public var notifyNotAList = false
}

/// Claim policy (`pool.claim`).
public struct ClaimSyntax: Sendable {
    public var quota: Located<Int>?
    public var cooldown: Located<Duration>?
    public var span: SourceSpan
}

/// Pools (`pool:`).
public struct PoolSyntax: Sendable {
    public var lostToPublic: Located<Bool>?
    public var idle: IdleSyntax?
    public var claim: ClaimSyntax?
    public var assignBy: Located<String>?
    public var span: SourceSpan
}

/// The kinds of effect.
public enum EffectKind: String, Sendable, CaseIterable {
    case notify, botCard = "bot_card", groupChat = "group_chat", requirement, webhook
}

/// One effect item.
public struct EffectSyntax: Sendable {
    public var kind: Located<EffectKind>
    /// Recipients (`to`) of notify and bot_card; members (`roles`) of group_chat.
    public var recipients: [Located<String>]
    /// notify `message`, bot_card `title`, group_chat `name`, requirement `title`: each language's
    /// text in its own scalar.
    public var text: [ScalarText]
    /// The same text by language (`""` when written as a plain string).
    public var localizedText: [String: String] = [:]
    /// bot_card `fields`.
    public var fields: [Located<String>]
    /// requirement `team`.
    public var team: Located<String>?
    /// requirement `assignee_role`.
    public var assigneeRole: Located<String>?
    /// webhook `url` and `event`.
    public var url: Located<String>?
    public var event: Located<String>?
    public var span: SourceSpan
    /// Where `to` (or `roles` of a group chat) is written.
    public var recipientsSpan: SourceSpan? = nil
    /// Whether `to` (or `roles`) is written as something other than a list (`to: owner`), which
    /// the parser has reported: the checker then says nothing of its recipients.
    public var recipientsNotAList = false
}

/// The triggers of template-wide effects.
public enum EffectTrigger: String, Sendable, CaseIterable {
    case onCreate = "on_create", onWon = "on_won", onLost = "on_lost", onIdleWarning = "on_idle_warning"
    case onReturnToPool = "on_return_to_pool", onClaim = "on_claim", onRoleAdded = "on_role_added"
}

/// The header of a template (`template:`) or fragment (`fragment:`).
public struct HeaderSyntax: Sendable {
    public var id: Located<String>?
    public var version: Located<String>?
    public var name: LocalizedName?
    public var description: String?
    public var span: SourceSpan
}

/// One template or fragment file, as written: every value typed, every span kept, nothing resolved.
public struct TemplateSyntax: Sendable {
    public var file: SourceFile
    public var version: Located<Int>?
    public var header: HeaderSyntax?
    public var isFragment: Bool
    public var extends: Located<String>?
    public var include: [Located<String>]
    public var fields: [FieldSyntax]
    public var customer: CustomerSyntax?
    public var roles: [RoleSyntax]
    public var nodes: [NodeSyntax]
    public var removeNodes: [Located<String>]
    public var start: Located<String>?
    public var lose: LoseSyntax?
    public var pool: PoolSyntax?
    public var effects: [(trigger: Located<EffectTrigger>, effects: [EffectSyntax])]
    /// Span of the whole document (for whole-template diagnostics).
    public var span: SourceSpan
    /// Where the `nodes:` value is written, when it is.
    public var nodesSpan: SourceSpan? = nil
    /// Nodes, roles and fields left out because they have no usable id (already reported, e.g.
    /// a Chinese name written as the id): references to unknown ones may mean one of them.
    public var unnamedNodes: [SourceSpan] = []
    public var unnamedRoles: [SourceSpan] = []
    public var unnamedFields: [SourceSpan] = []
    /// The ids a node's `id` key written again holds (a node whose `- ` is missing, read as more
    /// keys of the node before; FC0102 says so): a reference to one is no mistake of its own.
    public var repeatedNodeIDs: [String] = []
    /// References whose id is not one (reported, FC0206) but has a form that is, each with that
    /// form: the id a look-alike or invisible character surely meant (`quotation` for
    /// `quotаtion`), or the lowercase snake_case of a case slip (`n400o` for `n400O`).
    public var lookAlikeReferences: [Located<String>] = []
}

/// The shared fields of a copy-on-write syntax value (`NodeSyntax`, `FieldSyntax`).
///
/// The checker's rules walk every node and field many times; a copy of a value holding its
/// fields in one of these costs one reference count instead of one per field. The fields are
/// only changed through `CopyOnWrite.unique(_:)`, that is while no other value shares the box,
/// which is what makes sharing it across threads safe and the dynamic exclusivity check on
/// `fields` unnecessary.
@usableFromInline final class CopyOnWrite<Fields: Sendable>: @unchecked Sendable {
    @exclusivity(unchecked) @usableFromInline var fields: Fields

    init(_ fields: Fields) { self.fields = fields }

    /// `box`, copied first when another value shares it.
    static func unique(_ box: inout CopyOnWrite<Fields>) -> CopyOnWrite<Fields> {
        if !isKnownUniquelyReferenced(&box) { box = CopyOnWrite(box.fields) }
        return box
    }
}
