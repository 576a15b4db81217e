import Foundation

/// Persistence of snapshots: canonical JSON with a schema version, and the upgrade policy.
///
/// Policy (docs/runtime.md, "Snapshot schema"): `schemaVersion` is bumped whenever the meaning
/// or shape of a stored snapshot changes. Each bump adds one upgrade function `vN → vN+1` on the
/// JSON object to `upgrades`, and `decode` runs the chain, so every snapshot ever written stays
/// readable. A snapshot from a newer runner is refused, never guessed at. Because a snapshot is
/// the fold of its log, replaying the log is always a valid (slower) alternative to upgrading.
extension DealSnapshot {
    /// Upgrade functions by the version they read: `upgrades[n]` turns a version-n object into
    /// version n+1.
    ///
    /// - 1 → 2: node records (S9) arrive: a version-1 snapshot has none (`records: []`,
    ///   `recordsDropped: 0`). The `migration` decision kind is new in 2 as well; a version-1
    ///   snapshot cannot hold one, so nothing else changes.
    /// - 2 → 3: `withheld`, the former owners whose claim cooldown runs. A version-2 snapshot
    ///   knows only its `previousOwner` and `releasedAt`, and not the template's cooldown: it gets
    ///   an empty list, and the claim check still applies the cooldown to `previousOwner` from
    ///   `releasedAt` (the rule of version 2), so an upgraded deal keeps its last owner's cooldown.
    /// - 3 → 4: the `due_restarted` decision kind arrives; a version-3 snapshot cannot hold one,
    ///   so nothing changes but the version.
    static let upgrades: [Int: @Sendable ([String: Any]) -> [String: Any]] = [
        1: { object in
            var o = object
            if o["records"] == nil { o["records"] = [Any]() }
            if o["recordsDropped"] == nil { o["recordsDropped"] = 0 }
            return o
        },
        2: { object in
            var o = object
            if o["withheld"] == nil { o["withheld"] = [Any]() }
            return o
        },
        3: { object in object },
    ]

    /// The snapshot as canonical JSON (sorted keys), as the store keeps it.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(self))) ?? []
    }

    /// Reads a stored snapshot, upgrading older schema versions.
    ///
    /// - Throws: a ``Refusal`` with code FC1104 when the bytes are not a snapshot or come from a
    ///   newer runner.
    public static func decode(_ bytes: [UInt8]) throws(Refusal) -> DealSnapshot {
        func unusable(_ why: String) -> Refusal { Refusal(RuntimeMessages.snapshotUnusable, why) }
        // The fast path reads current-version snapshots directly; whatever it does not expect
        // falls through to Foundation below (see `SnapshotDecoder`).
        if let snapshot = SnapshotDecoder.decode(bytes) { return snapshot }
        guard let raw = try? JSONSerialization.jsonObject(with: Data(bytes)), var object = raw as? [String: Any] else {
            throw unusable("not a JSON object")
        }
        guard var version = object["schemaVersion"] as? Int else { throw unusable("no `schemaVersion`") }
        guard version <= currentSchemaVersion, version >= 1 else {
            throw unusable(RuntimeMessages.fill(RuntimeMessages.Phrase.schemaVersion, [String(version), String(currentSchemaVersion)]))
        }
        var data = Data(bytes)
        if version < currentSchemaVersion {
            while version < currentSchemaVersion {
                guard let upgrade = upgrades[version] else { throw unusable("no upgrade from schema version \(version)") }
                object = upgrade(object)
                version += 1
                object["schemaVersion"] = version
            }
            guard let upgraded = try? JSONSerialization.data(withJSONObject: object) else { throw unusable("the upgrade failed") }
            data = upgraded
        }
        do {
            return try JSONDecoder().decode(DealSnapshot.self, from: data)
        } catch {
            throw unusable("not a valid snapshot (\(type(of: error)))")
        }
    }
}

extension Effect {
    /// The effect as canonical JSON (sorted keys), as the outbox keeps it.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(self))) ?? []
    }
}

extension DealEvent {
    /// The event as canonical JSON (sorted keys), as the log keeps it.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? Array(encoder.encode(self))) ?? []
    }
}
