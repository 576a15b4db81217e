/// The instant an evaluation runs at, provided by the caller: `now()` and `today()` read it, and
/// nothing reads the wall clock.
public struct ExprClock: Sendable, Hashable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var now: Int64
    /// The offset from UTC, in seconds, of the zone whose calendar day `today()` returns
    /// (e.g. 28800 for UTC+8).
    public var utcOffset: Int64

    /// - Parameters:
    ///   - now: seconds since the epoch, UTC.
    ///   - utcOffset: the zone offset for `today()`, in seconds east of UTC.
    public init(now: Int64, utcOffset: Int64 = 0) {
        self.now = now
        self.utcOffset = utcOffset
    }

    /// The epoch; what constant folding uses (constant expressions never read the clock).
    public static let epoch = ExprClock(now: 0)

    /// The day number of `today()`.
    var today: Int64 {
        let (local, overflow) = now.addingReportingOverflow(utcOffset)
        return CivilCalendar.floorDiv(overflow ? now : local, 86_400)
    }
}
