// Metadata scrubbing (issue 14): removes what a file says about where,
// when and with what device it was made, keeping the picture and sound.
//
//   JPEG, PNG, WebP (libexiv2): every Exif.GPSInfo tag, device make and
//     model, serial numbers, the maker note, and the thumbnail in EXIF
//     (IFD1); their XMP counterparts (GPS, make, model, serials). Kept:
//     orientation, the ICC colour profile and everything else.
//   MP4 and MOV (libavformat): remuxed without re-encoding, with no
//     container metadata (ffmpeg's -map_metadata -1: creation_time, ©xyz /
//     ISO 6709 location, make, model, software) and no creation_time,
//     location or device tags on the streams; timed-metadata tracks
//     (per-frame location) are dropped. Audio, video and subtitle streams
//     and their display matrix (rotation) are copied as they are.
//   Other containers: nothing is removed.
//
// Memory: the scrubbed file is built in memory, so each call holds at most
// `limits.max_bytes` of output (and, for images, the input too). An MP4 is
// read through the ByteSource (streamed) and only rewritten when it has
// something to remove; a file that needs no change is never copied.
//
// Reported names are from fixed vocabularies (exiv2's tag keys, our list
// of MP4 keys, "other" for anything else), never values, so they can go in
// the audit chain.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "media/byte_source.h"

namespace lethe {

struct ScrubLimits {
  uint64_t max_bytes = 512ull << 20;  // output (and image input) held in memory
  int64_t probe_bytes = 5 << 20;      // as ProbeLimits
  int64_t analyze_us = 5'000'000;
  std::chrono::milliseconds deadline{60'000};
};

struct ScrubResult {
  std::vector<std::string> removed;  // sorted, unique; empty: nothing to remove
  // The scrubbed file; unset when nothing was removed (keep the original).
  std::optional<std::vector<uint8_t>> bytes;
};

// True when ScrubMetadata can remove anything from `container` (a
// SniffContainer() name: "jpeg", "png", "webp", "mp4").
bool ScrubHandles(std::string_view container);

// Scrubs `source`, a file of `container`. On success returns the names
// removed and, when there were any, the new bytes. On failure:
//   TooLarge("scrub-too-large") when there is something to remove but the
//     file (or its rewrite) is over limits.max_bytes;
//   UnsupportedMedia("unscrubbable-media") when the metadata cannot be
//     parsed or written (a corrupt file), so its absence cannot be shown;
//   the source's error when it cannot be read.
Result<ScrubResult> ScrubMetadata(std::string_view container, ByteSource& source,
                                  const ScrubLimits& limits = {});

// What an MP4 or MOV says about itself, as ScrubMetadata sees it:
// `revealing` names what makes a scrub necessary (location, dates, device,
// a data track; empty: nothing to remove, the file stays as it is), and
// `removed` what a scrub would then remove with it (other container tags
// such as the encoder). Both sorted. For a file scrubbed in place
// (mp4_blanker.h), read through its undo, so that it describes what the
// client sent. UnsupportedMedia("unscrubbable-media") when it cannot be
// demuxed; the source's error.
struct Mp4Metadata {
  std::vector<std::string> revealing;
  std::vector<std::string> removed;
};
Result<Mp4Metadata> ReadMp4Metadata(ByteSource& source, const ScrubLimits& limits = {});

}  // namespace lethe
