import Foundation

/// SIGINT and SIGTERM caught while a run or a tick goes: the first is noted (a run stops at the
/// next record, a tick after the page it writes, having written what they have); the handlers are
/// then the default ones again, so that a second Ctrl-C ends the process at once.
final class Interrupts: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false
    private var sources: [any DispatchSourceSignal] = []
    private var previous: [(Int32, sig_t?)] = []

    var isRaised: Bool { lock.withLock { raised } }

    static func install() -> Interrupts {
        let interrupts = Interrupts()
        for number in [SIGINT, SIGTERM] {
            interrupts.previous.append((number, signal(number, SIG_IGN)))
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak interrupts] in interrupts?.raise() }
            source.resume()
            interrupts.sources.append(source)
        }
        return interrupts
    }

    private func raise() {
        lock.withLock { raised = true }
        for (number, _) in previous { signal(number, SIG_DFL) }
    }

    /// Puts the handlers back as they were.
    func remove() {
        for source in sources { source.cancel() }
        sources = []
        for (number, handler) in previous { signal(number, handler) }
        previous = []
    }
}
