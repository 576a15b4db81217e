import Foundation
public import FlowIR
import FlowRuntime

/// A row of a CSV file: its cells, the line it starts on (1-based) and its text as written.
public struct CSVRow: Sendable, Hashable {
    public var line: Int
    public var cells: [String]
    /// The row's bytes as they are in the file, without the line break (for the rejects file).
    public var text: String
    /// What makes the row malformed though it could be framed; nil for a well-formed row.
    public var problem: Problem? = nil

    /// A row RFC 4180 does not allow, refused rather than read in a way its writer did not mean.
    public enum Problem: Sendable, Hashable {
        /// Text after the closing quote of the cell (1-based): `"a"b` is not read as `ab`.
        /// Blanks after the quote are ignored.
        case textAfterQuote(cell: Int)
        /// A carriage return outside quotes not followed by a line feed: a file whose lines end in
        /// CR alone (as classic Mac OS wrote them) would otherwise be one long row.
        case loneCarriageReturn
    }

    /// The error that refuses the row (or, in the header, the file); nil when well formed.
    public var problemError: HostError? {
        switch problem {
        case nil: nil
        case .textAfterQuote(let cell)?: RecordReader.fail(HostMessages.Record.csvStray, "the row", String(cell))
        case .loneCarriageReturn?: RecordReader.fail(HostMessages.Record.loneCR, "the row")
        }
    }
}

/// RFC 4180 CSV: cells separated by commas, rows by LF or CRLF, `"` quoting (with `""` for a
/// quote) that may hold commas and line breaks. A leading UTF-8 byte-order mark is skipped, and
/// so are empty lines.
public enum CSVReader {
    /// Splits `text` into rows; a row whose quoted cell is not closed is returned as an error
    /// for its line (and ends the file: nothing after it can be framed).
    public static func rows(_ text: String) -> (rows: [CSVRow], error: (line: Int, error: HostError)?) {
        rows(text, atFileStart: true)
    }

    /// ``rows(_:)`` of a part of a file: the byte-order mark is skipped only at the file's start.
    static func rows(_ text: String, atFileStart: Bool) -> (rows: [CSVRow], error: (line: Int, error: HostError)?) {
        var rows: [CSVRow] = []
        var scalars = Array(text.unicodeScalars)
        if atFileStart, scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var i = 0
        var line = 1
        while i < scalars.count {
            let startLine = line
            let start = i
            var cells: [String] = []
            var cell = String.UnicodeScalarView()
            var quoted = false
            var wasQuoted = false
            // The cell's closing quote has been read: only blanks may follow it.
            var closed = false
            var problem: CSVRow.Problem?
            var ended = false
            while i < scalars.count && !ended {
                let c = scalars[i]
                if quoted {
                    if c == "\"" {
                        if i + 1 < scalars.count, scalars[i + 1] == "\"" {
                            cell.append("\"")
                            i += 2
                            continue
                        }
                        quoted = false
                        closed = true
                        i += 1
                        continue
                    }
                    if c == "\n" { line += 1 }
                    cell.append(c)
                    i += 1
                    continue
                }
                switch c {
                case "\"" where cell.isEmpty && !wasQuoted:
                    quoted = true
                    wasQuoted = true
                    i += 1
                case ",":
                    cells.append(String(cell))
                    cell = String.UnicodeScalarView()
                    wasQuoted = false
                    closed = false
                    i += 1
                case "\r" where i + 1 < scalars.count && scalars[i + 1] == "\n":
                    i += 1
                case "\r":
                    if problem == nil { problem = .loneCarriageReturn }
                    cell.append(c)
                    i += 1
                case "\n":
                    ended = true
                    line += 1
                    i += 1
                case " " where closed, "\t" where closed:
                    i += 1
                default:
                    if closed, problem == nil { problem = .textAfterQuote(cell: cells.count + 1) }
                    cell.append(c)
                    i += 1
                }
            }
            if quoted {
                return (rows, (startLine, RecordReader.fail(HostMessages.Record.csvQuote, "the row")))
            }
            cells.append(String(cell))
            var end = i
            while end > start, scalars[end - 1] == "\n" || scalars[end - 1] == "\r" { end -= 1 }
            let raw = String(String.UnicodeScalarView(scalars[start..<end]))
            if cells.count == 1 && cells[0].isEmpty && !wasQuoted { continue }
            rows.append(CSVRow(line: startLine, cells: cells, text: raw, problem: problem))
        }
        return (rows, nil)
    }

    /// A cell for a CSV file: quoted when it holds a comma, a quote or a line break.
    public static func quote(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// The columns of a CSV deals file, checked against a machine: `id` (required), `owner`, `by`,
/// `at`, a field of the template, or `role:ROLE` (people separated by `;`). List fields take
/// their elements separated by `;`. An empty cell gives no value. Each row creates one deal.
public struct CSVDeals: Sendable {
    enum Column: Sendable {
        case id, owner, by, at, field(String, isList: Bool), role(String), ignored
    }

    let columns: [Column]
    /// The header starts with a rejects file's `_line,_code,_error`: a row may also leave those
    /// three cells out (the rows an unclosed quote swallowed are written as they were).
    let rejectsColumns: Bool

    /// Reads the header row.
    /// - Throws: FC1222 for an unknown column, FC1220 for a missing `id` column.
    public init(header: [String], machine: Machine) throws(HostError) {
        let fields = Dictionary(machine.fields.map { ($0.id, $0.type == "list") }, uniquingKeysWith: { a, _ in a })
        let roles = Set(machine.roles.map(\.id))
        var columns: [Column] = []
        var seen: [String: Int] = [:]
        for (offset, raw) in header.enumerated() {
            let name = raw.trimmingCharacters(in: .whitespaces)
            if name.isEmpty {
                // A trailing comma, or two in a row.
                throw HostError(HostMessages.malformedRecord, HostMessages.fill(HostMessages.Record.columnUnnamed, [String(offset + 1)]))
            }
            if let first = seen[name] {
                throw HostError(HostMessages.malformedRecord,
                                HostMessages.fill(HostMessages.Record.columnTwice, [name, String(first + 1), String(offset + 1)]))
            }
            seen[name] = offset
            switch name {
            case "id": columns.append(.id)
            case "owner": columns.append(.owner)
            case "by": columns.append(.by)
            case "at": columns.append(.at)
            case "_line", "_code", "_error": columns.append(.ignored)
            default:
                if name.hasPrefix("role:") {
                    let role = String(name.dropFirst("role:".count))
                    guard roles.contains(role) else {
                        throw HostError(HostMessages.unknownColumn, name, HostMessages.didYouMean(role, among: Array(roles).sorted()))
                    }
                    columns.append(.role(role))
                } else if let isList = fields[name] {
                    columns.append(.field(name, isList: isList))
                } else {
                    let candidates = ["id", "owner", "by", "at"] + machine.fields.map(\.id) + machine.roles.map { "role:" + $0.id }
                    throw HostError(HostMessages.unknownColumn, name, HostMessages.didYouMean(name, among: candidates))
                }
            }
        }
        guard seen["id"] != nil else { throw RecordReader.fail(HostMessages.Record.missing, "the header", "id") }
        self.columns = columns
        rejectsColumns = header.prefix(3).map { $0.trimmingCharacters(in: .whitespaces) } == ["_line", "_code", "_error"]
    }

    /// The deal record of a row.
    /// A row's cells under the header's columns: a rejects file's row may leave out its three
    /// `_line,_code,_error` cells.
    private func cells(of row: CSVRow) -> [String] {
        rejectsColumns && row.cells.count == columns.count - 3 ? ["", "", ""] + row.cells : row.cells
    }

    /// The deal id a row names (a rejected row's deal is held back by it): the cell under `id`,
    /// also in a row with too few or too many cells, where the cells before it still line up.
    public func dealID(_ row: CSVRow) -> String? {
        let cells = cells(of: row)
        guard let slot = columns.firstIndex(where: { if case .id = $0 { true } else { false } }), slot < cells.count else { return nil }
        let id = cells[slot].trimmingCharacters(in: .whitespaces)
        return id.isEmpty ? nil : id
    }

    public func record(_ row: CSVRow) -> Result<DealRecord, HostError> {
        if let error = row.problemError { return .failure(error) }
        let cells = cells(of: row)
        guard cells.count == columns.count else {
            return .failure(RecordReader.fail(HostMessages.Record.csvCells, "the row", String(row.cells.count), String(columns.count)))
        }
        var id = ""
        var owner: String?
        var by: String?
        var at = EventTime.now
        var fields: [WrittenValue] = []
        var members: [RoleAssignment] = []
        for (column, cell) in zip(columns, cells) where !cell.isEmpty {
            switch column {
            case .id: id = cell
            case .owner: owner = cell
            case .by: by = cell
            case .at:
                guard let t = RecordReader.time(text: cell) else { return .failure(RecordReader.fail(HostMessages.Record.badTime, "at")) }
                at = t
            case .field(let name, let isList):
                if isList {
                    let items = cell.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
                    fields.append(WrittenValue(name, .array(items.map { .string($0) })))
                } else {
                    fields.append(WrittenValue(name, .string(cell)))
                }
            case .role(let role):
                for person in cell.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespaces) }) where !person.isEmpty {
                    members.append(RoleAssignment(role, person))
                }
            case .ignored: break
            }
        }
        guard !id.isEmpty else { return .failure(RecordReader.fail(HostMessages.Record.emptyID, "id")) }
        return .success(DealRecord(create: NewDealInput(dealID: id, at: at, owner: owner, actor: by ?? owner, fields: fields, members: members)))
    }
}
