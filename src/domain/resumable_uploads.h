// ResumableUploads: tus 1.0 uploads in progress (issue 9), which become
// media when their last byte lands.
//
// At rest, an upload's bytes so far are sealed parts: the data of each
// PATCH is one blob in the media at-rest format (chunked_cipher.h: 64 KiB
// AES-256-GCM chunks, a final flag on the last) under a fresh data key of
// its own, wrapped like a media's key (master -> account -> end user ->
// object, the part's blob id bound in). The row (UploadRecord) lists the
// parts with their wrapped keys; no plaintext byte or key is ever on disk.
//
// Why a key per part, not one key for the whole upload: the chunk nonce is
// the chunk index, so one key sealing chunk i twice (a PATCH that failed
// its checksum or was cut, then sent again, maybe with other bytes) would
// reuse a nonce. A fresh key per part makes every (key, nonce) pair unique,
// so a part may end anywhere: a PATCH's tail that does not fill a chunk is
// sealed as that part's short final chunk, and every byte that arrived is
// acknowledged, never held in plaintext. Chunk boundaries follow the at-rest
// chunk size within each part.
//
// Crash safety follows MediaLibrary's blob intents: a part's intent is
// durable before its first byte and cleared with the row update that lists
// it, so a crash leaves an orphan for MediaLibrary::Recover(), never a
// listed part without its bytes. Completion decrypts the parts into a
// MediaLibrary ingest (the same sniffing, size limits, encryption and
// audit as POST /v1/media) whose commit transaction also marks the upload
// complete: the media exists if and only if the upload says so. A crash
// before that commit leaves the upload at its last acknowledged offset.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "domain/media_library.h"
#include "domain/upload_tokens.h"

namespace lethe {

inline constexpr int64_t kUploadDefaultTtlMs = 24LL * 60 * 60 * 1000;

// What a tus creation asks for.
struct NewUpload {
  int64_t length = 0;
  std::string content_type;  // from the metadata's filetype; "" to sniff
  MediaFields fields;        // end_user, title, tags (a token's already applied)
  std::string metadata;      // Upload-Metadata as sent
};

class UploadPart;

class ResumableUploads {
 public:
  // `max_bytes` is the server's media size limit; `ttl_ms` how long an
  // upload may take from its creation.
  ResumableUploads(MetadataStore& store, BlobStore& blobs, KeyRing& keys, MediaLibrary& media,
                   const Clock& clock, Random& random, uint64_t max_bytes,
                   int64_t ttl_ms = kUploadDefaultTtlMs)
      : store_(store),
        blobs_(blobs),
        keys_(keys),
        media_(media),
        clock_(clock),
        random_(random),
        max_bytes_(max_bytes),
        ttl_ms_(ttl_ms) {}

  // Creates an upload for `who`, bound to its credential. With `grant`
  // (an upload token) a use of the token is taken in the same transaction:
  // Unauthenticated when none is left. InvalidArgument("invalid-field")
  // for bad fields or a negative length; TooLarge past the server's limit
  // or TooLarge("upload-token-size") past the token's.
  Result<UploadRecord> Create(const Principal& who, const UploadGrant* grant,
                              const NewUpload& spec);

  // The upload `id` as `who` may see it: an upload token sees only the
  // uploads it created, an account credential every upload of its
  // account. NotFound otherwise, and once expired.
  Result<UploadRecord> Find(const Principal& who, const UploadGrant* grant, const std::string& id);

  // Starts receiving the bytes at `offset` (a PATCH). `sha256_hex`, when
  // set, is the digest the bytes must have. Returns the part, or NotFound
  // (as Find), AlreadyExists("upload-offset-mismatch") when `offset` is not
  // the upload's offset or it is complete.
  Result<std::unique_ptr<UploadPart>> BeginPart(const Principal& who, const UploadGrant* grant,
                                                const std::string& id, int64_t offset,
                                                std::optional<std::string> sha256_hex,
                                                const RequestOrigin& origin);

  // Termination: removes the upload and its parts (a completed upload's
  // media stays). NotFound as Find.
  Status Terminate(const Principal& who, const UploadGrant* grant, const std::string& id);

  // Removes every upload that expired, with its parts. Returns how many.
  Result<int> PurgeExpired();

 private:
  friend class UploadPart;
  // Removes a deleted upload's part blobs, whose intents went in with the
  // deletion; a blob that fails to go stays for MediaLibrary::Recover().
  void RemoveParts(const std::vector<std::string>& blob_ids);
  // Deletes the row with intents for its parts, then the parts.
  Status Drop(const UploadRecord& u);
  Status InsertIntent(const std::string& blob_id);

  MetadataStore& store_;
  BlobStore& blobs_;
  KeyRing& keys_;
  MediaLibrary& media_;
  const Clock& clock_;
  Random& random_;
  uint64_t max_bytes_;
  int64_t ttl_ms_;
};

// The bytes of one PATCH (or of a creation with upload), sealed into a
// part blob as they arrive. Destroying it without Finish() or Keep()
// leaves nothing. Not thread-safe.
class UploadPart {
 public:
  ~UploadPart();
  // Takes the next bytes. TooLarge("upload-length-exceeded") past the
  // upload's length; Internal on I/O failure. After an error the part is
  // dead.
  Status Append(std::span<const uint8_t> bytes);
  // The request's body is complete: checks the checksum (InvalidArgument
  // "checksum-mismatch", the part discarded), stores the part and advances
  // the upload, completing it into a media when it reaches its length.
  // Returns the upload as it now stands (media_id set when complete), or
  // AlreadyExists("upload-offset-mismatch") when another request moved it,
  // or what the media ingest refused (the upload then stays at its offset).
  Result<UploadRecord> Finish();
  // The body stopped early (the client went away): stores what arrived, as
  // tus asks, unless a checksum was given (it cannot be checked) or it
  // would complete the upload. Best effort.
  void Keep();

 private:
  friend class ResumableUploads;
  UploadPart(ResumableUploads& uploads, Principal who, UploadRecord upload,
             std::optional<std::string> sha256_hex, RequestOrigin origin, std::string blob_id,
             Key key, std::string wrapped_key, std::unique_ptr<BlobWriter> writer);
  Status Flush();
  // Seals the last chunk, makes the blob durable and lists it.
  Result<UploadRecord> Store();
  Result<UploadRecord> Complete(const std::string& parts);

  ResumableUploads& uploads_;
  Principal who_;
  UploadRecord upload_;
  std::optional<std::string> sha256_hex_;
  std::unique_ptr<Sha256Pipe> sha256_;  // only when a checksum is asked
  RequestOrigin origin_;
  std::string blob_id_;
  Key key_;
  std::string wrapped_key_;
  std::unique_ptr<BlobWriter> writer_;
  std::unique_ptr<StreamSealer> sealer_;
  std::vector<uint8_t> out_;  // sealed bytes waiting for one larger write
  int64_t received_ = 0;
  Status failed_;
  bool done_ = false;  // stored, or settled otherwise
};

}  // namespace lethe
