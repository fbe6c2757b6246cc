#include "domain/media_read_ahead.h"

#include <utility>

#include "crypto/chunked_cipher.h"

namespace lethe {

MediaReadAhead::MediaReadAhead(MediaLibrary& media, std::vector<MediaRecord> files)
    : media_(media), files_(std::move(files)), thread_([this] { Run(); }) {}

MediaReadAhead::~MediaReadAhead() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

Status MediaReadAhead::Next(Piece& piece) {
  std::unique_lock<std::mutex> lock(mu_);
  // The consumer is done with its old buffer: the reader may fill it.
  if (piece.bytes.size() == kPieceBytes) {
    free_.push_back(std::move(piece.bytes));
    changed_.notify_all();
  }
  piece = Piece{};
  changed_.wait(lock, [&] { return !ready_.empty() || !failed_.ok() || finished_; });
  if (!ready_.empty()) {  // pieces read before a failure still come first
    piece = std::move(ready_.front());
    ready_.pop_front();
    changed_.notify_all();
    return Status::Ok();
  }
  if (!failed_.ok()) return failed_;
  return Status::Internal("read ahead past the last media file");
}

bool MediaReadAhead::TakeFree(std::vector<uint8_t>& out) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return stopping_ || !free_.empty() || in_use_ < kSlots; });
  if (stopping_) return false;
  if (!free_.empty()) {
    out = std::move(free_.back());
    free_.pop_back();
  } else {
    ++in_use_;
    lock.unlock();  // allocate outside the lock
    out.resize(kPieceBytes);
  }
  return true;
}

void MediaReadAhead::Publish(Piece piece) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ready_.push_back(std::move(piece));
  }
  changed_.notify_all();
}

void MediaReadAhead::Fail(Status status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    failed_ = std::move(status);
  }
  changed_.notify_all();
}

void MediaReadAhead::Run() {
  for (size_t i = 0; i < files_.size(); ++i) {
    const MediaRecord& m = files_[i];
    if (m.bytes > 0) {
      auto reader = media_.Open(m, 0, static_cast<uint64_t>(m.bytes) - 1,
                                kPieceBytes / kChunkPlainBytes);  // one read per piece
      if (!reader.ok()) return Fail(reader.status());
      while ((*reader)->remaining() > 0) {
        Piece piece;
        piece.file = i;
        if (!TakeFree(piece.bytes)) return;
        auto n = (*reader)->Read(piece.bytes);
        if (!n.ok()) return Fail(n.status());
        if (*n == 0) return Fail(Status::DataLoss("a media file ended early"));
        piece.size = *n;
        Publish(std::move(piece));
      }
    }
    Piece end;
    end.file = i;
    end.end = true;
    Publish(std::move(end));
  }
  std::lock_guard<std::mutex> lock(mu_);
  finished_ = true;
  changed_.notify_all();
}

}  // namespace lethe
