/// Where an evaluation gets field values from, by path. Return nil (or `.null`) for unset fields.
public protocol ExprValueSource {
    /// The value of the field at `path`; nil or `.null` when it is unset.
    func value(of path: String) -> ExprValue?
}

extension Dictionary: ExprValueSource where Key == String, Value == ExprValue {
    /// The entry for `path`.
    public func value(of path: String) -> ExprValue? { self[path] }
}
