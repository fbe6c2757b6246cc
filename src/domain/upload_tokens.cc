#include "domain/upload_tokens.h"

#include <algorithm>

#include "crypto/secret_hash.h"
#include "domain/media_library.h"
#include "domain/validation.h"

namespace lethe {
namespace {

Status Invalid(const std::string& message) {
  return Status::InvalidArgument("invalid-field", message);
}

Status NotAuthenticated() {
  return Status::Unauthenticated("the upload token is unknown, revoked, used up or expired");
}

Result<std::vector<std::string>> CheckKinds(const std::optional<std::vector<std::string>>& given) {
  static const std::vector<std::string> kAll = {"video", "audio", "image"};
  if (!given) return kAll;
  if (given->empty()) return Invalid("kinds must name at least one of video, audio, image");
  std::vector<std::string> kinds;
  for (const std::string& kind : kAll) {
    if (std::find(given->begin(), given->end(), kind) != given->end()) kinds.push_back(kind);
  }
  for (const std::string& kind : *given) {
    if (std::find(kAll.begin(), kAll.end(), kind) == kAll.end()) {
      return Invalid("kinds are video, audio and image");
    }
  }
  return kinds;
}

}  // namespace

Result<IssuedUploadToken> UploadTokens::Issue(const Principal& who, const UploadTokenSpec& spec,
                                              const RequestOrigin& origin) {
  return Issue(who.account, who.actor(), spec, origin);
}

Result<IssuedUploadToken> UploadTokens::Issue(const AccountRecord& account, const Actor& actor,
                                              const UploadTokenSpec& spec,
                                              const RequestOrigin& origin) {
  if (spec.end_user.empty()) return Invalid("end_user is required: a token is for one end user");
  LETHE_RETURN_IF_ERROR(CheckText("end_user", spec.end_user, 256));
  const int64_t ttl_s = spec.expires_in_s.value_or(kUploadTokenDefaultTtlS);
  if (ttl_s < 1 || ttl_s > kUploadTokenMaxTtlS) {
    return Invalid("expires_in must be 1 to 86400 seconds (24 hours)");
  }
  const int64_t max_bytes = spec.max_bytes.value_or(max_media_bytes_);
  if (max_bytes < 1 || max_bytes > max_media_bytes_) {
    return Invalid("max_bytes must be 1 to " + std::to_string(max_media_bytes_));
  }
  const int64_t uses = spec.uses.value_or(1);
  if (uses < 1 || uses > kUploadTokenMaxUses) return Invalid("uses must be 1 to 1000");
  LETHE_ASSIGN_OR_RETURN(std::vector<std::string> kinds, CheckKinds(spec.kinds));
  MediaFields fixed;
  fixed.title = spec.title;
  fixed.tags = spec.tags;
  LETHE_RETURN_IF_ERROR(CheckMediaFields(fixed));

  IssuedUploadToken out;
  out.token = RandomToken(random_, kUploadTokenPrefix);
  UploadTokenRecord& t = out.record;
  t.id = RandomId(random_, "upt_");
  t.digest = TokenDigest(out.token);
  t.account_id = account.id;
  t.end_user = spec.end_user;
  t.max_bytes = max_bytes;
  t.kinds = std::move(kinds);
  t.title = spec.title;
  t.tags = spec.tags;
  t.uses_left = uses;
  t.created_ms = clock_.NowMillis();
  t.expires_ms = t.created_ms + ttl_s * 1000;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(tx.InsertUploadToken(t));
    return audit_.Record(tx, actor, "upload_token.issue", t.id, t.account_id, origin);
  }));
  return out;
}

Status UploadTokens::Revoke(const Principal& who, const std::string& token_id,
                            const RequestOrigin& origin) {
  return Revoke(who.account.id, who.actor(), token_id, origin);
}

Status UploadTokens::Revoke(const std::string& account_id, const Actor& actor,
                            const std::string& token_id, const RequestOrigin& origin) {
  return store_.Transact([&](MetadataTx& tx) -> Status {
    Status gone = tx.DeleteUploadToken(account_id, token_id);
    if (gone.code() == Status::Code::kNotFound) return Status::NotFound("upload token not found");
    LETHE_RETURN_IF_ERROR(gone);
    return audit_.Record(tx, actor, "upload_token.revoke", token_id, account_id, origin);
  });
}

Result<std::vector<UploadTokenRecord>> UploadTokens::List(const std::string& account_id) {
  return store_.ListUploadTokens(account_id, clock_.NowMillis(), kUploadTokenListLimit);
}

Result<std::pair<Principal, UploadGrant>> UploadTokens::Authenticate(const std::string& token) {
  // Looked up by digest: the token itself is never stored or compared.
  const std::string digest = TokenDigest(token);
  auto found = store_.FindUploadToken(digest);
  if (!found.ok() && found.status().code() != Status::Code::kNotFound) return found.status();
  const int64_t now = clock_.NowMillis();
  if (!found.ok() || found->expires_ms <= now || found->uses_left < 1) {
    // Spent or expired, it still opens the tus uploads it created.
    auto created = store_.FindUploadByTokenDigest(digest);
    if (!created.ok()) {
      return created.status().code() == Status::Code::kNotFound ? NotAuthenticated()
                                                                : created.status();
    }
    if (created->expires_ms <= now) return NotAuthenticated();
    UploadTokenRecord spent;
    spent.id = created->creator;
    spent.digest = digest;
    spent.account_id = created->account_id;
    spent.end_user = created->end_user;
    spent.max_bytes = created->max_bytes.value_or(0);
    spent.kinds = created->kinds;
    spent.expires_ms = created->expires_ms;
    found = Result<UploadTokenRecord>(std::move(spent));  // uses_left 0: Spend() refuses it
  }
  auto account = store_.FindAccountById(found->account_id);
  if (!account.ok()) {
    return account.status().code() == Status::Code::kNotFound ? NotAuthenticated()
                                                              : account.status();
  }
  if (account->closed_ms) return NotAuthenticated();
  Principal who{std::move(*account), found->id};
  return std::make_pair(std::move(who), UploadGrant{std::move(*found), now});
}

Status UploadTokens::Spend(MetadataTx& tx, const UploadGrant& grant) {
  Status spent = tx.SpendUploadToken(grant.token.id, grant.admitted_ms);
  if (spent.code() == Status::Code::kNotFound) return NotAuthenticated();
  return spent;
}

Result<int64_t> UploadTokens::Sweep() {
  int64_t removed = 0;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(removed, tx.DeleteUploadTokensBefore(clock_.NowMillis()));
    return Status::Ok();
  }));
  return removed;
}

}  // namespace lethe
