// Mp4Blanker: scrubs an MP4 or MOV of its metadata while the upload
// streams through, before the bytes are sealed, so that the scrub costs
// no second pass over the file (issue 14's bar: probe and scrub add at
// most 10 % to ingest).
//
// It does in place what the remux of scrub_mp4.cc does by rewriting: every
// `udta`, `meta` and `uuid` box at the top level, in `moov` and in each
// `trak` (where ©xyz / ISO 6709 locations, make, model, software, dates
// and XMP live) becomes a `free` box of the same size with a zeroed body,
// and the creation and modification times of `mvhd`, `tkhd` and `mdhd`
// become zero. Offsets do not move, so the sample tables stay valid and
// the media data (`mdat`) passes through untouched; the display matrix
// (rotation) in `tkhd` and everything else are kept.
//
// What it cannot blank it leaves as it is and says so (complete() false),
// for the remux to finish: a box of interest over `max_box_bytes` or
// malformed. Timed-metadata tracks (per-frame location samples in `mdat`)
// are not its business either: the caller checks the result with
// libavformat and remuxes when anything revealing is left.
//
// Every change is undoable: undo() holds the original bytes of each range
// it changed, so that the caller can restore the file exactly as given
// when the processing gate refuses the scrub (a restricted end user's
// file is stored as it came). The undo data is as sensitive as the file
// and lives in memory only.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "common/status.h"
#include "media/byte_source.h"

namespace lethe {

// `original` was at `offset` before the blanker changed it.
struct BytePatch {
  uint64_t offset = 0;
  std::vector<uint8_t> original;
};

class Mp4Blanker {
 public:
  // Receives the output in order; its error stops the blanker.
  using Sink = std::function<Status(std::span<const uint8_t>)>;
  static constexpr uint64_t kDefaultMaxBoxBytes = 32ull << 20;

  explicit Mp4Blanker(Sink sink, uint64_t max_box_bytes = kDefaultMaxBoxBytes)
      : sink_(std::move(sink)), max_box_bytes_(max_box_bytes) {}

  // Takes the next bytes of the file and passes on as much as it can (a
  // box it has to change is held until it is whole). Returns the sink's
  // error.
  Status Feed(std::span<const uint8_t> bytes);
  // Passes on whatever is held (a box cut short by the end of the file
  // goes unchanged). Returns the sink's error.
  Status Finish();

  // The original bytes of every range changed, in file order.
  const std::vector<BytePatch>& undo() const { return undo_; }
  // False when some box that may carry metadata went through unchanged.
  bool complete() const { return complete_; }

 private:
  enum class State { kHeader, kPassBox, kHoldBox, kPassRest };
  Status Emit(std::span<const uint8_t> bytes);
  // Blanks what it should in the whole box `box` (at file offset `at`).
  void BlankTopLevel(std::vector<uint8_t>& box, uint64_t at);
  // Walks the children of the container whose body is box[begin, end).
  bool BlankChildren(std::vector<uint8_t>& box, size_t begin, size_t end, uint64_t at, int depth);
  void Blank(std::vector<uint8_t>& box, size_t begin, size_t end, uint64_t at);
  void ZeroTimes(std::vector<uint8_t>& box, size_t begin, size_t end, uint64_t at);
  void Patch(std::vector<uint8_t>& box, size_t from, size_t to, uint64_t at,
             std::span<const uint8_t> replacement);

  Sink sink_;
  uint64_t max_box_bytes_;
  State state_ = State::kHeader;
  uint64_t offset_ = 0;        // file offset of the next byte fed
  std::vector<uint8_t> held_;  // a header being read, or a box being held
  uint64_t box_size_ = 0;      // size of the box being passed or held
  uint64_t box_left_ = 0;      // its bytes still to pass
  uint64_t box_offset_ = 0;    // where it starts in the file
  std::vector<BytePatch> undo_;
  bool complete_ = true;
};

// Reads `base` as it was before the blanker changed it: the file as the
// client sent it.
class UndoneByteSource final : public ByteSource {
 public:
  UndoneByteSource(ByteSource& base, const std::vector<BytePatch>& undo)
      : base_(base), undo_(undo) {}
  uint64_t size() const override { return base_.size(); }
  Result<size_t> ReadAt(uint64_t offset, std::span<uint8_t> out) override;

 private:
  ByteSource& base_;
  const std::vector<BytePatch>& undo_;
};

}  // namespace lethe
