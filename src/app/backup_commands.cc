#include "app/backup_commands.h"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "adapters/local/data_dir_lock.h"
#include "adapters/local/file_audit_anchor.h"
#include "adapters/local/file_backup_key_store.h"
#include "adapters/local/file_erasure_journal.h"
#include "adapters/local/local_backup_vault.h"
#include "adapters/local/local_blob_store.h"
#include "adapters/sql/sql_key_store.h"
#include "adapters/sql/sql_metadata_store.h"
#include "adapters/sqlite/sqlite_database.h"
#include "adapters/sqlite/sqlite_snapshots.h"
#include "app/lethe_server.h"
#include "app/master_key.h"
#include "app/ops_channel.h"
#include "crypto/keyed_id.h"
#include "crypto/secret_hash.h"
#include "domain/backups.h"
#include "domain/erasure_replay.h"

namespace lethe {

namespace fs = std::filesystem;

namespace {

int Fail(const Status& s, int code = 1) {
  std::cerr << "lethe: " << s.message() << " (" << s.reason() << ")\n";
  return code;
}

// Refusals (2) versus failures (1).
int ExitFor(const Status& s) {
  bool refused = s.reason() == "backup-epoch-destroyed" || s.reason() == "master-key-mismatch" ||
                 s.code() == Status::Code::kNotFound || s.reason() == "data-dir-locked";
  return Fail(s, refused ? 2 : 1);
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

Status CheckMaster(const Key& master, const std::string& keys_db, const Clock& clock,
                   Random& random) {
  LETHE_ASSIGN_OR_RETURN(auto conn, SqliteDatabase::Open(keys_db, SqliteOptions{1}));
  LETHE_ASSIGN_OR_RETURN(auto keys, SqlKeyStore::Open(std::move(conn), clock));
  return KeyRing(master, *keys, random).CheckMasterKey();
}

int CreateDirect(const BackupCommand& cmd, DataDirLock lock) {
  SystemClock clock;
  SystemRandom random;
  if (!Exists(cmd.data_dir + "/lethe.db")) {
    return Fail(Status::NotFound("no database in " + cmd.data_dir), 2);
  }
  std::string key_file =
      cmd.master_key_file.empty() ? cmd.data_dir + "/master.key" : cmd.master_key_file;
  auto master = LoadMasterKey(cmd.master_key_hex, key_file, false, random);
  if (!master.ok()) return Fail(master.status(), 2);
  KeyWiper wipe(*master);
  Status matches = CheckMaster(*master, cmd.data_dir + "/keys.db", clock, random);
  if (!matches.ok()) return ExitFor(matches);
  BackupPaths paths =
      ResolveBackupPaths(cmd.data_dir, cmd.backup_dir, cmd.backup_keys, cmd.erasure_journal);
  auto key_store = FileBackupKeyStore::Open(paths.backup_keys);
  if (!key_store.ok()) return Fail(key_store.status());
  auto vault = LocalBackupVault::Open(paths.backup_dir);
  if (!vault.ok()) return Fail(vault.status());
  auto blobs = LocalBlobStore::OpenAt(cmd.data_dir + "/media");
  if (!blobs.ok()) return Fail(blobs.status());
  BackupEpochs epochs(*master, **key_store, clock, random, cmd.max_age_days);
  SqliteSnapshots snapshots(cmd.data_dir);
  FileAuditAnchor anchor(cmd.data_dir + "/audit.anchor");
  Backups backups(epochs, snapshots, **blobs, **vault, &anchor,
                  BackupSource{fs::absolute(cmd.data_dir).lexically_normal().string(),
                               paths.erasure_journal, paths.backup_keys},
                  clock, random);
  auto t0 = std::chrono::steady_clock::now();
  auto made = backups.Create();
  if (!made.ok()) return Fail(made.status());
  std::cerr << "lethe: backup of " << made->manifest.files.size() << " files (" << made->blobs
            << " blobs), " << made->bytes << " bytes, epoch " << made->manifest.epoch << ", in "
            << SecondsSince(t0) << " s\n";
  std::cout << made->path << "\n";
  return 0;
}

}  // namespace

int CreateBackupCommand(const BackupCommand& cmd) {
  auto lock = DataDirLock::Acquire(cmd.data_dir);
  if (lock.ok()) return CreateDirect(cmd, std::move(*lock));
  if (lock.status().reason() != "data-dir-locked") return Fail(lock.status());
  // A server holds the directory: ask it.
  auto channel = ReadOpsChannel(cmd.data_dir);
  if (!channel.ok()) return Fail(channel.status(), 2);
  auto body = PostOps(*channel, "/v1/ops/backups");
  if (!body.ok()) return Fail(body.status());
  boost::system::error_code ec;
  auto v = boost::json::parse(*body, ec);
  if (ec || !v.is_object() || !v.as_object().contains("path")) {
    return Fail(Status::Internal("unexpected answer: " + *body));
  }
  std::cout << v.at("path").as_string().c_str() << "\n";
  return 0;
}

}  // namespace lethe
