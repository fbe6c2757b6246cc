// AuditAnchor: the newest audit event's seq and hash, kept outside the
// metadata store. The hash chain alone cannot tell that its newest events
// were cut off; comparing its head with the anchor can (SEC-1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"

namespace lethe {

struct AuditHead {
  int64_t seq = 0;
  std::string hash;
};

class AuditAnchor {
 public:
  virtual ~AuditAnchor() = default;
  // Durably records `head` as the newest committed event.
  virtual Status Save(const AuditHead& head) = 0;
  // The last saved head; nullopt when none was ever saved.
  virtual Result<std::optional<AuditHead>> Load() = 0;
};

}  // namespace lethe
