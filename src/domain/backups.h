// Backups: consistent online backups that forget (USE-5).
//
// A backup holds consistent copies of the metadata and key databases, the
// deployment's signing seed and the media blobs, plus a manifest (epoch,
// time, size and SHA-256 of every file). The databases and the seed are
// sealed under the key of the day's epoch (BackupEpochs); blobs are
// ciphertext already, and their data keys are wrapped inside the sealed
// databases, so once the epoch key is destroyed nothing in the backup can
// be read. lethe.db is copied before keys.db: a key destroyed in between
// stays destroyed in the copy, and every media record finds its key.
//
// Restore refuses a backup whose epoch key is gone, or whose files do not
// match the manifest, before it writes anything it cannot take back: the
// caller restores into a fresh directory. Replaying the erasure journal
// afterwards is ErasureReplay's job.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "domain/backup_epochs.h"
#include "ports/audit_anchor.h"
#include "ports/backup_vault.h"
#include "ports/blob_store.h"
#include "ports/clock.h"
#include "ports/data_snapshots.h"
#include "ports/random.h"

namespace lethe {

// Where a deployment's backups come from, recorded in each manifest so a
// restore can default to the same journal and key directory.
struct BackupSource {
  std::string data_dir;
  std::string erasure_journal;
  std::string backup_keys;
};

struct BackupSummary {
  std::string path;
  BackupManifest manifest;
  uint64_t bytes = 0;  // stored, all files
  int blobs = 0;
};

class Backups {
 public:
  // `anchor` (may be null): the audit chain's anchor, recorded with the copy.
  Backups(BackupEpochs& epochs, DataSnapshots& snapshots, BlobStore& blobs, BackupVault& vault,
          AuditAnchor* anchor, BackupSource source, const Clock& clock, Random& random)
      : epochs_(epochs),
        snapshots_(snapshots),
        blobs_(blobs),
        vault_(vault),
        anchor_(anchor),
        source_(std::move(source)),
        clock_(clock),
        random_(random) {}

  // Destroys expired epoch keys, then takes a backup under today's epoch.
  // Backups run one at a time. Returns what was written; the first error
  // otherwise, in which case no backup is published.
  Result<BackupSummary> Create();

  // Takes a backup unless the newest one is less than `every_ms` old.
  // Returns the new backup, or nullopt when none was due.
  Result<std::optional<BackupSummary>> CreateIfDue(int64_t every_ms);

 private:
  Result<BackupSummary> CreateLocked();

  BackupEpochs& epochs_;
  DataSnapshots& snapshots_;
  BlobStore& blobs_;
  BackupVault& vault_;
  AuditAnchor* anchor_;
  BackupSource source_;
  const Clock& clock_;
  Random& random_;
  std::mutex mu_;
};

struct RestoreSummary {
  int files = 0;
  int blobs = 0;
  uint64_t bytes = 0;
};

// Writes the files of `backup` into a fresh data directory: databases and
// seed through `files`, blobs into `blobs`, the recorded audit head into
// `anchor`. Returns FailedPrecondition("backup-epoch-destroyed") when the
// epoch key was destroyed, FailedPrecondition("master-key-mismatch") for
// another master key, DataLoss("backup-damaged") naming a file whose bytes
// do not match the manifest (checked before any blob is written: the
// databases come first and are verified whole).
Result<RestoreSummary> RestoreBackup(BackupEpochs& epochs, BackupReader& backup, FileSink& files,
                                     BlobStore& blobs, AuditAnchor& anchor);

}  // namespace lethe
