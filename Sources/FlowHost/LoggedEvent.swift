public import Foundation
public import FlowRuntime

/// One entry of a deal's log as the host stores it: the event and the context it was stepped
/// with. docs/runtime.md §1: "the context is logged with its event so that a replay sees exactly
/// what the step saw" — the owner's deal count for the quota, the clock, the zone offset.
///
/// JSON (canonical, sorted keys): `{"context": {"actorCanAssign": false, "now": …,
/// "ownedOpenDeals": 0, "utcOffset": 28800}, "event": {"id": "e3", "at": …, "type": "complete",
/// …}, "schemaVersion": 1}`.
public struct LoggedEvent: Codable, Sendable, Hashable {
    /// The version of this layout (1). A newer one is refused rather than guessed at.
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    public var event: DealEvent
    public var context: StepContext

    public init(event: DealEvent, context: StepContext) {
        self.schemaVersion = Self.currentSchemaVersion
        self.event = event
        self.context = context
    }

    /// Canonical JSON (sorted keys, as `JSONEncoder` writes it), as the log keeps it.
    public func encoded() -> Data { Data(SnapshotJSON.encode(self)) }

    /// Reads a log entry.
    /// - Throws: ``HostError`` FC1213 when the bytes are not a log entry this host reads.
    public static func decode(_ data: Data, dealID: String) throws(HostError) -> LoggedEvent {
        do {
            let entry = try JSONDecoder().decode(LoggedEvent.self, from: data)
            guard entry.schemaVersion <= currentSchemaVersion else {
                throw HostError(HostMessages.storedDealUnreadable, dealID,
                                HostMessages.fill(HostMessages.Phrase.logSchema, [String(entry.schemaVersion), String(currentSchemaVersion)]))
            }
            return entry
        } catch let error as HostError {
            throw error
        } catch {
            throw HostError(HostMessages.storedDealUnreadable, dealID, HostMessages.fill(HostMessages.Phrase.logEntry, [String(describing: type(of: error))]))
        }
    }
}
