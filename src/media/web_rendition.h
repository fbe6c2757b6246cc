// Web renditions (issue 14): a media re-encoded for playback everywhere,
// made inside the media worker process (worker_main.h). The first video
// stream becomes H.264 (libx264, yuv420p, at most `max_width` pixels wide
// with the aspect kept and even dimensions), the first audio stream AAC
// (FFmpeg's encoder, resampled as needed), muxed as MP4 with the index
// ("moov") before the media data, so a player can start before the whole
// file arrived (faststart). The rotation (display matrix) is kept. Audio
// alone gives an AAC-only MP4; a still image is not transcoded.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "common/status.h"

namespace lethe {

struct WebRenditionOptions {
  int max_width = 1280;
  int crf = 23;                       // x264 constant quality (lower: better)
  std::string preset = "veryfast";    // x264 speed against size
  int audio_bit_rate = 128000;        // AAC, for stereo (mono gets half)
  uint64_t max_bytes = 512ull << 20;  // the MP4, which is built in memory
  int threads = 1;                    // encoder threads (the CPU limit is per process)
  // Told the share of the input done so far, 0 to 1, at most every 1 %.
  std::function<void(double)> progress;
};

// The MP4 bytes. Unprocessable("media-undecodable") when the media has no
// audio or video stream that decodes (a still image included);
// Unprocessable("processing-limit") for a picture past kMaxDecodePixels or
// an MP4 past options.max_bytes; Internal when an encoder is missing.
Result<std::string> MakeWebRendition(std::span<const uint8_t> media,
                                     const WebRenditionOptions& options = {});

}  // namespace lethe
