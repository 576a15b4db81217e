import FlowExpr
import FlowIR

/// Emitting effects: recipients resolved to people, texts rendered, group chats remembered.
extension Stepper {
    /// The people in role `r` on this deal (the owner role holds the owner).
    func members(ofRole r: Int) -> [String] {
        if r == pt.ownerRole { return s.owner.map { [$0] } ?? [] }
        return s.roleMembers.indices.contains(r) ? s.roleMembers[r] : []
    }

    func resolve(_ recipient: Recipient) -> EffectRecipient {
        switch recipient {
        case .owner:
            return EffectRecipient(recipient: "owner", role: pt.ownerRole, people: s.owner.map { [$0] } ?? [])
        case .contacts:
            return EffectRecipient(recipient: "contacts", role: nil, people: Names.unique(pt.externalRoles.flatMap { members(ofRole: $0) }))
        case .role(let r):
            return EffectRecipient(recipient: m.roles.indices.contains(r) ? m.roles[r].id : "#\(r)", role: r, people: members(ofRole: r))
        case .added:
            // A customer's contact (someone added to an `external` role) is not sent the deal
            // team's catch-up: it would carry internal figures (quote, cost) outside the company.
            guard let added, m.roles.indices.contains(added.role), !m.roles[added.role].external else {
                return EffectRecipient(recipient: "added", role: added?.role, people: [])
            }
            return EffectRecipient(recipient: "added", role: added.role, people: [added.person])
        }
    }

    /// The effect's text with `{field}` placeholders filled (unset fields give the empty text).
    func render(_ d: Int) -> [String: String] {
        var out: [String: String] = [:]
        guard pt.effectTexts.indices.contains(d) else { return out }
        for (language, pieces) in pt.effectTexts[d] {
            var text = ""
            for piece in pieces {
                switch piece {
                case .literal(let literal): text += literal
                case .field(let slot): text += (s.fields.indices.contains(slot) ? s.fields[slot]?.displayText : nil) ?? ""
                case .addedPerson: text += added?.person ?? ""
                case .addedRole:
                    // The role's name in the text's language, else its one name, else its id.
                    guard let r = added?.role, m.roles.indices.contains(r) else { continue }
                    let names = m.roles[r].name
                    text += names[language] ?? names[""] ?? names["en"] ?? names.values.sorted().first ?? m.roles[r].id
                }
            }
            out[language] = text
        }
        return out
    }

    func fieldValue(_ slot: Int) -> EffectField {
        let value = s.fields.indices.contains(slot) ? s.fields[slot] : nil
        return EffectField(field: m.fields.indices.contains(slot) ? m.fields[slot].id : "#\(slot)", value: value, text: value?.displayText ?? "")
    }

    /// The stable id of the chat a `group_chat` effect creates on this deal: under rules 15 from
    /// the event that creates it, so that no two chats the deal ever has share an id. Under 14 it
    /// came from the effect's index alone, which a migration can give another `group_chat`
    /// effect: the chat it created took the id of a chat the deal had, or had dropped (QA round
    /// 36, D1).
    func chatID(_ d: Int) -> String {
        let source = context.rules >= 15 ? "group_chat " + event.id : "group_chat"
        return "chat-" + String(Effect.stableID(dealID: s.dealID, eventID: source, index: d).dropFirst(3))
    }

    /// Builds the effect for definition `d`; nil for a group chat this deal already has.
    mutating func makeEffect(_ d: Int, trigger: String, node: Int?) -> Effect? {
        guard m.effects.indices.contains(d) else { return nil }
        let def = m.effects[d]
        var e: Effect
        switch def.kind {
        case .notify:
            e = Effect(kind: .notify, trigger: trigger)
            e.to = def.recipients.map(resolve)
        case .botCard:
            e = Effect(kind: .botCard, trigger: trigger)
            e.to = def.recipients.map(resolve)
            e.fields = def.fields.map(fieldValue)
        case .groupChat:
            // One chat per `group_chat` effect per deal: entering the node again creates no second chat.
            guard !s.groupChats.contains(where: { $0.effect == d }) else { return nil }
            e = Effect(kind: .groupChatCreate, trigger: trigger)
            e.to = def.recipients.map(resolve)
            let roles = def.recipients.compactMap { r -> Int? in if case .role(let i) = r { return i } else { return nil } }
            let id = chatID(d)
            e.chatID = id
            s.groupChats.append(GroupChatState(effect: d, chatID: id, roles: roles, members: Names.unique(e.to.flatMap(\.people))))
        case .requirement:
            e = Effect(kind: .requirement, trigger: trigger)
            e.team = def.team
            if let r = def.assigneeRole { e.to = [resolve(.role(r))] }
        case .webhook:
            e = Effect(kind: .webhook, trigger: trigger)
            e.url = def.url
            e.event = def.event
            e.fields = m.fields.indices.map(fieldValue)
            e.templateID = m.template.id
            e.templateVersion = m.template.version
        }
        e.at = now
        e.definition = d
        e.node = node.map(nodeID)
        e.text = render(d)
        e.people = Names.unique(e.to.flatMap(\.people))
        return e
    }

    /// Emits a node's `on_enter` or `on_complete` effects now.
    mutating func emitNode(_ n: Int, trigger: String, _ defs: [Int]) {
        for d in defs {
            if let e = makeEffect(d, trigger: trigger, node: n) { effects.append(e) }
        }
    }

    /// Resolves a template-wide trigger's effects now and emits them at the end of the phase.
    mutating func deferTrigger(_ trigger: TemplateTrigger, person: String? = nil) {
        for d in pt.triggerEffects[trigger] ?? [] {
            if var e = makeEffect(d, trigger: trigger.rawValue, node: nil) {
                if person != nil { e.person = person }
                deferred.append(e)
            }
        }
    }

    mutating func flush() {
        guard !deferred.isEmpty else { return }
        effects.append(contentsOf: deferred)
        deferred.removeAll()
    }

    /// S10: a person who joins a role joins every chat that follows that role.
    mutating func joinChats(role r: Int, person: String) {
        for c in s.groupChats.indices where s.groupChats[c].roles.contains(r) && !s.groupChats[c].members.contains(person) {
            addToChat(c, person, trigger: "role_added",
                      as: EffectRecipient(recipient: m.roles.indices.contains(r) ? m.roles[r].id : "#\(r)", role: r, people: [person]))
        }
    }

    /// Adds `person` to chat `c` and emits the `group_chat_add_member` effect that says so.
    mutating func addToChat(_ c: Int, _ person: String, trigger: String, as recipient: EffectRecipient) {
        s.groupChats[c].members.append(person)
        var e = Effect(kind: .groupChatAddMember, trigger: trigger)
        e.at = now
        e.definition = s.groupChats[c].effect
        e.chatID = s.groupChats[c].chatID
        e.person = person
        e.to = [recipient]
        e.people = [person]
        e.text = render(s.groupChats[c].effect)
        effects.append(e)
    }

    /// S10: anyone may join the deal's group chat and read its history, role or not: `person`
    /// joins chat `chat` (an id), or every chat of the deal they are not in yet.
    mutating func joinChat(person: String, chat: String?) throws(Refusal) {
        try Stepper.checkID("person", person, limits, rules: context.rules)
        guard !s.groupChats.isEmpty else { throw Refusal(RuntimeMessages.noGroupChat) }
        var chats = Array(s.groupChats.indices)
        if let chat {
            guard let c = s.groupChats.firstIndex(where: { $0.chatID == chat }) else {
                throw Refusal(RuntimeMessages.unknownChat, Names.shown(chat), s.groupChats.map { "`\($0.chatID)`" }.joined(separator: ", "))
            }
            chats = [c]
        }
        chats.removeAll { s.groupChats[$0].members.contains(person) }
        guard !chats.isEmpty else {
            throw Refusal(RuntimeMessages.alreadyInChat, Names.shown(person), chat.map { "`\(Names.shown($0))`" } ?? RuntimeMessages.Phrase.everyChat)
        }
        for c in chats where s.groupChats[c].members.count >= limits.maxMembersPerChat {
            throw Refusal(RuntimeMessages.limitExceeded, "joining chat `\(s.groupChats[c].chatID)`, which has \(s.groupChats[c].members.count) members,",
                          "\(limits.maxMembersPerChat) members")
        }
        for c in chats {
            addToChat(c, person, trigger: "join_chat", as: EffectRecipient(recipient: "person", role: nil, people: [person]))
        }
    }

    /// The runner's own effect for a timer.
    mutating func emitTimerEffect(_ kind: EffectKind, node: Int?, to recipients: [EffectRecipient], detail: String? = nil) {
        var e = Effect(kind: kind, trigger: "timer")
        e.at = now
        e.node = node.map(nodeID)
        e.to = recipients
        e.people = Names.unique(recipients.flatMap(\.people))
        e.detail = detail
        effects.append(e)
    }
}
