// The Internet Message Format text of a MailMessage, shared by every mail
// adapter so a message written to the outbox and one sent over SMTP are the
// same bytes.
//
// The text is 7-bit clean with CRLF line ends and no line over 78
// characters: headers Date, From, To, Subject, Message-ID, MIME-Version,
// Content-Type (text/plain; charset=utf-8), Content-Transfer-Encoding
// (quoted-printable) and Auto-Submitted; then the body, quoted-printable.
// A non-ASCII subject becomes RFC 2047 encoded-words (UTF-8, base64), split
// only between characters. A body line starting with "." has the dot
// encoded, so no SMTP dot-stuffing is ever needed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "ports/mailer.h"

namespace lethe {

// Returns OK when every field of `message` can be written safely, else
// InvalidArgument with reason mail-header-injection (CR or LF in a header
// value), mail-bad-address, mail-bad-id or mail-not-utf8. The message of the
// Status names the field, never its value.
Status ValidateMailMessage(const MailMessage& message);

// The whole message, dated `date_millis` (Unix epoch, UTC). Returns
// InvalidArgument as ValidateMailMessage does.
Result<std::string> FormatMailMessage(const MailMessage& message, int64_t date_millis);

// The value of a Subject header: `text` itself when it is short printable
// ASCII, else encoded-words joined by folding whitespace (CRLF SP). `text`
// must be valid UTF-8 without control characters.
std::string EncodeSubject(std::string_view text);

// Quoted-printable (RFC 2045 section 6.7) of `text` with its line ends
// (LF, CR or CRLF) made CRLF hard line breaks. Always ends with CRLF.
std::string EncodeQuotedPrintable(std::string_view text);

// The "Date:" value for `millis`: "Sun, 06 Nov 1994 08:49:37 +0000".
std::string FormatMailDate(int64_t millis);

}  // namespace lethe
