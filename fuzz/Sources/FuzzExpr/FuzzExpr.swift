import FlowDiagnostics
import FlowExpr

#if canImport(Glibc)
import Glibc
#endif

/// The fields of `grammar/expression.ebnf`'s examples, so that checked expressions reach the
/// type checker's and the constant evaluator's interesting paths. Built per input: a global
/// would be reported by LeakSanitizer at exit.
func exampleFields() -> ExprFieldTable {
    ExprFieldTable([
        "quote": .money(currency: "CNY"), "cost": .money(currency: "CNY"), "amount": .money(currency: "CNY"),
        "strategic": .boolean, "industry": .enumeration(values: ["manufacturing", "retail", "finance"]),
        "close_date": .date, "headcount": .integer, "discount_rate": .decimal, "customer_name": .text,
        "products": .list(.text),
    ])
}

/// libFuzzer entry point: the bytes, decoded leniently as UTF-8 (as the YAML reader would hand
/// them over), go to `ExprParser.parse`, then to the checker, then to the constant evaluator.
/// Nothing may trap; every diagnostic range and node range must lie inside the text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExpr(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let text = String(decoding: bytes, as: UTF8.self)
    let n = text.utf8.count
    let parsed = ExprParser.parse(text)
    if parsed.root == nil, parsed.diagnostics.isEmpty { violated("no tree and no diagnostic") }
    for d in parsed.diagnostics {
        if d.range.lowerBound < 0 || d.range.upperBound > n { violated("\(d) outside \(n) bytes") }
    }
    for id in parsed.tree.ids {
        let r = parsed.tree.range(of: id)
        if r.lowerBound < 0 || r.upperBound > n { violated("node \(id) range \(r) outside \(n) bytes") }
    }
    let checked = ExprChecker.check(parsed, in: exampleFields())
    for d in checked.diagnostics where d.range.lowerBound < 0 || d.range.upperBound > n {
        violated("checker \(d) outside \(n) bytes")
    }
    _ = checked.constantValue
    return 0
}

/// Stops the run with a message: libFuzzer records the input that broke an invariant.
func violated(_ what: String) -> Never {
    let line = Array("invariant violated: \(what)\n".utf8)
    _ = line.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count) }
    abort()
}
