// BlobStore: where media bytes live, as opaque (already encrypted) blobs.
//
// A blob is written through a BlobWriter and becomes visible to Open() and
// List() only after Commit() returned OK, at which point it is durable
// (data and directory entry synced). A writer destroyed without Commit()
// leaves nothing behind. A crash at any instant leaves each blob either
// complete or absent; RemoveIncomplete() sweeps the temporary files a crash
// can leave. The local disk is the first backend; S3 comes later.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace lethe {

class BlobWriter {
 public:
  virtual ~BlobWriter() = default;  // aborts unless committed
  // Appends bytes. Returns Internal on an I/O failure.
  virtual Status Append(std::span<const uint8_t> bytes) = 0;
  // Makes the blob durable and visible. Returns Internal on failure, in
  // which case the blob stays absent.
  virtual Status Commit() = 0;
};

class BlobReader {
 public:
  virtual ~BlobReader() = default;
  virtual uint64_t size() const = 0;
  // Fills `out` with the bytes at `offset`. Returns DataLoss if the blob is
  // shorter than offset + out.size(), Internal on an I/O failure.
  virtual Status ReadAt(uint64_t offset, std::span<uint8_t> out) = 0;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;
  // Starts writing a new blob. Returns AlreadyExists if `blob_id` is taken.
  virtual Result<std::unique_ptr<BlobWriter>> Create(const std::string& blob_id) = 0;
  // Opens a committed blob. Returns NotFound if there is none.
  virtual Result<std::unique_ptr<BlobReader>> Open(const std::string& blob_id) = 0;
  // Removes a committed blob, durably. Returns NotFound if there is none.
  virtual Status Remove(const std::string& blob_id) = 0;
  // Removes the committed blobs `blob_ids` durably, as Remove does each
  // (an id with no blob is skipped), for a store that can share the work
  // between them: the local store syncs each directory once for the lot.
  // Tries every id; returns the first error (Internal on an I/O failure),
  // in which case some of the blobs may be left.
  virtual Status RemoveMany(const std::vector<std::string>& blob_ids) {
    Status first = Status::Ok();
    for (const std::string& id : blob_ids) {
      Status st = Remove(id);
      if (!st.ok() && st.code() != Status::Code::kNotFound && first.ok()) first = st;
    }
    return first;
  }
  // Every committed blob id.
  virtual Result<std::vector<std::string>> List() = 0;
  // Removes what interrupted writes left behind. Returns how many it removed.
  // With `min_age`, only what is at least that old (several servers on one
  // store: a younger write may be another's in flight).
  virtual Result<int> RemoveIncomplete(std::chrono::milliseconds min_age = {}) = 0;
};

}  // namespace lethe
