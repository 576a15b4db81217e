import FlowHost
import FlowStore
import Foundation
import Testing

/// Records files read a chunk at a time: the same lines, numbers and limits as the bytes in
/// memory, wherever the chunks end.
@Suite struct RecordLinesTests {
    static let inputs: [String] = [
        "", "\n", "a", "a\n", "a\nb", "a\r\nb\r\n", "\r\n\r\n", "a\r", "ab\rc\n", "  \n\t\nx\n", "abc\n\ndef\r\nghij",
        String(repeating: "k", count: 40) + "\n" + String(repeating: "m", count: 9) + "\r\n" + "n",
        "é中文\n{\"id\": \"X\"}\r\n\n", "\u{FEFF}{\"id\": \"X\"}\n\u{FEFF}b\n", "\u{FEFF}", "\u{FEFF}\n", "\u{FEFF}\u{FEFF}x",
    ]

    func write(_ text: String) throws -> String {
        let path = try temporaryDirectory() + "/lines.jsonl"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A line that never ends (a stream with no line break) is read without being kept, and an
    /// interrupt stops the reading between chunks; a run over it stops with FC1241 (QA round
    /// 14: `--deals /dev/zero` ran on after TERM).
    @Test func anEndlessLineStopsAtAnInterrupt() throws {
        let path = try write(String(repeating: "x", count: 200_000))
        let handle = try #require(FileHandle(forReadingAtPath: path))
        var lines = RecordLines(file: handle, maxLineBytes: 1_000, chunkBytes: 4_096)
        var asked = 0
        lines.isInterrupted = {
            asked += 1
            return asked > 3
        }
        #expect(throws: RecordLines.ReadError.self) { _ = try lines.next() }
        #expect(asked == 4)
        // Through a run: the interrupt is the stop, not a read failure.
        let service = try service(.memory)
        let run = BulkRun(service: service, machine: try service.machines.register(try machine("templates/standard-sale.flow.yaml")))
        var calls = 0
        run.isInterrupted = {
            calls += 1
            return calls > 3
        }
        let again = try #require(FileHandle(forReadingAtPath: path))
        var stream = RecordLines(file: again, maxLineBytes: 1_000, chunkBytes: 4_096)
        let problem = try #require(run.runDeals(lines: &stream).error)
        #expect(problem.error.code == "FC1241", "\(problem.error)")
    }

    func all(_ lines: inout RecordLines) throws -> [(Int, String, Int)] {
        var out: [(Int, String, Int)] = []
        while let line = try lines.next() { out.append((line.number, String(decoding: line.bytes, as: UTF8.self), line.length)) }
        return out
    }

    @Test(arguments: [1, 2, 3, 7, 64, 1 << 20])
    func aFileReadInChunksGivesTheLinesOfTheBytesInMemory(_ chunk: Int) throws {
        for text in Self.inputs {
            var memory = RecordLines(bytes: Array(text.utf8))
            let expected = try all(&memory)
            let handle = try #require(FileHandle(forReadingAtPath: try write(text)))
            defer { try? handle.close() }
            var file = RecordLines(file: handle, maxLineBytes: 1000, chunkBytes: chunk)
            let got = try all(&file)
            #expect(got.map(\.0) == expected.map(\.0), "\(text.debugDescription), chunks of \(chunk)")
            #expect(got.map(\.1) == expected.map(\.1), "\(text.debugDescription), chunks of \(chunk)")
            #expect(got.map(\.2) == expected.map(\.2), "\(text.debugDescription), chunks of \(chunk)")
            #expect(expected.allSatisfy { $0.1.utf8.count == $0.2 })
            let counter = try #require(FileHandle(forReadingAtPath: try write(text)))
            defer { try? counter.close() }
            #expect(try RecordLines.countRecords(counter, chunkBytes: chunk) == BulkRun.countLines(Array(text.utf8)))
        }
        var crlf = RecordLines.withBytes("a\r\nb")
        #expect(try all(&crlf).map(\.1) == ["a", "b"])
    }

    /// A UTF-8 byte-order mark at the start of the file is not part of line 1 (so that its
    /// byte offsets are the ones an editor shows); one later is text.
    @Test(arguments: [1, 2, 64])
    func aByteOrderMarkAtTheFileStartIsSkipped(_ chunk: Int) throws {
        let text = "\u{FEFF}{\"id\": \"X\"}\r\n\u{FEFF}b\n"
        let handle = try #require(FileHandle(forReadingAtPath: try write(text)))
        defer { try? handle.close() }
        var file = RecordLines(file: handle, maxLineBytes: 1000, chunkBytes: chunk)
        let got = try all(&file)
        #expect(got.map(\.1) == ["{\"id\": \"X\"}", "\u{FEFF}b"], "chunks of \(chunk)")
        #expect(got.map(\.2) == [11, 4])
        var short = RecordLines(file: handle, maxLineBytes: 2, chunkBytes: chunk)
        try handle.seek(toOffset: 0)
        #expect(try all(&short).map(\.2) == [11, 4])
    }

    /// Random texts over LF, CR and multi-byte characters, read in small chunks under small
    /// limits: the numbers and lengths of the bytes in memory, and their first `maxLineBytes`.
    @Test(arguments: [1, 2, 3, 5])
    func randomTextsReadInChunksGiveTheLinesInMemory(_ chunk: Int) throws {
        var texts = RandomTexts(seed: UInt64(chunk) &+ 99, alphabet: ["a", "b", "\r", "\r", "\n", "\r\n", "é", "长", " "])
        var over = 0
        for _ in 0..<150 {
            let text = texts.next()
            var memory = RecordLines(bytes: Array(text.utf8))
            let whole = try all(&memory)
            for limit in [0, 1, 3, 8] {
                over += whole.filter { $0.2 > limit }.count
                let expected = whole.map { ($0.0, String(decoding: Array($0.1.utf8).prefix(limit), as: UTF8.self), $0.2) }
                let handle = try #require(FileHandle(forReadingAtPath: try write(text)))
                defer { try? handle.close() }
                var file = RecordLines(file: handle, maxLineBytes: limit, chunkBytes: chunk)
                let got = try all(&file).map { ($0.0, String(decoding: Array($0.1.utf8).prefix(limit), as: UTF8.self), $0.2) }
                #expect(got.map(\.0) == expected.map(\.0) && got.map(\.1) == expected.map(\.1) && got.map(\.2) == expected.map(\.2),
                        "\(text.debugDescription), limit \(limit), chunks of \(chunk)")
            }
        }
        #expect(over > 300)
    }

    /// A line over the limit is read to its end without being kept: its length is the whole
    /// line's, its bytes the first `maxLineBytes`, and the next line is read as usual.
    @Test(arguments: [1, 3, 5, 16, 1 << 20])
    func aLineOverTheLimitIsMeasuredNotKept(_ chunk: Int) throws {
        let long = String(repeating: "x", count: 30)
        for (text, lengths) in [
            ("\(long)\nshort\n", [30, 5]), ("\(long)\r\nshort", [30, 5]), ("ok\n\(long)", [2, 30]), ("\(long)\r", [30]),
            ("\(long)\r\n\r\n", [30, 0]), (long + long + "\n", [60]),
        ] {
            let handle = try #require(FileHandle(forReadingAtPath: try write(text)))
            defer { try? handle.close() }
            var lines = RecordLines(file: handle, maxLineBytes: 8, chunkBytes: chunk)
            let got = try all(&lines)
            #expect(got.map(\.2) == lengths, "\(text.debugDescription), chunks of \(chunk)")
            #expect(got.map(\.0) == Array(1...lengths.count))
            for (_, bytes, length) in got {
                #expect(bytes == (length > 8 ? "xxxxxxxx" : String(bytes.prefix(length))))
            }
        }
    }

    @Test func aFileThatCannotBeReadThrows() throws {
        let handle = try #require(FileHandle(forReadingAtPath: try temporaryDirectory()))
        defer { try? handle.close() }
        var lines = RecordLines(file: handle, maxLineBytes: 100)
        #expect(throws: RecordLines.ReadError.self) { try lines.next() }
    }

    /// A deals file read a chunk at a time runs as the same bytes in memory do: the same deals,
    /// rejects (with their lines and texts) and report.
    @Test func aDealsFileRunsTheSameReadInChunks() throws {
        let text = String(decoding: try bytes("examples/standard-sale.deals.jsonl"), as: UTF8.self)
            + "\n\n" + String(decoding: try bytes("examples/standard-sale.bad.deals.jsonl"), as: UTF8.self)
            + "\n{\"id\": \"X-1\", \"fields\": {\"customer_name\": \"" + String(repeating: "长", count: 4000) + "\"}}\n"
        let limits = RecordLimits(maxLineBytes: 8000)

        let memory = try service(.sqlite)
        let inMemory = BulkRun(service: memory, machine: try memory.machines.register(standard), limits: limits)
        let expected = try #require(inMemory.runDeals(Array(text.utf8), format: .jsonLines).value)

        let streamed = try service(.sqlite)
        let run = BulkRun(service: streamed, machine: try streamed.machines.register(standard), limits: limits)
        let handle = try #require(FileHandle(forReadingAtPath: try write(text)))
        defer { try? handle.close() }
        var lines = RecordLines(file: handle, maxLineBytes: limits.maxLineBytes, chunkBytes: 97)
        let got = try #require(run.runDeals(lines: &lines).value)

        #expect(got.map(\.line) == expected.map(\.line))
        #expect(got.map(\.error) == expected.map(\.error))
        #expect(got.dropLast().map(\.text) == expected.dropLast().map(\.text))
        // The record over the limit: 12,046 bytes, of which the rejects keep the first 8,000 (a
        // character cut in two is replaced).
        #expect(got.last?.error.code == "FC1223" && got.last?.error.message.contains("12046 bytes") == true)
        #expect(got.last?.error == expected.last?.error)
        #expect(expected.last?.text.utf8.count == 12046)
        #expect(got.last.map { $0.text.utf8.count >= 7998 && $0.text.utf8.count <= 8002 } == true)
        #expect(got.last.map { expected.last?.text.hasPrefix(String($0.text.dropLast())) == true } == true)
        #expect(run.report.records == inMemory.report.records && run.report.created == inMemory.report.created)
        #expect(run.report.events == inMemory.report.events && run.report.effects == inMemory.report.effects)
        let ids = try memory.store.allDealIDs()
        #expect(try streamed.store.allDealIDs() == ids)
        for id in ids { #expect(try streamed.store.snapshot(of: id)?.payload == memory.store.snapshot(of: id)?.payload, "\(id)") }
    }

    @Test func aReadFailureStopsTheFileAfterRunningWhatWasRead() throws {
        let service = try service(.memory)
        let run = BulkRun(service: service, machine: try service.machines.register(standard))
        let handle = try #require(FileHandle(forReadingAtPath: try temporaryDirectory()))
        defer { try? handle.close() }
        var lines = RecordLines(file: handle, maxLineBytes: 100)
        let problem = try #require(run.runDeals(lines: &lines).error)
        #expect(problem.isReadFailure && !problem.isStoreFailure)
        #expect(problem.error.code == "FC1240")
        #expect(problem.line == 1)
        #expect(problem.error.message == "the file could not be read after line 0: Is a directory")
    }
}

extension RecordLines {
    /// The lines of a text in memory.
    static func withBytes(_ text: String) -> RecordLines { RecordLines(bytes: Array(text.utf8)) }
}

/// CSV files read a row at a time, in chunks: the rows (lines, cells, texts) and the unclosed
/// quote that `CSVReader.rows` gives for the whole text, wherever the chunks end.
@Suite struct CSVRowsTests {
    static let inputs: [String] = [
        "", "\n", "a", "a,b\nc,d\n", "a,b\r\nc,d\r\n", "a,b\n   \r\n\t \nc,d\n \" \"\n", "\u{FEFF}id,name\nX,甲\n", "\u{FEFF}", "\n\n,\n\"\"\n",
        "id,note\nX,\"two\nlines\"\nY,\"a \"\"quoted\"\" word\"\n", "a,\"b,c\",d\r\n\r\ne\n", "a\rb,c\n\"x\"y,\"\"z\n",
        "id,n\nX,\"unclosed\nY,1\nZ,2\n", "\"", "a,\"\"\"\"\n", "a,b\"c\"\n", "\r\r\n\r", "x,\"\r\n\",y\r\n",
        "a\n\u{FEFF}b,c\n\u{FEFF}\n", "\u{FEFF}\u{FEFF}x\n",
        "id,name\n" + (0..<50).map { "R-\($0),\"名 \($0)\nline\",\($0)" }.joined(separator: "\r\n") + "\n",
    ]

    func write(_ text: String) throws -> String {
        let path = try temporaryDirectory() + "/rows.csv"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func all(_ rows: inout CSVRows) throws -> (rows: [CSVRow], unclosed: Int?) {
        var out: [CSVRow] = []
        while let row = try rows.next() {
            switch row {
            case .row(let r): out.append(r)
            case .unclosed(let line, _, _): return (out, line)
            case .tooLarge(let line, let length, _): Issue.record("row at line \(line) of \(length) bytes given as too large")
            }
        }
        return (out, nil)
    }

    /// A row over the limit (its quoted line breaks included) is read to its end without being
    /// held: it comes with its line, its whole length (without its line break) and its first
    /// bytes, and the rows after it are read and numbered as usual. One whose quote is never
    /// closed is still the unclosed quote, from its own line.
    @Test(arguments: [1, 2, 3, 7, 64, 1 << 20])
    func aRowOverTheLimitIsMeasuredNotHeld(_ chunk: Int) throws {
        let long = "B,\"" + String(repeating: "长\r\n", count: 500) + "\",end"
        let text = "id,note\r\nA,short\r\n" + long + "\r\n\r\nC,ok\r\nD,\"" + String(repeating: "x\n", count: 3000)
        let handle = try #require(FileHandle(forReadingAtPath: try write(text)))
        defer { try? handle.close() }
        var file = CSVRows(file: handle, maxRowBytes: 100, chunkBytes: chunk)
        var got: [String] = []
        while let row = try file.next() {
            switch row {
            case .row(let r): got.append("row \(r.line) \(r.cells)")
            case .unclosed(let line, let error, let text):
                got.append("unclosed \(line) \(error.code)")
                #expect(text == nil, "the rest of the file is over the limit")
            case .tooLarge(let line, let length, let head):
                got.append("too large \(line) \(length)")
                #expect(head == String(decoding: Array(long.utf8).prefix(100), as: UTF8.self))
            }
        }
        #expect(got == [
            "row 1 [\"id\", \"note\"]", "row 2 [\"A\", \"short\"]", "too large 3 \(long.utf8.count)",
            "row 505 [\"C\", \"ok\"]", "unclosed 506 FC1220",
        ], "chunks of \(chunk)")

        // Bytes in memory have no limit: the caller measures the row.
        var memory = CSVRows(bytes: Array(text.utf8))
        var lines: [Int] = []
        while let row = try memory.next() {
            if case .row(let r) = row { lines.append(r.line) }
            if case .row(let r) = row, r.line == 3 { #expect(r.text == long) }
        }
        #expect(lines == [1, 2, 3, 505])
    }

    /// An unclosed quote comes with the rest of the file as written (without its last line
    /// break) when all of it is within the limit, and without it otherwise.
    @Test(arguments: [1, 2, 3, 64])
    func anUnclosedQuoteComesWithTheRestOfTheFile(_ chunk: Int) throws {
        let text = "id,n\r\nX,\"unclosed\r\nY,1\nZ,长\r\n"
        for (limit, expected) in [(100, "X,\"unclosed\r\nY,1\nZ,长"), (24, "X,\"unclosed\r\nY,1\nZ,长"), (23, nil)] as [(Int, String?)] {
            let handle = try #require(FileHandle(forReadingAtPath: try write(text)))
            defer { try? handle.close() }
            let readers = [CSVRows(file: handle, maxRowBytes: limit, chunkBytes: chunk), CSVRows(bytes: Array(text.utf8), maxRowBytes: limit)]
            for var rows in readers {
                _ = try rows.next()
                guard case .unclosed(let line, _, let rest)? = try rows.next() else {
                    Issue.record("no unclosed quote")
                    continue
                }
                #expect(line == 2)
                #expect(rest == expected, "limit \(limit), chunks of \(chunk)")
            }
        }
    }

    @Test(arguments: [1, 2, 3, 5, 64, 1 << 20])
    func aFileReadInChunksGivesTheRowsOfTheWholeText(_ chunk: Int) throws {
        for text in Self.inputs {
            let whole = CSVReader.rows(text)
            var memory = CSVRows(bytes: Array(text.utf8))
            let inMemory = try all(&memory)
            #expect(inMemory.rows == whole.rows, "\(text.debugDescription)")
            #expect(inMemory.unclosed == whole.error?.line, "\(text.debugDescription)")
            let handle = try #require(FileHandle(forReadingAtPath: try write(text)))
            defer { try? handle.close() }
            var file = CSVRows(file: handle, chunkBytes: chunk)
            let read = try all(&file)
            #expect(read.rows == whole.rows, "\(text.debugDescription), chunks of \(chunk)")
            #expect(read.unclosed == whole.error?.line, "\(text.debugDescription), chunks of \(chunk)")
        }
    }

    /// Random texts over CSV's special characters, read in small chunks under small limits, give
    /// what the same bytes in memory give under the same limit; and with no limit, what the
    /// whole-text reader gives.
    @Test(arguments: [1, 2, 3, 5])
    func randomTextsReadInChunksGiveWhatTheyGiveInMemory(_ chunk: Int) throws {
        func described(_ rows: inout CSVRows) throws -> [String] {
            var out: [String] = []
            while let row = try rows.next() {
                switch row {
                case .row(let r): out.append("row \(r.line) \(r.cells) \(r.text.debugDescription)")
                case .unclosed(let line, _, _): out.append("unclosed \(line)")
                case .tooLarge(let line, let length, let head): out.append("too large \(line) \(length) \(head.debugDescription)")
                }
            }
            return out
        }
        var texts = RandomTexts(seed: UInt64(chunk), alphabet: ["a", "b", ",", "\"", "\"\"", "\r", "\r", "\n", "\r\n", "é", "长", "\u{FEFF}"])
        var tooLarge = 0
        for _ in 0..<150 {
            let text = texts.next()
            let whole = CSVReader.rows(text)
            var unlimited = CSVRows(bytes: Array(text.utf8))
            var expected = whole.rows.map { "row \($0.line) \($0.cells) \($0.text.debugDescription)" }
            if let error = whole.error { expected.append("unclosed \(error.line)") }
            #expect(try described(&unlimited) == expected, "\(text.debugDescription)")
            for limit in [0, 1, 3, 8] {
                var memory = CSVRows(bytes: Array(text.utf8), maxRowBytes: limit)
                let inMemory = try described(&memory)
                tooLarge += inMemory.filter { $0.hasPrefix("too large") }.count
                let handle = try #require(FileHandle(forReadingAtPath: try write(text)))
                defer { try? handle.close() }
                var file = CSVRows(file: handle, maxRowBytes: limit, chunkBytes: chunk)
                let fromFile = try described(&file)
                #expect(fromFile == inMemory, "\(text.debugDescription), limit \(limit), chunks of \(chunk): \(fromFile) against \(inMemory)")
                // The quick count gives as many rows, up to an unclosed quote.
                try handle.seek(toOffset: 0)
                var counted = CSVRows(file: handle, maxRowBytes: limit, chunkBytes: chunk)
                #expect(try counted.countRows() == inMemory.filter { !$0.hasPrefix("unclosed") }.count, "\(text.debugDescription)")
            }
        }
        #expect(tooLarge > 300)
    }

    /// The UTF-8 check reads in chunks too: a character cut by a chunk's end is not an error,
    /// a broken one is, wherever it is.
    @Test(arguments: [1, 2, 3, 4, 7, 1 << 20])
    func theUTF8CheckSeesCharactersAcrossChunks(_ chunk: Int) throws {
        for (bytes, valid) in [
            (Array("id,名字\nX,星辰科技😀\n".utf8), true), ([0x61, 0xFF, 0x62], false), ([0xE6, 0x98], false),
            ([0x61, 0xC3], false), (Array("é".utf8) + [0x80], false), ([], true), (Array("😀".utf8), true),
        ] as [([UInt8], Bool)] {
            let path = try temporaryDirectory() + "/u.csv"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let handle = try #require(FileHandle(forReadingAtPath: path))
            defer { try? handle.close() }
            #expect(try CSVRows.isUTF8(handle, chunkBytes: chunk) == valid, "\(bytes), chunks of \(chunk)")
        }
    }

    /// A file that is not UTF-8 is named by the line of its first bad byte, wherever the chunks end.
    @Test(arguments: [1, 2, 3, 4, 7, 1 << 20])
    func theUTF8CheckGivesTheLineOfTheFirstBadByte(_ chunk: Int) throws {
        for (bytes, line) in [
            (Array("id,名字\nX,星辰科技😀\n".utf8), nil), (Array("a\nb\nc,".utf8) + [0xFF, 0x0A, 0xFF], 3), ([0xFF], 1),
            (Array("a\r\n\né".utf8) + [0x80], 3), (Array("x\n\"a\nb\n".utf8) + [0xE6, 0x98], 4), (Array("长\n长".utf8) + [0xE9, 0x0A], 2),
        ] as [([UInt8], Int?)] {
            let path = try temporaryDirectory() + "/u.csv"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let handle = try #require(FileHandle(forReadingAtPath: path))
            defer { try? handle.close() }
            #expect(try CSVRows.firstNonUTF8Line(handle, chunkBytes: chunk) == line, "\(bytes), chunks of \(chunk)")
            #expect(CSVRows.firstNonUTF8Line(in: bytes) == line, "\(bytes)")
        }
    }
}

/// Texts of up to 39 pieces drawn from an alphabet, the same on every run (a linear congruential
/// generator with Knuth's MMIX constants).
struct RandomTexts {
    var state: UInt64
    let alphabet: [String]

    init(seed: UInt64, alphabet: [String]) {
        state = seed
        self.alphabet = alphabet
    }

    private mutating func number() -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int(state >> 33)
    }

    mutating func next() -> String {
        (0..<(number() % 40)).map { _ in alphabet[number() % alphabet.count] }.joined()
    }
}

/// Times in records and on the command line: instants from year 1 to year 9999, as the ISO form
/// can write them; beyond, a record is refused rather than stored (such an instant once crashed
/// `deal show`).
@Suite struct RecordTimeTests {
    func absolute(_ text: String) -> Int64? {
        if case .absolute(let t)? = RecordReader.time(text: text) { return t }
        return nil
    }

    @Test func epochSecondsAreReadWithinTheCalendarsYears() {
        #expect(absolute("1717203600") == 1_717_203_600)
        #expect(absolute("-62135596800") == -62_135_596_800)  // 0001-01-01T00:00:00Z
        #expect(absolute("253402300799") == 253_402_300_799)  // 9999-12-31T23:59:59Z
        #expect(absolute("253402300800") == nil)
        #expect(absolute("-62135596801") == nil)
        #expect(absolute("-9223372036854775808") == nil)
        #expect(absolute("9223372036854775807") == nil)
        #expect(absolute("2024-06-01T09:00:00+08:00") == 1_717_203_600)
    }

    @Test func aJSONTimeMayBeEpochSecondsWrittenAsText() throws {
        #expect(throws: Never.self) { try RecordReader.time(.string("1717203600"), "at") }
        if case .absolute(let t) = try RecordReader.time(.string("1717203600"), "at") { #expect(t == 1_717_203_600) }
        #expect(throws: HostError.self) { try RecordReader.time(.string("1e9"), "at") }
        #expect(throws: HostError.self) { try RecordReader.time(.number("300000000000"), "at") }
        #expect(throws: HostError.self) { try RecordReader.time(.string("300000000000"), "at") }
    }
}
