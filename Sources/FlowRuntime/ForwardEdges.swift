/// The flow's edges that lead forward: every transition but those back to a node that dominates
/// its source (every way from the start to the source passes through the target first: a loop
/// back, such as an approval's rejection to an earlier node). A deal that takes a back edge is
/// reworked (the nodes between go back to pending); one that takes a forward edge enters the
/// target. Runner rules 12 read "after" and "between" along these edges only (QA round 34: a loop
/// from a branch back before its fork made every node of the fork "between", and "after" the
/// other branch's).
///
/// Dominators are computed from the start node and `lose.via` together (the lose path is entered
/// by the `lose` event, not by a transition), with the iterative algorithm of Cooper, Harvey and
/// Kennedy over reverse postorder; "dominates" is answered in constant time from the dominator
/// tree's preorder intervals. Linear in the flow's size for the flows templates have.
struct ForwardEdges: Sendable {
    let successors: [[Int]]
    let predecessors: [[Int]]

    init(successors all: [[Int]], predecessors: [[Int]], roots: [Int]) {
        let n = all.count
        let root = n  // a virtual root before the start node and `lose.via`
        var preds = predecessors + [[]]
        let starts = roots.filter { $0 >= 0 && $0 < n }
        for r in starts { preds[r].append(root) }
        func successors(_ x: Int) -> [Int] { x == root ? starts : all[x] }

        // Reverse postorder from the virtual root (iterative depth-first search).
        var order: [Int] = []
        var visited = Array(repeating: false, count: n + 1)
        var stack: [(node: Int, next: Int)] = [(root, 0)]
        visited[root] = true
        while let top = stack.last {
            let next = successors(top.node)
            if top.next < next.count {
                stack[stack.count - 1].next += 1
                let y = next[top.next]
                if !visited[y] { visited[y] = true; stack.append((y, 0)) }
            } else {
                order.append(top.node)
                stack.removeLast()
            }
        }
        order.reverse()
        var rank = Array(repeating: -1, count: n + 1)
        for (i, x) in order.enumerated() { rank[x] = i }

        // Immediate dominators.
        var idom = Array(repeating: -1, count: n + 1)
        idom[root] = root
        func intersect(_ a: Int, _ b: Int) -> Int {
            var (x, y) = (a, b)
            while x != y {
                while rank[x] > rank[y] { x = idom[x] }
                while rank[y] > rank[x] { y = idom[y] }
            }
            return x
        }
        var changed = true
        while changed {
            changed = false
            for x in order where x != root {
                var new = -1
                for p in preds[x] where idom[p] >= 0 { new = new < 0 ? p : intersect(p, new) }
                if new >= 0, idom[x] != new { idom[x] = new; changed = true }
            }
        }

        // Preorder intervals of the dominator tree: y dominates x when x's interval is inside y's.
        var children = Array(repeating: [Int](), count: n + 1)
        for x in order where x != root && idom[x] >= 0 { children[idom[x]].append(x) }
        var enter = Array(repeating: -1, count: n + 1), exit = Array(repeating: -1, count: n + 1)
        var clock = 0
        var walk: [(node: Int, next: Int)] = [(root, 0)]
        enter[root] = clock
        while let top = walk.last {
            if top.next < children[top.node].count {
                walk[walk.count - 1].next += 1
                let c = children[top.node][top.next]
                clock += 1
                enter[c] = clock
                walk.append((c, 0))
            } else {
                exit[top.node] = clock
                walk.removeLast()
            }
        }
        func dominates(_ y: Int, _ x: Int) -> Bool {
            enter[y] >= 0 && enter[x] >= 0 && enter[y] <= enter[x] && exit[x] <= exit[y]
        }

        var forward = Array(repeating: [Int](), count: n)
        var backward = Array(repeating: [Int](), count: n)
        for (x, targets) in all.enumerated() {
            for y in targets where !dominates(y, x) {
                forward[x].append(y)
                backward[y].append(x)
            }
        }
        self.successors = forward
        self.predecessors = backward
    }
}
