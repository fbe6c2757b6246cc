// The at-rest format of media blobs: AES-256-GCM over fixed-size chunks, so
// a byte range can be served by decrypting only the chunks it touches.
//
// Plaintext is split into kChunkPlainBytes chunks; only the last may be
// shorter. Chunk i is stored as its ciphertext followed by a 16-byte tag,
// at sealed offset i * kChunkSealedBytes. Every blob has its own random data
// key, which is what makes a counter nonce safe:
//   nonce = 4 zero bytes || big-endian uint64 i
//   aad   = blob_id bytes || big-endian uint64 i || final flag (1 or 0)
// The aad makes every chunk verify only at its own position in its own blob:
// reordered chunks, chunks copied from another blob and a blob truncated at
// a chunk boundary (the new last chunk was sealed with final = 0) all fail
// with DataLoss. The blob_id length is fixed per blob and the trailer is a
// fixed 9 bytes, so the aad encoding is unambiguous.
//
// Exactly ChunkCount(plain_size) chunks exist: an empty blob is one final
// chunk of 0 bytes, and when plain_size is a non-zero multiple of
// kChunkPlainBytes the last full chunk is the final one (there is no
// trailing empty chunk).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/aead.h"
#include "crypto/key_wrap.h"

namespace lethe {

inline constexpr size_t kChunkPlainBytes = 64 * 1024;
inline constexpr size_t kChunkSealedBytes = kChunkPlainBytes + kTagBytes;

// Number of chunks a blob of `plain_size` bytes is stored as (always >= 1).
uint64_t ChunkCount(uint64_t plain_size);
// Total stored size of a blob of `plain_size` bytes.
uint64_t SealedSize(uint64_t plain_size);
// Index of the chunk holding plaintext byte `plain_offset`.
inline uint64_t ChunkIndexOf(uint64_t plain_offset) { return plain_offset / kChunkPlainBytes; }

// Seals individual chunks of one blob. Not thread-safe.
class ChunkSealer {
 public:
  ChunkSealer(const Key& key, std::string blob_id);

  // Seals chunk `index` of the blob into `out`.
  // Returns OK on success; InvalidArgument if `plain` is longer than
  // kChunkPlainBytes, if a non-final chunk is not exactly kChunkPlainBytes,
  // if a final chunk after index 0 is empty, or if out.size() !=
  // plain.size() + kTagBytes; Internal if OpenSSL fails. The caller must
  // seal each index at most once per key.
  Status Seal(uint64_t index, bool final, std::span<const uint8_t> plain, std::span<uint8_t> out);

 private:
  AesGcm aead_;
  std::vector<uint8_t> aad_;  // blob_id || index || final, trailer rewritten per chunk
};

// Opens the chunks of one blob whose plaintext size is known (from trusted
// metadata), which fixes the chunk count and which chunk is final.
// Not thread-safe.
class ChunkOpener {
 public:
  ChunkOpener(const Key& key, std::string blob_id, uint64_t plain_size);

  uint64_t plain_size() const { return plain_size_; }
  uint64_t chunk_count() const { return chunk_count_; }

  // Verifies and decrypts chunk `index` from `sealed` into `out`.
  // Returns OK on success; InvalidArgument if index >= chunk_count() or
  // out.size() != PlainChunkSize(index); DataLoss if sealed.size() !=
  // SealedChunkSize(index) (the store returned the wrong amount) or the chunk
  // fails authentication, in which case `out` is zeroed; Internal if OpenSSL
  // fails.
  Status Open(uint64_t index, std::span<const uint8_t> sealed, std::span<uint8_t> out);

  // Where chunk `index` starts in the stored blob.
  uint64_t SealedOffset(uint64_t index) const { return index * kChunkSealedBytes; }
  // Stored size of chunk `index`; 0 if index >= chunk_count().
  size_t SealedChunkSize(uint64_t index) const;
  // Plaintext size of chunk `index`; 0 if index >= chunk_count().
  size_t PlainChunkSize(uint64_t index) const;

 private:
  AesGcm aead_;
  std::vector<uint8_t> aad_;
  uint64_t plain_size_;
  uint64_t chunk_count_;
};

// Push-based sealing of a whole blob of initially unknown length, e.g. an
// upload streamed from the network. Append() takes pieces of any size;
// sealed chunks are handed to `sink` in order as they complete, and Finish()
// emits the final chunk. Because the final flag must sit on the last chunk
// and an exact multiple of kChunkPlainBytes has no trailing empty chunk, a
// full chunk is held back until more data arrives or Finish() is called; so
// at most one chunk is ever buffered (about 64 KiB of memory).
//
// The span given to `sink` is only valid during the call. After any error
// (including one returned by `sink`) every later call returns that error.
// Not thread-safe.
class StreamSealer {
 public:
  using Sink = std::function<Status(std::span<const uint8_t> sealed_chunk)>;

  StreamSealer(const Key& key, std::string blob_id, Sink sink);

  // Adds plaintext bytes. Returns OK on success; FailedPrecondition after
  // Finish(); otherwise the first error from sealing or from `sink`.
  Status Append(std::span<const uint8_t> plain);

  // Seals and emits the final chunk (an empty one if nothing was appended).
  // Returns OK on success; FailedPrecondition if already finished; otherwise
  // the first error from sealing or from `sink`.
  Status Finish();

  // Plaintext bytes accepted so far; the blob's plain_size after Finish().
  uint64_t plain_size() const { return plain_size_; }
  // Sealed bytes handed to `sink` so far; SealedSize(plain_size()) after
  // Finish().
  uint64_t sealed_size() const { return sealed_size_; }

 private:
  // Seals `plain` as the next chunk and passes it to the sink.
  Status Emit(std::span<const uint8_t> plain, bool final);

  ChunkSealer sealer_;
  Sink sink_;
  std::vector<uint8_t> buffer_;  // pending plaintext, at most one chunk
  std::vector<uint8_t> out_;     // sealed chunk scratch, reused
  uint64_t next_index_ = 0;
  uint64_t plain_size_ = 0;
  uint64_t sealed_size_ = 0;
  bool finished_ = false;
  Status error_;
};

}  // namespace lethe
