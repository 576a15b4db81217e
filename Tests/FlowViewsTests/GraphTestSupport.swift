import FlowCheck
import FlowHost
import FlowIR
import FlowRuntime
import FlowStore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import FlowViews

/// Helpers of the graph tests (names prefixed so they cannot clash with other suites' helpers).
enum GraphFixtures {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    static let demoPath = "testdata/graph/demo.flow.yaml"

    struct SetupError: Error, CustomStringConvertible { var description: String }

    /// Checks and compiles a template of the repository.
    static func machine(_ relative: String) throws -> VerifiedMachine {
        let result = TemplateChecker.check(path: relative, fs: DiskFileSystem(base: root))
        if result.hasErrors {
            throw SetupError(description: result.diagnostics.map { "\($0.code) \($0.message.text)" }.joined(separator: "\n"))
        }
        return try IRLoader.verify(try IRCompiler.compile(result))
    }

    /// The bundled templates (fragments have no flow).
    static var templates: [String] {
        guard let walker = FileManager.default.enumerator(atPath: root + "/templates") else { return [] }
        var out: [String] = []
        while let rel = walker.nextObject() as? String {
            if rel.hasSuffix(".flow.yaml") && !rel.contains("fragments/") { out.append("templates/" + rel) }
        }
        return out.sorted()
    }

    /// A service over a fresh SQLite store in a temporary directory.
    static func service() throws -> DealService {
        let path = try scratchDirectory("flowc-graph") + "/deals.sqlite"
        return DealService(store: try SQLiteStore(path: path), machines: MachineRegistry(archive: DirectoryMachineArchive(besideDatabase: path)),
                           clock: { 1_714_957_200 + 86_400 })
    }

    static func at(_ seconds: Int64) -> EventTime { .absolute(1_714_957_200 + seconds) }
}

/// What the tests read back from an SVG: boxes and arrows with their geometry.
struct ParsedSVG {
    struct Box {
        var key: String
        var classes: Set<String>
        var rect: GraphRect
    }

    struct Arrow {
        var from: String
        var to: String
        var classes: Set<String>
        var start: GraphPoint
        var end: GraphPoint
        /// Every point the path names, control points included, in order.
        var points: [GraphPoint] = []
    }

    var boxes: [Box] = []
    var arrows: [Arrow] = []
    var texts: [String] = []
    var titles: [String] = []
}

/// Parses an SVG with Foundation's XMLParser; fails on malformed XML.
final class SVGReader: NSObject, XMLParserDelegate {
    var result = ParsedSVG()
    private var stack: [(name: String, attributes: [String: String])] = []
    private var text = ""
    private var currentBox: ParsedSVG.Box?
    private var currentArrow: (from: String, to: String, classes: Set<String>)?
    private(set) var error: String?

    static func parse(_ svg: String) -> (ParsedSVG, String?) {
        let reader = SVGReader()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = reader
        let ok = parser.parse()
        return (reader.result, ok ? reader.error : (parser.parserError.map { "\($0)" } ?? "parse failed"))
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        stack.append((name, attributes))
        text = ""
        let classes = Set((attributes["class"] ?? "").split(separator: " ").map(String.init))
        if name == "g", let key = attributes["data-node"] {
            currentBox = ParsedSVG.Box(key: key, classes: classes, rect: GraphRect(x: 0, y: 0, width: -1, height: -1))
        }
        if name == "g", let from = attributes["data-from"], let to = attributes["data-to"] { currentArrow = (from, to, classes) }
        func d(_ k: String) -> Double { Double(attributes[k] ?? "") ?? .nan }
        if var box = currentBox, classes.contains("box"), stack.count >= 2, stack[stack.count - 2].attributes["data-node"] != nil {
            switch name {
            case "rect": box.rect = GraphRect(x: d("x"), y: d("y"), width: d("width"), height: d("height"))
            case "circle": box.rect = GraphRect(x: d("cx") - d("r"), y: d("cy") - d("r"), width: 2 * d("r"), height: 2 * d("r"))
            case "polygon":
                let ps = (attributes["points"] ?? "").split(separator: " ").compactMap { pair -> GraphPoint? in
                    let xy = pair.split(separator: ",").compactMap { Double($0) }
                    return xy.count == 2 ? GraphPoint(xy[0], xy[1]) : nil
                }
                let xs = ps.map(\.x), ys = ps.map(\.y)
                if let x0 = xs.min(), let x1 = xs.max(), let y0 = ys.min(), let y1 = ys.max() {
                    box.rect = GraphRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
                }
            default: error = "unexpected box element \(name)"
            }
            currentBox = box
        }
        if name == "path", let arrow = currentArrow, let path = attributes["d"] {
            let numbers = path.split(whereSeparator: { $0 == " " || $0.isLetter }).compactMap { Double($0) }
            if numbers.count >= 4 {
                result.arrows.append(ParsedSVG.Arrow(from: arrow.from, to: arrow.to, classes: arrow.classes,
                                                     start: GraphPoint(numbers[0], numbers[1]),
                                                     end: GraphPoint(numbers[numbers.count - 2], numbers[numbers.count - 1]),
                                                     points: stride(from: 0, to: numbers.count - 1, by: 2).map { GraphPoint(numbers[$0], numbers[$0 + 1]) }))
            } else {
                error = "short path \(path)"
            }
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        let top = stack.popLast()
        if name == "text" { result.texts.append(text) }
        if name == "title" { result.titles.append(text) }
        if name == "g", top?.attributes["data-node"] != nil, let box = currentBox {
            result.boxes.append(box)
            currentBox = nil
        }
        if name == "g", top?.attributes["data-from"] != nil { currentArrow = nil }
        text = ""
    }
}
