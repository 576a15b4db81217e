public import FlowDiagnostics

/// Every diagnostic of the YAML reader (FC01xx), with its long explanation.
public enum YAMLMessages {
    public static let syntax = MessageSpec(101, .error, "yaml-syntax", "{0}", explanation: """
        The file is not well-formed YAML. The message is libyaml's own description of the problem \
        (but for a tab in the indentation, said as such), reported where libyaml found it; when \
        libyaml also names what it was parsing (a list in `[…]`, a mapping), that place is shown \
        as a second label. Common causes get a help line: a tab in the indentation (YAML indents \
        with spaces only), a key indented out of line with its mapping, and a \
        full-width colon `：`, a no-break space or an ideographic space typed where YAML needs \
        `: ` — libyaml notices only further on, often at the next node, so the help names the \
        character and its line, and a label points at it.

        Wrong:

            nodes: [initial_talks, proposal

        Right:

            nodes: [initial_talks, proposal]
        """)

    public static let duplicateKey = MessageSpec(102, .error, "duplicate-key", "duplicate key `{0}`", explanation: """
        A mapping has the same key twice. YAML parsers disagree on which value wins, so flowc \
        refuses the file and points at both occurrences.

        Wrong:

            fields:
              quote: {type: money, currency: CNY}
              quote: {type: decimal}

        Right: keep one of them, or rename the second.
        """)

    public static let customTag = MessageSpec(103, .error, "custom-tag", "tag `{0}` is not allowed", explanation: """
        Templates are plain data: custom tags such as `!ruby/object` or `!include` are refused. Only \
        the YAML core tags `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map` and `!!seq` are \
        accepted. Use `include:` at the top of a template to reuse other files.
        """)

    public static let aliasBudget = MessageSpec(104, .error, "alias-budget", "aliases expand to more than {0} nodes", explanation: """
        Aliases (`*name`) repeat the node their anchor (`&name`) marks. A few nested anchors can \
        expand to billions of nodes (the "billion laughs" attack), so flowc counts the expanded size \
        before using the document and refuses it past a budget (100,000 nodes by default). The error \
        points at the alias that crossed the budget.
        """)

    public static let tooDeep = MessageSpec(105, .error, "nesting-too-deep", "nesting deeper than {0} levels", explanation: """
        Mappings and sequences are nested deeper than the limit (64 by default). No template needs \
        that much nesting; the limit keeps the reader fast and its memory bounded.
        """)

    public static let invalidUTF8 = MessageSpec(106, .error, "invalid-utf8", "invalid UTF-8 byte 0x{0}", explanation: """
        Templates must be UTF-8. The byte shown cannot start a UTF-8 character there, or it starts \
        one that the bytes after it do not complete. Re-save the file as UTF-8 (files saved as GBK or GB18030 are a common cause).
        """)

    public static let nulByte = MessageSpec(107, .error, "nul-byte", "NUL byte in the file", explanation: """
        The file contains a NUL (0x00) byte, which is never valid in a YAML text file. The file may \
        be binary or UTF-16 encoded; save it as UTF-8.
        """)

    public static let tooLarge = MessageSpec(108, .error, "file-too-large", "file is {0} bytes, more than the limit of {1}", explanation: """
        The file is larger than the limit. The commands that compile and run templates read files \
        up to 32 MiB; `flowc check --max-file-size BYTES` checks a larger template, up to 1 GiB. The \
        file is refused before it is read, so memory stays bounded.
        """)

    public static let multipleDocuments = MessageSpec(109, .error, "multiple-documents", "a template file holds one YAML document; this is a second one", explanation: """
        A `---` line starts a new YAML document. A template file holds exactly one. Split the \
        documents into separate files, or remove the extra `---`.
        """)

    public static let empty = MessageSpec(110, .error, "empty-document", "the file has no content", explanation: """
        The file is empty, or holds only comments. A template starts with `flowc: 1`.
        """)

    public static let undefinedAlias = MessageSpec(111, .error, "undefined-alias", "alias `*{0}` refers to no anchor defined before it", explanation: """
        An alias names an anchor that has not been defined earlier in the file. Anchors must be \
        defined (`&name`) before the alias (`*name`) that uses them.
        """)

    public static let mergeKey = MessageSpec(112, .error, "merge-key", "merge keys `<<` are not supported", explanation: """
        YAML 1.1 merge keys (`<<: *defaults`) are not part of YAML 1.2 and are rejected \
        deliberately: their override rules are easy to misread. To share parts of templates, use \
        `extends:` or `include:` instead.
        """)

    public static let recursiveAlias = MessageSpec(113, .error, "recursive-alias", "alias `*{0}` refers to a node that contains it", explanation: """
        An alias appears inside the node its own anchor marks, which would make the node infinite.
        """)

    public static let tagMismatch = MessageSpec(114, .error, "tag-mismatch", "`{0}` is not a valid `{1}`", explanation: """
        A scalar carries a core tag (such as `!!int`) but its text is not a value of that type.
        """)

    public static let scalarTooLong = MessageSpec(115, .error, "scalar-too-long", "scalar is {0} bytes, more than the limit of {1}", explanation: """
        A single scalar is longer than the limit (1 MiB by default). Templates hold names, \
        expressions and short texts; a scalar this long is almost certainly a mistake.
        """)

    public static let encodingProblem = MessageSpec(116, .error, "reader-error", "{0}", explanation: """
        libyaml's reader refused a character of the input (for example a control character that YAML \
        does not allow in a text file).
        """)

    /// Help lines and labels for FC0101, naming the likely cause that libyaml's message does not.
    public enum Help {
        /// FC0101 for a key over libyaml's 1024 characters.
        public static let keyTooLong = "a key is at most 1024 characters long (YAML's limit for a key on its line; an id is at most 64): this one is longer, so its `:` is not found"
        /// FC0116 for NEL, LS and PS (`{0}` the character named).
        public static let unicodeLineBreak = "{0} is not allowed: YAML readers differ on it (libyaml takes it for a line break)"
        public static let unicodeLineBreakHelp = "replace it with a space, or break the line with an ordinary line break; editors and documents copied from the web often hide it"

        /// FC0108's help: `{0}` the option that raises the limit, `{1}` the hard limit (QA round
        /// 22: the option was not named).
        public static let raiseSizeLimit = "is this the template you meant? `{0} BYTES` reads a larger one, up to {1}"
        /// FC0108's help where the command has no such option: `{0}` its limit.
        public static let sizeLimitOfThisCommand = "is this the file you meant? this command reads no file over {0} bytes"
        public static let sizeLimitIsHard = "is this the template you meant? flowc reads no file over {0} bytes"
        /// libyaml's contexts ("while parsing a block mapping"), said as what starts at the mark:
        /// under a `- id:` line, the words read like YAML (QA round 22).
        public static let contexts = [
            "while parsing a block mapping": "the mapping these keys belong to starts here",
            "while parsing a block collection": "the list or mapping that starts here",
            "while parsing a flow mapping": "the `{` opened here",
            "while parsing a flow sequence": "the `[` opened here",
            "while parsing a quoted scalar": "the quoted value that starts here",
            "while scanning a quoted scalar": "the quoted value that starts here",
            "while scanning a simple key": "the key that starts here",
            "while scanning a plain scalar": "the value that starts here",
            "while scanning a block scalar": "the `|` or `>` text that starts here",
            "while scanning an alias": "the alias that starts here",
            "while scanning an anchor": "the anchor that starts here",
            "while scanning a tag": "the tag that starts here",
        ]
        public static let notUTF8 = "the file is not UTF-8: save it again as UTF-8 (files saved as GBK or GB18030, as Excel and Notepad do on Chinese Windows, have such bytes)"
        public static let apostropheInSingleQuotes = "the `'` before this ends the value in single quotes: an apostrophe inside one is written `''` (`'it''s'`), or the value put in double quotes"
        public static let quoteOpenedHere = "this quote is not closed on its line"
        public static let unclosedQuote = "close the quote on line {0}: a value in double quotes runs on, over the lines below, to the next `\"`"
        public static let unclosedSingleQuote = "close the quote on line {0}: a value in single quotes runs on to the next `'`; an apostrophe inside one is written `''`, or the value put in double quotes"
        public static let tabInIndentation = "a tab in the indentation"
        public static let tabIndentation = "YAML does not allow tabs for indentation; indent with spaces"
        /// `{0}` the line, `{1}` the character named (`CharacterNames.describe`).
        /// A typographic quote where a YAML quote was meant (`{0}` its line, `{1}` its name).
        public static let curlyQuote = "line {0} has {1}, which YAML does not read as a quote: the value is not quoted, so its `{` or `[` opens a mapping or a list; write `\"` for it and for its closing mark"
        public static let notAQuote = "not a YAML quote"
        public static let braceInFlowValue = "line {0} has a `{` or `[` inside a value within `{…}` or `[…]`, where YAML opens a new mapping or list; put the whole value in quotes (`\"…\"`)"
        public static let notAColon = "line {0} has {1} where YAML needs `:` followed by a space"
        public static let notASpace = "line {0} has {1} where YAML needs an ordinary space"
        public static let notASeparator = "not a YAML separator"
        /// `{0}` the value with its inner double quotes made single.
        public static let quoteInsideQuotes = "a `\"` inside a value in double quotes ends it early; make the quotes inside single: `{0}`"
        /// The same, when the text already holds a `'` (an apostrophe the example would break).
        public static let quoteInsideQuotesPlain = "a `\"` inside a value in double quotes ends it early; write the quotes inside as single quotes"
        /// `{0}` the key and its text, quoted.
        public static let quotePlaceholderText = "text with a placeholder must be in quotes, or YAML reads the braces as a mapping: `{0}`"
        /// `{0}` this line, `{1}` the line before, `{2}` its key, `{3}` that key's column.
        public static let keyIndentation = "line {0} is not indented as `{2}` on line {1}: keys of one mapping start in the same column (column {3})"
        /// `{0}` the line: a `- ` item where a block mapping needs a key.
        public static let listItemInMapping = "line {0} starts a list item (`- `) where the mapping around it needs `key: value`; a list item goes under a key whose value is a list, in the column of that list's other items"
        /// `{0}` the line, `{1}` `}` or `]`: text after a value written in braces or brackets.
        public static let textAfterFlowValue = "line {0} has text after the `{1}` that ends its value; put the whole value in quotes (`\"…\"`), or move the text inside"
        /// FC0111: `{0}` an anchor defined earlier with a near name.
        public static let aliasDidYouMean = "did you mean `*{0}`? (`&{0}` is defined above)"
        /// FC0111: `{0}` the anchor, `{1}` the line below the alias where it is defined.
        public static let aliasBeforeAnchor = "`&{0}` is defined below, on line {1}: an alias repeats a node marked above it; move the node marked `&{0}` above this alias, or the alias below it"
        /// FC0111: the label on an anchor defined after its alias.
        public static let anchorBelow = "the anchor, after the alias"
        /// FC0102 for a list item's first key again: `{0}` its line, `{1}` the key, `{2}` the item's line.
        public static let missingDash = "line {0} repeats `{1}`, the first key of the list item on line {2}: if a new item starts there, write `- ` before `{1}`, in the column of the other items' `- `"
        /// The same for a lead key (`at`, `by`) that is not the item's first key.
        public static let missingDashAtRepeat = "line {0} repeats `{1}`, which the list item on line {2} has: if a new item starts there, write `- ` before `{1}`, in the column of the other items' `- `"
        /// The same, with lead keys before the repeated one: `{3}` the first of them, `{4}` its line.
        public static let missingDashAtLeadKeyBeforeRepeat = "line {0} repeats `{1}`, which the list item on line {2} has: if a new item starts at `{3}` on line {4}, write `- ` before `{3}`, in the column of the other items' `- `"
        /// The same when lead keys (`at`, `by`) come before the repeat: `{3}` the first of them,
        /// `{4}` its line.
        public static let missingDashAtLeadKey = "line {0} repeats `{1}`, the first key of the list item on line {2}: if a new item starts at `{3}` on line {4}, write `- ` before `{3}`, in the column of the other items' `- `"
        /// FC0102's note: `{0}` the keys after it that repeat the item's too.
        public static let repeatedItemKeys = "the keys after it repeat the item's too: {0}"
        /// FC0101 for a key's `:` without a space after it: `{0}` the line, `{1}` the key.
        public static let writeColonSpace = "line {0}: a key ends with `:` and a space; write `{1}: …`"
        public static let colonNeedsSpace = "no space after this `:`"
        /// FC0111 with no near anchor.
        public static let defineAnchor = "mark the node to repeat with `&{0}` before this alias"
        /// FC0112.
        public static let noMergeKey = "write the keys out here, or share parts of templates with `extends:` or `include:`"
        /// `{0}` the line.
        public static let colonInPlainValue = "line {0} has `: ` inside a value written without quotes, where YAML takes it for a second key; put the whole value in quotes (`\"…\"`)"
    }

    public static let all: [MessageSpec] = [
        syntax, duplicateKey, customTag, aliasBudget, tooDeep, invalidUTF8, nulByte, tooLarge,
        multipleDocuments, empty, undefinedAlias, mergeKey, recursiveAlias, tagMismatch, scalarTooLong,
        encodingProblem,
    ]
}
