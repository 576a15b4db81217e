import FlowCLI
import Foundation
import Testing

/// A command that changes deals refuses a `--now` more than a day after the system clock unless
/// told it is meant (CLI review, C1: `tick --now 2204-…` dated three deals' events in 2204, and
/// every later event of theirs was refused as earlier, for good).
@Suite struct FutureNowTests {
    static func iso(_ seconds: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    @Test func aWritingCommandRefusesANowFarAfterTheClock() throws {
        let dir = try tempDir([:])
        let db = dir + "/deals.sqlite"
        let clock = Int64(Date().timeIntervalSince1970)
        let run = flowc("run", Examples.template, "--deals", Examples.deals, "--db", db, "--now", Self.iso(clock))
        #expect(run.code == 0, "\(run.err)")
        let history = flowc("deal", "history", "D-1005", "--db", db).out
        // The mistyped year of the review.
        for command in [["tick"], ["pool", "sweep"], ["deal", "event", "D-1005", "--set", "quote=1 CNY", "--by", "wang.wu"],
                        ["pool", "release", "D-1005", "--by", "wang.wu"]] {
            let r = flowc(command + ["--db", db, "--now", "2204-07-01T00:00:00Z"])
            #expect(r.code == 2, "\(command): \(r.out)")
            #expect(r.err.hasPrefix("error: --now `2204-07-01T00:00:00Z` is "), "\(r.err)")
            #expect(r.err.contains(" years after this machine's clock (\(Self.iso(clock).prefix(10))"), "\(r.err)")
            #expect(r.err.hasSuffix("): the events this command writes are dated then, and every later event of the deals it touches, "
                + "dated by the clock, is refused as earlier (FC1106) until that time; check the date (and its zone), or add --allow-future-now for a test store\n"), "\(r.err)")
        }
        let run2 = flowc("run", Examples.template, "--deals", Examples.deals, "--db", dir + "/other.sqlite", "--now", Self.iso(clock + 40 * 86_400 + 3_600))
        #expect(run2.code == 2)
        #expect(run2.err.contains("is 40 days after this machine's clock"), "\(run2.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/other.sqlite"))
        #expect(flowc("deal", "history", "D-1005", "--db", db).out == history)
        // Commands that only read take any clock.
        #expect(flowc("deals", "--db", db, "--now", "2204-07-01T00:00:00Z").code == 0)
        #expect(flowc("deal", "show", "D-1005", "--db", db, "--now", "2204-07-01T00:00:00Z").code == 0)
        // A zone slip (`Z` written for `+08:00`): eight hours ahead is refused too (QA round 29, N1).
        let slip = flowc("tick", "--db", db, "--now", Self.iso(clock + 8 * 3_600 + 600))
        #expect(slip.code == 2)
        #expect(slip.err.contains(" is 8 hours after this machine's clock ("), "\(slip.err)")
        // Within five minutes of the clock (clocks a little apart), and when asked for, with a note.
        let near = flowc("tick", "--db", db, "--now", Self.iso(clock + 120))
        #expect(near.code == 0, "\(near.err)")
        #expect(!near.err.contains("after this machine's clock"), "\(near.err)")
        let asked = flowc("tick", "--db", db, "--now", "2204-07-01T00:00:00Z", "--allow-future-now")
        #expect(asked.code == 0, "\(asked.err)")
        #expect(asked.err.hasPrefix("note: --now `2204-07-01T00:00:00Z` is "), "\(asked.err)")
        #expect(flowc("deal", "history", "D-1005", "--db", db).out != history)
        // An acknowledgement dates no event: any clock (QA round 29, N5).
        #expect(flowc("outbox", "ack", "1", "--db", db, "--now", "2304-07-01T00:00:00Z").code == 0)
    }
}
