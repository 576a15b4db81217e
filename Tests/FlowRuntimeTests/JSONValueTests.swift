import FlowRuntime
import Testing

/// The JSON reader of records and scenario values.
@Suite struct JSONValueTests {
    /// A key given twice is refused at its second place, in a small object and in one with many
    /// keys, whose check goes through a set (review of the inputs, I11: a list searched for each
    /// key made one line of 80,000 keys take 30 s; a test asserts no time).
    @Test(arguments: [2, 15, 16, 17, 40, 80_000])
    func aDuplicateKeyIsRefusedWhereItStands(_ keys: Int) throws {
        let entries = (0..<keys).map { "\"k\($0)\":\($0)" }
        let whole = "{" + entries.joined(separator: ",") + "}"
        guard case .success(.object(let read)) = JSONValue.parse(Array(whole.utf8)) else {
            Issue.record("\(keys) distinct keys were not read as an object"); return
        }
        #expect(read.count == keys)
        let again = "{" + entries.joined(separator: ",") + ",\"k\(keys / 2)\":0}"
        guard case .failure(let e) = JSONValue.parse(Array(again.utf8)) else { Issue.record("\(keys): the duplicate was taken"); return }
        #expect(e.message == "duplicate key `k\(keys / 2)`")
        #expect(e.offset == again.utf8.count - "\"k\(keys / 2)\":0}".utf8.count)
    }
}
