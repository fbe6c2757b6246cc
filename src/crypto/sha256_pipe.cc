#include "crypto/sha256_pipe.h"

#include <algorithm>

namespace lethe {

Sha256Pipe::~Sha256Pipe() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mu_);
    queue_.clear();
    closing_ = true;
  }
  work_.notify_all();
  thread_.join();
}

void Sha256Pipe::Update(std::span<const uint8_t> bytes) {
  if (!thread_.joinable()) {
    if (inline_bytes_ + bytes.size() <= kInlineBytes) {
      sha_.Update(bytes);
      inline_bytes_ += bytes.size();
      return;
    }
    thread_ = std::thread([this] { Run(); });  // sha_ is the thread's from here on
  }
  while (!bytes.empty()) {
    size_t n = std::min(bytes.size(), kPieceBytes);
    std::unique_lock lock(mu_);
    space_.wait(lock, [this] { return queue_.size() < kMaxQueued; });
    std::vector<uint8_t> piece;
    if (!spare_.empty()) {
      piece = std::move(spare_.back());
      spare_.pop_back();
    }
    piece.assign(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(n));
    queue_.push_back(std::move(piece));
    lock.unlock();
    work_.notify_one();
    bytes = bytes.subspan(n);
  }
}

std::string Sha256Pipe::Final() {
  if (!thread_.joinable()) return sha_.Final();
  std::unique_lock lock(mu_);
  closing_ = true;
  work_.notify_one();
  space_.wait(lock, [this] { return finished_; });
  return digest_;
}

void Sha256Pipe::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    work_.wait(lock, [this] { return closing_ || !queue_.empty(); });
    if (queue_.empty()) break;  // closing, and everything is hashed
    std::vector<uint8_t> piece = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    space_.notify_one();
    sha_.Update(piece);
    lock.lock();
    spare_.push_back(std::move(piece));
  }
  digest_ = sha_.Final();
  finished_ = true;
  space_.notify_all();
}

}  // namespace lethe
