#include "app/store_databases.h"

#include "adapters/postgres/pg_database.h"
#include "adapters/sql/sql_key_store.h"
#include "adapters/sqlite/sqlite_database.h"

namespace lethe {

Result<std::unique_ptr<SqlDatabase>> OpenMetadataDatabase(const std::string& data_dir,
                                                          const std::string& url) {
  std::unique_ptr<SqlDatabase> db;
  if (url.empty()) {
    LETHE_ASSIGN_OR_RETURN(db, SqliteDatabase::Open(data_dir + "/lethe.db"));
  } else {
    LETHE_ASSIGN_OR_RETURN(db, PgDatabase::Open(url));
  }
  return db;
}

Result<std::unique_ptr<SqlDatabase>> OpenKeyDatabase(const std::string& data_dir,
                                                     const std::string& url) {
  std::unique_ptr<SqlDatabase> db;
  if (url.empty()) {
    LETHE_ASSIGN_OR_RETURN(db, SqliteDatabase::Open(data_dir + "/keys.db", SqliteOptions{1}));
  } else {
    LETHE_ASSIGN_OR_RETURN(db, PgDatabase::Open(url, SqlKeyStore::PostgresOptions()));
  }
  return db;
}

}  // namespace lethe
