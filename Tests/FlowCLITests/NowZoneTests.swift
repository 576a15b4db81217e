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
        // Other ways people write an offset (QA round 23).
        // A zone's name needs the system's zone data (tzdata), which this machine has.
        let names = TimeZone(identifier: "Asia/Shanghai") == nil ? [] : [("Asia/Shanghai", "8h")]
        for (text, fix) in [("8H", "8h"), ("UTC+8", "8h"), ("GMT-5:30", "-5h30m"), ("5:30", "5h30m")] + names {
            let other = flowc("report", "--db", db, "--utc-offset", text)
            #expect(other.code == 2, "\(text)")
            #expect(other.err.hasPrefix("Error: --utc-offset: expected 8h, -5h, -05:00, Z or seconds; write `\(fix)`"), "\(text): \(other.err)")
        }
        // A zone with summer time gets its offset at `--now`, not on the machine's date (QA
        // round 43, T6: `America/New_York` with a July `--now` suggested -5h in December).
        if TimeZone(identifier: "America/New_York") != nil {
            // In any case, and UTC by its name (QA round 44, R8).
            let lower = flowc("report", "--db", db, "--now", "2024-07-01T09:00:00-04:00", "--utc-offset", "america/new_york")
            #expect(lower.err.hasPrefix("Error: --utc-offset: expected 8h, -5h, -05:00, Z or seconds; write `-4h` (America/New_York at --now)"), "\(lower.err)")
            let utc = flowc("report", "--db", db, "--utc-offset", "UTC")
            #expect(utc.err.hasPrefix("Error: --utc-offset: expected 8h, -5h, -05:00, Z or seconds; write `0h` (UTC now)"), "\(utc.err)")
            for (now, fix) in [("2024-07-01T09:00:00-04:00", "-4h"), ("2024-01-15T09:00:00-05:00", "-5h")] {
                let named = flowc("report", "--db", db, "--now", now, "--utc-offset", "America/New_York")
                #expect(named.code == 2)
                #expect(named.err.hasPrefix("Error: --utc-offset: expected 8h, -5h, -05:00, Z or seconds; write `\(fix)` (America/New_York at --now)"), "\(named.err)")
            }
        }
        #expect(flowc("report", "--db", db, "--utc-offset", "soon").err.hasPrefix("Error: --utc-offset: expected 8h, -5h, -05:00, Z or seconds\n"))
        for (text, hint) in [("-0500", "(-05:00) or as -5h"), ("+0530", "(+05:30) or as 5h30m"), ("0530", "(+05:30) or as 5h30m")] {
            let basic = flowc("report", "--db", db, "--utc-offset", text)
            #expect(basic.code == 2, "\(text)")
            #expect(basic.err.hasPrefix("Error: --utc-offset: `\(text)` reads as seconds; write hours and minutes with a colon \(hint)"), "\(basic.err)")
        }
    }

    /// The zone of `--now` is the default offset, so it is held to what `--utc-offset` takes
    /// (QA round 11: `+23:59` became the report's zone). With the zone given apart too: every
    /// instant written is held to the zones in use (QA round 43, T4: a typo `+18:00` for `+08:00`
    /// moved a time ten hours unsaid).
    @Test func aZoneOfNowThatNoZoneUsesIsRefused() throws {
        let db = try Examples.loaded()
        for now in ["2024-08-01T00:00:00+23:59", "2024-08-01T00:00:00+05:17", "2024-08-01T00:00:00+15:00"] {
            for zone in [[], ["--utc-offset", "8h"]] {
                let r = flowc(["report", "--db", db, "--now", now] + zone)
                #expect(r.code == 2, "\(now)")
                #expect(r.err.contains("--now: the zone of `\(now)` is no zone in use (they run from -14:00 to +14:00, in whole quarter hours)"), "\(r.err)")
            }
        }
        #expect(flowc("report", "--db", db, "--now", "2024-08-01T00:00:00+05:45").code == 0)
    }
}

/// The text outputs for people write times in the command's zone when it knows one (QA round
/// 22, M8: `deal why` said 01:00Z where the report said 09:00); JSON and a command without a
/// zone keep UTC with `Z`.
@Suite struct LocalTimesInTextTests {
    @Test func dealOutputsWriteTimesInTheCommandsZone() throws {
        let db = try Examples.loaded()
        let show = flowc("deal", "show", "D-1002", "--db", db, "--utc-offset", "8h")
        #expect(show.out.contains("created 2024-05-06T14:00:00+08:00; 6 events, the last `e5` at 2024-05-09T14:00:00+08:00"), "\(show.out)")
        let why = flowc("deal", "why", "D-1002", "--db", db, "--now", "2024-07-01T09:00:00+08:00")
        #expect(why.out.contains("  #1 2024-05-06T14:00:00+08:00 create (owner `wang.wu`) by `wang.wu`"), "\(why.out)")
        #expect(why.out.contains("the deal was lost (competitor) at 2024-05-08T14:00:00+08:00"), "\(why.out)")
        let west = flowc("deal", "history", "D-1002", "--db", db, "--utc-offset", "-05:30")
        #expect(west.out.hasPrefix("#1 2024-05-06T00:30:00-05:30 create"), "\(west.out)")
        // No zone: UTC, as before.
        let utc = flowc("deal", "history", "D-1002", "--db", db)
        #expect(utc.out.hasPrefix("#1 2024-05-06T06:00:00Z create"), "\(utc.out)")
        // JSON stays in UTC (epoch seconds and `Z` forms), whatever the zone.
        let json = flowc("deal", "show", "D-1002", "--db", db, "--utc-offset", "8h", "--json")
        #expect(!json.out.contains("+08:00"), "\(json.out.prefix(300))")
        let pool = flowc("pool", "list", "private", "--db", db, "--utc-offset", "8h")
        #expect(pool.out.contains("next timer 2024-"), "\(pool.out)")
        #expect(pool.out.contains("+08:00") && !pool.out.contains(":00Z"), "\(pool.out)")
        // The deals table and its CSV (QA round 23); its JSON stays UTC.
        let table = flowc("deals", "--db", db, "--utc-offset", "8h", "--columns", "deal,created", "--where", "deal == 'D-1002'")
        #expect(table.out.contains("D-1002  2024-05-06T14:00:00+08:00"), "\(table.out)")
        let csv = flowc("deals", "--db", db, "--utc-offset", "8h", "--columns", "deal,created", "--where", "deal == 'D-1002'", "--format", "csv")
        #expect(csv.out.contains("D-1002,2024-05-06T14:00:00+08:00"), "\(csv.out)")
        let rows = flowc("deals", "--db", db, "--utc-offset", "8h", "--columns", "deal,created", "--format", "json")
        #expect(!rows.out.contains("+08:00"), "\(rows.out.prefix(300))")
        // A refusal's times, in the same zone as the lines around it.
        let early = flowc("deal", "event", "D-1003", "--set", "intent=low", "--at", "2024-05-01T09:00:00+08:00", "--db", db,
                          "--now", "2024-07-01T09:00:00+08:00")
        #expect(early.code == 1)
        #expect(early.err.contains("happened at 2024-05-01T09:00:00+08:00, before the last event applied (2024-"), "\(early.err)")
        #expect(!early.err.contains(":00Z"), "\(early.err)")
        // An event after the clock says which clock (QA round 22, m13).
        let late = flowc("deal", "event", "D-1003", "--set", "intent=low", "--at", "2030-01-01T09:00:00+08:00", "--db", db,
                         "--now", "2024-07-01T09:00:00+08:00")
        #expect(late.code == 1)
        #expect(late.err.contains("is dated 2030-01-01T09:00:00+08:00, after the host's clock (2024-07-01T09:00:00+08:00; "
                                  + "a command sets it with `--now`, a library host with its service's `clock`)"), "\(late.err)")
    }
}
