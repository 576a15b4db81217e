import FlowCLI
import Foundation
import Testing

/// What `flowc migrate` says before it moves deals into trouble, and where (QA round 27): timers
/// the new version makes due at once (M1), a target older than the deals' version (M4), a
/// `--from` that matches no deal (M10), a mapping's problems at their place in the map file (M8),
/// a blocked node the new version makes active again (M7), a done node put ahead of the deal (M5),
/// and, after it, what `why` says of the nodes the new version adds ahead of the deal (M11).
@Suite struct MigrateWarningsTests {
    static let mini = (try? String(contentsOfFile: repoRoot + "/testdata/run/mini.flow.yaml", encoding: .utf8)) ?? ""

    /// A store with three deals of the mini template (idle after 10d, warn 7d), created a day
    /// apart and more, and the template's versions written beside it; returns the directory.
    static func store(_ versions: [String: String]) throws -> String {
        let dir = try tempDir(versions.merging(["v1.flow.yaml": mini]) { a, _ in a })
        for (id, owner, name, at) in [("T-1", "amy", "甲", "2024-05-06T09:00:00Z"), ("T-2", "bo", "乙", "2024-05-07T21:00:00Z"),
                                      ("T-3", "cy", "丙", "2024-05-09T09:00:00Z")] {
            let r = flowc("deal", "create", dir + "/v1.flow.yaml", "--id", id, "--owner", owner, "--set", "customer_name=\(name)",
                          "--at", at, "--db", dir + "/s.sqlite", "--now", at)
            #expect(r.code == 0, "\(r.err)")
        }
        return dir
    }

    /// A migration dated before a deal's last event is refused with both times in the zone of
    /// `--now`, as the rest of the report and `deal event` give them (QA round 41, M7: in UTC).
    @Test func aMigrationBeforeTheLastEventSaysItsTimesInTheZoneOfNow() throws {
        let v2 = Self.mini.replacingOccurrences(of: "version: 1.0.0", with: "version: 1.1.0")
        let dir = try Self.store(["v2.flow.yaml": v2])
        let r = flowc("migrate", "--to", dir + "/v2.flow.yaml", "--deal", "T-3", "--now", "2024-05-09T12:00:00+08:00", "--db", dir + "/s.sqlite")
        #expect(r.code == 1, "\(r.out)\(r.err)")
        #expect(r.out.contains("refused[FC1106]: event `migrate-") && r.out.contains("happened at 2024-05-09T12:00:00+08:00, before the last event applied (2024-05-09T17:00:00+08:00)"), "\(r.out)")
    }

    /// A shorter idle timer: a deal already idle past the new return goes to the public pool at
    /// the next tick, with no warning first; one past the new warning gets it. The dry run and the
    /// applied report say so per deal and count them, and the tick does what they said.
    @Test func timersTheNewVersionMakesDueAtOnceAreSaidPerDealAndCounted() throws {
        let v2 = Self.mini.replacingOccurrences(of: "version: 1.0.0", with: "version: 1.1.0")
            .replacingOccurrences(of: "idle: {after: 10d, warn: 7d", with: "idle: {after: 3d, warn: 2d")
        #expect(v2.contains("after: 3d, warn: 2d"))
        let dir = try Self.store(["v2.flow.yaml": v2])
        let db = dir + "/s.sqlite", now = "2024-05-10T09:00:00Z"
        let dry = flowc("migrate", "--to", dir + "/v2.flow.yaml", "--now", now, "--db", db)
        #expect(dry.code == 0, "\(dry.err)")
        #expect(dry.out.contains("""
              note: idle since 2024-05-06T09:00:00Z (4d), past the new version's idle return after 3d: the next tick returns the deal from `amy` to the public pool, with no idle warning first (the new warning after 2d is past too)
              ok: would migrate
            """), "\(dry.out)")
        #expect(dry.out.contains("""
              note: idle since 2024-05-07T21:00:00Z (2d), past the new version's idle warning after 2d: the next tick gives the warning, and the deal returns to the public pool from `bo` at 2024-05-10T21:00:00Z unless its status changes first
              ok: would migrate
            """), "\(dry.out)")
        // T-3, idle a day, is due nothing.
        let t3 = try #require(dry.out.components(separatedBy: "deal `T-3`").last)
        #expect(!t3.contains("note:"), "\(t3)")
        #expect(dry.out.hasSuffix("""
            due at once on the new version, at the next tick after --apply: 1 deal returns to the public pool (idle past the new `pool.idle.after`); 1 deal gets the idle warning (idle past the new `pool.idle.warn`); each deal's notes say which
            dry run: 3 would migrate, 0 refused, 0 skipped (no deal changed; --apply writes)

            """), "\(dry.out)")
        let json = flowc("migrate", "--to", dir + "/v2.flow.yaml", "--now", now, "--db", db, "--json")
        #expect(json.out.contains(#""dueAtOnce":[{"at":1715245200,"kind":"idle_return"}]"#), "\(json.out)")
        #expect(json.out.contains(#""dueAtOnce":[{"at":1715288400,"kind":"idle_warning"}]"#), "\(json.out)")
        #expect(json.out.contains(#""dueAtOnce":[]"#))

        let applied = flowc("migrate", "--to", dir + "/v2.flow.yaml", "--now", now, "--db", db, "--apply")
        #expect(applied.code == 0, "\(applied.err)")
        #expect(applied.out.contains("\ndue at once on the new version, at the next tick: 1 deal returns to the public pool (idle past the new `pool.idle.after`); 1 deal gets the idle warning (idle past the new `pool.idle.warn`); each deal's notes say which\napplied: 3 migrated"), "\(applied.out)")
        let tick = flowc("tick", "--at", "2024-05-10T09:05:00Z", "--now", "2024-05-10T09:05:00Z", "--db", db)
        #expect(tick.code == 0, "\(tick.err)")
        #expect(tick.out.contains("idle_warning 1"), "\(tick.out)")
        #expect(tick.out.contains("returned_to_pool 1"), "\(tick.out)")
        #expect(tick.out.contains("returned to the public pool: T-1\n"), "\(tick.out)")
    }

    /// A node past its new due date is counted with the idle returns.
    @Test func aNodePastItsNewDueDateIsCounted() throws {
        let v2 = Self.mini.replacingOccurrences(of: "version: 1.0.0", with: "version: 1.1.0").replacingOccurrences(of: "    due: 5d\n", with: "    due: 2d\n")
        let dir = try Self.store(["v2.flow.yaml": v2])
        let dry = flowc("migrate", "--to", dir + "/v2.flow.yaml", "--now", "2024-05-10T09:00:00Z", "--db", dir + "/s.sqlite")
        #expect(dry.code == 0, "\(dry.err)")
        #expect(dry.out.contains("  note: `talks` is past its new due date (2024-05-08T09:00:00Z): the next tick or event blocks it, as of that date, and its escalation follows from it\n"), "\(dry.out)")
        #expect(dry.out.contains("\ndue at once on the new version, at the next tick after --apply: 2 deals get a node blocked (past its new `due`); each deal's notes say which\n"), "\(dry.out)")
        // A node without `escalate` is promised no escalation (QA round 36, C18).
        guard let escalate = v2.range(of: #"\n    escalate: [^\n]*"#, options: .regularExpression) else {
            Issue.record("the mini template's `talks` has no `escalate` line")
            return
        }
        let v3 = v2.replacingCharacters(in: escalate, with: "").replacingOccurrences(of: "version: 1.1.0", with: "version: 1.2.0")
        try v3.write(toFile: dir + "/v3.flow.yaml", atomically: true, encoding: .utf8)
        let plain = flowc("migrate", "--to", dir + "/v3.flow.yaml", "--now", "2024-05-10T09:00:00Z", "--db", dir + "/s.sqlite")
        #expect(plain.out.contains("  note: `talks` is past its new due date (2024-05-08T09:00:00Z): the next tick or event blocks it, as of that date\n"), "\(plain.out)")
    }

    /// A target whose version is lower than the deals' is refused (FC1230), said once at the
    /// target's `version:` with the option that allows it, and the deals counted; with
    /// `--allow-older` they move, each with a note.
    @Test func aTargetOlderThanTheDealsIsRefusedUnlessAllowed() throws {
        let v2 = Self.mini.replacingOccurrences(of: "version: 1.0.0", with: "version: 1.10.0")
        let older = Self.mini.replacingOccurrences(of: "version: 1.0.0", with: "version: 1.9.0")
        let dir = try Self.store(["v2.flow.yaml": v2, "older.flow.yaml": older])
        let db = dir + "/s.sqlite", now = "2024-05-10T09:00:00Z"
        #expect(flowc("migrate", "--to", dir + "/v2.flow.yaml", "--now", now, "--db", db, "--apply").code == 0)
        let back = flowc("migrate", "--to", dir + "/older.flow.yaml", "--now", now, "--db", db, "--apply")
        #expect(back.code == 1)
        #expect(back.err == "\(dir)/older.flow.yaml:3:31: error[FC1230]: the new version 1.9.0 is older than 1.10.0, the version of 3 open deals: they are refused (check `--to`); --allow-older moves deals back to an older version\n", "\(back.err)")
        #expect(back.out.contains("\nrefused[FC1230]: 3 deals on a later version than the target's 1.9.0 (T-1, T-2, T-3): moving deals back needs --allow-older\napplied: 0 migrated, 3 refused (FC1230 3), 0 skipped\n"), "\(back.out)")
        #expect(!back.out.contains("deal `T-1`"))
        let json = flowc("migrate", "--to", dir + "/older.flow.yaml", "--now", now, "--db", db, "--json")
        #expect(json.out.contains(#""reason":"deal `T-1` runs on 1.10.0, a later version than the target's 1.9.0: moving it back needs `--allow-older`""#), "\(json.out)")
        #expect(flowc("deal", "show", "T-1", "--db", db).out.contains("template `mini` 1.10.0"))
        let allowed = flowc("migrate", "--to", dir + "/older.flow.yaml", "--now", now, "--db", db, "--apply", "--allow-older")
        #expect(allowed.code == 0, "\(allowed.err)")
        #expect(allowed.err.isEmpty)
        #expect(allowed.out.contains("  note: moves back from 1.10.0 to 1.9.0, an older version (`--allow-older`)\n  ok: migrated"), "\(allowed.out)")
        #expect(flowc("deal", "show", "T-1", "--db", db).out.contains("template `mini` 1.9.0"))
        #expect(flowc("explain", "FC1230").out.contains("migrate-older-version"))
    }

    /// `--from` a version no deal runs on matched nothing: FC1231, exit 1, naming the versions
    /// the open deals run on; with a `--from` that matches, the deals on other versions are said.
    @Test func aFromVersionNoDealRunsOnIsAnError() throws {
        let v2 = Self.mini.replacingOccurrences(of: "version: 1.0.0", with: "version: 1.1.0")
        let v3 = Self.mini.replacingOccurrences(of: "version: 1.0.0", with: "version: 1.2.0")
        let dir = try Self.store(["v2.flow.yaml": v2, "v3.flow.yaml": v3])
        let db = dir + "/s.sqlite", now = "2024-05-10T09:00:00Z"
        #expect(flowc("migrate", "--to", dir + "/v2.flow.yaml", "--deal", "T-1", "--now", now, "--db", db, "--apply").code == 0)
        let zero = "sha256:" + String(repeating: "0", count: 64)
        let none = flowc("migrate", "--to", dir + "/v3.flow.yaml", "--from", zero, "--now", now, "--db", db, "--apply")
        #expect(none.code == 1)
        let show = flowc("migrate", "--to", dir + "/v3.flow.yaml", "--now", now, "--db", db, "--json").out
        let hashes = show.components(separatedBy: #""fromHash":""#).dropFirst().map { String($0.prefix(71)) }
        let h1 = try #require(hashes.first { show.contains(#""fromHash":"\#($0)","fromVersion":"1.0.0""#) })
        let h2 = try #require(hashes.first { show.contains(#""fromHash":"\#($0)","fromVersion":"1.1.0""#) })
        #expect(none.err == "error[FC1231]: no deal of the store runs on \(zero) (`--from`); the open deals of `mini` run on 1.0.0 \(h1) (2), 1.1.0 \(h2) (1)\n", "\(none.err)")
        #expect(none.out.contains("dry run") == false)
        #expect(none.out.contains("applied: 0 migrated, 0 refused, 0 skipped"))
        let some = flowc("migrate", "--to", dir + "/v3.flow.yaml", "--from", h2, "--now", now, "--db", db)
        #expect(some.code == 0, "\(some.err)")
        #expect(some.out.contains("\nnote: not considered (`--from \(h2)`): the open deals on 1.0.0 \(h1) (2)\n"), "\(some.out)")
        #expect(some.out.contains("dry run: 1 would migrate, 0 refused, 0 skipped"))
        #expect(flowc("explain", "FC1231").out.contains("migrate-from-matches-nothing"))
    }

    /// A mapping's problems found after the map file was read are said at their place in it; a
    /// mapping written `new: old` is recognised, and a display name gets the node's id.
    @Test func mappingProblemsAreLocatedInTheMapFileWithHelp() throws {
        let v2 = Self.mini.replacingOccurrences(of: "version: 1.0.0", with: "version: 2.0.0")
            .replacingOccurrences(of: "- id: talks", with: "- id: first_talks").replacingOccurrences(of: "reject: talks", with: "reject: first_talks")
            .replacingOccurrences(of: "rework: [talks]", with: "rework: [first_talks]").replacingOccurrences(of: "    name: Talks\n", with: "    name: {zh: 初谈, en: First talks}\n")
        let dir = try Self.store(["v2.flow.yaml": v2,
                                  "rev.yaml": "# written the wrong way round\nfirst_talks: talks\n",
                                  "zh.yaml": "talks: 初谈\n",
                                  "two.yaml": "talks: first_talks\n---\nreview: review\n"])
        let db = dir + "/s.sqlite", now = "2024-05-10T09:00:00Z"
        func migrate(_ file: String) -> (code: Int32, out: String, err: String) {
            flowc("migrate", "--to", dir + "/v2.flow.yaml", "--map-file", dir + "/" + file, "--now", now, "--db", db)
        }
        let rev = migrate("rev.yaml")
        #expect(rev.code == 2)
        let help = " (help: a mapping goes from the deal's node to the new version's, `OLD: NEW` or `--map OLD=NEW`; `first_talks` is a node of the new version 2.0.0 and `talks` one of 1.0.0: swap them, `talks: first_talks`)"
        // One error for the pair, at its target: its source's FC1228 would say the same again.
        #expect(rev.err == """
            \(dir)/rev.yaml:2:14: error[FC1167]: the mapping sends `first_talks` to `talks`, which is not a node of the new version\(help)

            """, "\(rev.err)")
        let zh = migrate("zh.yaml")
        #expect(zh.code == 2)
        #expect(zh.err == "\(dir)/zh.yaml:1:8: error[FC1167]: the mapping sends `talks` to `初谈`, which is not a node of the new version (did you mean `first_talks`? `初谈` is its name; a node mapping takes node ids)\n", "\(zh.err)")
        let two = migrate("two.yaml")
        #expect(two.code == 2)
        #expect(two.err.hasPrefix("\(dir)/two.yaml:2:1: error[FC1225]: not valid YAML: a map file holds one YAML mapping; this `---` starts a second document"), "\(two.err)")
        // The same reversed pair on the command line: no place, and the swapped pair written as
        // the option it came from (QA round 28, R7).
        let arg = flowc("migrate", "--to", dir + "/v2.flow.yaml", "--map", "first_talks=talks", "--now", now, "--db", db)
        let flagHelp = help.replacingOccurrences(of: "swap them, `talks: first_talks`", with: "swap them, `--map talks=first_talks`")
        #expect(arg.err == "error[FC1167]: the mapping sends `first_talks` to `talks`, which is not a node of the new version\(flagHelp)\n", "\(arg.err)")
        // A pair whose target both versions have is refused deal by deal (FC1228): its help is
        // written as the option too.
        let both = flowc("migrate", "--to", dir + "/v2.flow.yaml", "--map", "first_talks=review", "--now", now, "--db", db)
        #expect(both.code == 1, "\(both.err)")
        #expect(both.out.contains("swap them, `--map review=first_talks`)"), "\(both.out)")
        #expect(!both.out.contains("swap them, `review: first_talks`"), "\(both.out)")
        // A pair whose old side both versions have and whose new side the new version removed:
        // the removed node mapped onto a kept one, written the wrong way round (QA round 41, M8:
        // no help, or a did-you-mean mapping a node onto itself).
        let removed = flowc("migrate", "--to", dir + "/v2.flow.yaml", "--map", "review=talks", "--now", now, "--db", db)
        #expect(removed.code == 2)
        #expect(removed.err == "error[FC1167]: the mapping sends `review` to `talks`, which is not a node of the new version (help: a mapping goes from the deal's node to the new version's, `OLD: NEW` or `--map OLD=NEW`; `review` is a node of the new version 2.0.0 and `talks` one of 1.0.0: swap them, `--map talks=review`)\n", "\(removed.err)")
    }

    /// A blocked node whose new due date is later is active again once moved: the report shows
    /// the state it gets and notes its new due date, in the dry run and when applied, and the
    /// JSON gives `becomes`; `deal show` then says active.
    @Test func aBlockedNodeTheNewVersionMakesActiveAgainIsShownSo() throws {
        let v2 = Self.mini.replacingOccurrences(of: "version: 1.0.0", with: "version: 1.1.0").replacingOccurrences(of: "    due: 5d\n", with: "    due: 10d\n")
        let dir = try Self.store(["v2.flow.yaml": v2])
        let db = dir + "/s.sqlite", now = "2024-05-11T12:00:00Z"
        let dry = flowc("migrate", "--to", dir + "/v2.flow.yaml", "--now", now, "--db", db)
        #expect(dry.code == 0, "\(dry.err)")
        // T-1's talks came due at 09:00 on the old version: blocked first, then moved.
        #expect(dry.out.contains("""
              node `talks` → `talks` (blocked → active)
              note: timers due by 2024-05-11T12:00:00Z fire first, on the version the deal is on (a `tick` event before the migration): node_blocked
              note: `talks` is no longer overdue on the new version: blocked since 2024-05-11T09:00:00Z, it is active again, due 2024-05-16T09:00:00Z
              ok: would migrate
            """), "\(dry.out)")
        // T-2's talks, active and due later, keep their state, with no note.
        let t2 = try #require(dry.out.components(separatedBy: "deal `T-2`").last?.components(separatedBy: "deal `T-3`").first)
        #expect(t2.contains("  node `talks` → `talks` (active)\n  ok: would migrate\n"), "\(t2)")
        #expect(dry.out.hasSuffix("""
            no longer overdue on the new version: 1 deal gets a blocked node active again (its new `due` is later); each deal's notes say which
            dry run: 3 would migrate, 0 refused, 0 skipped (no deal changed; --apply writes)

            """), "\(dry.out)")
        let json = flowc("migrate", "--to", dir + "/v2.flow.yaml", "--now", now, "--db", db, "--json")
        #expect(json.out.contains(#""moves":[{"becomes":"active","from":"talks","status":"blocked","to":"talks"}]"#), "\(json.out)")
        #expect(json.out.contains(#""moves":[{"from":"talks","status":"active","to":"talks"}]"#), "\(json.out)")
        #expect(json.out.contains("is no longer overdue on the new version: blocked since 2024-05-11T09:00:00Z, it is active again, due 2024-05-16T09:00:00Z"))
        let applied = flowc("migrate", "--to", dir + "/v2.flow.yaml", "--now", now, "--db", db, "--apply")
        #expect(applied.code == 0, "\(applied.err)")
        #expect(applied.out.contains("  node `talks` → `talks` (blocked → active)\n"), "\(applied.out)")
        #expect(applied.out.contains("\nno longer overdue on the new version: 1 deal gets a blocked node active again (its new `due` is later); each deal's notes say which\napplied: 3 migrated"), "\(applied.out)")
        let show = flowc("deal", "show", "T-1", "--now", now, "--db", db)
        #expect(show.out.contains("node `talks` is active since 2024-05-06T09:00:00Z, due 2024-05-16T09:00:00Z"), "\(show.out)")
    }

    /// A blocked node whose new due date is later but has passed too stays blocked, as of that
    /// date, and the report says so (QA round 43, F10: it said nothing, and the node stayed
    /// blocked since the old date, before its own due date).
    @Test func aBlockedNodeStillOverdueOnTheNewVersionIsNoted() throws {
        let v2 = Self.mini.replacingOccurrences(of: "version: 1.0.0", with: "version: 1.1.0").replacingOccurrences(of: "    due: 5d\n", with: "    due: 5d2h\n")
        let dir = try Self.store(["v2.flow.yaml": v2])
        let db = dir + "/s.sqlite", now = "2024-05-11T12:00:00Z"
        let applied = flowc("migrate", "--to", dir + "/v2.flow.yaml", "--now", now, "--db", db, "--apply")
        #expect(applied.code == 0, "\(applied.err)")
        #expect(applied.out.contains("""
              node `talks` → `talks` (blocked)
              note: timers due by 2024-05-11T12:00:00Z fire first, on the version the deal is on (a `tick` event before the migration): node_blocked
              note: `talks` is still overdue on the new version: blocked since 2024-05-11T09:00:00Z, its new due date 2024-05-11T11:00:00Z has passed too, so it stays blocked, as of 2024-05-11T11:00:00Z
            """), "\(applied.out)")
        let show = flowc("deal", "show", "T-1", "--now", now, "--db", db)
        #expect(show.out.contains("2024-05-11T11:00:00Z"), "\(show.out)")
        // `why`'s path says it at the migration too (QA round 44, R11: "no node moved" only).
        let why = flowc("deal", "why", "T-1", "--now", now, "--db", db)
        #expect(why.out.contains("moved to version 1.1.0: no node moved; `talks` is still overdue on the new version: blocked since 2024-05-11T09:00:00Z, its new due date 2024-05-11T11:00:00Z has passed too, so it stays blocked, as of 2024-05-11T11:00:00Z"), "\(why.out)")
        #expect(flowc("deal", "verify", "--db", db).code == 0)
    }

    /// A mapping that sends a done node onto a node after the deal's open nodes (a valid but
    /// wrong id) moves the deal with a note naming the node and where the deal is, a mark on the
    /// move, `aheadOf` in the JSON and a count before the summary; the mapping that is meant, or
    /// none, has none of them.
    @Test func aDoneNodeMappedAheadOfTheDealIsNoted() throws {
        let v2 = Self.mini.replacingOccurrences(of: "version: 1.0.0", with: "version: 1.1.0")
        let dir = try Self.store(["v2.flow.yaml": v2])
        let db = dir + "/s.sqlite", now = "2024-05-10T09:00:00Z"
        for step in [["--set", "quote=100 CNY", "--set", "cost=50 CNY"], [#"{"deliverables": {"node": "talks", "done": ["visit_record"]}}"#], ["--complete", "talks"]] {
            let r = flowc(["deal", "event", "T-2"] + step + ["--by", "bo", "--now", "2024-05-08T09:00:00Z", "--db", db])
            #expect(r.code == 0, "\(r.err)")
        }
        let dry = flowc("migrate", "--to", dir + "/v2.flow.yaml", "--deal", "T-2", "--map", "talks=signing", "--now", now, "--db", db)
        #expect(dry.code == 0, "\(dry.err)")
        #expect(dry.out.contains("""
              node `talks` → `signing` (done, ahead of the deal)
              node `review` → `review` (active)
              note: deliverable `visit_record` of node `talks` is done, and `signing` has no such deliverable in the new version: the tick is dropped (it stays in the log)
              note: `signing` is done (as `talks`), but the new version puts it after `review`, where the deal is: it shows done ahead of the deal until the deal gets there, and is entered again then; if the mapping is a slip, map `talks` to the node it became (`--map talks=NODE`)
            """), "\(dry.out)")
        #expect(dry.out.contains("\ndone ahead of the deal on the new version: 1 deal has a done node after the deal's open nodes (check the mapping); each deal's notes say which\ndry run: 1 would migrate"), "\(dry.out)")
        let json = flowc("migrate", "--to", dir + "/v2.flow.yaml", "--deal", "T-2", "--map", "talks=signing", "--now", now, "--db", db, "--json")
        #expect(json.out.contains(#""moves":[{"aheadOf":["review"],"from":"talks","status":"done","to":"signing"},{"from":"review","status":"active","to":"review"}]"#), "\(json.out)")
        let plain = flowc("migrate", "--to", dir + "/v2.flow.yaml", "--deal", "T-2", "--now", now, "--db", db)
        #expect(plain.out.contains("  node `talks` → `talks` (done)\n  node `review` → `review` (active)\n  ok: would migrate\n"), "\(plain.out)")
        #expect(!plain.out.contains("ahead of the deal"), "\(plain.out)")
    }

    /// After a migration, `why` says of each node the new version adds ahead of the deal with a
    /// `when` whether it is in the flow ahead, and why (runner rules 9); the log still replays.
    @Test func whySaysWhatTheNewVersionAddsAheadOfTheDeal() throws {
        let v2 = Self.mini.replacingOccurrences(of: "version: 1.0.0", with: "version: 1.1.0").replacingOccurrences(
            of: "    kind: join\n    next: signing\n",
            with: "    kind: join\n    next: extra_check\n  - {id: extra_check, name: Extra check, owner: sales_owner, when: \"strategic\", next: signing}\n")
        let dir = try Self.store(["v2.flow.yaml": v2])
        let db = dir + "/s.sqlite", now = "2024-05-10T09:00:00Z"
        let set = flowc("deal", "event", "T-2", "--set", "strategic=true", "--by", "bo", "--now", "2024-05-09T10:00:00Z", "--db", db)
        #expect(set.code == 0, "\(set.err)")
        let applied = flowc("migrate", "--to", dir + "/v2.flow.yaml", "--now", now, "--db", db, "--apply")
        #expect(applied.code == 0, "\(applied.err)")
        let out = flowc("deal", "why", "T-1", "--now", now, "--db", db).out
        #expect(out.contains("`extra_check`, new in this version, is not in the flow ahead: `strategic` is false (reads strategic = false)"), "\(out)")
        let ahead = flowc("deal", "why", "T-2", "--now", now, "--db", db).out
        #expect(ahead.contains("`extra_check`, new in this version, is in the flow ahead: `strategic` is true (reads strategic = true)"), "\(ahead)")
        let verify = flowc("deal", "verify", "--now", now, "--db", db)
        #expect(verify.code == 0, "\(verify.out)\(verify.err)")
    }
}
