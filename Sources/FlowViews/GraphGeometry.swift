/// A point in the picture's user units (SVG pixels, y downwards).
public struct GraphPoint: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }

    func moved(_ dx: Double, _ dy: Double) -> GraphPoint { GraphPoint(x + dx, y + dy) }
}

/// An axis-aligned rectangle: a box's extent.
public struct GraphRect: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    public var maxX: Double { x + width }
    public var maxY: Double { y + height }
    public var midX: Double { x + width / 2 }
    public var midY: Double { y + height / 2 }

    /// Whether the two rectangles share interior area (touching edges do not count).
    public func overlaps(_ other: GraphRect) -> Bool {
        x < other.maxX && other.x < maxX && y < other.maxY && other.y < maxY
    }

    func moved(_ dx: Double, _ dy: Double) -> GraphRect { GraphRect(x: x + dx, y: y + dy, width: width, height: height) }
}

/// One command of an SVG path.
public enum GraphPathCommand: Sendable, Hashable {
    case move(GraphPoint)
    case line(GraphPoint)
    case quad(GraphPoint, GraphPoint)
    case cubic(GraphPoint, GraphPoint, GraphPoint)

    func moved(_ dx: Double, _ dy: Double) -> GraphPathCommand {
        switch self {
        case .move(let p): .move(p.moved(dx, dy))
        case .line(let p): .line(p.moved(dx, dy))
        case .quad(let c, let p): .quad(c.moved(dx, dy), p.moved(dx, dy))
        case .cubic(let a, let b, let p): .cubic(a.moved(dx, dy), b.moved(dx, dy), p.moved(dx, dy))
        }
    }

    /// The point the command ends at.
    var end: GraphPoint {
        switch self {
        case .move(let p), .line(let p), .quad(_, let p), .cubic(_, _, let p): p
        }
    }
}

/// Numbers as the SVG writes them: rounded to a tenth, no trailing zeros, no `-0`, the same bytes
/// on every platform.
enum GraphNumber {
    static func text(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = Int((value * 10).rounded())
        if tenths == 0 { return "0" }
        let sign = tenths < 0 ? "-" : ""
        let a = abs(tenths)
        return a % 10 == 0 ? sign + String(a / 10) : sign + String(a / 10) + "." + String(a % 10)
    }

    static func path(_ commands: [GraphPathCommand]) -> String {
        func p(_ q: GraphPoint) -> String { text(q.x) + " " + text(q.y) }
        return commands.map { c in
            switch c {
            case .move(let a): "M" + p(a)
            case .line(let a): "L" + p(a)
            case .quad(let c, let a): "Q" + p(c) + " " + p(a)
            case .cubic(let c1, let c2, let a): "C" + p(c1) + " " + p(c2) + " " + p(a)
            }
        }.joined(separator: " ")
    }
}
