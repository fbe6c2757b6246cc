#include "domain/erasure_replay.h"

#include <unordered_map>
#include <unordered_set>

#include "crypto/secret_hash.h"
#include "domain/erasures.h"

namespace lethe {

namespace {

const RequestOrigin kOrigin{"restore", "", "", "", "", "", ""};

bool NotFoundOrOk(const Status& s) { return s.ok() || s.code() == Status::Code::kNotFound; }

}  // namespace

Result<ReplayCounts> ErasureReplay::Replay(const std::vector<JournalEntry>& entries) {
  ReplayCounts counts;
  counts.entries = static_cast<int64_t>(entries.size());
  std::unordered_set<std::string> end_users, media;
  std::unordered_map<std::string, int64_t> accounts;  // keyed name -> when it closed
  for (const JournalEntry& e : entries) {
    if (e.scope == "end_user") end_users.insert(e.target);
    if (e.scope == "media") media.insert(e.target);
    // Matched on the entry's account name, however its target was keyed.
    if (e.scope == "account") accounts.emplace(e.account.empty() ? e.target : e.account, e.at_ms);
  }
  if (end_users.empty() && media.empty() && accounts.empty()) return counts;

  LETHE_ASSIGN_OR_RETURN(std::vector<std::string> account_ids, store_.ListAccountIds());
  for (const std::string& account_id : account_ids) {
    auto closed = accounts.find(ids_.Of("account", "", account_id));
    if (closed == accounts.end())
      closed = accounts.find(ids_.Of("account", account_id, account_id));
    const bool whole = closed != accounts.end();
    LETHE_ASSIGN_OR_RETURN(std::vector<std::string> users, store_.ListEndUsers(account_id));
    for (const std::string& user : users) {
      if (whole || end_users.count(ids_.Of("end_user", account_id, user)) > 0) {
        LETHE_RETURN_IF_ERROR(EraseEndUser(account_id, user, counts));
      }
    }
    LETHE_ASSIGN_OR_RETURN(AccountRecord account, store_.FindAccountById(account_id));
    // Media by id (and, for a whole account, whatever media is left).
    MediaQuery q;
    q.account_id = account_id;
    q.limit = 1000;
    for (;;) {
      LETHE_ASSIGN_OR_RETURN(std::vector<MediaRecord> page, store_.ListMedia(q));
      if (page.empty()) break;
      q.after_seq = page.back().seq;
      for (const MediaRecord& m : page) {
        if (!whole && media.count(ids_.Of("media", account_id, m.id)) == 0 &&
            media.count(ids_.Of("media", "", m.id)) == 0) {
          continue;
        }
        Status st = media_.Remove(account_id, m.id, Actor::System(kActor), "media.erase", kOrigin);
        if (st.code() == Status::Code::kNotFound) continue;
        LETHE_RETURN_IF_ERROR(st);
        ++counts.media;
      }
    }
    if (whole) LETHE_RETURN_IF_ERROR(EraseAccountRest(account, closed->second, counts));
  }
  return counts;
}

Status ErasureReplay::EraseEndUser(const std::string& account_id, const std::string& end_user,
                                   ReplayCounts& counts) {
  Status destroyed = keys_.DestroySubjectKey(account_id, end_user);
  if (!NotFoundOrOk(destroyed)) return destroyed;
  LETHE_ASSIGN_OR_RETURN(
      int removed, media_.EraseEndUserMedia(account_id, end_user, Actor::System(kActor), kOrigin));
  LETHE_ASSIGN_OR_RETURN(int64_t usage, DeidentifyUsage(store_, account_id, end_user));
  ++counts.end_users;
  counts.media += removed;
  counts.usage_events += usage;
  return Status::Ok();
}

Status ErasureReplay::EraseAccountRest(const AccountRecord& account, int64_t closed_ms,
                                       ReplayCounts& counts) {
  Status destroyed = keys_.DestroyAccountKey(account.id);
  if (!NotFoundOrOk(destroyed)) return destroyed;
  LETHE_ASSIGN_OR_RETURN(std::vector<ApiKeyRecord> api_keys, store_.ListApiKeys(account.id));
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    for (const ApiKeyRecord& k : api_keys) {
      LETHE_RETURN_IF_ERROR(tx.DeleteApiKey(account.id, k.id));
    }
    // The token stops working: nobody knows a token with this digest.
    AccountRecord closed = account;
    closed.token_digest = TokenDigest(RandomToken(random_, "lt_"));
    if (!closed.closed_ms) closed.closed_ms = closed_ms;  // no credential is made for it again
    LETHE_RETURN_IF_ERROR(tx.UpdateAccount(closed));
    return audit_.Record(tx, Actor::System(kActor), "account.erase", account.id, account.id,
                         kOrigin);
  }));
  ++counts.accounts;
  return Status::Ok();
}

}  // namespace lethe
