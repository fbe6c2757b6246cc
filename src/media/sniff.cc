#include "media/sniff.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace lethe {
namespace {

// True when `head` holds `magic` at `offset`.
bool HasAt(std::span<const uint8_t> head, size_t offset, std::string_view magic) {
  if (head.size() < offset || head.size() - offset < magic.size()) return false;
  return std::memcmp(head.data() + offset, magic.data(), magic.size()) == 0;
}

// An MPEG-1/2/2.5 audio frame header (ISO 11172-3): 11 sync bits, then
// version, layer, bitrate and sample-rate fields. A bare "FF Ex" pair is
// common in random data, so the reserved values of every field we can see
// are refused to keep false positives down.
bool IsMpegAudioFrame(std::span<const uint8_t> head) {
  if (head.size() < 2 || head[0] != 0xFF || (head[1] & 0xE0) != 0xE0) return false;
  const uint8_t version = (head[1] >> 3) & 0x3;  // 01 is reserved
  const uint8_t layer = (head[1] >> 1) & 0x3;    // 00 is reserved
  if (version == 0x1 || layer == 0x0) return false;
  if (head.size() >= 3) {
    const uint8_t bitrate = head[2] >> 4;              // 1111 is invalid
    const uint8_t sample_rate = (head[2] >> 2) & 0x3;  // 11 is reserved
    if (bitrate == 0xF || sample_rate == 0x3) return false;
  }
  return true;
}

struct Declared {
  std::string_view type;       // lowercase, without parameters
  std::string_view container;  // what SniffContainer must say
  MediaKind kind;
};

// Every content type we accept, and the container it must arrive in.
constexpr std::array<Declared, 23> kDeclared = {{
    {"video/mp4", "mp4", MediaKind::kVideo},
    {"audio/mp4", "mp4", MediaKind::kAudio},
    {"audio/x-m4a", "mp4", MediaKind::kAudio},
    {"video/quicktime", "mp4", MediaKind::kVideo},
    {"video/webm", "matroska", MediaKind::kVideo},
    {"audio/webm", "matroska", MediaKind::kAudio},
    {"video/x-matroska", "matroska", MediaKind::kVideo},
    {"audio/x-matroska", "matroska", MediaKind::kAudio},
    {"audio/ogg", "ogg", MediaKind::kAudio},
    {"video/ogg", "ogg", MediaKind::kVideo},
    {"application/ogg", "ogg", MediaKind::kAudio},
    {"audio/mpeg", "mp3", MediaKind::kAudio},
    {"audio/mp3", "mp3", MediaKind::kAudio},
    {"audio/wav", "wav", MediaKind::kAudio},
    {"audio/x-wav", "wav", MediaKind::kAudio},
    {"audio/wave", "wav", MediaKind::kAudio},
    {"audio/vnd.wave", "wav", MediaKind::kAudio},
    {"audio/flac", "flac", MediaKind::kAudio},
    {"audio/x-flac", "flac", MediaKind::kAudio},
    {"image/jpeg", "jpeg", MediaKind::kImage},
    {"image/png", "png", MediaKind::kImage},
    {"image/gif", "gif", MediaKind::kImage},
    {"image/webp", "webp", MediaKind::kImage},
}};

struct Canonical {
  std::string_view container;
  std::string_view type;
  MediaKind kind;
};

// What an upload without a useful declaration is recorded as.
constexpr std::array<Canonical, 10> kCanonical = {{
    {"mp4", "video/mp4", MediaKind::kVideo},
    {"matroska", "video/webm", MediaKind::kVideo},
    {"ogg", "audio/ogg", MediaKind::kAudio},
    {"mp3", "audio/mpeg", MediaKind::kAudio},
    {"wav", "audio/wav", MediaKind::kAudio},
    {"flac", "audio/flac", MediaKind::kAudio},
    {"jpeg", "image/jpeg", MediaKind::kImage},
    {"png", "image/png", MediaKind::kImage},
    {"gif", "image/gif", MediaKind::kImage},
    {"webp", "image/webp", MediaKind::kImage},
}};

// "Video/MP4 ; codecs=avc1" -> "video/mp4".
std::string NormalizeContentType(std::string_view declared) {
  declared = declared.substr(0, declared.find(';'));
  const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (!declared.empty() && is_space(declared.front())) declared.remove_prefix(1);
  while (!declared.empty() && is_space(declared.back())) declared.remove_suffix(1);
  std::string out(declared);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

Status Unsupported(std::string message) {
  return Status::UnsupportedMedia("unsupported-media-type", std::move(message));
}

}  // namespace

std::string_view KindName(MediaKind kind) {
  switch (kind) {
    case MediaKind::kVideo:
      return "video";
    case MediaKind::kAudio:
      return "audio";
    case MediaKind::kImage:
      return "image";
  }
  return "video";  // unreachable; keeps -Wreturn-type quiet
}

std::optional<std::string_view> SniffContainer(std::span<const uint8_t> head) {
  // ISO BMFF opens with a box whose type is "ftyp"; MOV uses the same box
  // with the "qt  " brand, so one check covers both.
  if (HasAt(head, 4, "ftyp")) return "mp4";
  if (HasAt(head, 0, "\x1A\x45\xDF\xA3")) return "matroska";
  if (HasAt(head, 0, "OggS")) return "ogg";
  if (HasAt(head, 0, "fLaC")) return "flac";
  if (HasAt(head, 0, "RIFF")) {
    if (HasAt(head, 8, "WAVE")) return "wav";
    if (HasAt(head, 8, "WEBP")) return "webp";
    return std::nullopt;  // AVI and other RIFF forms are not stored
  }
  if (HasAt(head, 0, "\x89PNG\r\n\x1A\n")) return "png";
  if (HasAt(head, 0, "GIF87a") || HasAt(head, 0, "GIF89a")) return "gif";
  // JPEG before MPEG audio: both start with 0xFF, but D8 lacks the sync bits.
  if (HasAt(head, 0, "\xFF\xD8\xFF")) return "jpeg";
  if (HasAt(head, 0, "ID3") || IsMpegAudioFrame(head)) return "mp3";
  return std::nullopt;
}

Result<SniffedMedia> MatchDeclared(std::string_view declared_content_type,
                                   std::span<const uint8_t> head) {
  const std::string declared = NormalizeContentType(declared_content_type);
  const std::optional<std::string_view> detected = SniffContainer(head);

  if (declared.empty() || declared == "application/octet-stream") {
    if (!detected) {
      return Unsupported("content is not a recognised media format (declared \"" + declared +
                         "\")");
    }
    for (const Canonical& c : kCanonical) {
      if (c.container == *detected) return SniffedMedia{c.kind, std::string(c.type)};
    }
    return Status::Internal("sniffed container without a canonical type");
  }

  const auto row = std::find_if(kDeclared.begin(), kDeclared.end(),
                                [&](const Declared& d) { return d.type == declared; });
  if (row == kDeclared.end()) {
    return Unsupported("declared content type \"" + declared + "\" is not a supported media type");
  }
  if (!detected) {
    return Unsupported("declared \"" + declared +
                       "\" but the content is not a recognised media format");
  }
  if (*detected != row->container) {
    return Unsupported("declared \"" + declared + "\" but the content looks like " +
                       std::string(*detected));
  }
  return SniffedMedia{row->kind, declared};
}

}  // namespace lethe
