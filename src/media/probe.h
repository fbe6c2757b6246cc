// Media probe: what an upload holds (duration, resolution, codecs, frame
// rate, rotation), read with FFmpeg's libavformat and libavcodec.
//
// The probe reads through a ByteSource (byte_source.h) wrapped in a custom
// AVIOContext, so the plaintext is streamed from wherever the caller keeps
// it (at ingest: the sealed blob, decrypted a chunk at a time) and never
// lands in a temporary file. It demuxes headers and, where the container
// does not say enough, decodes at most a few frames; it never renders.
//
// Untrusted input is bounded: libavformat reads at most `probe_bytes` and
// analyses at most `analyze_us` of streams, a wall-clock deadline stops any
// read or decode past it, decoders run on one thread, and a declared frame
// size over `max_pixels` is refused by the decoder before it allocates
// anything (a "zip bomb" image claiming 100000x100000 costs nothing).
//
// Thread-safe: each call has its own FFmpeg state.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "media/byte_source.h"

namespace lethe {

struct ProbeLimits {
  int64_t probe_bytes = 5 << 20;               // AVFormatContext::probesize
  int64_t analyze_us = 5'000'000;              // max_analyze_duration
  int64_t max_pixels = 100'000'000;            // per frame; larger is refused
  std::chrono::milliseconds deadline{10'000};  // wall clock for the whole probe
};

// What the probe found. Absent fields were not known (an image has no
// duration; audio has no width).
struct MediaProbe {
  std::string format;  // libavformat's demuxer name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
  std::optional<int64_t> duration_ms;
  std::optional<int64_t> width;           // of the first video stream, as stored
  std::optional<int64_t> height;          // (before rotation)
  std::vector<std::string> codecs;        // per audio/video stream, e.g. {"h264", "aac"}
  std::optional<std::string> frame_rate;  // "25/1", "30000/1001"
  // 0, 90, 180 or 270: the clockwise turn a player gives the stored picture
  // (ffmpeg's autorotate; the negative of the display matrix angle that
  // ffprobe prints).
  std::optional<int64_t> rotation;
};

// Probes `source`. On success returns what it found (with at least one
// audio or video stream). On failure returns
//   UnsupportedMedia("undecodable-media") when libavformat cannot demux
//     the bytes, finds no audio or video stream, or the container's index
//     points past the end of the bytes (a truncated file); the message
//     says which;
//   UnsupportedMedia("media-too-large-dimensions") when a frame is declared
//     larger than limits.max_pixels (for images whose decoder refused the
//     header, as libexiv2 reads the declared size; otherwise such an image
//     is "undecodable-media");
//   UnsupportedMedia("media-probe-limit") when the deadline passed first;
//   the source's error (DataLoss, Internal) when it could not be read.
// Nothing is retained after the call.
Result<MediaProbe> ProbeMedia(ByteSource& source, const ProbeLimits& limits = {});

}  // namespace lethe
