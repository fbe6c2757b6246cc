#include "domain/erasures.h"

#include <algorithm>

#include "common/utf8.h"
#include "crypto/secret_hash.h"

namespace lethe {

std::string CoarsenIp(const std::string& ip) {
  if (ip.find(':') != std::string::npos) {
    // Keep the first three groups (a /48); "::" inside them ends the prefix.
    std::string out;
    int groups = 0;
    size_t pos = 0;
    while (groups < 3 && pos < ip.size()) {
      size_t colon = ip.find(':', pos);
      std::string group =
          ip.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
      if (group.empty()) break;  // "::": the rest of the prefix is zeros
      out += group + ":";
      ++groups;
      if (colon == std::string::npos) break;
      pos = colon + 1;
    }
    return out.empty() ? "::" : out + ":";
  }
  size_t last = ip.rfind('.');
  if (last == std::string::npos || std::count(ip.begin(), ip.end(), '.') != 3) return "";
  return ip.substr(0, last) + ".0";
}

std::string MajorVersion(const std::string& version) {
  return version.substr(0, version.find('.'));
}

Erasures::Erasures(MetadataStore& store, MediaLibrary& media, KeyRing& keys, JobQueue& jobs,
                   AuditLog& audit, const Clock& clock, Random& random)
    : store_(store),
      media_(media),
      keys_(keys),
      jobs_(jobs),
      audit_(audit),
      clock_(clock),
      random_(random) {
  jobs_.Handle(kJobKind, [this](const JobRecord& job) { return Purge(job); });
}

Result<ErasureRecord> Erasures::EraseEndUser(const Principal& who, const std::string& end_user,
                                             const RequestOrigin& origin) {
  if (end_user.empty() || end_user.size() > 256 || !IsValidUtf8(end_user)) {
    return Status::InvalidArgument("invalid-field",
                                   "the end user must be UTF-8 text of 1 to 256 bytes");
  }
  ErasureRecord e;
  e.id = RandomId(random_, "era_");
  e.account_id = who.account.id;
  e.subject = end_user;
  e.state = "pending";
  e.created_ms = clock_.NowMillis();
  // The job first: if the process dies before the key is gone, the purge
  // destroys it on restart.
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(
        audit_.Record(tx, who.credential_id, "end_user.erase", e.id, e.account_id, origin));
    // The receipt names this event: where the chain stood at the erasure.
    LETHE_ASSIGN_OR_RETURN(std::optional<AuditEvent> recorded, tx.LastAuditEvent());
    if (recorded) {
      e.audit_seq = recorded->seq;
      e.audit_hash = recorded->hash;
    }
    LETHE_RETURN_IF_ERROR(tx.InsertErasure(e));
    return StatusOf(jobs_.Enqueue(tx, kJobKind, e.id));
  }));
  Status destroyed = keys_.DestroySubjectKey(e.account_id, end_user);
  if (!destroyed.ok() && destroyed.code() != Status::Code::kNotFound) return destroyed;
  e.state = "keys-destroyed";
  e.keys_destroyed_ms = clock_.NowMillis();
  // A purge that already finished must not be set back.
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(ErasureRecord now, tx.FindErasure(e.account_id, e.id));
    if (now.state == "done") {
      e = now;
      return Status::Ok();
    }
    return tx.UpdateErasure(e);
  }));
  e.subject.clear();  // never shown back
  return e;
}

Result<ErasureRecord> Erasures::Get(const std::string& account_id, const std::string& id) {
  LETHE_ASSIGN_OR_RETURN(ErasureRecord e, store_.FindErasure(account_id, id));
  e.subject.clear();
  return e;
}

Status Erasures::Purge(const JobRecord& job) {
  LETHE_ASSIGN_OR_RETURN(ErasureRecord e, store_.FindErasure("", job.payload));
  if (e.state == "done") return Status::Ok();
  Status destroyed = keys_.DestroySubjectKey(e.account_id, e.subject);
  if (!destroyed.ok() && destroyed.code() != Status::Code::kNotFound) return destroyed;
  if (!e.keys_destroyed_ms) e.keys_destroyed_ms = clock_.NowMillis();
  RequestOrigin purge{e.id, "", "", "", "", "", ""};
  LETHE_ASSIGN_OR_RETURN(int media,
                         media_.EraseEndUserMedia(e.account_id, e.subject, "lethe:erasure", purge));
  int64_t usage = 0;
  for (;;) {
    UsageQuery q;
    q.account_id = e.account_id;
    q.end_user = e.subject;
    q.limit = 1000;
    LETHE_ASSIGN_OR_RETURN(auto events, store_.ListUsageEvents(q));
    if (events.empty()) break;
    LETHE_RETURN_IF_ERROR(store_.Transact(
        [&](MetadataTx& tx) -> Status {
          for (const UsageEvent& ev : events) {
            LETHE_RETURN_IF_ERROR(tx.DeidentifyUsageEvent(ev.seq, CoarsenIp(ev.ip),
                                                          MajorVersion(ev.browser_version)));
          }
          return Status::Ok();
        },
        Durability::kPowerLoss));
    usage += static_cast<int64_t>(events.size());
  }
  e.media_erased += media;
  e.usage_deidentified += usage;
  e.state = "done";
  e.subject.clear();
  e.purged_ms = clock_.NowMillis();
  return store_.Transact([&](MetadataTx& tx) { return tx.UpdateErasure(e); });
}

}  // namespace lethe
