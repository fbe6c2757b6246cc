// FileMailer: Mailer that writes each message as one RFC 5322 file,
// <dir>/<id>.eml, for an operator's MTA (or a person) to pick up. The
// server's default, under <data>/outbox-mail/.
//
// A message is written to a hidden temp file (.<id>.<n>.tmp), fdatasync'd,
// renamed over <id>.eml and the directory fsync'd: a reader sees the whole
// file or none, and OK means it survives a crash. Because the file is named
// by the message id, a retried send replaces the first copy instead of
// adding a second. Files are mode 0600 (the directory 0700): they hold
// addresses and message text.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "common/status.h"
#include "ports/clock.h"
#include "ports/mailer.h"

namespace lethe {

class FileMailer final : public Mailer {
 public:
  // Creates `dir` (mode 0700) if it is missing and removes temp files a
  // crash left in it. One FileMailer per directory. Returns Internal if the
  // directory cannot be made or read.
  static Result<std::unique_ptr<FileMailer>> Open(const std::string& dir, const Clock& clock);

  // OK once <dir>/<id>.eml is durable. InvalidArgument for a message that
  // cannot be written safely (see ValidateMailMessage); Unavailable for a
  // filesystem error (a full disk, EIO), which a retry may get past.
  Status Send(const MailMessage& message) override;

  // The path a message with `id` is written to.
  std::string PathFor(const std::string& id) const { return dir_ + "/" + id + ".eml"; }

 private:
  FileMailer(std::string dir, const Clock& clock) : dir_(std::move(dir)), clock_(clock) {}

  const std::string dir_;
  const Clock& clock_;
  std::atomic<uint64_t> temp_counter_{0};
};

}  // namespace lethe
