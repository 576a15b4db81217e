import Foundation
public import FlowHost
import FlowIR
import FlowRuntime
public import FlowStore

/// Builds the manager's report (``ReportModel``) from the store's view columns: every part is
/// one or two store queries (grouped sums in SQL, or index range reads), never a scan of the
/// snapshots, so the report over a million deals takes seconds.
public struct ReportBuilder {
    public let store: any DealViewStore
    public let machines: MachineRegistry

    /// Longest lists of the report: beyond them the lists are cut (the totals still count all,
    /// and each cut list says how many it left out), so that a report over a million deals stays
    /// a page a manager reads.
    public struct Limits: Sendable, Hashable {
        public var poolRows = 200
        /// Overdue and blocked nodes listed per person (the most overdue first); every person
        /// with one is listed, so a rep's items are never crowded out by another's.
        public var attentionPerOwner = 20
        /// Those listed under nobody (public-pool deals, roles no one holds).
        public var attentionNobody = 50
        public var returningRows = 500
        public var recentRecords = 20
        /// Overdue deals read per store query while gathering the attention list.
        public var attentionPage = 2_000
        /// The most overdue deals read for the attention list, the most overdue first: beyond,
        /// they are counted, not read (a store of a million deals would take seconds to read).
        public var attentionDeals = 20_000
        public init() {}
    }

    public var limits = Limits()
    /// The largest `--returning-days`.
    public static let maxReturningDays = 3650

    public init(store: any DealViewStore, machines: MachineRegistry) {
        self.store = store
        self.machines = machines
    }

    static let day: Int64 = 86_400_000

    /// The model's times are seconds since 1970, as in every other JSON output (QA round 11: the
    /// report alone gave milliseconds); the store's columns are milliseconds.
    /// The days begun in `ms` milliseconds (1 for an hour), without overflow.
    static func daysBegun(_ ms: Int64) -> Int { Int(ms / day + (ms % day == 0 ? 0 : 1)) }

    static func seconds(_ ms: Int64) -> Int64 { ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000) }

    /// Versions in order: numbers compared as numbers (`1.10.0` after `1.9.0`), the rest as text.
    static func versionOrder(_ a: String, _ b: String) -> Bool {
        let x = a.split(separator: "."), y = b.split(separator: ".")
        for (p, q) in zip(x, y) where p != q {
            if let i = Int(p), let j = Int(q) { return i < j }
            return p < q
        }
        return x.count < y.count
    }

    /// - Parameters:
    ///   - templateID: only this template's deals (nil: all).
    ///   - now: the report's time, seconds since 1970.
    public func build(templateID: String?, returningWithinDays: Int, now: Int64, utcOffset: Int64) throws(HostError) -> ReportModel {
        do {
            return try make(templateID: templateID, returningWithinDays: returningWithinDays, now: now, utcOffset: utcOffset)
        } catch let error as HostError {
            throw error
        } catch {
            throw HostError.store(error)
        }
    }

    private func make(templateID: String?, returningWithinDays: Int, now: Int64, utcOffset: Int64) throws -> ReportModel {
        let nowMS = now &* 1000
        var templates = try StoreTemplate.all(store: store, machines: machines)
        if let templateID { templates = templates.filter { $0.id == templateID } }
        let customerOf = Dictionary(uniqueKeysWithValues: templates.map { ($0.id, ReportQuery.customerField($0.machine.machine)) })
        /// A deal's customer, as its template names it.
        func customer(_ row: DealViewRow) -> String? {
            (customerOf[row.templateID ?? ""] ?? nil).flatMap { if case .text(let t)? = row.fields[$0] { t } else { nil } }
        }
        let scope: [ViewPredicate] = templateID.map { [.compare(.column(.templateID), .equal, .value(.text($0)))] } ?? []
        func all(_ more: ViewPredicate...) -> ViewPredicate { .and(scope + more) }
        let isOpen = ViewPredicate.compare(.column(.status), .equal, .value(.text("open")))

        var totals = ReportModel.Totals(open: 0, won: 0, lost: 0, inPublicPool: 0, amounts: [])
        var amounts: [String: (open: Sum, won: Sum, weighted: Sum, lost: Sum, losing: Sum)] = [:]
        var funnel: [ReportModel.FunnelRow] = []
        var forecast: [ForecastKey: ReportModel.ForecastRow] = [:]
        var forecastSums: [ForecastKey: (amount: Sum, weighted: Sum)] = [:]
        for t in templates {
            let m = t.machine.machine
            // Each version's amount field has its currency (versions may differ).
            let currencyOf = t.machines.mapValues { Self.currency($0.machine) }
            let losePathOf = t.machines.mapValues(\.losePathNodeIDs)
            let currencies = Set(currencyOf.values.compactMap { $0 }).sorted()
            for c in currencies where amounts[c] == nil { amounts[c] = (Sum(), Sum(), Sum(), Sum(), Sum()) }
            let mine = ViewPredicate.compare(.column(.templateID), .equal, .value(.text(t.id)))
            // One pass over the covering index `deals_report`: deals and amounts by version,
            // status, pool, open nodes and close month; totals, funnel and forecast are summed
            // from it, each amount with its version's currency.
            let groups = try store.viewGroups(DealGroupQuery(
                filter: mine,
                groupBy: [.column(.templateHash), .column(.status), .column(.pool), .column(.currentNodes), .columnMonth(.closeDate)],
                measures: [.sumOf(.amount), .weightedSumOf(.amount)]))
            var counted: [FunnelKey: (Int, Sum)] = [:]
            // The versions open deals run on: a stage only other versions have is no row of the
            // funnel (QA round 16: an empty row for a node renamed in the version every open
            // deal was moved to, under the same name as the new one).
            var openVersions: Set<String> = []
            var openByVersion: [String: Int] = [:]
            for row in groups where row.count > 0 {
                if case .text(let hash) = row.keys[0], row.keys[1] == .text("open") {
                    openVersions.insert(hash)
                    openByVersion[hash, default: 0] += row.count
                }
                let currency: String? = if case .text(let hash) = row.keys[0] { currencyOf[hash] ?? Self.currency(m) } else { Self.currency(m) }
                // Exact sums (each amount read as the decimal written), so the cents are `flowc deals`'s.
                let money = Sum(row.exactSums[0], row.sums[0])
                let weighted = Sum(row.exactSums[1], row.sums[1])
                // Lost by the owner, going through the loss review: not pipeline.
                let losePath: Set<String> = if case .text(let hash) = row.keys[0] { losePathOf[hash] ?? [] } else { [] }
                let openNodes: [String] = if case .text(let nodes) = row.keys[3] { nodes.split(separator: ",").map(String.init) } else { [] }
                let inLossReview = row.keys[1] == .text("open") && !openNodes.isEmpty && openNodes.allSatisfy(losePath.contains)
                let isOpenDeal = row.keys[1] == .text("open") && !inLossReview
                switch row.keys[1] {
                case .text("open") where inLossReview:
                    totals.inLossReview += row.count
                    if let currency { amounts[currency, default: (Sum(), Sum(), Sum(), Sum(), Sum())].losing.add(money) }
                case .text("open"):
                    totals.open += row.count
                    if let currency {
                        amounts[currency, default: (Sum(), Sum(), Sum(), Sum(), Sum())].open.add(money)
                        amounts[currency, default: (Sum(), Sum(), Sum(), Sum(), Sum())].weighted.add(weighted)
                    }
                case .text("won"):
                    totals.won += row.count
                    if let currency { amounts[currency, default: (Sum(), Sum(), Sum(), Sum(), Sum())].won.add(money) }
                case .text("lost"):
                    totals.lost += row.count
                    if let currency { amounts[currency, default: (Sum(), Sum(), Sum(), Sum(), Sum())].lost.add(money) }
                default: break
                }
                if row.keys[2] == .text("public") { totals.inPublicPool += row.count }
                guard isOpenDeal else { continue }
                for node in Set(openNodes) {
                    let key = FunnelKey(node: node, currency: currency)
                    var (deals, amount) = counted[key] ?? (0, Sum())
                    amount.add(money)
                    counted[key] = (deals + row.count, amount)
                }
                let month: String? = if case .text(let text) = row.keys[4] { text } else { nil }
                let key = ForecastKey(month: month, currency: currency)
                var line = forecast[key] ?? ReportModel.ForecastRow(month: month, deals: 0, amount: 0, weighted: 0, currency: currency)
                line.deals += row.count
                forecast[key] = line
                forecastSums[key, default: (Sum(), Sum())].amount.add(money)
                forecastSums[key, default: (Sum(), Sum())].weighted.add(weighted)
            }
            var seen: Set<String> = []
            // The funnel's rows: the nodes of the version most open deals are on (the funnel counts
            // open deals; QA round 19: after a rename migration, the closed deals left on the old
            // version outvoted every open one, and the renamed first stage came last), in its flow
            // order; a node only another version has goes after the node before it there (a stage
            // added in a new version sits where it runs, not after the last stage), or, when none
            // is before it, before the node after it (an old first stage first; QA round 27). A node whose
            // versions give it different probabilities shows none: no one number is right.
            let busiest = openByVersion.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
            let flow = busiest.flatMap { t.machines[$0]?.machine } ?? m
            var order: [NodeDefLite] = flow.nodes.map { NodeDefLite($0) }
            let others = t.machines.values.filter { $0.machine.template.hash != flow.template.hash }
                .sorted { ($0.machine.template.version, $0.machine.template.hash) < ($1.machine.template.version, $1.machine.template.hash) }
            for other in others {
                let nodes = other.machine.nodes
                for (i, node) in nodes.enumerated() {
                    if let k = order.firstIndex(where: { $0.id == node.id }) {
                        if order[k].probability != node.probability { order[k].mixedProbability = true }
                        continue
                    }
                    let before = nodes[..<i].reversed().first { p in order.contains { $0.id == p.id } }
                    let after = nodes[(i + 1)...].first { p in order.contains { $0.id == p.id } }
                    let at = before.flatMap { p in order.firstIndex { $0.id == p.id } }.map { $0 + 1 }
                        ?? after.flatMap { p in order.firstIndex { $0.id == p.id } }
                        ?? order.count
                    order.insert(NodeDefLite(node), at: at)
                }
            }
            // A node's row per currency of the template's versions (one, nearly always).
            let rowCurrencies = Set(currencyOf.values).sorted { ReportModel.order($0) < ReportModel.order($1) }
            // The lose path (the loss review) is no stage of the pipeline: not in the funnel.
            let losePathNodes = losePathOf.values.reduce(into: Set<String>()) { $0.formUnion($1) }
            let liveNodes = t.machines.filter { openVersions.contains($0.key) }.values
                .reduce(into: Set<String>()) { nodes, v in nodes.formUnion(v.machine.nodes.map(\.id)) }
            for node in order where !losePathNodes.contains(node.id) {
                guard seen.insert(node.id).inserted else { continue }
                let live = liveNodes.isEmpty || liveNodes.contains(node.id)
                for currency in rowCurrencies {
                    let found = counted[FunnelKey(node: node.id, currency: currency)]
                    guard (node.countsInFunnel && live) || found != nil else { continue }
                    let (deals, money) = found ?? (0, Sum())
                    funnel.append(ReportModel.FunnelRow(
                        templateID: t.id, node: node.id, nameZh: node.name["zh"] ?? node.name[""], nameEn: node.name["en"], deals: deals,
                        amount: money.cents, currency: currency, probability: node.mixedProbability ? nil : node.probability))
                }
            }
        }
        totals.amounts = amounts.keys.sorted().map {
            ReportModel.CurrencyTotals(currency: $0, open: amounts[$0]!.open.cents, won: amounts[$0]!.won.cents,
                                       openWeighted: amounts[$0]!.weighted.cents, lost: amounts[$0]!.lost.cents,
                                       inLossReview: amounts[$0]!.losing.cents)
        }

        // Open nodes past their due time, through the index on the earliest due time, read in
        // pages: every person's most overdue items are kept (and the rest counted), so that a
        // long tail of public-pool leads cannot crowd a rep's blocked deal out (QA round 19).
        // Kept by each node's own due time, not its deal's earliest (review of the views, V7: at
        // a fork, a person's item due sooner on a deal read later was left out), at most a
        // person's limit of them at a time.
        var byOwner: [String?: FirstInOrder<OverdueItem>] = [:]
        // Counted from the index alone: a deal with a due time has an open node, so it is open.
        let overdue = all(.compare(.column(.dueAt), .lessOrEqual, .value(.integer(nowMS))))
        let read = try forEachOverdueDeal(all(isOpen), upTo: nowMS, atMost: limits.attentionDeals) { deal in
            guard let p = deal.index.projection, case .array(let nodes)? = StoreJSON.parse(p.openNodes) else { return }
            let m = machineFor(deal, templates)
            let customer = customer(DealViewRow(deal))
            for case .object(let node) in nodes {
                guard case .text(let id)? = node["node"], case .integer(let dueAt)? = node["due_at"], dueAt <= nowMS else { continue }
                // Nobody can work a node of a deal in the public pool until it is claimed or
                // assigned: the role's holder would be refused (QA round 16).
                let owner: String? = if case .text(let o)? = node["owner"], deal.index.pool != "public" { o } else { nil }
                let cap = owner == nil ? limits.attentionNobody : limits.attentionPerOwner
                let blocked = node["status"] == .text("blocked")
                let def = m?.nodes.first { $0.id == id }
                let item = ReportModel.AttentionItem(
                    dealID: deal.dealID, customer: customer, node: id, nodeNameZh: def?.name["zh"] ?? def?.name[""], nodeNameEn: def?.name["en"],
                    state: blocked ? .blocked : .overdue, dueAt: Self.seconds(dueAt), daysOverdue: Int((nowMS - dueAt) / Self.day))
                byOwner[owner, default: FirstInOrder(keeping: cap, by: OverdueItem.precedes)].insert(OverdueItem(dueAt: dueAt, item: item))
            }
        }
        let attention = byOwner.map {
            ReportModel.OwnerAttention(owner: $0.key, items: $0.value.kept.map(\.item).sorted {
                ($0.dueAt ?? 0, $0.dealID, $0.node) < ($1.dueAt ?? 0, $1.dealID, $1.node)
            }, more: $0.value.leftOut)
        }
            .sorted { a, b in
                switch (a.owner, b.owner) {
                case (nil, nil): return false
                case (nil, _): return false
                case (_, nil): return true
                case (let x?, let y?): return x < y
                }
            }

        // `pool_since` is set exactly while a deal is in the public pool; its index gives the
        // oldest first without sorting the pool.
        let inPool = all(.compare(.column(.poolSince), .notEqual, .value(.null)))
        let pool = try store.viewRows(DealRowQuery(
            filter: inPool, sort: [ViewSort(.column(.poolSince)), ViewSort(.column(.dealID))], limit: limits.poolRows))
        let publicPoolMore = pool.count < limits.poolRows ? 0 : try count(inPool) - pool.count
        let publicPool = pool.map { deal -> ReportModel.PoolRow in
            let amount = deal.index.projection?.amount.map(ReportModel.cents)
            let customer = customer(DealViewRow(deal))
            let arrival = deal.index.projection?.poolArrival
            let since = deal.index.projection?.poolSince?.millisecondsSinceEpoch ?? nowMS
            return ReportModel.PoolRow(
                dealID: deal.dealID, customer: customer, amount: amount, currency: machineFor(deal, templates).flatMap(Self.currency),
                arrival: arrival.flatMap { ReportModel.PoolRow.Arrival(rawValue: $0.how) } ?? .created,
                reason: arrival?.reason, previousOwner: arrival?.previousOwner, since: Self.seconds(since),
                ageDays: Int(max(0, nowMS - since) / Self.day))
        }

        // The chart counts the whole pool, bucket by bucket through the `pool_since` index: a
        // deal `d` whole days in the pool (`ageDays` above) is in a bucket `from…to` when
        // `pool_since` > now − (to + 1) days and (from > 0) `pool_since` ≤ now − from days.
        var poolAges: [ReportModel.PoolAgeBucket] = []
        for bound in ReportModel.PoolAgeBucket.bounds {
            var range: [ViewPredicate] = []
            if let to = bound.to { range.append(.compare(.column(.poolSince), .greater, .value(.integer(nowMS &- Int64(to + 1) * Self.day)))) }
            if bound.from > 0 { range.append(.compare(.column(.poolSince), .lessOrEqual, .value(.integer(nowMS &- Int64(bound.from) * Self.day)))) }
            var bucket = ReportModel.PoolAgeBucket(fromDays: bound.from, toDays: bound.to)
            for group in try store.viewGroups(DealGroupQuery(filter: .and([inPool] + range), groupBy: [.column(.poolArrival)])) {
                let how: ReportModel.PoolRow.Arrival = if case .text(let t)? = group.keys.first { .init(rawValue: t) ?? .created } else { .created }
                bucket[how] += group.count
            }
            poolAges.append(bucket)
        }

        let days = min(max(0, returningWithinDays), Self.maxReturningDays)
        let returnsSoon = all(isOpen, .compare(.column(.returnsAt), .lessOrEqual, .value(.integer(nowMS &+ Int64(days) * Self.day))))
        let returningDeals = try store.viewRows(DealRowQuery(filter: returnsSoon, sort: [ViewSort(.column(.returnsAt))], limit: limits.returningRows))
        let returningMore = returningDeals.count < limits.returningRows ? 0 : try count(returnsSoon) - returningDeals.count
        let returning = returningDeals.compactMap { deal -> ReportModel.ReturningRow? in
            guard let at = deal.index.projection?.returnsAt?.millisecondsSinceEpoch else { return nil }
            let machine = machineFor(deal, templates)
            let names = deal.index.currentNodes.split(separator: ",").map { id -> ReportModel.NodeName in
                let def = machine?.nodes.first { $0.id == id }
                return ReportModel.NodeName(id: String(id), zh: def?.name["zh"] ?? def?.name[""], en: def?.name["en"])
            }
            return ReportModel.ReturningRow(
                dealID: deal.dealID, customer: customer(DealViewRow(deal)), owner: deal.index.owner, nodes: deal.index.currentNodes, returnsAt: Self.seconds(at),
                daysLeft: Self.daysBegun(max(0, at - nowMS)), nodeNames: names)
        }

        let recent = try recentRecords(scope, templates)
        let lines = templates.map { t in
            // Every version whose deals are counted, not only the one with most deals.
            let versions = Set(t.machines.values.map(\.machine.template.version)).sorted { ReportBuilder.versionOrder($0, $1) }
            return ReportModel.TemplateLine(id: t.id, version: t.machine.machine.template.version, nameZh: t.machine.machine.template.name["zh"] ?? t.machine.machine.template.name[""],
                                            nameEn: t.machine.machine.template.name["en"], versions: versions)
        }
        // By month (no date last), then currency; amounts rounded to the cent.
        let o = ReportModel.order
        let forecastRows = forecast.sorted { (o($0.key.month), o($0.key.currency)) < (o($1.key.month), o($1.key.currency)) }
            .map { key, row in
                var row = row
                row.amount = forecastSums[key]?.amount.cents ?? 0
                row.weighted = forecastSums[key]?.weighted.cents ?? 0
                return row
            }
        var model = ReportModel(
            generatedAt: now, utcOffsetSeconds: utcOffset, templates: lines, totals: totals, funnel: funnel, forecast: forecastRows,
            attention: attention, publicPool: publicPool, returningWithinDays: days, returning: returning, recentRecords: recent,
            publicPoolAges: poolAges)
        model.publicPoolMore = max(0, publicPoolMore)
        model.returningMore = max(0, returningMore)
        model.attentionUnread = read.complete ? 0 : max(0, try count(overdue) - read.deals)
        return model
    }

    /// How many deals match.
    private func count(_ filter: ViewPredicate) throws -> Int {
        try store.viewGroups(DealGroupQuery(filter: filter, groupBy: [])).first?.count ?? 0
    }

    /// Calls `body` with every deal matching `filter` whose earliest due time is at or before
    /// `nowMS`, most overdue first, reading `limits.attentionPage` deals per query through the
    /// index on the due time, until `atMost` deals are read. The deals due at the millisecond of
    /// a full page's last are read whole by a query of their own, and the next page starts after
    /// it: a page can never hold only deals of one due time and repeat.
    /// - Returns: how many deals were read, and whether that is all of them (else it stopped at
    ///   `atMost`, past a page of due times).
    private func forEachOverdueDeal(_ filter: ViewPredicate, upTo nowMS: Int64, atMost: Int,
                                    _ body: (StoredDeal) throws -> Void) throws -> (deals: Int, complete: Bool) {
        let page = max(1, limits.attentionPage)
        var from: Int64? = nil
        var deals = 0
        func each(_ rows: [StoredDeal]) throws {
            for deal in rows { try body(deal) }
            deals += rows.count
        }
        while true {
            if deals >= atMost { return (deals, false) }
            let lower: [ViewPredicate] = from.map { [.compare(.column(.dueAt), .greaterOrEqual, .value(.integer($0)))] } ?? []
            let dueBy = ViewPredicate.compare(.column(.dueAt), .lessOrEqual, .value(.integer(nowMS)))
            let rows = try store.viewRows(DealRowQuery(
                filter: .and([filter, dueBy] + lower), sort: [ViewSort(.column(.dueAt)), ViewSort(.column(.dealID))], limit: page))
            guard rows.count == page, let last = rows.last?.index.projection?.dueAt?.millisecondsSinceEpoch else {
                try each(rows)
                return (deals, true)
            }
            // The deals at the last due time, read whole: those of this page, and any beyond it
            // (up to the limit: an import of many deals at one time gives them one due time).
            try each(rows.filter { ($0.index.projection?.dueAt?.millisecondsSinceEpoch ?? last) < last })
            let budget = max(0, atMost - deals)
            let tied = try store.viewRows(DealRowQuery(
                filter: .and([filter, .compare(.column(.dueAt), .equal, .value(.integer(last)))]), sort: [ViewSort(.column(.dealID))],
                limit: budget + 1))
            try each(Array(tied.prefix(budget)))
            if tied.count > budget { return (deals, false) }
            guard last < nowMS else { return (deals, true) }
            from = last + 1
        }
    }

    /// The newest node records: the deals with the newest records (through the index on
    /// `last_record_at`), their records read from their snapshots.
    private func recentRecords(_ scope: [ViewPredicate], _ templates: [StoreTemplate]) throws -> [ReportModel.RecordRow] {
        let deals = try store.viewRows(DealRowQuery(
            filter: .and(scope + [.compare(.column(.lastRecordAt), .notEqual, .value(.null))]),
            sort: [ViewSort(.column(.lastRecordAt), descending: true)], limit: limits.recentRecords))
        var rows: [ReportModel.RecordRow] = []
        for deal in deals {
            guard let stored = try store.snapshot(of: deal.dealID),
                  let snapshot = try? DealSnapshot.decode(Array(stored.payload)) else { continue }
            let m = machineFor(deal, templates)
            for record in snapshot.records {
                let def = m.flatMap { $0.nodes.indices.contains(record.node) ? $0.nodes[record.node] : nil }
                rows.append(ReportModel.RecordRow(
                    dealID: deal.dealID, node: def?.id ?? String(record.node), kind: record.kind == .note ? .note : .link, text: record.text,
                    url: record.url, author: record.author, at: record.at, nodeNameZh: def?.name["zh"] ?? def?.name[""], nodeNameEn: def?.name["en"]))
            }
        }
        return Array(rows.sorted { ($0.at, $1.dealID) > ($1.at, $0.dealID) }.prefix(limits.recentRecords))
    }

    /// The currency of a machine's amount field (``ViewFields/amount(_:)``); nil without one.
    static func currency(_ m: Machine) -> String? {
        ViewFields.amount(m).flatMap { id in m.fields.first { $0.id == id }?.currency }
    }

    private struct FunnelKey: Hashable {
        let node: String
        let currency: String?
    }

    private struct ForecastKey: Hashable {
        let month: String?
        let currency: String?
    }

    private func machineFor(_ deal: StoredDeal, _ templates: [StoreTemplate]) -> Machine? {
        for t in templates { if let m = t.machines[deal.index.templateHash] { return m.machine } }
        return nil
    }

    static func number(_ json: StoreJSON) -> Double? {
        switch json {
        case .integer(let i): Double(i)
        case .real(let r): r
        default: nil
        }
    }
}

/// An item of the attention list, with its due time to the millisecond.
struct OverdueItem {
    let dueAt: Int64
    let item: ReportModel.AttentionItem

    /// The more overdue first; at one due time, by deal id, then node id.
    static func precedes(_ a: OverdueItem, _ b: OverdueItem) -> Bool {
        (a.dueAt, a.item.dealID, a.item.node) < (b.dueAt, b.item.dealID, b.item.node)
    }
}

/// The first `capacity` elements, in an order, of the elements inserted, and how many others
/// were. At most twice the capacity is held: when that many are, they are sorted and the first
/// `capacity` kept, so the memory is the capacity's however many are inserted.
struct FirstInOrder<Element> {
    let capacity: Int
    let precedes: (Element, Element) -> Bool
    private var held: [Element] = []
    private var dropped = 0

    init(keeping capacity: Int, by precedes: @escaping (Element, Element) -> Bool) {
        self.capacity = max(0, capacity)
        self.precedes = precedes
    }

    /// The elements kept, in order.
    var kept: [Element] { Array(held.sorted(by: precedes).prefix(capacity)) }

    /// The elements inserted and not kept.
    var leftOut: Int { dropped + max(0, held.count - capacity) }

    mutating func insert(_ element: Element) {
        held.append(element)
        if held.count >= max(2 * capacity, 1) {
            held.sort(by: precedes)
            dropped += held.count - capacity
            held.removeLast(held.count - capacity)
        }
    }
}

/// What the funnel needs of a node: stages (task and approval nodes with a probability, or any
/// task or approval) count; forks, joins and ends do not.
struct NodeDefLite {
    let id: String
    let name: [String: String]
    let probability: Int?
    let countsInFunnel: Bool
    /// Versions of the template give the node different probabilities.
    var mixedProbability = false

    init(_ node: NodeDef) {
        id = node.id
        name = node.name
        probability = node.probability
        countsInFunnel = node.kind == .task || node.kind == .approval
    }
}

/// A sum of amounts: exact while every part was (``ViewDecimal``), else the float sum; rounded to
/// the cent only at the end, so a total is never a sum of rounded parts.
struct Sum {
    var exact: ViewDecimal? = ViewDecimal(0)
    var float: Double = 0

    init() {}
    init(_ exact: ViewDecimal?, _ float: Double) {
        self.exact = exact
        self.float = float
    }

    mutating func add(_ other: Sum) {
        float += other.float
        exact = other.exact.flatMap { x in exact?.adding(x) }
    }

    /// Rounded to the cent as every amount of the model is.
    var cents: Double { exact.map(ReportModel.cents) ?? ReportModel.cents(float) }
}
