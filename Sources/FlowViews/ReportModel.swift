import FlowStore

/// The manager's report (`flowc report`) as data: what the store queries produce and what the
/// terminal and HTML renderers draw. Everything is already decided here (sorted, rounded to the
/// cent, dated in the report's time zone), so two renderers of one model cannot disagree.
///
/// Money is `Double` in the model, each amount already rounded to the cent: the store sums the
/// amounts exactly (each read as the decimal the host wrote), and the sums are rounded once, here.
/// Every amount carries its currency: amounts of different currencies are never added together
/// (each template's amount field has one currency; a store may hold several).
public struct ReportModel: Sendable, Hashable, Codable {
    /// When the report was made (seconds since 1970, UTC) and the offset its dates use.
    public var generatedAt: Int64
    public var utcOffsetSeconds: Int64
    /// The templates whose deals are counted (id, version, display name), in id order.
    public var templates: [TemplateLine]
    public var totals: Totals
    /// Open deals and their amounts per node, in the flow's order (a deal at two nodes of a
    /// fork counts at each).
    public var funnel: [FunnelRow]
    /// Open deals by expected close month, weighted by their stage probability.
    public var forecast: [ForecastRow]
    /// Blocked (past due) and overdue-soon nodes, grouped by the person who owns them.
    public var attention: [OwnerAttention]
    /// Deals in the public pool, oldest in the pool first (up to a limit: `publicPoolMore`).
    public var publicPool: [PoolRow]
    /// Every deal of the public pool by days in the pool, in the buckets of the page's chart
    /// (0–6, 7–29, 30–89, 90–179, 180 and over), each counted by how the deals got there: the whole
    /// pool, where `publicPool` lists its oldest (QA round 24: the chart drew the listed rows,
    /// and left this week's returns out).
    public var publicPoolAges: [PoolAgeBucket]
    /// Deals that will return to the public pool within `returningWithinDays` days.
    public var returningWithinDays: Int
    public var returning: [ReturningRow]
    /// The newest node records (notes and links), newest first.
    public var recentRecords: [RecordRow]
    /// Deals of the public pool and of `returning` left out of those lists, beyond their limits
    /// (0 when the list is whole).
    public var publicPoolMore = 0
    public var returningMore = 0
    /// Overdue deals not read for `attention` (it reads the most overdue, up to a limit): none of
    /// their nodes is listed or counted there.
    public var attentionUnread = 0

    public init(generatedAt: Int64, utcOffsetSeconds: Int64, templates: [TemplateLine], totals: Totals, funnel: [FunnelRow],
                forecast: [ForecastRow], attention: [OwnerAttention], publicPool: [PoolRow], returningWithinDays: Int,
                returning: [ReturningRow], recentRecords: [RecordRow], publicPoolAges: [PoolAgeBucket]? = nil) {
        self.generatedAt = generatedAt
        self.utcOffsetSeconds = utcOffsetSeconds
        self.templates = templates
        self.totals = totals
        self.funnel = funnel
        self.forecast = forecast
        self.attention = attention
        self.publicPool = publicPool
        self.publicPoolAges = publicPoolAges ?? PoolAgeBucket.count(publicPool)
        self.returningWithinDays = returningWithinDays
        self.returning = returning
        self.recentRecords = recentRecords
    }

    public struct TemplateLine: Sendable, Hashable, Codable {
        public var id: String
        /// The version with most deals (the funnel follows the flow of the version with most open
        /// deals, which after a migration is usually the newer one).
        public var version: String
        /// Every version whose deals are counted, oldest first.
        public var versions: [String]
        /// Display name in Chinese and English (either may be missing).
        public var nameZh: String?
        public var nameEn: String?
        public init(id: String, version: String, nameZh: String?, nameEn: String?, versions: [String]? = nil) {
            self.id = id; self.version = version; self.nameZh = nameZh; self.nameEn = nameEn
            self.versions = versions ?? [version]
        }

        /// The versions as the header shows them: `1.0.0, 1.2.0`.
        public var shownVersions: String { versions.joined(separator: ", ") }
    }

    public struct Totals: Sendable, Hashable, Codable {
        /// Open deals, but those in loss review.
        public var open: Int
        public var won: Int
        public var lost: Int
        /// Open deals whose owner lost them and that are going through the follow-up nodes (the
        /// loss review): counted apart from `open`, in no open amount, funnel or forecast.
        public var inLossReview: Int = 0
        public var inPublicPool: Int
        /// The open and won amounts, one entry per currency of the templates counted, in currency
        /// order (empty when no template has an amount field).
        public var amounts: [CurrencyTotals]
        public init(open: Int, won: Int, lost: Int, inPublicPool: Int, amounts: [CurrencyTotals]) {
            self.open = open; self.won = won; self.lost = lost; self.inPublicPool = inPublicPool
            self.amounts = amounts
        }
    }

    public struct CurrencyTotals: Sendable, Hashable, Codable {
        public var currency: String
        public var open: Double
        public var won: Double
        /// Σ open amount × probability / 100: the forecast's weighted total.
        public var openWeighted: Double
        /// The amount of the lost deals, and of those in loss review (QA round 24, m6: the value
        /// lost was nowhere in the report).
        public var lost: Double
        public var inLossReview: Double
        public init(currency: String, open: Double, won: Double, openWeighted: Double = 0, lost: Double = 0, inLossReview: Double = 0) {
            self.currency = currency; self.open = open; self.won = won; self.openWeighted = openWeighted
            self.lost = lost; self.inLossReview = inLossReview
        }
    }

    public struct FunnelRow: Sendable, Hashable, Codable {
        public var templateID: String
        public var node: String
        public var nameZh: String?
        public var nameEn: String?
        public var deals: Int
        public var amount: Double
        /// The currency of `amount` (nil when the template has no amount field).
        public var currency: String?
        /// The node's probability (percent), when the template gives one.
        public var probability: Int?
        public init(templateID: String, node: String, nameZh: String?, nameEn: String?, deals: Int, amount: Double, currency: String?,
                    probability: Int?) {
            self.templateID = templateID; self.node = node; self.nameZh = nameZh; self.nameEn = nameEn
            self.deals = deals; self.amount = amount; self.currency = currency; self.probability = probability
        }
    }

    /// A month's open deals in one currency (a month with deals in two currencies has two rows).
    public struct ForecastRow: Sendable, Hashable, Codable {
        /// `YYYY-MM`, or nil for open deals without an expected close date.
        public var month: String?
        public var deals: Int
        public var amount: Double
        /// Σ amount × probability / 100.
        public var weighted: Double
        /// The currency of the amounts (nil for deals of a template without an amount field).
        public var currency: String?
        public init(month: String?, deals: Int, amount: Double, weighted: Double, currency: String?) {
            self.month = month; self.deals = deals; self.amount = amount; self.weighted = weighted; self.currency = currency
        }

        private enum CodingKeys: String, CodingKey { case month, deals, amount, weighted, currency }

        /// `month` and `currency` are always there, `null` when there is none (QA round 11: the
        /// undated row had no `month` key, where a script reads every row alike).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(month, forKey: .month)
            try c.encode(deals, forKey: .deals)
            try c.encode(amount, forKey: .amount)
            try c.encode(weighted, forKey: .weighted)
            try c.encode(currency, forKey: .currency)
        }
    }

    public struct OwnerAttention: Sendable, Hashable, Codable {
        /// The person (nil: nobody holds the node's owner role, or the deal is in the public pool).
        public var owner: String?
        /// The person's most overdue items, and how many more were left out beyond the limit.
        public var items: [AttentionItem]
        public var more: Int
        public init(owner: String?, items: [AttentionItem], more: Int = 0) { self.owner = owner; self.items = items; self.more = more }
    }

    public struct AttentionItem: Sendable, Hashable, Codable {
        public enum State: String, Sendable, Hashable, Codable { case blocked, overdue }
        public var dealID: String
        /// The deal's customer (`ViewFields.customer`), nil when it has none (QA round 24: a
        /// manager knows the customer, not the deal id).
        public var customer: String?
        public var node: String
        public var nodeNameZh: String?
        public var nodeNameEn: String?
        public var state: State
        /// When the node was due (seconds since 1970), and how many whole days past it at `generatedAt`.
        public var dueAt: Int64?
        public var daysOverdue: Int
        public init(dealID: String, customer: String? = nil, node: String, nodeNameZh: String?, nodeNameEn: String?, state: State,
                    dueAt: Int64?, daysOverdue: Int) {
            self.dealID = dealID; self.customer = customer; self.node = node; self.nodeNameZh = nodeNameZh; self.nodeNameEn = nodeNameEn
            self.state = state; self.dueAt = dueAt; self.daysOverdue = daysOverdue
        }
    }

    public struct PoolRow: Sendable, Hashable, Codable {
        /// How the deal got into the public pool.
        public enum Arrival: String, Sendable, Hashable, Codable {
            /// Lost (after the loss review), with the lose reason in `reason`.
            case lost
            /// Taken from its owner by the idle timer.
            case idle
            /// Released by its owner.
            case released
            /// Created without an owner.
            case created
        }
        public var dealID: String
        public var customer: String?
        public var amount: Double?
        public var currency: String?
        public var arrival: Arrival
        public var reason: String?
        public var previousOwner: String?
        /// When it entered the pool (seconds since 1970) and its age there in whole days at `generatedAt`.
        public var since: Int64
        public var ageDays: Int
        public init(dealID: String, customer: String?, amount: Double?, currency: String?, arrival: Arrival, reason: String?,
                    previousOwner: String?, since: Int64, ageDays: Int) {
            self.dealID = dealID; self.customer = customer; self.amount = amount; self.currency = currency; self.arrival = arrival
            self.reason = reason
            self.previousOwner = previousOwner; self.since = since; self.ageDays = ageDays
        }
    }

    /// Deals of the public pool whose days in the pool are `fromDays` to `toDays` (inclusive;
    /// nil: no upper bound), by how they got there.
    public struct PoolAgeBucket: Sendable, Hashable, Codable {
        public var fromDays: Int
        public var toDays: Int?
        public var lost = 0, idle = 0, released = 0, created = 0

        public init(fromDays: Int, toDays: Int?, lost: Int = 0, idle: Int = 0, released: Int = 0, created: Int = 0) {
            self.fromDays = fromDays; self.toDays = toDays
            self.lost = lost; self.idle = idle; self.released = released; self.created = created
        }

        /// The buckets, in whole days in the pool (a deal dated after the report counts as 0
        /// days). Each starts at a round age, so the first is the week just past: a deal is in it
        /// exactly when `pool_since > now() - 7d`, the recipe docs/views.md gives for this week.
        public static let bounds: [(from: Int, to: Int?)] = [(0, 6), (7, 29), (30, 89), (90, 179), (180, nil)]

        /// How many of this bucket's deals got there so.
        public subscript(arrival: PoolRow.Arrival) -> Int {
            get {
                switch arrival {
                case .lost: lost
                case .idle: idle
                case .released: released
                case .created: created
                }
            }
            set {
                switch arrival {
                case .lost: lost = newValue
                case .idle: idle = newValue
                case .released: released = newValue
                case .created: created = newValue
                }
            }
        }

        public var total: Int { lost + idle + released + created }

        /// The index of the bucket an age in whole days falls in (negative ages count as 0).
        public static func index(ofAge days: Int) -> Int {
            bounds.firstIndex { days <= ($0.to ?? Int.max) } ?? bounds.count - 1
        }

        /// The buckets of `rows` (a model whose pool list is whole, as a test writes one).
        public static func count(_ rows: [PoolRow]) -> [PoolAgeBucket] {
            var buckets = bounds.map { PoolAgeBucket(fromDays: $0.from, toDays: $0.to) }
            for row in rows { buckets[index(ofAge: row.ageDays)][row.arrival] += 1 }
            return buckets
        }
    }

    public struct ReturningRow: Sendable, Hashable, Codable {
        public var dealID: String
        /// The deal's customer, as in `AttentionItem`.
        public var customer: String?
        public var owner: String?
        /// The open nodes, comma-separated ids.
        public var nodes: String
        /// When the idle timer returns the deal to the public pool (seconds since 1970), and whole days left.
        public var returnsAt: Int64
        public var daysLeft: Int
        /// The open nodes' names, in the order of `nodes` (QA round 12: the table showed ids).
        public var nodeNames: [NodeName]
        public init(dealID: String, customer: String? = nil, owner: String?, nodes: String, returnsAt: Int64, daysLeft: Int,
                    nodeNames: [NodeName] = []) {
            self.dealID = dealID; self.customer = customer; self.owner = owner; self.nodes = nodes; self.returnsAt = returnsAt
            self.daysLeft = daysLeft; self.nodeNames = nodeNames
        }
    }

    /// A node's id with its display names.
    public struct NodeName: Sendable, Hashable, Codable {
        public var id: String
        public var zh: String?
        public var en: String?
        public init(id: String, zh: String?, en: String?) { self.id = id; self.zh = zh; self.en = en }
    }

    public struct RecordRow: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Hashable, Codable { case note, link }
        public var dealID: String
        public var node: String
        public var kind: Kind
        /// The note's text, or the link's title (the URL when it has none).
        public var text: String
        public var url: String?
        public var author: String?
        public var at: Int64
        /// The node's names, as the other sections show nodes (QA round 39, H9: the id alone).
        public var nodeNameZh: String?, nodeNameEn: String?
        public init(dealID: String, node: String, kind: Kind, text: String, url: String?, author: String?, at: Int64,
                    nodeNameZh: String? = nil, nodeNameEn: String? = nil) {
            self.dealID = dealID; self.node = node; self.kind = kind; self.text = text; self.url = url; self.author = author; self.at = at
            self.nodeNameZh = nodeNameZh; self.nodeNameEn = nodeNameEn
        }
    }

    /// The currency the charts draw amounts in: the one with the most open deals (ties: the first
    /// in currency order); nil when no amount has a currency. Amounts in other currencies are in
    /// the tables only: one axis cannot hold two currencies.
    public var chartCurrency: String? {
        var deals: [String: Int] = [:]
        for row in forecast { if let c = row.currency { deals[c, default: 0] += row.deals } }
        for c in totals.amounts.map(\.currency) where deals[c] == nil { deals[c] = 0 }
        return deals.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.first?.key
    }

    /// The forecast's total line per currency, in the rows' currency order: its deals add the
    /// rows', its amounts are the open totals (``Totals/amounts``: the same deals, summed before
    /// rounding), so the line and the headline never differ by a cent of rounding.
    public var forecastTotals: [ForecastRow] {
        var order: [String?] = []
        var totals: [String?: ForecastRow] = [:]
        for row in forecast {
            if totals[row.currency] == nil { order.append(row.currency) }
            var t = totals[row.currency] ?? ForecastRow(month: nil, deals: 0, amount: 0, weighted: 0, currency: row.currency)
            t.deals += row.deals
            if let c = row.currency, let sums = self.totals.amounts.first(where: { $0.currency == c }) {
                t.amount = sums.open
                t.weighted = sums.openWeighted
            } else {
                t.amount = Self.cents(t.amount + row.amount)
                t.weighted = Self.cents(t.weighted + row.weighted)
            }
            totals[row.currency] = t
        }
        return order.sorted { Self.order($0) < Self.order($1) }.compactMap { totals[$0] }
    }

    /// How currencies (and months) are ordered in the model: by their text, none last.
    static func order(_ text: String?) -> String { text ?? "\u{10FFFF}" }

    /// An exact sum rounded to the cent as `flowc deals` rounds it (halves away from zero).
    static func cents(_ x: ViewDecimal) -> Double {
        Double(ValueFormat.cents(x.description, grouping: false)) ?? x.double
    }

    /// `x` rounded to the cent as `flowc deals` rounds it (halves away from zero, on the shortest
    /// decimal that reads back as `x`: `2.675` → `2.68`), as every amount of the model is.
    public static func cents(_ x: Double) -> Double {
        guard x.isFinite else { return x }
        return Double(ValueFormat.cents(x, grouping: false)) ?? x
    }
}
