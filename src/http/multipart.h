// Multipart: a streaming multipart/form-data parser (RFC 7578, RFC 2046 5.1).
//
// Media uploads arrive as multipart/form-data bodies that may be gigabytes
// long, so the parser never holds a whole part: the body is fed in whatever
// pieces the network delivers and part contents are handed straight to a
// callback. The only bytes it keeps are one part's header block (at most
// kMaxPartHeaderBytes) and, implicitly, a partial match of the delimiter,
// which is always a prefix of the delimiter itself and so needs no copy.
//
// The parser is strict where laxness would be ambiguous (lines end in CRLF,
// every part has a Content-Disposition: form-data with a name, the body ends
// with the close delimiter) and lenient where RFC 2046 asks it to be (any
// preamble, transport padding after a delimiter, any epilogue).
//
// Pure C++: no I/O and no networking types, so it can be fuzzed directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/status.h"

namespace lethe {

constexpr size_t kMaxPartHeaderBytes = 8 * 1024;
constexpr size_t kMaxParts = 64;
constexpr size_t kMaxBoundaryBytes = 70;  // RFC 2046 5.1.1

// Extracts the boundary parameter from a request's Content-Type, e.g.
// `multipart/form-data; boundary="abc"`. Parameter names are matched
// case-insensitively and the value may be a token or a quoted string.
//
// Returns the boundary (without quotes) on success. Returns
// UnsupportedMedia("unsupported-media-type") when the media type is not
// multipart/form-data, and InvalidArgument("bad-request") when the
// parameters are malformed or the boundary is missing, empty, longer than
// 70 bytes or uses characters RFC 2046 does not allow.
Result<std::string> BoundaryFromContentType(std::string_view content_type);

// Returns true when `boundary` is 1..70 RFC 2046 bchars, not ending in space.
bool IsValidBoundary(std::string_view boundary);

// What a part says about itself.
struct PartHeaders {
  std::string name;                     // Content-Disposition name
  std::optional<std::string> filename;  // present for file fields, maybe ""
  std::string content_type;             // the part's Content-Type, or ""
};

// The parser's consumer. Any callback may be empty, which means "accept and
// ignore". A callback that returns a non-OK Status stops the parse, and that
// Status is what Feed returns, now and on every later call.
struct MultipartCallbacks {
  std::function<Status(const PartHeaders&)> on_part_begin;
  // Called with consecutive pieces of the current part's body, as large as
  // the fed bytes allow. The span is only valid during the call.
  std::function<Status(std::span<const uint8_t>)> on_part_data;
  std::function<Status()> on_part_end;
};

class MultipartParser {
 public:
  // `boundary` is the value from BoundaryFromContentType. An invalid boundary
  // is not fatal here; it makes every Feed and Finish fail with bad-request.
  MultipartParser(std::string boundary, MultipartCallbacks callbacks);

  MultipartParser(const MultipartParser&) = delete;
  MultipartParser& operator=(const MultipartParser&) = delete;

  // Consumes the next `bytes` of the body; the body may be split anywhere.
  // Returns OK when everything so far is well-formed. Returns
  // InvalidArgument("bad-request") on malformed input, a header block over
  // kMaxPartHeaderBytes or more than kMaxParts parts, or the Status of a
  // failed callback. After a failure the parser is stuck: every later call
  // returns the same Status.
  Status Feed(std::span<const uint8_t> bytes);
  Status Feed(std::string_view bytes) {
    return Feed(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }

  // Declares the end of the body. Returns OK if the close delimiter was seen
  // (every on_part_begin has then had its on_part_end). Returns
  // InvalidArgument("bad-request") if the body stopped early, or the earlier
  // failure if there was one.
  Status Finish();

  // The number of parts begun so far.
  size_t parts() const { return parts_; }

 private:
  enum class State {
    kPreamble,        // before the first delimiter; discarded
    kAfterDelimiter,  // just after "--boundary": "--", padding or CRLF next
    kCloseDash,       // saw one '-' of the close delimiter
    kPadding,         // transport padding (spaces, tabs) before CRLF
    kExpectLf,        // saw the CR ending a delimiter line
    kHeaders,         // inside a part's header block
    kBody,            // inside a part's body
    kEpilogue,        // after the close delimiter; discarded
  };

  Status Fail(Status status);
  // Scans for the delimiter in preamble or body, passing body bytes on.
  // Sets *consumed to the bytes used and *found when a delimiter ended.
  Status Scan(std::span<const uint8_t> in, size_t* consumed, bool* found);
  Status Emit(std::span<const uint8_t> data);
  Status StartPart();

  std::string delimiter_;  // "\r\n--" + boundary
  MultipartCallbacks callbacks_;
  State state_ = State::kPreamble;
  Status status_;          // sticky failure
  size_t matched_ = 0;     // bytes of delimiter_ matched so far
  size_t line_bytes_ = 0;  // padding after a delimiter, bounded like headers
  std::string header_block_;
  size_t parts_ = 0;
};

}  // namespace lethe
