// FileAuditAnchor: AuditAnchor in one small file (`<data>/audit.anchor`),
// replaced atomically (write, fsync, rename, fsync the directory), so a
// crash leaves either the old head or the new one.
#pragma once

#include <string>

#include "ports/audit_anchor.h"

namespace lethe {

class FileAuditAnchor final : public AuditAnchor {
 public:
  explicit FileAuditAnchor(std::string path) : path_(std::move(path)) {}
  Status Save(const AuditHead& head) override;
  Result<std::optional<AuditHead>> Load() override;

 private:
  std::string path_;
};

}  // namespace lethe
