public import FlowHost
public import FlowRuntime
public import FlowStore

/// The templates a store holds deals of, with their compiled machines (read from the machine
/// archive beside the store, by hash).
public struct StoreTemplate: Sendable {
    public let id: String
    /// Every machine hash of the template in the store, with its number of deals, most first.
    public let hashes: [(hash: String, deals: Int)]
    /// The machine with the most deals: its fields are the ones a view of this template checks
    /// against (versions of one template normally share their fields).
    public let machine: PreparedMachine
    /// Every machine of the template, by hash (node names of older versions).
    public let machines: [String: PreparedMachine]

    public var deals: Int { hashes.reduce(0) { $0 + $1.deals } }

    /// The templates of the store's deals, by id. Deals without view columns are not counted
    /// (run ``FlowHost/DealService/backfillProjections(batch:)`` first).
    public static func all(store: any DealViewStore, machines: MachineRegistry) throws(HostError) -> [StoreTemplate] {
        let groups: [DealGroupRow]
        do {
            groups = try store.viewGroups(DealGroupQuery(groupBy: [.column(.templateID), .column(.templateHash)]))
        } catch {
            throw HostError.store(error)
        }
        var byID: [String: [(String, Int)]] = [:]
        for row in groups where row.count > 0 {
            guard case .text(let id) = row.keys[0], case .text(let hash) = row.keys[1] else { continue }
            byID[id, default: []].append((hash, row.count))
        }
        var out: [StoreTemplate] = []
        for (id, hashes) in byID.sorted(by: { $0.key < $1.key }) {
            let sorted = hashes.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            var loaded: [String: PreparedMachine] = [:]
            for (hash, count) in sorted { loaded[hash] = try machines.machine(hash: hash, forTemplate: id, deals: count) }
            guard let first = sorted.first, let machine = loaded[first.0] else { continue }
            out.append(StoreTemplate(id: id, hashes: sorted.map { (hash: $0.0, deals: $0.1) }, machine: machine, machines: loaded))
        }
        return out
    }
}
