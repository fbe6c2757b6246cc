// AuditLog (SEC-1): an append-only, hash-chained record of every state
// change. Each event's hash covers its own fields and its predecessor's
// hash, so editing, removing or reordering any event breaks the chain at
// that point, and Verify() names the first event where it breaks. With an
// AuditAnchor, cutting off the newest events is detected too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "domain/actor.h"
#include "domain/request_origin.h"
#include "ports/audit_anchor.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

// The hash that the first event links to.
inline constexpr const char* kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

struct AuditVerdict {
  bool intact = true;
  int64_t events = 0;
  int64_t first_bad_seq = 0;  // set when !intact
  std::string problem;        // what was wrong with it
};

class AuditLog {
 public:
  // `anchor` (may be null) keeps the chain's head outside the store, so
  // Verify() also detects removal of the newest events.
  AuditLog(MetadataStore& store, const Clock& clock, Random& random, AuditAnchor* anchor = nullptr)
      : store_(store), clock_(clock), random_(random), anchor_(anchor) {}

  // Appends one event in `tx`, the transaction of the change it records, so
  // the change and its event land or fail together. Transactions are
  // serializable, so two events never claim the same place in the chain.
  Status Record(MetadataTx& tx, const Actor& actor, const std::string& action,
                const std::string& target, const std::string& account_id,
                const RequestOrigin& origin);

  // Walks the whole chain. Returns Internal only if the store cannot be read;
  // a broken chain is a verdict, not an error.
  Result<AuditVerdict> Verify();

  // The hash of `e` given its fields and prev_hash (hex SHA-256).
  static std::string HashOf(const AuditEvent& e);

 private:
  MetadataStore& store_;
  const Clock& clock_;
  Random& random_;
  AuditAnchor* anchor_;
};

}  // namespace lethe
