import FlowHost
public import FlowIR
public import FlowStore

/// What `flowc pool list` shows of a deal beyond its row: the customer and the amount a rep
/// needs to choose a deal to claim, and, for a deal in the public pool, since when it is there,
/// how it came and from whom (the report's public pool, one deal a line).
public struct PoolListRow: Sendable {
    public let deal: StoredDeal
    /// The customer, as the deal's template names it (``ViewFields/customer(_:)``).
    public let customer: String?
    /// The deal's amount (``ViewFields/amount(_:)``), as the view column keeps it, and its
    /// currency (nil without the deal's machine or an amount field).
    public let amount: Double?
    public let currency: String?
    /// When the deal entered the public pool, in seconds since 1970 (nil outside it).
    public let poolSince: Int64?
    /// How it got there (`lost`, `idle`, `released`, `created`), the lose reason of a lost deal,
    /// and who had it before.
    public let arrival: PoolArrival?

    /// - Parameter machine: the machine the deal runs on; without it the customer is read from
    ///   a field named `customer_name` and the amount has no currency.
    public init(_ deal: StoredDeal, machine: Machine?) {
        self.deal = deal
        let row = DealViewRow(deal)
        let field = machine.map(ViewFields.customer) ?? "customer_name"
        customer = field.flatMap { if case .text(let t)? = row.fields[$0] { t } else { nil } }
        let projection = deal.index.projection
        amount = projection?.amount
        currency = machine.flatMap(ReportBuilder.currency)
        let inPublic = deal.index.pool == "public"
        poolSince = inPublic ? projection?.poolSince.map { $0.millisecondsSinceEpoch / 1000 } : nil
        arrival = inPublic ? projection?.poolArrival : nil
    }

    /// `300,000.00 CNY`, as the report writes an amount; nil without one.
    public var amountText: String? {
        amount.map { ReportTextFormat.amount($0, currency) }
    }
}
