import Foundation

/// Set by the signal handler of ``Interrupts``: a plain store, safe in a handler. Once set, it
/// stays set for the process (a Ctrl-C during the wait for the store also stops the run after it).
nonisolated(unsafe) private var interruptRaised: sig_atomic_t = 0

/// SIGINT and SIGTERM caught while a run or a tick goes: the first is noted (a run stops at the
/// next record, a tick after the page it writes, having written what they have); Ctrl-C's
/// handler is then the default one again, so that a second Ctrl-C ends the process at once (a
/// write under way is rolled back whole by SQLite); TERM stays caught, as often as it comes. A signal the
/// process was started with ignored (a job put in the background by a script) stays ignored, as
/// the convention is (QA round 35, B7: a run in the background of a script stopped at Ctrl-C).
///
/// A handler of its own, installed and removed as often as commands need (the wait for the
/// store's writer lock, then the run): with dispatch signal sources, the second install in one
/// process never fired once the first had put the old handlers back.
final class Interrupts: @unchecked Sendable {
    private var previous: [(Int32, sig_t?)] = []

    var isRaised: Bool { interruptRaised != 0 }

    /// Whether Ctrl-C or TERM came while any ``Interrupts`` was installed in this process.
    static var raisedInProcess: Bool { interruptRaised != 0 }

    static func install() -> Interrupts {
        // Read once here, so that the handler never is the first to touch the global.
        _ = interruptRaised
        let interrupts = Interrupts()
        for number in [SIGINT, SIGTERM] {
            let previous = signal(number) { number in
                interruptRaised = 1
                // A second Ctrl-C ends the process at once, as the convention is; a TERM stays
                // caught: supervisors and `timeout` send it twice (to the process and its group),
                // and a second one killed a migration without a word (QA round 44, R1).
                if number == SIGINT { signal(number, SIG_DFL) }
            }
            if let previous, unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) {
                signal(number, SIG_IGN)
                continue
            }
            interrupts.previous.append((number, previous))
        }
        return interrupts
    }

    /// Puts the handlers back as they were.
    func remove() {
        for (number, handler) in previous { signal(number, handler) }
        previous = []
    }
}
