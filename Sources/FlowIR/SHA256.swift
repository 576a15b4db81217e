/// SHA-256 (FIPS 180-4), for the IR's content hash and the runner's effect ids. Small and
/// dependency-free; not used for secrets.
///
/// Why it is written the way it is: the runner hashes a short id for every effect it emits (a
/// timer sweep hashes four per due deal), so a short message must cost about one compression and
/// nothing else. The state, the partial block and the digest live in fixed-size tuples (no array
/// per hasher, per block or per digest), the message schedule lives on the stack, and the hex
/// digest is written straight into the string's storage.
public struct SHA256: Sendable {
    private typealias Words = (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)
    /// 64 bytes, for a block.
    private typealias Block = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    private var h: Words = (0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19)
    /// The bytes of an unfinished block (`pending` of them).
    private var block: Block = (0, 0, 0, 0, 0, 0, 0, 0)
    private var pending = 0
    private var length: UInt64 = 0

    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    public init() {}

    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { update($0) } }
    }

    /// The UTF-8 bytes of `text`, read in place (no array of them).
    public mutating func update(utf8 text: String) {
        var text = text
        text.withUTF8 { update(UnsafeRawBufferPointer($0)) }
    }

    public mutating func update(byte: UInt8) {
        withUnsafeBytes(of: byte) { update($0) }
    }

    /// Bytes in memory (the overload the others end in; no copy).
    public mutating func update(_ b: UnsafeRawBufferPointer) {
        length &+= UInt64(b.count)
        var i = 0
        // Top up a partial block first, then whole blocks straight from the input.
        if pending > 0 {
            let take = min(64 - pending, b.count)
            let at = pending
            withUnsafeMutableBytes(of: &block) {
                UnsafeMutableRawBufferPointer(rebasing: $0[at..<(at + take)]).copyMemory(from: UnsafeRawBufferPointer(rebasing: b[0..<take]))
            }
            pending += take
            i = take
            if pending < 64 { return }
            let full = block
            withUnsafeBytes(of: full) { compress($0, at: 0) }
            pending = 0
        }
        while i + 64 <= b.count {
            compress(b, at: i)
            i += 64
        }
        if i < b.count {
            let rest = b.count - i
            withUnsafeMutableBytes(of: &block) {
                UnsafeMutableRawBufferPointer(rebasing: $0[0..<rest]).copyMemory(from: UnsafeRawBufferPointer(rebasing: b[i...]))
            }
            pending = rest
        }
    }

    /// Pads the message and gives `body` the 32 digest bytes (which live on the stack). This
    /// finishes the hash: like ``finalize()``, call it once.
    public mutating func withDigest<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        let bits = length &* 8
        var tail = block
        var used = pending
        withUnsafeMutableBytes(of: &tail) { t in
            t[used] = 0x80
            UnsafeMutableRawBufferPointer(rebasing: t[(used + 1)...]).initializeMemory(as: UInt8.self, repeating: 0)
        }
        used += 1
        if used > 56 {
            withUnsafeBytes(of: tail) { compress($0, at: 0) }
            tail = (0, 0, 0, 0, 0, 0, 0, 0)
        }
        withUnsafeMutableBytes(of: &tail) { t in
            t.storeBytes(of: bits.bigEndian, toByteOffset: 56, as: UInt64.self)
        }
        withUnsafeBytes(of: tail) { compress($0, at: 0) }
        // The state words, big-endian.
        var digest: Words = (h.0.bigEndian, h.1.bigEndian, h.2.bigEndian, h.3.bigEndian,
                               h.4.bigEndian, h.5.bigEndian, h.6.bigEndian, h.7.bigEndian)
        return withUnsafeBytes(of: &digest) { body($0) }
    }

    public mutating func finalize() -> [UInt8] {
        withDigest { Array($0) }
    }

    /// The lowercase hex of the digest's first `digits` / 2 bytes (all 64 digits by default),
    /// after `prefix`: written straight into the string, no array of digits.
    public mutating func hexDigest(prefix: StaticString = "", digits: Int = 64) -> String {
        let digits = max(0, min(64, digits)) & ~1
        let p = prefix.utf8CodeUnitCount
        return withDigest { d in
            String(unsafeUninitializedCapacity: p + digits) { out in
                prefix.withUTF8Buffer { for j in 0..<p { out[j] = $0[j] } }
                guard let o = out.baseAddress else { return 0 }
                let at = UnsafeMutableRawPointer(o + p)
                SHA256.hexPairs.withUnsafeBufferPointer { pairs in
                    for n in 0..<(digits / 2) {
                        at.storeBytes(of: pairs[Int(d[n])], toByteOffset: 2 * n, as: UInt16.self)
                    }
                }
                return p + digits
            }
        }
    }

    /// The two hex digits of each byte value, as the `UInt16` whose memory holds them in order.
    private static let hexPairs: [UInt16] = (0..<256).map { (b: Int) -> UInt16 in
        let digits = Array("0123456789abcdef".utf8)
        let pair = [digits[b >> 4], digits[b & 15]]
        return pair.withUnsafeBytes { $0.loadUnaligned(as: UInt16.self) }
    }

    /// The lowercase hex digest of `bytes`.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        var s = SHA256()
        s.update(bytes)
        return s.hexDigest()
    }

    /// The 64-byte block of `p` at `offset`. The schedule lives on the stack and the round constants are
    /// read through one pointer: an array per block made hashing the runner's effect ids a visible
    /// share of a timer sweep. The rounds are unrolled by eight with the state's roles rotating
    /// among the eight variables (no moves between rounds), and each Σ/σ is one chain of
    /// rotations (`ROTR(ROTR(ROTR(e, 14) ^ e, 5) ^ e, 6)` is `Σ1(e)`).
    private mutating func compress(_ p: UnsafeRawBufferPointer, at offset: Int) {
        SHA256.k.withUnsafeBufferPointer { k in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
                for t in 0..<16 {
                    w[t] = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: offset + 4 * t, as: UInt32.self))
                }
                for t in 16..<64 {
                    let x = w[t - 15], y = w[t - 2]
                    let s0 = SHA256.rotr(SHA256.rotr(x, 11) ^ x, 7) ^ (x &>> 3)
                    let s1 = SHA256.rotr(SHA256.rotr(y, 2) ^ y, 17) ^ (y &>> 10)
                    w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
                }
                var (a, b, c, d, e, f, g, hh) = h
                var t = 0
                while t < 64 {
                    SHA256.round(a, b, c, &d, e, f, g, &hh, k[t] &+ w[t])
                    SHA256.round(hh, a, b, &c, d, e, f, &g, k[t + 1] &+ w[t + 1])
                    SHA256.round(g, hh, a, &b, c, d, e, &f, k[t + 2] &+ w[t + 2])
                    SHA256.round(f, g, hh, &a, b, c, d, &e, k[t + 3] &+ w[t + 3])
                    SHA256.round(e, f, g, &hh, a, b, c, &d, k[t + 4] &+ w[t + 4])
                    SHA256.round(d, e, f, &g, hh, a, b, &c, k[t + 5] &+ w[t + 5])
                    SHA256.round(c, d, e, &f, g, hh, a, &b, k[t + 6] &+ w[t + 6])
                    SHA256.round(b, c, d, &e, f, g, hh, &a, k[t + 7] &+ w[t + 7])
                    t += 8
                }
                h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e, h.5 &+ f, h.6 &+ g, h.7 &+ hh)
            }
        }
    }

    /// One round on the state `a…h` with `kw` = K[t] + W[t]. Only two words change: `d` becomes
    /// the next round's `e` and `h` the next round's `a`; the caller renames the others.
    @inline(__always)
    private static func round(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
                              _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ kw: UInt32) {
        let sigma1 = rotr(rotr(rotr(e, 14) ^ e, 5) ^ e, 6)
        let choose = g ^ (e & (f ^ g))
        let t1 = h &+ sigma1 &+ choose &+ kw
        let sigma0 = rotr(rotr(rotr(a, 9) ^ a, 11) ^ a, 2)
        let majority = (a & b) ^ (c & (a ^ b))
        d &+= t1
        h = t1 &+ sigma0 &+ majority
    }

    /// A right rotation, with masking shifts (`&>>`, `&<<`): the checked ones test the shift
    /// amount on every use.
    @inline(__always)
    private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &>> n) | (x &<< (32 &- n)) }
}
