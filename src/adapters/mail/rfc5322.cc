#include "adapters/mail/rfc5322.h"

#include <cctype>

#include "common/encoding.h"
#include "common/time_format.h"
#include "common/utf8.h"

namespace lethe {
namespace {

constexpr size_t kMaxIdChars = 128;
constexpr size_t kMaxAddressChars = 254;  // RFC 5321 path limit less the brackets
constexpr size_t kMaxLocalPartChars = 64;
constexpr size_t kMaxLabelChars = 63;
// Encoded-word input per word: 36 bytes become 48 base64 characters, so
// "Subject: =?UTF-8?B?...?=" stays within 78 columns.
constexpr size_t kEncodedWordBytes = 36;
constexpr size_t kMaxPlainSubjectChars = 78 - sizeof("Subject: ") + 1;
// Quoted-printable lines hold at most 76 characters including the "=" of a
// soft line break.
constexpr size_t kMaxQpChars = 75;

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

bool IsAtext(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// A dot-atom local part and a domain of LDH labels: what Lethe accepts at
// sign-up. Quoted local parts and address literals are refused, not parsed.
bool IsAddrSpec(std::string_view addr) {
  if (addr.empty() || addr.size() > kMaxAddressChars) return false;
  size_t at = addr.find('@');
  if (at == std::string_view::npos || addr.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  std::string_view local = addr.substr(0, at);
  std::string_view domain = addr.substr(at + 1);
  if (local.empty() || local.size() > kMaxLocalPartChars) return false;
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) {
    return false;
  }
  for (char c : local) {
    if (c != '.' && !IsAtext(c)) return false;
  }
  if (domain.empty()) return false;
  size_t start = 0;
  for (;;) {
    size_t dot = domain.find('.', start);
    std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.size() > kMaxLabelChars) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool IsSafeId(std::string_view id) {
  if (id.empty() || id.size() > kMaxIdChars) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

bool HasControl(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

bool IsPlainAscii(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// Length of the UTF-8 sequence led by `lead` (input already validated).
size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead < 0xe0) return 2;
  if (lead < 0xf0) return 3;
  return 4;
}

Status Injection(const char* field) {
  return Status::InvalidArgument("mail-header-injection",
                                 std::string("a line break in the ") + field + " header");
}

std::string DomainOf(std::string_view addr) { return std::string(addr.substr(addr.find('@') + 1)); }

}  // namespace

Status ValidateMailMessage(const MailMessage& m) {
  // Line breaks first: whatever else is wrong, an injection attempt is
  // reported as one.
  if (HasLineBreak(m.id)) return Injection("Message-ID");
  if (HasLineBreak(m.from)) return Injection("From");
  if (HasLineBreak(m.to)) return Injection("To");
  if (HasLineBreak(m.subject)) return Injection("Subject");
  if (!IsSafeId(m.id)) {
    return Status::InvalidArgument("mail-bad-id", "the message id is not 1-128 of [A-Za-z0-9_-]");
  }
  if (!IsAddrSpec(m.from)) {
    return Status::InvalidArgument("mail-bad-address", "the From address is not an addr-spec");
  }
  if (!IsAddrSpec(m.to)) {
    return Status::InvalidArgument("mail-bad-address", "the To address is not an addr-spec");
  }
  if (!IsValidUtf8(m.subject) || HasControl(m.subject)) {
    return Status::InvalidArgument("mail-not-utf8", "the subject is not one line of UTF-8 text");
  }
  if (!IsValidUtf8(m.text)) {
    return Status::InvalidArgument("mail-not-utf8", "the body is not UTF-8");
  }
  for (const auto& [name, value] : m.headers) {
    if (HasLineBreak(value)) return Injection("extra");
    bool name_ok = !name.empty() && name.size() <= 76;
    for (char c : name) {
      name_ok = name_ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-');
    }
    bool value_ok = value.size() <= 900;
    for (char c : value) value_ok = value_ok && c >= 0x20 && c < 0x7f;
    if (!name_ok || !value_ok) {
      return Status::InvalidArgument("mail-bad-header",
                                     "an extra header is not a token name and printable ASCII");
    }
  }
  return Status::Ok();
}

std::string FormatMailDate(int64_t millis) {
  // IMF-fixdate ends in "GMT", an obsolete zone in RFC 5322: use +0000.
  std::string http = FormatHttpDate(millis);
  return http.substr(0, http.size() - 3) + "+0000";
}

std::string EncodeSubject(std::string_view text) {
  if (IsPlainAscii(text) && text.size() <= kMaxPlainSubjectChars &&
      text.find("=?") == std::string_view::npos) {
    return std::string(text);
  }
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = pos;
    while (end < text.size()) {
      size_t next = end + SequenceLength(static_cast<unsigned char>(text[end]));
      if (next - pos > kEncodedWordBytes) break;
      end = next;
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64Encode(text.substr(pos, end - pos)) + "?=";
    pos = end;
  }
  return out;
}

std::string EncodeQuotedPrintable(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 8 + 2);
  std::string line;  // the physical line being built
  auto encoded = [](unsigned char c) { return std::string{'=', kHex[c >> 4], kHex[c & 0xf]}; };
  size_t i = 0;
  while (i <= text.size()) {
    // One logical line: up to the next CR, LF or CRLF.
    size_t end = text.find_first_of("\r\n", i);
    if (end == std::string_view::npos) end = text.size();
    std::string_view logical = text.substr(i, end - i);
    for (size_t k = 0; k < logical.size(); ++k) {
      unsigned char c = static_cast<unsigned char>(logical[k]);
      bool last = k + 1 == logical.size();
      auto token_for = [&](bool line_start) {
        bool literal = c >= 33 && c <= 126 && c != '=';
        if ((c == ' ' || c == '\t') && !last) literal = true;
        if (c == '.' && line_start) literal = false;  // never an SMTP end of data
        return literal ? std::string(1, static_cast<char>(c)) : encoded(c);
      };
      std::string token = token_for(line.empty());
      if (line.size() + token.size() > kMaxQpChars) {
        out += line + "=\r\n";
        line.clear();
        token = token_for(true);
      }
      line += token;
    }
    out += line + "\r\n";
    line.clear();
    if (end == text.size()) break;
    i = end + ((text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ? 2 : 1);
    if (i == text.size()) break;  // the text ended with a line break
  }
  return out;
}

Result<std::string> FormatMailMessage(const MailMessage& m, int64_t date_millis) {
  LETHE_RETURN_IF_ERROR(ValidateMailMessage(m));
  std::string out;
  out.reserve(512 + m.text.size() + m.text.size() / 4);
  out += "Date: " + FormatMailDate(date_millis) + "\r\n";
  out += "From: " + m.from + "\r\n";
  out += "To: " + m.to + "\r\n";
  out += "Subject: " + EncodeSubject(m.subject) + "\r\n";
  out += "Message-ID: <" + m.id + "@" + DomainOf(m.from) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += "Content-Transfer-Encoding: quoted-printable\r\n";
  // RFC 3834: machine-sent, so auto-responders do not answer it.
  out += "Auto-Submitted: auto-generated\r\n";
  // A value that would pass 78 columns is folded after the colon, so it
  // (an unsubscribe URL) starts a line of its own; it is never split, since
  // a URL may not be.
  for (const auto& [name, value] : m.headers) {
    bool fold = name.size() + 2 + value.size() > 78;
    out += name + (fold ? ":\r\n " : ": ") + value + "\r\n";
  }
  out += "\r\n";
  out += EncodeQuotedPrintable(m.text);
  return out;
}

}  // namespace lethe
