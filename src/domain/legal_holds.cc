#include "domain/legal_holds.h"

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
  if (LegalHolds::Roles().Has(who.role)) return Status::Ok();
  return Status::PermissionDenied("legal holds need the legal or admin role");
}

// The account a hold's audit events belong to: none for a non-disclosure
// hold, so the customer's audit trail does not reveal it.
std::string AuditAccount(const HoldRecord& h) { return h.non_disclosure ? "" : h.account_id; }

}  // namespace

LegalHolds::LegalHolds(MetadataStore& store, AuditLog& audit, JobQueue& jobs, const KeyedIds& ids,
                       const Clock& clock, Random& random)
    : store_(store), audit_(audit), jobs_(jobs), ids_(ids), clock_(clock), random_(random) {
  jobs_.Handle(kReleasedJob, [this](const JobRecord& job) { return RunHooks(job); });
}

Status LegalHolds::CheckForm(const HoldForm& form) const {
  if (form.scope != "account" && form.scope != "end_user" && form.scope != "media") {
    return InvalidField("scope must be \"account\", \"end_user\" or \"media\"");
  }
  if (form.account_id.empty()) return InvalidField("account is required");
  bool wants_end_user = form.scope == "end_user";
  bool wants_media = form.scope == "media";
  if (wants_end_user != !form.end_user.empty()) {
    return InvalidField(wants_end_user ? "end_user is required for scope end_user"
                                       : "end_user is only for scope end_user");
  }
  if (wants_media != !form.media_id.empty()) {
    return InvalidField(wants_media ? "media is required for scope media"
                                    : "media is only for scope media");
  }
  if (form.end_user.size() > kMaxEndUser || !IsValidUtf8(form.end_user)) {
    return InvalidField("end_user must be UTF-8 text of 256 bytes or less");
  }
  LETHE_RETURN_IF_ERROR(CheckText("reason", form.reason, 2000));
  LETHE_RETURN_IF_ERROR(CheckText("matter", form.matter, 200));
  if (form.ends_ms && *form.ends_ms <= clock_.NowMillis()) {
    return InvalidField("ends_at must be in the future");
  }
  return Status::Ok();
}

Status LegalHolds::CheckScopeExists(MetadataTx& tx, const HoldForm& form) {
  LETHE_RETURN_IF_ERROR(StatusOf(tx.FindAccountById(form.account_id)));
  if (form.scope == "media") return StatusOf(tx.FindMedia(form.account_id, form.media_id));
  if (form.scope != "end_user") return Status::Ok();
  return RequireKnownEndUser(tx, form.account_id, form.end_user);
}

Result<HoldRecord> LegalHolds::Place(const StaffPrincipal& who, const HoldForm& form,
                                     const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(Forbidden(who));
  LETHE_RETURN_IF_ERROR(CheckForm(form));
  HoldRecord h;
  h.id = RandomId(random_, "hld_");
  h.account_id = form.account_id;
  h.scope = form.scope;
  if (form.scope == "end_user") h.subject = ids_.Of("end_user", form.account_id, form.end_user);
  if (form.scope == "media") h.subject = form.media_id;
  h.reason = form.reason;
  h.matter = form.matter;
  h.ends_ms = form.ends_ms;
  h.non_disclosure = form.non_disclosure;
  h.placed_by = who.id;
  h.placed_ms = clock_.NowMillis();
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(CheckScopeExists(tx, form));
    LETHE_RETURN_IF_ERROR(tx.InsertHold(h));
    return audit_.Record(tx, who.actor(), "legal_hold.place", h.id, AuditAccount(h), origin);
  }));
  return h;
}

Status LegalHolds::ReleaseIn(MetadataTx& tx, HoldRecord& hold, const Actor& actor,
                             const std::string& action, const RequestOrigin& origin) {
  hold.released_by = actor.audit_text();
  hold.released_ms = clock_.NowMillis();
  LETHE_RETURN_IF_ERROR(tx.UpdateHold(hold));
  LETHE_RETURN_IF_ERROR(audit_.Record(tx, actor, action, hold.id, AuditAccount(hold), origin));
  return StatusOf(jobs_.Enqueue(tx, kReleasedJob, hold.id));
}

Result<HoldRecord> LegalHolds::Release(const StaffPrincipal& who, const std::string& id,
                                       const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(Forbidden(who));
  HoldRecord hold;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_ASSIGN_OR_RETURN(hold, tx.FindHold(id));
    if (hold.released_ms) return Status::Ok();  // idempotent
    return ReleaseIn(tx, hold, who.actor(), "legal_hold.release", origin);
  }));
  return hold;
}

Result<std::vector<HoldRecord>> LegalHolds::ListForStaff(const StaffPrincipal& who,
                                                         const std::string& account_id,
                                                         const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(Forbidden(who));
  std::vector<HoldRecord> holds;
  // The read is a staff action: it is recorded, off the account's own trail.
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(StatusOf(tx.FindAccountById(account_id)));
    LETHE_ASSIGN_OR_RETURN(holds, tx.ListHolds(account_id));
    return audit_.Record(tx, who.actor(), "legal_hold.list", account_id, "", origin);
  }));
  return holds;
}

Result<std::vector<HoldRecord>> LegalHolds::ListForCustomer(const std::string& customer_id,
                                                            const std::string& account_id) {
  LETHE_RETURN_IF_ERROR(StatusOf(store_.FindAccount(customer_id, account_id)));
  LETHE_ASSIGN_OR_RETURN(std::vector<HoldRecord> holds, store_.ListHolds(account_id));
  std::erase_if(holds, [](const HoldRecord& h) { return h.non_disclosure; });
  return holds;
}

Result<std::optional<HoldRecord>> LegalHolds::Covering(const std::string& account_id,
                                                       const std::string& end_user,
                                                       const std::string& media_id,
                                                       int64_t now_ms) {
  return CoveringTx(store_, account_id, end_user, media_id, now_ms);
}

Result<std::optional<HoldRecord>> LegalHolds::CoveringTx(MetadataReader& reader,
                                                         const std::string& account_id,
                                                         const std::string& end_user,
                                                         const std::string& media_id,
                                                         int64_t now_ms) {
  std::string subject = end_user.empty() ? "" : ids_.Of("end_user", account_id, end_user);
  return reader.FindCoveringHold(account_id, subject, media_id, now_ms);
}

Result<bool> LegalHolds::AnyActiveTx(MetadataReader& reader, const std::string& account_id,
                                     int64_t now_ms) {
  LETHE_ASSIGN_OR_RETURN(auto holds, reader.ListHolds(account_id));
  for (const HoldRecord& h : holds) {
    if (!h.released_ms && (!h.ends_ms || *h.ends_ms > now_ms)) return true;
  }
  return false;
}

void LegalHolds::OnRelease(ReleaseHook hook) {
  std::lock_guard lock(hooks_mu_);
  hooks_.push_back(std::move(hook));
}

Status LegalHolds::RunHooks(const JobRecord& job) {
  LETHE_ASSIGN_OR_RETURN(HoldRecord hold, store_.FindHold(job.payload));
  std::vector<ReleaseHook> hooks;
  {
    std::lock_guard lock(hooks_mu_);
    hooks = hooks_;
  }
  for (const ReleaseHook& hook : hooks) LETHE_RETURN_IF_ERROR(hook(hold));
  return Status::Ok();
}

Result<int> LegalHolds::SweepLapsed(int limit) {
  LETHE_ASSIGN_OR_RETURN(std::vector<HoldRecord> lapsed,
                         store_.ListLapsedHolds(clock_.NowMillis(), limit));
  int released = 0;
  const RequestOrigin sweep{"legal-hold-sweep", "", "", "", "", "", ""};
  for (const HoldRecord& found : lapsed) {
    bool did = false;
    LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
      LETHE_ASSIGN_OR_RETURN(HoldRecord hold, tx.FindHold(found.id));
      did = !hold.released_ms;  // a staff release may have come first
      if (!did) return Status::Ok();
      return ReleaseIn(tx, hold, Actor::System(kSweepActor), "legal_hold.lapse", sweep);
    }));
    if (did) ++released;
  }
  return released;
}

std::string LegalHolds::StateOf(const HoldRecord& hold) const {
  if (hold.released_ms) return "released";
  if (hold.ends_ms && *hold.ends_ms <= clock_.NowMillis()) return "ended";
  return "active";
}

Result<std::string> LegalHolds::AccountOf(const std::string& id) {
  auto found = store_.FindHold(id);
  if (!found.ok()) {
    if (found.status().code() == Status::Code::kNotFound) return Status::NotFound("no such hold");
    return found.status();
  }
  return found->account_id;
}

}  // namespace lethe
