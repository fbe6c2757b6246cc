#include "domain/session_list.h"

#include "crypto/secret_hash.h"

namespace lethe {

Result<std::vector<SessionView>> SessionList::List(const std::string& customer_id,
                                                   const std::string& current_token) {
  LETHE_ASSIGN_OR_RETURN(auto sessions, store_.ListSessions(customer_id));
  const int64_t now = clock_.NowMillis();
  const std::string current = TokenDigest(current_token);
  std::vector<SessionView> out;
  for (SessionRecord& s : sessions) {
    if (!customers_.IsLive(s, now)) continue;
    bool mine = ConstantTimeEquals(s.token_digest, current);
    out.push_back(SessionView{std::move(s), mine});
  }
  return out;
}

Status SessionList::Revoke(const std::string& customer_id, const std::string& session_id,
                           const RequestOrigin& origin) {
  return store_.Transact([&](MetadataTx& tx) -> Status {
    Status deleted = tx.DeleteSessionById(customer_id, session_id);
    if (deleted.code() == Status::Code::kNotFound) {
      return Status::NotFound("you have no session " + session_id);
    }
    LETHE_RETURN_IF_ERROR(deleted);
    return audit_.Record(tx, Actor::Customer(customer_id), "session.revoke", session_id, "",
                         origin);
  });
}

Result<int64_t> SessionList::RevokeAll(const std::string& customer_id,
                                       const RequestOrigin& origin) {
  int64_t ended = 0;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(auto sessions, tx.ListSessions(customer_id));
    ended = static_cast<int64_t>(sessions.size());
    LETHE_RETURN_IF_ERROR(tx.DeleteSessionsOf(customer_id));
    return audit_.Record(tx, Actor::Customer(customer_id), "session.revoke_all", customer_id, "",
                         origin);
  }));
  return ended;
}

}  // namespace lethe
