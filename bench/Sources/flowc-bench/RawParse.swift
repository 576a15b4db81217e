import CYAML

/// libyaml's event loop from Swift and nothing else: the floor for any Swift reader built on it.
/// Mirrors `bench/yaml_events.c` (same encoding setting, same input-string API).
enum RawParse {
    /// Parses `bytes` to the end of the stream, deleting every event.
    /// - Returns: the number of events, or nil (with libyaml's message) on a parse error.
    static func run(_ bytes: [UInt8]) -> (events: Int, error: String?) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) != 0 else { return (0, "libyaml could not be initialised") }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        var events = 0
        var error: String?
        let pad: [UInt8] = [0]
        bytes.withUnsafeBufferPointer { buf in
            pad.withUnsafeBufferPointer { p in
                // libyaml asserts on a NULL input pointer, even for empty input.
                guard let base = buf.count > 0 ? buf.baseAddress : p.baseAddress else { return }
                yaml_parser_set_input_string(&parser, base, buf.count)
                var event = yaml_event_t()
                while true {
                    guard yaml_parser_parse(&parser, &event) != 0 else {
                        error = parser.problem.map { String(cString: $0) } ?? "parse error"
                        return
                    }
                    events += 1
                    let done = event.type == YAML_STREAM_END_EVENT
                    yaml_event_delete(&event)
                    if done { return }
                }
            }
        }
        return (events, error)
    }
}
