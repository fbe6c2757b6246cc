// LocalBlobStore: BlobStore on a local directory.
//
// Layout: <root>/blobs/<2 hex>/<blob id> for committed blobs and
// <root>/incoming/<blob id>.<random> while writing. Commit fsyncs the file,
// renames it into place (atomic on POSIX) and fsyncs both directories, so a
// crash leaves either the whole blob or only a file in incoming/.
#pragma once

#include <string>

#include "ports/blob_store.h"

namespace lethe {

class LocalBlobStore final : public BlobStore {
 public:
  // Creates the directories under `root` if needed (mode 0700).
  static Result<std::unique_ptr<LocalBlobStore>> OpenAt(const std::string& root);

  Result<std::unique_ptr<BlobWriter>> Create(const std::string& blob_id) override;
  Result<std::unique_ptr<BlobReader>> Open(const std::string& blob_id) override;
  Status Remove(const std::string& blob_id) override;
  Result<std::vector<std::string>> List() override;
  Result<int> RemoveIncomplete() override;

 private:
  explicit LocalBlobStore(std::string root) : root_(std::move(root)) {}
  std::string PathFor(const std::string& blob_id) const;

  std::string root_;
};

}  // namespace lethe
