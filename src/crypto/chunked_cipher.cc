#include "crypto/chunked_cipher.h"

#include <algorithm>
#include <array>
#include <string>
#include <utility>

namespace lethe {
namespace {

constexpr size_t kAadTrailerBytes = 8 + 1;  // index + final flag

void StoreBigEndian64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}

std::array<uint8_t, kNonceBytes> ChunkNonce(uint64_t index) {
  std::array<uint8_t, kNonceBytes> nonce{};  // first 4 bytes stay zero
  StoreBigEndian64(nonce.data() + 4, index);
  return nonce;
}

std::vector<uint8_t> AadPrefix(const std::string& blob_id) {
  std::vector<uint8_t> aad(blob_id.begin(), blob_id.end());
  aad.resize(aad.size() + kAadTrailerBytes);
  return aad;
}

// Rewrites the per-chunk trailer in place, so no allocation per chunk.
void SetAadTrailer(std::vector<uint8_t>& aad, uint64_t index, bool final) {
  uint8_t* trailer = aad.data() + aad.size() - kAadTrailerBytes;
  StoreBigEndian64(trailer, index);
  trailer[8] = final ? 1 : 0;
}

}  // namespace

uint64_t ChunkCount(uint64_t plain_size) {
  if (plain_size == 0) return 1;
  return (plain_size - 1) / kChunkPlainBytes + 1;  // no overflow near 2^64
}

uint64_t SealedSize(uint64_t plain_size) { return plain_size + ChunkCount(plain_size) * kTagBytes; }

ChunkSealer::ChunkSealer(const Key& key, std::string blob_id)
    : aead_(key), aad_(AadPrefix(blob_id)) {}

Status ChunkSealer::Seal(uint64_t index, bool final, std::span<const uint8_t> plain,
                         std::span<uint8_t> out) {
  if (plain.size() > kChunkPlainBytes) {
    return Status::InvalidArgument("chunk-too-large", "chunk exceeds kChunkPlainBytes");
  }
  if (!final && plain.size() != kChunkPlainBytes) {
    return Status::InvalidArgument("chunk-short", "only the final chunk may be short");
  }
  if (final && plain.empty() && index != 0) {
    // Readers derive the chunk count from plain_size, which has no room for
    // a trailing empty chunk: the last full chunk must carry the flag.
    return Status::InvalidArgument("chunk-empty-final", "only an empty blob has an empty chunk");
  }
  SetAadTrailer(aad_, index, final);
  return aead_.Seal(ChunkNonce(index), aad_, plain, out);
}

ChunkOpener::ChunkOpener(const Key& key, std::string blob_id, uint64_t plain_size)
    : aead_(key),
      aad_(AadPrefix(blob_id)),
      plain_size_(plain_size),
      chunk_count_(ChunkCount(plain_size)) {}

size_t ChunkOpener::PlainChunkSize(uint64_t index) const {
  if (index >= chunk_count_) return 0;
  if (index + 1 < chunk_count_) return kChunkPlainBytes;
  return static_cast<size_t>(plain_size_ - index * kChunkPlainBytes);
}

size_t ChunkOpener::SealedChunkSize(uint64_t index) const {
  if (index >= chunk_count_) return 0;
  return PlainChunkSize(index) + kTagBytes;
}

Status ChunkOpener::Open(uint64_t index, std::span<const uint8_t> sealed, std::span<uint8_t> out) {
  if (index >= chunk_count_) {
    return Status::InvalidArgument("chunk-out-of-range", "chunk index past the end of the blob");
  }
  if (out.size() != PlainChunkSize(index)) {
    return Status::InvalidArgument("chunk-bad-length", "output must be PlainChunkSize(index)");
  }
  if (sealed.size() != SealedChunkSize(index)) {
    std::fill(out.begin(), out.end(), uint8_t{0});
    return Status::DataLoss("stored chunk has the wrong size");
  }
  SetAadTrailer(aad_, index, index + 1 == chunk_count_);
  Status st = aead_.Open(ChunkNonce(index), aad_, sealed, out);
  if (st.code() == Status::Code::kDataLoss) {
    return Status::DataLoss("blob chunk " + std::to_string(index) + " failed authentication");
  }
  return st;
}

StreamSealer::StreamSealer(const Key& key, std::string blob_id, Sink sink)
    : sealer_(key, std::move(blob_id)), sink_(std::move(sink)), out_(kChunkSealedBytes) {
  buffer_.reserve(kChunkPlainBytes);
}

Status StreamSealer::Emit(std::span<const uint8_t> plain, bool final) {
  const std::span<uint8_t> out = std::span<uint8_t>(out_).first(plain.size() + kTagBytes);
  error_ = sealer_.Seal(next_index_, final, plain, out);
  if (error_.ok()) error_ = sink_(out);
  if (!error_.ok()) return error_;
  ++next_index_;
  sealed_size_ += out.size();
  return Status::Ok();
}

Status StreamSealer::Append(std::span<const uint8_t> plain) {
  if (!error_.ok()) return error_;
  if (finished_) return Status::FailedPrecondition("sealer-finished", "Append after Finish");
  while (!plain.empty()) {
    if (buffer_.size() == kChunkPlainBytes) {
      // More data follows, so the held-back full chunk is not the last.
      LETHE_RETURN_IF_ERROR(Emit(buffer_, /*final=*/false));
      buffer_.clear();
    }
    if (buffer_.empty() && plain.size() > kChunkPlainBytes) {
      // Fast path for large writes: seal straight from the caller's memory.
      // Strictly more than one chunk remains, so this one cannot be final.
      LETHE_RETURN_IF_ERROR(Emit(plain.first(kChunkPlainBytes), /*final=*/false));
      plain = plain.subspan(kChunkPlainBytes);
      plain_size_ += kChunkPlainBytes;
      continue;
    }
    const size_t take = std::min(kChunkPlainBytes - buffer_.size(), plain.size());
    buffer_.insert(buffer_.end(), plain.begin(), plain.begin() + take);
    plain = plain.subspan(take);
    plain_size_ += take;
  }
  return Status::Ok();
}

Status StreamSealer::Finish() {
  if (!error_.ok()) return error_;
  if (finished_) return Status::FailedPrecondition("sealer-finished", "Finish called twice");
  LETHE_RETURN_IF_ERROR(Emit(buffer_, /*final=*/true));
  buffer_.clear();
  finished_ = true;
  return Status::Ok();
}

}  // namespace lethe
