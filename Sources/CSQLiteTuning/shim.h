#include <sqlite3.h>

/// Turns off SQLite's memory statistics for the process: without them an allocation takes no
/// global mutex. `sqlite3_config` is variadic, which Swift cannot call, and it only works before
/// SQLite is initialised (the first connection opened); later it returns SQLITE_MISUSE and
/// changes nothing.
static inline int flowc_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
