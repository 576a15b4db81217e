import Dispatch
import Foundation

/// Pure, independent work spread over the machine's cores: decoding the snapshots a timer sweep
/// loads and encoding the records a session flushes. Each item is transformed on its own, in no
/// particular order across threads; the results come back in the items' order.
///
/// The transforms given here must not touch shared mutable state (the snapshot and effect codecs
/// are pure functions of their input).
enum ParallelWork {
    /// Below this many items per core the work stays on the calling thread: handing out a chunk
    /// costs more than a handful of small items.
    static let minimumPerWorker = 16

    /// `items.map(transform)`, on up to `activeProcessorCount` threads.
    static func map<T: Sendable, R: Sendable>(
        _ items: [T], workers limit: Int = ProcessInfo.processInfo.activeProcessorCount, _ transform: @Sendable (T) -> R
    ) -> [R] {
        let workers = min(limit, items.count / minimumPerWorker)
        if workers < 2 { return items.map(transform) }
        return [R](unsafeUninitializedCapacity: items.count) { buffer, initialized in
            guard let address = buffer.baseAddress else { return }
            let base = Slots(address: address)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                // Contiguous chunks: worker w transforms items [n·w/k, n·(w+1)/k).
                let start = items.count * worker / workers
                let end = items.count * (worker + 1) / workers
                for i in start..<end { (base.address + i).initialize(to: transform(items[i])) }
            }
            initialized = items.count
        }
    }
}

extension ParallelWork {
    /// Runs `background` on another thread while `foreground` runs on this one, and returns both
    /// results once both are done: a timer sweep reads its next page while it writes the last.
    static func alongside<A, B: Sendable>(_ background: @escaping @Sendable () -> B, while foreground: () -> A) -> (A, B) {
        let slot = Slot<B>()
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) { slot.value = background() }
        let a = foreground()
        group.wait()
        // The group's wait orders the background's write before this read.
        return (a, slot.value ?? background())
    }
}

/// Where the background work of ``ParallelWork/alongside(_:while:)`` leaves its result; written
/// by that one thread, read after it is done.
private final class Slot<B>: @unchecked Sendable {
    var value: B?
}

/// The result buffer, shared by the workers: each writes only its own chunk's slots, and the
/// buffer outlives them (`concurrentPerform` returns when all are done).
private struct Slots<R>: @unchecked Sendable {
    let address: UnsafeMutablePointer<R>
}
