#include "domain/access_grants.h"

#include <algorithm>
#include <sstream>

#include "crypto/secret_hash.h"
#include "domain/validation.h"

namespace lethe {
namespace {

constexpr GrantScope kAllScopes[] = {GrantScope::kAccount, GrantScope::kMedia,
                                     GrantScope::kEndUsers, GrantScope::kAudit, GrantScope::kLegal};
constexpr std::string_view kPurposes[] = {"debugging", "security_investigation", "abuse_review",
                                          "legal"};

Status Invalid(std::string msg) { return Status::InvalidArgument("invalid-field", std::move(msg)); }

std::vector<std::string> SplitScopes(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string s; in >> s;) out.push_back(s);
  return out;
}

}  // namespace

std::string_view GrantScopeName(GrantScope scope) {
  switch (scope) {
    case GrantScope::kAccount:
      return "account";
    case GrantScope::kMedia:
      return "media";
    case GrantScope::kEndUsers:
      return "end_users";
    case GrantScope::kAudit:
      return "audit";
    case GrantScope::kLegal:
      return "legal";
  }
  return "account";
}

std::optional<GrantScope> ParseGrantScope(std::string_view name) {
  for (GrantScope s : kAllScopes) {
    if (GrantScopeName(s) == name) return s;
  }
  return std::nullopt;
}

bool IsGrantPurpose(std::string_view purpose) {
  return std::find(std::begin(kPurposes), std::end(kPurposes), purpose) != std::end(kPurposes);
}

bool AccessGrants::HasScope(const AccessGrantRecord& g, GrantScope scope) {
  for (const std::string& s : SplitScopes(g.scopes)) {
    if (s == GrantScopeName(scope)) return true;
  }
  return false;
}

Status AccessGrants::LogGrant(MetadataTx& tx, const AccessGrantRecord& g, const std::string& kind,
                              const std::string& by) {
  AccessLogEntry e;
  e.id = RandomId(random_, "acl_");
  e.account_id = g.account_id;
  e.at_ms = clock_.NowMillis();
  e.staff_id = by;
  e.grant_id = g.id;
  e.purpose = g.purpose;
  e.ticket = g.ticket;
  e.kind = kind;
  return tx.AppendAccessLog(e);
}

Result<AccessGrantRecord> AccessGrants::Create(const StaffPrincipal& who, const GrantForm& form,
                                               const RequestOrigin& origin) {
  if (form.purpose.empty()) return Invalid("purpose is required");
  if (!IsGrantPurpose(form.purpose)) {
    return Invalid("purpose must be debugging, security_investigation, abuse_review or legal");
  }
  LETHE_RETURN_IF_ERROR(CheckText("ticket", form.ticket, 200));
  if (form.expires_in_hours < 1 || form.expires_in_hours > kMaxGrantHours) {
    return Invalid("expires_in_hours must be from 1 to " + std::to_string(kMaxGrantHours));
  }
  if (form.scopes.empty())
    return Invalid(
        "scope must name at least one of account, media, "
        "end_users, audit, legal");
  std::vector<std::string> scopes;
  for (const std::string& s : form.scopes) {
    if (!ParseGrantScope(s)) return Invalid("unknown scope \"" + s + "\"");
    if (std::find(scopes.begin(), scopes.end(), s) == scopes.end()) scopes.push_back(s);
  }
  if (form.account_id.empty()) return Invalid("account_id is required");

  AccessGrantRecord g;
  g.id = RandomId(random_, "grt_");
  g.staff_id = who.id;
  g.account_id = form.account_id;
  g.purpose = form.purpose;
  g.ticket = form.ticket;
  for (const std::string& s : scopes) g.scopes += (g.scopes.empty() ? "" : " ") + s;
  g.created_ms = clock_.NowMillis();
  g.expires_ms = g.created_ms + form.expires_in_hours * 3600 * 1000;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    auto account = tx.FindAccountById(form.account_id);
    if (!account.ok()) {
      if (account.status().code() == Status::Code::kNotFound) {
        return Status::NotFound("no such account");
      }
      return account.status();
    }
    LETHE_RETURN_IF_ERROR(tx.InsertAccessGrant(g));
    LETHE_RETURN_IF_ERROR(LogGrant(tx, g, "grant.create", who.id));
    return audit_.Record(tx, who.actor(), "access_grant.create", g.id, g.account_id, origin);
  }));
  return g;
}

Result<AccessGrantRecord> AccessGrants::Revoke(const StaffPrincipal& who, const std::string& id,
                                               const RequestOrigin& origin) {
  AccessGrantRecord g;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    auto found = tx.FindAccessGrant(id);
    if (!found.ok() || (found->staff_id != who.id && who.role != StaffRole::kAdmin)) {
      if (found.ok() || found.status().code() == Status::Code::kNotFound) {
        return Status::NotFound("no such grant");
      }
      return found.status();
    }
    g = *found;
    const int64_t now = clock_.NowMillis();
    if (g.revoked_ms || g.expires_ms <= now) {
      return Status::FailedPrecondition("grant-not-active", "the grant is revoked or expired");
    }
    LETHE_RETURN_IF_ERROR(tx.RevokeAccessGrant(g.id, who.id, now));
    g.revoked_ms = now;
    g.revoked_by = who.id;
    LETHE_RETURN_IF_ERROR(LogGrant(tx, g, "grant.revoke", who.id));
    return audit_.Record(tx, who.actor(), "access_grant.revoke", g.id, g.account_id, origin);
  }));
  return g;
}

Result<std::vector<AccessGrantRecord>> AccessGrants::ListOwn(const StaffPrincipal& who, int limit) {
  return store_.ListAccessGrants(who.id, std::clamp(limit, 1, kMaxList));
}

Result<AccessGrantRecord> AccessGrants::Use(const StaffPrincipal& who,
                                            const std::string& account_id, GrantScope scope,
                                            const GrantedRequest& request) {
  AccessGrantRecord used;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    const int64_t now = clock_.NowMillis();
    LETHE_ASSIGN_OR_RETURN(auto grants, tx.ListActiveAccessGrants(who.id, account_id, now));
    auto it = std::find_if(grants.begin(), grants.end(),
                           [&](const AccessGrantRecord& g) { return HasScope(g, scope); });
    if (it == grants.end()) {
      return Status(Status::Code::kPermissionDenied, "no-access-grant",
                    "no active access grant of yours opens the " +
                        std::string(GrantScopeName(scope)) + " data of this account");
    }
    used = *it;
    AccessLogEntry e;
    e.id = RandomId(random_, "acl_");
    e.account_id = account_id;
    e.at_ms = now;
    e.staff_id = who.id;
    e.grant_id = used.id;
    e.purpose = used.purpose;
    e.ticket = used.ticket;
    e.kind = "request";
    e.method = request.method;
    e.route = request.route;
    e.path = request.path;
    return tx.AppendAccessLog(e);
  }));
  return used;
}

Result<std::vector<AccessLogEntry>> AccessGrants::Log(const std::string& customer_id,
                                                      const std::string& account_id,
                                                      const std::optional<std::string>& before_id,
                                                      int limit) {
  auto account = store_.FindAccount(customer_id, account_id);
  if (!account.ok()) {
    if (account.status().code() == Status::Code::kNotFound) {
      return Status::NotFound("no such account");
    }
    return account.status();
  }
  return store_.ListAccessLog(account_id, before_id, std::clamp(limit, 1, kMaxList));
}

}  // namespace lethe
