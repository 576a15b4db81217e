import FlowCLI
import Foundation
import Testing

/// The bundled templates (fragments left out), relative to the repository root.
private let bundledTemplates: [String] = {
    let dir = repoRoot + "/templates"
    guard let walker = FileManager.default.enumerator(atPath: dir) else { return [] }
    var out: [String] = []
    while let rel = walker.nextObject() as? String {
        guard rel.hasSuffix(".flow.yaml"), !rel.hasPrefix("scenarios/") else { continue }
        let text = (try? String(contentsOfFile: dir + "/" + rel, encoding: .utf8)) ?? ""
        if text.split(separator: "\n").contains(where: { $0.hasPrefix("fragment:") }) { continue }
        out.append("templates/" + rel)
    }
    return out.sorted()
}()

/// The scenario files of `DIR/NAME.flow.yaml`: `DIR/scenarios/NAME/*.scenario.yaml` (the
/// convention docs/testing.md documents).
private func scenarioFiles(of template: String) -> [String] {
    let dir = (template as NSString).deletingLastPathComponent
    let name = String((template as NSString).lastPathComponent.dropLast(".flow.yaml".count))
    let scenarios = repoRoot + "/" + dir + "/scenarios/" + name
    let names = (try? FileManager.default.contentsOfDirectory(atPath: scenarios)) ?? []
    return names.filter { $0.hasSuffix(".scenario.yaml") }.sorted()
}

/// A scenario for `cleanTemplate` (CLITests.swift): a quote above cost is won directly (used by
/// ScenarioExpectationTests too).
let passingScenario = """
    scenario: a quote above cost is won at once
    start: 2024-05-06T09:00:00+08:00
    deal:
      owner: alice
      fields: {quote: 1.2e3, cost: 1000}
      expect: {active: [initial_talks], fields: {quote: 1200 CNY, cost: "1000"}}
    steps:
      - at: +1h
        win: true
        expect: {status: won}

    """

/// A scenario for `cleanTemplate` that expects the wrong node: the conditional next takes the
/// loss review when the quote is below cost (used by TestReportTests too).
let failingScenario = """
    scenario: a quote below cost is wrongly expected to win
    start: 2024-05-06T09:00:00+08:00
    deal:
      owner: alice
      fields: {quote: 900, cost: 1000}
    steps:
      - at: +1h
        complete: initial_talks
        expect: {active: [won], pool: public}

    """

@Suite struct TestCommandTests {
    // MARK: The bundled templates

    @Test func everyBundledTemplatePassesItsScenarios() {
        let r = flowc("test", repoRoot + "/templates")
        #expect(r.code == 0, "\(r.out)\n\(r.err)")
        #expect(!r.out.contains("FAIL"), "\(r.out)")
        let last = r.out.split(separator: "\n").last.map(String.init) ?? ""
        let parts = last.split(separator: " ")
        #expect(parts.count == 4 && parts[1] == "passed," && parts[2] == "0" && parts[3] == "failed", "\(last)")
        #expect((Int(parts.first ?? "") ?? 0) >= 30, "\(last)")
    }

    @Test(arguments: bundledTemplates)
    func bundledTemplatePassesItsScenarios(_ template: String) {
        let r = flowc("test", repoRoot + "/" + template)
        #expect(r.code == 0, "\(r.out)\n\(r.err)")
        #expect(r.out.hasSuffix(" passed, 0 failed\n"), "\(r.out)")
    }

    @Test func thereAreFiveBundledTemplates() {
        #expect(bundledTemplates.count >= 5, "\(bundledTemplates)")
    }

    @Test(arguments: bundledTemplates)
    func everyTemplateShipsWithScenarios(_ template: String) {
        #expect(!scenarioFiles(of: template).isEmpty, "\(template) has no scenarios under its scenarios directory")
    }

    @Test func everyScenarioDirectoryBelongsToATemplate() throws {
        let dir = repoRoot + "/templates/scenarios"
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix(".") }
        for name in names {
            #expect(FileManager.default.fileExists(atPath: repoRoot + "/templates/" + name + ".flow.yaml"),
                    "templates/scenarios/\(name) has no template templates/\(name).flow.yaml")
        }
    }

    // MARK: Output and exit codes

    @Test func passAndFailAreReportedWithTheFirstBadStepAndASummary() throws {
        let dir = try tempDir([
            "a.flow.yaml": cleanTemplate,
            "scenarios/a/above.scenario.yaml": passingScenario,
            "scenarios/a/below.scenario.yaml": failingScenario,
        ])
        let r = flowc("test", dir + "/a.flow.yaml")
        #expect(r.code == 1)
        let lines = r.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "== \(dir)/a.flow.yaml (mini 1)")
        #expect(lines.contains("PASS a quote above cost is won at once"))
        let fail = try #require(lines.firstIndex(of: "FAIL a quote below cost is wrongly expected to win"))
        #expect(lines[fail + 1] == "  --> \(dir)/scenarios/a/below.scenario.yaml:7:5")
        #expect(lines[fail + 2] == "  step 1 (complete initial_talks at 2024-05-06T02:00:00Z):")
        #expect(lines[fail + 3] == "    - expected active nodes [won], got [loss_review]")
        #expect(lines[fail + 4] == "    - expected pool public, got private")
        #expect(lines.contains { $0.contains("at `initial_talks`, `quote < cost` was true") })
        #expect(r.out.hasSuffix("\n1 passed, 1 failed\n"))
        #expect(r.err.isEmpty)
    }

    @Test func allPassingExitsZero() throws {
        let dir = try tempDir(["a.flow.yaml": cleanTemplate, "scenarios/a/above.scenario.yaml": passingScenario])
        let r = flowc("test", dir + "/a.flow.yaml")
        #expect(r.code == 0, "\(r.out)")
        #expect(r.out.hasSuffix("\n1 passed, 0 failed\n"))
    }

    @Test func namedScenarioFilesReplaceTheConvention() throws {
        let dir = try tempDir([
            "a.flow.yaml": cleanTemplate,
            "scenarios/a/below.scenario.yaml": failingScenario,
            "elsewhere/above.scenario.yaml": passingScenario,
        ])
        let r = flowc("test", dir + "/a.flow.yaml", dir + "/elsewhere/above.scenario.yaml")
        #expect(r.code == 0, "\(r.out)")
        #expect(!r.out.contains("FAIL"))
    }

    @Test func aYAMLErrorInAScenarioIsALocatedDiagnostic() throws {
        let broken = passingScenario.replacingOccurrences(of: "fields: {quote: 1.2e3, cost: 1000}", with: "fields: {quote: 1.2e3, cost: [1000}")
        let dir = try tempDir(["a.flow.yaml": cleanTemplate, "scenarios/a/broken.scenario.yaml": broken])
        let path = dir + "/scenarios/a/broken.scenario.yaml"
        let r = flowc("test", dir + "/a.flow.yaml")
        #expect(r.code == 1)
        #expect(r.out.contains("FAIL \(path) (the scenario file has errors)\n\(path):5:37: error[FC0101]: "), "\(r.out)")
        #expect(r.out.contains("5 |   fields: {quote: 1.2e3, cost: [1000}"))
        #expect(r.out.hasSuffix("\n0 passed, 1 failed\n"))
    }

    @Test func aFormatErrorPointsAtTheKey() throws {
        let typo = passingScenario.replacingOccurrences(of: "expect: {status: won}", with: "expect: {statsu: won}")
        let dir = try tempDir(["a.flow.yaml": cleanTemplate, "scenarios/a/typo.scenario.yaml": typo])
        let path = dir + "/scenarios/a/typo.scenario.yaml"
        let r = flowc("test", dir + "/a.flow.yaml")
        #expect(r.code == 1)
        #expect(r.out.contains("FAIL a quote above cost is won at once (the scenario file has errors)\n"
            + "\(path):10:14: error[FC1301]: steps[0].expect: unknown key `statsu` (did you mean `status`?)"), "\(r.out)")
        #expect(r.out.contains("   |              ^^^^^^"))
    }

    /// A step without its `- ` that starts with `at:`: the fix-it puts the dash before `at`, not
    /// before the repeated action (QA round 39, R2: applied, the scenario passed with the step's
    /// time and person moved to the step before).
    @Test func aStepWithoutItsDashGetsTheDashBeforeItsTime() throws {
        let scenario = Self.oneStep("    expect: {status: open}\n    at: +2h\n    by: alice\n    set: {quote: 1400}\n    expect: {status: open}")
            .replacingOccurrences(of: "  - at: +1h\n", with: "  - set: {quote: 1300}\n")
        let r = try Self.run(scenario)
        #expect(r.code == 1)
        #expect(r.out.contains("if a new item starts at `at` on line 9, write `- ` before `at`, in the column of the other items' `- `"), "\(r.out)")
    }

    @Test func aValueOfTheWrongKindIsPointedAt() throws {
        let wrong = passingScenario.replacingOccurrences(of: "win: true", with: "win: true\n    owned: many")
        let dir = try tempDir(["a.flow.yaml": cleanTemplate, "scenarios/a/wrong.scenario.yaml": wrong])
        let r = flowc("test", dir + "/a.flow.yaml")
        #expect(r.code == 1)
        #expect(r.out.contains("/scenarios/a/wrong.scenario.yaml:10:12: error[FC1301]: steps[0].owned: expected an integer"), "\(r.out)")
    }

    @Test func aNumberThatIsNotFiniteIsRefused() throws {
        let inf = passingScenario.replacingOccurrences(of: "cost: 1000}", with: "cost: .inf}")
        let dir = try tempDir(["a.flow.yaml": cleanTemplate, "scenarios/a/inf.scenario.yaml": inf])
        let r = flowc("test", dir + "/a.flow.yaml")
        #expect(r.code == 1)
        #expect(r.out.contains("/scenarios/a/inf.scenario.yaml:5:32: error[FC1302]: `.inf` is not a finite number"), "\(r.out)")
    }

    // MARK: Expectations

    /// The deal of `cleanTemplate` above cost, with one step after its creation.
    static func oneStep(_ step: String, deal: String = "") -> String {
        """
        scenario: one step
        start: 2024-05-06T09:00:00+08:00
        deal:
          owner: alice
          fields: {quote: 1200, cost: 1000}
        \(deal)steps:
          - at: +1h
        \(step)

        """
    }

    /// Runs `scenario` as the only scenario of `template`.
    static func run(_ scenario: String, template: String = cleanTemplate) throws -> (code: Int32, out: String, err: String, path: String) {
        let dir = try tempDir(["a.flow.yaml": template, "scenarios/a/s.scenario.yaml": scenario])
        let r = flowc("test", dir + "/a.flow.yaml")
        return (r.code, r.out, r.err, dir + "/scenarios/a/s.scenario.yaml")
    }

    /// A value that does not fit its field is the runner's refusal, FC1112 (FC1114 for an enum),
    /// which a scenario can expect (QA: the expectation was accepted but could never be met);
    /// a YAML number for a text field is one, with the reason (its leading zero was dropped).
    @Test func aValueThatDoesNotFitItsFieldIsRefusedWithItsCode() throws {
        let template = cleanTemplate.replacingOccurrences(
            of: "  cost: {type: money, currency: CNY}\n",
            with: "  cost: {type: money, currency: CNY}\n  phone: {type: text}\n  tier: {type: enum, values: [gold, silver]}\n")
        let expected = try Self.run(Self.oneStep("    set: {quote: 5 USD}\n    expect: {refused: FC1112}"), template: template)
        #expect(expected.code == 0, "\(expected.out)")
        let unexpected = try Self.run(Self.oneStep("    set: {quote: 5 USD}"), template: template)
        #expect(unexpected.code == 1)
        #expect(unexpected.out.contains("expected the event to be accepted, but it was refused: refused[FC1112]: field `quote` is given `5 USD`, not money(CNY)"), "\(unexpected.out)")
        let digits = try Self.run(Self.oneStep("    set: {phone: 013800000000}"), template: template)
        #expect(digits.code == 1)
        #expect(digits.out.contains("refused[FC1112]: field `phone` is given the number `13800000000` (YAML reads an unquoted number as a number, which can change it, as `013800000000` becomes 13800000000: quote the text), not text"), "\(digits.out)")
        let quoted = try Self.run(Self.oneStep("    set: {phone: \"013800000000\"}\n    expect: {fields: {phone: \"013800000000\"}}"), template: template)
        #expect(quoted.code == 0, "\(quoted.out)")
        let tier = try Self.run(Self.oneStep("    set: {tier: bronze}\n    expect: {refused: FC1114, fields: {tier: null}}"), template: template)
        #expect(tier.code == 0, "\(tier.out)")
        let wrongCode = try Self.run(Self.oneStep("    set: {tier: bronze}\n    expect: {refused: FC1112}"), template: template)
        #expect(wrongCode.out.contains("expected refusal FC1112, got refused[FC1114]: `bronze` is not a value of field `tier` (values: gold, silver)"), "\(wrongCode.out)")
        // In a list, the element that does not fit is named.
        let listTemplate = template.replacingOccurrences(of: "  phone: {type: text}\n", with: "  phone: {type: text}\n  tags: {type: list, of: text}\n")
        let element = try Self.run(Self.oneStep("    set: {tags: [vip, 12]}"), template: listTemplate)
        #expect(element.out.contains("refused[FC1112]: field `tags` is given the number `12` (YAML reads an unquoted number as a number, which can change it, as `013800000000` becomes 13800000000: quote the text) in its list, not text"), "\(element.out)")
        // The creation too.
        let create = """
            scenario: one step
            start: 2024-05-06T09:00:00+08:00
            deal:
              owner: alice
              fields: {quote: true}
              expect: {refused: FC1112}

            """
        #expect(try Self.run(create, template: template).code == 0)
    }

    /// `cleanTemplate` with a tailored node: an audit, in the flow while the quote is over 1000.
    static let tailoredTemplate = cleanTemplate.replacingOccurrences(
        of: "      - default: won\n",
        with: "      - default: audit\n  - {id: audit, name: 审计, owner: sales_owner, when: \"quote > 1000 CNY\", next: won}\n")

    @Test func inPlanPassesForAPendingNodeInTheFlowAhead() throws {
        let r = try Self.run(Self.oneStep("    set: {quote: 1300}\n    expect: {in_plan: [audit]}"), template: Self.tailoredTemplate)
        #expect(r.code == 0, "\(r.out)")
        #expect(r.out.contains("PASS one step\n"))
        let out = try Self.run(Self.oneStep("    set: {quote: 900}\n    expect: {tailored_out: [audit]}"), template: Self.tailoredTemplate)
        #expect(out.code == 0, "\(out.out)")
        let wrong = try Self.run(Self.oneStep("    set: {quote: 900}\n    expect: {in_plan: [audit]}"), template: Self.tailoredTemplate)
        #expect(wrong.code == 1)
        #expect(wrong.out.contains("    - expected node `audit` to be pending and in the flow ahead, got pending and tailored out\n"), "\(wrong.out)")
    }

    /// A node that is not pending is neither in nor out of the flow ahead: the failure gives its
    /// status alone.
    @Test(arguments: [
        ("    complete: initial_talks\n    expect: {in_plan: [audit]}", "complete initial_talks", "in_plan", "pending and in the flow ahead", "active"),
        ("    complete: initial_talks\n    expect: {tailored_out: [audit]}", "complete initial_talks", "tailored_out", "pending and tailored out", "active"),
    ])
    func inPlanFailsForANodeThatIsNotPending(_ step: String, _ heading: String, _ key: String, _ expected: String, _ status: String) throws {
        let r = try Self.run(Self.oneStep(step), template: Self.tailoredTemplate)
        #expect(r.code == 1)
        let lines = r.out.split(separator: "\n").map(String.init)
        let fail = try #require(lines.firstIndex(of: "FAIL one step"), "\(r.out)")
        #expect(lines[fail + 1] == "  --> \(r.path):7:5")
        #expect(lines[fail + 2] == "  step 1 (\(heading) at 2024-05-06T02:00:00Z):")
        #expect(lines[fail + 3] == "    - expected node `audit` to be \(expected), got \(status)")
    }

    /// `in_plan` or `tailored_out` of a node without a `when` could never fail (or never pass):
    /// the scenario file is refused at the name, with what to expect instead (QA: a bypassed
    /// branch's node passed `in_plan` for ever).
    @Test func inPlanOfANodeWithoutAWhenIsAnError() throws {
        let r = try Self.run(Self.oneStep("    set: {quote: 1300}\n    expect: {in_plan: [loss_review], tailored_out: [audit, initial_talks]}"),
                             template: Self.tailoredTemplate)
        #expect(r.code == 1)
        let errors = r.out.split(separator: "\n").filter { $0.contains("error[") }
        #expect(errors == [
            "\(r.path):9:24: error[FC1301]: steps[0].expect.in_plan[0]: node `loss_review` has no `when` to tailor it, so it is in the flow ahead whenever it is pending and `in_plan` says nothing of the way the deal goes; expect its status instead under `nodes` (`loss_review: done`, `loss_review: active`; a node the deal went past without entering stays `pending`)",
            "\(r.path):9:60: error[FC1301]: steps[0].expect.tailored_out[1]: node `initial_talks` has no `when` to tailor it, so it is in the flow ahead whenever it is pending and `tailored_out` says nothing of the way the deal goes; expect its status instead under `nodes` (`initial_talks: done`, `initial_talks: active`; a node the deal went past without entering stays `pending`)",
        ], "\(r.out)")
        #expect(r.out.contains("FAIL one step (the scenario file has errors)"), "\(r.out)")
    }

    /// `cleanTemplate` telling the owner twice when the deal is won.
    static let twoNotifies = cleanTemplate + """
        effects:
          on_won:
            - notify: {to: [owner], message: won}
            - notify: {to: [owner], message: closed}

        """

    @Test(arguments: [
        "[{kind: notify}, {kind: notify}]",
        "[notify, notify]",
        // The first pattern could take either effect; the second only the first one.
        "[{kind: notify}, {kind: notify, text: won}]",
        "[{text: closed}, {kind: notify}]",
    ])
    func effectsIncludePassesWhenEveryPatternHasAnEffectOfItsOwn(_ patterns: String) throws {
        let r = try Self.run(Self.oneStep("    win: true\n    expect: {effects_include: \(patterns)}"), template: Self.twoNotifies)
        #expect(r.code == 0, "\(r.out)")
    }

    @Test func twoEffectsIncludePatternsNeedTwoEffects() throws {
        let onlyOne = cleanTemplate + "effects:\n  on_won:\n    - notify: {to: [owner], message: won}\n"
        let r = try Self.run(Self.oneStep("    win: true\n    expect: {effects_include: [{kind: notify}, {kind: notify}]}"), template: onlyOne)
        #expect(r.code == 1, "\(r.out)")
        let lines = r.out.split(separator: "\n").map(String.init)
        let fail = try #require(lines.firstIndex(of: "FAIL one step"), "\(r.out)")
        #expect(lines[fail + 2] == "  step 1 (win at 2024-05-06T02:00:00Z):")
        #expect(lines[fail + 3] == "    - expected an effect {kind notify} of its own: the effects that match it are taken by the patterns before it "
            + "(got [notify on_won people [alice]])")
        let three = try Self.run(Self.oneStep("    win: true\n    expect: {effects_include: [notify, {text: won}, {text: closed}]}"),
                                 template: Self.twoNotifies)
        #expect(three.code == 1, "\(three.out)")
        #expect(three.out.contains("    - expected an effect {text containing \"closed\"} of its own: the effects that match it are taken by the patterns before it"),
                "\(three.out)")
    }

    /// A pattern with a text that no effect has: the failure shows what the effects said
    /// (QA round 9: only their kinds and people were shown, not the message the author missed).
    @Test func aTextNoEffectHasShowsTheEffectsTexts() throws {
        let r = try Self.run(Self.oneStep("    win: true\n    expect: {effects_include: [{kind: notify, text: lost}]}"), template: Self.twoNotifies)
        #expect(r.code == 1)
        #expect(r.out.contains("    - expected an effect {kind notify, text containing \"lost\"}, none of this step's effects matches "
            + "(got [notify on_won people [alice] text \"won\"; notify on_won people [alice] text \"closed\"])"), "\(r.out)")
    }

    /// Role members are shown as lists, an empty one as `[]` (QA round 9: it printed nothing).
    @Test func membersAreShownAsLists() throws {
        let r = try Self.run(Self.oneStep("    win: true\n    expect: {members: {sales_owner: []}}"))
        #expect(r.code == 1)
        #expect(r.out.contains("    - expected members of `sales_owner` [], got [alice]"), "\(r.out)")
    }

    // MARK: Format errors

    /// A step's line as written after `  - at: +1h`, and the diagnostic expected for it (its
    /// line:column in the scenario file and its message).
    static let flagActionsOtherThanTrue: [(String, String)] = [
        ("    by: bob\n    claim: false", "9:12: error[FC1301]: steps[0].claim: expected `true`"),
        ("    by: alice\n    release: false", "9:14: error[FC1301]: steps[0].release: expected `true`"),
        ("    tick: false", "8:11: error[FC1301]: steps[0].tick: expected `true`"),
        ("    by: bob\n    claim: \"yes\"", "9:12: error[FC1301]: steps[0].claim: expected `true`"),
        ("    by: bob\n    claim: yes", "9:12: error[FC1301]: steps[0].claim: expected `true`"),
        ("    tick: 1", "8:11: error[FC1301]: steps[0].tick: expected `true`"),
        ("    tick: null", "8:11: error[FC1301]: steps[0].tick: expected `true`"),
        ("    win: false", "8:10: error[FC1301]: steps[0].win: expected `true` or a node id"),
        ("    win: null", "8:10: error[FC1301]: steps[0].win: expected `true` or a node id"),
        ("    lose: false", "8:11: error[FC1301]: steps[0].lose: expected `true` or a lose reason"),
        ("    lose: null", "8:11: error[FC1301]: steps[0].lose: expected `true` or a lose reason"),
    ]

    @Test(arguments: flagActionsOtherThanTrue)
    func aFlagActionTakesOnlyTrue(_ step: String, _ diagnostic: String) throws {
        let r = try Self.run(Self.oneStep(step))
        #expect(r.code == 1)
        #expect(r.out.contains("FAIL one step (the scenario file has errors)\n\(r.path):\(diagnostic)\n"), "\(r.out)")
        #expect(r.out.hasSuffix("\n0 passed, 1 failed\n"))
    }

    @Test func aReworkWithoutItsTargetIsAFormatErrorAtTheStep() throws {
        let r = try Self.run(Self.oneStep("    rework: initial_talks\n    reason: 客户要求改价"))
        #expect(r.code == 1)
        #expect(r.out.contains("\(r.path):7:5: error[FC1301]: steps[0]: missing `to` (the node `rework` goes back to)\n"), "\(r.out)")
        let null = try Self.run(Self.oneStep("    rework: initial_talks\n    to: null\n    reason: x"))
        #expect(null.out.contains("\(null.path):9:9: error[FC1301]: steps[0].to: expected a string\n"), "\(null.out)")
    }

    @Test func aKeyOfAnotherActionIsAFormatError() throws {
        let r = try Self.run(Self.oneStep("    complete: initial_talks\n    to: requirement_negotiation"))
        #expect(r.code == 1)
        #expect(r.out.contains("error[FC1301]: steps[0].to: `to` goes with `rework`, not with `complete`\n"), "\(r.out)")
    }

    @Test func aMappingKeyThatIsNotTextIsFC1302() throws {
        let r = try Self.run(Self.oneStep("    set: {1: 2}"))
        #expect(r.code == 1)
        #expect(r.out.contains("\(r.path):8:11: error[FC1302]: a mapping key must be text, not `1` (quote it)\n"), "\(r.out)")
        let bool = try Self.run(Self.oneStep("    set: {quote: 1, true: 2}"))
        #expect(bool.out.contains("\(bool.path):8:21: error[FC1302]: a mapping key must be text, not `true` (quote it)\n"), "\(bool.out)")
        let quoted = try Self.run(Self.oneStep("    set: {\"1\": 2}"))
        #expect(!quoted.out.contains("FC1302"), "\(quoted.out)")
    }

    @Test(arguments: [
        ("25h", "3:13: error[FC1301]: utc_offset: `25h` is out of range: a UTC offset is from -14h to +14h (-50400 to 50400 seconds)"),
        ("-15h", "3:13: error[FC1301]: utc_offset: `-15h` is out of range: a UTC offset is from -14h to +14h (-50400 to 50400 seconds)"),
        ("50401", "3:13: error[FC1301]: utc_offset: `50401` is out of range: a UTC offset is from -14h to +14h (-50400 to 50400 seconds)"),
        ("+15:00", "3:13: error[FC1301]: utc_offset: `+15:00` is out of range: a UTC offset is from -14h to +14h (-50400 to 50400 seconds)"),
        ("5:30", "3:13: error[FC1301]: utc_offset: expected a duration such as `8h`, or `+08:00`"),
        ("\"+05:46\"", "3:13: error[FC1301]: utc_offset: `+05:46` is no whole number of quarter hours from UTC, as every zone is: write `8h`, `-5h30m` or `\"-05:00\"`"),
        ("-300", "3:13: error[FC1301]: utc_offset: `-300` is no whole number of quarter hours from UTC, as every zone is: write `8h`, `-5h30m` or `\"-05:00\"`"),
    ])
    func aUTCOffsetOutOfRangeIsRefused(_ offset: String, _ diagnostic: String) throws {
        let scenario = passingScenario.replacingOccurrences(of: "+08:00\n", with: "+08:00\nutc_offset: \(offset)\n")
        let r = try Self.run(scenario)
        #expect(r.code == 1)
        #expect(r.out.contains("\(r.path):\(diagnostic)\n"), "\(r.out)")
    }

    @Test(arguments: ["14h", "-14h", "50400", "0", "5h30m", "-05:00", "\"+05:30\""])
    func aUTCOffsetInRangeIsAccepted(_ offset: String) throws {
        let scenario = passingScenario.replacingOccurrences(of: "+08:00\n", with: "+08:00\nutc_offset: \(offset)\n")
        let r = try Self.run(scenario)
        #expect(r.code == 0, "\(r.out)")
    }

    @Test func aNegativeCountOfOwnedDealsIsRefused() throws {
        let step = try Self.run(Self.oneStep("    by: bob\n    claim: true\n    owned: -3"))
        #expect(step.code == 1)
        #expect(step.out.contains("\(step.path):10:12: error[FC1301]: steps[0].owned: expected an integer of 0 or more, got -3\n"), "\(step.out)")
        let deal = try Self.run(Self.oneStep("    tick: true", deal: "  owned: -1\n"))
        #expect(deal.out.contains("\(deal.path):6:10: error[FC1301]: deal.owned: expected an integer of 0 or more, got -1\n"), "\(deal.out)")
    }

    /// docs/testing.md §4: a scenario about creating the deal alone needs no steps (the bundled
    /// `renewal-upsell/create-refused` is one); its `deal.expect` is checked.
    @Test func aScenarioWithoutStepsChecksTheDealsCreation() throws {
        let creation = passingScenario.components(separatedBy: "steps:")[0]
        let r = try Self.run(creation)
        #expect(r.code == 0, "\(r.out)")
        #expect(r.out.contains("PASS a quote above cost is won at once\n"))
        let wrong = try Self.run(creation.replacingOccurrences(of: "active: [initial_talks]", with: "active: [loss_review]"))
        #expect(wrong.code == 1)
        #expect(wrong.out.contains("    - expected active nodes [loss_review], got [initial_talks]\n"), "\(wrong.out)")
    }

    // MARK: Mistakes found before any step runs

    /// QA m1: a refusal code that no step can be refused with is an error in the file, at the
    /// value, with a did-you-mean when one code stands out (docs/testing.md §8).
    static let badRefusalCodes: [(String, String)] = [
        ("FC9999", "`FC9999` is not a refusal code: `refused` takes the code the step is refused with, one of the runner's (FC11xx; `flowc explain CODE` tells what each means)"),
        ("yes", "`yes` is not a refusal code: `refused` takes the code the step is refused with, one of the runner's (FC11xx; `flowc explain CODE` tells what each means)"),
        ("FC1211", "`FC1211` is a code of the host and its store, which a scenario does not run: its events are refused by the runner alone, with its codes (FC11xx)"),
        ("FC1511", "`FC1511` is not a refusal code (did you mean `FC1151`?): `refused` takes the code the step is refused with, one of the runner's (FC11xx; `flowc explain CODE` tells what each means)"),
        ("fc1121", "`fc1121` is not a refusal code (did you mean `FC1121`?): `refused` takes the code the step is refused with, one of the runner's (FC11xx; `flowc explain CODE` tells what each means)"),
        ("1121", "`1121` is not a refusal code (did you mean `FC1121`?): `refused` takes the code the step is refused with, one of the runner's (FC11xx; `flowc explain CODE` tells what each means)"),
        ("FC1214", "`FC1214` is a code of the host and its store, which a scenario does not run: its events are refused by the runner alone, with its codes (FC11xx)"),
        ("FC1166", "`FC1166` (node-removed) cannot happen in a scenario, which creates its deal first, names and dates its events itself, and has no stored deal and no migration"),
    ]

    @Test(arguments: badRefusalCodes)
    func aRefusalCodeThatCannotHappenIsAnErrorAtTheValue(_ code: String, _ message: String) throws {
        let r = try Self.run(Self.oneStep("    complete: loss_review\n    expect: {refused: \(code)}"))
        #expect(r.code == 1)
        #expect(r.out.contains("FAIL one step (the scenario file has errors)\n\(r.path):9:23: error[FC1301]: steps[0].expect.refused: \(message)\n"), "\(r.out)")
        #expect(!r.out.contains("step 1 ("), "\(r.out)")
        let right = try Self.run(Self.oneStep("    complete: loss_review\n    expect: {refused: FC1121}"))
        #expect(right.code == 0, "\(right.out)")
    }

    /// QA m2: nodes, fields and roles named in an expectation are checked against the template
    /// before any step runs, each at its own line and column, with a did-you-mean.
    @Test func unknownNamesInExpectationsAreErrorsAtTheName() throws {
        let step = """
                set: {quote: 1300}
                expect:
                  active: [intial_talks]
                  members: {sales_ownr: [alice]}
                  fields: {quot: 1300}
                  nodes: {loss_reveiw: pending}
                  effects_include: [{node: initial_talk}]
            """
        let r = try Self.run(Self.oneStep(step, deal: "  expect: {in_plan: [loss_reviw]}\n"), template: Self.tailoredTemplate)
        #expect(r.code == 1)
        let lines = r.out.split(separator: "\n").map(String.init)
        let errors = lines.filter { $0.contains("error[") }
        #expect(errors == [
            "\(r.path):6:22: error[FC1301]: deal.expect.in_plan[0]: unknown node `loss_reviw` (did you mean `loss_review`?)",
            "\(r.path):11:16: error[FC1301]: steps[0].expect.active[0]: unknown node `intial_talks` (did you mean `initial_talks`?)",
            "\(r.path):12:17: error[FC1301]: steps[0].expect.members.sales_ownr: unknown role `sales_ownr` (did you mean `sales_owner`?)",
            "\(r.path):13:16: error[FC1301]: steps[0].expect.fields.quot: unknown field `quot` (did you mean `quote`?)",
            "\(r.path):14:15: error[FC1301]: steps[0].expect.nodes.loss_reveiw: unknown node `loss_reveiw` (did you mean `loss_review`?)",
            "\(r.path):15:32: error[FC1301]: steps[0].expect.effects_include[0].node: unknown node `initial_talk` (did you mean `initial_talks`?)",
        ], "\(r.out)")
        #expect(lines.contains("FAIL one step (the scenario file has errors)"), "\(r.out)")
        #expect(!r.out.contains("step 1 ("), "\(r.out)")
    }

    /// QA m3: an event id used twice is refused by the store (FC1214); the scenario file is
    /// refused at the second one, naming the first one's line.
    @Test func aRepeatedEventIDIsAnErrorAtTheSecondOne() throws {
        let r = try Self.run(Self.oneStep("    id: ev\n    set: {quote: 1300}\n  - set: {quote: 1400}\n  - id: ev\n    set: {quote: 1500}"))
        #expect(r.code == 1)
        #expect(r.out.contains("FAIL one step (the scenario file has errors)\n\(r.path):11:9: error[FC1301]: steps[2].id: event id `ev` is already the id of "
            + "step 1 (line 8): event ids are unique within a deal, and the store refuses a repeated one (FC1214)\n"), "\(r.out)")
        #expect(r.out.contains(" 8 |     id: ev\n   |         -- first used here\n"), "\(r.out)")
        let creation = try Self.run(Self.oneStep("    id: create\n    set: {quote: 1300}"))
        #expect(creation.out.contains("\(creation.path):8:9: error[FC1301]: steps[0].id: event id `create` is the id of the deal's creation: "
            + "event ids are unique within a deal, and the store refuses a repeated one (FC1214)\n"), "\(creation.out)")
        // Said with the file's other mistakes of form, in the same round (QA round 32, D13: only
        // once they were fixed).
        let both = try Self.run(Self.oneStep("    id: ev\n    claim: false\n  - id: ev\n    set: {quote: 1500}"))
        #expect(both.code == 1)
        #expect(both.out.contains("steps[0].claim: expected `true`"), "\(both.out)")
        #expect(both.out.contains("\(both.path):10:9: error[FC1301]: steps[1].id: event id `ev` is already the id of step 1 (line 8)"), "\(both.out)")
    }

    /// A step without an id never takes one that a step gives itself, as the host chooses a
    /// fresh id (before, step 2's default `s2` repeated step 1's and was refused, FC1109).
    @Test func aDefaultEventIDAvoidsTheIdsStepsGiveThemselves() throws {
        let r = try Self.run(Self.oneStep("    id: s2\n    set: {quote: 1300}\n  - set: {quote: 1400}\n    expect: {fields: {quote: 1400}}"))
        #expect(r.code == 0, "\(r.out)")
    }

    /// QA m5: a second document is reported in the words of a scenario file; a template keeps
    /// its own.
    @Test func aSecondDocumentIsNamedAsAScenarioFile() throws {
        let r = try Self.run("scenario: x\n---\nscenario: y\n")
        #expect(r.code == 1)
        #expect(r.out.contains("\(r.path):2:1: error[FC0109]: a scenario file holds one YAML document; this is a second one\n"), "\(r.out)")
        let dir = try tempDir(["two.flow.yaml": cleanTemplate + "---\nflowc: 1\n"])
        let check = flowc("check", dir + "/two.flow.yaml")
        #expect((check.out + check.err).contains("error[FC0109]: a template file holds one YAML document; this is a second one"), "\(check.out)")
    }

    /// QA m6: steps after a creation expected to be refused cannot run; the file says so at the
    /// first step instead of failing it with FC1101.
    @Test func stepsAfterARefusedCreationAreAnErrorAtTheFirstStep() throws {
        let creation = """
            scenario: refused creation
            start: 2024-05-06T09:00:00+08:00
            deal:
              owner: alice
              fields: {nope: 1}
              expect: {refused: FC1110}

            """
        let r = try Self.run(creation + "steps:\n  - at: +1h\n    win: true\n")
        #expect(r.code == 1)
        #expect(r.out.contains("FAIL refused creation (the scenario file has errors)\n\(r.path):8:5: error[FC1301]: steps[0]: the deal is not created: its "
            + "creation is expected to be refused (`deal.expect.refused: FC1110`), so no step can run after it; leave `steps` out, or expect the creation "
            + "to succeed\n"), "\(r.out)")
        #expect(!r.out.contains("FC1101"), "\(r.out)")
        let alone = try Self.run(creation)
        #expect(alone.code == 0, "\(alone.out)")
    }

    /// QA m4: a scenario's times stay within the range of `--now` (the years 1 to 9999), and a
    /// number of a duration has at most 9 digits, as in a template.
    static let timesOutOfRange: [(String, String, String)] = [
        ("at: +1h", "at: +99999999999w", "8:9: error[FC1301]: steps[0].at: `+99999999999w`: each number in a duration has at most 9 digits "
            + "(`999999999m`; write a longer time in a larger unit)"),
        ("at: +1h", "at: +9223372036854775807s", "8:9: error[FC1301]: steps[0].at: `+9223372036854775807s`: each number in a duration has at most 9 digits "
            + "(`999999999m`; write a longer time in a larger unit)"),
        ("at: +1h", "at: 9223372036854775807", "8:9: error[FC1301]: steps[0].at: `9223372036854775807` is outside the years 1 to 9999 (the range of `--now`)"),
        ("at: +1h", "at: +999999999w", "8:9: error[FC1301]: steps[0].at: `+999999999w` after 2024-05-06T01:00:00Z is past the year 9999 (the range of `--now`)"),
        ("start: 2024-05-06T09:00:00+08:00", "start: -62135596801", "2:8: error[FC1301]: start: `-62135596801` is outside the years 1 to 9999 (the range of `--now`)"),
        ("expect: {status: won}", "expect: {next_timer: +1000000000d}", "10:26: error[FC1301]: steps[0].expect.next_timer: `+1000000000d`: each number in a "
            + "duration has at most 9 digits (`999999999m`; write a longer time in a larger unit)"),
        ("expect: {status: won}", "expect: {next_timer: 9223372036854775807}", "10:26: error[FC1301]: steps[0].expect.next_timer: `9223372036854775807` is outside "
            + "the years 1 to 9999 (the range of `--now`)"),
    ]

    @Test(arguments: timesOutOfRange)
    func aTimeOutOfRangeIsAnErrorAtTheTime(_ written: String, _ wrong: String, _ diagnostic: String) throws {
        let r = try Self.run(passingScenario.replacingOccurrences(of: written, with: wrong))
        #expect(r.code == 1)
        #expect(r.out.contains("\(r.path):\(diagnostic)\n"), "\(r.out)")
    }

    @Test(arguments: ["at: +999999999m", "at: 253402300799", "at: \"9999-12-31T23:59:59Z\""])
    func aTimeAtTheEdgeOfTheRangeIsAccepted(_ at: String) throws {
        let r = try Self.run(passingScenario.replacingOccurrences(of: "at: +1h", with: at))
        #expect(r.code == 0, "\(r.out)")
    }

    static let hostileScenarios: [(String, String)] = [
        ("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
            + "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
         "FC0104"),
        (String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "\n", "FC0105"),
        ("scenario: x\u{0}\n", "FC0107"),
        ("# nothing but a comment\n", "FC0110"),
        ("scenario: x\n---\nscenario: y\n", "FC0109"),
        ("? [a, b]\n: c\n", "FC1302"),
        ("- a list\n- not a scenario\n", "FC1301"),
    ]

    @Test(arguments: hostileScenarios)
    func hostileScenarioFilesAreDiagnosticsNotCrashes(_ text: String, _ code: String) throws {
        let dir = try tempDir(["a.flow.yaml": cleanTemplate, "scenarios/a/h.scenario.yaml": text])
        let r = flowc("test", dir + "/a.flow.yaml")
        #expect(r.code == 1)
        #expect(r.out.contains("error[\(code)]"), "\(r.out)")
        #expect(r.out.hasSuffix("\n0 passed, 1 failed\n"))
    }

    @Test func aScenarioForAnotherTemplateIsRefused() throws {
        let other = "template: ../../b.flow.yaml\n" + passingScenario
        let dir = try tempDir(["a.flow.yaml": cleanTemplate, "b.flow.yaml": cleanTemplate, "scenarios/a/other.scenario.yaml": other])
        let r = flowc("test", dir + "/a.flow.yaml")
        #expect(r.code == 1)
        #expect(r.out.contains("other.scenario.yaml:1:11: error[FC1303]: this scenario is for `../../b.flow.yaml`, not for `\(dir)/a.flow.yaml`"), "\(r.out)")
        let same = "template: ../../a.flow.yaml\n" + passingScenario
        let dir2 = try tempDir(["a.flow.yaml": cleanTemplate, "scenarios/a/same.scenario.yaml": same])
        #expect(flowc("test", dir2 + "/a.flow.yaml").code == 0)
    }

    @Test func aJSONScenarioRunsToo() throws {
        let json = """
            {"scenario": "json", "start": "2024-05-06T09:00:00+08:00", "deal": {"owner": "alice", "fields": {"quote": 1200, "cost": 1000}},
             "steps": [{"at": "+1h", "win": true, "expect": {"status": "won"}}]}
            """
        let dir = try tempDir(["a.flow.yaml": cleanTemplate, "scenarios/a/j.scenario.json": json])
        let r = flowc("test", dir + "/a.flow.yaml")
        #expect(r.code == 0, "\(r.out)")
        #expect(r.out.contains("PASS json\n"))
    }

    @Test func aTemplateWithErrorsIsNotRun() throws {
        let dir = try tempDir(["a.flow.yaml": brokenTemplate, "scenarios/a/above.scenario.yaml": passingScenario])
        let r = flowc("test", dir + "/a.flow.yaml")
        #expect(r.code == 1)
        #expect(r.out.contains("error[FC0302]: unknown node `loss_reveiw`"))
        #expect(r.out.contains("FAIL a quote above cost is won at once (not run: the template has errors)"))
        #expect(r.out.hasSuffix("\n0 passed, 1 failed\n"))
    }

    @Test func filterRunsOnlyMatchingScenarios() throws {
        let dir = try tempDir([
            "a.flow.yaml": cleanTemplate,
            "scenarios/a/above.scenario.yaml": passingScenario,
            "scenarios/a/below.scenario.yaml": failingScenario,
        ])
        let r = flowc("test", dir + "/a.flow.yaml", "--filter", "above cost")
        #expect(r.code == 0, "\(r.out)")
        #expect(r.out.hasSuffix("\n1 passed, 0 failed\n"))
        let none = flowc("test", dir + "/a.flow.yaml", "--filter", "nothing like this")
        #expect(none.code == 2)
        #expect(none.err == "\(dir)/a.flow.yaml: error[FC1308]: no scenario of `\(dir)/a.flow.yaml` matches `--filter nothing like this`: the text is looked for as written, capitals counting, in each scenario's name and its file's path\n", "\(none.err)")
        // Nothing on standard output: no header of a template none of whose scenarios ran, no
        // count of nothing (QA round 31, N5).
        #expect(none.out == "", "\(none.out)")
    }

    @Test func aFilterLeavesOutTheTemplatesItMatchesNothingIn() throws {
        let dir = try tempDir([
            "a.flow.yaml": cleanTemplate,
            "b.flow.yaml": cleanTemplate,
            "scenarios/a/above.scenario.yaml": passingScenario,
            "scenarios/b/below.scenario.yaml": failingScenario,
        ])
        let r = flowc("test", dir, "--filter", "above cost")
        #expect(r.code == 0, "\(r.out)")
        #expect(r.out.hasPrefix("== \(dir)/a.flow.yaml ("), "\(r.out)")
        #expect(!r.out.contains("b.flow.yaml"), "\(r.out)")
        #expect(r.out.hasSuffix("\n1 passed, 0 failed\n"), "\(r.out)")
        let both = flowc("test", dir)
        #expect(both.out.contains("\n\n== \(dir)/b.flow.yaml ("), "\(both.out)")
        // A template without scenarios in the directory: its line is not said under the
        // header of the template before (QA round 33, Q5), nor at all under a filter.
        try cleanTemplate.write(toFile: dir + "/c.flow.yaml", atomically: true, encoding: .utf8)
        let none = flowc("test", dir, "--filter", "nothing like it")
        #expect(none.code == 2 && none.out == "", "\(none.out)")
        let some = flowc("test", dir, "--filter", "above cost")
        #expect(some.code == 0 && !some.out.contains("no scenarios for") && !some.out.contains("b.flow.yaml"), "\(some.out)")
        let all = flowc("test", dir)
        #expect(all.out.contains("no scenarios for \(dir)/c.flow.yaml"), "\(all.out)")
    }

    @Test func aDirectoryRunsEveryTemplateWithScenarios() throws {
        let dir = try tempDir([
            "a.flow.yaml": cleanTemplate,
            "b.flow.yaml": cleanTemplate,
            "scenarios/a/above.scenario.yaml": passingScenario,
        ])
        let r = flowc("test", dir)
        #expect(r.code == 0, "\(r.out)")
        #expect(r.out.contains("\n\nno scenarios for \(dir)/b.flow.yaml (add them under \(dir)/scenarios/b/)\n"), "\(r.out)")
        #expect(r.out.hasSuffix("\n1 passed, 0 failed\n"))
    }

    /// A directory named through a symbolic link is the directory it links to, for `check` and
    /// `test`, and so is a template's scenario directory (QA round 32, D5: "no template files
    /// found" in a linked `templates/`).
    @Test func aLinkedDirectoryIsWalked() throws {
        let dir = try tempDir([
            "real/a.flow.yaml": cleanTemplate,
            "shared/above.scenario.yaml": passingScenario,
        ])
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: dir + "/real")
        try FileManager.default.createDirectory(atPath: dir + "/real/scenarios", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/real/scenarios/a", withDestinationPath: dir + "/shared")
        for path in [dir + "/link", dir + "/link/"] {
            let check = flowc("check", path)
            #expect(check.code == 0, "\(check.err)")
            #expect(check.out.contains("checked 1 file"), "\(check.out)")
            let test = flowc("test", path)
            #expect(test.code == 0, "\(test.out)\(test.err)")
            #expect(test.out.contains("PASS a quote above cost is won at once"), "\(test.out)")
            #expect(test.out.hasSuffix("\n1 passed, 0 failed\n"), "\(test.out)")
        }
    }

    // MARK: Usage and IO: exit 2

    @Test func aTemplateWithoutScenariosExitsTwo() throws {
        let dir = try tempDir(["a.flow.yaml": cleanTemplate])
        let r = flowc("test", dir + "/a.flow.yaml")
        #expect(r.code == 2)
        #expect(r.err.contains("error[FC1304]: no scenario files for `\(dir)/a.flow.yaml` (looked in `\(dir)/scenarios/a/`)"), "\(r.err)")
    }

    /// Scenarios put where a newcomer guesses: a directory named after the template's id, or a
    /// file with another ending. FC1304 points at them (QA round 9: it only said where it looked).
    @Test func scenariosInTheWrongPlaceArePointedAt() throws {
        let byID = try tempDir(["a.flow.yaml": cleanTemplate, "scenarios/mini/won.scenario.yaml": "scenario: x\n"])
        let r = flowc("test", byID + "/a.flow.yaml")
        #expect(r.code == 2)
        #expect(r.err.contains("help: `\(byID)/scenarios/mini/` holds scenario files: the scenarios of a template live in a directory named after its file, `\(byID)/scenarios/a/`"), "\(r.err)")
        let plural = try tempDir(["a.flow.yaml": cleanTemplate, "scenarios/a/won.scenarios.yaml": "scenario: x\n"])
        let p = flowc("test", plural + "/a.flow.yaml")
        #expect(p.code == 2)
        #expect(p.err.contains("help: `\(plural)/scenarios/a/won.scenarios.yaml` is there, but a scenario file's name ends in `.scenario.yaml`"), "\(p.err)")
    }

    /// `- expect:` as a list item of its own (a newcomer's classic): the error says to indent it
    /// under the step it checks (QA round 9).
    @Test func anExpectWrittenAsAStepOfItsOwnSaysWhatToDo() throws {
        let r = try Self.run(Self.oneStep("    set: {quote: 1300}\n  - expect: {active: [initial_talks]}"))
        #expect(r.code == 1)
        #expect(r.out.contains("steps[1]: a step has exactly one action (") && r.out.contains("; found none (an `expect` written as a list item of its own is a step with no action: indent it under the step it checks, without its `-`)"), "\(r.out)")
    }

    /// A value refused at the creation or in a step's `set` is pointed at where it is written,
    /// not at `deal:` or the step (QA round 44, A10).
    @Test func aRefusedValueIsPointedAt() throws {
        let created = try Self.run("""
            scenario: one step
            start: 2024-05-06T09:00:00+08:00
            deal:
              owner: alice
              fields: {quote: 1200, cost: 1000, customer_name: "lots"}
            steps:
              - at: +1h
                set: {quote: "many"}

            """)
        #expect(created.code == 1)
        // `customer_name` is no field of this template: the creation is refused at it.
        #expect(created.out.contains("  --> \(created.path):5:52\n"), "\(created.out)")
        let set = try Self.run(Self.oneStep("    set: {quote: \"many\"}"))
        #expect(set.code == 1)
        #expect(set.out.contains("  --> \(set.path):8:18\n"), "\(set.out)")
    }

    /// Two actions in one step, the second step's `- ` left out after a line of `at` or `by`:
    /// the error is at the second action, with the dash to write (QA round 43, F7: it pointed at
    /// the step's `at` line and said nothing of the dash).
    @Test func aStepWithTwoActionsPointsAtTheSecond() throws {
        let r = try Self.run(Self.oneStep("    set: {quote: 1300}\n    complete: initial_talks"))
        #expect(r.code == 1)
        #expect(r.out.contains("s.scenario.yaml:9:5: error[FC1301]: steps[0].complete: a step has exactly one action ("), "\(r.out)")
        #expect(r.out.contains("; found set, complete\n"), "\(r.out)")
        #expect(r.out.contains("help: if `complete` begins the next step, write `- ` before it, in the column of the other steps' `- `"), "\(r.out)")
        // With the next step's `by` (or `at`) before its action, the step begins there.
        let by = try Self.run(Self.oneStep("    set: {quote: 1300}\n    by: bob\n    id: s2\n    complete: initial_talks"))
        #expect(by.code == 1)
        #expect(by.out.contains("s.scenario.yaml:9:5: error[FC1301]: steps[0].by: a step has exactly one action ("), "\(by.out)")
        #expect(by.out.contains("help: if `by` begins the next step, write `- ` before it, in the column of the other steps' `- `"), "\(by.out)")
        // In a JSON scenario, the object to close (QA round 44, R7).
        let json = """
            {"scenario": "one step", "start": "2024-05-06T09:00:00+08:00", "deal": {"owner": "alice", "fields": {"quote": 1200, "cost": 1000}},
             "steps": [{"set": {"quote": 1300}, "by": "bob", "complete": "initial_talks"}]}
            """
        let jdir = try tempDir(["a.flow.yaml": cleanTemplate, "scenarios/a/s.scenario.json": json])
        let j = flowc("test", jdir + "/a.flow.yaml")
        #expect(j.out.contains("help: if `by` begins the next step, end this step's object before it and open the next: `}, {`"), "\(j.out)")
        // A `note` first too; an `expect` belongs to the step before (QA round 44, R6).
        let note = try Self.run(Self.oneStep("    set: {quote: 1300}\n    expect: {active: [initial_talks]}\n    note: next\n    complete: initial_talks"))
        #expect(note.out.contains("s.scenario.yaml:10:5: error[FC1301]: steps[0].note: a step has exactly one action ("), "\(note.out)")
    }

    /// A scenario file with several format mistakes shows them all in one run, each at its
    /// place (QA round 9: one per run, three runs for three typos on one line).
    @Test func everyFormatMistakeIsShownInOneRun() throws {
        let scenario = """
            scenario: three mistakes
            start: 2024-05-06T09:00:00+08:00
            deal:
              owner: alice
              fields: {quote: 1200, cost: 1000}
            steps:
              - complete: initial_talks
                expect: {nodes: {initial_talks: completed}, effects: [group_chat], status: finished}
              - at: +1 day
                tick: true

            """
        let r = try Self.run(scenario)
        #expect(r.code == 1)
        let errors = r.out.split(separator: "\n").filter { $0.contains("error[FC1301]") }.map(String.init)
        #expect(errors.count == 4, "\(r.out)")
        #expect(errors.contains { $0.contains("steps[0].expect.nodes.initial_talks: unknown status `completed`") }, "\(errors)")
        #expect(errors.contains { $0.contains("steps[0].expect.effects[0]: unknown effect kind `group_chat` (did you mean `group_chat_create`?)") }, "\(errors)")
        #expect(errors.contains { $0.contains("steps[0].expect.status: expected open, won or lost") }, "\(errors)")
        #expect(errors.contains { $0.contains("steps[1].at: expected `+` and a duration such as `+3d`") }, "\(errors)")
    }

    /// A mistake in the deal or an unknown key in an expectation does not hide the others
    /// (QA round 11: a `deal.expect` typo hid every step's mistake).
    @Test func aDealMistakeDoesNotHideTheSteps() throws {
        let scenario = """
            scenario: deal and steps
            start: 2024-05-06T09:00:00+08:00
            deal:
              owner: alice
              fields: {quote: 1200, cost: 1000}
              expect: {actve: [initial_talks]}
            steps:
              - complete: initial_talks
                expect: {stauts: won, pool: nowhere}

            """
        let r = try Self.run(scenario)
        #expect(r.code == 1)
        let errors = r.out.split(separator: "\n").filter { $0.contains("error[FC1301]") }.map(String.init)
        #expect(errors.contains { $0.contains("deal.expect: unknown key `actve` (did you mean `active`?)") }, "\(errors)")
        #expect(errors.contains { $0.contains("steps[0].expect: unknown key `stauts` (did you mean `status`?)") }, "\(errors)")
        #expect(errors.contains { $0.contains("steps[0].expect.pool: expected private or public") }, "\(errors)")
    }

    @Test func missingFilesExitTwo() throws {
        #expect(flowc("test", "/nonexistent/x.flow.yaml").code == 2)
        let dir = try tempDir(["a.flow.yaml": cleanTemplate])
        let r = flowc("test", dir + "/a.flow.yaml", dir + "/missing.scenario.yaml")
        #expect(r.code == 2)
        #expect(r.err.contains("error[FC0001]: cannot read"))
    }

    @Test func aDirectoryWithoutScenariosOrWithScenarioArgumentsExitsTwo() throws {
        let dir = try tempDir(["a.flow.yaml": cleanTemplate])
        #expect(flowc("test", dir).code == 2)
        #expect(flowc("test", dir, dir + "/x.scenario.yaml").code == 2)
        #expect(flowc("test").code == 2)
    }

    @Test func aFragmentCannotBeTested() {
        let r = flowc("test", repoRoot + "/templates/fragments/common-roles.flow.yaml")
        #expect(r.code == 2)
        #expect(r.err.contains("error[FC1305]"))
    }

    @Test func aCompiledMachineIsNotATemplateToTest() throws {
        let dir = try tempDir(["a.flow.yaml": cleanTemplate, "above.scenario.yaml": passingScenario])
        #expect(flowc("compile", dir + "/a.flow.yaml", "-o", dir + "/a.json").code == 0)
        let r = flowc("test", dir + "/a.json", dir + "/above.scenario.yaml")
        #expect(r.code == 2)
        #expect(r.err == "\(dir)/a.json: error[FC1306]: `\(dir)/a.json` is a compiled machine: `flowc test` takes the template it was compiled from "
            + "(`.flow.yaml`)\n", "\(r.err)")
        #expect(!r.out.contains("FC0202"), "\(r.out)")
        #expect(flowc("explain", "FC1306").code == 0)
    }

    @Test func testHasHelp() {
        let r = flowc("test", "--help")
        #expect(r.code == 0)
        #expect(r.out.contains("--filter"))
    }
}
