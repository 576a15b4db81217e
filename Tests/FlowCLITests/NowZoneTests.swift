import Foundation
import Testing
@testable import FlowCLI

/// `--now` with a zone sets the zone of the host commands unless `--utc-offset` says otherwise:
/// a manager who writes `--now 2024-07-01T09:00:00+08:00` reads the report in UTC+08:00.
@Suite struct NowZoneTests {
    @Test(arguments: [
        ("2024-07-01T09:00:00+08:00", Int64?.some(28_800)), ("2024-07-01T09:00:00-0530", -19_800), ("2024-07-01T09:00:00Z", 0),
        ("2024-07-01T09:00:00.250+01:00", 3_600), ("1719795600", nil), ("2024-07-01", nil), ("2024-07-01T09:00:00+25:00", nil),
    ])
    func theZoneIsReadFromTheEndOfTheTime(_ text: String, _ offset: Int64?) {
        #expect(StoreOptions.zone(of: text) == offset)
    }

    @Test func theReportUsesTheZoneOfNowUnlessUTCOffsetIsGiven() throws {
        let db = try Examples.loaded()
        let zoned = flowc("report", "--db", db, "--now", "2024-07-01T09:00:00+08:00", "--color", "never")
        #expect(zoned.code == 0, "\(zoned.err)")
        #expect(zoned.out.contains("2024-07-01 09:00 (UTC+08:00)"), "\(zoned.out.prefix(300))")
        let utc = flowc("report", "--db", db, "--now", "2024-07-01T09:00:00+08:00", "--utc-offset", "0", "--color", "never")
        #expect(utc.out.contains("2024-07-01 01:00 (UTC)"), "\(utc.out.prefix(300))")
        // A zone west of UTC, as the help writes it (`-5h` was taken for an option: "Missing value").
        let west = flowc("report", "--db", db, "--now", "2024-07-01T09:00:00+08:00", "--utc-offset", "-5h", "--color", "never")
        #expect(west.code == 0, "\(west.err)")
        #expect(west.out.contains("2024-06-30 20:00 (UTC-05:00)") || west.out.contains("2024-06-30 20:00 (UTC−05:00)"), "\(west.out.prefix(300))")
        // A bad value starting with `-` and holding an `h` was taken for `-h`: the help, exit 0.
        let badNow = flowc("report", "--db", db, "--now", "-1h")
        #expect(badNow.code == 2)
        #expect(badNow.out.isEmpty && badNow.err.hasPrefix("Error: --now: expected an ISO-8601 datetime"), "\(badNow.out.prefix(200))\(badNow.err)")
        let badZone = flowc("deals", "--db", db, "--utc-offset", "-15h")
        #expect(badZone.code == 2)
        #expect(badZone.err.hasPrefix("Error: --utc-offset: `-15h` is out of range"), "\(badZone.err)")
    }

    /// Zones on Earth run from UTC−12 to UTC+14 (the bound is ±14h, as a scenario's
    /// `utc_offset`); `99h` is a typo, not a zone.
    @Test func aUTCOffsetBeyondTheEarthsZonesIsAUsageError() throws {
        let db = try Examples.loaded()
        for offset in ["99h", "-15h", "100000", "14h1m"] {
            let r = flowc("pool", "list", "--db", db, "--utc-offset=\(offset)")
            #expect(r.code == 2, "\(offset)")
            #expect(r.err.contains("--utc-offset: `\(offset)` is out of range: a UTC offset is from -14h to +14h"), "\(offset): \(r.err)")
        }
        for offset in ["14h", "-14h", "5h30m", "0", "+14:00", "-12:00"] {
            #expect(flowc("pool", "list", "--db", db, "--utc-offset=\(offset)").code == 0, "\(offset)")
        }
        let far = flowc("pool", "list", "--db", db, "--utc-offset=+15:00")
        #expect(far.code == 2 && far.err.contains("`+15:00` is out of range"), "\(far.err)")
    }

    /// The zone as an ISO time ends (`-05:00`) is an offset too; the same without its colon
    /// (`-0500`) would be read as 500 seconds, so it is refused with the two ways to write it.
    @Test(arguments: [
        ("-05:00", Int64?.some(-18_000)), ("+05:30", 19_800), ("08:00", 28_800), ("-5h", -18_000), ("3600", 3_600),
        ("-3600", -3_600), ("+08:60", nil), ("5:30", nil),
    ])
    func anOffsetIsSecondsADurationOrHoursAndMinutes(_ text: String, _ seconds: Int64?) {
        #expect(StoreOptions.offset(text) == seconds)
    }

    @Test func anOffsetWrittenAsTheEndOfAnISOTimeWorks() throws {
        let db = try Examples.loaded()
        let west = flowc("report", "--db", db, "--now", "2024-07-01T09:00:00+08:00", "--utc-offset", "-05:00", "--color", "never")
        #expect(west.code == 0, "\(west.err)")
        #expect(west.out.contains("2024-06-30 20:00 (UTC-05:00)") || west.out.contains("2024-06-30 20:00 (UTC−05:00)"), "\(west.out.prefix(300))")
        // A number of seconds that is no whole number of minutes was meant as hours.
        for (text, hint) in [("-5", "reads as 5 seconds, and no zone is off UTC by other than whole quarter hours; write hours as `-5h` or `-05:00`"),
                             ("+1", "reads as 1 second, and no zone is off UTC by other than whole quarter hours; write hours as `1h` or `+01:00`"),
                             ("-300", "reads as 300 seconds, and no zone is off UTC by other than whole quarter hours; write `8h`, `-5h30m` or `-05:00`")] {
            let seconds = flowc("report", "--db", db, "--utc-offset", text)
            #expect(seconds.code == 2, "\(text)")
            #expect(seconds.err.hasPrefix("Error: --utc-offset: `\(text)` \(hint)"), "\(seconds.err)")
        }
        #expect(flowc("report", "--db", db, "--utc-offset", "Z", "--now", "2024-07-01T09:00:00+08:00", "--color", "never").out.contains("2024-07-01 01:00 (UTC)"))
        // The quarter-hour rule holds for every way to write an offset (Nepal is +05:45).
        let odd = flowc("report", "--db", db, "--utc-offset", "+05:46")
        #expect(odd.code == 2)
        #expect(odd.err.hasPrefix("Error: --utc-offset: `+05:46` is 5h46m east of UTC, and no zone is off UTC by other than whole quarter hours; write `8h`, `-5h30m` or `-05:00`"), "\(odd.err)")
        #expect(flowc("report", "--db", db, "--utc-offset", "+05:45").code == 0)
        for (text, hint) in [("-0500", "(-05:00) or as -5h"), ("+0530", "(+05:30) or as 5h30m")] {
            let basic = flowc("report", "--db", db, "--utc-offset", text)
            #expect(basic.code == 2, "\(text)")
            #expect(basic.err.hasPrefix("Error: --utc-offset: `\(text)` reads as seconds; write hours and minutes with a colon \(hint)"), "\(basic.err)")
        }
    }

    /// The zone of `--now` is the default offset, so it is held to what `--utc-offset` takes
    /// (QA round 11: `+23:59` became the report's zone).
    @Test func aZoneOfNowThatNoZoneUsesIsRefused() throws {
        let db = try Examples.loaded()
        for now in ["2024-08-01T00:00:00+23:59", "2024-08-01T00:00:00+05:17"] {
            let r = flowc("report", "--db", db, "--now", now)
            #expect(r.code == 2, "\(now)")
            #expect(r.err.contains("--now: the zone of `\(now)` is no zone in use"), "\(r.err)")
            // With the zone given apart, the instant alone counts.
            #expect(flowc("report", "--db", db, "--now", now, "--utc-offset", "8h").code == 0)
        }
        #expect(flowc("report", "--db", db, "--now", "2024-08-01T00:00:00+05:45").code == 0)
    }
}
