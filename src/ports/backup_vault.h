// BackupVault: where backups are written and read back, as named files
// plus a manifest. The domain decides what goes in and how it is sealed
// (Backups, BackupRestore); a vault only stores, syncs and publishes.
//
// A backup is built as a draft and published atomically: a crash leaves a
// complete backup or none. Every file's size and SHA-256 (of the bytes as
// stored) are in the manifest, so a restore refuses a damaged backup.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "ports/audit_anchor.h"
#include "ports/blob_store.h"

namespace lethe {

struct BackupFile {
  // "lethe.db", "keys.db", "signing.key", or "media/<blob id>".
  std::string name;
  uint64_t bytes = 0;  // as stored
  std::string sha256;  // of the stored bytes, lowercase hex
  // Sealed files: the file's own key wrapped by the epoch key (base64url),
  // and the plaintext size. Empty and 0 for files stored as they were
  // (blobs, which are ciphertext already).
  std::string wrapped_key;
  uint64_t plain_bytes = 0;
};

struct BackupManifest {
  int version = 1;
  std::string id;  // the backup's directory name
  std::string epoch;
  int64_t created_ms = 0;
  // Where it came from, for a restore's defaults (journal, keys, master key).
  std::string source_data_dir;
  std::string erasure_journal;
  std::string backup_keys;
  // The audit chain's anchored head when the databases were copied (the
  // copies' chain reaches it or goes past it).
  std::optional<AuditHead> audit_head;
  std::vector<BackupFile> files;
};

// A place files are written to, each through a BlobWriter: nothing is
// visible under `name` until its Commit() returned OK (synced).
class FileSink {
 public:
  virtual ~FileSink() = default;
  // InvalidArgument for a name with "..", a leading '/' or more than one
  // directory level; AlreadyExists for a name written already; Internal on
  // I/O failure.
  virtual Result<std::unique_ptr<BlobWriter>> Create(const std::string& name) = 0;
};

// A backup being written. Destroyed without Publish(), it leaves nothing.
class BackupDraft : public FileSink {
 public:
  // Writes the manifest, syncs the draft and moves it to its final place
  // in one rename. Returns the backup's path; Internal on I/O failure.
  virtual Result<std::string> Publish(const BackupManifest& manifest) = 0;
};

// A published backup, opened for reading.
class BackupReader {
 public:
  virtual ~BackupReader() = default;
  virtual const BackupManifest& manifest() const = 0;
  // The stored bytes of the manifest's file `name`; NotFound if absent.
  virtual Result<std::unique_ptr<BlobReader>> Open(const std::string& name) = 0;
};

class BackupVault {
 public:
  virtual ~BackupVault() = default;
  // Starts the backup `id`. Internal on I/O failure.
  virtual Result<std::unique_ptr<BackupDraft>> Begin(const std::string& id) = 0;
  // When the newest published backup was taken; nullopt when none.
  virtual Result<std::optional<int64_t>> NewestCreatedMs() = 0;
};

}  // namespace lethe
