/// Where every box and arrow of a ``GraphModel`` goes: a layered drawing, top to bottom, laid out
/// by flowc itself so that the SVG needs no Graphviz.
///
/// 1. Layers: the arrows are explored depth-first from the start marker (then from the lose entry,
///    then from any box not reached); arrows back to a box on the current path, and every rework
///    arrow, are *back* arrows, drawn on the side. Each box's layer is its longest distance from
///    a root over the other arrows.
/// 2. Arrows that skip layers get invisible way points, one per layer they cross.
/// 3. Order within each layer: barycentre sweeps down and up, keeping the ordering with the
///    fewest crossings; boxes stay grouped by root, so the lose path is a lane of its own.
/// 4. Horizontal places: each box is pulled towards the mean of its neighbours in the layer above
///    (then below), keeping the order and a gap (an isotonic regression, solved by pooling).
/// 5. Arrows: forward arrows leave the bottom of their box and enter the top of the next, as
///    cubic curves through their way points; back arrows run on the left in their own tracks.
///
/// Deterministic: no hashing order, no randomness; the same model gives the same numbers.
public struct GraphLayout: Sendable, Hashable {
    /// One rectangle per model node: the extent of its shape.
    public var boxes: [GraphRect]
    /// One route per model edge.
    public var routes: [GraphRoute]
    /// The lose path's lane (nil when the template has no lose path of its own).
    public var loseLane: GraphRect?
    public var width: Double
    public var height: Double

    /// The most boxes plus arrows a layout accepts (FC1401); the DOT and Mermaid forms have no limit.
    public static let maxElements = 1_500

    /// Lays a model out with its top-left drawing corner at (`margin`, `top`).
    /// - Throws: ``GraphLayoutError`` when the model has more than ``maxElements`` boxes and arrows.
    public static func make(_ model: GraphModel, top: Double = 20, margin: Double = 20) throws(GraphLayoutError) -> GraphLayout {
        let count = model.nodes.count + model.edges.count
        if count > maxElements { throw GraphLayoutError(elements: count, limit: maxElements) }
        var engine = GraphLayoutEngine(model: model)
        engine.run()
        return engine.result(top: top, margin: margin)
    }
}

/// A model too large to lay out (FC1401).
public struct GraphLayoutError: Error, Sendable, Hashable {
    public var elements: Int
    public var limit: Int
}

/// How one arrow is drawn.
public struct GraphRoute: Sendable, Hashable {
    /// Forward arrows go down the layers; back arrows (reworks, rejections) run on the side.
    public var forward: Bool
    public var path: [GraphPathCommand]
    /// Where the arrow's words go, and how they are anchored (`start`, `middle`, `end`).
    public var labelAt: GraphPoint
    public var labelAnchor: String

    public var start: GraphPoint { path.first?.end ?? GraphPoint(0, 0) }
    public var end: GraphPoint { path.last?.end ?? GraphPoint(0, 0) }
}

/// Box sizes from the display width of their words (CJK characters count two columns).
enum GraphSizing {
    /// Pixels per display column: node names at 14px (semi-bold), details and arrow words at 11px.
    static let labelColumn = 8.0
    static let detailColumn = 6.2
    static let barColumn = 7.4
    /// The slanted ends of an approval's hexagon.
    static let hexagonInset = 14.0

    static func size(_ node: GraphNode) -> (width: Double, height: Double) {
        let label = Double(GraphText.columns(node.label))
        let details = node.details.map { Double(GraphText.columns($0)) }.max() ?? 0
        switch node.kind {
        case .start: return (24, 24)
        case .decision: return (36, 36)
        case .fork, .join: return (max(110, Double(GraphText.columns(node.barLabel)) * barColumn + 28), 26)
        case .won, .lost, .loseEntry: return (max(80, label * labelColumn + 36), 36)
        case .task, .approval:
            let inner = max(label * labelColumn, details * detailColumn) + 28
            let extra = node.kind == .approval ? 2 * hexagonInset : 0
            let mark = node.stateMark.map { Double(GraphText.columns($0)) * detailColumn + 28 } ?? 0
            return (max(100, inner + extra, mark + extra), 36 + 15 * Double(node.details.count + (node.stateMark == nil ? 0 : 1)))
        }
    }
}

/// The layout's working state: the layered graph with its way points.
struct GraphLayoutEngine {
    let model: GraphModel
    /// Per model edge: a back arrow (drawn on the side).
    var back: [Bool]
    /// Per model node: the DFS root it was reached from (0 the start, then the lose entry…), its
    /// discovery order and its layer.
    var component: [Int]
    var discovery: [Int]
    var layerOf: [Int]

    // The layered graph: model nodes first, then way points.
    var vWidth: [Double] = []
    var vHeight: [Double] = []
    var vLayer: [Int] = []
    var vComponent: [Int] = []
    var vKey: [Double] = []
    var vPreds: [[Int]] = []
    var vSuccs: [[Int]] = []
    /// Per model edge: the chain of layered nodes it passes through (source, way points, target); empty for back arrows.
    var chains: [[Int]] = []
    var layers: [[Int]] = []
    var x: [Double] = []
    var layerTop: [Double] = []
    var layerHeight: [Double] = []

    static let gap = 36.0, wayGap = 14.0, laneGap = 84.0

    init(model: GraphModel) {
        self.model = model
        let n = model.nodes.count
        back = Array(repeating: false, count: model.edges.count)
        component = Array(repeating: -1, count: n)
        discovery = Array(repeating: 0, count: n)
        layerOf = Array(repeating: 0, count: n)
    }

    var isDummy: (Int) -> Bool { { [n = model.nodes.count] in $0 >= n } }

    /// The arrows that go back (against the flow: a rejection to an earlier node, a rework), as
    /// the SVG draws them on the side: what DOT and Mermaid colour amber too (QA round 39, H12).
    static func backArrows(_ model: GraphModel) -> [Bool] {
        var engine = GraphLayoutEngine(model: model)
        engine.classify()
        return engine.back
    }

    mutating func run() {
        classify()
        assignLayers()
        buildLayered()
        order()
        placeX()
        placeY()
    }

    /// Depth-first search from the roots: marks back arrows, components and discovery order.
    mutating func classify() {
        let n = model.nodes.count
        var outgoing = Array(repeating: [Int](), count: n)
        for (e, edge) in model.edges.enumerated() {
            if edge.kind == .rework { back[e] = true } else { outgoing[edge.from].append(e) }
        }
        var roots: [Int] = n > 0 ? [0] : []
        if let lose = model.nodes.firstIndex(where: { $0.kind == .loseEntry }) { roots.append(lose) }
        roots += Array(0..<n)
        var state = Array(repeating: 0, count: n)  // 0 new, 1 on the path, 2 finished
        var counter = 0, components = 0
        for root in roots where state[root] == 0 {
            var stack: [(node: Int, next: Int)] = [(root, 0)]
            state[root] = 1
            component[root] = components
            discovery[root] = counter; counter += 1
            while let top = stack.last {
                if top.next < outgoing[top.node].count {
                    stack[stack.count - 1].next += 1
                    let e = outgoing[top.node][top.next]
                    let t = model.edges[e].to
                    switch state[t] {
                    case 0:
                        state[t] = 1
                        component[t] = components
                        discovery[t] = counter; counter += 1
                        stack.append((t, 0))
                    case 1: back[e] = true
                    default: break
                    }
                } else {
                    state[top.node] = 2
                    stack.removeLast()
                }
            }
            components += 1
        }
    }

    /// Longest path from the roots over the forward arrows (a topological order: by finishing time).
    mutating func assignLayers() {
        let n = model.nodes.count
        var indegree = Array(repeating: 0, count: n)
        var outgoing = Array(repeating: [Int](), count: n)
        for (e, edge) in model.edges.enumerated() where !back[e] {
            indegree[edge.to] += 1
            outgoing[edge.from].append(edge.to)
        }
        // Kahn's algorithm, taking ready nodes in discovery order.
        var ready = (0..<n).filter { indegree[$0] == 0 }.sorted { discovery[$0] > discovery[$1] }
        while let u = ready.popLast() {
            for v in outgoing[u] {
                layerOf[v] = max(layerOf[v], layerOf[u] + 1)
                indegree[v] -= 1
                if indegree[v] == 0 {
                    ready.append(v)
                    ready.sort { discovery[$0] > discovery[$1] }
                }
            }
        }
        // A root other than the start (the lose entry) sits just above its first successor, so
        // its arrow is short when it leads into the middle of the main flow.
        var hasPredecessor = Array(repeating: false, count: n)
        for (e, edge) in model.edges.enumerated() where !back[e] { hasPredecessor[edge.to] = true }
        for v in 0..<n where component[v] != 0 && !hasPredecessor[v] {
            if let first = outgoing[v].map({ layerOf[$0] }).min(), first - 1 > layerOf[v] { layerOf[v] = first - 1 }
        }
    }

    /// The layered graph: every model node, and a way point per layer crossed by a long arrow.
    mutating func buildLayered() {
        for node in model.nodes {
            let s = GraphSizing.size(node)
            vWidth.append(s.width)
            vHeight.append(s.height)
        }
        vLayer = layerOf
        vComponent = component
        vKey = discovery.map(Double.init)
        vPreds = Array(repeating: [], count: model.nodes.count)
        vSuccs = vPreds
        chains = Array(repeating: [], count: model.edges.count)
        for (e, edge) in model.edges.enumerated() where !back[e] {
            var chain = [edge.from]
            var previous = edge.from
            let span = layerOf[edge.to] - layerOf[edge.from]
            if span > 1 {
                for step in 1..<span {
                    let d = vWidth.count
                    vWidth.append(0)
                    vHeight.append(0)
                    vLayer.append(layerOf[edge.from] + step)
                    vComponent.append(component[edge.from])
                    vKey.append(Double(discovery[edge.from]) + Double(step) / 1000)
                    vPreds.append([previous])
                    vSuccs.append([])
                    vSuccs[previous].append(d)
                    chain.append(d)
                    previous = d
                }
            }
            vSuccs[previous].append(edge.to)
            vPreds[edge.to].append(previous)
            chain.append(edge.to)
            chains[e] = chain
        }
        let count = (vLayer.max() ?? 0) + 1
        layers = Array(repeating: [], count: count)
        for v in vLayer.indices { layers[vLayer[v]].append(v) }
        for l in layers.indices {
            layers[l].sort { (vComponent[$0], vKey[$0], $0) < (vComponent[$1], vKey[$1], $1) }
        }
    }

    /// Barycentre sweeps; keeps the ordering with the fewest crossings.
    mutating func order() {
        var best = layers
        var bestCrossings = crossings(layers)
        guard bestCrossings > 0 else { return }
        for round in 0..<16 {
            let down = round % 2 == 0
            let range: [Int] = down ? Array(layers.indices.dropFirst()) : Array(layers.indices.dropLast().reversed())
            for l in range {
                let neighbourLayer = down ? l - 1 : l + 1
                var position: [Int: Int] = [:]
                for (i, v) in layers[neighbourLayer].enumerated() { position[v] = i }
                var key: [Int: Double] = [:]
                for (i, v) in layers[l].enumerated() {
                    let ns = (down ? vPreds[v] : vSuccs[v]).compactMap { position[$0] }
                    key[v] = ns.isEmpty ? Double(i) : Double(ns.reduce(0, +)) / Double(ns.count)
                }
                let current = Dictionary(uniqueKeysWithValues: layers[l].enumerated().map { ($1, $0) })
                layers[l].sort { a, b in
                    (vComponent[a], key[a] ?? 0, current[a] ?? 0) < (vComponent[b], key[b] ?? 0, current[b] ?? 0)
                }
            }
            let c = crossings(layers)
            if c < bestCrossings {
                bestCrossings = c
                best = layers
                if c == 0 { break }
            }
        }
        layers = best
    }

    /// Crossings between consecutive layers.
    func crossings(_ layers: [[Int]]) -> Int {
        var total = 0
        for l in layers.indices.dropLast() {
            var position: [Int: Int] = [:]
            for (i, v) in layers[l + 1].enumerated() { position[v] = i }
            var pairs: [(Int, Int)] = []
            for (i, v) in layers[l].enumerated() {
                for s in vSuccs[v] { if let p = position[s] { pairs.append((i, p)) } }
            }
            for a in pairs.indices {
                for b in pairs.indices where b > a {
                    let (u1, v1) = pairs[a], (u2, v2) = pairs[b]
                    if (u1 < u2 && v1 > v2) || (u1 > u2 && v1 < v2) { total += 1 }
                }
            }
        }
        return total
    }

    /// The least distance between the centres of two neighbours in a layer.
    func separation(_ a: Int, _ b: Int) -> Double {
        var gap = isDummy(a) || isDummy(b) ? Self.wayGap : Self.gap
        if vComponent[a] != vComponent[b] { gap += Self.laneGap }
        return (vWidth[a] + vWidth[b]) / 2 + gap
    }

    /// Horizontal centres: pulled towards the neighbours above, then below, keeping order and gaps.
    mutating func placeX() {
        x = Array(repeating: 0, count: vWidth.count)
        for layer in layers {
            var at = 0.0
            for (i, v) in layer.enumerated() {
                if i > 0 { at += separation(layer[i - 1], v) }
                x[v] = at
            }
            let shift = (at) / 2
            for v in layer { x[v] -= shift }
        }
        for round in 0..<10 {
            let phase = round % 3
            let ordered: [Int] = phase == 1 ? Array(layers.indices.reversed()) : Array(layers.indices)
            for l in ordered {
                let layer = layers[l]
                var desired: [Double] = []
                for v in layer {
                    let ns: [Int] = switch phase {
                    case 0: vPreds[v]
                    case 1: vSuccs[v]
                    default: vPreds[v] + vSuccs[v]
                    }
                    desired.append(ns.isEmpty ? x[v] : ns.map { x[$0] }.reduce(0, +) / Double(ns.count))
                }
                let seps = layer.indices.dropFirst().map { separation(layer[$0 - 1], layer[$0]) }
                let placed = GraphLayoutEngine.pool(desired: desired, separations: Array(seps))
                for (i, v) in layer.enumerated() { x[v] = placed[i] }
            }
        }
    }

    /// The positions closest (least squares) to `desired` with `x[i+1] - x[i] >= separations[i]`:
    /// pool-adjacent-violators on the offsets.
    static func pool(desired: [Double], separations: [Double]) -> [Double] {
        var offset = [0.0]
        for s in separations { offset.append((offset.last ?? 0) + s) }
        var blocks: [(sum: Double, count: Double, first: Int)] = []
        for (i, d) in desired.enumerated() {
            blocks.append((d - offset[i], 1, i))
            while blocks.count > 1 {
                let last = blocks[blocks.count - 1], previous = blocks[blocks.count - 2]
                if previous.sum / previous.count <= last.sum / last.count { break }
                blocks.removeLast()
                blocks[blocks.count - 1] = (previous.sum + last.sum, previous.count + last.count, previous.first)
            }
        }
        var out = Array(repeating: 0.0, count: desired.count)
        for (b, block) in blocks.enumerated() {
            let end = b + 1 < blocks.count ? blocks[b + 1].first : desired.count
            for i in block.first..<end { out[i] = block.sum / block.count + offset[i] }
        }
        return out
    }

    /// Layer tops: each layer as tall as its tallest box, with room for arrow words below it.
    mutating func placeY() {
        layerHeight = layers.map { layer in layer.map { vHeight[$0] }.max() ?? 0 }
        var labelled = Array(repeating: false, count: layers.count)
        for (e, edge) in model.edges.enumerated() where !back[e] && edge.label != nil {
            labelled[layerOf[edge.from]] = true
        }
        layerTop = []
        var at = 0.0
        for l in layers.indices {
            layerTop.append(at)
            at += layerHeight[l] + (labelled[l] ? 60 : 44)
        }
    }
}
