// AccessGrants: staff reach a customer's data only under a grant (USE-4,
// SEC-1 least privilege).
//
// A grant lets one staff member touch one account's data, within named
// scopes, for a stated purpose (debugging, security_investigation,
// abuse_review or legal) under a ticket reference, for at most
// kMaxGrantHours. Grants are made by the staff member who will use them,
// audited, and can be revoked by their holder or an admin. No role is
// above them: an admin without a grant is refused like anyone else.
//
// Use() is the check itself: the router calls it before every staff
// handler that touches an account (http/staff_access.h), and it writes the
// access log entry in the same transaction that finds the grant, so a
// request cannot be served under a grant without being logged. The
// account's customer reads the log (Log): grants made and revoked for the
// account, and every request served under them, newest first.
//
// Problem types: no-access-grant (403), invalid-field (400: no purpose,
// an unknown purpose or scope, an empty ticket, an expiry outside 1..72
// hours), grant-not-active (412: revoking a revoked or expired grant);
// an unknown account is 404.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "domain/audit_log.h"
#include "domain/request_origin.h"
#include "domain/staff.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

inline constexpr int64_t kMaxGrantHours = 72;

// What part of an account's data a grant opens. Kept small on purpose.
enum class GrantScope {
  kAccount,   // the account's settings, customer and closure state
  kMedia,     // its media and their metadata
  kEndUsers,  // its end users' records
  kAudit,     // its audit and usage events
  kLegal,     // its legal holds and legal requests
};

// "account", "media", "end_users", "audit", "legal".
std::string_view GrantScopeName(GrantScope scope);
// The scope named `name`; nullopt for any other text.
std::optional<GrantScope> ParseGrantScope(std::string_view name);
// True for "debugging", "security_investigation", "abuse_review", "legal".
bool IsGrantPurpose(std::string_view purpose);

struct GrantForm {
  std::string account_id;
  std::string purpose;
  std::string ticket;
  std::vector<std::string> scopes;  // names, at least one
  int64_t expires_in_hours = 0;
};

// The staff request a grant is used for, as the access log records it.
struct GrantedRequest {
  std::string method;
  std::string route;  // the route pattern
  std::string path;   // the request's path, without its query
};

class AccessGrants {
 public:
  static constexpr int kMaxList = 200;

  AccessGrants(MetadataStore& store, AuditLog& audit, const Clock& clock, Random& random)
      : store_(store), audit_(audit), clock_(clock), random_(random) {}

  // Makes a grant for `who`, audited as "access_grant.create" and entered
  // in the account's access log. Returns it; InvalidArgument
  // ("invalid-field") for bad input, NotFound for an unknown account. Bad
  // input creates nothing.
  Result<AccessGrantRecord> Create(const StaffPrincipal& who, const GrantForm& form,
                                   const RequestOrigin& origin);

  // Revokes the grant `id`, held by `who` (or any grant, for an admin),
  // audited and logged. Returns it as revoked; NotFound for an unknown
  // grant or another member's (for a non-admin); FailedPrecondition
  // ("grant-not-active") when it is revoked or expired already.
  Result<AccessGrantRecord> Revoke(const StaffPrincipal& who, const std::string& id,
                                   const RequestOrigin& origin);

  // The grants `who` holds, newest first, expired and revoked ones too.
  Result<std::vector<AccessGrantRecord>> ListOwn(const StaffPrincipal& who, int limit);

  // The check before a staff handler touches `account_id`: finds an
  // active grant of `who` on it whose scopes include `scope`, and logs
  // `request` under it, both in one transaction. Returns the grant;
  // PermissionDenied("no-access-grant") when there is none (whatever the
  // role); the store's error when the log cannot be written (the request
  // is then not served).
  Result<AccessGrantRecord> Use(const StaffPrincipal& who, const std::string& account_id,
                                GrantScope scope, const GrantedRequest& request);

  // The access log of `account_id`, which `customer_id` must own (else
  // NotFound), newest first, after the entry `before_id` when given.
  Result<std::vector<AccessLogEntry>> Log(const std::string& customer_id,
                                          const std::string& account_id,
                                          const std::optional<std::string>& before_id, int limit);

  // True when `g` has `scope` among its scopes.
  static bool HasScope(const AccessGrantRecord& g, GrantScope scope);

 private:
  Status LogGrant(MetadataTx& tx, const AccessGrantRecord& g, const std::string& kind,
                  const std::string& by);

  MetadataStore& store_;
  AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace lethe
