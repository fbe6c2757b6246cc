#include "adapters/sqlite/sqlite_snapshots.h"

#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>

namespace lethe {

namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

Status SqliteError(const std::string& what, sqlite3* db) {
  return Status::Internal(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

Result<std::vector<uint8_t>> SqliteSnapshots::Database(const std::string& name) {
  const std::string path = dir_ + "/" + name;
  sqlite3* raw = nullptr;
  // Read-write so that SQLite may use the WAL index; nothing is written.
  int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
  DbHandle src(raw);
  if (rc != SQLITE_OK) return SqliteError("cannot open " + path, raw);
  sqlite3_busy_timeout(src.get(), 10'000);
  raw = nullptr;
  rc = sqlite3_open_v2(":memory:", &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  DbHandle copy(raw);
  if (rc != SQLITE_OK) return SqliteError("cannot open an in-memory database", raw);

  sqlite3_backup* backup = sqlite3_backup_init(copy.get(), "main", src.get(), "main");
  if (!backup) return SqliteError("cannot start the online backup of " + path, copy.get());
  // One step over every page: the whole copy is one snapshot of the source.
  do {
    rc = sqlite3_backup_step(backup, -1);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  int finished = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE || finished != SQLITE_OK) {
    return SqliteError("online backup of " + path + " failed", copy.get());
  }
  sqlite3_int64 size = 0;
  unsigned char* bytes = sqlite3_serialize(copy.get(), "main", &size, 0);
  if (!bytes) return Status::Internal("cannot serialize the copy of " + path);
  std::vector<uint8_t> out(bytes, bytes + size);
  sqlite3_free(bytes);
  return out;
}

Result<std::vector<uint8_t>> SqliteSnapshots::SmallFile(const std::string& name) {
  const std::string path = dir_ + "/" + name;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return Status::NotFound(path);
    return Status::Internal("cannot read " + path + ": " + std::strerror(errno));
  }
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

}  // namespace lethe
