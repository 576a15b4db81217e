import FlowDiagnostics
import Testing

/// The directory of a path, as `NSString.deletingLastPathComponent` gives it for the names it
/// does not crash on, and for the one-character names it crashes on (QA round 20).
@Suite struct PathTextTests {
    @Test(arguments: [
        ("x", ""), ("中", ""), ("a/", ""), ("x//", ""), ("", ""), (".", ""), ("ab", ""),
        ("a/b", "a"), ("a/b/", "a"), ("/a", "/"), ("/", "/"), ("//", "/"), ("./x", "."), ("/x/y", "/x"),
        ("a//b", "a"), ("d/s.sqlite", "d"), ("/tmp/dir/deals.sqlite", "/tmp/dir"),
    ])
    func theDirectoryOfAPath(_ path: String, _ directory: String) {
        #expect(PathText.directory(of: path) == directory)
    }
}
