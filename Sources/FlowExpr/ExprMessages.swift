public import FlowDiagnostics

/// The message catalogue of the expression phase: every diagnostic the lexer, parser, type checker
/// and evaluator can produce, with its stable code (FC0401–FC0439), default severity, rule name,
/// message format and long explanation.
///
/// Rules never build message text themselves: they pick an entry here and pass its arguments.
/// Help lines, labels and notes have their formats in ``ExprMessages/Help``, in this file too, so
/// that the whole phase can be translated from one place.
///
/// Numbering: FC0401–FC0414 lexing, syntax and limits; FC0415–FC0431 types and static checks;
/// FC0432–FC0439 evaluation. FC0414 and FC0436–FC0439 are reserved.
public enum ExprMessages {
    // MARK: Lexing, syntax and limits

    public static let syntax = MessageSpec(401, .error, "expression-syntax", "expected {0}, found {1}", explanation: """
        The expression does not follow the grammar in `grammar/expression.ebnf`. The message names \
        what the parser expected at that point and what it found instead. Only the first syntax \
        error of an expression is reported, because everything after it is guesswork.

        Wrong:

            quote < cost and

        Right:

            quote < cost and strategic
        """)

    public static let unterminatedString = MessageSpec(402, .error, "unterminated-string", "unterminated string literal", explanation: """
        A string literal starts with `"` or `'` and must end with the same quote on the same line. \
        To put the quote character itself inside the string, escape it with a backslash.

        Wrong:

            customer_name == "ACME

        Right:

            customer_name == "ACME" or customer_name == 'O\\'Brien'
        """)

    public static let invalidEscape = MessageSpec(403, .error, "invalid-escape", "invalid escape sequence `{0}` in string literal", explanation: """
        Inside a string literal a backslash starts an escape. The known escapes are `\\\\`, `\\"`, \
        `\\'`, `\\n`, `\\t` and `\\u{XXXX}` (one to six hex digits naming a Unicode scalar).

        Wrong:

            contains(notes, "C:\\data")

        Right:

            contains(notes, "C:\\\\data")
        """)

    public static let invalidNumber = MessageSpec(404, .error, "invalid-number", "invalid number literal `{0}`", explanation: """
        A number is either an integer (`42`) or a decimal with digits on both sides of the point \
        (`0.15`). Integers range up to 9223372036854775807; decimals hold at most 18 significant \
        digits after the point is removed. There is no exponent notation, and a currency code is \
        separated from its amount by a space.

        Wrong:

            amount > 100CNY or discount_rate > .5

        Right:

            amount > 100 CNY or discount_rate > 0.5
        """)

    public static let invalidDuration = MessageSpec(405, .error, "invalid-duration", "invalid duration literal `{0}`", explanation: """
        A duration is an integer followed by a unit: `m` (minutes), `h` (hours), `d` (days) or \
        `w` (weeks). Parts can be combined from the largest unit to the smallest, each unit at most \
        once, with no spaces: `1d12h`. Fractions are not allowed; use a smaller unit instead.

        Wrong:

            now() - last_visit_at > 1.5d

        Right:

            now() - last_visit_at > 1d12h
        """)

    public static let invalidCurrency = MessageSpec(406, .error, "invalid-currency", "invalid currency code `{0}`", explanation: """
        A money literal is a number, a space, and a three-letter uppercase ISO 4217 currency code \
        (`RMB`, a common name of the renminbi, is not its code: `CNY` is).

        Wrong:

            amount >= 1000000 RMB2

        Right:

            amount >= 1000000 CNY
        """)

    public static let unexpectedCharacter = MessageSpec(407, .error, "unexpected-character", "unexpected character `{0}`", explanation: """
        The character cannot start any token of the expression language. Text in other scripts \
        (for example Chinese) is fine inside string literals, but not outside them. A full-width \
        character typed by a Chinese input method (`（`, `＜`, `，`) is named with its code point \
        and the ASCII character to write; an invisible one (U+3000 IDEOGRAPHIC SPACE, a \
        zero-width space) is shown escaped, `\\u{3000}`, and named.

        Wrong:

            quote < cost ＆ strategic

        Right:

            quote < cost and strategic
        """)

    public static let invalidName = MessageSpec(408, .error, "invalid-name", "invalid name `{0}`", explanation: """
        Field names and keywords are lowercase: `[a-z_][a-z0-9_]*`, optionally joined by dots. \
        Uppercase words only appear as currency codes right after a number.

        Wrong:

            Quote < cost AND strategic

        Right:

            quote < cost and strategic
        """)

    public static let chainedComparison = MessageSpec(409, .error, "chained-comparison", "comparison operators cannot be chained", explanation: """
        Comparisons and `in` are non-associative: `a < b < c` would compare a boolean with `c`. \
        Write two comparisons joined by `and`.

        Wrong:

            0 < discount_rate < 0.3

        Right:

            0 < discount_rate and discount_rate < 0.3
        """)

    public static let expressionTooLong = MessageSpec(410, .error, "expression-too-long", "expression is {0} bytes long, the limit is {1}", explanation: """
        An expression may be at most 4096 bytes of UTF-8. Long conditions are hard to review; move \
        parts into computed fields and refer to them by name.

        Wrong:

            a very long condition repeating the same sub-expression many times

        Right:

            fields:
              high_margin: {type: boolean, compute: "quote - cost > 100000 CNY"}
            when: "high_margin and strategic"
        """)

    public static let expressionTooDeep = MessageSpec(411, .error, "expression-too-deep", "expression nests more than {0} levels deep", explanation: """
        Parentheses, list brackets, function calls and prefix operators (`-`, `not`) may nest at \
        most 64 levels deep. The limit keeps the compiler safe from hostile input; real conditions \
        never come close.

        Wrong:

            ((((((((((((...(quote)...))))))))))))

        Right:

            quote
        """)

    public static let tooManyListElements = MessageSpec(412, .error, "too-many-list-elements", "list literal has more than {0} elements", explanation: """
        A list literal (or a function call) may have at most 1000 elements. For long lists of \
        allowed values, declare an enum field or a list field and test membership against it.

        Wrong:

            customer_code in ["c0001", "c0002", ... "c5000"]

        Right:

            customer_code in allowed_codes
        """)

    public static let stringTooLong = MessageSpec(413, .error, "string-too-long", "string literal is longer than {0} bytes", explanation: """
        A string literal may be at most 1024 bytes of UTF-8 between its quotes.

        Wrong:

            notes == "…two thousand characters…"

        Right:

            starts_with(notes, "urgent")
        """)

    // MARK: Types and static checks

    public static let unknownField = MessageSpec(415, .error, "unknown-field", "unknown field `{0}`", explanation: """
        Every name in an expression must be a field declared under `fields:` (or a dotted path the \
        template provides). A close match is suggested when one exists.

        Wrong:

            qoute < cost

        Right:

            quote < cost
        """)

    public static let unknownFunction = MessageSpec(416, .error, "unknown-function", "unknown function `{0}`", explanation: """
        The known functions are `len`, `lower`, `upper`, `trim`, `contains`, `starts_with`, \
        `ends_with`, `has`, `coalesce`, `abs`, `min`, `max`, `round`, `days`, `date`, `datetime`, \
        `today` and `now`.

        Wrong:

            length(customer_name) > 3

        Right:

            len(customer_name) > 3
        """)

    public static let wrongArgumentCount = MessageSpec(417, .error, "wrong-argument-count", "`{0}` expects {1} arguments, found {2}", explanation: """
        Each function takes a fixed number of arguments (`round` takes one or two).

        Wrong:

            max(quote, cost, amount)

        Right:

            max(max(quote, cost), amount)
        """)

    public static let argumentType = MessageSpec(418, .error, "argument-type", "argument {0} of `{1}` has type `{2}`, expected `{3}`", explanation: """
        The argument does not have a type the function accepts. The expected types are listed \
        separated by `|`.

        Wrong:

            upper(headcount)

        Right:

            upper(customer_name)
        """)

    public static let operandTypes = MessageSpec(419, .error, "operand-types", "operator `{0}` cannot be applied to `{1}` and `{2}`", explanation: """
        The operator is not defined for these operand types. Arithmetic works on numbers, money \
        (same currency), durations, dates and datetimes; `+` also joins text; `and` and `or` need \
        booleans; `<` and friends compare values of one kind; `in` needs a list on its right. A \
        day is written `date('2024-12-31')`: `'2024-12-31'` is text, and `2024-12-31` without \
        quotes is a subtraction, an integer.

        Wrong:

            customer_name * 2 or strategic and headcount

        Right:

            len(customer_name) * 2 > 10 or strategic and headcount > 100
        """)

    public static let unaryOperandType = MessageSpec(420, .error, "unary-operand-type", "operator `{0}` cannot be applied to `{1}`", explanation: """
        `-` negates numbers, money and durations; `not` negates booleans.

        Wrong:

            not headcount

        Right:

            not (headcount > 100)
        """)

    public static let currencyMismatch = MessageSpec(421, .error, "currency-mismatch", "cannot combine `{0}` with `{1}`", explanation: """
        Money values can only be added, subtracted, compared or divided when they are in the same \
        currency. There is no implicit exchange rate.

        Wrong:

            quote_usd > cost

        Right:

            quote_usd > 20000 USD
        """)

    public static let moneyWithoutCurrency = MessageSpec(422, .error, "money-without-currency", "`{0}` used with a number that has no currency", explanation: """
        A money value can be compared with, added to or subtracted from only another money value in \
        the same currency. Write the currency after the number. (Multiplying or dividing money by a \
        bare number is fine.)

        Wrong:

            amount >= 1000000

        Right:

            amount >= 1000000 CNY
        """)

    public static let conditionNotBoolean = MessageSpec(423, .error, "condition-not-boolean", "condition must be `boolean`, found `{0}`", explanation: """
        `when:` and `if:` expressions decide something, so they must produce `true` or `false`.

        Wrong:

            when: "headcount"

        Right:

            when: "headcount > 0"
        """)

    public static let resultType = MessageSpec(424, .error, "result-type", "expression has type `{0}`, expected `{1}`", explanation: """
        A `compute:` expression must produce a value of the field's declared type (an `integer` is \
        accepted where a `decimal` is expected).

        Wrong:

            margin: {type: money, currency: CNY, compute: "quote > cost"}

        Right:

            margin: {type: money, currency: CNY, compute: "quote - cost"}
        """)

    public static let unknownEnumValue = MessageSpec(425, .error, "unknown-enum-value", "`{0}` is not a value of `{1}`", explanation: """
        An enum field is compared (`==`, `!=`, `in`) with string literals, and each literal must \
        name one of the values declared for the field.

        Wrong:

            industry == "retial"

        Right:

            industry == "retail"
        """)

    public static let invalidDate = MessageSpec(426, .error, "invalid-date", "invalid date `{0}`", explanation: """
        `date(...)` takes a calendar date written `YYYY-MM-DD`. A literal argument is checked when \
        the template is compiled; a computed one is checked when the expression runs.

        Wrong:

            close_date < date("2024-02-30")

        Right:

            close_date < date("2024-02-29")
        """)

    public static let invalidDatetime = MessageSpec(427, .error, "invalid-datetime", "invalid datetime `{0}`", explanation: """
        `datetime(...)` takes an ISO-8601 date and time with a zone: \
        `YYYY-MM-DDTHH:MM[:SS[.fraction]]` followed by `Z` or `+HH:MM` / `-HH:MM`. The zone is \
        required so that the value does not depend on where the server runs.

        Wrong:

            last_visit_at < datetime("2024-05-01 09:30")

        Right:

            last_visit_at < datetime("2024-05-01T09:30:00+08:00")
        """)

    public static let hasNeedsField = MessageSpec(428, .error, "has-needs-field", "the argument of `has` must be a field path", explanation: """
        `has(x)` asks whether the field `x` is set; it cannot test an arbitrary expression. To test \
        a computed value for null, compare it with `null`.

        Wrong:

            has(quote - cost)

        Right:

            has(quote) and has(cost)
        """)

    public static let mixedListTypes = MessageSpec(429, .error, "mixed-list-types", "list elements have different types: `{0}` and `{1}`", explanation: """
        All elements of a list literal have one type (integers and decimals mix, as decimals).

        Wrong:

            headcount in [10, "20"]

        Right:

            headcount in [10, 20]
        """)

    public static let divisionByZero = MessageSpec(430, .error, "division-by-zero", "division by zero", explanation: """
        `/` and `%` by zero have no value. A literal zero divisor is reported when the template is \
        compiled. A divisor that becomes zero at run time fails that evaluation with this code, \
        and the deal goes on: a condition counts as false, a computed field becomes unset, and \
        `flowc deal why` shows the failure. So `margin_rate < 0.15`, with `margin_rate` computed as \
        `margin / quote`, is false for a quote of zero: guard the divisor, or test for the unset \
        value (`not has(margin_rate) or margin_rate < 0.15`). `flowc check` warns of such a \
        condition (FC0436).

        Wrong:

            (quote - cost) / quote > 0.1

        Right:

            quote > 0 CNY and (quote - cost) / quote > 0.1
        """)

    public static let argumentOutOfRange = MessageSpec(431, .error, "argument-out-of-range", "argument {0} of `{1}` must be between {2} and {3}, found {4}", explanation: """
        The argument has the right type but a value the function cannot use. `round(x, n)` keeps \
        between 0 and 18 decimal places.

        Wrong:

            round(discount_rate, 40)

        Right:

            round(discount_rate, 2)
        """)

    // MARK: Evaluation

    public static let fuelExhausted = MessageSpec(432, .error, "fuel-exhausted", "evaluation ran out of fuel after {0} steps", explanation: """
        Every evaluation has a budget: each node evaluated costs one unit, and each list element \
        visited costs one more. The default budget (10000) is far above what a readable expression \
        needs; running out usually means a very long list field is scanned many times.

        Wrong:

            a in big_list or b in big_list or c in big_list

        Right:

            has_any_match
        """)

    public static let arithmeticOverflow = MessageSpec(433, .error, "arithmetic-overflow", "arithmetic overflow in `{0}`", explanation: """
        The result of the operation does not fit: integers are 64-bit, decimals hold 18 \
        significant digits, durations are bounded by 64-bit seconds, and a date or datetime moved \
        by a duration must stay within the years 1 to 9999. The evaluation stops instead of \
        wrapping around.

        Wrong:

            headcount * 9223372036854775807

        Right:

            headcount * 2
        """)

    public static let fieldValueType = MessageSpec(434, .error, "field-value-type", "field `{0}` holds a `{1}` value, expected `{2}`", explanation: """
        The host gave the evaluator a value that does not match the field's declared type (for \
        example text for an integer field, money in another currency, or an enum value that is not \
        declared). This points at a bug or a stale deal record, not at the template.

        Wrong:

            headcount = "many"

        Right:

            headcount = 120
        """)

    public static let uncheckedExpression = MessageSpec(435, .error, "unchecked-expression", "cannot evaluate an expression that has errors", explanation: """
        Only an expression that parsed and type-checked without errors can be evaluated. Fix the \
        diagnostics reported for it first.

        Wrong:

            evaluate("quote <")

        Right:

            evaluate("quote < cost")
        """)

    /// Every entry, in code order.
    public static let all: [MessageSpec] = [
        syntax, unterminatedString, invalidEscape, invalidNumber, invalidDuration, invalidCurrency,
        unexpectedCharacter, invalidName, chainedComparison, expressionTooLong, expressionTooDeep,
        tooManyListElements, stringTooLong,
        unknownField, unknownFunction, wrongArgumentCount, argumentType, operandTypes,
        unaryOperandType, currencyMismatch, moneyWithoutCurrency, conditionNotBoolean, resultType,
        unknownEnumValue, invalidDate, invalidDatetime, hasNeedsField, mixedListTypes,
        divisionByZero, argumentOutOfRange,
        fuelExhausted, arithmeticOverflow, fieldValueType, uncheckedExpression,
    ]

    /// The formats of help lines, labels and notes attached to the diagnostics above.
    public enum Help {
        /// FC0419 for a datetime compared with a date.
        public static let dateLiteral = "a day is written `date('{0}')`"
        /// An instant compared with a day written as text (`created > "2026-11-01"`).
        public static let datetimeLiteral = "an instant is written with its time and zone: `datetime('{0}T00:00:00+08:00')` (`Z` for UTC)"
        /// An instant compared with one written as text (`pool_since > "2026-11-01T00:00:00+08:00"`).
        public static let datetimeCall = "an instant is written `datetime('{0}')`"
        /// Chinese (or other non-ASCII) words outside quotes: a text meant (`owner == 刘芳`).
        public static let quoteText = "a text is written in quotes: `\"{0}\"`"
        public static let datetimeAgainstDate = "an instant (`datetime`) compares with an instant: write one with its zone, `datetime('2024-06-30T00:00:00+08:00')`, or `now() - 24h`; a date compares with a date"
        /// FC0407 for `“` and its kin: text in an expression is quoted with `'`.
        public static let curlyQuotedWhole = "the expression is written in `{0}…{1}`, which YAML does not read as quotes: write `\"{2}\"`, in YAML's double quotes"
        public static let curlyQuotePlain = "`{0}` is not a string quote: write text in single quotes, `'…'` (double quotes would end the YAML string around the expression)"
        public static let curlyQuote = "`{0}` is not a string quote: write text in single quotes, `{1}` (double quotes would end the YAML string around the expression)"
        /// FC0407 for a look-alike of an ASCII character: `{0}` the character named
        /// (`CharacterNames.describe`), `{1}` the ASCII character.
        public static let lookAlike = "{0} is not `{1}`: write `{1}`"
        /// FC0407 for `≥`, `≤`, `≠`: `{1}` the operator.
        public static let mathComparison = "{0} is not an operator here: write `{1}`"
        /// FC0407 for `＆` and `｜`: `{1}` the keyword.
        public static let lookAlikeOperator = "{0} is not an operator: write `{1}`"
        /// FC0407 for a space other than U+0020: `{0}` its code point and name.
        public static let invisibleSpace = "this is {0}, not an ordinary space: type the space again"
        /// FC0407 for a zero-width or other invisible character: `{0}` its code point and name.
        public static let invisibleCharacter = "this is an invisible {0}, usually pasted in with the text: delete it"
        /// FC0401 after `15%`: `{0}` the number as a fraction, `{1}` the number.
        public static let percentIsRemainder = "`%` is the remainder operator, not a percentage: write the fraction `{0}`, or `{1}` where the other side is already in percent (`margin * 100 / quote < {1}`)"
        /// FC0407 for a full-width `％`.
        public static let fullWidthPercent = "{0} is no operator: a percentage is written as a fraction (`0.15` for 15%)"
        public static let didYouMean = "did you mean `{0}`?"
        /// FC0415 when no declared field is close.
        public static let declareField = "declare `{0}` under `fields:` with its type, or name a field that is declared"
        public static let rateAgainstMoney = "`{1}` looks like a rate, and `{0}` is an amount: divide it by the amount it is a share of (`{0} / …`), or write an amount, `{1} {2}`"
        public static let writeMoney = "write the currency after the number: `{0} {1}`"
        public static let spaceBeforeCurrency = "put a space between the amount and the currency: `{0} {1}`"
        public static let chineseMultiple = "`{0}` is written `{1}` (money with its currency: `{1} CNY`)"
        public static let currencyIsUppercase = "a currency code is three uppercase letters, like `{0}`"
        public static let currencyCommonName = "`{0}` is a common name, not the ISO 4217 code: write `{1}`"
        public static let currencyNotISO = "a currency is an ISO 4217 code, such as `CNY`, `USD` or `EUR`"
        public static let useKeyword = "write `{0}`"
        public static let useDoubleEquals = "write `==` to compare"
        public static let notIn = "write `not ({0} in ...)`"
        public static let splitComparison = "write two comparisons joined by `and`, like `a < b and b < c`"
        public static let nameIsLowercase = "names are lowercase: `{0}`"
        public static let callFunction = "`{0}` is a function: call it as `{0}()`"
        public static let fieldIsNotFunction = "`{0}` is a field, not a function"
        public static let useInForLists = "to test list membership, write `{0} in {1}`"
        public static let useContainsForText = "to search text, write `contains({0}, {1})`"
        public static let enumNeedsLiteral = "compare an enum with a string literal naming one of its values"
        public static let declaredValues = "declared values: {0}"
        public static let operandType = "this is `{0}`"
        public static let nullOrdering = "ordering with `null` is always false; test `== null` or `!= null` instead"
        public static let durationUnits = "units are `w`, `d`, `h`, `m`, from largest to smallest, each at most once"
        public static let durationNoFraction = "durations are whole numbers of a unit; use a smaller unit, like `1d12h`"
        public static let leadingZero = "write `{0}`"
        public static let integerRange = "integers range from -9223372036854775808 to 9223372036854775807"
        public static let decimalPrecision = "decimals hold at most 18 significant digits"
        public static let dateFormat = "write the date as `YYYY-MM-DD`, like `2024-05-01`"
        public static let datetimeFormat = "write the datetime as ISO-8601 with a zone, like `2024-05-01T09:30:00+08:00`"
        public static let nestedTooDeep = "split the expression into computed fields"
        public static let escapes = "known escapes: `\\\\`, `\\\"`, `\\'`, `\\n`, `\\t`, `\\u{XXXX}`"
        public static let closeString = "close the string with `{0}`"
        public static let hasOnFields = "write `{0} != null` to test a computed value"
        public static let unknownFunctionList = "known functions: {0}"
        public static let divideChecked = "guard the division: `{0} != 0 and ...`"
    }

    /// The rules a field value written as text must follow (`FieldText.Problem`,
    /// `CalendarProblem`), shown as notes wherever such a value is refused: a template's
    /// `default`, a `date(...)` or `datetime(...)` literal.
    public enum ValueRules {
        public static let plainNumber = "numbers are written plainly, like `12` or `-12.5`"
        public static let wholeNumber = "an integer is a whole number, with no fraction"
        public static let decimalDigits = "decimals and money amounts are read exactly, never rounded: at most 18 digits after the point (zeros at the end aside) and, the point left out, a number from -9223372036854775808 to 9223372036854775807 (any 18 significant digits fit)"
        public static let currency = "the field's currency is `{0}`"
        public static let boolean = "write `true` or `false`"
        public static let noTextForm = "values of this type cannot be written as one scalar"
        public static let notFinite = "`.inf` and `.nan` are not numbers a field can hold"
        public static let year = "years run from 0001 to 9999"
        public static let month = "months run from 01 to 12"
        public static let day = "that month has {0} days"
        public static let hour = "hours run from 00 to 23"
        public static let minute = "minutes run from 00 to 59"
        public static let second = "seconds run from 00 to 59"
        public static let outOfYears = "an instant is within the years 1 to 9999 in UTC (with its zone, this one is not)"
        public static let zoneMissing = "a datetime needs a zone, `Z` or an offset like `+08:00`, so that it means the same instant on every server"
        public static let zone = "a zone offset is one a zone uses: from `-14:00` to `+14:00`, in whole quarter hours"
        public static let fraction = "flowc keeps instants to the second, and the fraction would be dropped: write `{0}`"
    }
}
