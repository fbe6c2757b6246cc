// Posters (issue 14): a still WebP image of a media object, made inside the
// media worker process. For a video, the frame at 10 % of its duration
// (the demuxer's); for an image, the image itself; at most `max_width`
// pixels wide, the height following the aspect ratio.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "common/status.h"

namespace lethe {

inline constexpr int kPosterMaxWidth = 640;

// The WebP bytes. Unprocessable("media-undecodable") when the media has no
// decodable picture; Unprocessable("processing-limit") for a picture past
// kMaxDecodePixels.
Result<std::string> MakePoster(std::span<const uint8_t> media, int max_width = kPosterMaxWidth);

}  // namespace lethe
