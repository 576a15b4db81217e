public import FlowIR
import FlowCheck

/// Which fields of a template stand for the deal's amount, expected close date and customer name.
/// Templates do not mark them, so a fixed rule picks them (docs/views.md states it); the host
/// copies the first two into the view columns `amount` and `close_date` on every append, and the
/// report reads all three.
public enum ViewFields {
    /// The money field `amount`; else the first money field whose id ends in `amount`
    /// (`expected_amount`, `bid_amount`); else the first whose id contains `amount`; else the
    /// first money field. Never `amount_received`, nor a field of the customer profile (so a
    /// shared fragment's `annual_revenue` is never taken). Nil without one.
    /// (`ReportFields.amount`, which `flowc check` also reads, FC0714.)
    public static func amount(_ m: Machine) -> String? {
        ReportFields.amount(m.fields.enumerated().map {
            ReportFields.Candidate(id: $0.element.id, isMoney: $0.element.type == "money", inProfile: m.customer.profile.contains($0.offset))
        })
    }

    /// The date field `expected_close_date`, else the first date field whose id starts with
    /// `expected_close`; nil without one.
    public static func closeDate(_ m: Machine) -> String? {
        let dates = m.fields.filter { $0.type == "date" }.map(\.id)
        if dates.contains("expected_close_date") { return "expected_close_date" }
        return dates.first { $0.hasPrefix("expected_close") }
    }

    /// `customer_name` when the template has it, else its first identity field.
    public static func customer(_ m: Machine) -> String? {
        if m.fields.contains(where: { $0.id == "customer_name" }) { return "customer_name" }
        return m.customer.identity.first.flatMap { m.fields.indices.contains($0) ? m.fields[$0].id : nil }
    }
}
