public import FlowIR
import FlowHost

/// Which fields of a template the report and the default views read: the rule of
/// ``FlowHost/ViewFields`` (the host copies the amount and close date into view columns with it,
/// so the report and the columns cannot disagree).
public enum ReportQuery {
    public static func amountField(_ m: Machine) -> String? { ViewFields.amount(m) }
    public static func closeDateField(_ m: Machine) -> String? { ViewFields.closeDate(m) }
    public static func customerField(_ m: Machine) -> String? { ViewFields.customer(m) }
}
