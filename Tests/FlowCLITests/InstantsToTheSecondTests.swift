import FlowCLI
import Foundation
import Testing

/// flowc keeps instants to the second, in zones that are in use: every instant a person writes
/// (a record's `at`, a datetime field's value, a scenario's times, a template's literal) is held
/// to that, with the rule it breaks, where `--now` alone was (QA round 43, T3, T4: a fraction was
/// dropped and `+18:00` taken without a word; T8, T11: a scenario said no reason).
@Suite struct InstantsToTheSecondTests {
    @Test func aRecordsFractionOrZoneNoZoneUsesIsRejectedWithTheRule() throws {
        let records = [
            #"{"id": "A1", "at": "2024-05-06T09:00:00.5Z", "owner": "alice", "fields": {"customer_name": "A1"}}"#,
            #"{"id": "A2", "at": "2024-05-06T09:00:00Z", "owner": "alice", "fields": {"customer_name": "A2", "visited_at": "2024-05-06T10:00:00.75+08:00"}}"#,
            #"{"id": "A3", "at": "2024-05-06T09:00:00+15:00", "owner": "alice", "fields": {"customer_name": "A3"}}"#,
            // `.000`, as JavaScript's `toISOString()` writes it, drops nothing.
            #"{"id": "A4", "at": "2024-05-06T09:00:00.000Z", "owner": "alice", "fields": {"customer_name": "A4", "visited_at": "2024-05-06T10:00:00.000+05:45"}}"#,
        ]
        let dir = try tempDir(["mini.flow.yaml": try miniTemplate(), "d.jsonl": records.joined(separator: "\n") + "\n"])
        let db = dir + "/d.sqlite"
        let r = flowc("run", dir + "/mini.flow.yaml", "--deals", dir + "/d.jsonl", "--db", db, "--now", "2024-06-01T00:00:00Z")
        #expect(r.code == 1, "\(r.err)")
        #expect(r.out.contains("records: 4 read: 1 created, 0 advanced, 0 unchanged, 3 rejected"), "\(r.out)")
        #expect(r.err.contains("d.jsonl:1: error[FC1220]: deal `A1`: not a valid record: at: `2024-05-06T09:00:00.5Z` is not `+3d`, an ISO-8601 datetime "
            + "with zone, or epoch seconds; flowc keeps instants to the second, and the fraction would be dropped: write `2024-05-06T09:00:00Z`\n"), "\(r.err)")
        #expect(r.err.contains("d.jsonl:2: error[FC1221]: deal `A2`, create: field `visited_at`: `2024-05-06T10:00:00.75+08:00` is not a datetime: "
            + "flowc keeps instants to the second, and the fraction would be dropped: write `2024-05-06T10:00:00+08:00`\n"), "\(r.err)")
        #expect(r.err.contains("d.jsonl:3: error[FC1220]: deal `A3`: not a valid record: at: `2024-05-06T09:00:00+15:00` is not `+3d`, an ISO-8601 "
            + "datetime with zone, or epoch seconds; a zone offset is one a zone uses: from `-14:00` to `+14:00`, in whole quarter hours\n"), "\(r.err)")
        #expect(flowc("deal", "show", "A4", "--db", db).out.contains("visited_at = 2024-05-06T04:15:00Z"))

        let set = flowc("deal", "event", "A4", "--set", "visited_at=2024-05-06T10:00:00.5+08:00", "--db", db, "--now", "2024-06-01T00:00:00Z")
        #expect(set.code == 1)
        #expect(set.err.contains("field `visited_at`: `2024-05-06T10:00:00.5+08:00` is not a datetime: flowc keeps instants to the second"), "\(set.err)")
        let at = flowc("deal", "event", "A4", #"{"at": "2024-05-07T12:00:00+05:17", "set": {"customer_name": "x"}}"#, "--db", db, "--now", "2024-06-01T00:00:00Z")
        #expect(at.code == 1)
        #expect(at.err.contains("at: `2024-05-07T12:00:00+05:17` is not `+3d`, an ISO-8601 datetime with zone, or epoch seconds; a zone offset is one a zone uses"), "\(at.err)")
        // `--at` and `--now` say it as they said a fraction.
        let option = flowc("tick", "--at", "2024-05-06T09:00:00+18:00", "--db", db, "--now", "2024-06-01T00:00:00Z")
        #expect(option.code == 2)
        #expect(option.err.contains("--at: the zone of `2024-05-06T09:00:00+18:00` is no zone in use (they run from -14:00 to +14:00, in whole quarter hours)"), "\(option.err)")
        let leap = flowc("tick", "--db", db, "--now", "2016-12-31T23:59:60Z")
        #expect(leap.code == 2)
        #expect(leap.err.contains("--now: `2016-12-31T23:59:60Z` is no instant: seconds run from 00 to 59"), "\(leap.err)")
    }

    @Test func aScenariosTimesAndValuesSayTheRuleTheyBreak() throws {
        let scenario = """
            scenario: s
            start: "2016-12-31T23:59:60Z"
            deal:
              owner: alice
              fields: {customer_name: ACME}
            steps:
              - at: "2024-05-08T09:00:00.9+08:00"
                tick: true
                expect: {next_timer: "2024-05-08T09:00:00+18:00"}

            """
        let dir = try tempDir(["mini.flow.yaml": try miniTemplate(), "a.scenario.yaml": scenario])
        let r = flowc("test", dir + "/mini.flow.yaml", dir + "/a.scenario.yaml", "--color", "never")
        #expect(r.code == 1)
        #expect(r.out.contains("a.scenario.yaml:2:8: error[FC1301]: start: expected an ISO-8601 datetime with zone, or epoch seconds: seconds run from 00 to 59\n"), "\(r.out)")
        #expect(r.out.contains("a.scenario.yaml:7:9: error[FC1301]: steps[0].at: expected `+3d`, an ISO-8601 datetime with zone, or epoch seconds: "
            + "flowc keeps instants to the second, and the fraction would be dropped: write `2024-05-08T09:00:00+08:00`\n"), "\(r.out)")
        #expect(r.out.contains("a.scenario.yaml:9:26: error[FC1301]: steps[0].expect.next_timer: expected a datetime, `+duration` from this step, or null: "
            + "a zone offset is one a zone uses"), "\(r.out)")

        // A value the step sets is refused with the rule, and the field is said given it, not to hold it.
        let set = """
            scenario: s
            start: "2024-05-06T09:00:00Z"
            deal:
              owner: alice
              fields: {customer_name: ACME}
            steps:
              - set: {visited_at: "2024-05-06T10:00:00.5Z"}

            """
        let dir2 = try tempDir(["mini.flow.yaml": try miniTemplate(), "b.scenario.yaml": set])
        let s = flowc("test", dir2 + "/mini.flow.yaml", dir2 + "/b.scenario.yaml", "--color", "never")
        #expect(s.code == 1)
        #expect(s.out.contains("refused[FC1112]: field `visited_at` is given `2024-05-06T10:00:00.5Z`, not a datetime: flowc keeps instants to the second, "
            + "and the fraction would be dropped: write `2024-05-06T10:00:00Z`"), "\(s.out)")
    }
}
