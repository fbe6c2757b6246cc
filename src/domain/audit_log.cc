#include "domain/audit_log.h"

#include "crypto/secret_hash.h"

namespace lethe {
namespace {

// Length-prefixed fields: no two different events serialise alike.
void AppendField(std::string& out, const std::string& field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += ';';
}

}  // namespace

std::string AuditLog::HashOf(const AuditEvent& e) {
  std::string canonical = "lethe-audit-v1;";
  AppendField(canonical, std::to_string(e.seq));
  AppendField(canonical, e.id);
  AppendField(canonical, std::to_string(e.time_ms));
  AppendField(canonical, e.actor);
  AppendField(canonical, e.action);
  AppendField(canonical, e.target);
  AppendField(canonical, e.account_id);
  AppendField(canonical, e.ip);
  AppendField(canonical, e.request_id);
  AppendField(canonical, e.prev_hash);
  return Sha256Hex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(canonical.data()),
                                            canonical.size()));
}

Status AuditLog::Record(const std::string& actor, const std::string& action,
                        const std::string& target, const std::string& account_id,
                        const RequestOrigin& origin) {
  LETHE_ASSIGN_OR_RETURN(std::optional<AuditEvent> last, store_.LastAuditEvent());
  AuditEvent e;
  e.seq = last ? last->seq + 1 : 1;
  e.id = RandomId(random_, "aud_");
  e.time_ms = clock_.NowMillis();
  e.actor = actor;
  e.action = action;
  e.target = target;
  e.account_id = account_id;
  e.ip = origin.ip;
  e.request_id = origin.request_id;
  e.prev_hash = last ? last->hash : kAuditGenesisHash;
  e.hash = HashOf(e);
  return StatusOf(store_.AppendAuditEvent(e));
}

Result<AuditVerdict> AuditLog::Verify() {
  AuditVerdict verdict;
  std::string prev = kAuditGenesisHash;
  int64_t expected_seq = 1;
  int64_t after = 0;
  for (;;) {
    LETHE_ASSIGN_OR_RETURN(auto batch, store_.ListAuditEvents("", after, 1000));
    if (batch.empty()) break;
    for (const AuditEvent& e : batch) {
      std::string problem;
      if (e.seq != expected_seq) {
        problem = "sequence gap: expected seq " + std::to_string(expected_seq);
      } else if (e.prev_hash != prev) {
        problem = "does not link to its predecessor (removed or reordered events)";
      } else if (HashOf(e) != e.hash) {
        problem = "contents do not match its hash (edited)";
      }
      if (!problem.empty()) {
        verdict.intact = false;
        verdict.first_bad_seq = e.seq;
        verdict.problem = problem;
        return verdict;
      }
      prev = e.hash;
      ++expected_seq;
      ++verdict.events;
      after = e.seq;
    }
  }
  return verdict;
}

}  // namespace lethe
