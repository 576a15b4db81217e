/// Which nodes every path from the start passes through.
///
/// Node `a` dominates node `b` when every path from the start to `b` passes `a` (a node dominates
/// itself). Built with the iterative algorithm of Cooper, Harvey and Kennedy ("A Simple, Fast
/// Dominance Algorithm"), then numbered by a walk of the dominator tree so that each question is
/// two comparisons.
public struct Dominators: Sendable {
    /// Pre- and post-order numbers in the dominator tree; -1 for a node the start cannot reach.
    private let pre: [Int]
    private let post: [Int]

    /// Whether the start reaches `node` along the edges the tree was built from.
    public func isReachable(_ node: Int) -> Bool { pre[node] >= 0 }

    /// Whether every path from the start to `b` passes `a`. False when either is unreachable.
    public func dominates(_ a: Int, _ b: Int) -> Bool {
        pre[a] >= 0 && pre[b] >= 0 && pre[a] <= pre[b] && post[b] <= post[a]
    }

    init(pre: [Int], post: [Int]) {
        self.pre = pre
        self.post = post
    }
}

extension FlowGraph {
    /// The dominators of the graph from its start node, following the edges `follow` accepts.
    public func dominators(follow: (Edge) -> Bool) -> Dominators {
        let none = [Int](repeating: -1, count: nodeCount)
        guard let start, start >= 0, start < nodeCount else { return Dominators(pre: none, post: none) }
        // Reverse postorder of the nodes the start reaches (iterative depth-first search).
        var order = none
        var postorder: [Int] = []
        var visited = [Bool](repeating: false, count: nodeCount)
        var predecessors = [[Int]](repeating: [], count: nodeCount)
        var work: [(node: Int, edge: Int)] = [(start, 0)]
        visited[start] = true
        while let (v, i) = work.last {
            if i < edges[v].count {
                work[work.count - 1].edge += 1
                let e = edges[v][i]
                guard follow(e) else { continue }
                predecessors[e.to].append(v)
                if !visited[e.to] {
                    visited[e.to] = true
                    work.append((e.to, 0))
                }
            } else {
                work.removeLast()
                order[v] = postorder.count
                postorder.append(v)
            }
        }
        // Immediate dominators, compared by postorder number.
        var idom = none
        idom[start] = start
        func intersect(_ a: Int, _ b: Int) -> Int {
            var a = a, b = b
            while a != b {
                while order[a] < order[b] { a = idom[a] }
                while order[b] < order[a] { b = idom[b] }
            }
            return a
        }
        var changed = true
        while changed {
            changed = false
            for v in postorder.reversed() where v != start {
                var new = -1
                for p in predecessors[v] where idom[p] >= 0 {
                    new = new < 0 ? p : intersect(p, new)
                }
                if new >= 0, idom[v] != new {
                    idom[v] = new
                    changed = true
                }
            }
        }
        // Number the dominator tree.
        var children = [[Int]](repeating: [], count: nodeCount)
        for v in postorder where v != start && idom[v] >= 0 { children[idom[v]].append(v) }
        var pre = none, post = none
        var counter = 0
        var stack: [(node: Int, child: Int)] = [(start, 0)]
        pre[start] = counter; counter += 1
        while let (v, i) = stack.last {
            if i < children[v].count {
                stack[stack.count - 1].child += 1
                let c = children[v][i]
                pre[c] = counter; counter += 1
                stack.append((c, 0))
            } else {
                stack.removeLast()
                post[v] = counter; counter += 1
            }
        }
        return Dominators(pre: pre, post: post)
    }
}
