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
    /// The deal's amount (``ViewFields/amount(_:)``) as exact decimal text (`12345678901234567`,
    /// `0.125`), as `flowc deals` reads it, and its currency (nil without the deal's machine or
    /// an amount field).
    public let amount: String?
    public let currency: String?
    /// When the deal entered the public pool, in seconds since 1970 (nil outside it).
    public let poolSince: Int64?
    /// How it got there (`lost`, `idle`, `released`, `created`), the lose reason of a lost deal,
    /// and who had it before.
    public let arrival: PoolArrival?
    /// The id of the deal's template, from its machine (nil without it).
    public let templateID: String?

    /// - Parameter machine: the machine the deal runs on; without it the customer is read from
    ///   a field named `customer_name` and the amount has no currency.
    public init(_ deal: StoredDeal, machine: Machine?) {
        self.deal = deal
        let row = DealViewRow(deal)
        let field = machine.map(ViewFields.customer) ?? "customer_name"
        customer = field.flatMap { if case .text(let t)? = row.fields[$0] { t } else { nil } }
        let projection = deal.index.projection
        // The field's exact value, not the float of the view column (QA round 28, R3:
        // 12345678901234567 was shown as …568).
        let amountField = machine.flatMap(ViewFields.amount) ?? "amount"
        amount = switch row.fields[amountField] {
        case .integer(let n)?: String(n)
        case .decimal(let d)?: d.description
        case .real(let r)?: ValueFormat.plain(r)
        default: projection?.amount.map(ValueFormat.plain)
        }
        currency = machine.flatMap(ReportBuilder.currency)
        let inPublic = deal.index.pool == "public"
        poolSince = inPublic ? projection?.poolSince.map { $0.millisecondsSinceEpoch / 1000 } : nil
        arrival = inPublic ? projection?.poolArrival : nil
        templateID = machine?.template.id
    }

    /// `300,000.00 CNY`, as `flowc deals` and the report write an amount; nil without one.
    public var amountText: String? {
        amount.map { ValueFormat.cents($0, grouping: true) + (currency.map { " " + $0 } ?? "") }
    }
}
