#include "domain/consent_ledger.h"

#include <algorithm>
#include <iterator>

#include "common/utf8.h"
#include "crypto/secret_hash.h"
#include "domain/policy_versions.h"
#include "domain/purposes.h"

namespace lethe {
namespace {

bool IsSource(std::string_view s) {
  return s == "api" || s == "portal" || s == "gpc" || s == "dnt" || s == "mail" || s == "recorder";
}

// The purposes a GPC or DNT signal opts out of: sale, sharing and
// analytics (SEC-5; CCPA's "sale or sharing").
constexpr std::string_view kSignalPurposes[] = {kPurposeThirdPartySharing, kPurposeAnalytics};

const ConsentRecord* LatestFor(const std::vector<ConsentRecord>& history,
                               std::string_view purpose) {
  const ConsentRecord* latest = nullptr;
  for (const ConsentRecord& c : history) {
    if (c.purpose == purpose) latest = &c;  // oldest first: the last one wins
  }
  return latest;
}

}  // namespace

bool CoveredByPrivacySignal(std::string_view purpose) {
  return std::find(std::begin(kSignalPurposes), std::end(kSignalPurposes), purpose) !=
         std::end(kSignalPurposes);
}

Status PrivacySignalRefusal() {
  return Status::Unprocessable("privacy-signal-on",
                               "your browser's privacy signal (Global Privacy Control or "
                               "Do-Not-Track) opts you out of this use: turn it off first");
}

ConsentSubject ConsentLedger::EndUser(const std::string& account_id,
                                      const std::string& end_user) const {
  return {account_id, ids_.Of("end_user", account_id, end_user)};
}

Result<ConsentRecord> ConsentLedger::Record(const ConsentEntry& e, const Actor& actor,
                                            const RequestOrigin& origin) {
  ConsentRecord out;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> lethe::Status {
    LETHE_ASSIGN_OR_RETURN(out, RecordIn(tx, e, actor, origin));
    return lethe::Status::Ok();
  }));
  return out;
}

Result<ConsentRecord> ConsentLedger::RecordIn(MetadataTx& tx, const ConsentEntry& e,
                                              const Actor& actor, const RequestOrigin& origin) {
  const Purpose* purpose = FindPurpose(e.purpose);
  if (purpose == nullptr) {
    return lethe::Status::InvalidArgument("unknown-purpose",
                                          "no such purpose; GET /v1/purposes lists them");
  }
  if (!purpose->optional()) {
    return lethe::Status::InvalidArgument(
        "purpose-not-optional", "this purpose rests on " + std::string(purpose->legal_basis) +
                                    ", not on consent: there is nothing to opt in or out of");
  }
  if (e.decision != "opt_in" && e.decision != "opt_out") {
    return lethe::Status::InvalidArgument("invalid-field", "decision must be opt_in or opt_out");
  }
  if (!IsSource(e.source)) {
    return lethe::Status::InvalidArgument("invalid-field", "unknown consent source");
  }
  ConsentSubject who = Customer(e.customer_id);
  if (!e.account_id.empty()) {
    if (e.end_user.empty() || e.end_user.size() > 256 || !IsValidUtf8(e.end_user)) {
      return lethe::Status::InvalidArgument("invalid-field",
                                            "end_user must be UTF-8 text of 1 to 256 bytes");
    }
    // Scoped by the customer: another tenant's account is NotFound.
    LETHE_RETURN_IF_ERROR(StatusOf(tx.FindAccount(e.customer_id, e.account_id)));
    who = EndUser(e.account_id, e.end_user);
  } else if (!e.end_user.empty()) {
    return lethe::Status::InvalidArgument("invalid-field", "an end user needs its account");
  }
  LETHE_ASSIGN_OR_RETURN(std::vector<PolicyVersionRecord> versions, tx.ListPolicyVersions());
  const int64_t now = clock_.NowMillis();
  ConsentRecord c;
  c.id = RandomId(random_, "cns_");
  c.customer_id = e.customer_id;
  c.account_id = who.account_id;
  c.subject = who.subject;
  c.purpose = e.purpose;
  c.decision = e.decision;
  c.source = e.source;
  c.at_ms = now;
  c.policy_version = VersionInForce(versions, now);
  c.request_id = origin.request_id;
  LETHE_RETURN_IF_ERROR(tx.AppendConsent(c));
  LETHE_RETURN_IF_ERROR(
      audit_.Record(tx, actor, "consent." + c.decision, c.id, c.account_id, origin));
  return c;
}

Result<int> ConsentLedger::HonourSignal(const std::string& customer_id,
                                        const std::string& account_id, const std::string& end_user,
                                        const std::string& signal, const RequestOrigin& origin) {
  if (signal != "gpc" && signal != "dnt") {
    return lethe::Status::InvalidArgument("invalid-field", "the signal is gpc or dnt");
  }
  int added = 0;
  const ConsentSubject who = EndUser(account_id, end_user);
  // Once per signal: evidence, not a row for every request.
  auto recorded = [&](const std::vector<ConsentRecord>& history, std::string_view purpose) {
    const ConsentRecord* latest = LatestFor(history, purpose);
    return latest && latest->decision == "opt_out" && latest->source == signal;
  };
  // A browser with GPC on sends it with every request: once the signal is
  // on record, a read answers, and no write transaction (SQLite's one
  // writer) is taken.
  LETHE_ASSIGN_OR_RETURN(std::vector<ConsentRecord> seen,
                         store_.ListConsents(who.account_id, who.subject));
  if (std::all_of(std::begin(kSignalPurposes), std::end(kSignalPurposes),
                  [&](std::string_view p) { return recorded(seen, p); })) {
    return 0;
  }
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> lethe::Status {
    added = 0;
    LETHE_ASSIGN_OR_RETURN(std::vector<ConsentRecord> history,
                           tx.ListConsents(who.account_id, who.subject));
    for (std::string_view purpose : kSignalPurposes) {
      if (recorded(history, purpose)) continue;
      ConsentEntry e{customer_id, account_id, end_user, std::string(purpose), "opt_out", signal};
      LETHE_RETURN_IF_ERROR(StatusOf(RecordIn(tx, e, Actor::System("signal:" + signal), origin)));
      ++added;
    }
    return lethe::Status::Ok();
  }));
  return added;
}

std::vector<PurposeState> ConsentLedger::StatesOf(const std::vector<ConsentRecord>& history,
                                                  const std::vector<PolicyVersionRecord>& versions,
                                                  int64_t now_ms) {
  const int64_t material = NewestMaterialInForce(versions, now_ms);
  std::vector<PurposeState> out;
  for (const Purpose& p : Purposes()) {
    PurposeState s;
    s.purpose = std::string(p.name);
    s.legal_basis = std::string(p.legal_basis);
    s.optional = p.optional();
    if (!p.optional()) {
      s.state = "not_required";
      s.allowed = true;
    } else if (const ConsentRecord* latest = LatestFor(history, p.name)) {
      s.latest = *latest;
      s.state = latest->decision == "opt_in" ? "granted" : "refused";
      // SEC-6: consent given under terms that have since changed
      // materially is not consent to the new terms.
      s.renewal_required = s.state == "granted" && latest->policy_version < material;
      s.allowed = s.state == "granted" && !s.renewal_required;
    } else {
      s.state = "not_given";  // off unless consented (USE-3, ACC-5)
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<ConsentStatus> ConsentLedger::Read(const std::string& customer_id,
                                          const std::string& account_id,
                                          const std::string& end_user) {
  ConsentSubject who = Customer(customer_id);
  if (!account_id.empty()) {
    LETHE_RETURN_IF_ERROR(StatusOf(store_.FindAccount(customer_id, account_id)));
    who = EndUser(account_id, end_user);
  }
  ConsentStatus out;
  out.subject = who.subject;
  LETHE_ASSIGN_OR_RETURN(out.history, store_.ListConsents(who.account_id, who.subject));
  LETHE_ASSIGN_OR_RETURN(std::vector<PolicyVersionRecord> versions, store_.ListPolicyVersions());
  const int64_t now = clock_.NowMillis();
  out.policy_version = VersionInForce(versions, now);
  out.purposes = StatesOf(out.history, versions, now);
  return out;
}

Result<bool> ConsentLedger::Allows(const ConsentSubject& who, std::string_view purpose) const {
  return AllowsIn(store_, who, purpose);
}

Result<bool> ConsentLedger::AllowsIn(MetadataReader& reader, const ConsentSubject& who,
                                     std::string_view purpose) const {
  const Purpose* p = FindPurpose(purpose);
  if (p == nullptr) {
    return lethe::Status::InvalidArgument("unknown-purpose", "no such purpose");
  }
  if (!p->optional()) return true;
  LETHE_ASSIGN_OR_RETURN(std::vector<ConsentRecord> history,
                         reader.ListConsents(who.account_id, who.subject));
  LETHE_ASSIGN_OR_RETURN(std::vector<PolicyVersionRecord> versions, reader.ListPolicyVersions());
  for (const PurposeState& s : StatesOf(history, versions, clock_.NowMillis())) {
    if (s.purpose == purpose) return s.allowed;
  }
  return false;
}

}  // namespace lethe
