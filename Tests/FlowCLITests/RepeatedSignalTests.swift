@testable import FlowCLI
import Foundation
import Testing

/// TERM as often as it comes is noted, never a kill: supervisors and `timeout` send it twice (to
/// the process and its group), and a second one killed a migration without a word (QA round 44,
/// R1). A second Ctrl-C still ends the process at once, as the convention is.
@Suite struct RepeatedSignalTests {
    static let variable = "FLOWC_TEST_REPEATED_SIGNAL"

    @Test(arguments: [("TERM", Int32(0)), ("INT", SIGINT)])
    func aSecondSignal(_ name: String, _ killedBy: Int32) throws {
        let child = try testChild("RepeatedSignalTests/repeatedSignalChild", Self.variable, name)
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        child.waitUntilExit()
        if killedBy == 0 {
            #expect(child.terminationReason == .exit && child.terminationStatus == 0, "\(child.terminationReason) \(child.terminationStatus)")
        } else {
            #expect(child.terminationReason == .uncaughtSignal && child.terminationStatus == killedBy, "\(child.terminationReason) \(child.terminationStatus)")
        }
    }

    @Test func repeatedSignalChild() {
        guard let name = ProcessInfo.processInfo.environment[Self.variable] else { return }
        let number = name == "TERM" ? SIGTERM : SIGINT
        let interrupts = Interrupts.install()
        // To the process (the test's own thread may block signals), each given time to land.
        kill(getpid(), number)
        usleep(200_000)
        kill(getpid(), number)
        usleep(200_000)
        // Still here: both were noted.
        exit(interrupts.isRaised ? 0 : 1)
    }
}
