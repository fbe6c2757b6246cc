// ReadMailText: parses the RFC 5322 text the mail adapters write back into
// headers and a decoded body, for tests. It is deliberately independent of
// src/adapters/mail/rfc5322.cc (its own unfolding, RFC 2047 and
// quoted-printable decoders), so a test compares what a mail reader would
// see with what was sent.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/encoding.h"

namespace lethe {

struct ReadMail {
  std::map<std::string, std::string> headers;  // raw (unfolded) values
  std::map<std::string, std::string> decoded;  // RFC 2047 words decoded
  std::string body;                            // quoted-printable decoded, CRLF line ends
  bool crlf_only = true;                       // no bare CR or LF anywhere
  bool seven_bit = true;                       // every byte < 0x80
  size_t longest_line = 0;                     // without the CRLF
};

namespace mail_reader_detail {

inline int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;  // quoted-printable uses uppercase only
}

// Decodes "=?UTF-8?B?...?=" words; whitespace between two words is dropped.
inline std::optional<std::string> DecodeWords(std::string_view v) {
  std::string out;
  std::string gap;  // whitespace after an encoded word, dropped if another follows
  bool after_word = false;
  size_t i = 0;
  while (i < v.size()) {
    if (v.substr(i, 2) == "=?") {
      size_t end = v.find("?=", i + 2);
      std::string_view word = v.substr(i, end == std::string_view::npos ? end : end + 2 - i);
      if (!word.starts_with("=?UTF-8?B?") || !word.ends_with("?=")) return std::nullopt;
      auto bytes = Base64Decode(word.substr(10, word.size() - 12));
      if (!bytes) return std::nullopt;
      if (!after_word) out += gap;
      gap.clear();
      out.append(bytes->begin(), bytes->end());
      after_word = true;
      i += word.size();
      continue;
    }
    if (after_word && (v[i] == ' ' || v[i] == '\t')) {
      gap += v[i++];
      continue;
    }
    out += gap;
    gap.clear();
    after_word = false;
    out += v[i++];
  }
  return out + gap;
}

// Undoes header folding: CRLF followed by whitespace.
inline std::string Unfold(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v.substr(i, 3) == "\r\n " || v.substr(i, 3) == "\r\n\t") {
      ++i;
      continue;
    }
    out += v[i];
  }
  return out;
}

inline std::optional<std::string> DecodeQuotedPrintable(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] != '=') {
      out += v[i];
      continue;
    }
    if (v.substr(i + 1, 2) == "\r\n") {
      i += 2;  // soft line break
      continue;
    }
    if (i + 2 >= v.size()) return std::nullopt;
    int hi = HexValue(v[i + 1]), lo = HexValue(v[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

}  // namespace mail_reader_detail

// Returns std::nullopt when `raw` has no header/body separator, a header
// line without a colon, or a malformed encoded-word or quoted-printable.
inline std::optional<ReadMail> ReadMailText(std::string_view raw) {
  using namespace mail_reader_detail;
  ReadMail mail;
  for (size_t i = 0, start = 0; i < raw.size(); ++i) {
    if (static_cast<unsigned char>(raw[i]) >= 0x80) mail.seven_bit = false;
    bool crlf = raw[i] == '\r' && i + 1 < raw.size() && raw[i + 1] == '\n';
    if ((raw[i] == '\r' && !crlf) || (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))) {
      mail.crlf_only = false;
    }
    if (crlf) {
      mail.longest_line = std::max(mail.longest_line, i - start);
      start = i + 2;
    }
  }
  size_t split = raw.find("\r\n\r\n");
  if (split == std::string_view::npos) return std::nullopt;
  std::string_view head = raw.substr(0, split + 2);
  std::string current;
  auto finish = [&]() -> bool {
    if (current.empty()) return true;
    size_t colon = current.find(':');
    if (colon == std::string::npos) return false;
    std::string name = current.substr(0, colon);
    std::string value = current.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.erase(0, 1);
    auto decoded = DecodeWords(value);
    if (!decoded) return false;
    mail.headers[name] = value;
    mail.decoded[name] = *decoded;
    current.clear();
    return true;
  };
  size_t pos = 0;
  while (pos < head.size()) {
    size_t eol = head.find("\r\n", pos);
    std::string_view line = head.substr(pos, eol - pos);
    pos = eol + 2;
    if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
      current += line;  // folded: the CRLF goes, the whitespace stays
      continue;
    }
    if (!finish()) return std::nullopt;
    current = std::string(line);
  }
  if (!finish()) return std::nullopt;
  auto body = DecodeQuotedPrintable(raw.substr(split + 4));
  if (!body) return std::nullopt;
  mail.body = std::move(*body);
  return mail;
}

}  // namespace lethe
