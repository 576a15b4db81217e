import FlowSyntax

/// Why one node leads to another.
public enum EdgeKind: Sendable, Hashable {
    case next
    /// The i-th conditional branch of a `next` list.
    case branch(Int)
    case defaultBranch
    case outcome(String)
    case forkBranch
    /// The global lose, from an open node to `lose.via`.
    case lose
    /// Rework back to an earlier node (not a forward edge).
    case rework
}

/// A transition between two nodes, by dense index.
public struct Edge: Sendable, Hashable {
    public var from: Int
    public var to: Int
    public var kind: EdgeKind

    /// Forward edges make progress: every edge but lose and rework.
    public var isForward: Bool {
        switch kind {
        case .lose, .rework: false
        default: true
        }
    }
}

/// The node flow as adjacency lists over dense node indices (first definition of each id).
public struct FlowGraph: Sendable {
    public var nodeCount: Int
    public var edges: [[Edge]]
    public var start: Int?

    /// Nodes reachable from `from` following edges accepted by `follow`.
    public func reachable(from: [Int], follow: (Edge) -> Bool) -> [Bool] {
        var seen = [Bool](repeating: false, count: nodeCount)
        var stack = from.filter { $0 >= 0 && $0 < nodeCount }
        for s in stack { seen[s] = true }
        while let n = stack.popLast() {
            for e in edges[n] where follow(e) && !seen[e.to] {
                seen[e.to] = true
                stack.append(e.to)
            }
        }
        return seen
    }

    /// Nodes from which some node in `targets` can be reached following `follow` edges.
    public func canReach(_ targets: [Bool], follow: (Edge) -> Bool) -> [Bool] {
        var reverse = [[Int]](repeating: [], count: nodeCount)
        for list in edges { for e in list where follow(e) { reverse[e.to].append(e.from) } }
        var seen = targets
        var stack = (0..<nodeCount).filter { targets[$0] }
        while let n = stack.popLast() {
            for p in reverse[n] where !seen[p] {
                seen[p] = true
                stack.append(p)
            }
        }
        return seen
    }

    /// Strongly connected components (iterative Tarjan), in reverse topological order.
    public func stronglyConnectedComponents(follow: (Edge) -> Bool) -> [[Int]] {
        var index = [Int](repeating: -1, count: nodeCount)
        var low = [Int](repeating: 0, count: nodeCount)
        var onStack = [Bool](repeating: false, count: nodeCount)
        var stack: [Int] = []
        var result: [[Int]] = []
        var counter = 0
        for root in 0..<nodeCount where index[root] < 0 {
            var work: [(node: Int, edge: Int)] = [(root, 0)]
            index[root] = counter; low[root] = counter; counter += 1
            stack.append(root); onStack[root] = true
            while let (v, i) = work.last {
                let out = edges[v]
                if i < out.count {
                    work[work.count - 1].edge += 1
                    let e = out[i]
                    guard follow(e) else { continue }
                    let w = e.to
                    if index[w] < 0 {
                        index[w] = counter; low[w] = counter; counter += 1
                        stack.append(w); onStack[w] = true
                        work.append((w, 0))
                    } else if onStack[w] {
                        low[v] = min(low[v], index[w])
                    }
                } else {
                    work.removeLast()
                    if let parent = work.last { low[parent.node] = min(low[parent.node], low[v]) }
                    if low[v] == index[v] {
                        var comp: [Int] = []
                        while let w = stack.popLast() {
                            onStack[w] = false
                            comp.append(w)
                            if w == v { break }
                        }
                        result.append(comp)
                    }
                }
            }
        }
        return result
    }
}
