@testable import FlowHost
import Foundation
import Testing

/// The parallel map used to decode and encode batches keeps the items' order and misses none,
/// whether it runs on one thread (few items) or several.
@Suite struct ParallelWorkTests {
    @Test(arguments: [0, 1, 15, 31, 32, 33, 1_000, 4_099])
    func mapKeepsOrderAndTransformsEveryItemOnce(_ count: Int) {
        let items = (0..<count).map { "item-\($0)" }
        let mapped = ParallelWork.map(items, workers: 4) { $0 + "!" }
        #expect(mapped == items.map { $0 + "!" })
    }

    /// The background work runs on another thread while the foreground runs on the caller's,
    /// and both results come back.
    @Test func alongsideReturnsBothResults() {
        let caller = pthread_self()
        let (foreground, background) = ParallelWork.alongside({ ((1...1_000).reduce(0, +), pthread_self()) }, while: { pthread_self() })
        #expect(pthread_equal(foreground, caller) != 0)
        #expect(background.0 == 500_500)
        #expect(pthread_equal(background.1, caller) == 0)
    }

    @Test func aSingleWorkerIsAPlainMap() {
        let items = Array(0..<100)
        #expect(ParallelWork.map(items, workers: 1) { $0 * 2 } == items.map { $0 * 2 })
    }
}
