#include "domain/legal_requests.h"

#include <algorithm>
#include <iterator>

#include "common/time_format.h"
#include "common/utf8.h"
#include "crypto/secret_hash.h"
#include "domain/known_end_user.h"
#include "domain/validation.h"

namespace lethe {
namespace {

constexpr size_t kMaxEndUser = 256;  // as the Gate takes end-user references

Status InvalidField(const std::string& message) {
  return Status::InvalidArgument("invalid-field", message);
}

Status Forbidden(const StaffPrincipal& who) {
  if (LegalRequests::Roles().Has(who.role)) return Status::Ok();
  return Status::PermissionDenied("legal requests need the security or legal role");
}

template <size_t N>
bool OneOf(const std::string& value, const char* const (&list)[N]) {
  return std::find(std::begin(list), std::end(list), value) != std::end(list);
}

Status CheckForm(const LegalRequestForm& f, int64_t now_ms) {
  if (f.account_id.empty()) return InvalidField("account is required");
  if (f.end_user.size() > kMaxEndUser || !IsValidUtf8(f.end_user)) {
    return InvalidField("end_user must be UTF-8 text of 256 bytes or less");
  }
  LETHE_RETURN_IF_ERROR(CheckText("authority", f.authority, 200));
  if (!OneOf(f.authority_type, LegalRequests::kAuthorityTypes)) {
    return InvalidField("authority_type must be law_enforcement, court, regulator or other");
  }
  LETHE_RETURN_IF_ERROR(CheckText("legal_basis", f.legal_basis, 500));
  if (!f.reference.empty()) LETHE_RETURN_IF_ERROR(CheckText("reference", f.reference, 200));
  LETHE_RETURN_IF_ERROR(CheckText("categories", f.categories, 200));
  if (f.received_ms && *f.received_ms > now_ms) {
    return InvalidField("received_at must not be in the future");
  }
  if (f.nondisclosure_until_ms && *f.nondisclosure_until_ms <= now_ms) {
    return InvalidField("nondisclosure_until must be in the future");
  }
  return Status::Ok();
}

Status CheckDecision(const LegalDecisionForm& f, int64_t now_ms) {
  if (!OneOf(f.decision, LegalRequests::kDecisions)) {
    return InvalidField("decision must be comply, object or partial");
  }
  if (!f.note.empty()) LETHE_RETURN_IF_ERROR(CheckText("note", f.note, 2000));
  if (f.decision == "object") {
    if (!f.disclosed.empty() || f.disclosed_ms) {
      return InvalidField("an objection discloses nothing: leave out disclosed");
    }
  } else {
    LETHE_RETURN_IF_ERROR(CheckText("disclosed", f.disclosed, 2000));
  }
  if (f.disclosed_ms && *f.disclosed_ms > now_ms) {
    return InvalidField("disclosed_at must not be in the future");
  }
  return Status::Ok();
}

// The customer's notice: what the authority asked, on what basis, and what
// Lethe did. Never the staff's note or the authority's case reference.
std::string NoticeText(const LegalRequestRecord& r, const AccountRecord& account) {
  std::string text = "Lethe received a legal request for data of your account \"" + account.name +
                     "\" (" + account.id + ").\n\n";
  text += "Request: " + r.id + "\n";
  text += "Authority: " + r.authority + " (" + r.authority_type + ")\n";
  text += "Legal basis: " + r.legal_basis + "\n";
  text += "Scope: " +
          (r.subject.empty() ? std::string("the whole account")
                             : "one end user (keyed reference " + r.subject + ")") +
          "\n";
  text += "Data asked for: " + r.categories + "\n";
  text += "Received: " + FormatRfc3339(r.received_ms) + "\n";
  if (r.decision.empty()) {
    text += "Decision: not yet taken; you will be told when it is.\n";
  } else {
    text += "Decision: " + r.decision + "\n";
    if (!r.disclosed.empty()) {
      text +=
          "Disclosed: " + r.disclosed + " on " + FormatRfc3339(r.disclosed_ms.value_or(0)) + "\n";
    }
  }
  if (r.nondisclosure_until_ms) {
    text += "\nA non-disclosure order kept Lethe from telling you until " +
            FormatRfc3339(*r.nondisclosure_until_ms) + ".\n";
  }
  text += "\nEvery disclosure of your account's data is listed at GET /v1/accounts/" + account.id +
          "/disclosures.\n";
  return text;
}

}  // namespace

bool LegalRequests::Gagged(const LegalRequestRecord& r) const {
  return !r.notified_ms && r.nondisclosure_until_ms &&
         *r.nondisclosure_until_ms > clock_.NowMillis();
}

std::string LegalRequests::AuditAccount(const LegalRequestRecord& r) const {
  return Gagged(r) ? "" : r.account_id;
}

Status LegalRequests::CheckScope(MetadataTx& tx, const LegalRequestForm& form) {
  if (form.end_user.empty()) return Status::Ok();
  return RequireKnownEndUser(tx, form.account_id, form.end_user);
}

Status LegalRequests::Notify(MetadataTx& tx, LegalRequestRecord& r, const Actor& actor,
                             const RequestOrigin& origin) {
  auto account = tx.FindAccountById(r.account_id);
  auto customer = tx.FindCustomer(r.customer_id);
  if (account.ok() && customer.ok()) {
    LETHE_RETURN_IF_ERROR(StatusOf(outbox_.Send(
        tx, customer->email, "A legal request for your account", NoticeText(r, *account))));
  } else {
    // A customer purged since (closure) has no one left to tell; any other
    // error is the store's, and the sweep tries again.
    for (const Status& st : {StatusOf(account), StatusOf(customer)}) {
      if (!st.ok() && st.code() != Status::Code::kNotFound) return st;
    }
  }
  r.notified_ms = clock_.NowMillis();
  LETHE_RETURN_IF_ERROR(tx.UpdateLegalRequest(r));
  LETHE_RETURN_IF_ERROR(StatusOf(tx.RevealDisclosures(r.id)));
  return audit_.Record(tx, actor, "legal_request.notify", r.id, r.account_id, origin);
}

Result<LegalRequestRecord> LegalRequests::Record(const StaffPrincipal& who,
                                                 const LegalRequestForm& form,
                                                 const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(Forbidden(who));
  const int64_t now = clock_.NowMillis();
  LETHE_RETURN_IF_ERROR(CheckForm(form, now));
  LegalRequestRecord r;
  r.id = RandomId(random_, "lrq_");
  r.account_id = form.account_id;
  if (!form.end_user.empty()) r.subject = ids_.Of("end_user", form.account_id, form.end_user);
  r.authority = form.authority;
  r.authority_type = form.authority_type;
  r.legal_basis = form.legal_basis;
  r.reference = form.reference;
  r.categories = form.categories;
  r.received_ms = form.received_ms.value_or(now);
  r.recorded_by = who.id;
  r.nondisclosure_until_ms = form.nondisclosure_until_ms;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(AccountRecord account, tx.FindAccountById(form.account_id));
    r.customer_id = account.customer_id;
    r.notified_ms.reset();  // a retried transaction starts over
    LETHE_RETURN_IF_ERROR(CheckScope(tx, form));
    LETHE_RETURN_IF_ERROR(tx.InsertLegalRequest(r));
    LETHE_RETURN_IF_ERROR(
        audit_.Record(tx, who.actor(), "legal_request.record", r.id, AuditAccount(r), origin));
    if (Gagged(r)) return Status::Ok();
    return Notify(tx, r, who.actor(), origin);
  }));
  return r;
}

Result<LegalRequestRecord> LegalRequests::Decide(const StaffPrincipal& who, const std::string& id,
                                                 const LegalDecisionForm& form,
                                                 const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(Forbidden(who));
  const int64_t now = clock_.NowMillis();
  LETHE_RETURN_IF_ERROR(CheckDecision(form, now));
  LegalRequestRecord r;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(r, tx.FindLegalRequest(id));
    if (!r.decision.empty()) return Status::AlreadyExists("conflict", "the request was decided");
    const bool told_before = r.notified_ms.has_value();
    r.decision = form.decision;
    r.decision_note = form.note;
    r.disclosed = form.disclosed;
    if (!form.disclosed.empty()) r.disclosed_ms = form.disclosed_ms.value_or(now);
    r.decided_by = who.id;
    r.decided_ms = now;
    LETHE_RETURN_IF_ERROR(tx.UpdateLegalRequest(r));
    if (!r.disclosed.empty()) {
      Disclosure d;
      d.account_id = r.account_id;
      d.recipient = r.authority;
      d.recipient_kind = "authority";
      d.purpose = "legal_request";
      d.legal_basis = "legal_obligation";
      d.categories = r.categories;
      d.keyed_end_user = r.subject;
      d.what = r.disclosed;
      d.reference = r.id;
      d.withheld = Gagged(r);
      LETHE_RETURN_IF_ERROR(StatusOf(ledger_.Record(tx, d, who.actor(), origin)));
    }
    LETHE_RETURN_IF_ERROR(
        audit_.Record(tx, who.actor(), "legal_request.decide", r.id, AuditAccount(r), origin));
    if (Gagged(r)) return Status::Ok();
    if (!told_before) return Notify(tx, r, who.actor(), origin);  // the order ended meanwhile
    LETHE_ASSIGN_OR_RETURN(AccountRecord account, tx.FindAccountById(r.account_id));
    LETHE_ASSIGN_OR_RETURN(CustomerRecord customer, tx.FindCustomer(r.customer_id));
    return StatusOf(outbox_.Send(tx, customer.email,
                                 "A decision on a legal request for your account",
                                 NoticeText(r, account)));
  }));
  return r;
}

Result<LegalRequestRecord> LegalRequests::SetNonDisclosure(const StaffPrincipal& who,
                                                           const std::string& id, int64_t until_ms,
                                                           const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(Forbidden(who));
  if (until_ms <= clock_.NowMillis()) {
    return InvalidField("nondisclosure_until must be in the future");
  }
  LegalRequestRecord r;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(r, tx.FindLegalRequest(id));
    if (r.notified_ms) {
      return Status::FailedPrecondition("already-notified", "the customer was told already");
    }
    if (r.nondisclosure_until_ms && until_ms < *r.nondisclosure_until_ms) {
      return InvalidField("an order is extended, never shortened");
    }
    r.nondisclosure_until_ms = until_ms;
    LETHE_RETURN_IF_ERROR(tx.UpdateLegalRequest(r));
    return audit_.Record(tx, who.actor(), "legal_request.nondisclosure", r.id, "", origin);
  }));
  return r;
}

Result<LegalRequestRecord> LegalRequests::Get(const StaffPrincipal& who, const std::string& id,
                                              const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(Forbidden(who));
  LegalRequestRecord r;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(r, tx.FindLegalRequest(id));
    return audit_.Record(tx, who.actor(), "legal_request.read", r.id, "", origin);
  }));
  return r;
}

Result<std::vector<LegalRequestRecord>> LegalRequests::List(const StaffPrincipal& who,
                                                            const std::string& account_id,
                                                            int limit,
                                                            const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(Forbidden(who));
  if (limit < 1 || limit > kMaxList) {
    return InvalidField("limit must be 1 to " + std::to_string(kMaxList));
  }
  std::vector<LegalRequestRecord> list;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    if (!account_id.empty()) LETHE_RETURN_IF_ERROR(StatusOf(tx.FindAccountById(account_id)));
    LETHE_ASSIGN_OR_RETURN(list, tx.ListLegalRequests(account_id, limit));
    return audit_.Record(tx, who.actor(), "legal_request.list", account_id, "", origin);
  }));
  return list;
}

Result<int> LegalRequests::SendDueNotices(int limit) {
  LETHE_ASSIGN_OR_RETURN(std::vector<LegalRequestRecord> due,
                         store_.ListLegalRequestNoticesDue(clock_.NowMillis(), limit));
  const RequestOrigin sweep{"legal-request-notices", "", "", "", "", "", ""};
  int sent = 0;
  for (const LegalRequestRecord& found : due) {
    bool did = false;
    LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
      LETHE_ASSIGN_OR_RETURN(LegalRequestRecord r, tx.FindLegalRequest(found.id));
      did = !r.notified_ms && !Gagged(r);  // an extension may have come first
      if (!did) return Status::Ok();
      return Notify(tx, r, Actor::System(kSweepActor), sweep);
    }));
    if (did) ++sent;
  }
  return sent;
}

Result<std::string> LegalRequests::AccountOf(const std::string& id) {
  auto found = store_.FindLegalRequest(id);
  if (!found.ok()) {
    if (found.status().code() == Status::Code::kNotFound)
      return Status::NotFound("no such legal request");
    return found.status();
  }
  return found->account_id;
}

}  // namespace lethe
