// OfflineDataDir: a stopped server's data directory, opened by a command
// that changes it (`lethe staff add`, `lethe policy publish`): the
// directory's lock held for the command's life, the metadata store, and the
// audit chain with the directory's anchor, so that what the command does is
// audited exactly as the server would audit it.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "adapters/local/data_dir_lock.h"
#include "adapters/local/file_audit_anchor.h"
#include "adapters/sql/sql_metadata_store.h"
#include "common/status.h"
#include "domain/audit_log.h"
#include "ports/clock.h"
#include "ports/random.h"

namespace lethe {

class OfflineDataDir {
 public:
  // Opens `data_dir`, with the metadata store in PostgreSQL at
  // `metadata_url` (a libpq conninfo) or, when it is empty, in
  // <data_dir>/lethe.db. FailedPrecondition("data-dir-locked") while a
  // server or another command holds the directory; a damaged anchor, or a
  // database that cannot be opened or migrated, as the store and anchor
  // report them.
  static Result<std::unique_ptr<OfflineDataDir>> Open(const std::string& data_dir,
                                                      const std::string& metadata_url = "");

  const std::string& path() const { return path_; }
  MetadataStore& store() { return *store_; }
  AuditLog& audit() { return *audit_; }
  const Clock& clock() const { return clock_; }
  Random& random() { return random_; }

 private:
  OfflineDataDir(std::string path, DataDirLock lock)
      : path_(std::move(path)), lock_(std::move(lock)), anchor_(path_ + "/audit.anchor") {}

  std::string path_;
  DataDirLock lock_;
  SystemClock clock_;
  SystemRandom random_;
  std::unique_ptr<SqlMetadataStore> store_;
  FileAuditAnchor anchor_;
  std::unique_ptr<AuditLog> audit_;
};

}  // namespace lethe
