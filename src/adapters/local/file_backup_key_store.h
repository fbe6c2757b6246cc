// FileBackupKeyStore: BackupKeyStore as one small file per epoch in a
// directory (mode 0700): `<epoch>.key` holds the wrapped key (mode 0600),
// `<epoch>.destroyed` is the empty tombstone of a destroyed one.
//
// Put writes a temporary file, fsyncs it, renames it into place and fsyncs
// the directory. Destroy overwrites the key file with zeros, fsyncs it,
// writes the tombstone, unlinks the key and fsyncs the directory, so no
// copy of the wrapped key is left in the file system's view of the volume
// (what the device itself keeps of overwritten blocks is out of reach).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "ports/backup_key_store.h"

namespace lethe {

class FileBackupKeyStore final : public BackupKeyStore {
 public:
  // Creates `dir` (mode 0700) if needed. Returns Internal when it cannot.
  static Result<std::unique_ptr<FileBackupKeyStore>> Open(const std::string& dir);

  Status Put(const std::string& epoch, const std::vector<uint8_t>& wrapped) override;
  Result<std::vector<uint8_t>> Get(const std::string& epoch) override;
  Result<std::vector<std::string>> List() override;
  Status Destroy(const std::string& epoch) override;

 private:
  explicit FileBackupKeyStore(std::string dir) : dir_(std::move(dir)) {}
  // InvalidArgument unless `epoch` is a plain name (no '/', no "..").
  static Status CheckEpoch(const std::string& epoch);
  std::string PathOf(const std::string& epoch, const char* suffix) const;
  Status SyncDir();

  std::string dir_;
  std::mutex mu_;
};

}  // namespace lethe
