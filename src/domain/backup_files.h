// How one file of a backup is stored (USE-5): sealed under the backup's
// epoch key, or copied as it is, with its SHA-256 recorded either way.
//
// A sealed file has its own random key, wrapped by the epoch key with the
// backup id and file name bound as context, and is stored in the chunked
// AES-256-GCM format of media blobs (crypto/chunked_cipher.h) with
// "<backup id>/<name>" as its blob id: a file moved to another name or
// backup fails to open, and without the epoch key nothing in it can be read.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "common/status.h"
#include "crypto/key_wrap.h"
#include "ports/backup_vault.h"
#include "ports/blob_store.h"
#include "ports/random.h"

namespace lethe {

// Seals `plain` as `name` of backup `backup_id` into `out` (committed on
// success). Returns the manifest entry; the writer's error otherwise.
Result<BackupFile> SealBackupFile(const Key& epoch_key, const std::string& backup_id,
                                  const std::string& name, std::span<const uint8_t> plain,
                                  FileSink& out, Random& random);

// Copies `in` unchanged as `name` into `out` (committed on success),
// hashing it on the way. Returns the manifest entry.
Result<BackupFile> CopyBackupFile(BlobReader& in, const std::string& name, BlobWriter& out);

// Streams the stored bytes of `file` from `in` into `out`, opening them
// with `epoch_key` when the file is sealed, and checks size and SHA-256
// against the manifest before committing `out`. Returns DataLoss
// ("backup-damaged") on a mismatch or a chunk that does not authenticate,
// naming the file; `out` is then not committed.
Status RestoreBackupFile(const Key& epoch_key, const std::string& backup_id, const BackupFile& file,
                         BlobReader& in, BlobWriter& out);

}  // namespace lethe
