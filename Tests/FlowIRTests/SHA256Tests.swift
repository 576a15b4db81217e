import Testing
@testable import FlowIR

/// The hash behind IR content hashes and effect ids, on the NIST vectors and fed in pieces.
@Suite struct SHA256Tests {
    @Test func millionAs() {
        #expect(SHA256.hex(Array(repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func twoBlockMessage() {
        let text = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"
        #expect(SHA256.hex(Array(text.utf8)) == "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    }

    /// Fed in pieces that cut blocks anywhere, and as a non-contiguous sequence, the digest is
    /// the one of the whole message.
    @Test(arguments: [1, 3, 63, 64, 65, 127, 200])
    func piecesGiveTheDigestOfTheWhole(_ piece: Int) {
        let message = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let whole = SHA256.hex(message)
        var s = SHA256()
        var i = 0
        while i < message.count {
            s.update(message[i..<min(i + piece, message.count)])
            i += piece
        }
        let hex = s.finalize().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        #expect(hex == whole)
        #expect(SHA256.hex(message.lazy.map { $0 }) == whole)
    }
}
