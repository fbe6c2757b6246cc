// S3BlobStore: the BlobStore port (ports/blob_store.h) over the S3 API, for
// AWS S3 and the stores that speak it (MinIO, Ceph RGW, s3rver in tests).
// A blob is the object PREFIX + blob_id in one bucket; its bytes are what
// the caller gave, which in Lethe is already sealed (crypto/chunked_cipher.h):
// the object store never sees plaintext.
//
// Writing. A writer buffers Appends up to `part_bytes`. A blob that fits in
// one buffer goes up as a single PUT on Commit(). A larger one becomes a
// multipart upload: CreateMultipartUpload when the first buffer fills,
// UploadPart per full buffer (in the background, one part in flight while
// the next fills), and the last part plus CompleteMultipartUpload on
// Commit(). Only a completed upload or PUT makes the object exist, so an
// object is whole or absent, as the port asks. A writer destroyed without
// Commit() aborts its multipart upload; a crash instead leaves the upload
// pending in the store, invisible to Open() and List(), and
// RemoveIncomplete() aborts those.
//
// Methods, on success / on failure:
//  - Create(id): a writer after a HEAD found no object `id`; AlreadyExists
//    if there is one; InvalidArgument for an id outside [A-Za-z0-9_.-];
//    Unavailable/Internal when the store cannot be asked. The PUT and the
//    CompleteMultipartUpload also carry If-None-Match: * so a store with
//    conditional writes refuses a concurrent creator (412 -> AlreadyExists).
//  - Writer::Append: OK (buffered, or a part uploaded); Unavailable or
//    Internal if a part upload failed; the writer is then failed for good.
//  - Writer::Commit: OK once the object exists whole; Unavailable/Internal
//    otherwise, and the object stays absent (the upload is aborted).
//  - Open(id): a reader after a HEAD gave the size; NotFound if absent.
//  - Reader::ReadAt: ranged GETs. A miss fetches max(request, read_ahead)
//    bytes, and a read that reaches the second half of its window starts a
//    background GET of the next window, so a sequential stream waits on the
//    network only when the store is slower than the reader. DataLoss past
//    the end (as the port says) or if the store returns fewer bytes than
//    the object's size promised (it changed or was removed under us).
//  - Remove(id): OK after DELETE; NotFound if a HEAD found no object.
//  - RemoveMany(ids): DeleteObjects in batches of up to 1,000 keys (absent
//    keys count as deleted); the first error, having tried every batch.
//  - List(): every key under the prefix, by pages of ListObjectsV2 and
//    their continuation tokens.
//  - RemoveIncomplete(): aborts the pending multipart uploads under the
//    prefix (ListMultipartUploads, paged); how many it aborted. Only for a
//    single server on its prefix: it would abort another server's uploads
//    in flight. A store that does not implement the listing (s3rver) counts
//    0: configure an AbortIncompleteMultipartUpload lifecycle rule there.
// Network failures are Unavailable with curl's reason; so are a refusal of
// the credentials or signature (403), 5xx and throttling, with the HTTP
// status and S3 error code (S3Unexpected); other unexpected answers are
// Internal with the same; no call waits
// longer than S3Config's timeouts. Credentials never appear in a status.
// Thread-safe; readers and writers are each for one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "adapters/s3/s3_client.h"
#include "ports/blob_store.h"

namespace lethe {

struct S3BlobStoreOptions {
  // Multipart part size; S3 wants at least 5 MiB for every part but the last.
  size_t part_bytes = 8 << 20;
  // The least a reader fetches at once, and the size of its background
  // prefetch of the next range.
  size_t read_ahead_bytes = 4 << 20;
  // Keys per ListObjectsV2 page (S3 gives at most 1,000).
  int list_page = 1000;
};

class S3BlobStore final : public BlobStore {
 public:
  // Checks that the bucket answers (NotFound if it does not exist).
  static Result<std::unique_ptr<S3BlobStore>> Connect(S3Config config,
                                                      S3BlobStoreOptions options = {});

  Result<std::unique_ptr<BlobWriter>> Create(const std::string& blob_id) override;
  Result<std::unique_ptr<BlobReader>> Open(const std::string& blob_id) override;
  Status Remove(const std::string& blob_id) override;
  Status RemoveMany(const std::vector<std::string>& blob_ids) override;
  Result<std::vector<std::string>> List() override;
  Result<int> RemoveIncomplete(std::chrono::milliseconds min_age = {}) override;

  S3Client& client();

  // Requests sent so far, by kind (tests and metrics).
  struct Stats {
    uint64_t puts = 0, parts = 0, gets = 0, heads = 0, lists = 0, deletes = 0;
  };
  Stats stats() const;

  ~S3BlobStore() override;

  struct Shared;  // the client, options and counters, shared with writers and readers

 private:
  explicit S3BlobStore(std::shared_ptr<Shared> shared);
  std::shared_ptr<Shared> shared_;  // with the writers and readers
};

}  // namespace lethe
