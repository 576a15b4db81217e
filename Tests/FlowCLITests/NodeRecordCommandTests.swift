import FlowCLI
import Foundation
import Testing

@Suite struct NodeRecordCommandTests {
    @Test func notesAndLinksAreAddedShownUnderTheirNodeAndListedInTheHistory() throws {
        let db = try Examples.loaded()
        let note = flowc("deal", "event", "D-1003", "--note", "客户希望下周演示\n再确认预算", "--node", "initial_talks", "--by", "li.si",
                         "--at", "2024-12-01T09:00:00+08:00", "--db", db)
        #expect(note.code == 0, "\(note.err)")
        #expect(note.out.hasPrefix("applied `add_note` to deal `D-1003`"))
        let link = flowc("deal", "event", "D-1003", #"{"add_link": {"node": "initial_talks", "url": "https://docs.example.com/q/42", "title": "报价单"}, "by": "li.si"}"#,
                         "--at", "+1m", "--db", db)
        #expect(link.code == 0, "\(link.err)")
        let bare = flowc("deal", "event", "D-1003", "--link", "https://docs.example.com/raw", "--node", "initial_talks", "--at", "+1m", "--db", db)
        #expect(bare.code == 0, "\(bare.err)")

        let show = flowc("deal", "show", "D-1003", "--db", db)
        #expect(show.code == 0)
        #expect(show.out.contains("""
            records:
              `initial_talks` (done):
                2024-12-01T01:00:00Z note by `li.si`: 客户希望下周演示 ↵ 再确认预算
                2024-12-01T01:01:00Z link by `li.si`: 报价单 <https://docs.example.com/q/42>
                2024-12-01T01:02:00Z link: <https://docs.example.com/raw>
            """))
        let history = flowc("deal", "history", "D-1003", "--db", db)
        #expect(history.out.contains("note on `initial_talks`: 客户希望下周演示 ↵ 再确认预算"))
        #expect(history.out.contains("link on `initial_talks`: 报价单 <https://docs.example.com/q/42> by `li.si`"))
    }

    /// A note or a link's title is the deal's text, not the terminal's: a line break
    /// cannot split the entry it is printed in, nor an escape sequence recolour or clear the screen.
    @Test func textFromTheDealIsPrintedOnOneLineWithoutEscapes() throws {
        let db = try Examples.loaded()
        let hostile = "line1\nline2\u{1B}[31m\u{1B}[2J"
        #expect(flowc("deal", "event", "D-1003", "--note", hostile, "--node", "initial_talks", "--at", "2024-12-01T09:00:00+08:00", "--db", db).code == 0)
        for command in ["show", "history"] {
            let out = flowc("deal", command, "D-1003", "--db", db).out
            #expect(!out.contains("\u{1B}") && !out.contains("line1\n"), "\(command): \(out)")
            #expect(out.contains("line1 ↵ line2\\u{1B}[31m\\u{1B}[2J"), "\(command): \(out)")
        }
    }

    @Test func badRecordsAreRefusedWithTheirCodes() throws {
        let db = try Examples.loaded()
        let pending = flowc("deal", "event", "D-1003", "--note", "x", "--node", "contract_signing", "--db", db)
        #expect(pending.code == 1)
        #expect(pending.err.hasPrefix("error[FC1171]: deal `D-1003`, add_note: node `contract_signing` is pending"))
        let url = flowc("deal", "event", "D-1003", "--link", "javascript:alert(1)", "--node", "initial_talks", "--db", db)
        #expect(url.code == 1)
        #expect(url.err.contains("error[FC1173]"))
        let long = flowc("deal", "event", "D-1003", "--note", String(repeating: "长", count: 4_001), "--node", "initial_talks", "--db", db)
        #expect(long.code == 1)
        #expect(long.err.contains("error[FC1161]") && long.err.contains("the note (4001 characters) exceeds the limit of 4000 characters"))
        // Usage errors.
        #expect(flowc("deal", "event", "D-1003", "--note", "x", "--db", db).code == 2)
        #expect(flowc("deal", "event", "D-1003", "--note", "x", "--node", "a", "--complete", "b", "--db", db).code == 2)
        #expect(flowc("deal", "event", "D-1003", "--title", "t", "--note", "x", "--node", "a", "--db", db).code == 2)
    }
}
