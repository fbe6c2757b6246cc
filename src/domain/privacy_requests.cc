#include "domain/privacy_requests.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

#include "common/utf8.h"
#include "crypto/secret_hash.h"
#include "domain/legal_clock.h"

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

}  // namespace

Status PrivacyRequests::Step(MetadataTx& tx, PrivacyRequestRecord& r, const std::string& state,
                             const std::string& actor, const std::string& reason,
                             const RequestOrigin& origin) {
  r.state = state;
  LETHE_RETURN_IF_ERROR(
      tx.AppendPrivacyRequestStep({r.id, 0, state, clock_.NowMillis(), actor, reason}));
  return audit_.Record(tx, actor, "privacy_request." + state, r.id, r.account_id, origin);
}

Result<PrivacyRequestRecord> PrivacyRequests::Submit(const PrivacyRequestForm& form,
                                                     const std::string& actor,
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
    if (!form.attested) {
      return Status::InvalidArgument(
          "invalid-field", "a request about an end user needs the customer's attestation");
    }
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
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    if (about_end_user) {
      LETHE_RETURN_IF_ERROR(StatusOf(tx.FindAccount(form.customer_id, form.account_id)));
    }
    r.state = "received";
    LETHE_RETURN_IF_ERROR(tx.InsertPrivacyRequest(r));
    LETHE_RETURN_IF_ERROR(Step(tx, r, "received", actor, "", origin));
    LETHE_RETURN_IF_ERROR(Step(tx, r, about_end_user ? "verified" : "identity_unverified", actor,
                               about_end_user ? "attested by the customer" : "", origin));
    return tx.UpdatePrivacyRequest(r);
  }));
  return r;
}

Result<PrivacyRequestRecord> PrivacyRequests::Transition(
    const std::string& customer_id, const std::string& id, const std::string& state,
    const std::string& reason, const std::string& new_due, const std::string& actor,
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
