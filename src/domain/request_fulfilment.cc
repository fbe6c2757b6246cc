#include "domain/request_fulfilment.h"

#include <boost/json.hpp>

#include "common/time_format.h"
#include "domain/processing_gate.h"

namespace lethe {

namespace {

using boost::json::array;
using boost::json::object;

constexpr const char* kBillingException =
    "usage counts that billing needs are kept de-identified: the end-user reference is removed "
    "and the IP address and browser version coarsened (USE-6, USE-7)";

array Strings(const std::vector<std::string>& v) {
  array a;
  for (const std::string& s : v) a.emplace_back(s);
  return a;
}

void AddChange(array& changes, const std::string& target, const std::string& field,
               boost::json::value before, boost::json::value after) {
  changes.push_back(object{{"target", target},
                           {"field", field},
                           {"before", std::move(before)},
                           {"after", std::move(after)}});
}

}  // namespace

Result<Fulfilment> RequestFulfilment::Fulfil(const std::string& customer_id, const std::string& id,
                                             const Rectification& fixes, const Actor& actor,
                                             const RequestOrigin& origin) {
  PrivacyRequestRecord r;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(r, tx.FindPrivacyRequest(customer_id, id));
    // in_progress again: an earlier attempt failed half way; do it again.
    if (r.state == "in_progress") return Status::Ok();
    return requests_.Advance(tx, r, "in_progress", actor, "", origin);
  }));
  Fulfilment done;
  object& outcome = done.outcome;
  outcome["type"] = r.type;
  if (r.type == "access" || r.type == "portability") {
    ExportSubject subject{r.customer_id, r.account_id,
                          r.subject_kind == "end_user" ? r.subject : ""};
    LETHE_ASSIGN_OR_RETURN(
        IssuedExportLink download,
        exports_.Issue(r.customer_id, r.id, subject, r.jurisdiction, actor, origin));
    outcome["download"] = object{{"format", "application/zip"},
                                 {"expires_at", FormatRfc3339(download.expires_ms)},
                                 {"single_use", true}};
    done.download = std::move(download);
  } else if (r.type == "rectification") {
    LETHE_ASSIGN_OR_RETURN(object changes, Rectify(r, fixes, origin));
    outcome.insert(changes.begin(), changes.end());
  } else if (r.type == "erasure") {
    LETHE_ASSIGN_OR_RETURN(object erased, Erase(r, origin));
    outcome.insert(erased.begin(), erased.end());
  } else if (IsLimitingRequestType(r.type)) {
    LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
      if (tx.FindProcessingLimitOf(r.id).ok()) return Status::Ok();  // placed by an earlier try
      return StatusOf(limits_.Place(tx, r, actor, origin));
    }));
    array refused;
    for (ProcessingUse use : {ProcessingUse::kStream, ProcessingUse::kShareLink,
                              ProcessingUse::kThirdPartyExport, ProcessingUse::kProcessing}) {
      if (LimitRefuses(r.type, use)) refused.emplace_back(ProcessingUseName(use));
    }
    outcome["limit"] = object{{"kind", r.type}, {"refuses", std::move(refused)}};
  } else {
    return Status::Internal("no fulfilment for request type " + r.type);
  }
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(r, tx.FindPrivacyRequest(customer_id, id));
    r.outcome = boost::json::serialize(outcome);
    // The history keeps what was done; a rectification's before and after
    // live here, not in the audit chain, which can never forget them.
    return requests_.Advance(tx, r, "completed", actor, r.outcome, origin);
  }));
  done.request = std::move(r);
  return done;
}

Result<object> RequestFulfilment::Rectify(const PrivacyRequestRecord& r, const Rectification& fixes,
                                          const RequestOrigin& origin) {
  array changes;
  if (r.subject_kind == "end_user") {
    if (fixes.media.empty() || fixes.profile.name || fixes.profile.email || fixes.profile.company ||
        fixes.profile.job_title || fixes.profile.use_case || fixes.profile.phone) {
      return Status::InvalidArgument(
          "invalid-field", "an end user's rectification corrects their media's title or tags");
    }
    LETHE_ASSIGN_OR_RETURN(AccountRecord account, store_.FindAccount(r.customer_id, r.account_id));
    const Principal who{account, "privacy_request"};
    // Every media first: a correction of another subject's media changes nothing.
    for (const Rectification::MediaFix& fix : fixes.media) {
      LETHE_ASSIGN_OR_RETURN(MediaRecord m, media_.Get(r.account_id, fix.media_id));
      if (m.end_user != r.subject) {
        return Status::InvalidArgument("invalid-field",
                                       "media " + fix.media_id + " is not the subject's");
      }
      if (!fix.title && !fix.tags) {
        return Status::InvalidArgument("invalid-field", "nothing to correct in " + fix.media_id);
      }
      MediaFields patch;
      patch.title = fix.title;
      patch.tags = fix.tags;
      LETHE_RETURN_IF_ERROR(CheckMediaFields(patch));
    }
    for (const Rectification::MediaFix& fix : fixes.media) {
      LETHE_ASSIGN_OR_RETURN(MediaRecord before, media_.Get(r.account_id, fix.media_id));
      MediaFields patch;
      patch.title = fix.title;
      patch.tags = fix.tags;
      LETHE_ASSIGN_OR_RETURN(MediaRecord after, media_.Update(who, fix.media_id, patch, origin));
      if (fix.title)
        AddChange(changes, "media/" + fix.media_id, "title", boost::json::value(before.title),
                  boost::json::value(after.title));
      if (fix.tags) {
        AddChange(changes, "media/" + fix.media_id, "tags", Strings(before.tags),
                  Strings(after.tags));
      }
    }
  } else {
    const ProfilePatch& p = fixes.profile;
    if (!fixes.media.empty() ||
        !(p.name || p.email || p.company || p.job_title || p.use_case || p.phone)) {
      return Status::InvalidArgument("invalid-field",
                                     "a customer's rectification corrects profile fields");
    }
    LETHE_ASSIGN_OR_RETURN(CustomerRecord before, store_.FindCustomer(r.customer_id));
    LETHE_ASSIGN_OR_RETURN(CustomerRecord after,
                           customers_.UpdateProfile(r.customer_id, p, origin));
    auto opt = [](const std::optional<std::string>& v) -> boost::json::value {
      return v ? boost::json::value(*v) : boost::json::value(nullptr);
    };
    if (p.name)
      AddChange(changes, "profile", "name", boost::json::value(before.name),
                boost::json::value(after.name));
    if (p.email)
      AddChange(changes, "profile", "email", boost::json::value(before.email),
                boost::json::value(after.email));
    if (p.company)
      AddChange(changes, "profile", "company", opt(before.company), opt(after.company));
    if (p.job_title) {
      AddChange(changes, "profile", "job_title", opt(before.job_title), opt(after.job_title));
    }
    if (p.use_case) {
      AddChange(changes, "profile", "use_case", opt(before.use_case), opt(after.use_case));
    }
    if (p.phone) AddChange(changes, "profile", "phone", opt(before.phone), opt(after.phone));
  }
  return object{{"changes", std::move(changes)}};
}

Result<object> RequestFulfilment::Erase(const PrivacyRequestRecord& r,
                                        const RequestOrigin& origin) {
  array receipts, exceptions;
  exceptions.emplace_back(kBillingException);
  if (r.subject_kind == "end_user") {
    LETHE_ASSIGN_OR_RETURN(AccountRecord account, store_.FindAccount(r.customer_id, r.account_id));
    LETHE_ASSIGN_OR_RETURN(
        ErasureRecord e,
        erasures_.EraseEndUser(Principal{account, "privacy_request"}, r.subject, origin));
    if (e.state == "held") {
      exceptions.emplace_back(
          "a legal hold covers the account: the erasure waits and runs when the hold is "
          "released (USE-6)");
    }
    receipts.push_back(receipts_.Seal(e));
  } else {
    LETHE_ASSIGN_OR_RETURN(CustomerClosure closure, closures_.CloseCustomer(r.customer_id, origin));
    for (const ErasureRecord& e : closure.erasures) {
      if (e.state == "held") {
        exceptions.emplace_back("a legal hold covers account " + e.account_id +
                                ": its erasure waits for the release (USE-6)");
      }
      receipts.push_back(receipts_.Seal(e));
    }
    exceptions.emplace_back(
        "invoices and records the law requires are kept for their retention period, then "
        "deleted (ACC-6, ACC-10)");
  }
  return object{{"receipts", std::move(receipts)}, {"exceptions", std::move(exceptions)}};
}

Result<PrivacyRequestRecord> RequestFulfilment::Lift(const std::string& customer_id,
                                                     const std::string& id, const Actor& actor,
                                                     const RequestOrigin& origin) {
  PrivacyRequestRecord r;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(r, tx.FindPrivacyRequest(customer_id, id));
    LETHE_ASSIGN_OR_RETURN(CustomerRecord c, tx.FindCustomer(customer_id));
    std::string about = r.subject_kind == "end_user"
                            ? "your end user " + r.subject + " (tell them before we lift it)"
                            : "you";
    std::string text = "The " + r.type + " placed by privacy request " + r.id + " on the data of " +
                       about +
                       " is about to be lifted. Once this notice is sent, Lethe uses the data "
                       "again as before (streaming, links, processing).\n";
    LETHE_RETURN_IF_ERROR(limits_.BeginLift(tx, r, c.email, text, actor, origin));
    return tx.AppendPrivacyRequestStep({r.id, 0, r.state, clock_.NowMillis(), actor.audit_text(),
                                        "lifting the " + r.type + " after notice to the subject"});
  }));
  return r;
}

}  // namespace lethe
