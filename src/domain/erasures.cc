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

Result<int64_t> DeidentifyUsage(MetadataStore& store, const std::string& account_id,
                                const std::optional<std::string>& end_user) {
  int64_t usage = 0;
  UsageQuery q;
  q.account_id = account_id;
  q.end_user = end_user;
  q.limit = 1000;
  for (;;) {
    LETHE_ASSIGN_OR_RETURN(auto events, store.ListUsageEvents(q));
    if (events.empty()) return usage;
    LETHE_RETURN_IF_ERROR(store.Transact(
        [&](MetadataTx& tx) -> Status {
          for (const UsageEvent& ev : events) {
            LETHE_RETURN_IF_ERROR(tx.DeidentifyUsageEvent(ev.seq, CoarsenIp(ev.ip),
                                                          MajorVersion(ev.browser_version)));
          }
          return Status::Ok();
        },
        Durability::kPowerLoss));
    usage += static_cast<int64_t>(events.size());
    // By end user the de-identified events drop out of the query; by
    // account they stay in it, so move on past them.
    if (!end_user) q.after_seq = events.back().seq;
  }
}

Erasures::Erasures(MetadataStore& store, MediaLibrary& media, KeyRing& keys, JobQueue& jobs,
                   AuditLog& audit, const KeyedIds& ids, ErasureJournal& journal,
                   const Clock& clock, Random& random, LegalHolds* holds)
    : store_(store),
      media_(media),
      keys_(keys),
      jobs_(jobs),
      audit_(audit),
      ids_(ids),
      journal_(journal),
      holds_(holds),
      clock_(clock),
      random_(random) {
  jobs_.Handle(kJobKind, [this](const JobRecord& job) { return Purge(job); });
  if (holds_) {
    holds_->OnRelease([this](const HoldRecord& hold) { return ResumeHeld(hold.account_id); });
  }
}

ErasureRecord Erasures::NewErasure(const std::string& account_id, const std::string& scope,
                                   const std::string& subject, const std::string& cause) {
  ErasureRecord e;
  e.id = RandomId(random_, "era_");
  e.account_id = account_id;
  e.scope = scope;
  e.subject = subject;
  e.target = ids_.Of(scope, account_id, subject);
  e.cause = cause;
  e.state = "pending";
  e.created_ms = clock_.NowMillis();
  return e;
}

JournalEntry Erasures::JournalOf(const ErasureRecord& e) const {
  return {e.id, e.scope, ids_.Of("account", "", e.account_id), e.target, e.created_ms};
}

Result<ErasureRecord> Erasures::EraseEndUser(const Principal& who, const std::string& end_user,
                                             const RequestOrigin& origin) {
  if (end_user.empty() || end_user.size() > 256 || !IsValidUtf8(end_user)) {
    return Status::InvalidArgument("invalid-field",
                                   "the end user must be UTF-8 text of 1 to 256 bytes");
  }
  ErasureRecord e = NewErasure(who.account.id, "end_user", end_user, "request");
  std::optional<ErasureRecord> held;
  // The job first: if the process dies before the key is gone, the purge
  // destroys it on restart.
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    held.reset();
    LETHE_ASSIGN_OR_RETURN(bool on_hold, Held(tx, e, end_user));
    if (on_hold) {
      LETHE_ASSIGN_OR_RETURN(held, InsertHeld(tx, e, who.actor(), origin));
      return Status::Ok();
    }
    LETHE_RETURN_IF_ERROR(
        audit_.Record(tx, who.actor(), "end_user.erase", e.id, e.account_id, origin));
    return Insert(tx, e);
  }));
  if (held) {
    held->subject.clear();
    return *held;
  }
  // Journaled before the key goes, so a restored backup forgets it too.
  LETHE_RETURN_IF_ERROR(journal_.Append(JournalOf(e)));
  Status destroyed = keys_.DestroySubjectKey(e.account_id, end_user);
  if (!destroyed.ok() && destroyed.code() != Status::Code::kNotFound) return destroyed;
  LETHE_RETURN_IF_ERROR(MarkKeysDestroyed(e));
  e.subject.clear();  // never shown back
  return e;
}

Status Erasures::Insert(MetadataTx& tx, ErasureRecord& e) {
  // The receipt names the audit event just recorded: where the chain stood.
  LETHE_ASSIGN_OR_RETURN(std::optional<AuditEvent> recorded, tx.LastAuditEvent());
  if (recorded) {
    e.audit_seq = recorded->seq;
    e.audit_hash = recorded->hash;
  }
  LETHE_RETURN_IF_ERROR(tx.InsertErasure(e));
  // Due a moment later: the purge would otherwise race the caller for the
  // same key and the same writer while the caller is still destroying it.
  return StatusOf(jobs_.Enqueue(tx, kJobKind, e.id, kPurgeDelay));
}

Result<bool> Erasures::Held(MetadataReader& tx, const ErasureRecord& e,
                            const std::string& end_user) {
  if (!holds_) return false;
  const int64_t now = clock_.NowMillis();
  if (e.scope == "account") return holds_->AnyActiveTx(tx, e.account_id, now);
  const std::string media_id = e.scope == "media" ? e.subject : "";
  LETHE_ASSIGN_OR_RETURN(auto covering,
                         holds_->CoveringTx(tx, e.account_id, end_user, media_id, now));
  return covering.has_value();
}

Result<ErasureRecord> Erasures::InsertHeld(MetadataTx& tx, ErasureRecord e, const Actor& actor,
                                           const RequestOrigin& origin) {
  ErasureQuery q;
  q.account_id = e.account_id;
  q.target = e.target;
  q.limit = 100;
  LETHE_ASSIGN_OR_RETURN(auto earlier, tx.ListErasures(q));
  for (const ErasureRecord& x : earlier) {
    if (x.state == "held") return x;
  }
  e.state = "held";
  LETHE_RETURN_IF_ERROR(audit_.Record(tx, actor, "erasure.held", e.id, e.account_id, origin));
  LETHE_ASSIGN_OR_RETURN(std::optional<AuditEvent> recorded, tx.LastAuditEvent());
  if (recorded) {
    e.audit_seq = recorded->seq;
    e.audit_hash = recorded->hash;
  }
  LETHE_RETURN_IF_ERROR(tx.InsertErasure(e));
  return e;
}

Status Erasures::ResumeHeld(const std::string& account_id) {
  LETHE_ASSIGN_OR_RETURN(auto held, store_.ListHeldErasures(account_id));
  for (const ErasureRecord& h : held) {
    LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
      LETHE_ASSIGN_OR_RETURN(ErasureRecord e, tx.FindErasure(h.account_id, h.id));
      if (e.state != "held") return Status::Ok();
      std::string end_user = e.scope == "end_user" ? e.subject : "";
      if (e.scope == "media") {
        auto m = tx.FindMedia(e.account_id, e.subject);
        if (m.ok()) end_user = m->end_user;
      }
      LETHE_ASSIGN_OR_RETURN(bool still, Held(tx, e, end_user));
      if (still) return Status::Ok();  // another hold covers it
      e.state = "pending";
      LETHE_RETURN_IF_ERROR(tx.UpdateErasure(e));
      // The purge destroys the keys (or removes the media) and journals.
      return StatusOf(jobs_.Enqueue(tx, kJobKind, e.id));
    }));
  }
  return Status::Ok();
}

Status Erasures::MarkKeysDestroyed(ErasureRecord& e) {
  e.state = "keys-destroyed";
  e.keys_destroyed_ms = clock_.NowMillis();
  // A purge that already finished must not be set back.
  return store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(ErasureRecord now, tx.FindErasure(e.account_id, e.id));
    if (now.state == "done") {
      e = now;
      return Status::Ok();
    }
    return tx.UpdateErasure(e);
  });
}

Result<ErasureRecord> Erasures::EraseAccount(const Actor& actor, const std::string& account_id,
                                             const std::string& cause, const RequestOrigin& origin,
                                             const AccountStep& in_tx) {
  ErasureRecord e = NewErasure(account_id, "account", account_id, cause);
  std::optional<ErasureRecord> held;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    held.reset();
    if (in_tx) LETHE_RETURN_IF_ERROR(in_tx(tx));
    LETHE_ASSIGN_OR_RETURN(bool on_hold, Held(tx, e, ""));
    if (on_hold) {  // access still ends; the content waits for the hold
      LETHE_ASSIGN_OR_RETURN(held, InsertHeld(tx, e, actor, origin));
      return Status::Ok();
    }
    LETHE_RETURN_IF_ERROR(audit_.Record(tx, actor, "account.erase", e.id, account_id, origin));
    return Insert(tx, e);
  }));
  if (held) {
    held->subject.clear();
    return *held;
  }
  LETHE_RETURN_IF_ERROR(journal_.Append(JournalOf(e)));
  LETHE_RETURN_IF_ERROR(keys_.DestroyAccountKey(account_id));
  LETHE_RETURN_IF_ERROR(MarkKeysDestroyed(e));
  e.subject.clear();
  return e;
}

Result<ErasureRecord> Erasures::RemoveMedia(const std::string& account_id,
                                            const std::string& media_id, const Actor& actor,
                                            const std::string& action, const std::string& cause,
                                            const RequestOrigin& origin) {
  ErasureRecord e = NewErasure(account_id, "media", media_id, cause);
  // A hold placed between the check and the removal aborts the removal;
  // the next round records the erasure as held.
  for (int round = 0; round < 3; ++round) {
    std::optional<ErasureRecord> held;
    LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
      held.reset();
      LETHE_ASSIGN_OR_RETURN(MediaRecord m, tx.FindMedia(account_id, media_id));
      LETHE_ASSIGN_OR_RETURN(bool on_hold, Held(tx, e, m.end_user));
      e.blob_id = m.blob_id;  // the sweep skips media with a held erasure
      if (on_hold) {
        LETHE_ASSIGN_OR_RETURN(held, InsertHeld(tx, e, actor, origin));
      }
      return Status::Ok();
    }));
    if (held) {
      held->subject.clear();
      return *held;
    }
    // The record goes in the same transaction as the receipt: with it goes
    // the only wrapped copy of the data key, so every copy of the blob is
    // unreadable from the commit on.
    e.state = "keys-destroyed";
    e.keys_destroyed_ms = clock_.NowMillis();
    e.media_erased = 1;
    Status removed =
        media_.Remove(account_id, media_id, actor, action, origin,
                      [&](MetadataTx& tx, const MediaRecord& m) -> Status {
                        LETHE_ASSIGN_OR_RETURN(bool on_hold, Held(tx, e, m.end_user));
                        if (on_hold) {
                          return Status::FailedPrecondition("legal-hold", "a legal hold applies");
                        }
                        e.blob_id = m.blob_id;
                        return Insert(tx, e);
                      });
    if (removed.reason() == "legal-hold") continue;
    LETHE_RETURN_IF_ERROR(removed);
    e.subject.clear();
    return e;
  }
  return Status::Unavailable("legal holds keep changing; try again");
}

Result<ErasureRecord> Erasures::EraseMedia(const Principal& who, const std::string& media_id,
                                           const RequestOrigin& origin) {
  return RemoveMedia(who.account.id, media_id, who.actor(), "media.delete", "request", origin);
}

Result<int> Erasures::ExpireDue(int limit) {
  LETHE_ASSIGN_OR_RETURN(auto due, store_.ListExpiredMedia(clock_.NowMillis(), limit));
  RequestOrigin sweep{"retention", "", "", "", "", "", ""};
  int removed = 0;
  for (const MediaRecord& m : due) {
    auto e = RemoveMedia(m.account_id, m.id, Actor::System("lethe:retention"), "media.expire",
                         "retention", sweep);
    if (e.status().code() == Status::Code::kNotFound) continue;  // deleted meanwhile
    LETHE_RETURN_IF_ERROR(e.status());
    if (e->state != "held") ++removed;
  }
  return removed;
}

Result<ErasureRecord> Erasures::Get(const std::string& account_id, const std::string& id) {
  LETHE_ASSIGN_OR_RETURN(ErasureRecord e, store_.FindErasure(account_id, id));
  e.subject.clear();
  return e;
}

Result<std::vector<ErasureRecord>> Erasures::List(ErasureQuery query) {
  query.limit = std::clamp(query.limit, 1, 100);
  LETHE_ASSIGN_OR_RETURN(auto list, store_.ListErasures(query));
  for (ErasureRecord& e : list) e.subject.clear();
  return list;
}

Status Erasures::Purge(const JobRecord& job) {
  LETHE_ASSIGN_OR_RETURN(ErasureRecord e, store_.FindErasure("", job.payload));
  if (e.state == "done") return Status::Ok();
  if (e.scope == "end_user") {
    LETHE_RETURN_IF_ERROR(PurgeEndUser(e));
  } else if (e.scope == "account") {
    LETHE_RETURN_IF_ERROR(PurgeAccount(e));
  } else {
    if (!e.keys_destroyed_ms) {  // released from a hold: remove it now
      RequestOrigin purge{e.id, "", "", "", "", "", ""};
      Status removed = media_.Remove(e.account_id, e.subject, Actor::System("lethe:erasure"),
                                     "media.erase", purge);
      if (!removed.ok() && removed.code() != Status::Code::kNotFound) return removed;
      e.keys_destroyed_ms = clock_.NowMillis();
      e.media_erased = removed.ok() ? 1 : 0;
    }
    // Otherwise the record went with the receipt; its blob went right
    // after, or, after a crash, with startup recovery (a blob without a
    // record), which runs before any job. What is left is the journal.
    LETHE_RETURN_IF_ERROR(journal_.Append(JournalOf(e)));
  }
  e.state = "done";
  e.subject.clear();
  e.blob_id.clear();
  e.purged_ms = clock_.NowMillis();
  return store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(tx.UpdateErasure(e));
    if (!events_) return Status::Ok();
    // The erasure's id and scope only: its subject is what was forgotten.
    return events_->Emit(
        tx, {"erasure.completed", e.account_id, "", {{"erasure_id", e.id}, {"scope", e.scope}}});
  });
}

Status Erasures::PurgeEndUser(ErasureRecord& e) {
  if (!e.keys_destroyed_ms) {  // died before the journal or the key: redo both
    LETHE_RETURN_IF_ERROR(journal_.Append(JournalOf(e)));
  }
  Status destroyed = keys_.DestroySubjectKey(e.account_id, e.subject);
  if (!destroyed.ok() && destroyed.code() != Status::Code::kNotFound) return destroyed;
  if (!e.keys_destroyed_ms) e.keys_destroyed_ms = clock_.NowMillis();
  RequestOrigin purge{e.id, "", "", "", "", "", ""};
  LETHE_ASSIGN_OR_RETURN(
      int media,
      media_.EraseEndUserMedia(e.account_id, e.subject, Actor::System("lethe:erasure"), purge));
  LETHE_ASSIGN_OR_RETURN(int64_t usage, DeidentifyUsage(store_, e.account_id, e.subject));
  LETHE_RETURN_IF_ERROR(ForgetRequestRecords(e, e.subject));
  e.media_erased += media;
  e.usage_deidentified += usage;
  return Status::Ok();
}

Status Erasures::ForgetRequestRecords(const ErasureRecord& e, const std::string& end_user) {
  // Privacy requests stay as the record of what was asked and answered
  // (RGT-2), under the erasure's keyed name instead of the end user.
  // Upload tokens (issue 9) name their end user: they go. Their tus uploads
  // lose the name now and expire; the purge job removes them and
  // their parts (already unreadable: their keys went with the subject's).
  const std::optional<std::string> who =
      end_user.empty() ? std::nullopt : std::optional<std::string>(end_user);
  return store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(StatusOf(tx.ForgetSubjectRecords(e.account_id, end_user, e.target)));
    LETHE_RETURN_IF_ERROR(StatusOf(tx.ExpireUploadsOf(e.account_id, who)));
    return StatusOf(tx.DeleteUploadTokensOf(e.account_id, who));
  });
}

Status Erasures::PurgeAccount(ErasureRecord& e) {
  if (!e.keys_destroyed_ms) {  // died before the journal or the key: redo both
    LETHE_RETURN_IF_ERROR(journal_.Append(JournalOf(e)));
  }
  LETHE_RETURN_IF_ERROR(keys_.DestroyAccountKey(e.account_id));
  if (!e.keys_destroyed_ms) e.keys_destroyed_ms = clock_.NowMillis();
  RequestOrigin purge{e.id, "", "", "", "", "", ""};
  LETHE_ASSIGN_OR_RETURN(
      int media, media_.EraseAccountMedia(e.account_id, Actor::System("lethe:erasure"), purge));
  LETHE_ASSIGN_OR_RETURN(int64_t usage, DeidentifyUsage(store_, e.account_id, std::nullopt));
  LETHE_RETURN_IF_ERROR(ForgetRequestRecords(e, ""));
  e.media_erased += media;
  e.usage_deidentified += usage;
  return Status::Ok();
}

}  // namespace lethe
