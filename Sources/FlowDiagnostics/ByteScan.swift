/// Word-at-a-time byte searches over source text: eight bytes per step instead of one (SWAR).
///
/// Line tables, suppression comments and the YAML reader all walk whole files; these searches
/// make those walks cost a fraction of a byte-by-byte loop on the long runs of bytes that do not
/// matter to them.
package enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether some byte of `w` is zero. (`w - 0x01…` borrows into a byte's high bit only where
    /// that byte was zero or where a lower byte borrowed; `& ~w` drops bytes that were ≥ 0x80.)
    @inline(__always)
    private static func hasZeroByte(_ w: UInt64) -> Bool { (w &- ones) & ~w & highs != 0 }

    /// Whether some byte of `w` equals `byte`.
    @inline(__always)
    private static func has(_ w: UInt64, _ byte: UInt8) -> Bool { hasZeroByte(w ^ (ones &* UInt64(byte))) }

    /// The offset of the first `a` or `b` at or after `start`, or `raw.count` when there is none.
    package static func firstIndex(of a: UInt8, or b: UInt8, in raw: UnsafeRawBufferPointer, from start: Int) -> Int {
        let n = raw.count
        var i = max(0, start)
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if has(w, a) || has(w, b) { break }
            i += 8
        }
        while i < n, raw[i] != a, raw[i] != b { i += 1 }
        return i
    }

    /// The offset of the first `a` at or after `start`, or `raw.count` when there is none.
    package static func firstIndex(of a: UInt8, in raw: UnsafeRawBufferPointer, from start: Int) -> Int {
        let n = raw.count
        var i = max(0, start)
        while i + 8 <= n, !has(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self), a) { i += 8 }
        while i < n, raw[i] != a { i += 1 }
        return i
    }
}
