public import FlowExpr
import FlowIR

/// What an effect asks the host to do. The runner only records effects (an outbox); the host
/// performs them.
public enum EffectKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// Send `text` to `people` (template `notify`).
    case notify
    /// Push a bot message card titled `text`, showing `fields` (template `bot_card`).
    case botCard = "bot_card"
    /// Create a group chat named `text` with `people`; later additions name it by `chatID`.
    case groupChatCreate = "group_chat_create"
    /// Add `person` to the chat `chatID` (a person joined one of the roles the chat follows).
    case groupChatAddMember = "group_chat_add_member"
    /// Create a requirement titled `text` for `team`, assigned to `people` (template `requirement`).
    case requirement
    /// Call `url` with `event`, the deal id, template id and version, and all `fields`.
    case webhook
    /// The idle warning: the deal has had no status change for `pool.idle.warn` (to `pool.idle.notify`).
    case idleWarning = "idle_warning"
    /// The deal went to the public pool (idle return, loss, release); `person` is the previous owner.
    case returnedToPool = "returned_to_pool"
    /// A blocked node was escalated to a manager role (`node`, `people`).
    case escalation
    /// A node passed its due date and is blocked (`node`; for views and dashboards).
    case nodeBlocked = "node_blocked"
}

/// One group of recipients, resolved to people when the effect was emitted.
public struct EffectRecipient: Codable, Sendable, Hashable {
    /// `owner`, `contacts`, or a role id.
    public var recipient: String
    /// The role index for a role recipient.
    public var role: Int?
    /// The people it stood for (possibly none: a role with no members receives nothing).
    public var people: [String]
}

/// A deal field shown by an effect.
public struct EffectField: Codable, Sendable, Hashable {
    public var field: String
    public var value: ExprValue?
    /// The value as shown in texts (`""` when unset).
    public var text: String
}

/// An effect record for the outbox. Deterministic: the same machine and event log give the same
/// effects with the same ids, so a host that re-runs a step after a crash enqueues nothing twice.
public struct Effect: Codable, Sendable, Hashable {
    /// `fx-` + 32 hex digits derived from the deal id, the event id and `index` (no randomness).
    public var id: String
    public var dealID: String
    public var eventID: String
    /// Position among the effects of its event.
    public var index: Int
    /// The instant the effect belongs to (the event's time; a timer's due time).
    public var at: Int64
    public var kind: EffectKind
    /// What fired it: `on_enter`, `on_complete`, a template trigger (`on_create`, `on_won`, …),
    /// `timer`, `role_added` (chat additions) or `join_chat`.
    public var trigger: String
    /// The node it belongs to (node triggers, blocked, escalation).
    public var node: String?
    /// Index of its definition in `Machine.effects` (nil for the runner's own effects).
    public var definition: Int?
    /// Recipients by group, resolved to people.
    public var to: [EffectRecipient]
    /// Everyone it reaches, de-duplicated, in order.
    public var people: [String]
    /// The rendered text (message, title or chat name) by language; `""` when the template
    /// wrote one text for every language. Placeholders are filled in.
    public var text: [String: String]
    /// Bot card fields; for webhooks every field of the deal.
    public var fields: [EffectField]
    public var team: String?
    public var url: String?
    public var event: String?
    /// The chat's id: the id of the `group_chat_create` effect.
    public var chatID: String?
    /// The person concerned: who joins a chat, the new owner on claim, the previous owner on return.
    public var person: String?
    /// Webhooks carry the template's id and version.
    public var templateID: String?
    public var templateVersion: String?
    /// Free detail: a lose reason, a role id for escalations.
    public var detail: String?

    init(kind: EffectKind, trigger: String) {
        self.id = ""
        self.dealID = ""
        self.eventID = ""
        self.index = 0
        self.at = 0
        self.kind = kind
        self.trigger = trigger
        self.to = []
        self.people = []
        self.text = [:]
        self.fields = []
    }

    /// The stable id of effect `index` of event `eventID` on deal `dealID`: `fx-` and the first
    /// 32 hex digits of the SHA-256 of `dealID`, a zero byte, `eventID`, a zero byte and `index`
    /// in decimal.
    ///
    /// The message is put together in 64 bytes on the stack (or, when longer, hashed piece by
    /// piece in place) and the index's digits written there: the runner computes one id per
    /// effect, and building the message as an array and the id through `String` cost several
    /// times the hash itself.
    public static func stableID(dealID: String, eventID: String, index: Int) -> String {
        var hash = SHA256()
        var deal = dealID
        var event = eventID
        deal.withUTF8 { d in
            event.withUTF8 { e in
                // Up to 19 digits, written from the end of 24 bytes of scratch.
                var scratch: (UInt64, UInt64, UInt64) = (0, 0, 0)
                withUnsafeMutableBytes(of: &scratch) { digits in
                    var start = digits.count
                    if index >= 0 {
                        var v = index
                        repeat {
                            start -= 1
                            digits[start] = UInt8(ascii: "0") + UInt8(v % 10)
                            v /= 10
                        } while v > 0
                    }
                    let number = index >= 0 ? UnsafeRawBufferPointer(rebasing: digits[start...]) : nil
                    let total = d.count + e.count + 2 + (number?.count ?? 0)
                    if let number, total <= 64 {
                        var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
                        withUnsafeMutableBytes(of: &block) { m in
                            // The block starts zeroed: the separators need no writing.
                            UnsafeMutableRawBufferPointer(rebasing: m[0..<d.count]).copyMemory(from: UnsafeRawBufferPointer(d))
                            let at = d.count + 1
                            UnsafeMutableRawBufferPointer(rebasing: m[at..<(at + e.count)]).copyMemory(from: UnsafeRawBufferPointer(e))
                            let digitsAt = at + e.count + 1
                            UnsafeMutableRawBufferPointer(rebasing: m[digitsAt..<(digitsAt + number.count)]).copyMemory(from: number)
                            hash.update(UnsafeRawBufferPointer(rebasing: m[0..<total]))
                        }
                    } else {
                        hash.update(UnsafeRawBufferPointer(d))
                        hash.update(byte: 0)
                        hash.update(UnsafeRawBufferPointer(e))
                        hash.update(byte: 0)
                        if let number { hash.update(number) } else { hash.update(utf8: String(index)) }
                    }
                }
            }
        }
        return hash.hexDigest(prefix: "fx-", digits: 32)
    }
}
