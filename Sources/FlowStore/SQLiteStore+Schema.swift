internal import GRDB

/// The SQLite schema of the deal store and its upgrades.
///
/// Versioning: each upgrade is a named migration, applied in order exactly once, in its own
/// transaction; GRDB records the applied names in the table `grdb_migrations`, and after migrating
/// the store writes the number of applied migrations to `PRAGMA user_version` (so `sqlite3 FILE
/// 'pragma user_version'` tells the schema version) and tags the file with
/// ``SQLiteSchema/applicationID`` (`PRAGMA application_id`). A file migrated by a newer flowc (it
/// has a migration this build does not know) is refused with ``StoreError/Code/newerSchema``
/// rather than written with an old idea of the schema.
///
/// Adding a version: append a `static func vN_...(_ db: Database) throws` below with a doc comment
/// saying what it changes and why, register it last in ``migrations``, and add a test that opens a
/// file at version N−1 with data in it. Never edit a migration that has shipped.
///
/// Version 1 (`v1-initial`):
///
/// | table | columns | indexes |
/// | --- | --- | --- |
/// | `deals` | `id` INTEGER PK (internal), `deal_id` UNIQUE, `last_seq`, `template_hash`, `status`, `is_open`, `pool`, `owner`, `customer_key`, `next_timer_at` (ms, NULL = none), `current_nodes`, `snapshot` | `deals_next_timer(next_timer_at, deal_id) WHERE next_timer_at IS NOT NULL`, `deals_pool_owner(pool, owner, deal_id)`, `deals_owner_open(owner) WHERE is_open = 1 AND owner IS NOT NULL`, `deals_customer(customer_key, deal_id) WHERE customer_key IS NOT NULL` |
/// | `events` (WITHOUT ROWID; append-only: triggers refuse UPDATE and DELETE) | `deal` (= `deals.id`), `seq`, `event_id`, `payload`; PK `(deal, seq)` | unique `events_deal_event(deal, event_id)` |
/// | `outbox` | `position` INTEGER PK (enqueue order), `deal` (= `deals.id`), `effect_id`, `event_seq`, `payload`, `delivered_at` (ms, NULL = pending) | unique `outbox_deal_effect(deal, effect_id)`, `outbox_pending(position) WHERE delivered_at IS NULL` |
/// | view `snapshots` | `deal_id`, `seq`, `payload` | |
///
/// Why this shape (each choice measured against the append throughput goal, issue 3 point 9):
///
/// - The snapshot is a column of `deals` (the view `snapshots` shows it as a table): one row write
///   per deal per batch instead of two. It is the last column, so reading a deal's columns does not
///   read the snapshot's overflow pages.
/// - The log and the outbox key deals by the integer `deals.id`, not the text id: smaller keys in
///   the two largest B-trees, and the log is clustered by deal, so replaying a deal reads
///   neighbouring pages.
/// - The secondary indexes of `deals` end with `deal_id`, so the timer sweep and the pool paging
///   are answered from the index alone; an UPDATE of a deal sets only the columns that changed, so
///   an index whose columns did not change is not rewritten.
/// - JSON payloads are TEXT (readable with `sqlite3` and its JSON functions).
/// - No foreign keys: the one append path writes a deal's row, log and outbox in one transaction,
///   and a foreign-key check would cost a B-tree lookup per row on the hot path.
///
/// Version 2 (`v2-view-columns`): the view columns of ``DealProjection``, which `flowc deals`,
/// saved views and `flowc report` read instead of decoding snapshots.
///
/// | table | new columns (before `snapshot`, which stays last) | new indexes |
/// | --- | --- | --- |
/// | `deals` | `template_id`, `fields` (JSON object), `probability`, `created_at`, `closed_at`, `status_changed_at`, `open_nodes` (JSON array), `due_at` (earliest due of the open nodes), `pool_since`, `pool_arrival` (JSON object), `returns_at`, `last_record_at` (times in ms), `amount` (REAL), `close_date` (`YYYY-MM-DD`) | `deals_returns_at(returns_at, deal_id) WHERE returns_at IS NOT NULL`, `deals_last_record(last_record_at, deal_id) WHERE last_record_at IS NOT NULL`, `deals_due(due_at, deal_id) WHERE due_at IS NOT NULL`, `deals_unprojected(deal_id) WHERE fields IS NULL`, `deals_report(template_id, template_hash, status, pool, current_nodes, close_date, probability, amount)`, `deals_pool_since(pool_since, deal_id) WHERE pool_since IS NOT NULL` |
///
/// - The table is rebuilt rather than altered, so that the snapshot stays the last column: a
///   view scanning a million rows reads the small columns without the snapshot's overflow pages.
///   Row ids are kept (the log and the outbox refer to them).
/// - Rows of a version-1 store get null view columns; the host backfills them from the snapshots
///   when it opens the store (`DealService.backfillProjections`), found through
///   `deals_unprojected`.
/// - `returns_at`, `due_at`, `last_record_at` and `pool_since` are indexed because the report
///   reads ranges of them (deals returning to the pool soon, overdue nodes, recent records, the
///   oldest deals of the public pool). `deals_report` covers the report's totals, funnel and
///   forecast (one pass over the index instead of the table, whose rows carry the snapshots'
///   first pages) and the list of templates. A grouped view over a field reads `fields` by a
///   full scan, as a hand-written query would.
/// - The append path writes an indexed view column only when its value changed (it reads the old
///   values with the row, as it does for version 1's columns), so a step that moves no node
///   rewrites no view index.
///
/// Version 3 (`v3-append-ordered-log`): the event log in the order of appending.
///
/// | table | columns | indexes |
/// | --- | --- | --- |
/// | `events` (append-only: triggers refuse UPDATE and DELETE) | `position` INTEGER PK (append order, all deals), `deal` (= `deals.id`), `seq`, `event_id`, `payload` | unique `events_deal_seq(deal, seq)`, unique `events_deal_event(deal, event_id)` |
///
/// - Version 1 clustered the log by deal (a WITHOUT ROWID table keyed by `(deal, seq)`), so that
///   replaying a deal read neighbouring pages. But an event appended to a stored deal then lands
///   in the middle of the tree, in a leaf already full of other deals' events, and splitting it
///   rewrites the leaf, its siblings and their parent: a timer sweep of 1,000 due deals over
///   100,000 stored ones wrote about 2.5 log pages per deal (of 7.8 pages per deal in all, counted
///   from the page numbers of the write-ahead log's frames). Appended in order, the events of a
///   sweep share their pages, and the log with its two small indexes costs about 0.9 pages per
///   deal (5.7 in all).
/// - Replaying a deal now reads its events through `events_deal_seq`, one page per event at
///   worst; replays are rare next to appends.
/// - The events keep their `(deal, seq)` order in the new table; later events are appended after
///   them.
///
/// Version 4 (`v4-customer-keys`): each identity field of a deal is a customer key of its own.
///
/// | table | columns | indexes |
/// | --- | --- | --- |
/// | `customer_keys` (WITHOUT ROWID) | `key` (`FIELD` U+001F `normalised value`), `deal` (= `deals.id`); a row per key of each open deal | primary key `(key, deal)` |
/// | `customer_key_backfill` | `deal` INTEGER PK: the deals whose keys the host must compute again | |
///
/// - Up to version 3 a deal had one key, its identity fields' values joined, so two deals were the
///   same customer only when every field was equal: a deal without a tax id never matched one
///   with it. `deals.customer_key` now holds the deal's keys separated by U+001E, and
///   `customer_keys` finds the open deals holding any of them. The append path keeps the rows in
///   step with the column and `is_open`.
/// - The old keys cannot be split into fields without the templates, which the store does not
///   read: the upgrade clears them and lists their deals in `customer_key_backfill`, and the host
///   computes their keys from their snapshots before it next writes
///   (`DealService.backfillCustomerKeys`). `deals_customer` is dropped.
///
/// Version 5 (`v5-owner-template`): `deals_owner_open(owner, template_id, is_open) WHERE is_open =
/// 1 AND owner IS NOT NULL`, in place of `deals_owner_open(owner)`. The claim quota is per
/// template (every version of it); up to version 4 the store counted an owner's open deals of
/// every template, so an owner busy with another template's deals was refused. `is_open` is in
/// the index only so that the count reads nothing else (SQLite checks a partial index's condition
/// against the columns it holds). Customer keys no longer keep format characters (a zero-width
/// space in a pasted name): the deals whose key holds one are listed in `customer_key_backfill`,
/// so the host computes their keys again before it next writes.
enum SQLiteSchema {
    /// `PRAGMA application_id` of a flowc store ("FLOW" in ASCII).
    static let applicationID: Int32 = 0x464C_4F57

    /// The upgrades, in order. The schema version is the number of them applied.
    static let migrations: [(identifier: String, migrate: @Sendable (Database) throws -> Void)] = [
        ("v1-initial", v1_initial),
        ("v2-view-columns", v2_viewColumns),
        ("v3-append-ordered-log", v3_appendOrderedLog),
        ("v4-customer-keys", v4_customerKeys),
        ("v5-owner-template", v5_ownerTemplate),
    ]

    static var currentVersion: Int { migrations.count }

    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.identifier, migrate: migration.migrate)
        }
        return migrator
    }

    /// Version 1: deals, the append-only event log, snapshots, the outbox and their indexes.
    static func v1_initial(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE deals (
                    id INTEGER PRIMARY KEY,
                    deal_id TEXT NOT NULL UNIQUE,
                    last_seq INTEGER NOT NULL,
                    template_hash TEXT NOT NULL,
                    status TEXT NOT NULL,
                    is_open INTEGER NOT NULL,
                    pool TEXT,
                    owner TEXT,
                    customer_key TEXT,
                    next_timer_at INTEGER,
                    current_nodes TEXT NOT NULL,
                    snapshot TEXT NOT NULL
                );
                CREATE INDEX deals_next_timer ON deals(next_timer_at, deal_id) WHERE next_timer_at IS NOT NULL;
                CREATE INDEX deals_pool_owner ON deals(pool, owner, deal_id);
                CREATE INDEX deals_owner_open ON deals(owner) WHERE is_open = 1 AND owner IS NOT NULL;
                CREATE INDEX deals_customer ON deals(customer_key, deal_id) WHERE customer_key IS NOT NULL;

                CREATE TABLE events (
                    deal INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    event_id TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    PRIMARY KEY (deal, seq)
                ) WITHOUT ROWID;
                CREATE UNIQUE INDEX events_deal_event ON events(deal, event_id);
                CREATE TRIGGER events_no_update BEFORE UPDATE ON events
                    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
                CREATE TRIGGER events_no_delete BEFORE DELETE ON events
                    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;

                CREATE TABLE outbox (
                    position INTEGER PRIMARY KEY,
                    deal INTEGER NOT NULL,
                    effect_id TEXT NOT NULL,
                    event_seq INTEGER NOT NULL,
                    payload TEXT NOT NULL,
                    delivered_at INTEGER
                );
                CREATE UNIQUE INDEX outbox_deal_effect ON outbox(deal, effect_id);
                CREATE INDEX outbox_pending ON outbox(position) WHERE delivered_at IS NULL;

                CREATE VIEW snapshots AS SELECT deal_id, last_seq AS seq, snapshot AS payload FROM deals;
                """)
    }

    /// Version 2: the view columns (see the type's documentation), by rebuilding `deals`.
    static func v2_viewColumns(_ db: Database) throws {
        try db.execute(
            sql: """
                DROP VIEW snapshots;
                CREATE TABLE deals_v2 (
                    id INTEGER PRIMARY KEY,
                    deal_id TEXT NOT NULL UNIQUE,
                    last_seq INTEGER NOT NULL,
                    template_hash TEXT NOT NULL,
                    status TEXT NOT NULL,
                    is_open INTEGER NOT NULL,
                    pool TEXT,
                    owner TEXT,
                    customer_key TEXT,
                    next_timer_at INTEGER,
                    current_nodes TEXT NOT NULL,
                    template_id TEXT,
                    fields TEXT,
                    probability INTEGER,
                    created_at INTEGER,
                    closed_at INTEGER,
                    status_changed_at INTEGER,
                    open_nodes TEXT,
                    due_at INTEGER,
                    pool_since INTEGER,
                    pool_arrival TEXT,
                    returns_at INTEGER,
                    last_record_at INTEGER,
                    amount REAL,
                    close_date TEXT,
                    snapshot TEXT NOT NULL
                );
                INSERT INTO deals_v2 (id, deal_id, last_seq, template_hash, status, is_open, pool, owner, customer_key,
                    next_timer_at, current_nodes, snapshot)
                SELECT id, deal_id, last_seq, template_hash, status, is_open, pool, owner, customer_key, next_timer_at,
                    current_nodes, snapshot
                FROM deals;
                DROP TABLE deals;
                ALTER TABLE deals_v2 RENAME TO deals;
                CREATE INDEX deals_next_timer ON deals(next_timer_at, deal_id) WHERE next_timer_at IS NOT NULL;
                CREATE INDEX deals_pool_owner ON deals(pool, owner, deal_id);
                CREATE INDEX deals_owner_open ON deals(owner) WHERE is_open = 1 AND owner IS NOT NULL;
                CREATE INDEX deals_customer ON deals(customer_key, deal_id) WHERE customer_key IS NOT NULL;
                CREATE INDEX deals_returns_at ON deals(returns_at, deal_id) WHERE returns_at IS NOT NULL;
                CREATE INDEX deals_last_record ON deals(last_record_at, deal_id) WHERE last_record_at IS NOT NULL;
                CREATE INDEX deals_due ON deals(due_at, deal_id) WHERE due_at IS NOT NULL;
                CREATE INDEX deals_unprojected ON deals(deal_id) WHERE fields IS NULL;
                CREATE INDEX deals_report ON deals(template_id, template_hash, status, pool, current_nodes, close_date,
                    probability, amount);
                CREATE INDEX deals_pool_since ON deals(pool_since, deal_id) WHERE pool_since IS NOT NULL;
                CREATE VIEW snapshots AS SELECT deal_id, last_seq AS seq, snapshot AS payload FROM deals;
                """)
    }

    /// Version 3: the log as a rowid table in append order (see the type's documentation).
    static func v3_appendOrderedLog(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE events_v3 (
                    position INTEGER PRIMARY KEY,
                    deal INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    event_id TEXT NOT NULL,
                    payload TEXT NOT NULL
                );
                INSERT INTO events_v3 (deal, seq, event_id, payload)
                SELECT deal, seq, event_id, payload FROM events ORDER BY deal, seq;
                DROP TABLE events;
                ALTER TABLE events_v3 RENAME TO events;
                CREATE UNIQUE INDEX events_deal_seq ON events(deal, seq);
                CREATE UNIQUE INDEX events_deal_event ON events(deal, event_id);
                CREATE TRIGGER events_no_update BEFORE UPDATE ON events
                    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
                CREATE TRIGGER events_no_delete BEFORE DELETE ON events
                    BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
                """)
    }

    /// Version 4: a deal's customer keys, one per identity field (see the type's documentation).
    static func v4_customerKeys(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE customer_keys (
                    key TEXT NOT NULL,
                    deal INTEGER NOT NULL,
                    PRIMARY KEY (key, deal)
                ) WITHOUT ROWID;
                CREATE TABLE customer_key_backfill (deal INTEGER PRIMARY KEY);
                INSERT INTO customer_key_backfill (deal) SELECT id FROM deals WHERE customer_key IS NOT NULL;
                UPDATE deals SET customer_key = NULL WHERE customer_key IS NOT NULL;
                DROP INDEX deals_customer;
                """)
    }

    /// Version 5: `deals_owner_open` gains the template id, `(owner, template_id, is_open)`, so that the
    /// claim quota counts an owner's open deals of one template from the index alone (it counted
    /// every template's).
    /// Whether `customer_key` holds a format character that keys no longer keep (the common
    /// ones: soft hyphen, zero-width and bidi marks, word joiner, BOM).
    static let formatCharacterTest: String = {
        let points = [0xAD] + Array(0x200B...0x200F) + Array(0x202A...0x202E) + Array(0x2060...0x2064) + Array(0x2066...0x2069) + [0xFEFF]
        return points.map { "instr(customer_key, char(\($0))) > 0" }.joined(separator: " OR ")
    }()

    static func v5_ownerTemplate(_ db: Database) throws {
        try db.execute(
            sql: """
                DROP INDEX deals_owner_open;
                CREATE INDEX deals_owner_open ON deals(owner, template_id, is_open) WHERE is_open = 1 AND owner IS NOT NULL;
                INSERT OR IGNORE INTO customer_key_backfill (deal)
                SELECT id FROM deals WHERE customer_key IS NOT NULL AND (\(formatCharacterTest));
                """)
    }

    /// Whether the database is a flowc store at the current schema (nothing to migrate), read
    /// without writing.
    /// - Throws: ``StoreError`` `.notAStore` for a foreign SQLite file, `.newerSchema` for a file
    ///   from a newer flowc.
    static func isCurrent(_ db: Database) throws -> Bool {
        try refuseForeignOrNewer(db)
        guard try db.tableExists("grdb_migrations") else { return false }
        let applied = try migrator().appliedIdentifiers(db)
        let stamps = try Row.fetchOne(db, sql: "SELECT (SELECT application_id FROM pragma_application_id), (SELECT user_version FROM pragma_user_version)")
        return applied.count == currentVersion && stamps?[0] == applicationID && stamps?[1] == currentVersion
    }

    /// Refuses a foreign SQLite file and one from a newer flowc (an unknown migration, or a
    /// `user_version` beyond this build's schema).
    static func refuseForeignOrNewer(_ db: Database) throws {
        let applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        let migrated = try db.tableExists("grdb_migrations")
        if applicationID != 0 && applicationID != Self.applicationID {
            // The file is named by the message's place (the store path); the connection's name is no help.
            throw StoreError(.notAStore, "the file is an SQLite database of another application (application_id \(applicationID))")
        }
        let migrator = migrator()
        // Tables and no migration of flowc's: another program's, GRDB's table empty or absent
        // (QA round 43, F4: an empty `grdb_migrations` beside another program's tables was
        // taken for a new store, and `deal show` wrote flowc's schema into it).
        let applied = migrated ? try migrator.appliedIdentifiers(db) : []
        if !migrated || applicationID != Self.applicationID && applied.isEmpty {
            let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name <> 'grdb_migrations'") ?? 0
            if tables > 0 { throw StoreError(.notAStore, "the database has tables but is not a flowc store") }
        }
        // Another GRDB application's database has migrations, none of them flowc's (QA round
        // 41, A10: it was said to be written by a newer flowc).
        if migrated, applicationID != Self.applicationID {
            if !applied.isEmpty, applied.isDisjoint(with: migrations.map(\.identifier)) {
                let shown = applied.sorted().prefix(3).map { "`\($0)`" }.joined(separator: ", ") + (applied.count > 3 ? ", …" : "")
                throw StoreError(.notAStore, "the database has tables but is not a flowc store (its migrations, \(shown), are another program's)")
            }
        }
        if migrated, try migrator.hasBeenSuperseded(db) {
            let unknown = applied.subtracting(migrations.map(\.identifier))
            throw StoreError(
                .newerSchema,
                "the store was written by a newer flowc (unknown migrations: \(unknown.sorted().joined(separator: ", ")))"
            )
        }
        let stamped = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        if stamped > currentVersion {
            throw StoreError(.newerSchema, "the store was written by a newer flowc (schema version \(stamped); this flowc knows \(currentVersion))")
        }
    }

    /// Brings the database to the current schema, or refuses it.
    /// - Parameter onUpgrade: told (from version, to version) before a store written by an older
    ///   flowc is upgraded; not for a new file.
    /// - Throws: ``StoreError`` `.notAStore` for a foreign SQLite file, `.newerSchema` for a file
    ///   from a newer flowc.
    static func migrate(_ writer: some DatabaseWriter, onUpgrade: ((Int, Int) -> Void)? = nil) throws {
        let migrator = migrator()
        let (applied, current) = try writer.write { db -> (Int, Bool) in
            try refuseForeignOrNewer(db)
            let migrated = try db.tableExists("grdb_migrations")
            return (migrated ? try migrator.appliedIdentifiers(db).count : 0, try isCurrent(db))
        }
        // A current store is left as it is: no migration run, no stamp written again.
        if current { return }
        if applied > 0 && applied < currentVersion { onUpgrade?(applied, currentVersion) }
        try migrator.migrate(writer)
        try writer.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try db.execute(sql: "PRAGMA user_version = \(currentVersion)")
        }
    }
}
