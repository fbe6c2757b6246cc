// `lethe backup create` and `lethe backup restore` (USE-5).
//
// create: on a stopped server, takes the data directory's lock and backs it
// up directly; when a running server holds the lock, asks that server
// through the ops channel (ops_channel.h), which then uses its own backup
// settings. Prints the backup's path.
//
// restore: refuses a non-empty target, opens the backup's epoch key
// (refusing a destroyed one), verifies and places every file in a staging
// directory beside the target, replays the erasure journal there
// (ErasureReplay), then renames it into place: a failed restore leaves no
// target behind. Defaults come from the manifest: the source's master.key,
// backup-keys directory and erasure journal. A journal that is missing is
// an error, unless it is the default one and its data directory still
// exists (a deployment that never erased anything has no journal yet).
#pragma once

#include <string>

namespace lethe {

struct BackupCommand {
  std::string data_dir;         // create: the data directory; restore: the target
  std::string backup;           // restore: the backup directory
  std::string backup_dir;       // create: where backups go
  std::string backup_keys;      // both
  std::string master_key_file;  // both
  std::string master_key_hex;   // LETHE_MASTER_KEY
  std::string erasure_journal;  // both
  int max_age_days = 30;
};

// Exit codes: 0 done, 1 failed, 2 refused (bad usage, locked, non-empty
// target, destroyed epoch key, wrong master key).
int CreateBackupCommand(const BackupCommand& cmd);
int RestoreBackupCommand(const BackupCommand& cmd);

}  // namespace lethe
