public import FlowDiagnostics

/// Where each byte of a scalar's decoded text came from in the source file.
///
/// libyaml hands over a scalar's value already decoded: quotes removed, escapes replaced, lines
/// folded, block indentation stripped. A diagnostic about an expression written inside the scalar
/// knows a position in that decoded text; this map turns it back into a byte offset in the file,
/// so that the caret lands under the right character even after `\u4e2d`, a folded line or a
/// CRLF line end.
///
/// The map is built by decoding the scalar's raw source again, per style, while recording the
/// source range of every decoded byte. The result is compared with libyaml's own text; when the
/// two differ (a case this decoder does not model), the map is not exact and every position falls
/// back to the start of the scalar's content. Positions are always clamped to the scalar's span.
public struct ScalarMap: Sendable {
    /// The scalar node's span (including quotes, tags and anchors; a block scalar's span ends at
    /// its last content character).
    public let span: SourceSpan
    /// Byte offset of the first content character (after properties, opening quote or block
    /// header), used as the fallback position.
    public let contentStart: Int
    /// True when re-decoding reproduced libyaml's text byte for byte, so positions are exact.
    public let isExact: Bool
    /// Length of the decoded text, in bytes.
    public let count: Int
    /// For each decoded byte: the source range it was decoded from.
    private let starts: [Int32]
    private let ends: [Int32]

    init(span: SourceSpan, contentStart: Int, count: Int, starts: [Int32], ends: [Int32], exact: Bool = true) {
        self.span = span
        self.contentStart = Self.clamp(contentStart, span)
        self.count = count
        self.isExact = exact && starts.count == count && ends.count == count
        self.starts = isExact ? starts : []
        self.ends = isExact ? ends : []
    }

    private static func clamp(_ o: Int, _ span: SourceSpan) -> Int { min(max(o, span.start), span.end) }

    /// The source byte offset of the decoded byte at `valueOffset` (clamped to `0...count`).
    /// `count` maps to the end of the last decoded byte's source.
    public func sourceOffset(of valueOffset: Int) -> Int {
        guard isExact, count > 0 else { return contentStart }
        let v = min(max(valueOffset, 0), count)
        let o = v < count ? Int(starts[v]) : Int(ends[count - 1])
        return Self.clamp(o, span)
    }

    /// The source span of a range of decoded bytes (clamped to `0...count`).
    ///
    /// An empty range gives an empty span at its position. A decoded byte that came from an escape
    /// or a folded line break covers the whole escape or break. When the map is not exact, the
    /// span covers the scalar's content from its start.
    public func sourceSpan(of valueRange: Range<Int>) -> SourceSpan {
        guard isExact else {
            return SourceSpan(file: span.file, start: contentStart, end: max(contentStart, span.end))
        }
        let lo = min(max(valueRange.lowerBound, 0), count)
        let hi = min(max(valueRange.upperBound, lo), count)
        let start = sourceOffset(of: lo)
        guard hi > lo else { return SourceSpan(file: span.file, start: start, end: start) }
        let end = Self.clamp(Int(ends[hi - 1]), span)
        return SourceSpan(file: span.file, start: start, end: max(start, end))
    }
}

extension YAMLDocument {
    /// Maps a UTF-8 byte offset within a scalar's decoded text (what `text(id)` returns) to the
    /// byte offset in the file.
    ///
    /// - Parameters:
    ///   - valueOffset: a byte offset into `text(id)`; clamped to `0...text.utf8.count`. The end
    ///     offset maps to just after the last character's source.
    ///   - id: a scalar node of this document.
    /// - Returns: a byte offset inside the scalar's span. When the scalar cannot be mapped exactly
    ///   (or `id` is not a scalar), the start of the scalar's content.
    public func sourceOffset(of valueOffset: Int, inScalar id: YAMLNodeID) -> Int {
        scalarMap(id).sourceOffset(of: valueOffset)
    }

    /// Maps a byte range within a scalar's decoded text to a span in the file (see `ScalarMap`).
    ///
    /// - Parameters:
    ///   - valueRange: a byte range of `text(id)`; clamped to the text.
    ///   - id: a scalar node of this document.
    /// - Returns: a span inside the scalar's span.
    public func sourceSpan(of valueRange: Range<Int>, inScalar id: YAMLNodeID) -> SourceSpan {
        scalarMap(id).sourceSpan(of: valueRange)
    }

    /// Builds the map from decoded bytes to source bytes for one scalar. Costs one pass over the
    /// scalar's source; keep the map when mapping many positions of the same scalar.
    public func scalarMap(_ id: YAMLNodeID) -> ScalarMap {
        let index = Int(id.index)
        guard index >= 0, index < records.count else {
            return ScalarMap(span: SourceSpan(file: file, start: 0, end: 0), contentStart: 0, count: 0, starts: [], ends: [], exact: false)
        }
        let r = records[index]
        let n = file.bytes.count
        let spanStart = min(max(Int(r.start), 0), n)
        let span = SourceSpan(file: file, start: spanStart, end: min(max(Int(r.end), spanStart), n))
        guard r.kind == .scalar else {
            return ScalarMap(span: span, contentStart: span.start, count: 0, starts: [], ends: [], exact: false)
        }
        let lo = Int(r.payload)
        let count = Int(r.count)
        let start = lo < 0 ? ~lo : lo
        guard count >= 0, start + count <= (lo < 0 ? file.bytes.count : text.count) else {
            return ScalarMap(span: span, contentStart: span.start, count: 0, starts: [], ends: [], exact: false)
        }
        var decoder = ScalarDecoder(src: file.bytes, expected: bytes(of: r), span: span)
        let (contentStart, ok) = decoder.decode(style: r.style)
        if ok {
            return ScalarMap(span: span, contentStart: contentStart, count: count, starts: decoder.starts, ends: decoder.ends)
        }
        return ScalarMap(span: span, contentStart: contentStart, count: count, starts: [], ends: [], exact: false)
    }
}

/// Re-decodes a scalar's source the way libyaml's scanner does (scanner.c: plain, flow-quoted and
/// block scalars), recording the source range of each output byte, and checks every output byte
/// against libyaml's text as it goes so that a wrong guess stops at once.
struct ScalarDecoder {
    /// One decoded byte waiting in a whitespace or line-break buffer, with its source range.
    struct Piece {
        var byte: UInt8
        var start: Int32
        var end: Int32

        /// Offsets past `Int32` cannot come from the reader (files are capped at 1 GiB); they
        /// are truncated rather than trapped on, and clamped to the span later.
        init(byte: UInt8, start: Int, end: Int) {
            self.byte = byte
            self.start = Int32(truncatingIfNeeded: start)
            self.end = Int32(truncatingIfNeeded: end)
        }
    }

    let src: [UInt8]
    let expected: ArraySlice<UInt8>
    let span: SourceSpan
    var starts: [Int32] = []
    var ends: [Int32] = []
    var failed = false

    init(src: [UInt8], expected: ArraySlice<UInt8>, span: SourceSpan) {
        self.src = src
        self.expected = expected
        self.span = span
        starts.reserveCapacity(expected.count)
        ends.reserveCapacity(expected.count)
    }

    // MARK: Characters

    @inline(__always) func byte(_ i: Int) -> UInt8 { i >= 0 && i < src.count ? src[i] : 0 }
    @inline(__always) func isBlank(_ i: Int) -> Bool { let b = byte(i); return b == 0x20 || b == 0x09 }

    /// Length of the line break at `i` (CRLF, CR, LF, NEL, LS, PS), or 0.
    func breakLength(_ i: Int) -> Int {
        switch byte(i) {
        case 0x0D: return byte(i + 1) == 0x0A ? 2 : 1
        case 0x0A: return 1
        case 0xC2: return byte(i + 1) == 0x85 ? 2 : 0
        case 0xE2: return byte(i + 1) == 0x80 && (byte(i + 2) == 0xA8 || byte(i + 2) == 0xA9) ? 3 : 0
        default: return 0
        }
    }

    func charLength(_ i: Int) -> Int { min(SourceFile.scalarLength(leadByte: byte(i)), max(1, src.count - i)) }

    // MARK: Output

    mutating func emit(_ b: UInt8, _ s: Int, _ e: Int) {
        guard !failed else { return }
        let d = starts.count
        guard d < expected.count, expected[expected.startIndex + d] == b else {
            failed = true
            return
        }
        starts.append(Int32(truncatingIfNeeded: s))
        ends.append(Int32(truncatingIfNeeded: e))
    }

    mutating func emit(_ pieces: [Piece]) {
        for p in pieces { emit(p.byte, Int(p.start), Int(p.end)) }
    }

    /// Copies the character at `i` unchanged; returns the index after it.
    mutating func copyChar(_ i: Int) -> Int {
        let len = charLength(i)
        for k in 0..<len { emit(byte(i + k), i + k, i + k + 1) }
        return i + len
    }

    /// libyaml's READ_LINE: CR, LF, CRLF and NEL become `\n`; LS and PS are kept as they are.
    func readLine(_ i: Int) -> (pieces: [Piece], next: Int) {
        let len = breakLength(i)
        guard len > 0 else { return ([], i) }
        if byte(i) == 0xE2 {
            return ((0..<3).map { Piece(byte: byte(i + $0), start: i + $0, end: i + $0 + 1) }, i + 3)
        }
        return ([Piece(byte: 0x0A, start: i, end: i + len)], i + len)
    }

    var isComplete: Bool { !failed && starts.count == expected.count }

    mutating func reset() {
        starts.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        failed = false
    }

    // MARK: Entry

    /// Decodes the scalar; returns the content start (the fallback position) and whether the
    /// decoded text matched libyaml's byte for byte.
    mutating func decode(style: ScalarStyle) -> (contentStart: Int, exact: Bool) {
        let start = skipProperties(from: span.start)
        switch style {
        case .plain:
            if expected.isEmpty { return (start, true) }
            decodePlain(from: start, to: span.end)
            return (start, isComplete)
        case .singleQuoted, .doubleQuoted:
            let quote: UInt8 = style == .singleQuoted ? 0x27 : 0x22
            guard byte(start) == quote, start < span.end else { return (start, expected.isEmpty) }
            if expected.isEmpty { return (start + 1, true) }
            decodeQuoted(from: start + 1, to: span.end, single: style == .singleQuoted)
            return (start + 1, isComplete)
        case .literal, .folded:
            guard byte(start) == (style == .literal ? 0x7C : 0x3E) else { return (start, expected.isEmpty) }
            return decodeBlock(header: start, literal: style == .literal)
        }
    }

    /// Skips anchors (`&a`), tags (`!t`, `!!t`, `!<…>`), blanks, line breaks and comments before
    /// the scalar itself.
    func skipProperties(from s: Int) -> Int {
        var i = s
        let end = span.end
        var afterBlank = true
        while i < end {
            let b = byte(i)
            if b == 0x20 || b == 0x09 { i += 1; afterBlank = true; continue }
            let br = breakLength(i)
            if br > 0 { i += br; afterBlank = true; continue }
            if b == 0xEF, byte(i + 1) == 0xBB, byte(i + 2) == 0xBF, i == 0 || breakLength(i - 1) > 0 || byte(i - 1) == 0x0A {
                // libyaml skips a byte-order mark at the start of a line, between tokens.
                i += 3
                continue
            }
            if b == 0x23, afterBlank {
                while i < end, breakLength(i) == 0 { i += 1 }
                continue
            }
            if b == 0x26 {
                // libyaml 0.2.5 anchors are `[0-9A-Za-z_-]+`; the scalar may follow at once (`&a:x`).
                i += 1
                while i < end, isAnchorChar(byte(i)) { i += 1 }
                afterBlank = false
                continue
            }
            if b == 0x21 {
                // A tag runs to the next blank (`!<…>` to its `>`).
                if byte(i + 1) == 0x3C {
                    while i < end, byte(i) != 0x3E { i += 1 }
                    i += 1
                } else {
                    while i < end, !isBlank(i), breakLength(i) == 0 { i += 1 }
                }
                afterBlank = false
                continue
            }
            break
        }
        return min(i, end)
    }

    func isAnchorChar(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F || b == 0x2D
    }

    // MARK: Plain

    /// Plain scalars (scanner.c `yaml_parser_scan_plain_scalar`): runs of non-blank characters are
    /// copied; blanks between them are kept; a single line break folds to a space, further breaks
    /// are kept as `\n`; indentation of continuation lines is dropped.
    mutating func decodePlain(from s: Int, to end: Int) {
        var i = s
        var leadingBlanks = false
        var whitespaces: [Piece] = []
        var leadingBreak: [Piece] = []
        var trailingBreaks: [Piece] = []
        while i < end, !failed {
            while i < end, !isBlank(i), breakLength(i) == 0, !failed {
                if leadingBlanks || !whitespaces.isEmpty {
                    if leadingBlanks {
                        joinBreaks(&leadingBreak, &trailingBreaks)
                        leadingBlanks = false
                    } else {
                        emit(whitespaces)
                        whitespaces.removeAll()
                    }
                }
                i = copyChar(i)
            }
            while i < end, isBlank(i) || breakLength(i) > 0 {
                if isBlank(i) {
                    if !leadingBlanks { whitespaces.append(Piece(byte: byte(i), start: i, end: i + 1)) }
                    i += 1
                } else {
                    let (pieces, next) = readLine(i)
                    if !leadingBlanks {
                        whitespaces.removeAll()
                        leadingBreak = pieces
                        leadingBlanks = true
                    } else {
                        trailingBreaks += pieces
                    }
                    i = next
                }
            }
        }
    }

    /// The folding rule shared by plain and quoted scalars: a lone `\n` becomes a space, a `\n`
    /// followed by empty lines becomes those lines' breaks, and LS/PS are kept.
    mutating func joinBreaks(_ leadingBreak: inout [Piece], _ trailingBreaks: inout [Piece]) {
        if let first = leadingBreak.first, first.byte == 0x0A {
            if trailingBreaks.isEmpty {
                emit(0x20, Int(first.start), Int(first.end))
            } else {
                emit(trailingBreaks)
            }
        } else {
            emit(leadingBreak)
            emit(trailingBreaks)
        }
        leadingBreak.removeAll()
        trailingBreaks.removeAll()
    }

    // MARK: Quoted

    /// Single- and double-quoted scalars (scanner.c `yaml_parser_scan_flow_scalar`).
    mutating func decodeQuoted(from s: Int, to end: Int, single: Bool) {
        let quote: UInt8 = single ? 0x27 : 0x22
        var i = s
        var whitespaces: [Piece] = []
        var leadingBreak: [Piece] = []
        var trailingBreaks: [Piece] = []
        while !failed {
            guard i < end else { failed = true; return }
            var leadingBlanks = false
            while i < end, !isBlank(i), breakLength(i) == 0, !failed {
                let b = byte(i)
                if single, b == 0x27, byte(i + 1) == 0x27, i + 1 < end {
                    emit(0x27, i, i + 2)
                    i += 2
                } else if b == quote {
                    break
                } else if !single, b == 0x5C, breakLength(i + 1) > 0 {
                    i += 1 + breakLength(i + 1)
                    leadingBlanks = true
                    break
                } else if !single, b == 0x5C {
                    i = escape(i, end: end)
                } else {
                    i = copyChar(i)
                }
            }
            if failed { return }
            if i < end, byte(i) == quote { return }
            while i < end, isBlank(i) || breakLength(i) > 0 {
                if isBlank(i) {
                    if !leadingBlanks { whitespaces.append(Piece(byte: byte(i), start: i, end: i + 1)) }
                    i += 1
                } else {
                    let (pieces, next) = readLine(i)
                    if !leadingBlanks {
                        whitespaces.removeAll()
                        leadingBreak = pieces
                        leadingBlanks = true
                    } else {
                        trailingBreaks += pieces
                    }
                    i = next
                }
            }
            if leadingBlanks {
                joinBreaks(&leadingBreak, &trailingBreaks)
            } else {
                emit(whitespaces)
                whitespaces.removeAll()
            }
        }
    }

    /// Decodes the escape at `i` (a backslash); every output byte maps to the whole escape.
    mutating func escape(_ i: Int, end: Int) -> Int {
        let simple: [UInt8]
        var codeLength = 0
        switch byte(i + 1) {
        case UInt8(ascii: "0"): simple = [0x00]
        case UInt8(ascii: "a"): simple = [0x07]
        case UInt8(ascii: "b"): simple = [0x08]
        case UInt8(ascii: "t"), 0x09: simple = [0x09]
        case UInt8(ascii: "n"): simple = [0x0A]
        case UInt8(ascii: "v"): simple = [0x0B]
        case UInt8(ascii: "f"): simple = [0x0C]
        case UInt8(ascii: "r"): simple = [0x0D]
        case UInt8(ascii: "e"): simple = [0x1B]
        case 0x20: simple = [0x20]
        case 0x22: simple = [0x22]
        case 0x27: simple = [0x27]
        case 0x5C: simple = [0x5C]
        case 0x2F: simple = [0x2F]
        case UInt8(ascii: "N"): simple = [0xC2, 0x85]
        case UInt8(ascii: "_"): simple = [0xC2, 0xA0]
        case UInt8(ascii: "L"): simple = [0xE2, 0x80, 0xA8]
        case UInt8(ascii: "P"): simple = [0xE2, 0x80, 0xA9]
        case UInt8(ascii: "x"): simple = []; codeLength = 2
        case UInt8(ascii: "u"): simple = []; codeLength = 4
        case UInt8(ascii: "U"): simple = []; codeLength = 8
        default:
            failed = true
            return end
        }
        let next = i + 2 + codeLength
        guard next <= end else {
            failed = true
            return end
        }
        if codeLength == 0 {
            for b in simple { emit(b, i, next) }
            return next
        }
        var value: UInt32 = 0
        for k in 0..<codeLength {
            guard let h = hexValue(byte(i + 2 + k)) else {
                failed = true
                return end
            }
            value = (value << 4) | h
        }
        guard let scalar = Unicode.Scalar(value) else {
            failed = true
            return end
        }
        for b in String(Character(scalar)).utf8 { emit(b, i, next) }
        return next
    }

    func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case 0x30...0x39: UInt32(b - 0x30)
        case 0x41...0x46: UInt32(b - 0x41 + 10)
        case 0x61...0x66: UInt32(b - 0x61 + 10)
        default: nil
        }
    }

    // MARK: Block

    /// Literal and folded block scalars (scanner.c `yaml_parser_scan_block_scalar`).
    ///
    /// The content indentation depends on the enclosing block's indentation, which only the
    /// parser knew; it is guessed (every column up to the header's is tried) and the guess is
    /// confirmed by the decoded text matching libyaml's.
    mutating func decodeBlock(header: Int, literal: Bool) -> (contentStart: Int, exact: Bool) {
        var i = header + 1
        var chomping = 0
        var increment = 0
        let b0 = byte(i)
        if b0 == 0x2B || b0 == 0x2D {
            chomping = b0 == 0x2B ? 1 : -1
            i += 1
            if (0x31...0x39).contains(byte(i)) { increment = Int(byte(i) - 0x30); i += 1 }
        } else if (0x31...0x39).contains(b0) {
            increment = Int(b0 - 0x30)
            i += 1
            if byte(i) == 0x2B || byte(i) == 0x2D { chomping = byte(i) == 0x2B ? 1 : -1; i += 1 }
        }
        while isBlank(i) { i += 1 }
        if byte(i) == 0x23 {
            while i < src.count, breakLength(i) == 0 { i += 1 }
        }
        guard i >= src.count || breakLength(i) > 0 else { return (header, expected.isEmpty) }
        let headerColumn = column(of: header)
        i += breakLength(i)
        let bodyStart = i
        // The fallback position: the first non-blank character of the first content line.
        var probe = bodyStart
        while probe < src.count, byte(probe) == 0x20 || breakLength(probe) > 0 { probe += max(1, breakLength(probe)) }
        let contentStart = probe <= span.end ? probe : header
        if expected.isEmpty { return (contentStart, true) }

        // The content indentation is `parent + increment` with an indentation indicator, else
        // `max(maxIndent, parent + 1, 1)`, where `parent` is the enclosing block's indentation
        // (-1 at the top level, never past the header's column). Try each distinct value.
        var candidates: [Int] = []
        if increment > 0 {
            // Best guess first: the indentation that turns the first content line into the
            // expected text's first line (its leading spaces are the line's extra indentation).
            if let guess = indentGuess(from: bodyStart) { candidates.append(guess) }
            candidates.append(increment)
            let last = min(headerColumn, Self.maxParentGuesses)
            if last >= 0 { for parent in 0...last { candidates.append(parent + increment) } }
        } else {
            let maxIndent = leadingMaxIndent(from: bodyStart)
            candidates.append(max(maxIndent, 1))
            // A parent deeper than the lines leaves the scalar without content lines.
            candidates.append(max(maxIndent, 1) + 1)
        }
        var tried = Set<Int>()
        // Wrong guesses usually fail at their first byte; the budget bounds the pathological ones
        // (many empty lines before the content, tried for each guess).
        var budget = max(1 << 22, 8 * expected.count)
        for indent in candidates where indent >= 1 && tried.insert(indent).inserted {
            reset()
            let reached = decodeBlockBody(from: bodyStart, literal: literal, chomping: chomping, indent: indent, auto: increment == 0)
            if isComplete { return (contentStart, true) }
            budget -= max(1, reached - bodyStart)
            if budget <= 0 { break }
        }
        reset()
        return (contentStart, false)
    }

    /// The content indentation implied by the first line made of more than spaces, and by the
    /// number of spaces libyaml's text starts with after its leading line breaks.
    func indentGuess(from s: Int) -> Int? {
        var i = s
        while true {
            var spaces = 0
            while i < src.count, byte(i) == 0x20 { i += 1; spaces += 1 }
            let br = breakLength(i)
            if i >= src.count { return nil }
            if br == 0 {
                var k = expected.startIndex
                while k < expected.endIndex, expected[k] == 0x0A { k += 1 }
                var extra = 0
                while k < expected.endIndex, expected[k] == 0x20 { k += 1; extra += 1 }
                return spaces - extra
            }
            i += br
        }
    }

    /// Parent indentations tried for a block scalar with an indentation indicator.
    static let maxParentGuesses = 256

    /// The widest run of leading spaces over the empty lines before the first content line and
    /// that line itself: what libyaml measures to detect a block scalar's indentation.
    func leadingMaxIndent(from s: Int) -> Int {
        var i = s
        var maxIndent = 0
        while true {
            var col = 0
            while i < src.count, byte(i) == 0x20 { i += 1; col += 1 }
            maxIndent = max(maxIndent, col)
            let br = breakLength(i)
            if br == 0 || i >= src.count { return maxIndent }
            i += br
        }
    }

    /// The character column of byte offset `o` on its line.
    func column(of o: Int) -> Int {
        var s = o
        while s > 0, src[s - 1] != 0x0A, src[s - 1] != 0x0D { s -= 1 }
        var col = 0
        var k = s
        while k < o {
            k += SourceFile.scalarLength(leadByte: src[k])
            col += 1
        }
        return col
    }

    /// Decodes the body of a block scalar with a known content indentation. With `auto`, libyaml
    /// skipped every leading space of the lines before the first content line (its indentation
    /// was not known yet).
    /// - Returns: how far the decoding read, to charge wrong guesses against a budget.
    @discardableResult
    mutating func decodeBlockBody(from s: Int, literal: Bool, chomping: Int, indent: Int, auto: Bool) -> Int {
        var i = s
        var col = 0
        var leadingBreak: [Piece] = []
        var trailingBreaks: [Piece] = []
        var leadingBlank = false
        let n = src.count
        var known = !auto

        // scanner.c `yaml_parser_scan_block_scalar_breaks`.
        func scanBreaks(_ i: inout Int, _ col: inout Int, _ known: inout Bool, _ breaks: inout [Piece], _ d: inout ScalarDecoder) {
            while true {
                while !known || col < indent, i < n, d.byte(i) == 0x20 {
                    i += 1
                    col += 1
                }
                if !known || col < indent, i < n, d.byte(i) == 0x09 {
                    d.failed = true
                    return
                }
                if i >= n || d.breakLength(i) == 0 { break }
                let (pieces, next) = d.readLine(i)
                breaks += pieces
                i = next
                col = 0
            }
            known = true
        }

        scanBreaks(&i, &col, &known, &trailingBreaks, &self)
        while col == indent, i < n, !failed {
            let trailingBlank = isBlank(i)
            if !literal, let first = leadingBreak.first, first.byte == 0x0A, !leadingBlank, !trailingBlank {
                if trailingBreaks.isEmpty { emit(0x20, Int(first.start), Int(first.end)) }
                leadingBreak.removeAll()
            } else {
                emit(leadingBreak)
                leadingBreak.removeAll()
            }
            emit(trailingBreaks)
            trailingBreaks.removeAll()
            leadingBlank = isBlank(i)
            while i < n, breakLength(i) == 0, !failed { i = copyChar(i) }
            let (pieces, next) = readLine(i)
            leadingBreak = pieces
            i = next
            col = 0
            scanBreaks(&i, &col, &known, &trailingBreaks, &self)
        }
        if failed { return i }
        if chomping != -1 { emit(leadingBreak) }
        if chomping == 1 { emit(trailingBreaks) }
        return i
    }
}
