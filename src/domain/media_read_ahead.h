// MediaReadAhead: the plaintext of a run of media files, read and decrypted
// on a thread of its own a few pieces ahead of the one consumer.
//
// Why: a subject export checksums (CRC-32, inside libarchive) and hands on
// one piece while the next is read and decrypted; done in turn on one
// thread, decrypting (about a third of the export's CPU) stalled the rest.
// Memory stays flat: at most kSlots pieces of kPieceBytes exist at once.
//
// The thread starts in the constructor and is stopped and joined by the
// destructor, which may run at any point (a client that disconnects).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "common/status.h"
#include "domain/media_library.h"

namespace lethe {

class MediaReadAhead {
 public:
  static constexpr size_t kPieceBytes = 1024 * 1024;
  static constexpr size_t kSlots = 3;

  // One piece of file `file` (an index into the constructor's `files`):
  // `size` bytes at the front of `bytes`, or, with `end` set, no bytes and
  // the news that the file has been read whole.
  struct Piece {
    size_t file = 0;
    std::vector<uint8_t> bytes;
    size_t size = 0;
    bool end = false;
  };

  // Starts reading `files` in order, whole.
  MediaReadAhead(MediaLibrary& media, std::vector<MediaRecord> files);
  ~MediaReadAhead();
  MediaReadAhead(const MediaReadAhead&) = delete;
  MediaReadAhead& operator=(const MediaReadAhead&) = delete;

  // Waits for the next piece and swaps it into `piece` (whose old buffer is
  // reused). Internal when called after the last file's end. Errors as from
  // MediaLibrary::Open and MediaReader::Read (DataLoss when a chunk fails
  // authentication or a file ends early); after one, every call returns it.
  Status Next(Piece& piece);

 private:
  void Run();
  // Waits for a free buffer; false when stopping.
  bool TakeFree(std::vector<uint8_t>& out);
  void Publish(Piece piece);
  void Fail(Status status);

  MediaLibrary& media_;
  const std::vector<MediaRecord> files_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Piece> ready_;                 // guarded by mu_
  std::vector<std::vector<uint8_t>> free_;  // guarded by mu_
  size_t in_use_ = 0;                       // buffers made; guarded by mu_
  Status failed_;                           // guarded by mu_
  bool finished_ = false;                   // guarded by mu_: every file read
  bool stopping_ = false;                   // guarded by mu_
  std::thread thread_;                      // last: starts after the rest exists
};

}  // namespace lethe
