public import FlowDiagnostics

/// A node of a `YAMLDocument`, as a dense index into its arena.
public struct YAMLNodeID: Hashable, Sendable, Comparable {
    public let index: Int32
    @usableFromInline init(_ index: Int) { self.index = Int32(truncatingIfNeeded: index) }
    public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
}

/// What a YAML node is.
public enum YAMLNodeKind: UInt8, Sendable {
    case scalar, mapping, sequence
}

/// How a scalar was written in the source.
public enum ScalarStyle: UInt8, Sendable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// A scalar's value under the YAML 1.2 core schema. Only plain scalars resolve to anything but a
/// string: `no`, `yes`, `on` and `off` stay strings.
public enum ScalarValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)

    /// The core-schema type name, as used in messages (`string`, `integer`, …).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .float: "number"
        case .string: "string"
        }
    }
}

/// A parsed YAML document stored flat: an arena of node records with byte spans, a children index
/// array, and one byte buffer holding every scalar's decoded text.
///
/// Aliases are resolved while reading: an alias is stored as the node its anchor marks, so a
/// walker never sees alias nodes, and the reader has already bounded the expanded size.
public struct YAMLDocument: Sendable {
    // The arena and the small accessors below are inlinable: the syntax phase (another module)
    // calls them for every node, and a call per access cost more than the access.
    @usableFromInline struct Record: Sendable {
        // The one-byte fields first, so that a record takes 20 bytes rather than 24.
        @usableFromInline var kind: YAMLNodeKind
        @usableFromInline var style: ScalarStyle
        @usableFromInline var flow: Bool
        /// Scalars: the core tag written on the scalar, if any.
        var tag: CoreTag = .none
        @usableFromInline var start: Int32
        @usableFromInline var end: Int32
        /// Scalars: where the decoded text is, see `bytes(of:)`; containers: offset into `children`.
        @usableFromInline var payload: Int32
        /// Scalars: byte length; containers: number of entries in `children` (2 per mapping pair).
        @usableFromInline var count: Int32
        /// Scalars: forced-string tag (`!!str`).
        var forcedString: Bool { tag == .str }
    }

    /// A core-schema tag written on a scalar (`!!str 1`, `!!int "12"`).
    enum CoreTag: UInt8, Sendable {
        case none, str, int, float, bool, null
    }

    /// The source the spans refer to.
    public let file: SourceFile
    /// The root node.
    public let root: YAMLNodeID
    @usableFromInline var records: [Record]
    @usableFromInline var children: [YAMLNodeID]
    /// Decoded text of the scalars that are not written as is in the file.
    @usableFromInline var text: [UInt8]
    /// The nodes an alias repeats, each with where its aliases are written, in source order.
    var aliasUses: [YAMLNodeID: [(start: Int32, end: Int32)]] = [:]

    /// Each node an alias repeats (an anchored node used again), with the spans of the aliases
    /// that use it; for a diagnostic about the node to show where else it is read.
    public var aliasedNodes: [(node: YAMLNodeID, aliases: [SourceSpan])] {
        aliasUses.sorted { $0.key < $1.key }.map { entry in
            (entry.key, entry.value.map { SourceSpan(file: file, start: Int($0.start), end: Int($0.end)) })
        }
    }

    init(file: SourceFile, root: YAMLNodeID, records: [Record], children: [YAMLNodeID], text: [UInt8]) {
        self.file = file
        self.root = root
        self.records = records
        self.children = children
        self.text = text
    }

    /// A scalar's decoded text. Most plain scalars are written in the file exactly as they decode:
    /// their bytes are not copied, and the payload is `~offset` (negative) into the file's bytes.
    /// Other scalars' text is in `text`, at offset `payload`.
    @usableFromInline func bytes(of r: Record) -> ArraySlice<UInt8> {
        let lo = Int(r.payload)
        let n = Int(r.count)
        return lo < 0 ? file.bytes[(~lo)..<(~lo + n)] : text[lo..<lo + n]
    }

    /// Calls `body` with a scalar's decoded text (see `bytes(of:)`).
    @inlinable func withBytes<R>(of r: Record, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let lo = Int(r.payload)
        let n = Int(r.count)
        if lo < 0 {
            return try file.bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[(~lo)..<(~lo + n)])) }
        }
        return try text.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[lo..<lo + n])) }
    }

    /// Number of node records (aliases are not counted again).
    public var nodeCount: Int { records.count }

    /// The scalars whose decoded text holds a character `matches` takes, each with the first
    /// such character (written as it is, or by an escape in a double-quoted string), for a
    /// caller that holds its texts to stricter rules than YAML does.
    public func scalarCharacters(where matches: (Unicode.Scalar) -> Bool) -> [(node: YAMLNodeID, character: Unicode.Scalar)] {
        var out: [(node: YAMLNodeID, character: Unicode.Scalar)] = []
        for (i, r) in records.enumerated() where r.kind == .scalar {
            let bytes = bytes(of: r)
            // Only these bytes start a character a caller here looks for: an ASCII control,
            // 0xC2 (C1 controls), 0xE2 (the bidirectional block).
            guard bytes.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2 }) else { continue }
            if let c = String(decoding: bytes, as: UTF8.self).unicodeScalars.first(where: matches) { out.append((YAMLNodeID(i), c)) }
        }
        return out
    }

    @inlinable public func kind(_ id: YAMLNodeID) -> YAMLNodeKind { records[Int(id.index)].kind }

    /// The node's span in the file: from its first to its last character (a block scalar's span
    /// ends at its last content character, not at the following line).
    @inlinable public func span(_ id: YAMLNodeID) -> SourceSpan {
        let r = records[Int(id.index)]
        return SourceSpan(file: file, start: Int(r.start), end: Int(r.end))
    }

    /// The scalar's style, or nil for a container.
    @inlinable public func style(_ id: YAMLNodeID) -> ScalarStyle? {
        let r = records[Int(id.index)]
        return r.kind == .scalar ? r.style : nil
    }

    /// True for a flow-style (`{…}` / `[…]`) container.
    @inlinable public func isFlow(_ id: YAMLNodeID) -> Bool { records[Int(id.index)].flow }

    /// The scalar's decoded text, or nil for a container.
    public func text(_ id: YAMLNodeID) -> String? {
        let r = records[Int(id.index)]
        guard r.kind == .scalar else { return nil }
        return String(decoding: bytes(of: r), as: UTF8.self)
    }

    /// The scalar's value under the YAML 1.2 core schema, or nil for a container.
    ///
    /// Untagged plain scalars are resolved; quoted and block scalars are strings. A core tag
    /// decides instead: `!!str 1` is a string, `!!int "12"` an integer, `!!float 1` a number (the
    /// reader has already refused a tag that does not fit its text).
    public func value(_ id: YAMLNodeID) -> ScalarValue? {
        let r = records[Int(id.index)]
        guard r.kind == .scalar else { return nil }
        let bytes = bytes(of: r)
        switch r.tag {
        case .str:
            return .string(String(decoding: bytes, as: UTF8.self))
        case .none:
            if r.style != .plain { return .string(String(decoding: bytes, as: UTF8.self)) }
            return CoreSchema.resolve(bytes)
        case .float:
            if case .int(let i) = CoreSchema.resolve(bytes) { return .float(Double(i)) }
            return CoreSchema.resolve(bytes)
        case .int, .bool, .null:
            return CoreSchema.resolve(bytes)
        }
    }

    /// Whether `value(id)` is a string, decided without building the string in most cases.
    package func isString(_ id: YAMLNodeID) -> Bool {
        let r = records[Int(id.index)]
        guard r.kind == .scalar else { return false }
        switch r.tag {
        case .str:
            return true
        case .none:
            if r.style != .plain { return true }
            return CoreSchema.isString(bytes(of: r))
        case .int, .float, .bool, .null:
            // The reader has checked that the text fits the tag, which is not `str`.
            return false
        }
    }

    /// The pairs of a mapping, in source order; empty for other kinds.
    public func pairs(_ id: YAMLNodeID) -> [(key: YAMLNodeID, value: YAMLNodeID)] {
        let r = records[Int(id.index)]
        guard r.kind == .mapping else { return [] }
        var out: [(key: YAMLNodeID, value: YAMLNodeID)] = []
        out.reserveCapacity(Int(r.count) / 2)
        var i = Int(r.payload)
        let end = i + Int(r.count)
        while i + 1 < end {
            out.append((children[i], children[i + 1]))
            i += 2
        }
        return out
    }

    /// The pairs of a mapping, in source order, without copying them into an array; empty for
    /// other kinds.
    @inlinable package func mappingPairs(_ id: YAMLNodeID) -> YAMLPairs {
        let r = records[Int(id.index)]
        guard r.kind == .mapping else { return YAMLPairs(children: []) }
        let lo = Int(r.payload)
        return YAMLPairs(children: children[lo..<lo + Int(r.count) / 2 * 2])
    }

    /// Calls `body` with the scalar's decoded text as UTF-8 bytes, without building a `String`;
    /// nil for a container.
    @inlinable package func withUTF8<R>(_ id: YAMLNodeID, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
        let r = records[Int(id.index)]
        guard r.kind == .scalar else { return nil }
        return try withBytes(of: r, body)
    }

    /// Whether the node is a scalar whose decoded text is exactly the bytes of `literal`.
    ///
    /// - Important: this compares bytes. For ASCII words that no other spelling is canonically
    ///   equivalent to (lowercase keys such as `id`), that is the same as comparing `String`s.
    @inlinable package func scalarBytesEqual(_ id: YAMLNodeID, _ literal: StaticString) -> Bool {
        let r = records[Int(id.index)]
        guard r.kind == .scalar, Int(r.count) == literal.utf8CodeUnitCount else { return false }
        let p = literal.utf8Start
        return withBytes(of: r) { b in
            for k in 0..<b.count where b[k] != p[k] { return false }
            return true
        }
    }

    /// The items of a sequence, in source order; empty for other kinds.
    @inlinable public func items(_ id: YAMLNodeID) -> ArraySlice<YAMLNodeID> {
        let r = records[Int(id.index)]
        guard r.kind == .sequence else { return [] }
        let lo = Int(r.payload)
        return children[lo..<lo + Int(r.count)]
    }

    /// The number of entries: pairs of a mapping, items of a sequence, 0 for a scalar.
    @inlinable public func count(_ id: YAMLNodeID) -> Int {
        let r = records[Int(id.index)]
        switch r.kind {
        case .scalar: return 0
        case .mapping: return Int(r.count) / 2
        case .sequence: return Int(r.count)
        }
    }
}

/// The pairs of one mapping, as a view into the document's children (see
/// `YAMLDocument.mappingPairs(_:)`).
///
/// This and the other `package` accessors serve the syntax phase: they read keys and scalars
/// without building arrays or `String`s.
@usableFromInline package struct YAMLPairs: RandomAccessCollection, Sendable {
    @usableFromInline let children: ArraySlice<YAMLNodeID>

    @usableFromInline init(children: ArraySlice<YAMLNodeID>) { self.children = children }

    @inlinable package var startIndex: Int { 0 }
    @inlinable package var endIndex: Int { children.count / 2 }

    @inlinable package subscript(i: Int) -> (key: YAMLNodeID, value: YAMLNodeID) {
        let k = children.startIndex + 2 * i
        return (children[k], children[k + 1])
    }
}
