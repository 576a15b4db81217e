internal import CYAML
public import FlowDiagnostics

/// Limits on what a template file may make the reader do. Each has a test.
public struct YAMLLimits: Sendable, Hashable {
    /// Largest accepted file, in bytes (checked before parsing; capped at `YAMLReader.hardMaxFileBytes`).
    public var maxFileBytes: Int = 32 << 20
    /// Deepest nesting of mappings and sequences.
    public var maxDepth: Int = 64
    /// Most nodes that aliases may add: the expanded sizes of every alias, summed. Nodes written
    /// out in the file do not count (the file size bounds them), so large templates without
    /// aliases are never refused by this budget.
    public var maxExpandedNodes: Int = 100_000
    /// Longest single scalar, in bytes.
    public var maxScalarBytes: Int = 1 << 20
    /// The command-line option that raises `maxFileBytes` in the command reading the file
    /// (`flowc check --max-file-size`), named in FC0108's help; nil where the command has none
    /// (QA round 25: `flowc compile` and `flowc run` named check's option, which they do not take).
    public var sizeOption: String? = nil

    public init() {}

    public static let `default` = YAMLLimits()
}

/// The result of reading one file: a document when it could be built, and the diagnostics.
public struct YAMLReadResult: Sendable {
    public var document: YAMLDocument?
    public var diagnostics: [Diagnostic]
    /// How much work the reader did before it returned (for limit tests).
    public var work = YAMLReadWork()
}

/// Counters of a read, so that tests of the limits can assert that hostile input was refused
/// early (after a few events) rather than after expanding or scanning all of it.
public struct YAMLReadWork: Sendable, Hashable {
    /// libyaml events handled.
    public var events = 0
    /// Node records built (aliases not counted again).
    public var nodes = 0
    /// Nodes counted with every alias expanded (saturating at `Int.max`).
    public var expandedNodes = 0

    public init() {}
}

/// Reads one YAML file through libyaml's event API into a flat `YAMLDocument`.
///
/// Everything libyaml leaves to its caller is done here: byte offsets for every node (libyaml's
/// marks count characters), duplicate keys, tags, alias expansion under a budget, depth, size,
/// encoding, and the single-document rule. Hazards are reported as FC01xx diagnostics, never traps.
public enum YAMLReader {
    /// The largest file ever read, whatever `YAMLLimits.maxFileBytes` says: node spans are stored
    /// as 32-bit offsets, and decoded text can be longer than its source (`\L` is 2 bytes in the
    /// file, 3 decoded).
    public static let hardMaxFileBytes = 1 << 30

    /// Where a `- ` goes in `file` to start a new block list item at the key that starts at byte
    /// `newItemKey`: in the column of the item's own `- `, as far before the key as that dash is
    /// before the item's first key (at `itemFirstKey`; `-   id:` too, QA round 39, R3). Nil when
    /// the item has no `- ` before its first key or those columns are not spaces.
    public static func missingDash(in file: SourceFile, itemFirstKey: Int, newItemKey: Int) -> SourceSpan? {
        let bytes = file.bytes
        var dash = itemFirstKey
        while dash > 0, bytes[dash - 1] == 0x20 { dash -= 1 }
        let offset = itemFirstKey - (dash - 1)
        guard dash > 0, bytes[dash - 1] == 0x2D, offset >= 2, newItemKey >= offset,
              bytes[(newItemKey - offset)..<newItemKey].allSatisfy({ $0 == 0x20 }) else { return nil }
        return SourceSpan(file: file, start: newItemKey - offset, end: newItemKey - offset + 2)
    }

    /// Reads `file` (its bytes are already in memory; use `sizeDiagnostic` first for files on disk).
    ///
    /// - Parameter itemLeadKeys: keys that come first in a list item when it has them (a
    ///   scenario step's `at` and `by`): a new item written without its `- ` starts at them when
    ///   they stand just before the item's first key repeated (``Builder/close(_:flowEnd:)``).
    public static func read(_ file: SourceFile, limits: YAMLLimits = .default, itemLeadKeys: Set<String> = []) -> YAMLReadResult {
        var diags: [Diagnostic] = []
        let maxBytes = min(limits.maxFileBytes, hardMaxFileBytes)
        if file.bytes.count > maxBytes {
            diags.append(tooLarge(path: file.path, size: file.bytes.count, maxBytes: maxBytes, sizeOption: limits.sizeOption))
            return YAMLReadResult(document: nil, diagnostics: diags)
        }
        if let d = validateEncoding(file) {
            return YAMLReadResult(document: nil, diagnostics: [d])
        }
        var builder = Builder(file: file, limits: limits)
        builder.itemLeadKeys = itemLeadKeys
        builder.run()
        var work = YAMLReadWork()
        work.events = builder.events
        work.nodes = builder.records.count
        work.expandedNodes = builder.expanded
        return YAMLReadResult(document: builder.document, diagnostics: builder.diagnostics, work: work)
    }

    /// A diagnostic for a file on disk that is over the size limit, before reading it.
    public static func sizeDiagnostic(path: String, size: Int, limits: YAMLLimits = .default) -> Diagnostic? {
        let maxBytes = min(limits.maxFileBytes, hardMaxFileBytes)
        guard size > maxBytes else { return nil }
        return tooLarge(path: path, size: size, maxBytes: maxBytes, sizeOption: limits.sizeOption)
    }

    /// FC0108, for the whole file: no line of it is quoted (QA round 22 saw an empty `1 |`), and
    /// the help names the option that raises the limit, while it can be raised.
    static func tooLarge(path: String, size: Int, maxBytes: Int, sizeOption: String?) -> Diagnostic {
        let d = YAMLMessages.tooLarge.inFile(path, String(size), String(maxBytes))
        if maxBytes >= hardMaxFileBytes { return d.help(YAMLMessages.Help.sizeLimitIsHard, String(hardMaxFileBytes)) }
        guard let sizeOption else { return d.help(YAMLMessages.Help.sizeLimitOfThisCommand, String(maxBytes)) }
        return d.help(YAMLMessages.Help.raiseSizeLimit, sizeOption, String(hardMaxFileBytes))
    }

    /// Finds the first NUL byte or invalid UTF-8 sequence, with its exact byte offset.
    static func validateEncoding(_ file: SourceFile) -> Diagnostic? {
        // What is wrong at an offset. `lineBreak`: NEL, LS or PS, which libyaml (YAML 1.1) reads
        // as a line break where YAML 1.2 and the author see a character of the text (review of
        // the checker, C10: a name silently lost its NEL, or the next key failed with words that
        // named nothing).
        enum Problem { case nul, invalid, lineBreak }
        let bad: (offset: Int, problem: Problem)? = file.bytes.withUnsafeBufferPointer { b in
            let n = b.count
            let raw = UnsafeRawBufferPointer(b)
            var i = 0
            while i < n {
                let c = b[i]
                if c < 0x80 {
                    if c == 0 { return (i, .nul) }
                    i += 1
                    // Templates are mostly ASCII: skip 8 bytes at a time while none has its high
                    // bit set and none is NUL (the classic "has a zero byte" test).
                    while i + 8 <= n {
                        let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                        let zero = (w &- 0x0101_0101_0101_0101) & ~w
                        if (w | zero) & 0x8080_8080_8080_8080 != 0 { break }
                        i += 8
                    }
                    continue
                }
                // The common 3-byte case (CJK text): a lead byte from E1 to EF except ED (whose
                // range includes surrogates) and two continuation bytes is always valid.
                if c >= 0xE1, c <= 0xEF, c != 0xED, i + 2 < n, b[i + 1] & 0xC0 == 0x80, b[i + 2] & 0xC0 == 0x80 {
                    if c == 0xE2, b[i + 1] == 0x80, b[i + 2] == 0xA8 || b[i + 2] == 0xA9 { return (i, .lineBreak) }
                    i += 3
                    continue
                }
                var need = 0
                var minValue: UInt32 = 0
                var value: UInt32 = 0
                if c & 0xE0 == 0xC0 { need = 1; value = UInt32(c & 0x1F); minValue = 0x80 }
                else if c & 0xF0 == 0xE0 { need = 2; value = UInt32(c & 0x0F); minValue = 0x800 }
                else if c & 0xF8 == 0xF0 { need = 3; value = UInt32(c & 0x07); minValue = 0x10000 }
                else { return (i, .invalid) }
                if i + need >= n { return (i, .invalid) }
                for k in 1...need {
                    let cc = b[i + k]
                    // The lead byte is the one named: the byte after it is often fine on its own
                    // (a `,` after a GBK lead byte; QA round 22).
                    guard cc & 0xC0 == 0x80 else { return (i, .invalid) }
                    value = (value << 6) | UInt32(cc & 0x3F)
                }
                if value < minValue || value > 0x10FFFF || (0xD800...0xDFFF).contains(value) { return (i, .invalid) }
                if value == 0x85 || value == 0x2028 || value == 0x2029 { return (i, .lineBreak) }
                i += need + 1
            }
            return nil
        }
        guard let bad else { return nil }
        if bad.problem == .nul { return YAMLMessages.nulByte.at(SourceSpan(file: file, start: bad.offset, end: bad.offset + 1)) }
        if bad.problem == .lineBreak {
            let length = SourceFile.scalarLength(leadByte: file.bytes[bad.offset])
            let scalar = String(decoding: file.bytes[bad.offset..<(bad.offset + length)], as: UTF8.self).unicodeScalars.first ?? " "
            return YAMLMessages.encodingProblem.at(SourceSpan(file: file, start: bad.offset, end: bad.offset + length),
                                                   Message(YAMLMessages.Help.unicodeLineBreak, [CharacterNames.describe(scalar)]).text)
                .help(YAMLMessages.Help.unicodeLineBreakHelp)
        }
        return badByte(file, bad.offset)
    }

    private static func badByte(_ file: SourceFile, _ i: Int) -> Diagnostic {
        let byte = i < file.bytes.count ? file.bytes[i] : 0
        let hex = String(byte, radix: 16, uppercase: true)
        return YAMLMessages.invalidUTF8.at(SourceSpan(file: file, start: i, end: i + 1), hex.count == 1 ? "0" + hex : hex)
            .help(YAMLMessages.Help.notUTF8)
    }
}

/// Converts libyaml's character marks into byte offsets with a cursor that moves both ways.
/// Marks arrive nearly in order, so the total movement is linear in the file size.
struct CharToByte {
    let bytes: [UInt8]
    var char: Int
    var byte: Int

    init(bytes: [UInt8]) {
        self.bytes = bytes
        // libyaml drops a UTF-8 byte-order mark before counting characters.
        let bom = bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
        self.char = 0
        self.byte = bom ? 3 : 0
        self.base = byte
    }

    let base: Int

    mutating func offset(_ target: Int) -> Int {
        // Works on locals (a closure over `self` kept them in memory), stored back at the end.
        var char = self.char
        var byte = self.byte
        let base = self.base
        let n = bytes.count
        bytes.withUnsafeBufferPointer { b in
            if target < char {
                if char - target > target {
                    // Nearer the start than here: count again from the start.
                    char = 0
                    byte = base
                } else {
                    while char > target, byte > base {
                        byte -= 1
                        while byte > base, b[byte] & 0xC0 == 0x80 { byte -= 1 }
                        char -= 1
                    }
                    return
                }
            }
            // Count characters 8 bytes at a time. In ASCII, a character is a byte, so an ASCII word
            // takes the cursor straight to the target when it is within the word. Otherwise one
            // character starts at every byte that is not a continuation byte (10xxxxxx); a word
            // has at most 8, so whole words are counted while the target is 8 or more away.
            let raw = UnsafeRawBufferPointer(b)
            while char < target, byte + 8 <= n {
                let w = raw.loadUnaligned(fromByteOffset: byte, as: UInt64.self)
                if w & 0x8080_8080_8080_8080 == 0 {
                    let step = min(8, target - char)
                    byte += step
                    char += step
                } else if target - char >= 8 {
                    let continuation = (w & ~(w << 1) & 0x8080_8080_8080_8080) >> 7
                    // The sum of the eight 0/1 bytes, gathered in the top byte by the multiplication.
                    char += 8 - Int(truncatingIfNeeded: (continuation &* 0x0101_0101_0101_0101) >> 56)
                    byte += 8
                } else {
                    break
                }
            }
            // A word may have ended inside a character, counted already: skip its rest.
            while byte < n, b[byte] & 0xC0 == 0x80 { byte += 1 }
            while char < target, byte < n {
                let lead = b[byte]
                byte += lead < 0x80 ? 1 : SourceFile.scalarLength(leadByte: lead)
                char += 1
            }
        }
        self.char = char
        self.byte = byte
        return min(byte, n)
    }
}

private struct Builder {
    let file: SourceFile
    let limits: YAMLLimits
    /// Capped (`DiagnosticCap`).
    var diagnostics: [Diagnostic] = [] { didSet { DiagnosticCap.trim(&diagnostics) } }
    var document: YAMLDocument?

    var records: [YAMLDocument.Record] = []
    var children: [YAMLNodeID] = []
    var text: [UInt8] = []
    var marks: CharToByte

    /// An open container. Only plain values, so that reading and updating the innermost one (for
    /// every node) copies no reference; its anchor and a large mapping's key index are kept aside.
    struct Open {
        var id: Int
        var childStart: Int
        var expandedAtStart: Int
        /// The container has an anchor, the last entry of `openAnchors`.
        var hasAnchor = false
        /// The mapping has more than `Builder.linearKeyLimit` keys, indexed in `largeMappingKeys`.
        var isLarge = false
        /// A key with non-ASCII bytes was seen: keys are then compared as `String`s, which equal
        /// each other under canonical equivalence (`é` written as one or two scalars) and may
        /// differ in bytes.
        var hasNonASCIIKey = false
        /// One bit per fingerprint (`Builder.keyFacts`) of the keys so far: a key whose bit is
        /// clear has no equal among them, which is most keys, so most keys are not compared at all.
        var keyFilter: UInt64 = 0
        var isMapping: Bool
        /// End of the last child as written (an alias ends where the alias does, not its anchor).
        var lastEnd: Int = 0
        /// A block mapping in a block list whose first key came again (a `- ` left out before a
        /// new item): the repeat's position in `pending`, the index of its diagnostic, and the
        /// keys repeated after it, which that diagnostic names instead of one error each.
        var repeatedItem: (at: Int, diagnostic: Int, keys: [String])?
        /// Where the item may be split into the items a `- ` left out would have made
        /// (``close(_:flowEnd:)``): each repeat of its first key, its position in `pending`, the
        /// end of the item's text before it, and whether a later key repeats one of the item's
        /// before it too (a new item; without that, the first key was only written twice).
        var cuts: [(at: Int, endBefore: Int, confirmed: Bool, diagnostic: Int)] = []
    }

    /// Children of open containers, pushed flat; moved into `children` when a container closes.
    var pending: [YAMLNodeID] = []
    /// Anchors of the open containers that have one, innermost last.
    var openAnchors: [String] = []
    /// For each open large mapping, by its depth (`stack` index): key text → the key's position in
    /// `pending`, for the duplicate check. Smaller mappings compare bytes instead.
    var largeMappingKeys: [Int: [String: Int]] = [:]
    /// Where a mapping key reached through an alias is written (by its position in `pending`):
    /// a duplicate of it is labelled there rather than at the anchored node. Usually empty.
    var aliasKeySpans: [Int: (start: Int, end: Int)] = [:]
    /// Mappings with up to this many keys find duplicates on the keys' bytes (a fingerprint
    /// filter, then a comparison with the earlier keys), which is cheaper than building and
    /// hashing a `String` for every key; larger ones switch to a dictionary so that the check
    /// stays linear.
    static let linearKeyLimit = 16
    /// The open containers around the innermost one, outermost first.
    var stack: [Open] = []
    /// Keys that come first in a list item when it has them (``YAMLReader/read(_:limits:itemLeadKeys:)``).
    var itemLeadKeys: Set<String> = []
    /// The innermost open container, kept out of `stack` because every node updates it: a
    /// stored value changes in place, where an array element is checked for sharing first.
    var innermost: Open?
    /// Open containers, `innermost` included.
    var depth: Int { stack.count + (innermost == nil ? 0 : 1) }
    var anchors: [String: (id: YAMLNodeID, size: Int, open: Bool)] = [:]
    /// Where each node reached through an alias is used so, by node (``YAMLDocument/aliasUses``).
    var aliasUses: [YAMLNodeID: [(start: Int32, end: Int32)]] = [:]
    var expanded = 0
    /// Nodes added through aliases, the part of `expanded` the alias budget limits.
    var aliasExpanded = 0
    var root: YAMLNodeID?
    var documents = 0
    var stopped = false
    var events = 0

    init(file: SourceFile, limits: YAMLLimits) {
        self.file = file
        self.limits = limits
        self.marks = CharToByte(bytes: file.bytes)
        // Generous capacities, so that none of these arrays is copied while it grows: capacity
        // that is never written costs address space only.
        records.reserveCapacity(file.bytes.count / 12 + 4)
        children.reserveCapacity(file.bytes.count / 12 + 4)
        pending.reserveCapacity(64)
        text.reserveCapacity(file.bytes.count + 16)
    }

    func span(_ start: Int, _ end: Int) -> SourceSpan { SourceSpan(file: file, start: start, end: end) }

    mutating func fail(_ d: Diagnostic) {
        diagnostics.append(d)
        stopped = true
    }

    mutating func run() {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) != 0 else {
            fail(YAMLMessages.syntax.at(span(0, 0), "libyaml could not be initialised"))
            return
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        let bytes = file.bytes
        let empty: [UInt8] = [0]
        // With the encoding set explicitly, libyaml keeps a byte-order mark as a character of the
        // first line (so `a: 1` after it sits at column 1, and a second key at column 0 is a
        // syntax error). Hand it the bytes after the BOM; `CharToByte` starts counting there too.
        let skip = marks.base
        bytes.withUnsafeBufferPointer { buf in
            empty.withUnsafeBufferPointer { e in
                // libyaml asserts on a NULL input pointer: give it a valid one even when empty.
                let base = buf.count > skip ? buf.baseAddress.map { $0 + skip } : e.baseAddress
                guard let base else { return }
                yaml_parser_set_input_string(&parser, base, max(0, buf.count - skip))
                var event = yaml_event_t()
                while !stopped {
                    guard yaml_parser_parse(&parser, &event) != 0 else {
                        parserError(&parser)
                        return
                    }
                    let done = event.type == YAML_STREAM_END_EVENT
                    events += 1
                    handle(&event)
                    yaml_event_delete(&event)
                    if done { break }
                }
            }
        }
        if stopped { return }
        guard let root else {
            fail(YAMLMessages.empty.at(span(0, 0)))
            return
        }
        let r = records[Int(root.index)]
        if r.kind == .scalar, r.count == 0, r.style == .plain, !r.forcedString {
            fail(YAMLMessages.empty.at(span(0, 0)))
            return
        }
        document = YAMLDocument(file: file, root: root, records: records, children: children, text: text)
        document?.aliasUses = aliasUses
    }

    mutating func parserError(_ parser: inout yaml_parser_t) {
        let problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
        if parser.error == YAML_READER_ERROR {
            // Reader errors carry a byte offset (into the bytes after any BOM), not a mark.
            let n = file.bytes.count
            let o = min(Int(parser.problem_offset) + marks.base, n)
            let len = o < n ? SourceFile.scalarLength(leadByte: file.bytes[o]) : 0
            fail(YAMLMessages.encodingProblem.at(span(o, min(o + len, n)), problem))
            return
        }
        let at = marks.offset(Int(parser.problem_mark.index))
        var d = YAMLMessages.syntax.at(span(at, min(at + 1, file.bytes.count)), problem)
        var from = file.lineStarts[file.line(of: at) - 1]
        if let ctx = parser.context {
            let c = marks.offset(Int(parser.context_mark.index))
            let context = String(cString: ctx)
            d = d.label(span(c, min(c + 1, file.bytes.count)), YAMLMessages.Help.contexts[context] ?? "{0}", context)
            from = min(from, c)
        }
        if problem == "could not find expected ':'", keyTooLong(from: from, to: at) {
            // libyaml stops looking for a key's `:` after 1024 characters (review of the checker,
            // C11: the caret stood on the colon, with words that did not say why).
            d = d.help(YAMLMessages.Help.keyTooLong)
        } else if tabIndents(at) {
            // libyaml's words ("found character that cannot start any token") say nothing to
            // an author who pressed the tab key (QA round 22).
            d.message = Message("{0}", [YAMLMessages.Help.tabInIndentation])
            d = d.help(YAMLMessages.Help.tabIndentation)
        } else if let start = fullWidthColonAfterKey(at) ?? fullWidthColonBeforeBrace(at) ?? fullWidthColonKeyOnLineBefore(at) {
            // `name：{zh: 签约, en: Signing}`: the `：` typed for the key's `:`, and the value's
            // own `: ` read as a second key (QA round 35, A1: the help said to quote the value).
            d = d.label(span(start, start + 3), YAMLMessages.Help.notASeparator)
                .help(YAMLMessages.Help.notAColon, String(file.line(of: start)), CharacterNames.describe("\u{FF1A}"))
        } else if let colon = colonWithoutSpace(at) {
            // `name:{zh: 签约}`, `owner:legal`: the key's `:` without its space (QA round 36, C4:
            // "put the whole value in quotes", or no help at all).
            let line = file.line(of: colon)
            let key = String(decoding: file.bytes[keyStart(file.lineStarts[line - 1], colon)..<colon], as: UTF8.self)
            d = d.label(span(colon, colon + 1), YAMLMessages.Help.colonNeedsSpace)
                .help(YAMLMessages.Help.writeColonSpace, String(line), key)
                .fix(span(colon, colon + 1), ": ")
        } else if colonInPlainValue(at) {
            d = d.help(YAMLMessages.Help.colonInPlainValue, String(file.line(of: at)))
        } else if let (start, scalar) = lookAlikeIndentation(at) {
            // A line indented with U+3000 or U+00A0, as an input method types them (QA round 35,
            // A10: the help asked to indent the next line like it).
            let length = SourceFile.scalarLength(leadByte: file.bytes[start])
            d = d.label(span(start, start + length), YAMLMessages.Help.notASeparator)
                .help(YAMLMessages.Help.notASpace, String(file.line(of: start)), CharacterNames.describe(scalar))
        } else if let (format, arguments) = indentationHint(at, problem: problem) {
            d = d.help(format, arguments[0], arguments[1], arguments[2], arguments[3])
        } else if listItemInMapping(at, problem: problem) {
            d = d.help(YAMLMessages.Help.listItemInMapping, String(file.line(of: at)))
        } else if let closer = textAfterFlowValue(at, problem: problem) {
            d = d.help(YAMLMessages.Help.textAfterFlowValue, String(file.line(of: at)), closer)
        } else if at < file.bytes.count, file.bytes[at] == 0x7B || file.bytes[at] == 0x5B, let (start, scalar) = curlyQuoteBefore(at) {
            // `{name: “{customer_name} 群”}`: the author's quote is a typographic one, no YAML
            // quote (QA round 44, A5: the help said to put the value in quotes).
            d = d.label(span(start, start + 3), YAMLMessages.Help.notAQuote)
                .help(YAMLMessages.Help.curlyQuote, String(file.line(of: start)), CharacterNames.describe(scalar))
        } else if braceInFlowValue(at) {
            d = d.help(YAMLMessages.Help.braceInFlowValue, String(file.line(of: at)))
        } else if at > 0, at < file.bytes.count, file.bytes[at - 1] == 0x27, file.bytes[at] >= 0x41 {
            // `name: 'it's`: the apostrophe ended the value (QA round 23).
            d = d.help(YAMLMessages.Help.apostropheInSingleQuotes)
        } else if let (quote, line, single) = unclosedQuote(before: at) {
            // libyaml finds out lines later, where the next quote closes the value (QA round 23).
            d = d.label(span(quote, quote + 1), YAMLMessages.Help.quoteOpenedHere)
                .help(single ? YAMLMessages.Help.unclosedSingleQuote : YAMLMessages.Help.unclosedQuote, String(line))
        } else if let hint = quotingHint(line: file.line(of: at)) {
            // As an argument: the author's own braces are no placeholders of the format.
            d = d.help("{0}", hint)
        } else if let (start, scalar) = lookAlikeSeparator(in: min(from, at)..<at) {
            let length = SourceFile.scalarLength(leadByte: file.bytes[start])
            let format = scalar == "\u{FF1A}" ? YAMLMessages.Help.notAColon : YAMLMessages.Help.notASpace
            d = d.label(span(start, start + length), YAMLMessages.Help.notASeparator)
                .help(format, String(file.line(of: start)), CharacterNames.describe(scalar))
        }
        fail(d)
    }

    /// The offset of an anchor `&name` after offset `from`: `&` at a line's start or after a
    /// blank, `-`, `[`, `{`, `,` or `:`, the name, then a blank, a line end, or the file's end.
    func anchorDefined(_ name: String, after from: Int) -> Int? {
        let bytes = file.bytes, needle = Array(name.utf8)
        guard !needle.isEmpty else { return nil }
        var i = from
        while i < bytes.count {
            if bytes[i] == 0x26 {
                let before = i > 0 ? bytes[i - 1] : 0x0A
                let end = i + 1 + needle.count
                if [0x20, 0x0A, 0x0D, 0x2D, 0x5B, 0x7B, 0x2C, 0x3A, 0x09].contains(before), end <= bytes.count,
                   bytes[(i + 1)..<end].elementsEqual(needle),
                   end == bytes.count || [0x20, 0x0A, 0x0D, 0x09].contains(bytes[end]) {
                    return i
                }
            }
            i += 1
        }
        return nil
    }

    /// Whether more than 1024 characters lie between `from` and `at` on one line: libyaml's
    /// limit for a key written plainly on its line.
    func keyTooLong(from: Int, to at: Int) -> Bool {
        guard at - from > 1024, at <= file.bytes.count else { return false }
        let text = file.bytes[from..<at]
        guard !text.contains(0x0A) else { return false }
        return String(decoding: text, as: UTF8.self).unicodeScalars.count > 1024
    }

    /// The `}` or `]` that ends a value written in braces or brackets, when the problem is text
    /// after it on the same line (`name: {en: "…"}, USD)`, QA round 18); nil otherwise.
    func textAfterFlowValue(_ at: Int, problem: String) -> String? {
        let bytes = file.bytes
        guard problem == "did not find expected key", at < bytes.count, bytes[at] != 0x0A, bytes[at] != 0x0D else { return nil }
        let lineStart = file.lineStarts[file.line(of: at) - 1]
        var i = at
        while i > lineStart, bytes[i - 1] == 0x20 { i -= 1 }
        guard i > lineStart, bytes[i - 1] == 0x7D || bytes[i - 1] == 0x5D else { return nil }
        return bytes[i - 1] == 0x7D ? "}" : "]"
    }

    /// Whether the problem is a `- ` list item where a block mapping needs a key (a node pasted
    /// after `pool:` at the end of the file, QA round 17): the line is blanks, then `- `.
    func listItemInMapping(_ at: Int, problem: String) -> Bool {
        let bytes = file.bytes
        guard problem == "did not find expected key", at + 1 < bytes.count, bytes[at] == 0x2D,
              bytes[at + 1] == 0x20 || bytes[at + 1] == 0x0A || bytes[at + 1] == 0x0D else { return false }
        let lineStart = file.lineStarts[file.line(of: at) - 1]
        return bytes[lineStart..<at].allSatisfy { $0 == 0x20 }
    }

    /// The first typographic quote (`“`, `”`, `‘`, `’`) on the problem's line before it, with its
    /// offset: written where a YAML quote was meant.
    func curlyQuoteBefore(_ at: Int) -> (Int, Unicode.Scalar)? {
        let bytes = file.bytes
        guard at <= bytes.count, at > 0 else { return nil }
        var i = file.lineStarts[file.line(of: at) - 1]
        while i + 2 < at {
            if bytes[i] == 0xE2, bytes[i + 1] == 0x80, [0x98, 0x99, 0x9C, 0x9D].contains(bytes[i + 2]) {
                // E2 80 xx is U+2000 + (xx & 0x3F).
                return (i, Unicode.Scalar(0x2000 + UInt32(bytes[i + 2] & 0x3F)) ?? "\u{201C}")
            }
            i += 1
        }
        return nil
    }

    /// Whether the problem is a `{` or `[` in the middle of a value inside `{…}` or `[…]`
    /// (`{title: 现场勘查：{customer_name}}`): there it opens a collection, so the value stops.
    func braceInFlowValue(_ at: Int) -> Bool {
        let bytes = file.bytes
        guard at > 0, at < bytes.count, bytes[at] == 0x7B || bytes[at] == 0x5B else { return false }
        let before = bytes[at - 1]
        return before != 0x20 && before != 0x2C && before != 0x7B && before != 0x5B && before != 0x3A && before != 0x09
    }

    /// Whether the problem is a tab in the indentation of its line: at the problem, or among
    /// the blanks before it.
    func tabIndents(_ at: Int) -> Bool {
        let bytes = file.bytes
        let lineStart = file.lineStarts[file.line(of: at) - 1]
        guard at < bytes.count else { return false }
        let before = bytes[lineStart..<at]
        guard before.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { return false }
        return bytes[at] == 0x09 || before.contains(0x09)
    }

    /// Whether the problem is an ASCII `: ` (or `:` at the end of the line) after a key's own
    /// `: ` on the same line: a value without quotes that holds a colon and a space, which libyaml
    /// reads as a second key ("mapping values are not allowed in this context").
    func colonInPlainValue(_ at: Int) -> Bool {
        let bytes = file.bytes
        guard at < bytes.count, bytes[at] == 0x3A else { return false }
        let next = at + 1 < bytes.count ? bytes[at + 1] : 0x0A
        guard next == 0x20 || next == 0x0A || next == 0x0D else { return false }
        let lineStart = file.lineStarts[file.line(of: at) - 1]
        var i = lineStart
        while i + 1 < at {
            if bytes[i] == 0x3A, bytes[i + 1] == 0x20 { return true }
            i += 1
        }
        return false
    }

    /// The offset of a `：` (U+FF1A) that ends the key of the problem's line, when the problem is
    /// a `: ` later on it (a value in braces after `name：`): the line's text before the `：` is
    /// its indentation, any `- `, and a key without spaces, and no ASCII `: ` comes before it.
    func fullWidthColonAfterKey(_ at: Int) -> Int? {
        let bytes = file.bytes
        guard colonInPlainValue(at) else { return nil }
        let keyStart = keyStart(file.lineStarts[file.line(of: at) - 1], at)
        var i = keyStart
        while i + 2 < at {
            if bytes[i] == 0xEF, bytes[i + 1] == 0xBC, bytes[i + 2] == 0x9A { return i > keyStart ? i : nil }
            if !Self.isKeyByte(bytes[i]) { return nil }
            i += 1
        }
        return nil
    }

    /// A byte of a template key: a letter, a digit or `_` (the `：` checks look for a key of
    /// these before it, so that Chinese text with a `：` in it is left alone; review of the
    /// session: `- 注意：合同需盖章` was blamed for an error below it).
    static func isKeyByte(_ b: UInt8) -> Bool {
        b == 0x5F || (b >= 0x30 && b <= 0x39) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A)
    }

    /// Where a key would start in the text from `from` (a line's start) to `end`: after the
    /// indentation's spaces and any `- ` of list items.
    func keyStart(_ from: Int, _ end: Int) -> Int {
        let bytes = file.bytes
        var i = from
        while i < end, bytes[i] == 0x20 { i += 1 }
        while i + 1 < end, bytes[i] == 0x2D, bytes[i + 1] == 0x20 { i += 2 }
        return i
    }

    /// The offset of an ASCII `:` ending the key of the problem's line, or of the nearest line
    /// above it that is not blank, with no space after it (`name:{zh: 签约}`, `owner:legal`): the
    /// line's text before it is its indentation, any `- `, and a key of letters, digits and `_`.
    func colonWithoutSpace(_ at: Int) -> Int? {
        let bytes = file.bytes
        func check(_ line: Int) -> Int? {
            let r = file.lineRange(line)
            let keyStart = keyStart(r.lowerBound, r.upperBound)
            var i = keyStart
            while i < r.upperBound, Self.isKeyByte(bytes[i]) { i += 1 }
            guard i > keyStart, i + 1 < r.upperBound, bytes[i] == 0x3A else { return nil }
            let next = bytes[i + 1]
            if next == 0x20 || next == 0x09 || next == 0x3A || next == 0x2F { return nil }
            // A look-alike space after it is said as that.
            if let (at, _) = lookAlikeSeparator(in: (i + 1)..<min(i + 4, r.upperBound)), at == i + 1 { return nil }
            return i
        }
        var line = file.line(of: at)
        if let found = check(line) { return found }
        line -= 1
        while line >= 1 {
            let r = file.lineRange(line)
            if r.contains(where: { bytes[$0] != 0x20 }) { return check(line) }
            line -= 1
        }
        return nil
    }

    /// The offset of a `：` (U+FF1A) just before the `{` or `[` the problem is at, after a key
    /// without spaces (`{name：{zh: 签约}}`, `reject：{x: 1}`): the key's separator, typed full
    /// width (QA round 36, C3: the help said to quote the value).
    func fullWidthColonBeforeBrace(_ at: Int) -> Int? {
        let bytes = file.bytes
        guard at >= 3, at < bytes.count, bytes[at] == 0x7B || bytes[at] == 0x5B,
              bytes[at - 3] == 0xEF, bytes[at - 2] == 0xBC, bytes[at - 1] == 0x9A else { return nil }
        var i = at - 3
        while i > 0, Self.isKeyByte(bytes[i - 1]) { i -= 1 }
        guard i < at - 3, i == 0 || [0x20, 0x2C, 0x7B, 0x5B, 0x0A, 0x09].contains(bytes[i - 1]) else { return nil }
        // In a key's place (after `{`, `,` or the line's start), not in a value after `key: `
        // (`title: 信用审核：{customer_name}` is text with a placeholder, to be quoted).
        var before = i - 1
        while before >= 0, bytes[before] == 0x20 || bytes[before] == 0x09 { before -= 1 }
        return before < 0 || [0x7B, 0x2C, 0x0A].contains(bytes[before]) ? at - 3 : nil
    }

    /// The offset of a `：` (U+FF1A) ending the key of the nearest line above the problem's that
    /// is not blank (`- id：legal_review`, read as one text; libyaml stops at the next line): the
    /// text before it is the line's indentation, any `- `, and a key without spaces or `:`.
    func fullWidthColonKeyOnLineBefore(_ at: Int) -> Int? {
        let bytes = file.bytes
        var line = file.line(of: at) - 1
        while line >= 1 {
            let r = file.lineRange(line)
            var i = r.lowerBound
            while i < r.upperBound, bytes[i] == 0x20 { i += 1 }
            if i == r.upperBound || bytes[i] == 0x23 { line -= 1; continue }
            let keyStart = keyStart(i, r.upperBound)
            i = keyStart
            while i + 2 < r.upperBound {
                if bytes[i] == 0xEF, bytes[i + 1] == 0xBC, bytes[i + 2] == 0x9A { return i > keyStart ? i : nil }
                if !Self.isKeyByte(bytes[i]) { return nil }
                i += 1
            }
            return nil
        }
        return nil
    }

    /// A U+3000 IDEOGRAPHIC SPACE or U+00A0 NO-BREAK SPACE among the blanks that start the
    /// problem's line or the nearest line above it that is not blank: the offset and the scalar.
    func lookAlikeIndentation(_ at: Int) -> (Int, Unicode.Scalar)? {
        let bytes = file.bytes
        func leading(_ line: Int) -> (Int, Unicode.Scalar)? {
            let r = file.lineRange(line)
            var i = r.lowerBound
            while i < r.upperBound, bytes[i] == 0x20 { i += 1 }
            guard let found = lookAlikeSeparator(in: i..<min(i + 3, r.upperBound)), found.0 == i else { return nil }
            // Then a key (`owner:`): text indented so inside a block of text is left alone
            // (review of the session: a Chinese paragraph's indent was blamed).
            var j = i
            while j < r.upperBound, bytes[j] == 0x20 || lookAlikeSeparator(in: j..<min(j + 3, r.upperBound))?.0 == j {
                j += bytes[j] == 0x20 ? 1 : SourceFile.scalarLength(leadByte: bytes[j])
            }
            let keyStart = j
            while j < r.upperBound, Self.isKeyByte(bytes[j]) { j += 1 }
            return j > keyStart && j < r.upperBound && bytes[j] == 0x3A ? found : nil
        }
        let line = file.line(of: at)
        if let found = leading(line) { return found }
        var previous = line - 1
        while previous >= 1 {
            let r = file.lineRange(previous)
            if r.contains(where: { bytes[$0] != 0x20 && bytes[$0] != 0x0A && bytes[$0] != 0x0D }) { return leading(previous) }
            previous -= 1
        }
        return nil
    }

    /// A key indented differently from the keys of its mapping: further than the key on the line
    /// before (libyaml: "mapping values are not allowed", or "did not find expected key" after a
    /// value in brackets), or back at the column of a list's
    /// `-` (libyaml: "did not find expected '-' indicator"). The format and its arguments: this
    /// line, the line before, that line's key, and the column the key should start at.
    func indentationHint(_ at: Int, problem: String) -> (String, [String])? {
        let bytes = file.bytes
        let line = file.line(of: at)
        guard line > 1 else { return nil }
        func indent(_ r: Range<Int>) -> Int { r.prefix { bytes[$0] == 0x20 }.count }
        func isBlank(_ r: Range<Int>) -> Bool {
            let rest = r.drop { bytes[$0] == 0x20 }
            return rest.first.map { bytes[$0] == 0x0A || bytes[$0] == 0x0D || bytes[$0] == 0x23 } ?? true
        }
        var previous = line - 1
        while previous > 1, isBlank(file.lineRange(previous)) { previous -= 1 }
        let here = file.lineRange(line), before = file.lineRange(previous)
        // The column where the keys of the line before start: after its indentation and any `- `.
        var keyStart = before.lowerBound + indent(before)
        while keyStart + 1 < before.upperBound, bytes[keyStart] == 0x2D, bytes[keyStart + 1] == 0x20 { keyStart += 2 }
        let keyColumn = keyStart - before.lowerBound
        let keyEnd = (keyStart..<before.upperBound).first { bytes[$0] == 0x3A } ?? keyStart
        guard keyEnd > keyStart else { return nil }
        let key = String(decoding: bytes[keyStart..<keyEnd], as: UTF8.self)
        let column = indent(here)
        // A list item (or `-id:` with its space missing) follows the list's own rules.
        if here.lowerBound + column < here.upperBound, bytes[here.lowerBound + column] == 0x2D { return nil }
        // After a value in `[…]` or `{…}`, a key indented further is "did not find expected key",
        // at the key itself (QA round 22: no help, where one space less got this one).
        let misplaced = problem == "mapping values are not allowed in this context" ? column > keyColumn
            : problem == "did not find expected '-' indicator" ? column < keyColumn
            : problem == "did not find expected key" ? column > keyColumn && at == here.lowerBound + column
            : false
        guard misplaced, column != keyColumn else { return nil }
        return (YAMLMessages.Help.keyIndentation, [String(line), String(previous), key, String(keyColumn + 1)])
    }

    /// The quoting mistake on `line`, if it has one of the two the docs warn about: a double
    /// quote inside a double-quoted value (`"customer_name == "VIP""`), or text with a
    /// `{placeholder}` left without quotes (`message: 合同 {customer_name} 已签署`).
    /// The nearest line above the problem (at most 200 lines up) whose quoted value is not
    /// closed on it: the byte of its opening quote, the line, and whether the quote is single.
    /// A quote opens a value only at its start (after `: `, `- `, `[`, `{`, `,`): the apostrophe
    /// of `it's` in a plain value is none.
    func unclosedQuote(before at: Int) -> (Int, Int, Bool)? {
        let here = file.line(of: at)
        let bytes = file.bytes
        for line in stride(from: here - 1, through: max(1, here - 200), by: -1) {
            let range = file.lineRange(line)
            var open: (at: Int, single: Bool)?
            var previous: UInt8 = 0x20
            var atStart = true
            var i = range.lowerBound
            scan: while i < range.upperBound {
                let b = bytes[i]
                if let o = open {
                    if o.single, b == 0x27 {
                        if i + 1 < range.upperBound, bytes[i + 1] == 0x27 { i += 2; continue }
                        open = nil
                    } else if !o.single, b == 0x5C {
                        i += 2
                        continue
                    } else if !o.single, b == 0x22 {
                        open = nil
                    }
                } else {
                    switch b {
                    case 0x22 where atStart, 0x27 where atStart: open = (i, b == 0x27)
                    case 0x23 where previous == 0x20 || previous == 0x09: break scan
                    case 0x0A, 0x0D: break scan
                    default: break
                    }
                    if b != 0x20 {
                        // A value starts after `: `, `- `, `[`, `{` or `,` (and at the line's start).
                        atStart = b == 0x5B || b == 0x7B || b == 0x2C || ((b == 0x3A || b == 0x2D) && i + 1 < range.upperBound && bytes[i + 1] == 0x20)
                    }
                }
                previous = b
                i += 1
            }
            if let o = open { return (o.at, line, o.single) }
        }
        return nil
    }

    func quotingHint(line: Int) -> String? {
        let range = file.lineRange(line)
        let text = String(decoding: file.bytes[range], as: UTF8.self).trimmingTrailing("\r\n")
        let chars = Array(text)
        // The value after the first `: `, without the flow mapping's closing `}` or `,`.
        guard let sep = (0..<max(0, chars.count - 1)).first(where: { chars[$0] == ":" && chars[$0 + 1] == " " }) else { return nil }
        var value = Array(chars[(sep + 2)...])
        while let last = value.last, last == " " || last == "}" || last == "," { value.removeLast() }
        while value.first == " " { value.removeFirst() }
        if value.first == "\"", let last = value.lastIndex(of: "\""), last > 1, value[1..<last].contains("\"") {
            // The value runs from its opening quote to the last one on the line (in a flow
            // mapping, other keys follow it).
            let inner = value[1..<last]
            guard !inner.contains("'") else { return YAMLMessages.Help.quoteInsideQuotesPlain }
            return Message(YAMLMessages.Help.quoteInsideQuotes, ["\"" + inner.map { $0 == "\"" ? "'" : String($0) }.joined() + "\""]).text
        }
        // A `{name}` (a field id in braces) in text that is not quoted: the key it belongs to and
        // its text up to the next `,` (in a flow mapping) or the end of the line.
        guard let open = chars.indices.first(where: { i in
            guard chars[i] == "{" else { return false }
            let name = chars[(i + 1)...].prefix { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == ".") }
            return !name.isEmpty && i + 1 + name.count < chars.count && chars[i + 1 + name.count] == "}"
        }) else { return nil }
        guard let keySep = (0..<open).last(where: { chars[$0] == ":" && $0 + 1 < chars.count && chars[$0 + 1] == " " }) else { return nil }
        let keyStart = (0..<keySep).last { !(chars[$0].isLetter || chars[$0].isNumber || chars[$0] == "_") }.map { $0 + 1 } ?? 0
        let key = String(chars[keyStart..<keySep])
        var body = Array(chars[(keySep + 2)...])
        if let comma = body.firstIndex(of: ",") { body = Array(body[..<comma]) }
        while let last = body.last, last == " " || last == "}" { body.removeLast() }
        while body.first == " " { body.removeFirst() }
        guard !key.isEmpty, body.first != "\"", body.first != "'", body.contains(" ") else { return nil }
        return Message(YAMLMessages.Help.quotePlaceholderText, [key + ": \"" + String(body) + "\""]).text
    }

    /// The first full-width colon (U+FF1A), no-break space (U+00A0) or ideographic space
    /// (U+3000) in `range`: the characters a Chinese input method types for `:` and ` `, which
    /// YAML does not take as a separator, so the error surfaces later (often on the next node).
    func lookAlikeSeparator(in range: Range<Int>) -> (Int, Unicode.Scalar)? {
        let b = file.bytes
        var i = max(0, range.lowerBound)
        while i < min(range.upperBound, b.count) {
            if b[i] == 0xEF, i + 2 < b.count, b[i + 1] == 0xBC, b[i + 2] == 0x9A { return (i, "\u{FF1A}") }
            if b[i] == 0xC2, i + 1 < b.count, b[i + 1] == 0xA0 { return (i, "\u{00A0}") }
            if b[i] == 0xE3, i + 2 < b.count, b[i + 1] == 0x80, b[i + 2] == 0x80 { return (i, "\u{3000}") }
            i += 1
        }
        return nil
    }

    mutating func handle(_ event: inout yaml_event_t) {
        // Marks are converted only where they are used: a container's start event needs only its
        // start, its end event only its end, and only when it is a flow container.
        func start() -> Int { marks.offset(Int(event.start_mark.index)) }
        func end() -> Int { marks.offset(Int(event.end_mark.index)) }
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            let start = start(), end = end()
            documents += 1
            if documents > 1 {
                fail(YAMLMessages.multipleDocuments.at(span(start, min(max(start + 3, end), file.bytes.count))))
            }
        case YAML_SCALAR_EVENT:
            let start = start(), end = end()
            let s = event.data.scalar
            let tag = s.tag.map { String(cString: $0) }
            if let tag, !checkTag(tag, start: start, end: end, allowed: scalarTags) { return }
            let coreTag: YAMLDocument.CoreTag = switch tag {
            case "tag:yaml.org,2002:str": .str
            case "tag:yaml.org,2002:int": .int
            case "tag:yaml.org,2002:float": .float
            case "tag:yaml.org,2002:bool": .bool
            case "tag:yaml.org,2002:null": .null
            default: .none
            }
            let forced = coreTag == .str
            let length = Int(s.length)
            if length > limits.maxScalarBytes {
                fail(YAMLMessages.scalarTooLong.at(span(start, start), String(length), String(limits.maxScalarBytes)))
                return
            }
            let style: ScalarStyle = switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: .literal
            case YAML_FOLDED_SCALAR_STYLE: .folded
            default: .plain
            }
            // Most plain scalars decode to exactly what is written: their text stays in the file
            // (see `YAMLDocument.bytes(of:)`) rather than being copied.
            let payload: Int32
            let value = UnsafeBufferPointer(start: s.value, count: s.value == nil ? 0 : length)
            if style == .plain, length > 0, Builder.isWritten(value, at: start, in: file.bytes) {
                payload = ~Int32(start)
            } else {
                payload = Int32(text.count)
                text.append(contentsOf: value)
            }
            // The text, for the rare checks below.
            func bytes() -> ArraySlice<UInt8> { payload < 0 ? file.bytes[start..<start + length] : text[Int(payload)..<Int(payload) + length] }
            var scalarEnd = end
            if style == .literal || style == .folded {
                // A block scalar's end mark is at the next token; end the span at its last character.
                scalarEnd = trimTrailingSpace(from: start, to: end)
            }
            if let tag, tag != "tag:yaml.org,2002:str" {
                let value = CoreSchema.resolve(bytes())
                let name = String(tag.dropFirst("tag:yaml.org,2002:".count))
                let ok = switch (name, value) {
                case ("int", .int), ("float", .float), ("float", .int), ("bool", .bool), ("null", .null): true
                default: false
                }
                if !ok {
                    fail(YAMLMessages.tagMismatch.at(span(start, scalarEnd), String(decoding: bytes(), as: UTF8.self), "!!" + name))
                    return
                }
            }
            let id = YAMLNodeID(records.count)
            records.append(.init(kind: .scalar, style: style, flow: false, tag: coreTag, start: Int32(start), end: Int32(scalarEnd),
                                 payload: payload, count: Int32(length)))
            if style == .plain, !forced, length == 2, bytes().elementsEqual("<<".utf8),
               let top = innermost, top.isMapping, (pending.count - top.childStart) % 2 == 0 {
                fail(YAMLMessages.mergeKey.at(span(start, end)).help(YAMLMessages.Help.noMergeKey))
                return
            }
            if let a = s.anchor { anchors[String(cString: a)] = (id, 1, false) }
            addNode(id, size: 1)
        case YAML_ALIAS_EVENT:
            let start = start(), end = end()
            let name = event.data.alias.anchor.map { String(cString: $0) } ?? ""
            guard let target = anchors[name] else {
                // A near anchor defined above (`*esc3` for `&esc2`, QA round 17), else how to define one.
                let d = YAMLMessages.undefinedAlias.at(span(start, end), name)
                if let later = anchorDefined(name, after: end) {
                    // The anchor is below the alias (QA round 35, A7: the help said to define it).
                    fail(d.label(span(later, later + 1 + name.utf8.count), YAMLMessages.Help.anchorBelow)
                        .help(YAMLMessages.Help.aliasBeforeAnchor, name, String(file.line(of: later))))
                } else if let near = Suggestions.closest(to: name, in: anchors.keys.sorted()) {
                    fail(d.help(YAMLMessages.Help.aliasDidYouMean, near))
                } else {
                    fail(d.help(YAMLMessages.Help.defineAnchor, name))
                }
                return
            }
            if target.open {
                fail(YAMLMessages.recursiveAlias.at(span(start, end), name))
                return
            }
            aliasUses[target.id, default: []].append((Int32(start), Int32(end)))
            addNode(target.id, size: target.size, aliasSpan: (start, end))
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            let start = start()
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let tagPtr = isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag
            if let t = tagPtr {
                let tag = String(cString: t)
                if !checkTag(tag, start: start, end: end(), allowed: isMapping ? ["tag:yaml.org,2002:map"] : ["tag:yaml.org,2002:seq"]) { return }
            }
            if depth >= limits.maxDepth {
                fail(YAMLMessages.tooDeep.at(span(start, start + 1), String(limits.maxDepth)))
                return
            }
            let flow = isMapping ? event.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                                 : event.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
            let id = records.count
            // The end is set when the container closes.
            records.append(.init(kind: isMapping ? .mapping : .sequence, style: .plain, flow: flow,
                                 start: Int32(start), end: Int32(start), payload: 0, count: 0))
            let anchorPtr = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
            let anchor = anchorPtr.map { String(cString: $0) }
            if let anchor { anchors[anchor] = (YAMLNodeID(id), 0, true) }
            if !countExpanded(1, at: (start, start + 1)) { return }
            if let anchor { openAnchors.append(anchor) }
            if let outer = innermost { stack.append(outer) }
            innermost = Open(id: id, childStart: pending.count, expandedAtStart: expanded, hasAnchor: anchor != nil, isMapping: isMapping)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let open = innermost else { return }
            let (r, items) = close(open, flowEnd: end())
            let size = expanded - open.expandedAtStart + 1
            if open.hasAnchor, let a = openAnchors.popLast(), let entry = anchors[a], entry.id.index == Int32(open.id) {
                anchors[a] = (entry.id, size, false)
            }
            if items.count == 1 {
                attach(YAMLNodeID(open.id), at: (Int(r.start), Int(r.end)))
            } else {
                for item in items { attach(item, at: (Int(records[Int(item.index)].start), Int(records[Int(item.index)].end))) }
            }
        default:
            break
        }
    }

    let scalarTags: Set<String> = [
        "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
    ]

    mutating func checkTag(_ tag: String, start: Int, end: Int, allowed: Set<String>) -> Bool {
        if allowed.contains(tag) { return true }
        let shown = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
        // The span covers the tag itself. The node's start mark is at its first property, which
        // may be an anchor (`&a !foo x`): anchor names cannot contain `!`, so the tag starts at
        // the first `!` from there.
        var tagStart = start
        let b = file.bytes
        while tagStart < min(end, b.count), b[tagStart] != 0x21 { tagStart += 1 }
        if tagStart >= min(end, b.count) { tagStart = start }
        let tagEnd = tagExtent(from: tagStart, limit: end)
        fail(YAMLMessages.customTag.at(span(tagStart, tagEnd), shown))
        return false
    }

    /// End of a `!tag` token starting at `start` (first whitespace), bounded by `limit` when known.
    func tagExtent(from start: Int, limit: Int) -> Int {
        var i = start
        let b = file.bytes
        while i < b.count, b[i] != 0x20, b[i] != 0x0A, b[i] != 0x0D, b[i] != 0x09 { i += 1 }
        return max(start + 1, min(i, max(limit, start + 1)))
    }

    func trimTrailingSpace(from start: Int, to end: Int) -> Int {
        var e = min(end, file.bytes.count)
        while e > start, [0x20, 0x0A, 0x0D, 0x09].contains(file.bytes[e - 1]) { e -= 1 }
        return e
    }

    /// Counts `n` more nodes of the expanded document; those reached through an alias also count
    /// against the alias budget.
    mutating func countExpanded(_ n: Int, at: (Int, Int), throughAlias: Bool = false) -> Bool {
        let (sum, overflow) = expanded.addingReportingOverflow(n)
        expanded = overflow ? Int.max : sum
        guard throughAlias else { return true }
        let (aliasSum, aliasOverflow) = aliasExpanded.addingReportingOverflow(n)
        aliasExpanded = aliasOverflow ? Int.max : aliasSum
        if aliasExpanded > limits.maxExpandedNodes {
            fail(YAMLMessages.aliasBudget.at(span(at.0, at.1), String(limits.maxExpandedNodes)))
            return false
        }
        return true
    }

    mutating func addNode(_ id: YAMLNodeID, size: Int, aliasSpan: (Int, Int)? = nil) {
        let r = records[Int(id.index)]
        let at = aliasSpan ?? (Int(r.start), Int(r.end))
        if !countExpanded(aliasSpan == nil ? 1 : size, at: at, throughAlias: aliasSpan != nil) { return }
        attach(id, at: at, throughAlias: aliasSpan != nil)
    }

    /// Adds a finished node to the innermost open container (or makes it the root), checking for
    /// duplicate keys when it is a mapping key.
    ///
    /// - Parameter at: where the node is written: its own span, or the alias's span when the node
    ///   is reached through an alias (diagnostics and container ends use it).
    mutating func attach(_ id: YAMLNodeID, at: (start: Int, end: Int), throughAlias: Bool = false) {
        guard var top = innermost else {
            if root == nil { root = id }
            return
        }
        if top.isMapping, (pending.count - top.childStart) % 2 == 0, records[Int(id.index)].kind == .scalar {
            if throughAlias { aliasKeySpans[pending.count] = at }
            if let first = firstEqualKey(id, in: &top) {
                let key = keyText(id)
                let firstAt = keySpan(atPending: first)
                // The item's first key a third time is another item without its `- `: said on its
                // own, with its fix-it (QA round 36, C2: folded into the first one's note).
                if var item = top.repeatedItem, first < item.at, first != top.childStart, diagnostics.indices.contains(item.diagnostic) {
                    // The next item's other keys, repeating the first item's: said once.
                    item.keys.append(key)
                    diagnostics[item.diagnostic].notes = [Message(YAMLMessages.Help.repeatedItemKeys, [item.keys.map { "`\($0)`" }.joined(separator: ", ")])]
                    top.repeatedItem = item
                    if let last = top.cuts.indices.last, top.cuts[last].at == item.at { top.cuts[last].confirmed = true }
                } else {
                    var d = YAMLMessages.duplicateKey.at(span(at.start, at.end), key)
                        .label(span(firstAt.start, firstAt.end), "first defined here")
                    // The item's first key again, in a list item: most likely a new item written
                    // without its `- ` (QA round 35, A4: six errors, none of them saying so).
                    // A lead key (a scenario step's `at` or `by`) again may start a new item too,
                    // when the item has not been cut yet (QA round 39, R2).
                    let isFirstKey = first == top.childStart
                    if isFirstKey || (top.repeatedItem == nil && !itemLeadKeys.isEmpty && itemLeadKeys.contains(key)),
                       !records[top.id].flow, let outer = stack.last, !outer.isMapping, !records[outer.id].flow {
                        d = d.help(isFirstKey ? YAMLMessages.Help.missingDash : YAMLMessages.Help.missingDashAtRepeat,
                                   String(file.line(of: at.start)), key, String(file.line(of: keySpan(atPending: top.childStart).start)))
                        // The dash goes where the item's own is, as far before the key as the item's
                        // `- ` is before its first key (`-   id:` too; QA round 39, R3: two
                        // columns before the key, a YAML error).
                        if let dash = dashSpan(itemFirstKey: keySpan(atPending: top.childStart).start, newItemKey: at.start) { d = d.fix(dash, "- ") }
                        // Read as the fix-it writes it, once a later key confirms a new item: the
                        // key starts the next item, so that the keys after it are not taken for the
                        // item before's (QA round 37, E1: a `lost` node's `kind` made the node before
                        // it a lost end, FC0319). A first key written twice, with no key of the item
                        // repeated after it, stays one item (QA round 39, R1). An anchored item, or
                        // a key through an alias, stays one item.
                        if !top.hasAnchor, !throughAlias { top.cuts.append((pending.count, top.lastEnd, false, diagnostics.count)) }
                        top.repeatedItem = (pending.count, diagnostics.count, [])
                    }
                    diagnostics.append(d)
                }
            }
        }
        top.lastEnd = max(top.lastEnd, at.end)
        innermost = top
        pending.append(id)
    }

    /// Closes `open`, the innermost container: moves its children into `children`, sets its
    /// record's payload, count and end (`flowEnd` for a flow container; a block one ends with its
    /// last child), and makes the container around it the innermost. Returns the record, and the
    /// items a list item becomes when it is cut where a `- ` was left out (``Open/cuts``): the
    /// record itself, shortened, then one new mapping for each confirmed cut, in order.
    mutating func close(_ open: Open, flowEnd: Int) -> (record: YAMLDocument.Record, items: [YAMLNodeID]) {
        innermost = stack.popLast()
        if open.isLarge { largeMappingKeys[depth] = nil }
        let childCount = pending.count - open.childStart
        let payload = children.count
        children.append(contentsOf: pending[open.childStart...])
        pending.removeSubrange(open.childStart...)
        var open = open
        if !itemLeadKeys.isEmpty, !open.cuts.isEmpty { leadCuts(&open, payload: payload, childCount: childCount) }
        if !aliasKeySpans.isEmpty { aliasKeySpans = aliasKeySpans.filter { $0.key < open.childStart } }
        var r = records[open.id]
        r.payload = Int32(payload)
        r.count = Int32(childCount)
        if r.flow {
            r.end = Int32(flowEnd)
        } else if childCount > 0 {
            r.end = max(r.start, Int32(open.lastEnd))
        } else {
            r.end = r.start
        }
        records[open.id] = r
        let cuts = open.cuts.filter(\.confirmed)
        guard !cuts.isEmpty, !r.flow else { return (r, [YAMLNodeID(open.id)]) }
        var items = [YAMLNodeID(open.id)]
        records[open.id].count = Int32(cuts[0].at - open.childStart)
        records[open.id].end = Int32(max(Int(r.start), cuts[0].endBefore))
        for (k, cut) in cuts.enumerated() {
            let upTo = k + 1 < cuts.count ? cuts[k + 1].at : open.childStart + childCount
            let key = records[Int(children[payload + cut.at - open.childStart].index)]
            let end = k + 1 < cuts.count ? cuts[k + 1].endBefore : Int(r.end)
            items.append(YAMLNodeID(records.count))
            records.append(.init(kind: .mapping, style: .plain, flow: false, start: key.start, end: Int32(max(Int(key.start), end)),
                                 payload: Int32(payload + cut.at - open.childStart), count: Int32(upTo - cut.at)))
            _ = countExpanded(1, at: (Int(key.start), Int(key.start) + 1))
        }
        return (r, items)
    }

    /// Where a `- ` goes to start a new list item at the key starting at `newItemKey`: in the
    /// column of the item's own `- `, as far before the key as that dash is before the item's
    /// first key (at `itemFirstKey`; `-   id:` too, QA round 39, R3). Nil when the item has no
    /// `- ` before its first key or the two columns are not spaces.
    func dashSpan(itemFirstKey: Int, newItemKey: Int) -> SourceSpan? {
        YAMLReader.missingDash(in: file, itemFirstKey: itemFirstKey, newItemKey: newItemKey)
    }

    /// Moves each cut of `open`, a list item whose children were just moved to `children` from
    /// `payload` on, back over the lead keys (``itemLeadKeys``) written just before it: a
    /// scenario step `at: +1d` / `by: mia` / `complete: …` without its `- `, after a step that
    /// starts with `complete`, starts at its `at`, not at the repeated `complete` (QA round 39,
    /// R2). A lead key the new item has again stays the item before's, the item before keeps at
    /// least one key, and keys reached through an alias are not moved. The cut's diagnostic gets
    /// the help and the fix-it for the new place.
    mutating func leadCuts(_ open: inout Open, payload: Int, childCount: Int) {
        // A child's position in `pending` plus `base` is its index in `children`.
        let base = payload - open.childStart
        let end = open.childStart + childCount
        for k in open.cuts.indices {
            let cut = open.cuts[k]
            let start = k == 0 ? open.childStart : open.cuts[k - 1].at
            let upTo = k + 1 < open.cuts.count ? open.cuts[k + 1].at : end
            // The new item's keys, as far as the next cut.
            var later: Set<String> = []
            for position in stride(from: cut.at, to: upTo, by: 2) { later.insert(keyText(children[base + position])) }
            var at = cut.at
            while at - 2 > start, aliasKeySpans[at - 2] == nil {
                let key = keyText(children[base + at - 2])
                guard itemLeadKeys.contains(key), !later.contains(key) else { break }
                later.insert(key)
                at -= 2
            }
            guard at != cut.at else { continue }
            let lead = records[Int(children[base + at].index)]
            let first = records[Int(children[base + open.childStart].index)]
            let repeated = records[Int(children[base + cut.at].index)]
            open.cuts[k].at = at
            open.cuts[k].endBefore = trimTrailingSpace(from: Int(first.start), to: Int(lead.start))
            guard diagnostics.indices.contains(cut.diagnostic) else { continue }
            let leadKey = keyText(children[base + at])
            let isFirstKey = keyText(children[base + cut.at]) == keyText(children[base + open.childStart])
            diagnostics[cut.diagnostic].help = Message(isFirstKey ? YAMLMessages.Help.missingDashAtLeadKey : YAMLMessages.Help.missingDashAtLeadKeyBeforeRepeat, [
                String(file.line(of: Int(repeated.start))), keyText(children[base + cut.at]), String(file.line(of: Int(first.start))),
                leadKey, String(file.line(of: Int(lead.start))),
            ])
            diagnostics[cut.diagnostic].fixIts = dashSpan(itemFirstKey: Int(first.start), newItemKey: Int(lead.start)).map { [FixIt(span: $0, replacement: "- ")] } ?? []
        }
    }

    /// The position in `pending` of the first earlier key of the innermost mapping equal to the
    /// scalar `id`, about to be added as its next key; nil when there is none. Keys compare as
    /// `String`s do.
    mutating func firstEqualKey(_ id: YAMLNodeID, in open: inout Open) -> Int? {
        // The mapping's index in `largeMappingKeys`.
        let top = stack.count
        let start = open.childStart
        let position = pending.count
        let new = records[Int(id.index)]
        let facts = Builder.withBytes(of: new, text, file.bytes, Builder.keyFacts)
        if !facts.isASCII { open.hasNonASCIIKey = true }
        if !open.isLarge, (position - start) / 2 >= Builder.linearKeyLimit {
            // Large mapping: index the earlier keys once (first occurrences only, as a duplicate
            // among them is reported already), then hash each new key.
            var keys: [String: Int] = [:]
            for p in stride(from: start, to: position, by: 2) where records[Int(pending[p].index)].kind == .scalar {
                let name = keyText(pending[p])
                if keys[name] == nil { keys[name] = p }
            }
            largeMappingKeys[top] = keys
            open.isLarge = true
        }
        if open.isLarge {
            let name = keyText(id)
            if let first = largeMappingKeys[top]?[name] { return first }
            largeMappingKeys[top]?[name] = position
            return nil
        }
        if open.hasNonASCIIKey {
            let name = keyText(id)
            for p in stride(from: start, to: position, by: 2)
            where records[Int(pending[p].index)].kind == .scalar && keyText(pending[p]) == name {
                return p
            }
            return nil
        }
        // All keys so far are ASCII, where equal strings have equal bytes.
        let bit: UInt64 = 1 << facts.fingerprint
        if open.keyFilter & bit == 0 {
            open.keyFilter |= bit
            return nil
        }
        let length = Int(new.count)
        for p in stride(from: start, to: position, by: 2) {
            let r = records[Int(pending[p].index)]
            guard r.kind == .scalar, Int(r.count) == length else { continue }
            if r.payload == new.payload { return p } // the same node again, through an alias
            let equal = Builder.withBytes(of: r, text, file.bytes) { earlier in
                Builder.withBytes(of: new, text, file.bytes) { earlier.elementsEqual($0) }
            }
            if equal { return p }
        }
        return nil
    }

    /// Calls `body` with a scalar's decoded text (see `YAMLDocument.bytes(of:)`).
    static func withBytes<R>(of r: YAMLDocument.Record, _ text: [UInt8], _ source: [UInt8],
                             _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let lo = Int(r.payload)
        let n = Int(r.count)
        if lo < 0 {
            return source.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[(~lo)..<(~lo + n)])) }
        }
        return text.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[lo..<lo + n])) }
    }

    /// Whether `value` is what the file holds from byte `offset` on.
    static func isWritten(_ value: UnsafeBufferPointer<UInt8>, at offset: Int, in source: [UInt8]) -> Bool {
        let n = value.count
        guard offset >= 0, offset + n <= source.count else { return false }
        return source.withUnsafeBytes { all in
            let a = UnsafeRawBufferPointer(rebasing: all[offset..<offset + n])
            let b = UnsafeRawBufferPointer(value)
            var i = 0
            while i + 8 <= n {
                if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
                i += 8
            }
            while i < n, a[i] == b[i] { i += 1 }
            return i == n
        }
    }

    /// Whether a key's text is ASCII, and a number in 0..<64 that equal texts share (from the
    /// length and the first and last bytes), in one look at its bytes.
    ///
    /// Static, with the bytes passed in: as a method, each call copied the whole builder first.
    static func keyFacts(_ b: UnsafeBufferPointer<UInt8>) -> (isASCII: Bool, fingerprint: UInt64) {
        guard let first = b.first, let last = b.last else { return (true, 0) }
        var any: UInt8 = 0
        for c in b { any |= c }
        let fingerprint = UInt64(truncatingIfNeeded: b.count &* 7 &+ Int(first) &* 3 &+ Int(last)) & 63
        return (any < 0x80, fingerprint)
    }

    func keyText(_ id: YAMLNodeID) -> String {
        Builder.withBytes(of: records[Int(id.index)], text, file.bytes) { String(decoding: $0, as: UTF8.self) }
    }

    /// Where the key at `position` in `pending` is written.
    func keySpan(atPending position: Int) -> (start: Int, end: Int) {
        if let at = aliasKeySpans[position] { return at }
        let r = records[Int(pending[position].index)]
        return (Int(r.start), Int(r.end))
    }
}

extension String {
    /// Without the given characters at the end.
    func trimmingTrailing(_ characters: String) -> String {
        var out = Substring(self)
        while let last = out.last, characters.contains(last) { out = out.dropLast() }
        return String(out)
    }
}
