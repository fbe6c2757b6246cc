#include "media/mp4_blanker.h"

#include <algorithm>
#include <cstring>
#include <string_view>

namespace lethe {
namespace {

constexpr int kMaxDepth = 4;  // moov > trak > mdia > mdhd

uint32_t Be32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

uint64_t Be64(const uint8_t* p) { return (uint64_t{Be32(p)} << 32) | Be32(p + 4); }

std::string_view TypeAt(const std::vector<uint8_t>& box, size_t at) {
  return {reinterpret_cast<const char*>(box.data() + at + 4), 4};
}

// Boxes that hold tags, XMP or vendor data rather than media structure.
bool Revealing(std::string_view type) { return type == "udta" || type == "meta" || type == "uuid"; }

// Top-level boxes held whole and rewritten.
bool Held(std::string_view type) { return type == "moov" || Revealing(type); }

}  // namespace

Status Mp4Blanker::Emit(std::span<const uint8_t> bytes) {
  if (bytes.empty()) return Status::Ok();
  return sink_(bytes);
}

Status Mp4Blanker::Feed(std::span<const uint8_t> bytes) {
  while (!bytes.empty()) {
    switch (state_) {
      case State::kHeader: {
        // 8 bytes, or 16 when the size is the 64-bit one after the type.
        size_t want = held_.size() >= 8 && Be32(held_.data()) == 1 ? 16 : 8;
        size_t take = std::min(bytes.size(), want - held_.size());
        held_.insert(held_.end(), bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(take));
        bytes = bytes.subspan(take);
        offset_ += take;
        if (held_.size() < want) break;
        if (want == 8 && Be32(held_.data()) == 1) break;  // read the 64-bit size next
        const uint32_t size32 = Be32(held_.data());
        const std::string_view type = TypeAt(held_, 0);
        box_offset_ = offset_ - held_.size();
        if (size32 == 0 || (want == 16 ? Be64(held_.data() + 8) : size32) < want) {
          // To the end of the file, or malformed: nothing after it can be
          // walked, so the rest goes as it is.
          if (Held(type) || size32 != 0) complete_ = false;
          state_ = State::kPassRest;
          LETHE_RETURN_IF_ERROR(Emit(held_));
          held_.clear();
          break;
        }
        box_size_ = want == 16 ? Be64(held_.data() + 8) : size32;
        box_left_ = box_size_ - held_.size();
        if (Held(type) && box_size_ <= max_box_bytes_) {
          held_.reserve(box_size_);
          state_ = State::kHoldBox;
        } else {
          if (Held(type)) complete_ = false;  // too large to hold: the remux's
          LETHE_RETURN_IF_ERROR(Emit(held_));
          held_.clear();
          state_ = State::kPassBox;
        }
        if (box_left_ == 0) {
          if (state_ == State::kHoldBox) {
            BlankTopLevel(held_, box_offset_);
            LETHE_RETURN_IF_ERROR(Emit(held_));
            held_.clear();
          }
          state_ = State::kHeader;
        }
        break;
      }
      case State::kPassBox:
      case State::kHoldBox: {
        size_t take = static_cast<size_t>(std::min<uint64_t>(bytes.size(), box_left_));
        if (state_ == State::kPassBox) {
          LETHE_RETURN_IF_ERROR(Emit(bytes.first(take)));
        } else {
          held_.insert(held_.end(), bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(take));
        }
        bytes = bytes.subspan(take);
        offset_ += take;
        box_left_ -= take;
        if (box_left_ == 0) {
          if (state_ == State::kHoldBox) {
            BlankTopLevel(held_, box_offset_);
            LETHE_RETURN_IF_ERROR(Emit(held_));
            held_.clear();
            held_.shrink_to_fit();
          }
          state_ = State::kHeader;
        }
        break;
      }
      case State::kPassRest:
        offset_ += bytes.size();
        LETHE_RETURN_IF_ERROR(Emit(bytes));
        bytes = {};
        break;
    }
  }
  return Status::Ok();
}

Status Mp4Blanker::Finish() {
  // A box cut short by the end of the file was never walked.
  if (state_ == State::kHoldBox) complete_ = false;
  Status st = Emit(held_);
  held_.clear();
  state_ = State::kPassRest;
  return st;
}

void Mp4Blanker::BlankTopLevel(std::vector<uint8_t>& box, uint64_t at) {
  const size_t header = Be32(box.data()) == 1 ? 16 : 8;
  if (TypeAt(box, 0) != "moov") {
    Blank(box, 0, box.size(), at);
  } else if (!BlankChildren(box, header, box.size(), at, 1)) {
    complete_ = false;
  }
}

bool Mp4Blanker::BlankChildren(std::vector<uint8_t>& box, size_t begin, size_t end, uint64_t at,
                               int depth) {
  size_t pos = begin;
  while (end - pos >= 8) {
    uint64_t size = Be32(box.data() + pos);
    size_t header = 8;
    if (size == 1) {
      if (end - pos < 16) return false;
      size = Be64(box.data() + pos + 8);
      header = 16;
    } else if (size == 0) {
      size = end - pos;
    }
    if (size < header || size > end - pos) return false;
    const std::string_view type = TypeAt(box, pos);
    const size_t child_end = pos + static_cast<size_t>(size);
    if (Revealing(type)) {
      Blank(box, pos, child_end, at);
    } else if ((type == "trak" || type == "mdia") && depth < kMaxDepth) {
      if (!BlankChildren(box, pos + header, child_end, at, depth + 1)) return false;
    } else if (type == "mvhd" || type == "tkhd" || type == "mdhd") {
      ZeroTimes(box, pos + header, child_end, at);
    }
    pos = child_end;
  }
  return true;  // a few bytes of padding at the end are allowed
}

void Mp4Blanker::Blank(std::vector<uint8_t>& box, size_t begin, size_t end, uint64_t at) {
  // The size stays (with the 64-bit one, if any); the type and body change.
  const size_t header = Be32(box.data() + begin) == 1 ? 16 : 8;
  std::vector<uint8_t> blank(end - begin - 4, 0);
  std::memcpy(blank.data(), "free", 4);
  std::copy(box.begin() + static_cast<ptrdiff_t>(begin + 8),
            box.begin() + static_cast<ptrdiff_t>(begin + header), blank.begin() + 4);
  Patch(box, begin + 4, end, at, blank);
}

void Mp4Blanker::ZeroTimes(std::vector<uint8_t>& box, size_t begin, size_t end, uint64_t at) {
  // Full box: version, 3 bytes of flags, then creation and modification
  // times, 32-bit in version 0 and 64-bit in version 1.
  if (end - begin < 4) return;
  const size_t width = box[begin] == 1 ? 8 : 4;
  const size_t from = begin + 4, to = from + 2 * width;
  if (to > end) return;
  if (std::all_of(box.begin() + static_cast<ptrdiff_t>(from),
                  box.begin() + static_cast<ptrdiff_t>(to), [](uint8_t b) { return b == 0; })) {
    return;
  }
  std::vector<uint8_t> zeros(to - from, 0);
  Patch(box, from, to, at, zeros);
}

void Mp4Blanker::Patch(std::vector<uint8_t>& box, size_t from, size_t to, uint64_t at,
                       std::span<const uint8_t> replacement) {
  undo_.push_back({at + from, std::vector<uint8_t>(box.begin() + static_cast<ptrdiff_t>(from),
                                                   box.begin() + static_cast<ptrdiff_t>(to))});
  std::copy(replacement.begin(), replacement.end(), box.begin() + static_cast<ptrdiff_t>(from));
}

Result<size_t> UndoneByteSource::ReadAt(uint64_t offset, std::span<uint8_t> out) {
  LETHE_ASSIGN_OR_RETURN(size_t n, base_.ReadAt(offset, out));
  const uint64_t end = offset + n;
  for (const BytePatch& p : undo_) {
    const uint64_t p_end = p.offset + p.original.size();
    if (p_end <= offset || p.offset >= end) continue;
    const uint64_t from = std::max(offset, p.offset), to = std::min(end, p_end);
    std::memcpy(out.data() + (from - offset), p.original.data() + (from - p.offset), to - from);
  }
  return n;
}

}  // namespace lethe
