// Mailer: hands one plain-text email to whatever delivers it (a directory
// an operator's MTA picks up, or an SMTP relay).
//
// Send() is at-least-once friendly: a message carries its own id, and an
// adapter that is handed the same id twice replaces rather than duplicates
// where it can (the file mailer does; SMTP cannot take a message back).
// The caller owns retries: it keeps the message until Send() returns OK or
// a permanent failure, and backs off on Unavailable.
//
// Status contract, shared by every adapter:
//   OK                  handed over durably (written and synced, or accepted
//                       by the SMTP server with a 250 after DATA).
//   Unavailable         transient: worth retrying later (connection refused,
//                       timeout, SMTP 4xx, a full disk, a TLS or login
//                       problem the operator has to fix).
//   InvalidArgument     permanent: the message itself is malformed (a CR or
//                       LF in a header value, a bad address, an id that is
//                       not a safe file name, text that is not UTF-8).
//   FailedPrecondition  permanent: the server refused this message (5xx).
// Status messages never contain addresses, subjects or text, so callers may
// log them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace lethe {

struct MailMessage {
  // 1..128 characters of [A-Za-z0-9_-]: the file name and the local part of
  // the Message-ID, so a retried send is recognisably the same message.
  std::string id;
  std::string from;     // addr-spec, ASCII: "noreply@lethe.example"
  std::string to;       // addr-spec, ASCII, one recipient
  std::string subject;  // UTF-8, one line
  std::string text;     // UTF-8 body; LF, CRLF or CR line ends
  // Further header fields, in order (e.g. List-Unsubscribe, RFC 8058): a
  // name of letters, digits and '-', a value of printable ASCII on one line.
  std::vector<std::pair<std::string, std::string>> headers;
};

class Mailer {
 public:
  virtual ~Mailer() = default;

  // Hands `message` over; see the contract above. Thread-safe.
  virtual Status Send(const MailMessage& message) = 0;
};

}  // namespace lethe
