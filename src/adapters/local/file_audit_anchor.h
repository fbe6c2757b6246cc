// FileAuditAnchor: AuditAnchor in one small file (`<data>/audit.anchor`),
// replaced atomically (write, fsync, rename, fsync the directory), so a
// crash leaves either the old head or the new one.
//
// Transactions commit concurrently and each saves its head afterwards. Saves
// are grouped: while one write runs, later heads wait, and the next write
// saves only the newest of them. Save(head) returns once a head at least as
// new is on disk, so the anchor never moves backwards.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>

#include "ports/audit_anchor.h"

namespace lethe {

class FileAuditAnchor final : public AuditAnchor {
 public:
  explicit FileAuditAnchor(std::string path) : path_(std::move(path)) {}
  Status Save(const AuditHead& head) override;
  Result<std::optional<AuditHead>> Load() override;

 private:
  Status Write(const AuditHead& head);

  std::string path_;
  std::mutex mu_;
  std::condition_variable written_;
  bool writing_ = false;
  AuditHead newest_;       // the newest head asked for
  int64_t saved_seq_ = 0;  // the newest head on disk, from this process
};

}  // namespace lethe
