#include "domain/privacy_requests.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "common/encoding.h"
#include "common/utf8.h"
#include "crypto/aead.h"
#include "crypto/secret_hash.h"
#include "domain/legal_clock.h"
#include "domain/validation.h"

namespace lethe {

namespace {

constexpr std::array<std::string_view, 8> kTypes = {"access",
                                                    "portability",
                                                    "rectification",
                                                    "erasure",
                                                    "restriction",
                                                    "objection",
                                                    "opt_out_of_sale_or_sharing",
                                                    "limit_sensitive"};

// The lifecycle: which state may follow which.
constexpr std::array<std::pair<std::string_view, std::string_view>, 13> kMoves = {{
    {"received", "identity_unverified"},
    {"received", "verified"},
    {"received", "denied"},
    {"identity_unverified", "verified"},
    {"identity_unverified", "denied"},
    {"verified", "in_progress"},
    {"verified", "extended"},
    {"verified", "denied"},
    {"in_progress", "completed"},
    {"in_progress", "extended"},
    {"in_progress", "denied"},
    {"extended", "in_progress"},
    {"extended", "completed"},
}};

bool Allowed(const std::string& from, const std::string& to) {
  return std::find(kMoves.begin(), kMoves.end(),
                   std::pair<std::string_view, std::string_view>(from, to)) != kMoves.end() ||
         (from == "extended" && to == "denied");
}

// Whether `r` waits for a mailed code: a customer's own request, or an
// end user's own from the privacy center (its digest is set at once and
// stays until the code is used; an attested or agent's request has none).
bool TakesCode(const PrivacyRequestRecord& r) {
  return r.subject_kind == "customer" ||
         (r.subject_kind == "end_user" && r.agent_name.empty() && !r.code_digest.empty());
}

}  // namespace

Status PrivacyRequests::Step(MetadataTx& tx, PrivacyRequestRecord& r, const std::string& state,
                             const Actor& actor, const std::string& reason,
                             const RequestOrigin& origin) {
  r.state = state;
  LETHE_RETURN_IF_ERROR(tx.AppendPrivacyRequestStep(
      {r.id, 0, state, clock_.NowMillis(), actor.audit_text(), reason}));
  return audit_.Record(tx, actor, "privacy_request." + state, r.id, r.account_id, origin);
}

Result<PrivacyRequestRecord> PrivacyRequests::Submit(const PrivacyRequestForm& form,
                                                     const Actor& actor,
                                                     const RequestOrigin& origin) {
  if (std::find(kTypes.begin(), kTypes.end(), form.type) == kTypes.end()) {
    return Status::InvalidArgument("invalid-field", "unknown request type");
  }
  const bool about_end_user = !form.account_id.empty();
  if (about_end_user) {
    if (form.end_user.empty() || form.end_user.size() > 256 || !IsValidUtf8(form.end_user)) {
      return Status::InvalidArgument("invalid-field",
                                     "the end user must be UTF-8 text of 1 to 256 bytes");
    }
    if (form.verify_by_mail) {
      if (form.attested) {
        return Status::InvalidArgument("invalid-field", "attested or verified by mail, not both");
      }
      Status email = CheckEmail(form.end_user);
      if (!email.ok()) return Status::InvalidArgument("invalid-field", email.message());
    } else if (!form.attested) {
      return Status::InvalidArgument(
          "invalid-field", "a request about an end user needs the customer's attestation");
    }
  }
  const bool by_agent = !form.agent_name.empty();
  if (by_agent && form.verify_by_mail) {
    return Status::InvalidArgument("invalid-field", "an agent's request is filed by the customer");
  }
  if (by_agent) {
    if (form.agent_name.size() > 200 || !IsValidUtf8(form.agent_name)) {
      return Status::InvalidArgument("invalid-field",
                                     "the agent's name must be UTF-8, 1 to 200 bytes");
    }
    if (form.agent_document.empty() || form.agent_document.size() > kMaxAgentDocument) {
      return Status::InvalidArgument(
          "invalid-field", "an agent's request needs their written permission (up to 4 MiB)");
    }
  } else if (!form.agent_document.empty()) {
    return Status::InvalidArgument("invalid-field", "a permission document needs the agent's name");
  }
  const int64_t now = clock_.NowMillis();
  LETHE_ASSIGN_OR_RETURN(RequestDeadlines clocks, DeadlinesFor(form.jurisdiction, DateOf(now)));
  PrivacyRequestRecord r;
  r.id = RandomId(random_, "prq_");
  r.customer_id = form.customer_id;
  r.account_id = form.account_id;
  r.subject_kind = about_end_user ? "end_user" : "customer";
  r.subject = about_end_user ? form.end_user : form.customer_id;
  r.type = form.type;
  r.jurisdiction = form.jurisdiction;
  r.received_ms = now;
  r.acknowledge_by = clocks.acknowledge_by ? FormatDate(*clocks.acknowledge_by) : "";
  r.due = FormatDate(clocks.due);
  r.latest_due = FormatDate(clocks.latest_extended_due);
  if (about_end_user) {
    LETHE_RETURN_IF_ERROR(StatusOf(store_.FindAccount(form.customer_id, form.account_id)));
    ErasureQuery erased{form.account_id, ids_.Of("end_user", form.account_id, form.end_user),
                        std::nullopt, 1};
    LETHE_ASSIGN_OR_RETURN(std::vector<ErasureRecord> erasures, store_.ListErasures(erased));
    if (!erasures.empty()) {
      return Status::Unprocessable("subject-erased",
                                   "the end user was erased (" + erasures[0].id +
                                       "): Lethe holds nothing of theirs to act on");
    }
  }
  if (by_agent) {
    r.agent_name = form.agent_name;
    LETHE_ASSIGN_OR_RETURN(r.agent_document, SealDocument(r, form.agent_document));
  }
  // Verified at once only when the customer attests for its own end user;
  // an agent's request also waits for the subject, a customer's for its code.
  const bool verified = about_end_user && !by_agent && !form.verify_by_mail;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    r.state = "received";
    LETHE_RETURN_IF_ERROR(tx.InsertPrivacyRequest(r));
    LETHE_RETURN_IF_ERROR(
        Step(tx, r, "received", actor, by_agent ? "by agent " + r.agent_name : "", origin));
    LETHE_RETURN_IF_ERROR(Step(tx, r, verified ? "verified" : "identity_unverified", actor,
                               verified ? "attested by the customer" : "", origin));
    if (!about_end_user || form.verify_by_mail) LETHE_RETURN_IF_ERROR(MailCode(tx, r));
    return tx.UpdatePrivacyRequest(r);
  }));
  return r;
}

std::pair<std::string, std::string> PrivacyRequests::SealOwner(const PrivacyRequestRecord& r) {
  // A customer has no account key of its own: its documents hang under a
  // slot named for the customer, beside the accounts' slots.
  if (r.subject_kind == "customer") return {r.customer_id, ""};
  return {r.account_id, r.subject};
}

Result<std::string> PrivacyRequests::SealDocument(const PrivacyRequestRecord& r,
                                                  const std::string& document) {
  auto [account, end_user] = SealOwner(r);
  Key key = keys_.NewDataKey();
  Result<std::string> wrapped = keys_.WrapDataKey(account, end_user, r.id, key);
  if (!wrapped.ok()) {
    WipeKey(key);
    if (wrapped.status().reason() == "key-destroyed") {
      return Status::Unprocessable("subject-erased", "the subject was erased");
    }
    return wrapped.status();
  }
  std::array<uint8_t, kNonceBytes> nonce;
  random_.Fill(nonce);
  std::vector<uint8_t> sealed(document.size() + kTagBytes);
  std::span<const uint8_t> aad(reinterpret_cast<const uint8_t*>(r.id.data()), r.id.size());
  Status st = Seal(key, nonce, aad,
                   {reinterpret_cast<const uint8_t*>(document.data()), document.size()}, sealed);
  WipeKey(key);
  LETHE_RETURN_IF_ERROR(st);
  return *wrapped + "." + Base64UrlEncode(nonce) + "." + Base64UrlEncode(sealed);
}

Result<std::string> PrivacyRequests::AgentDocument(const std::string& customer_id,
                                                   const std::string& id) {
  LETHE_ASSIGN_OR_RETURN(PrivacyRequestRecord r, store_.FindPrivacyRequest(customer_id, id));
  if (r.agent_document.empty()) return Status::NotFound("the request has no agent document");
  const std::string& d = r.agent_document;
  size_t a = d.find('.'), b = a == std::string::npos ? a : d.find('.', a + 1);
  if (b == std::string::npos) return Status::DataLoss("a sealed document is malformed");
  auto nonce = Base64UrlDecode(std::string_view(d).substr(a + 1, b - a - 1));
  auto sealed = Base64UrlDecode(std::string_view(d).substr(b + 1));
  if (!nonce || nonce->size() != kNonceBytes || !sealed || sealed->size() < kTagBytes) {
    return Status::DataLoss("a sealed document is malformed");
  }
  auto [account, end_user] = SealOwner(r);
  LETHE_ASSIGN_OR_RETURN(Key key, keys_.UnwrapDataKey(account, end_user, r.id, d.substr(0, a)));
  std::string out(sealed->size() - kTagBytes, '\0');
  std::span<const uint8_t> aad(reinterpret_cast<const uint8_t*>(r.id.data()), r.id.size());
  Status st = Open(key, std::span<const uint8_t, kNonceBytes>(nonce->data(), kNonceBytes), aad,
                   *sealed, {reinterpret_cast<uint8_t*>(out.data()), out.size()});
  WipeKey(key);
  LETHE_RETURN_IF_ERROR(st);
  return out;
}

std::string PrivacyRequests::CodeDigest(const PrivacyRequestRecord& r,
                                        const std::string& code) const {
  // Keyed: eight digits are too few to survive a stolen database unkeyed.
  return ids_.Of("privacy_request_code", r.id, code);
}

Status PrivacyRequests::MailCode(MetadataTx& tx, PrivacyRequestRecord& r) {
  std::string to = r.subject;  // an end user's own request: the address they gave
  if (r.subject_kind == "customer") {
    LETHE_ASSIGN_OR_RETURN(CustomerRecord c, tx.FindCustomer(r.customer_id));
    to = c.email;
  }
  std::array<uint8_t, 8> bytes;
  random_.Fill(bytes);
  uint64_t n = 0;
  for (uint8_t b : bytes) n = (n << 8) | b;
  std::string code = std::to_string(n % 100'000'000);
  code.insert(0, 8 - code.size(), '0');
  r.code_digest = CodeDigest(r, code);
  r.code_expires_ms = clock_.NowMillis() + kCodeLifetimeMs;
  return StatusOf(outbox_.Send(
      tx, to, "Lethe: confirm your privacy request",
      "Someone asked Lethe to act on your data (request " + r.id + ", " + r.type +
          ").\n\nIf it was you or an agent you authorised, confirm with this code: " + code +
          "\n\nIt works once, for 15 minutes. If you did not ask, ignore this message: "
          "nothing happens without the code.\n"));
}

Result<PrivacyRequestRecord> PrivacyRequests::Verify(const std::string& customer_id,
                                                     const std::string& id,
                                                     const VerificationForm& form,
                                                     const Actor& actor,
                                                     const RequestOrigin& origin) {
  PrivacyRequestRecord r;
  Status refusal = Status::Ok();  // a wrong code: committed, then returned
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    refusal = Status::Ok();
    LETHE_ASSIGN_OR_RETURN(r, tx.FindPrivacyRequest(customer_id, id));
    if (r.state != "identity_unverified") {
      return Status::FailedPrecondition(
          "invalid-transition", "the request is " + r.state + ", not waiting to be verified");
    }
    if (r.code_failures >= kMaxCodeFailures) {
      return Status(Status::Code::kPermissionDenied, "request-locked",
                    "too many wrong codes: the request is locked");
    }
    std::string how;
    if (TakesCode(r)) {
      if (form.code.empty()) return Status::InvalidArgument("invalid-field", "code is required");
      if (clock_.NowMillis() > r.code_expires_ms) {
        return Status::Unprocessable("code-expired", "the code has expired: ask for a new one");
      }
      if (!ConstantTimeEquals(CodeDigest(r, form.code), r.code_digest)) {
        ++r.code_failures;
        const bool locked = r.code_failures >= kMaxCodeFailures;
        LETHE_RETURN_IF_ERROR(Step(tx, r, r.state, actor,
                                   locked ? "locked after wrong codes" : "wrong code", origin));
        refusal = locked
                      ? Status(Status::Code::kPermissionDenied, "request-locked",
                               "too many wrong codes: the request is locked")
                      : Status::Unprocessable(
                            "code-invalid", "the code is wrong; " +
                                                std::to_string(kMaxCodeFailures - r.code_failures) +
                                                " tries left");
        return tx.UpdatePrivacyRequest(r);
      }
      how = "code confirmed by the subject";
    } else {
      if (!form.subject_confirmed) {
        return Status::InvalidArgument("invalid-field",
                                       "an agent's request needs the end user's confirmation");
      }
      how = "the end user confirmed the agent, relayed by the customer";
    }
    r.code_digest.clear();  // single use
    r.code_expires_ms = 0;
    r.subject_confirmed = true;
    LETHE_RETURN_IF_ERROR(Step(tx, r, "verified", actor, how, origin));
    return tx.UpdatePrivacyRequest(r);
  }));
  LETHE_RETURN_IF_ERROR(refusal);
  return r;
}

Status PrivacyRequests::ResendCode(const std::string& customer_id, const std::string& id,
                                   const Actor& actor, const RequestOrigin& origin) {
  return store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(PrivacyRequestRecord r, tx.FindPrivacyRequest(customer_id, id));
    if (r.state != "identity_unverified" || !TakesCode(r)) {
      return Status::FailedPrecondition("invalid-transition", "the request waits for no code");
    }
    if (r.code_failures >= kMaxCodeFailures) {
      return Status(Status::Code::kPermissionDenied, "request-locked",
                    "too many wrong codes: the request is locked");
    }
    LETHE_RETURN_IF_ERROR(MailCode(tx, r));
    LETHE_RETURN_IF_ERROR(
        audit_.Record(tx, actor, "privacy_request.code_sent", r.id, r.account_id, origin));
    return tx.UpdatePrivacyRequest(r);
  });
}

Status PrivacyRequests::Advance(MetadataTx& tx, PrivacyRequestRecord& r, const std::string& state,
                                const Actor& actor, const std::string& reason,
                                const RequestOrigin& origin) {
  if (!Allowed(r.state, state)) {
    return Status::FailedPrecondition("invalid-transition",
                                      "a request in state " + r.state + " cannot become " + state);
  }
  LETHE_RETURN_IF_ERROR(Step(tx, r, state, actor, reason, origin));
  return tx.UpdatePrivacyRequest(r);
}

Result<int> PrivacyRequests::SendReminders(int limit) {
  const CivilDate soon = AddDays(DateOf(clock_.NowMillis()), 7);
  LETHE_ASSIGN_OR_RETURN(std::vector<PrivacyRequestRecord> due,
                         store_.ListUnremindedRequestsDue(FormatDate(soon), limit));
  int sent = 0;
  for (PrivacyRequestRecord& r : due) {
    LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
      LETHE_ASSIGN_OR_RETURN(CustomerRecord c, tx.FindCustomer(r.customer_id));
      r.reminded = true;
      LETHE_RETURN_IF_ERROR(StatusOf(
          outbox_.Send(tx, c.email, "Lethe: privacy request " + r.id + " is due on " + r.due,
                       "Your privacy request " + r.id + " (" + r.type + ", " + r.jurisdiction +
                           ") is " + r.state + " and must be answered by " + r.due +
                           ".\nAnswer it, or extend it with reasons before that date.\n")));
      LETHE_RETURN_IF_ERROR(audit_.Record(tx, Actor::System("system"), "privacy_request.reminded",
                                          r.id, r.account_id, {}));
      if (events_ && !r.account_id.empty()) {
        LETHE_RETURN_IF_ERROR(events_->Emit(tx, {"privacy_request.due_soon",
                                                 r.account_id,
                                                 "",
                                                 {{"request_id", r.id}, {"due", r.due}}}));
      }
      return tx.UpdatePrivacyRequest(r);
    }));
    ++sent;
  }
  return sent;
}

Result<PrivacyRequestRecord> PrivacyRequests::Transition(
    const std::string& customer_id, const std::string& id, const std::string& state,
    const std::string& reason, const std::string& new_due, const Actor& actor,
    const RequestOrigin& origin) {
  if ((state == "denied" || state == "extended") && (reason.empty() || reason.size() > 2000)) {
    return Status::InvalidArgument("invalid-field", "a denial or extension needs a reason");
  }
  PrivacyRequestRecord r;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(r, tx.FindPrivacyRequest(customer_id, id));
    if (!Allowed(r.state, state)) {
      return Status::FailedPrecondition(
          "invalid-transition", "a request in state " + r.state + " cannot become " + state);
    }
    if (state == "extended") {
      const std::string today = FormatDate(DateOf(clock_.NowMillis()));
      if (r.extended || today > r.due) {
        return Status::FailedPrecondition("invalid-transition",
                                          "a request is extended once, before its due date passes");
      }
      if (!ParseDate(new_due) || new_due <= r.due || new_due > r.latest_due) {
        return Status::InvalidArgument("invalid-field", "the new due date must be after " + r.due +
                                                            " and no later than " + r.latest_due);
      }
      r.extended = true;
      r.due = new_due;
    }
    if (state == "denied" || state == "extended") r.reason = reason;
    LETHE_RETURN_IF_ERROR(Step(tx, r, state, actor, reason, origin));
    return tx.UpdatePrivacyRequest(r);
  }));
  return r;
}

Result<PrivacyRequestRecord> PrivacyRequests::Get(const std::string& customer_id,
                                                  const std::string& id) {
  return store_.FindPrivacyRequest(customer_id, id);
}

Result<std::vector<PrivacyRequestStep>> PrivacyRequests::History(const std::string& customer_id,
                                                                 const std::string& id) {
  LETHE_RETURN_IF_ERROR(StatusOf(store_.FindPrivacyRequest(customer_id, id)));
  return store_.ListPrivacyRequestSteps(id);
}

Result<std::vector<PrivacyRequestRecord>> PrivacyRequests::List(const std::string& customer_id,
                                                                const std::string& due_before) {
  if (!due_before.empty() && !ParseDate(due_before)) {
    return Status::InvalidArgument("bad-request", "due_before must be a date, YYYY-MM-DD");
  }
  return store_.ListPrivacyRequests(customer_id, due_before);
}

}  // namespace lethe
