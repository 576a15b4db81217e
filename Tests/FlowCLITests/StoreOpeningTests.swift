import FlowCLI
import Foundation
import Testing
@testable import FlowStore

/// Which commands create a store: `run` and `deal create` do (in a directory that exists); every
/// command that reads or changes deals that exist refuses a store that is not there, and creates
/// nothing.
@Suite struct StoreOpeningTests {
    static let readers: [[String]] = [
        ["migrate", "--to", Examples.template], ["deal", "show", "D-1"], ["deal", "history", "D-1"], ["deal", "why", "D-1"],
        ["deal", "event", "D-1", "--set", "amount=1", "--by", "amy"], ["pool", "list"], ["pool", "claim", "D-1", "--by", "amy"],
        ["pool", "release", "D-1", "--by", "amy"], ["pool", "assign", "D-1", "--to", "amy", "--by", "mia"], ["pool", "sweep"], ["tick"],
        // One code for the views and the picture too (review of the CLI, C14: FC1415, FC1403).
        ["deals"], ["report"], ["graph", Examples.template, "--deal", "D-1"], ["outbox", "list"],
    ]

    @Test(arguments: readers)
    func aCommandOnExistingDealsRefusesAStoreThatIsNotThere(_ args: [String]) throws {
        let dir = try tempDir([:])
        for db in [dir + "/deals.sqlite", dir + "/missing/deeper/deals.sqlite"] {
            let ctx = CLIContext(capture: true)
            let r = (code: Flowc.run(args + ["--db", db], context: ctx), out: ctx.out, err: ctx.err)
            #expect(r.code == 2, "\(args)")
            #expect(r.err == "\(db): error[FC1215]: there is no deal store at `\(db)`\n", "\(args)")
            #expect(r.out.isEmpty)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty, "\(args)")
    }

    /// `--db` naming a directory, or a file that is not SQLite (a template named by mistake):
    /// said in plain words, before anything is made beside it (a `PATH.machines` directory was
    /// left behind, and the reason was "SQLite error 14" or "26").
    @Test func aDirectoryOrAFileThatIsNotSQLiteIsSaidPlainly() throws {
        let dir = try tempDir(["text.sqlite": "hello\n"])
        try FileManager.default.createDirectory(atPath: dir + "/dir.sqlite", withIntermediateDirectories: true)
        func flowc(_ args: [String]) -> (code: Int32, err: String) {
            let ctx = CLIContext(capture: true)
            let code = Flowc.run(args, context: ctx)
            return (code, ctx.err)
        }
        for args in [["run", Examples.template, "--deals", Examples.deals], ["deal", "show", "D-1"], ["deals"]] {
            let onDirectory = flowc(args + ["--db", dir + "/dir.sqlite"])
            #expect(onDirectory.code == 2, "\(args)")
            #expect(onDirectory.err.contains("error[FC1212]: the store failed: `\(dir)/dir.sqlite` is a directory, not a store file"), "\(args): \(onDirectory.err)")
            let onText = flowc(args + ["--db", dir + "/text.sqlite"])
            #expect(onText.code == 2, "\(args)")
            #expect(onText.err.contains("the file is not an SQLite database, so not a flowc store"), "\(args): \(onText.err)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["dir.sqlite", "text.sqlite"])
        #expect(try String(contentsOfFile: dir + "/text.sqlite", encoding: .utf8) == "hello\n")
    }

    /// A path the system cannot follow (a loop of symbolic links, a file used as a directory):
    /// said in the system's words, before anything is made beside it (SQLite's "error 14" was
    /// printed, and `PATH.machines` was left behind).
    /// A store path that names no file (QA round 9): `--db ''` made SQLite open a nameless
    /// database and left `.machines/` in the current directory; `--db newdir/` made a file named
    /// `newdir`; an empty `FLOWC_DB` was taken for a path.
    @Test func aStorePathThatNamesNoFileIsRefused() throws {
        let dir = try tempDir([:])
        let empty = flowc("run", Examples.template, "--deals", Examples.deals, "--db", "", "--rejects", "/dev/null", directory: dir)
        #expect(empty.code == 2)
        #expect(empty.err.hasPrefix("--db: error[FC1212]: the store failed: the store path is empty"), "\(empty.err)")
        #expect(flowc("deals", "--db", "", directory: dir).err.hasPrefix("--db: error[FC1212]"))
        #expect(flowc("graph", Examples.template, "--deal", "D-1", "--db", "", directory: dir).err.hasPrefix("--db: error[FC1212]"))
        let slash = flowc("run", Examples.template, "--deals", Examples.deals, "--db", dir + "/newdir/", "--rejects", "/dev/null")
        #expect(slash.code == 2)
        #expect(slash.err.contains("`\(dir)/newdir/` ends with `/`: it names a directory, not a store file (name the store's file, e.g. `\(dir)/newdir/deals.sqlite`)"), "\(slash.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        // An empty FLOWC_DB is unset: the default store, which is not there.
        let unset = flowc("deal", "show", "D-1", env: ["FLOWC_DB": ""], directory: dir)
        #expect(unset.err.contains("there is no deal store at `.flowc/deals.sqlite`"), "\(unset.err)")
        // With no store named, the message says it is the default, and how to name one (QA round
        // 32, D1: a store made with --db was not found by the commands after it).
        #expect(unset.err.hasSuffix("there is no deal store at `.flowc/deals.sqlite` (the default store: name the one to use with `--db PATH` or `$FLOWC_DB`)\n"), "\(unset.err)")
        for r in [flowc("deals", directory: dir), flowc("report", directory: dir), flowc("graph", Examples.template, "--deal", "D-1", directory: dir),
                  flowc("pool", "list", directory: dir)] {
            #expect(r.code == 2 && r.err.contains("(the default store: name the one to use with `--db PATH` or `$FLOWC_DB`)"), "\(r.err)")
        }
        // Named, it is not the default.
        #expect(!flowc("deals", "--db", dir + "/none.sqlite").err.contains("the default store"))
        // ... so `run` creates the default store, `.flowc/` included, as with no FLOWC_DB at all
        // (it said FC1216, `.flowc` does not exist). SQLite resolves the relative path against
        // the process's directory: the run is a child process started in `dir`.
        let child = try Self.runChild("emptyFlowcDBChild", variable: Self.childVariable, in: dir)
        #expect(child.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: dir + "/.flowc/deals.sqlite"))
    }

    static let childVariable = "FLOWC_TEST_EMPTY_FLOWC_DB_CHILD"

    /// Runs the test `name` of this suite in a child process of this test binary, started in
    /// `directory` with `variable` set (the child test does its work only then), and waits for it.
    static func runChild(_ name: String, variable: String, in directory: String) throws -> Process {
        let child = try testChild("StoreOpeningTests/\(name)", variable, "1")
        child.currentDirectoryURL = URL(fileURLWithPath: directory)
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        child.waitUntilExit()
        return child
    }

    /// The child of ``aStorePathThatNamesNoFileIsRefused()``: `flowc run` with an empty
    /// `FLOWC_DB` and no `--db`, in the directory it was started in; exits with the run's status.
    @Test func emptyFlowcDBChild() {
        guard ProcessInfo.processInfo.environment[Self.childVariable] != nil else { return }
        let r = flowc("run", Examples.template, "--deals", Examples.deals, "--rejects", "/dev/null", env: ["FLOWC_DB": ""])
        exit(r.code)
    }

    /// Files named by one character, relative to the current directory (`flowc check t`, `--db
    /// s`): Foundation's `deletingLastPathComponent` stopped the process with an illegal
    /// instruction on such a name (QA round 20: exit 132 before anything was written). The
    /// commands run in a child process started in a directory of such files.
    @Test func oneCharacterFileNamesWork() throws {
        let dir = try tempDir([:])
        try FileManager.default.copyItem(atPath: Examples.template, toPath: dir + "/t")
        try FileManager.default.copyItem(atPath: repoRoot + "/templates/fragments", toPath: dir + "/fragments")
        try FileManager.default.copyItem(atPath: Examples.deals, toPath: dir + "/d")
        try FileManager.default.copyItem(atPath: Examples.template, toPath: dir + "/standard-sale.flow.yaml")
        try "flowc: 1\nview: {id: open, name: Open}\ntemplate: standard-sale.flow.yaml\nwhere: status == \"open\"\n".write(toFile: dir + "/v", atomically: true, encoding: .utf8)
        let child = try Self.runChild("oneCharacterFileNamesChild", variable: Self.oneCharacterVariable, in: dir)
        #expect(child.terminationReason == .exit && child.terminationStatus == 0, "\(child.terminationReason) \(child.terminationStatus)")
        for name in ["c", "s", "h"] { #expect(FileManager.default.fileExists(atPath: dir + "/" + name), "\(name)") }
    }

    static let oneCharacterVariable = "FLOWC_TEST_ONE_CHARACTER_CHILD"

    /// The child of ``oneCharacterFileNamesWork()``: exits 0 when every command did.
    @Test func oneCharacterFileNamesChild() {
        guard ProcessInfo.processInfo.environment[Self.oneCharacterVariable] != nil else { return }
        let runs = [
            flowc("check", "t"),
            flowc("compile", "t", "-o", "c"),
            flowc("run", "t", "--deals", "d", "--db", "s", "--rejects", "r"),
            flowc("report", "--db", "s", "--html", "h"),
            flowc("deals", "--db", "s", "--view", "v"),
            flowc("deal", "show", "D-1001", "--db", "s"),
        ]
        exit(runs.allSatisfy { $0.code == 0 } ? 0 : 1)
    }

    /// A deal id from a file is printed safely: its control characters escaped, so a deals file
    /// cannot send escape sequences to the terminal (QA round 9: the `deal `…`` prefix was raw).
    @Test func aHostileDealIDIsEscapedInMessages() throws {
        let dir = try tempDir(["f.jsonl": #"{"id":"E\u001b]0;pwned\u0007\u001b[31mRED","owner":"a","fields":{"customer_name":"x"}}"# + "\n"])
        let r = flowc("run", Examples.template, "--deals", dir + "/f.jsonl", "--db", dir + "/s.sqlite", "--rejects", "/dev/null")
        #expect(r.code == 1)
        #expect(!r.err.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(r.err)")
        #expect(r.err.contains("deal `E\\u{1B}]0;pwned\\u{7}\\u{1B}[31mRED`, create:"), "\(r.err)")
    }

    /// A store file of another application is named as such, with its application id, not by
    /// the store's connection (QA round 9: "flowc-store.reader.1 is an SQLite database of …").
    @Test func aDatabaseOfAnotherApplicationIsSaidPlainly() throws {
        let db = try Examples.loaded()
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('pragma application_id = 42'); c.commit(); c.close()", db]
        try python.run()
        python.waitUntilExit()
        #expect(python.terminationStatus == 0)
        let r = flowc("deal", "show", "D-1001", "--db", db)
        #expect(r.code == 2)
        #expect(r.err == "\(db): error[FC1212]: the store failed: the file is an SQLite database of another application (application_id 42)\n", "\(r.err)")
    }

    /// Makes `path` an SQLite database of another program, written by Python's own sqlite3
    /// module (not through flowc's store), with these SQL statements.
    static func otherProgramsDatabase(_ path: String, _ statements: [String]) throws {
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); [c.execute(s) for s in sys.argv[2:]]; c.commit(); c.close()", path] + statements
        try python.run()
        python.waitUntilExit()
        #expect(python.terminationStatus == 0)
    }

    /// Another program's database named as the store of a command that writes is refused before
    /// anything is written to it or made beside it: opening it switched it to WAL for good and
    /// left `DB.machines/writer.lock` (QA round 35, B2).
    @Test func aCommandThatWritesLeavesAnotherProgramsDatabaseAsItWas() throws {
        let dir = try tempDir([:])
        let db = dir + "/crm.sqlite"
        try Self.otherProgramsDatabase(db, ["create table customers(id integer primary key, name text)", "insert into customers(name) values('acme')"])
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        for args in [["run", Examples.template, "--deals", Examples.deals, "--rejects", dir + "/r.jsonl"],
                     ["deal", "create", Examples.template, "--id", "X-1", "--owner", "amy", "--set", "customer_name=Acme"],
                     ["tick"], ["outbox", "ack", "1"]] {
            let r = flowc(args + ["--db", db])
            #expect(r.code == 2, "\(args): \(r.err)")
            #expect(r.err.contains("the database has tables but is not a flowc store"), "\(args): \(r.err)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before, "\(args)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["crm.sqlite"], "\(args)")
        }
    }

    /// Another GRDB application's database (a `grdb_migrations` table of its own) is not a flowc
    /// store, not one "written by a newer flowc" (QA round 41, A10: the engineer was sent to
    /// upgrade flowc).
    @Test func anotherGRDBApplicationsDatabaseIsNotAStore() throws {
        let dir = try tempDir([:])
        let db = dir + "/app.sqlite"
        try Self.otherProgramsDatabase(db, ["create table grdb_migrations(identifier text not null primary key)",
                                            "insert into grdb_migrations values('v1-createUsers')", "create table users(id integer primary key)"])
        let r = flowc("deals", "--db", db)
        #expect(r.code == 2)
        #expect(r.err.contains("the database has tables but is not a flowc store (its migrations, `v1-createUsers`, are another program's)"), "\(r.err)")
        #expect(!r.err.contains("newer flowc"), "\(r.err)")
    }

    /// The same with an empty `grdb_migrations` beside its own tables: not a store, and no
    /// command, reading or writing, puts flowc's tables into it (QA round 43, F4: `deal show`
    /// wrote the schema).
    @Test func anotherGRDBApplicationsDatabaseWithNoMigrationYetIsLeftAsItWas() throws {
        let dir = try tempDir([:])
        let db = dir + "/app.sqlite"
        try Self.otherProgramsDatabase(db, ["create table grdb_migrations(identifier text not null primary key)",
                                            "create table users(id integer primary key)", "insert into users values(1)"])
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        for args in [["deal", "show", "D-1"], ["deals"], ["report"], ["deal", "create", Examples.template, "--id", "X-1", "--owner", "amy", "--set", "customer_name=Acme"]] {
            let r = flowc(args + ["--db", db])
            #expect(r.code == 2, "\(args): \(r.err)")
            #expect(r.err.contains("the database has tables but is not a flowc store"), "\(args): \(r.err)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before, "\(args)")
        }
        // The empty `grdb_migrations` alone is a database without tables to a reading command,
        // which leaves it as it was (QA round 44, R12: it was made a store).
        let bare = dir + "/bare.sqlite"
        try Self.otherProgramsDatabase(bare, ["create table grdb_migrations(identifier text not null primary key)"])
        let bareBefore = try Data(contentsOf: URL(fileURLWithPath: bare))
        for args in [["deal", "show", "D-1"], ["deals"], ["report"]] {
            let r = flowc(args + ["--db", bare])
            #expect(r.code == 2, "\(args): \(r.err)")
            #expect(r.err.contains("the file is an SQLite database without tables, not a flowc store"), "\(args): \(r.err)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: bare)) == bareBefore, "\(args)")
            #expect(!FileManager.default.fileExists(atPath: bare + "-wal"), "\(args)")
        }
    }

    @Test func aPathThatCannotBeFollowedIsSaidPlainly() throws {
        let dir = try tempDir(["file": "x\n"])
        try FileManager.default.createSymbolicLink(atPath: dir + "/loop1.sqlite", withDestinationPath: dir + "/loop2.sqlite")
        try FileManager.default.createSymbolicLink(atPath: dir + "/loop2.sqlite", withDestinationPath: dir + "/loop1.sqlite")
        let cases = [(dir + "/loop1.sqlite", "Too many levels of symbolic links"), (dir + "/file/deals.sqlite", "Not a directory")]
        for (path, reason) in cases {
            let commands = [
                ["run", Examples.template, "--deals", Examples.deals], ["deal", "show", "D-1"], ["deals"], ["report"],
                ["graph", Examples.template, "--deal", "D-1"],
            ]
            for args in commands {
                let ctx = CLIContext(capture: true)
                #expect(Flowc.run(args + ["--db", path], context: ctx) == 2, "\(args)")
                #expect(ctx.err == "\(path): error[FC1212]: the store failed: cannot reach `\(path)`: \(reason)\n", "\(args): \(ctx.err)")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["file", "loop1.sqlite", "loop2.sqlite"])
    }

    /// A pipe as the store hung the command; a store file with two names (a hard link) let two
    /// writers in and got corrupted, SQLite keeping a write-ahead log beside each name.
    @Test func aPipeOrAHardLinkedStoreIsRefused() throws {
        let db = try Examples.db()
        let dir = (db as NSString).deletingLastPathComponent
        #expect(mkfifo(dir + "/pipe.sqlite", 0o644) == 0)
        let pipe = flowc("deals", "--db", dir + "/pipe.sqlite")
        #expect(pipe.code == 2)
        #expect(pipe.err.contains("is not a regular file (a pipe, a device or a socket), so not a store file"), "\(pipe.err)")
        #expect(flowc("run", Examples.template, "--deals", Examples.deals, "--db", db).code == 0)
        try FileManager.default.linkItem(atPath: db, toPath: dir + "/second.sqlite")
        // As a backup snapshot has it: the store's machines beside the second name too.
        try FileManager.default.copyItem(atPath: db + ".machines", toPath: dir + "/second.sqlite.machines")
        for path in [db, dir + "/second.sqlite"] {
            let r = flowc("deal", "event", "D-1001", "--set", "follow_up_notes=x", "--db", path)
            #expect(r.code == 2)
            #expect(r.err.contains("has 2 names (hard links)"), "\(r.err)")
            // Reading is harmless (a backup snapshot is often a hard link).
            #expect(flowc("deal", "show", "D-1001", "--db", path).code == 0)
        }
    }

    /// An SQLite database without tables is made a store only by a command that writes: a read
    /// command wrote flowc's schema into it.
    @Test func aReadCommandDoesNotMakeAStoreOfAnEmptyDatabase() throws {
        let dir = try tempDir([:])
        let db = dir + "/empty.sqlite"
        try SQLiteStore.forgeEmptyDatabase(path: db)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        #expect(!before.isEmpty)
        let show = flowc("deal", "show", "D-1", "--db", db)
        #expect(show.code == 2)
        #expect(show.err.contains("the file is an SQLite database without tables, not a flowc store"), "\(show.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        // Nor does a command on deals that exist (QA round 36, D3: `tick` made one, and said it
        // ticked nothing).
        for args in [["tick"], ["pool", "sweep"], ["outbox", "ack", "1"], ["deal", "event", "D-1", "--set", "x=1"],
                     ["migrate", "--to", Examples.template, "--apply"]] {
            let r = flowc(args + ["--db", db])
            #expect(r.code == 2, "\(args): \(r.err)")
            #expect(r.err.contains("the file is an SQLite database without tables, not a flowc store (`flowc run` or `flowc deal create` makes it one)"), "\(args): \(r.err)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before, "\(args)")
            #expect(!FileManager.default.fileExists(atPath: db + ".machines"), "\(args)")
        }
        // A command that creates deals makes it one.
        #expect(flowc("run", Examples.template, "--deals", Examples.deals, "--db", db).code == 0)
        #expect(flowc("deal", "show", "D-1001", "--db", db).code == 0)
    }

    /// An empty file is no store: SQLite would take it for an empty database, so a read would
    /// report no deals (and make the file a store).
    @Test(arguments: readers)
    func aCommandOnExistingDealsRefusesAnEmptyFile(_ args: [String]) throws {
        let dir = try tempDir(["deals.sqlite": ""])
        let db = dir + "/deals.sqlite"
        let ctx = CLIContext(capture: true)
        let code = Flowc.run(args + ["--db", db], context: ctx)
        #expect(code == 2, "\(args)")
        // Said to be an empty file, with what to do (QA round 41, A10: "no deal store" for a file
        // that is there).
        #expect(ctx.err == "\(db): error[FC1215]: there is no deal store at `\(db)`: the file is empty (0 bytes), as a copy or a restore that did not finish leaves it; restore the store from a backup (its file, its `-wal` and its `.machines` directory), or remove the file to start a new store\n", "\(args)")
        #expect((try FileManager.default.attributesOfItem(atPath: db)[.size] as? Int) == 0)
    }

    /// Commands that only read write nothing to the store: its bytes stay as they were (they
    /// changed the schema stamps at every open, and failed on a read-only file).
    @Test func readingCommandsLeaveTheStoreFileAsItWas() throws {
        let db = try Examples.loaded()
        #expect(flowc("tick", "--db", db).code == 0)  // leaves the store checkpointed
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        for args in [["deal", "show", "D-1001"], ["deal", "history", "D-1001"], ["deal", "why", "D-1001"], ["pool", "list"], ["deals"], ["report"]] {
            let ctx = CLIContext(capture: true)
            #expect(Flowc.run(args + ["--db", db], context: ctx) == 0, "\(args): \(ctx.err)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
    }

    @Test func runAndDealCreateCreateAStoreButNotItsDirectory() throws {
        let dir = try tempDir([:])
        let missing = dir + "/missing/deals.sqlite"
        let run = flowc("run", Examples.template, "--deals", Examples.deals, "--db", missing)
        #expect(run.code == 2)
        #expect(run.err == "\(missing): error[FC1216]: the directory `\(dir)/missing` does not exist (the store `\(missing)` would be created in it)\n")
        let create = flowc("deal", "create", Examples.template, "--id", "N-1", "--owner", "amy", "--set", "customer_name=甲", "--db", missing)
        #expect(create.code == 2)
        #expect(create.err == run.err)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
        // In a directory that exists, the store is created.
        let made = flowc("deal", "create", Examples.template, "--id", "N-1", "--owner", "amy", "--set", "customer_name=甲", "--db", dir + "/deals.sqlite")
        #expect(made.code == 0, "\(made.err)")
        #expect(flowc("deal", "show", "N-1", "--db", dir + "/deals.sqlite").code == 0)
    }
}
