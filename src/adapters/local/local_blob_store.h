// LocalBlobStore: BlobStore on a local directory.
//
// Layout: <root>/blobs/<2 chars>/<blob id> for committed blobs and
// <root>/incoming/<blob id>.<pid>.<n> while writing. Commit fsyncs the file,
// renames it into place (atomic on POSIX) and fsyncs both directories, so a
// crash leaves either the whole blob or only a file in incoming/.
//
// Directory syncs are group commits (GroupSync, one per directory): a
// commit or removal that finds its directory's fsync under way waits for
// the next one, which covers every change made before it began. Each Commit
// still returns only when its blob is durable; the disk just sees fewer
// syncs when many land at once (incoming/ is shared by every commit).
// RemoveMany syncs each directory once for all the removals in it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "ports/blob_store.h"

namespace lethe {

class BlobDirSyncs;  // the shared directory syncs, in the .cc

class LocalBlobStore final : public BlobStore {
 public:
  // Creates the directories under `root` if needed (mode 0700).
  static Result<std::unique_ptr<LocalBlobStore>> OpenAt(const std::string& root);

  Result<std::unique_ptr<BlobWriter>> Create(const std::string& blob_id) override;
  Result<std::unique_ptr<BlobReader>> Open(const std::string& blob_id) override;
  Status Remove(const std::string& blob_id) override;
  // Unlinks them all, then fsyncs each directory it touched once, several
  // directories at a time (flushes issued together are merged).
  Status RemoveMany(const std::vector<std::string>& blob_ids) override;
  Result<std::vector<std::string>> List() override;
  Result<int> RemoveIncomplete(std::chrono::milliseconds min_age = {}) override;

  // What the directory syncs cost so far (tests and metrics).
  struct SyncStats {
    uint64_t commits = 0;     // Commit() calls that returned OK
    uint64_t dir_waits = 0;   // directory syncs asked for (one fsync each, ungrouped)
    uint64_t dir_fsyncs = 0;  // fsync() calls on directories actually made
  };
  SyncStats sync_stats() const;

  ~LocalBlobStore() override;

 private:
  explicit LocalBlobStore(std::string root);
  std::string PathFor(const std::string& blob_id) const;

  std::string root_;
  std::shared_ptr<BlobDirSyncs> syncs_;  // shared with the writers
};

}  // namespace lethe
