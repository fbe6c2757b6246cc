#include "http/multipart.h"

#include <cstring>
#include <utility>
#include <vector>

namespace lethe {
namespace {

Status BadRequest(std::string message) {
  return Status::InvalidArgument("bad-request", std::move(message));
}

char ToLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ToLower(c);
  return out;
}

bool IsOws(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

// RFC 9110 tchar.
bool IsTokenChar(char c) {
  constexpr std::string_view kPunct = "!#$%&'*+-.^_`|~";
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         kPunct.find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

struct Param {
  std::string name;  // lowercased
  std::string value;
};

// Parses `*( OWS ";" OWS name "=" value )`, where value is a token or a
// quoted string. Returns nullopt when malformed. Inside quotes, a backslash
// escapes only '"' and '\': browsers do not escape backslashes in file
// names (the HTML spec percent-encodes '"' instead), so "C:\a\b" must
// survive.
std::optional<std::vector<Param>> ParseParams(std::string_view s) {
  std::vector<Param> params;
  while (true) {
    s = Trim(s);
    if (s.empty()) return params;
    if (s.front() != ';') return std::nullopt;
    s = Trim(s.substr(1));
    if (s.empty()) return params;  // a trailing ';' is harmless
    const size_t eq = s.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    const std::string_view name = Trim(s.substr(0, eq));
    if (!IsToken(name)) return std::nullopt;
    s = Trim(s.substr(eq + 1));
    std::string value;
    if (!s.empty() && s.front() == '"') {
      size_t i = 1;
      for (; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '"' || s[i + 1] == '\\')) ++i;
        if (s[i] == '\r' || s[i] == '\n') return std::nullopt;
        value += s[i];
      }
      if (i == s.size()) return std::nullopt;  // unterminated
      s.remove_prefix(i + 1);
    } else {
      size_t i = 0;
      while (i < s.size() && IsTokenChar(s[i])) ++i;
      if (i == 0) return std::nullopt;
      value = std::string(s.substr(0, i));
      s.remove_prefix(i);
    }
    params.push_back({Lower(name), std::move(value)});
  }
}

const Param* FindParam(const std::vector<Param>& params, std::string_view name) {
  for (const Param& p : params) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

// Parses a part's header block (including its final empty line).
Result<PartHeaders> ParsePartHeaders(std::string_view block) {
  PartHeaders out;
  bool have_disposition = false;
  std::vector<std::pair<std::string, std::string>> fields;
  while (!block.empty()) {
    const size_t eol = block.find("\r\n");
    if (eol == std::string_view::npos) return BadRequest("unterminated part header line");
    const std::string_view line = block.substr(0, eol);
    block.remove_prefix(eol + 2);
    if (line.empty()) break;    // the blank line ending the block
    if (IsOws(line.front())) {  // obsolete line folding: continue the last field
      if (fields.empty()) return BadRequest("part header block starts with a continuation");
      fields.back().second += ' ';
      fields.back().second += Trim(line);
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
      return BadRequest("malformed part header line");
    }
    fields.emplace_back(Lower(line.substr(0, colon)), std::string(Trim(line.substr(colon + 1))));
  }

  for (const auto& [name, value] : fields) {
    if (name == "content-type") {
      out.content_type = value;
    } else if (name == "content-disposition") {
      if (have_disposition) return BadRequest("part has two Content-Disposition headers");
      have_disposition = true;
      const std::string_view v = value;
      const size_t semi = v.find(';');
      if (Lower(Trim(v.substr(0, semi))) != "form-data") {
        return BadRequest("part Content-Disposition is not form-data");
      }
      const auto params =
          ParseParams(semi == std::string_view::npos ? std::string_view() : v.substr(semi));
      if (!params) return BadRequest("malformed part Content-Disposition parameters");
      const Param* field_name = FindParam(*params, "name");
      if (field_name == nullptr) return BadRequest("part Content-Disposition has no name");
      out.name = field_name->value;
      if (const Param* filename = FindParam(*params, "filename")) out.filename = filename->value;
    }
  }
  if (!have_disposition) return BadRequest("part has no Content-Disposition header");
  return out;
}

}  // namespace

bool IsValidBoundary(std::string_view boundary) {
  if (boundary.empty() || boundary.size() > kMaxBoundaryBytes || boundary.back() == ' ') {
    return false;
  }
  constexpr std::string_view kPunct = "'()+_,-./:=? ";
  for (char c : boundary) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && kPunct.find(c) == std::string_view::npos) return false;
  }
  return true;
}

Result<std::string> BoundaryFromContentType(std::string_view content_type) {
  const size_t semi = content_type.find(';');
  if (Lower(Trim(content_type.substr(0, semi))) != "multipart/form-data") {
    return Status::UnsupportedMedia("unsupported-media-type",
                                    "expected Content-Type multipart/form-data");
  }
  if (semi == std::string_view::npos) return BadRequest("multipart/form-data without a boundary");
  const auto params = ParseParams(content_type.substr(semi));
  if (!params) return BadRequest("malformed Content-Type parameters");
  const Param* boundary = FindParam(*params, "boundary");
  if (boundary == nullptr) return BadRequest("multipart/form-data without a boundary");
  if (!IsValidBoundary(boundary->value)) return BadRequest("invalid multipart boundary");
  return boundary->value;
}

MultipartParser::MultipartParser(std::string boundary, MultipartCallbacks callbacks)
    : delimiter_("\r\n--" + boundary), callbacks_(std::move(callbacks)) {
  if (!IsValidBoundary(boundary)) status_ = BadRequest("invalid multipart boundary");
  // The first delimiter may open the body without a CRLF before it; pretend
  // the CRLF was already matched. A preamble mismatch costs nothing since
  // preamble bytes are dropped.
  matched_ = 2;
}

Status MultipartParser::Fail(Status status) {
  status_ = std::move(status);
  return status_;
}

Status MultipartParser::Emit(std::span<const uint8_t> data) {
  if (state_ != State::kBody || data.empty() || !callbacks_.on_part_data) return Status::Ok();
  return callbacks_.on_part_data(data);
}

Status MultipartParser::StartPart() {
  LETHE_ASSIGN_OR_RETURN(PartHeaders headers, ParsePartHeaders(header_block_));
  header_block_.clear();
  state_ = State::kBody;
  if (callbacks_.on_part_begin) return callbacks_.on_part_begin(headers);
  return Status::Ok();
}

// The delimiter contains '\r' only at index 0 (bchars exclude CR), so when a
// partial match fails no shorter suffix of it can be a new match: the held
// bytes are plain data and the scan restarts at the failing byte. That is
// what lets us keep a partial match as a count instead of a copy.
Status MultipartParser::Scan(std::span<const uint8_t> in, size_t* consumed, bool* found) {
  const uint8_t* p = in.data();
  const size_t n = in.size();
  size_t external = matched_;  // matched bytes that arrived in earlier Feeds
  // Where the current partial match starts in `in`; 0 for one carried over.
  size_t match_start = 0;
  size_t i = 0;
  *found = false;
  while (i < n) {
    if (matched_ == 0) {
      const void* cr = std::memchr(p + i, '\r', n - i);
      if (cr == nullptr) {
        i = n;
        break;
      }
      i = static_cast<size_t>(static_cast<const uint8_t*>(cr) - p);
      match_start = i++;
      matched_ = 1;
      continue;
    }
    if (p[i] == static_cast<uint8_t>(delimiter_[matched_])) {
      ++i;
      if (++matched_ == delimiter_.size()) {
        matched_ = 0;
        *consumed = i;
        *found = true;
        return Emit(in.first(match_start));  // the data before the delimiter
      }
      continue;
    }
    // Not a delimiter after all: the held prefix is data. Bytes held from an
    // earlier Feed precede everything in `in`, so they go out first.
    if (external > 0) {
      LETHE_RETURN_IF_ERROR(Emit(
          std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(delimiter_.data()), external)));
      external = 0;
    }
    matched_ = 0;  // and rescan p[i], which may be the '\r' of a new match
  }
  *consumed = n;
  // Hold back a partial match at the end; pass on everything before it.
  return Emit(in.first(matched_ == 0 ? n : match_start));
}

Status MultipartParser::Feed(std::span<const uint8_t> bytes) {
  if (!status_.ok()) return status_;
  size_t i = 0;
  while (i < bytes.size()) {
    switch (state_) {
      case State::kPreamble:
      case State::kBody: {
        size_t consumed = 0;
        bool found = false;
        Status st = Scan(bytes.subspan(i), &consumed, &found);
        if (!st.ok()) return Fail(std::move(st));
        i += consumed;
        if (found) {
          if (state_ == State::kBody && callbacks_.on_part_end) {
            st = callbacks_.on_part_end();
            if (!st.ok()) return Fail(std::move(st));
          }
          state_ = State::kAfterDelimiter;
          line_bytes_ = 0;
        }
        break;
      }
      case State::kAfterDelimiter:
      case State::kPadding: {
        const char c = static_cast<char>(bytes[i++]);
        if (c == '-' && state_ == State::kAfterDelimiter) {
          state_ = State::kCloseDash;
        } else if (IsOws(c)) {
          state_ = State::kPadding;
          if (++line_bytes_ > kMaxPartHeaderBytes) {
            return Fail(BadRequest("too much padding after a multipart delimiter"));
          }
        } else if (c == '\r') {
          state_ = State::kExpectLf;
        } else {
          return Fail(BadRequest("malformed multipart delimiter line"));
        }
        break;
      }
      case State::kCloseDash:
        if (bytes[i++] != '-') return Fail(BadRequest("malformed multipart close delimiter"));
        state_ = State::kEpilogue;
        break;
      case State::kExpectLf:
        if (bytes[i++] != '\n') {
          return Fail(BadRequest("multipart delimiter line not ended by CRLF"));
        }
        if (++parts_ > kMaxParts) return Fail(BadRequest("too many parts in multipart body"));
        state_ = State::kHeaders;
        header_block_.clear();
        break;
      case State::kHeaders: {
        // Copy up to the end of the block or the size limit, whichever is
        // first; the block ends with an empty line, which may be its first.
        while (i < bytes.size()) {
          header_block_ += static_cast<char>(bytes[i++]);
          const std::string_view b = header_block_;
          if (b == "\r\n" || b.ends_with("\r\n\r\n")) {
            Status st = StartPart();
            if (!st.ok()) return Fail(std::move(st));
            break;
          }
          if (header_block_.size() >= kMaxPartHeaderBytes) {
            return Fail(BadRequest("multipart part headers too large"));
          }
        }
        break;
      }
      case State::kEpilogue:
        i = bytes.size();  // RFC 2046: the epilogue is to be ignored
        break;
    }
  }
  return Status::Ok();
}

Status MultipartParser::Finish() {
  if (!status_.ok()) return status_;
  if (state_ != State::kEpilogue) {
    return Fail(BadRequest("multipart body ended before its close delimiter"));
  }
  return Status::Ok();
}

}  // namespace lethe
