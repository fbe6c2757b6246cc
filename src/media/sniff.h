// Media sniffing: recognise an upload's container from its first bytes.
//
// An upload declares a Content-Type, but the declaration is the client's
// claim, not a fact. Before storing anything we read the first kSniffBytes
// of the body, identify the container family by its magic number and check
// that it agrees with the declaration. Only the container is checked, never
// the codecs inside it: that is enough to refuse HTML, scripts and other
// non-media masquerading as media, which is the point (a server that serves
// user bytes back must not let them be reinterpreted as something active).
//
// Pure functions over bytes: no I/O, no allocation beyond the result, safe to
// call on untrusted input of any length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lethe {

// What a stored media object is, for listing and for choosing a player.
enum class MediaKind { kVideo, kAudio, kImage };

// Returns "video", "audio" or "image".
std::string_view KindName(MediaKind kind);

// How many leading bytes of a body the sniffer wants. Callers may pass fewer
// (a tiny file) or more (they are ignored).
constexpr size_t kSniffBytes = 32;

// Returns the container family whose magic number starts `head`: one of
// "mp4" (ISO BMFF, including QuickTime), "matroska" (MKV and WebM), "ogg",
// "mp3", "wav", "flac", "jpeg", "png", "gif" or "webp". Returns nullopt when
// the bytes match none of them, including when `head` is too short to hold
// the magic number. The returned view points at static storage.
std::optional<std::string_view> SniffContainer(std::span<const uint8_t> head);

// The outcome of checking a declared Content-Type against the bytes.
struct SniffedMedia {
  MediaKind kind;
  // The content type to store and serve: the declared type lowercased and
  // without parameters, or a canonical type when the bytes chose it.
  std::string content_type;
};

// Checks `declared_content_type` (as sent by the client: any case, maybe
// with parameters such as ";codecs=...") against the sniffed container of
// `head`.
//
// On success returns the media kind and the content type to record. The kind
// follows the declared top-level type ("audio/mp4" is audio even though the
// container is shared with video), except application/ogg, which is audio.
// An empty declaration or "application/octet-stream" means "look at the
// bytes": the kind and a canonical content type are inferred from them.
//
// On failure returns Status::UnsupportedMedia("unsupported-media-type", ...)
// when the declared type is not one we store, when the bytes are not a
// recognised container, or when the two disagree; the message names both the
// declared type and what the bytes look like.
Result<SniffedMedia> MatchDeclared(std::string_view declared_content_type,
                                   std::span<const uint8_t> head);

}  // namespace lethe
