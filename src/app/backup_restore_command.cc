// `lethe backup restore`: see backup_commands.h.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>

#include "adapters/local/file_audit_anchor.h"
#include "adapters/local/file_backup_key_store.h"
#include "adapters/local/file_erasure_journal.h"
#include "adapters/local/local_backup_vault.h"
#include "adapters/local/local_blob_store.h"
#include "adapters/sql/sql_key_store.h"
#include "adapters/sql/sql_metadata_store.h"
#include "adapters/sqlite/sqlite_database.h"
#include "app/backup_commands.h"
#include "app/master_key.h"
#include "crypto/keyed_id.h"
#include "crypto/secret_hash.h"
#include "domain/audit_log.h"
#include "domain/backups.h"
#include "domain/erasure_replay.h"
#include "domain/media_library.h"

namespace lethe {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kNoMediaLimit = UINT64_MAX;

int Refuse(const std::string& why) {
  std::cerr << "lethe: " << why << "\n";
  return 2;
}

int Fail(const Status& s) {
  bool refused = s.reason() == "backup-epoch-destroyed" || s.reason() == "master-key-mismatch" ||
                 s.code() == Status::Code::kNotFound;
  std::cerr << "lethe: " << s.message() << " (" << s.reason() << ")\n";
  return refused ? 2 : 1;
}

Status CopyFile(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return Status::Internal("cannot copy " + from + ": " + ec.message());
  fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write, ec);
  return Status::Ok();
}

// Opens the restored stores in `dir` and erases what `journal` names.
Result<ReplayCounts> ReplayInto(const std::string& dir, const Key& master,
                                const std::vector<JournalEntry>& journal) {
  SystemClock clock;
  SystemRandom random;
  LETHE_ASSIGN_OR_RETURN(auto key_conn, SqliteDatabase::Open(dir + "/keys.db", SqliteOptions{1}));
  LETHE_ASSIGN_OR_RETURN(auto keys, SqlKeyStore::Open(std::move(key_conn), clock));
  KeyRing ring(master, *keys, random);
  LETHE_RETURN_IF_ERROR(ring.CheckMasterKey());
  LETHE_ASSIGN_OR_RETURN(auto meta_conn, SqliteDatabase::Open(dir + "/lethe.db"));
  LETHE_ASSIGN_OR_RETURN(auto meta, SqlMetadataStore::Open(std::move(meta_conn), clock));
  LETHE_ASSIGN_OR_RETURN(auto blobs, LocalBlobStore::OpenAt(dir + "/media"));
  FileAuditAnchor anchor(dir + "/audit.anchor");
  AuditLog audit(*meta, clock, random, &anchor);
  KeyedIds ids(master);
  MediaLibrary media(*meta, *blobs, ring, audit, ids, clock, random, kNoMediaLimit);
  return ErasureReplay(*meta, media, ring, audit, ids, random).Replay(journal);
}

}  // namespace

int RestoreBackupCommand(const BackupCommand& cmd) {
  auto t0 = std::chrono::steady_clock::now();
  std::error_code ec;
  fs::path target = fs::absolute(cmd.data_dir).lexically_normal();
  if (target.has_filename() == false) target = target.parent_path();
  if (fs::exists(target, ec) && !fs::is_empty(target, ec)) {
    return Refuse("refusing to restore into " + target.string() +
                  ": it is not empty (restore into a new or empty directory)");
  }
  auto backup = OpenLocalBackup(cmd.backup);
  if (!backup.ok()) return Fail(backup.status());
  const BackupManifest& m = (*backup)->manifest();

  // The master key: LETHE_MASTER_KEY, --master-key-file, or the source's.
  bool own_key_file = cmd.master_key_hex.empty() && cmd.master_key_file.empty();
  std::string key_file =
      cmd.master_key_file.empty() ? m.source_data_dir + "/master.key" : cmd.master_key_file;
  SystemRandom random;
  SystemClock clock;
  auto master = LoadMasterKey(cmd.master_key_hex, key_file, false, random);
  if (!master.ok()) {
    return Refuse("cannot load the master key (" + master.status().message() +
                  "); pass --master-key-file");
  }
  KeyWiper wipe(*master);
  std::string keys_dir = cmd.backup_keys.empty() ? m.backup_keys : cmd.backup_keys;
  if (!fs::is_directory(keys_dir, ec)) {
    return Refuse("no backup keys directory at " + keys_dir + "; pass --backup-keys");
  }
  std::string journal_path = cmd.erasure_journal.empty() ? m.erasure_journal : cmd.erasure_journal;
  if (!fs::exists(journal_path, ec)) {
    bool fresh = cmd.erasure_journal.empty() && fs::is_directory(m.source_data_dir, ec);
    if (!fresh) {
      return Refuse("no erasure journal at " + journal_path +
                    "; pass --erasure-journal FILE (restoring without it would bring erased "
                    "data back)");
    }
    std::cerr << "lethe: no erasure journal yet at " << journal_path << ": nothing to replay\n";
  }
  FileErasureJournal journal(journal_path);
  auto entries = journal.ReadAll();
  if (!entries.ok()) return Fail(entries.status());

  auto key_store = FileBackupKeyStore::Open(keys_dir);
  if (!key_store.ok()) return Fail(key_store.status());
  BackupEpochs epochs(*master, **key_store, clock, random, cmd.max_age_days);

  // Everything is built beside the target and renamed into place at the end.
  std::string staging = target.string() + ".restoring-" + RandomId(random, "").substr(0, 8);
  fs::create_directories(staging, ec);
  if (ec) return Fail(Status::Internal("cannot create " + staging + ": " + ec.message()));
  fs::permissions(staging, fs::perms::owner_all, ec);
  struct Cleanup {
    std::string dir;
    bool keep = false;
    ~Cleanup() {
      std::error_code ec;
      if (!keep) fs::remove_all(dir, ec);
    }
  } cleanup{staging};

  RestoreSummary placed;
  {
    LocalDirSink files(staging);
    auto blobs = LocalBlobStore::OpenAt(staging + "/media");
    if (!blobs.ok()) return Fail(blobs.status());
    FileAuditAnchor anchor(staging + "/audit.anchor");
    auto restored = RestoreBackup(epochs, **backup, files, **blobs, anchor);
    if (!restored.ok()) return Fail(restored.status());
    placed = *restored;
  }
  auto replayed = ReplayInto(staging, *master, *entries);
  if (!replayed.ok()) return Fail(replayed.status());
  // The restored deployment carries the journal on, and its key if it was
  // the source's own file.
  if (fs::exists(journal_path, ec)) {
    Status copied = CopyFile(journal_path, staging + "/erasure.journal");
    if (!copied.ok()) return Fail(copied);
  }
  if (own_key_file) {
    Status copied = CopyFile(key_file, staging + "/master.key");
    if (!copied.ok()) return Fail(copied);
  }
  Status synced = LocalDirSink(staging).SyncDirs();
  if (!synced.ok()) return Fail(synced);
  if (fs::exists(target, ec)) fs::remove(target, ec);  // empty, checked above
  fs::rename(staging, target, ec);
  if (ec) return Fail(Status::Internal("cannot move the restore into place: " + ec.message()));
  cleanup.keep = true;

  const ReplayCounts& r = *replayed;
  std::cout << "restored " << cmd.backup << " (epoch " << m.epoch << ") into " << target.string()
            << ": " << placed.files << " files, " << placed.blobs << " blobs, " << placed.bytes
            << " bytes\n"
            << "erasure journal: " << r.entries << " entries; erased " << r.end_users
            << " end users, " << r.media << " media, " << r.accounts << " accounts; de-identified "
            << r.usage_events << " usage events\n"
            << "took "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()
            << " s\n";
  return 0;
}

}  // namespace lethe
