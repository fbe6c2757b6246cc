// LocalBackupVault: BackupVault on a local directory (default
// `<data>/backups/`; put it on another volume in production).
//
// A draft is the directory `<root>/.draft-<id>`; each file is written to a
// temporary name, fsynced and renamed into place. Publish writes
// manifest.json the same way, fsyncs the draft's directories and renames
// the draft to `<root>/<id>`, then fsyncs the root: a crash leaves a whole
// backup or a draft, and drafts are removed by the next Begin().
//
// LocalDirSink writes files the same way into any directory (a restore's
// target), and OpenLocalBackup reads a published backup back.
#pragma once

#include <memory>
#include <string>

#include "ports/backup_vault.h"

namespace lethe {

class LocalBackupVault final : public BackupVault {
 public:
  // Creates `root` (mode 0700) if needed. Internal when it cannot.
  static Result<std::unique_ptr<LocalBackupVault>> Open(const std::string& root);

  // Removes abandoned drafts, then starts `<root>/.draft-<id>`.
  Result<std::unique_ptr<BackupDraft>> Begin(const std::string& id) override;
  Result<std::optional<int64_t>> NewestCreatedMs() override;

 private:
  explicit LocalBackupVault(std::string root) : root_(std::move(root)) {}
  std::string root_;
};

class LocalDirSink final : public FileSink {
 public:
  // Files go under `dir`, which must exist.
  explicit LocalDirSink(std::string dir) : dir_(std::move(dir)) {}
  Result<std::unique_ptr<BlobWriter>> Create(const std::string& name) override;
  // Fsyncs `dir` and the subdirectories files went into.
  Status SyncDirs();

 private:
  std::string dir_;
};

// Opens the published backup at `path` and parses its manifest. Returns
// NotFound when there is no manifest, DataLoss when it does not parse.
Result<std::unique_ptr<BackupReader>> OpenLocalBackup(const std::string& path);

}  // namespace lethe
