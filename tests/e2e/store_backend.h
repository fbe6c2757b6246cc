// The metadata backend of the e2e servers (issue 13): SQLite files in each
// server's data directory, or, when LETHE_E2E_METADATA=postgres, two fresh
// databases per server on the test PostgreSQL (LETHE_TEST_POSTGRES, started
// by ctest's `postgres` fixture), one for the metadata and one for the keys.
// The data directory keeps everything else (blobs, master key, anchor,
// journal), so a test reads the same either way.
//
// ctest runs the e2e suites once as is and, those about the metadata
// store's behaviour, once more prefixed "pg." with the variable set
// (CMakeLists.txt names them and says why the others are left out).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "testing/test_postgres.h"

namespace lethe::e2e {

// True when this run keeps server metadata in PostgreSQL.
bool OnPostgres();

// The two databases of one server's stores, made for one data directory and
// known by it for as long as this object lives: commands run on that data
// directory (RunCommand with `--data DIR`) and queries on its database
// files (Sql, SqlScript) go to them. Dropped in the destructor.
class StoreDatabases {
 public:
  // Creates both databases for `data_dir`. Returns nullptr, with a test
  // failure saying why, when PostgreSQL is unreachable or unset.
  static std::unique_ptr<StoreDatabases> Create(const std::string& data_dir);
  ~StoreDatabases();
  StoreDatabases(const StoreDatabases&) = delete;
  StoreDatabases& operator=(const StoreDatabases&) = delete;

  const std::string& metadata_url() const { return metadata_->conninfo(); }
  const std::string& keys_url() const { return keys_->conninfo(); }
  // `--metadata URL --keys URL`, for `lethe serve` and the commands.
  std::vector<std::string> Flags() const;

 private:
  StoreDatabases(std::string data_dir, std::unique_ptr<TestPostgres> metadata,
                 std::unique_ptr<TestPostgres> keys);
  std::string data_dir_;
  std::unique_ptr<TestPostgres> metadata_;
  std::unique_ptr<TestPostgres> keys_;
};

// The conninfo that stands for the SQLite file `db_path` (DIR/lethe.db or
// DIR/keys.db) of a data directory whose stores are in PostgreSQL; nullopt
// for any other path.
std::optional<std::string> PostgresFor(const std::string& db_path);
// The conninfos of the databases of every data directory at or under
// `dir` whose stores are in PostgreSQL (none on SQLite).
std::vector<std::string> DatabasesUnder(const std::string& dir);
// LETHE_METADATA=URL and LETHE_KEYS=URL (as every `lethe` command reads
// them) for the data directory `data_dir`, or nothing when its stores are
// the SQLite files.
std::vector<std::string> StoreEnvFor(const std::string& data_dir);

}  // namespace lethe::e2e
