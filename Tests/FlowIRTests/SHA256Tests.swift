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

    /// Lengths around the padding boundaries (a message of 55 bytes pads into one block, 56 into
    /// two) and across one block, against digests from an independent implementation (Python's
    /// hashlib) of `(i * 31 + 7) mod 256` for i in 0..<n.
    @Test(arguments: [
        (0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (55, "8aa994584139d128848eeebc4e815639ba5ab6e6e39574195a63ac4f14f7c43b"),
        (56, "ad574708f75c044c9b85de64cb568ee7711ff4f36448c6242f053ba8f6cc2b63"),
        (63, "280ed3e8ff1df845b2e7dfe6ac6cee817bef20e783cc65abc41b818b4d2fe076"),
        (64, "c6ab9724ade5b6a7a1edfffb12f3aa9181351355af8fd08c919952ad211339dd"),
        (65, "788367c73c7ddf4c53f65e68cc0d943e6227ab55b0e78ba63ace822b1c6301c0"),
        (1000, "5097e7d587352f5097062ae679f37bda5802d9f875aba14c8cb4d1a188ada179"),
    ])
    func digestsAroundTheBlockBoundaries(_ length: Int, _ digest: String) {
        let message = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        #expect(SHA256.hex(message) == digest)
        // The same bytes fed one at a time and as text-free raw memory.
        var s = SHA256()
        for b in message { s.update(byte: b) }
        #expect(s.hexDigest() == digest)
        var r = SHA256()
        message.withUnsafeBytes { r.update($0) }
        #expect(r.finalize().count == 32)
    }

    @Test func textIsHashedAsItsUTF8AndTheHexDigestTakesAPrefixAndALength() {
        var s = SHA256()
        s.update(utf8: "abc")
        #expect(s.hexDigest(prefix: "fx-", digits: 32) == "fx-ba7816bf8f01cfea414140de5dae2223")
        var t = SHA256()
        t.update(utf8: "")
        t.update(Array("abc".utf8))
        #expect(t.hexDigest() == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
