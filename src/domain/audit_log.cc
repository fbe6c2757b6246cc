#include "domain/audit_log.h"

#include <iostream>

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

Status AuditLog::Record(MetadataTx& tx, const Actor& actor, const std::string& action,
                        const std::string& target, const std::string& account_id,
                        const RequestOrigin& origin) {
  LETHE_ASSIGN_OR_RETURN(std::optional<AuditEvent> last, tx.LastAuditEvent());
  AuditEvent e;
  e.seq = last ? last->seq + 1 : 1;
  e.id = RandomId(random_, "aud_");
  e.time_ms = clock_.NowMillis();
  e.actor = actor.audit_text();
  e.action = action;
  e.target = target;
  e.account_id = account_id;
  e.ip = origin.ip;
  e.request_id = origin.request_id;
  e.prev_hash = last ? last->hash : kAuditGenesisHash;
  e.hash = HashOf(e);
  LETHE_RETURN_IF_ERROR(tx.AppendAuditEvent(e));
  if (anchor_) {
    // Only a committed event may become the anchor; a crash before this
    // leaves the anchor behind the chain, which Verify() accepts. Events of
    // one transaction commit together, so its newest is the only one to
    // anchor: one anchor write per transaction, not one per event.
    tx.AfterCommitOnce(anchor_, [anchor = anchor_, head = AuditHead{e.seq, e.hash}] {
      Status st = anchor->Save(head);
      if (!st.ok()) std::cerr << "lethe: " << st.ToString() << "\n";
    });
  }
  return Status::Ok();
}

Result<AuditVerdict> AuditLog::Verify() {
  AuditVerdict verdict;
  std::optional<AuditHead> anchored;
  if (anchor_) {
    LETHE_ASSIGN_OR_RETURN(anchored, anchor_->Load());
  }
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
      if (anchored && e.seq == anchored->seq && e.hash != anchored->hash) {
        verdict.intact = false;
        verdict.first_bad_seq = e.seq;
        verdict.problem = "differs from the anchored head (the chain was rewritten)";
        return verdict;
      }
      prev = e.hash;
      ++expected_seq;
      ++verdict.events;
      after = e.seq;
    }
  }
  if (anchored && anchored->seq > verdict.events) {
    verdict.intact = false;
    verdict.first_bad_seq = verdict.events + 1;
    verdict.problem = "missing: the anchor says the chain reached seq " +
                      std::to_string(anchored->seq) + " (newest events removed)";
  }
  return verdict;
}

}  // namespace lethe
