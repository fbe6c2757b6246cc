// SmtpMailer: Mailer that relays each message to an SMTP server with
// libcurl, as the same RFC 5322 text FileMailer writes.
//
// The server is named by a URL:
//   smtps://[user:password@]host[:465][/helo-name]   TLS from the first byte
//   smtp://[user:password@]host[:587][/helo-name]    STARTTLS if offered
//   smtp://...?starttls=required                     STARTTLS or no send
// Credentials come only from the URL (percent-encoded) and are never logged
// or put in a Status. Certificates are verified against the system store.
// Each Send() is one SMTP session (connect, EHLO, [STARTTLS, AUTH,] MAIL
// FROM, RCPT TO, DATA, QUIT) bounded by a connect and a total timeout;
// outgoing mail is rare enough that a pooled connection is not worth its
// failure modes.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"
#include "ports/clock.h"
#include "ports/mailer.h"

namespace lethe {

struct SmtpOptions {
  std::string url;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{60'000};
};

class SmtpMailer final : public Mailer {
 public:
  // Returns InvalidArgument (reason smtp-bad-url) unless `options.url` is an
  // smtp:// or smtps:// URL with a host and no query parameter other than
  // starttls=required, and the timeouts are positive.
  static Result<std::unique_ptr<SmtpMailer>> Create(const SmtpOptions& options, const Clock& clock);
  ~SmtpMailer() override;

  // OK once the server answered 250 to the end of DATA. Unavailable on a
  // connection failure, a timeout, a TLS failure (including STARTTLS
  // required but not offered), a refused login, or a 4xx reply.
  // FailedPrecondition (reason smtp-rejected) on a 5xx reply to MAIL, RCPT
  // or DATA: this message will never be accepted. InvalidArgument for a
  // message that cannot be written safely (see ValidateMailMessage).
  Status Send(const MailMessage& message) override;

  // The URL without credentials, for logs: "smtp://relay.example:587".
  const std::string& redacted_url() const { return redacted_url_; }

 private:
  SmtpMailer(std::string url, std::string redacted_url, bool require_tls,
             const SmtpOptions& options, const Clock& clock);

  const std::string url_;  // as given to curl: may hold credentials
  const std::string redacted_url_;
  const bool require_tls_;
  const std::chrono::milliseconds connect_timeout_;
  const std::chrono::milliseconds total_timeout_;
  const Clock& clock_;
};

}  // namespace lethe
