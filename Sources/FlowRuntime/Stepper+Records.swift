/// Node records (S9): communication notes and document links attached to a node.
///
/// A record belongs to work the deal has done, so it attaches to a node the deal has reached
/// (active, blocked, waiting, done or closed), also after the deal closed. It is not a status
/// change: the node keeps its status and the idle timer keeps counting (S4 counts idleness from
/// the last status change). Every check comes before the record is appended, so the step can
/// run in place.
extension Stepper {
    mutating func attach(_ kind: NodeRecord.Kind, node id: String, text: String, url: String?) throws(Refusal) {
        let n = try node(id)
        let status = s.nodes[n].status
        if status == .pending || status == .skipped {
            throw Refusal(RuntimeMessages.recordNodeNotReached, m.nodes[n].id, status.rawValue)
        }
        let limit = limits.maxRecordCharacters
        func bounded(_ what: String, _ value: String) throws(Refusal) {
            let count = value.count
            if count > limit {
                throw Refusal(RuntimeMessages.limitExceeded, "the \(what) (\(count) characters)", "\(limit) characters")
            }
        }
        var stored = text.trimmingWhitespace
        switch kind {
        case .note:
            if stored.isEmpty { throw Refusal(RuntimeMessages.recordEmpty, RuntimeMessages.Migration.note) }
            try bounded(RuntimeMessages.Migration.note, stored)
        case .link:
            let address = (url ?? "").trimmingWhitespace
            if address.isEmpty { throw Refusal(RuntimeMessages.recordEmpty, RuntimeMessages.Migration.url) }
            try bounded(RuntimeMessages.Migration.url, address)
            guard Stepper.isWebURL(address) else { throw Refusal(RuntimeMessages.recordURLInvalid, Names.shown(address.filter { !$0.isNewline })) }
            try bounded("title", stored)
            if stored.isEmpty { stored = address }
            s.records.append(NodeRecord(node: n, kind: .link, text: stored, url: address, author: event.actor, at: event.at, sequence: sequence))
            return
        }
        s.records.append(NodeRecord(node: n, kind: .note, text: stored, url: nil, author: event.actor, at: event.at, sequence: sequence))
    }

    /// `http://HOST…` or `https://HOST…` (scheme in any case), without white space or control
    /// characters; the host is at least one character before any `/`, `?` or `#`.
    static func isWebURL(_ text: String) -> Bool {
        let lower = text.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") { rest = text.dropFirst(8) } else if lower.hasPrefix("http://") { rest = text.dropFirst(7) } else { return false }
        if text.unicodeScalars.contains(where: { $0.value <= 0x20 || (0x7F...0x9F).contains($0.value) || $0.properties.isWhitespace }) { return false }
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        return !host.isEmpty && host != "@" && !host.hasPrefix(":")
    }
}
