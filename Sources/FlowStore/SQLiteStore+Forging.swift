internal import GRDB

extension SQLiteStore {
    /// Writes a store file at an older schema version, then runs `sql` in it: upgrade tests use
    /// it to get a file as an older flowc left it (with data), which ``init(path:durability:)``
    /// must then upgrade.
    static func forgeFile(path: String, schemaVersion: Int, sql: String) throws {
        let pool = try DatabasePool(path: path, configuration: tunedConfiguration())
        let migrations = SQLiteSchema.migrations.prefix(schemaVersion)
        var migrator = DatabaseMigrator()
        for migration in migrations { migrator.registerMigration(migration.identifier, migrate: migration.migrate) }
        try migrator.migrate(pool)
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA application_id = \(SQLiteSchema.applicationID)")
            try db.execute(sql: "PRAGMA user_version = \(migrations.count)")
        }
        try pool.write { db in try db.execute(sql: sql) }
        try pool.close()
    }

    /// Writes an SQLite database without tables at `path` (a table made and dropped): a file
    /// someone else made, which only a command that writes deals may turn into a store.
    static func forgeEmptyDatabase(path: String) throws {
        let queue = try DatabaseQueue(path: path, configuration: tunedConfiguration())
        try queue.write { db in try db.execute(sql: "CREATE TABLE t (x); DROP TABLE t") }
        try queue.close()
    }
}
