// UploadTokens: delegated, narrow credentials a customer's backend hands
// to a browser (issue 9), so the browser can add media without holding the
// account's API token or a key (SEC-2, least privilege).
//
// A token belongs to one account and one end user, expires (15 minutes by
// default, 24 hours at most), limits the size and kinds of what it may add,
// may fix the title and tags, and has a number of uses (one by default).
// It is shown once; only its SHA-256 digest is stored. A token opens one
// thing: adding media (POST /v1/media and the tus endpoint); every
// other route refuses it as it refuses any unknown credential.
//
// Checking and spending are separate steps, so that a failed upload does
// not burn a use. Authenticate() admits an upload when it starts (the
// expiry is judged then: an upload that started in time may finish after
// it); Spend() takes the use inside the transaction that commits the media,
// as one conditional write, so the media exists if and only if the use was
// taken, and of two racing uploads on a token's last use one is refused.
// Revocation and the last use delete the row: a use in flight then fails.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "domain/accounts.h"
#include "domain/audit_log.h"
#include "domain/request_origin.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

inline constexpr int64_t kUploadTokenDefaultTtlS = 15 * 60;
inline constexpr int64_t kUploadTokenMaxTtlS = 24 * 60 * 60;
inline constexpr int64_t kUploadTokenMaxUses = 1000;
inline constexpr int kUploadTokenListLimit = 500;
// The prefix that tells an upload token from other bearer tokens.
inline constexpr std::string_view kUploadTokenPrefix = "lut_";

// What a customer asks a token to allow. Unset fields take the defaults.
struct UploadTokenSpec {
  std::string end_user;                           // required
  std::optional<int64_t> expires_in_s;            // default 900, 1..86400
  std::optional<int64_t> max_bytes;               // default and cap: the server's media limit
  std::optional<std::vector<std::string>> kinds;  // default all: video, audio, image
  std::optional<std::string> title;               // fixed for each upload when set
  std::optional<std::vector<std::string>> tags;   // likewise
  std::optional<int64_t> uses;                    // default 1, 1..1000
};

struct IssuedUploadToken {
  UploadTokenRecord record;
  std::string token;  // shown once
};

// An upload admitted under a token: what the token allows, as read when
// the upload started.
struct UploadGrant {
  UploadTokenRecord token;
  int64_t admitted_ms = 0;
};

class UploadTokens {
 public:
  // `max_media_bytes` is the server's media size limit: a token's limit
  // defaults to it and may not exceed it.
  UploadTokens(MetadataStore& store, AuditLog& audit, const Clock& clock, Random& random,
               int64_t max_media_bytes)
      : store_(store),
        audit_(audit),
        clock_(clock),
        random_(random),
        max_media_bytes_(max_media_bytes) {}

  // True when `bearer` has the shape of an upload token.
  static bool LooksLikeUploadToken(std::string_view bearer) {
    return bearer.substr(0, kUploadTokenPrefix.size()) == kUploadTokenPrefix;
  }

  // Issues a token for `who`'s account, audited "upload_token.issue".
  // InvalidArgument("invalid-field") for a missing or bad end user, an
  // expiry, size, use count or kind out of range, or bad title or tags.
  Result<IssuedUploadToken> Issue(const Principal& who, const UploadTokenSpec& spec,
                                  const RequestOrigin& origin);
  // As Issue, by `actor` for `account` (a customer in the portal, its
  // session having shown the account is its own).
  Result<IssuedUploadToken> Issue(const AccountRecord& account, const Actor& actor,
                                  const UploadTokenSpec& spec, const RequestOrigin& origin);
  // Revokes one of `who`'s account's tokens at once, audited
  // "upload_token.revoke". NotFound if the account has no such token
  // (another account's included), or it is used up or swept.
  Status Revoke(const Principal& who, const std::string& token_id, const RequestOrigin& origin);
  Status Revoke(const std::string& account_id, const Actor& actor, const std::string& token_id,
                const RequestOrigin& origin);

  // The account's live tokens (not expired, revoked or used up), newest
  // first, at most kUploadTokenListLimit; their secrets are not kept.
  Result<std::vector<UploadTokenRecord>> List(const std::string& account_id);

  // The account and grant `token` opens. The principal's credential_id is
  // the token's id (usage events record it). Unauthenticated when the
  // token is unknown, revoked, used up or expired, or its account closed;
  // except that a token used up or expired still opens the tus uploads it
  // created (resumable_uploads.h) until they expire: the grant then has no
  // use left, so Spend() refuses anything new.
  Result<std::pair<Principal, UploadGrant>> Authenticate(const std::string& token);

  // Takes one use of the grant's token in `tx`. Unauthenticated when none
  // is left (revoked, used up by another upload, or expired before the
  // upload was admitted).
  static Status Spend(MetadataTx& tx, const UploadGrant& grant);

  // Deletes the tokens that expired before now; returns how many.
  Result<int64_t> Sweep();

 private:
  MetadataStore& store_;
  AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
  int64_t max_media_bytes_;
};

}  // namespace lethe
