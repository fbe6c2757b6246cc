// The databases behind the metadata and key stores, as every command opens
// them: PostgreSQL at a libpq conninfo (`--metadata`, `--keys`,
// LETHE_METADATA, LETHE_KEYS), or, when none is given, the SQLite files in
// the data directory (lethe.db, keys.db).
#pragma once

#include <memory>
#include <string>

#include "adapters/sql/sql_database.h"
#include "common/status.h"

namespace lethe {

// The metadata database: PostgreSQL at `url`, else <data_dir>/lethe.db
// (created when missing). Returns the database, or the adapter's error
// (Unavailable when PostgreSQL cannot be reached).
Result<std::unique_ptr<SqlDatabase>> OpenMetadataDatabase(const std::string& data_dir,
                                                          const std::string& url);

// The key database: PostgreSQL at `url`, else <data_dir>/keys.db, each
// with the options SqlKeyStore needs (one writer). Returns the database or
// the adapter's error.
Result<std::unique_ptr<SqlDatabase>> OpenKeyDatabase(const std::string& data_dir,
                                                     const std::string& url);

}  // namespace lethe
