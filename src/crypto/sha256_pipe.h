// Sha256Pipe: SHA-256 computed on a thread of its own, so hashing a large
// upload overlaps with receiving, sealing and writing it on the caller's
// thread (hashing is the largest single cost of an upload, ~0.5 s per GiB).
// Update() hands over a copy; at most kMaxQueued pieces wait, so memory
// stays bounded (Update blocks when the hasher falls behind).
//
// Small bodies never pay for a thread: the first kInlineBytes are hashed on
// the caller's thread, and the hashing thread starts only when a body grows
// past them (most uploads from apps are photos and clips of a few MiB or
// less; a thread per 1 KiB upload cost more than hashing it).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "crypto/secret_hash.h"

namespace lethe {

class Sha256Pipe {
 public:
  static constexpr size_t kMaxQueued = 8;
  static constexpr size_t kPieceBytes = 256 * 1024;
  static constexpr size_t kInlineBytes = 1024 * 1024;

  Sha256Pipe() = default;
  ~Sha256Pipe();  // stops the thread, discarding what is queued
  Sha256Pipe(const Sha256Pipe&) = delete;
  Sha256Pipe& operator=(const Sha256Pipe&) = delete;

  // Queues a copy of `bytes` for hashing.
  void Update(std::span<const uint8_t> bytes);
  // Waits for everything queued and returns the hex digest. Call once.
  std::string Final();

 private:
  void Run();

  std::mutex mu_;
  std::condition_variable work_;   // the hasher: a piece or the end
  std::condition_variable space_;  // the producer: room in the queue, or done
  std::deque<std::vector<uint8_t>> queue_;
  std::vector<std::vector<uint8_t>> spare_;  // reused buffers
  bool closing_ = false;
  bool finished_ = false;
  Sha256 sha_;
  std::string digest_;
  uint64_t inline_bytes_ = 0;  // hashed on the caller's thread so far
  std::thread thread_;         // started once the body outgrows kInlineBytes
};

}  // namespace lethe
