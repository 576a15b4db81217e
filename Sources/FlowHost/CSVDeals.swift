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
    /// The cells of a row's first part that it holds whole: those before the first line break
    /// outside quotes, without the last one when the part ends inside it. For a row over the size
    /// limit, of which only a head is kept: its deal id is still read, and the deal held back.
    public static func leadingCells(_ head: String) -> [String] {
        var cells: [String] = []
        var cell = String.UnicodeScalarView()
        var quoted = false, wasQuoted = false
        var scalars = head.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        while let s = pending ?? scalars.next() {
            pending = nil
            if quoted {
                if s == "\"" {
                    if let next = scalars.next() {
                        if next == "\"" { cell.append("\""); continue }
                        quoted = false
                        pending = next
                    } else {
                        quoted = false
                    }
                } else {
                    cell.append(s)
                }
                continue
            }
            switch s {
            case "\"" where cell.isEmpty && !wasQuoted: quoted = true; wasQuoted = true
            case ",": cells.append(String(cell)); cell = String.UnicodeScalarView(); wasQuoted = false
            case "\r", "\n": cells.append(String(cell)); return cells
            default: cell.append(s)
            }
        }
        // The part ended: inside a quoted cell, that cell is not whole.
        if !quoted { cells.append(String(cell)) }
        return cells
    }

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
            // A cell of the row was quoted: a row of quoted blanks is a row.
            var anyQuoted = false
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
                    anyQuoted = true
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
            // An empty line, or one of blanks only, is no row, as in JSON Lines (review of the
            // inputs, I13: three spaces were a rejected row of "1 cells"); so is a row of empty
            // cells, which a spreadsheet writes for a formatted empty row (QA round 28, R9: `,,`
            // was rejected for its empty id).
            if !anyQuoted && cells.allSatisfy({ $0.unicodeScalars.allSatisfy { $0 == " " || $0 == "\t" } }) { continue }
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
        case id, owner, by, at, field(String, isList: Bool, isText: Bool), role(String), ignored
        /// A column without a name (a spreadsheet's trailing empty columns): its cells must be empty.
        case unnamed(Int)
    }

    /// What separates the people of a `role:` cell and the items of a list cell: `;`, and the
    /// full-width `；` a Chinese input method types (QA round 12: `mia；lee` was one person).
    static func items(_ cell: String) -> [String] {
        cell.split(whereSeparator: { $0 == ";" || $0 == "；" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The host's zone, for the example of an `at` written without one (nil: unknown).
    public var zone: Int64?
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
        var unknown: [(name: String, help: String)] = []
        // An unknown column's help (a did-you-mean over every column name) only for those listed:
        // 100,000 unknown columns took 8 seconds for the help of 20 (fuzzing, Z2).
        func noteUnknown(_ name: String, _ help: @autoclosure () -> String) {
            unknown.append((name, unknown.count < Self.shownUnknownColumns ? help() : ""))
        }
        let aliases = Self.displayNames(machine)
        for (offset, raw) in header.enumerated() {
            var name = raw.trimmingCharacters(in: .whitespaces)
            if name.isEmpty {
                // A trailing comma, or two in a row (a spreadsheet's empty columns): read only
                // if every cell under it is empty.
                columns.append(.unnamed(offset + 1))
                continue
            }
            // A field's or a role's display name, as an export from another system heads its
            // columns (`客户名称` for `customer_name`), when it names one thing only.
            if fields[name] == nil, !["id", "owner", "by", "at"].contains(name), !name.hasPrefix("role:"), !name.hasPrefix("_"),
               let id = aliases[name] ?? nil {
                name = id
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
                    if roles.contains(role) {
                        columns.append(.role(role))
                    } else {
                        noteUnknown(name, HostMessages.didYouMean(role, among: Array(roles).sorted()))
                        columns.append(.ignored)
                    }
                } else if let isList = fields[name] {
                    let isText = machine.fields.first { $0.id == name }?.type == "text"
                    columns.append(.field(name, isList: isList, isText: isText))
                } else {
                    let candidates = ["id", "owner", "by", "at"] + machine.fields.map(\.id) + machine.roles.map { "role:" + $0.id }
                    let standard = Self.standardColumnWords.first { $0.words.contains(name.lowercased()) }?.column
                    // A header of one cell that is the columns joined by another separator.
                    let separator = [";", "\t", "|"].first { sep in
                        header.count == 1 && name.components(separatedBy: sep).contains { $0.trimmingCharacters(in: .whitespaces) == "id" }
                    }
                    noteUnknown(name, separator.map { " " + HostMessages.fill(HostMessages.Record.otherSeparator, [$0 == "\t" ? "a tab" : "`\($0)`"]) }
                                      ?? standard.map { " (the deal's \(Self.standardColumnMeaning[$0] ?? $0) is the column `\($0)`)" }
                                      ?? HostMessages.didYouMean(name, among: candidates))
                    columns.append(.ignored)
                }
            }
        }
        // Every unknown column at once (QA round 12: one per run, renamed one at a time).
        // Names cut, and the first `shownUnknownColumns` of them listed (100,000 columns made a
        // line of 989 KB, QA round 14).
        if let first = unknown.first {
            var rest = unknown.dropFirst().prefix(Self.shownUnknownColumns - 1).map { "`\(Names.shown($0.name))`" + $0.help }
            if unknown.count > Self.shownUnknownColumns {
                rest.append(HostMessages.fill(HostMessages.Record.moreUnknownColumns, [String(unknown.count - Self.shownUnknownColumns)]))
            }
            throw HostError(HostMessages.unknownColumn, Names.shown(first.name),
                            first.help + (rest.isEmpty ? "" : HostMessages.fill(HostMessages.Record.otherUnknownColumns, [rest.joined(separator: "; ")])))
        }
        guard seen["id"] != nil else { throw RecordReader.fail(HostMessages.Record.missing, "the header", "id") }
        self.columns = columns
        rejectsColumns = header.prefix(3).map { $0.trimmingCharacters(in: .whitespaces) } == ["_line", "_code", "_error"]
    }

    /// The most unknown columns one error names.
    static let shownUnknownColumns = 20

    /// Headers other systems give the four standard columns, for a hint (not read as them: a
    /// template may have a field of that name).
    static let standardColumnWords: [(column: String, words: Set<String>)] = [
        ("id", ["编号", "商机编号", "商机id", "单号", "deal id", "deal_id", "dealid", "opportunity id", "编码"]),
        ("owner", ["负责人", "所有人", "归属人", "销售", "销售负责人", "owner name", "sales rep", "salesperson"]),
        ("by", ["创建人", "录入人", "created by"]),
        ("at", ["创建时间", "创建日期", "录入时间", "created", "created at", "created_at", "create time"]),
    ]
    static let standardColumnMeaning = ["id": "id", "owner": "owner", "by": "creator", "at": "creation time"]

    /// The display names of the machine's fields and roles (every language), each with the
    /// column it stands for (`customer_name`, `role:sales_manager`), or nil when it names more
    /// than one.
    static func displayNames(_ machine: Machine) -> [String: String?] {
        var out: [String: String?] = [:]
        func add(_ names: [String: String], _ column: String) {
            for name in Set(names.values.map { $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
                if let known = out[name], known != column { out[name] = .some(nil) } else { out[name] = column }
            }
        }
        for f in machine.fields { add(f.name, f.id) }
        for r in machine.roles { add(r.name, "role:" + r.id) }
        return out
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
        var cells = cells(of: row)
        // Cells past the header's columns are allowed when empty (a spreadsheet pads its rows),
        // and cells left out under the header's trailing unnamed columns are empty ones.
        if cells.count > columns.count, cells[columns.count...].allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            cells.removeLast(cells.count - columns.count)
        } else if cells.count < columns.count, columns[cells.count...].allSatisfy({ if case .unnamed = $0 { true } else { false } }) {
            cells += Array(repeating: "", count: columns.count - cells.count)
        }
        guard cells.count == columns.count else {
            return .failure(RecordReader.fail(HostMessages.Record.csvCells, "the row", String(row.cells.count), String(columns.count)))
        }
        var id = ""
        var owner: String?
        var by: String?
        var at = EventTime.now
        var fields: [WrittenValue] = []
        var members: [RoleAssignment] = []
        // A cell that cannot be read is said with the row's deal, wherever its id column is.
        var problem: HostError?
        // A cell of blanks is as empty (an owner column left blank: a deal of the public pool).
        for (column, cell) in zip(columns, cells) where !cell.allSatisfy(\.isWhitespace) {
            switch column {
            case .id: id = cell.trimmingCharacters(in: .whitespaces)
            case .owner: owner = cell
            case .by: by = cell
            case .at:
                guard let t = RecordReader.time(text: cell) else {
                    let hint = FieldValueHints.hint(cell, type: .datetime, zone: zone)
                    problem = problem ?? (hint.map { RecordReader.fail(HostMessages.Record.badTimeHint, "at", Names.inline(cell), $0) }
                        ?? RecordReader.fail(HostMessages.Record.badTime, "at", Names.inline(cell)))
                    continue
                }
                at = t
            case .field(let name, let isList, let isText):
                if isList {
                    fields.append(WrittenValue(name, .array(Self.items(cell).map { .string($0) })))
                } else {
                    // A typed cell is read without the blanks around it (` 2024-05-06`), as a
                    // money cell always was; a text cell is kept as written.
                    let value = isText ? cell : cell.trimmingCharacters(in: .whitespaces)
                    if !value.isEmpty { fields.append(WrittenValue(name, .string(value))) }
                }
            case .role(let role):
                for person in Self.items(cell) { members.append(RoleAssignment(role, person)) }
            case .ignored: break
            case .unnamed(let number):
                if !cell.trimmingCharacters(in: .whitespaces).isEmpty {
                    problem = problem ?? HostError(HostMessages.malformedRecord, HostMessages.fill(HostMessages.Record.cellUnderUnnamed, [String(number)]))
                }
            }
        }
        if let problem { return .failure(id.isEmpty ? problem : problem.within(HostMessages.Phrase.inRecord, Names.shown(id, max: 256))) }
        guard !id.isEmpty else { return .failure(RecordReader.fail(HostMessages.Record.emptyID, "id")) }
        return .success(DealRecord(create: NewDealInput(dealID: id, at: at, owner: owner, actor: by ?? owner, fields: fields, members: members)))
    }
}
