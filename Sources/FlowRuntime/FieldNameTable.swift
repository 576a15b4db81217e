/// Field ids → slots, looked up once per field named in an event.
///
/// A `[String: Int]` hashes every byte with per-process random seeds (SipHash). Field ids are
/// short and differ early or late, so this table, built once per machine, hashes only the UTF-8
/// length and the first, middle and last bytes into an open-addressing table at most half full,
/// and confirms a candidate with `==`. It answers for ids spelled byte for byte as in the
/// template; the caller falls back to the dictionary for anything else.
struct FieldNameTable: Sendable {
    /// Per bucket: 1 + entry index, or 0 when empty.
    private let buckets: [Int32]
    private let names: [String]
    private let slots: [Int]
    private let mask: Int

    init(_ slotsByName: [String: Int]) {
        var size = 8
        while size < slotsByName.count * 2 { size *= 2 }
        var buckets = [Int32](repeating: 0, count: size)
        var names: [String] = []
        var slots: [Int] = []
        // Sorted, so that the layout does not depend on the dictionary's order.
        for (name, slot) in slotsByName.sorted(by: { $0.key < $1.key }) {
            var b = FieldNameTable.hash(name) & (size - 1)
            while buckets[b] != 0 { b = (b + 1) & (size - 1) }
            names.append(name)
            slots.append(slot)
            buckets[b] = Int32(names.count)
        }
        self.buckets = buckets
        self.names = names
        self.slots = slots
        self.mask = size - 1
    }

    /// Hashes the UTF-8 length and the first, middle and last bytes of a name.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let count = bytes.count
        guard count > 0 else { return 0 }
        var h = UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
        h ^= UInt64(bytes[0]) | UInt64(bytes[count / 2]) << 8 | UInt64(bytes[count - 1]) << 16
        h = (h ^ (h >> 29)) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: h ^ (h >> 32))
    }

    /// ``hash(_:)-(UnsafeBufferPointer<UInt8>)`` of a name's UTF-8 bytes, read in place when the
    /// string stores them contiguously (native strings do; small ones are read from the stack).
    @inline(__always)
    static func hash(_ name: String) -> Int {
        if let h = name.utf8.withContiguousStorageIfAvailable({ hash($0) }) { return h }
        var copy = name
        return copy.withUTF8 { hash($0) }
    }

    /// The slot of the field named `name` (spelled as in the template), or nil.
    func slot(_ name: String) -> Int? {
        var b = FieldNameTable.hash(name) & mask
        while true {
            let entry = Int(buckets[b])
            if entry == 0 { return nil }
            if names[entry - 1] == name { return slots[entry - 1] }
            b = (b + 1) & mask
        }
    }
}
