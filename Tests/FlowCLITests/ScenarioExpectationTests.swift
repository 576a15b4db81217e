import FlowCLI
import Foundation
import Testing

/// What an expectation in a scenario file checks, and the expectations that could never fail
/// (white-box review of `flowc test`, I3, I4, I5, I9, I14): each is checked, or is a located
/// error in the file.
@Suite struct ScenarioExpectationTests {
    /// A creation of `cleanTemplate` refused for its value (FC1112), with `expect` lines after it.
    static func refusedCreation(_ expect: String) -> String {
        """
        scenario: refused creation
        start: 2024-05-06T09:00:00+08:00
        deal:
          owner: alice
          fields: {quote: cheap}
          expect:
            refused: FC1112
        \(expect)
        """
    }

    // MARK: I3: keys beside `refused`

    /// No deal exists after a refused creation: every key beside `refused` in `deal.expect` is an
    /// error at the key (it had checked nothing, so a file expecting a won deal passed).
    @Test func keysBesideARefusedCreationAreErrorsAtEachKey() throws {
        let r = try TestCommandTests.run(Self.refusedCreation("""
                status: won
                pool: public
                owner: nobody-at-all
                active: [initial_talks]
                effects: [notify, notify]
                probability: 99
                next_timer: 2030-01-01T00:00:00Z
                fields: {quote: 5}
                members: {sales_owner: [alice]}

            """))
        #expect(r.code == 1)
        #expect(r.out.contains("FAIL refused creation (the scenario file has errors)\n"), "\(r.out)")
        let keys = ["status", "pool", "owner", "active", "effects", "probability", "next_timer", "fields", "members"]
        for (i, key) in keys.enumerated() {
            let line = "\(r.path):\(8 + i):5: error[FC1301]: deal.expect.\(key): the deal is not created: its creation is expected to be refused "
                + "(`refused: FC1112`), so there is no deal for `\(key)` to check; leave `\(key)` out, or expect the creation to succeed\n"
            #expect(r.out.contains(line), "\(key)\n\(r.out)")
        }
        #expect(r.out.hasSuffix("\n0 passed, 1 failed\n"), "\(r.out)")
        #expect(!r.out.contains("PASS"), "\(r.out)")
        // `refused` alone is what such a scenario checks, and it passes.
        let alone = try TestCommandTests.run(Self.refusedCreation(""))
        #expect(alone.code == 0, "\(alone.out)")
        #expect(alone.out.contains("PASS refused creation\n"), "\(alone.out)")
    }

    /// The review's reproduction on a bundled template: a creation refused for a missing field
    /// (FC1115, raised by the runner, not by a value) is held to the same rule.
    @Test func aCreationRefusedByTheRunnerIsHeldToTheSameRule() throws {
        let scenario = """
            scenario: "creation refused, with expectations that cannot hold"
            start: 2024-09-02T09:00:00+08:00
            deal:
              owner: alice
              fields: {customer_name: 白鹭传媒, contract_no: SUB-2023-170}
              expect: {refused: FC1115, status: won, effects: [webhook]}

            """
        let dir = try tempDir(["a.scenario.yaml": scenario])
        let r = flowc("test", repoRoot + "/templates/renewal-upsell.flow.yaml", dir + "/a.scenario.yaml")
        #expect(r.code == 1)
        #expect(r.out.contains("\(dir)/a.scenario.yaml:6:29: error[FC1301]: deal.expect.status: the deal is not created"), "\(r.out)")
        #expect(r.out.contains("\(dir)/a.scenario.yaml:6:42: error[FC1301]: deal.expect.effects: the deal is not created"), "\(r.out)")
        #expect(r.out.hasSuffix("\n0 passed, 1 failed\n"), "\(r.out)")
    }

    /// A refused step leaves the deal as it was: the keys beside `refused` are checked against it,
    /// and fail when they do not hold (effects: none).
    @Test func keysBesideARefusedStepAreCheckedAgainstTheUnchangedDeal() throws {
        let holds = try TestCommandTests.run(TestCommandTests.oneStep(
            "    complete: loss_review\n    expect: {refused: FC1121, status: open, pool: private, owner: alice, active: [initial_talks], effects: []}"))
        #expect(holds.code == 0, "\(holds.out)")
        #expect(holds.out.contains("PASS one step\n"), "\(holds.out)")
        let wrong = try TestCommandTests.run(TestCommandTests.oneStep(
            "    complete: loss_review\n    expect: {refused: FC1121, status: won, effects: [notify], active: [won]}"))
        #expect(wrong.code == 1)
        let lines = wrong.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let fail = try #require(lines.firstIndex(of: "FAIL one step"), "\(wrong.out)")
        #expect(lines[fail + 1] == "  --> \(wrong.path):7:5")
        #expect(lines[fail + 2].hasPrefix("  step 1 (complete loss_review at "), "\(wrong.out)")
        #expect(lines[fail + 3] == "    - expected active nodes [won], got [initial_talks]", "\(wrong.out)")
        #expect(lines[fail + 4] == "    - expected status won, got open", "\(wrong.out)")
        #expect(lines[fail + 5] == "    - expected effects [notify], got []", "\(wrong.out)")
        #expect(wrong.out.hasSuffix("\n0 passed, 1 failed\n"), "\(wrong.out)")
    }

    // MARK: I4: blank expectations

    /// The help every blank expectation gets.
    static let blankHelp = "help: a key with nothing after it is null in YAML, which this key does not take (only `owner`, `next_timer` and a "
        + "field's value take null: nobody, no timer, unset): write what must hold, or leave the key out to check nothing"

    /// `status:`, `pool:`, `refused:` and a pattern's key left blank are errors at the key (they
    /// had checked nothing).
    @Test func aBlankExpectationIsAnErrorAtItsKey() throws {
        let r = try TestCommandTests.run(TestCommandTests.oneStep("""
                lose: price
                expect:
                  status:
                  pool:
                  refused:
                  effects_include: [{kind: notify, text: }]
            """))
        #expect(r.code == 1)
        #expect(r.out.contains("FAIL one step (the scenario file has errors)\n"), "\(r.out)")
        let errors = [
            "10:7: error[FC1301]: steps[0].expect.status: left blank (null): expected open, won or lost",
            "11:7: error[FC1301]: steps[0].expect.pool: left blank (null): expected private or public",
            "12:7: error[FC1301]: steps[0].expect.refused: left blank (null): expected the code the step is refused with (FC11xx)",
            "13:40: error[FC1301]: steps[0].expect.effects_include[0].text: left blank (null): expected the text an effect's message contains",
        ]
        for error in errors { #expect(r.out.contains("\(r.path):\(error)\n"), "\(error)\n\(r.out)") }
        #expect(r.out.components(separatedBy: Self.blankHelp).count == 5, "\(r.out)")
        #expect(r.out.hasSuffix("\n0 passed, 1 failed\n"), "\(r.out)")
    }

    static let blankPatternKeys: [(String, String)] = [
        ("kind", "an effect kind"),
        ("node", "a node id"),
        ("person", "a person"),
        ("trigger", "the trigger of an effect"),
        ("text", "the text an effect's message contains"),
    ]

    @Test(arguments: blankPatternKeys)
    func aBlankKeyOfAnEffectPatternIsAnError(_ key: String, _ what: String) throws {
        let r = try TestCommandTests.run(TestCommandTests.oneStep("    win: true\n    expect:\n      effects_include:\n        - \(key):\n"))
        #expect(r.code == 1)
        #expect(r.out.contains("\(r.path):11:11: error[FC1301]: steps[0].expect.effects_include[0].\(key): left blank (null): expected \(what)\n"), "\(r.out)")
        #expect(r.out.contains(Self.blankHelp), "\(r.out)")
    }

    /// `deal.expect` too; and the keys whose null means something still take it.
    @Test func nullStaysMeaningfulWhereItMeansSomething() throws {
        let blank = try TestCommandTests.run(TestCommandTests.oneStep("    win: true", deal: "  expect:\n    status:\n"))
        #expect(blank.code == 1)
        #expect(blank.out.contains("\(blank.path):7:5: error[FC1301]: deal.expect.status: left blank (null): expected open, won or lost\n"), "\(blank.out)")
        let meaningful = try TestCommandTests.run(TestCommandTests.oneStep("    win: true\n    expect: {owner: alice, next_timer: null, fields: {cost: 1000 CNY}}",
                                                                           deal: "  expect: {next_timer: null}\n"))
        #expect(meaningful.code == 0, "\(meaningful.out)")
    }

    // MARK: I5: every mistake at once

    /// Mistakes in `fields`, `next_timer`, `probability` and `members` of one expectation are shown
    /// in one run (they had been shown one per run).
    @Test func mistakesInTheLastKeysOfAnExpectationAreShownTogether() throws {
        let r = try TestCommandTests.run(TestCommandTests.oneStep("""
                win: true
                expect:
                  fields: [quote]
                  next_timer: tomorrow
                  probability: high
                  members: {sales_owner: alice, other: bob}
            """))
        #expect(r.code == 1)
        let errors = [
            "10:15: error[FC1301]: steps[0].expect.fields: expected an object of field values",
            "11:19: error[FC1301]: steps[0].expect.next_timer: expected a datetime, `+duration` from this step, or null",
            "12:20: error[FC1301]: steps[0].expect.probability: expected an integer",
            "13:30: error[FC1301]: steps[0].expect.members.sales_owner: expected a list of strings",
            "13:44: error[FC1301]: steps[0].expect.members.other: expected a list of strings",
        ]
        for error in errors { #expect(r.out.contains("\(r.path):\(error)\n"), "\(error)\n\(r.out)") }
        #expect(r.out.components(separatedBy: "error[FC1301]").count == 6, "\(r.out)")
    }

    /// Each effect pattern on its own: a mistake in the first does not hide the second's.
    @Test func mistakesInTwoEffectPatternsAreShownTogether() throws {
        let r = try TestCommandTests.run(TestCommandTests.oneStep("    win: true\n    expect: {effects_include: [{kind: notice}, {peeple: [a]}]}"))
        #expect(r.code == 1)
        #expect(r.out.contains("\(r.path):9:39: error[FC1301]: steps[0].expect.effects_include[0].kind: unknown effect kind `notice`"), "\(r.out)")
        #expect(r.out.contains("\(r.path):9:49: error[FC1301]: steps[0].expect.effects_include[1]: unknown key `peeple`"), "\(r.out)")
    }

    // MARK: I9: misnamed scenario files

    /// Files in the scenarios directory that are not run for their name are said to be so, with
    /// the name to give them, even when another file is run; the suffix is lower case.
    @Test func misnamedScenarioFilesAreNamedInAWarning() throws {
        let wrong = passingScenario.replacingOccurrences(of: "status: won", with: "status: lost")
        let dir = try tempDir([
            "a.flow.yaml": cleanTemplate,
            "scenarios/a/won.scenario.yaml": passingScenario,
            "scenarios/a/lost.senario.yaml": wrong,
            "scenarios/a/sub/lost2.scenario.YAML": wrong,
            "scenarios/a/lost3.yml": wrong,
            "scenarios/a/lost4.scenario.yaml ": wrong,
            "scenarios/a/notes.txt": "not a scenario\n",
        ])
        let r = flowc("test", dir + "/a.flow.yaml")
        #expect(r.code == 0, "\(r.out)")
        let lines = r.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let end = "a scenario file's name ends in `.scenario.yaml` (or `.scenario.yml`, `.scenario.json`), in lower case"
        #expect(lines == [
            "== \(dir)/a.flow.yaml (mini 1)",
            "\(dir)/scenarios/a/lost.senario.yaml: warning: not run: \(end); rename it `lost.scenario.yaml`",
            "\(dir)/scenarios/a/lost3.yml: warning: not run: \(end); rename it `lost3.scenario.yml`",
            // A blank after the ending (QA round 28, I9: skipped without a word).
            "\(dir)/scenarios/a/lost4.scenario.yaml  (its name ends in a blank): warning: not run: \(end); rename it `lost4.scenario.yaml`",
            "\(dir)/scenarios/a/sub/lost2.scenario.YAML: warning: not run: \(end); rename it `lost2.scenario.yaml`",
            "PASS a quote above cost is won at once",
            "",
            "1 passed, 0 failed",
            "",
        ], "\(r.out)")
        // Run under a directory, the same.
        let all = flowc("test", dir)
        #expect(all.out.contains("\(dir)/scenarios/a/lost.senario.yaml: warning: not run: \(end); rename it `lost.scenario.yaml`\n"), "\(all.out)")
        // Renamed as told, they run (and fail).
        try FileManager.default.moveItem(atPath: dir + "/scenarios/a/lost.senario.yaml", toPath: dir + "/scenarios/a/lost.scenario.yaml")
        let renamed = flowc("test", dir + "/a.flow.yaml")
        #expect(renamed.code == 1)
        #expect(!renamed.out.contains("lost.scenario.yaml: warning"), "\(renamed.out)")
        #expect(renamed.out.hasSuffix("\n1 passed, 1 failed\n"), "\(renamed.out)")
    }

    /// A template with no scenario under `flowc test DIR` lists its misnamed files too.
    @Test func aTemplateWithOnlyMisnamedFilesListsThemUnderADirectory() throws {
        let dir = try tempDir([
            "a.flow.yaml": cleanTemplate,
            "b.flow.yaml": cleanTemplate,
            "scenarios/a/won.scenario.yaml": passingScenario,
            "scenarios/b/won.scenario.yml.bak": passingScenario,
            "scenarios/b/won.Scenario.yaml": passingScenario,
        ])
        let r = flowc("test", dir)
        #expect(r.code == 0, "\(r.out)")
        #expect(r.out.contains("no scenarios for \(dir)/b.flow.yaml (add them under \(dir)/scenarios/b/)\n"
            + "\(dir)/scenarios/b/won.Scenario.yaml: warning: not run: a scenario file's name ends in `.scenario.yaml` (or `.scenario.yml`, "
            + "`.scenario.json`), in lower case; rename it `won.scenario.yaml`\n"), "\(r.out)")
        #expect(!r.out.contains(".bak: warning"), "\(r.out)")
    }

    // MARK: I14: members in any order

    /// `members` is the role's people in any order, as `active` and a pattern's `people` are.
    @Test func membersAreComparedInAnyOrder() throws {
        let template = cleanTemplate.replacingOccurrences(of: "  sales_owner: {name: 销售负责人, owner: true}\n",
                                                          with: "  sales_owner: {name: 销售负责人, owner: true}\n  reviewer: {name: 评审}\n")
        let deal = "  roles: {reviewer: [mia, bob]}\n"
        let scenario = TestCommandTests.oneStep("    add_member: {role: reviewer, person: carol}\n    expect: {members: {reviewer: [carol, bob, mia]}}", deal: deal)
        let r = try TestCommandTests.run(scenario, template: template)
        #expect(r.code == 0, "\(r.out)")
        let missing = try TestCommandTests.run(scenario.replacingOccurrences(of: "[carol, bob, mia]", with: "[carol, bob]"), template: template)
        #expect(missing.code == 1)
        #expect(missing.out.contains("    - expected members of `reviewer` [carol, bob], got [mia, bob, carol]\n"), "\(missing.out)")
        let twice = try TestCommandTests.run(scenario.replacingOccurrences(of: "[carol, bob, mia]", with: "[carol, bob, mia, bob]"), template: template)
        #expect(twice.code == 1)
        #expect(twice.out.contains("    - expected members of `reviewer` [carol, bob, mia, bob], got [mia, bob, carol]\n"), "\(twice.out)")
    }
}

extension ScenarioExpectationTests {
    /// An expected field value its field's type cannot read could never match: FC1301 at the
    /// value, before any step runs (QA round 28, R8: it was a failure of the run, without a place).
    @Test func anExpectedValueItsFieldCannotReadIsAnErrorAtTheValue() throws {
        let r = try TestCommandTests.run(passingScenario
            .replacingOccurrences(of: "fields: {quote: 1200 CNY, cost: \"1000\"}", with: "fields: {quote: lots, cost: \"1000\"}")
            .replacingOccurrences(of: "expect: {status: won}", with: "expect: {status: won, fields: {cost: 10 USD}}"))
        #expect(r.code == 1)
        #expect(r.out.contains("\(r.path):6:53: error[FC1301]: deal.expect.fields.quote: `lots` is not money(CNY), so the expectation could never hold\n"), "\(r.out)")
        #expect(r.out.contains("\(r.path):10:42: error[FC1301]: steps[0].expect.fields.cost: `10 USD` is not money(CNY): the field's currency is `CNY`, so the expectation could never hold\n"), "\(r.out)")
        #expect(r.out.contains("FAIL a quote above cost is won at once (the scenario file has errors)\n"), "\(r.out)")
        // The same values, readable, pass.
        let good = try TestCommandTests.run(passingScenario)
        #expect(good.code == 0, "\(good.out)")
    }
}
