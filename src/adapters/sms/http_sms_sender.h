// HttpSmsSender: SmsSender that hands each message to an SMS provider's
// HTTP API: one POST of application/json {"to": "+...", "body": "..."} to
// the configured URL, with "Authorization: Bearer <token>", bounded by a
// connect and a total timeout. A 2xx answer is success; anything else is
// an error value (see the port's contract), never retried here: the
// customer asks for a new code.
//
// The provider is the operator's own infrastructure, configured at start
// like the SMTP relay (--sms-url, --sms-token-file); it receives a phone
// number and a code, so when it is an outside service it belongs in the
// sub-processor registry (SHR-2). The token is never logged or put in a
// Status. Redirects are not followed.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/status.h"
#include "ports/sms_sender.h"

namespace lethe {

struct HttpSmsOptions {
  std::string url;    // http:// or https://
  std::string token;  // the bearer secret
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds total_timeout{10'000};
};

class HttpSmsSender final : public SmsSender {
 public:
  // Returns InvalidArgument ("sms-bad-url") unless options.url is an
  // absolute http(s) URL with a host and no user info or fragment;
  // ("sms-bad-token") for an empty token or one holding a control
  // character; Internal when libcurl cannot start.
  static Result<std::unique_ptr<HttpSmsSender>> Create(const HttpSmsOptions& options);
  ~HttpSmsSender() override;

  // OK on a 2xx answer. Unavailable when no answer came (refused, reset,
  // timed out, TLS failure) or on 5xx / 429; FailedPrecondition
  // ("sms-refused") on any other status; InvalidArgument for a malformed
  // message (ValidateSmsMessage), which is not sent.
  Status Send(const SmsMessage& message) override;

 private:
  explicit HttpSmsSender(const HttpSmsOptions& options) : options_(options) {}

  const HttpSmsOptions options_;
};

}  // namespace lethe
