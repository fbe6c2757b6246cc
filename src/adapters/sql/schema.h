// Versioned schema migrations for the metadata store. Each entry runs once,
// in order, inside a transaction, and is recorded in `schema_migrations`.
// Append new versions; never edit a released one.
#pragma once

#include <string>
#include <vector>

#include "adapters/sql/sql_database.h"

namespace lethe {

struct Migration {
  int version;
  std::string sql;
};

// The migrations for `dialect`, ascending by version.
const std::vector<Migration>& MetadataMigrations(SqlDialect dialect);

// Applies every migration newer than the recorded version.
// Returns Internal on failure, leaving the database at the last good version.
Status ApplyMigrations(SqlDatabase& db, const std::vector<Migration>& migrations, int64_t now_ms);

}  // namespace lethe
