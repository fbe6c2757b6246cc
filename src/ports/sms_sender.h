// SmsSender: hands one text message to whatever delivers it to a phone (a
// directory a developer or a test reads, or an SMS provider's HTTP API).
// Lethe sends only one-time codes this way (ACC-4).
//
// A message holds a secret (the code): an adapter keeps no copy of it
// beyond what delivery needs, and Status messages never contain the
// number or the text, so callers may log them.
//
// Status contract, shared by every adapter:
//   OK                  handed over (a file written and synced, or the
//                       provider answered 2xx).
//   Unavailable         transient: worth retrying later (connection
//                       refused, timeout, a provider 5xx or 429, a full
//                       disk).
//   InvalidArgument     permanent: the message itself is malformed (a
//                       number that is not E.164, an id that is not a safe
//                       file name, an empty or over-long text).
//   FailedPrecondition  permanent: the provider refused this message (4xx
//                       but 429).
// Send() blocks up to the adapter's timeout: call it off the network
// threads (handlers run on the blocking pool). Thread-safe.
#pragma once

#include <string>

#include "common/status.h"

namespace lethe {

struct SmsMessage {
  // 1..128 characters of [A-Za-z0-9_-]: names the message (the file name
  // of the file sender), never a secret.
  std::string id;
  std::string to;    // E.164: "+" and 8 to 15 digits, the first not 0
  std::string body;  // UTF-8, 1..480 bytes (three concatenated SMS)
};

class SmsSender {
 public:
  virtual ~SmsSender() = default;

  // Hands `message` over; see the contract above.
  virtual Status Send(const SmsMessage& message) = 0;
};

// True when `number` is E.164 as above ("+14155550123").
bool IsE164(const std::string& number);

// OK when `message` is well formed (see SmsMessage); InvalidArgument
// ("sms-malformed") naming the field, never its value, otherwise.
Status ValidateSmsMessage(const SmsMessage& message);

}  // namespace lethe
