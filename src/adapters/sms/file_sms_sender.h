// FileSmsSender: SmsSender that writes each message as one JSON file,
// <dir>/<id>.json = {"id", "to", "body"}, for development and tests: the
// directory stands in for the phone. The server's default when no SMS
// provider is configured (see ServeConfig::sms_outbox).
//
// A message is written to a hidden temp file, fdatasync'd, renamed over
// <id>.json and the directory fsync'd, so a reader sees the whole file or
// none. Files are mode 0600 and the directory 0700: they hold a number and
// a live code.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "common/status.h"
#include "ports/sms_sender.h"

namespace lethe {

class FileSmsSender final : public SmsSender {
 public:
  // Creates `dir` (mode 0700) if it is missing. Returns Internal when it
  // cannot be made.
  static Result<std::unique_ptr<FileSmsSender>> Open(const std::string& dir);

  // OK once <dir>/<id>.json is durable. InvalidArgument for a malformed
  // message (ValidateSmsMessage); Unavailable for a filesystem error.
  Status Send(const SmsMessage& message) override;

  // The path a message with `id` is written to.
  std::string PathFor(const std::string& id) const { return dir_ + "/" + id + ".json"; }

 private:
  explicit FileSmsSender(std::string dir) : dir_(std::move(dir)) {}

  const std::string dir_;
  std::atomic<uint64_t> temp_counter_{0};
};

}  // namespace lethe
