extension ExprTree {
    /// The fully parenthesised form of the sub-tree at `id`: every unary and binary operation is
    /// wrapped in parentheses, so tests can see exactly how the parser grouped things.
    ///
    /// Iterative (an explicit work list), so a long left-leaning chain cannot exhaust the stack.
    public func render(_ id: ExprID) -> String {
        enum Item {
            case node(ExprID)
            case text(String)
        }
        func appendReversed(_ items: [ExprID], to work: inout [Item]) {
            for (n, item) in items.enumerated().reversed() {
                work.append(.node(item))
                if n > 0 { work.append(.text(", ")) }
            }
        }
        var out = ""
        var work: [Item] = [.node(id)]
        while let item = work.popLast() {
            switch item {
            case .text(let text):
                out += text
            case .node(let id):
                guard id.index >= 0, id.index < nodes.count else {
                    out += "<?>"
                    continue
                }
                switch self[id] {
                case .literal(let literal):
                    out += literal.rendered
                case .field(let path):
                    out += path
                case .unary(let op, let operand):
                    work.append(.text(")"))
                    work.append(.node(operand))
                    out += op == .not ? "(not " : "(-"
                case .binary(let op, let lhs, let rhs, _):
                    work.append(.text(")"))
                    work.append(.node(rhs))
                    work.append(.text(" \(op.symbol) "))
                    work.append(.node(lhs))
                    out += "("
                case .list(let elements):
                    out += "["
                    work.append(.text("]"))
                    appendReversed(elements, to: &work)
                case .call(let name, let arguments, _):
                    out += name + "("
                    work.append(.text(")"))
                    appendReversed(arguments, to: &work)
                }
            }
        }
        return out
    }
}

extension ExprLiteral {
    /// The literal in canonical source form: `"a\"b"`, `12.5`, `100000 CNY`, `1d12h`.
    var rendered: String {
        switch self {
        case .null: "null"
        case .boolean(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .decimal(let value): value.description
        case .text(let text): quoted(text)
        case .money(let amount, let currency): "\(amount) \(currency)"
        case .duration(let seconds): formatDuration(seconds)
        }
    }
}

/// A string in double quotes with the language's escapes.
func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

/// A duration in the literal syntax, largest unit first: `2w`, `30d`, `1d12h`, `0m`. Seconds that are not
/// whole minutes (possible for datetime differences) are shown with an `s` part.
func formatDuration(_ seconds: Int64) -> String {
    if seconds == 0 { return "0m" }
    var rest = seconds.magnitude
    var out = seconds < 0 ? "-" : ""
    // Weeks only when the whole duration is weeks: `30d` reads better than `4w2d`.
    if rest % 604_800 == 0 { return out + "\(rest / 604_800)w" }
    for (unit, size) in [("d", UInt64(86_400)), ("h", 3_600), ("m", 60), ("s", 1)] {
        let count = rest / size
        rest %= size
        if count > 0 { out += "\(count)\(unit)" }
    }
    return out
}
