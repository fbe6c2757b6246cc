// LegalHolds (USE-6): staff with the legal or admin role place a hold on an
// account, on one end user of an account, or on one media object; while a
// hold applies, the erasure side records erasures and expiries on its scope
// as pending instead of running them, and runs them once it is released.
//
// A hold has a reason and a matter reference (staff eyes only), an
// optional end date, and may be non-disclosure. The customer sees the holds
// on its accounts (scope and dates, never reason or matter) unless they are
// non-disclosure; the audit events of a non-disclosure hold are kept off
// the account (account_id empty) so its audit trail does not reveal it.
//
// Scope and personal data: a hold on an end user stores the keyed hash
// KeyedIds::Of("end_user", account_id, ref) as its subject, never the
// reference, so a hold row outlives the end user's erasure without naming
// them; Covering() hashes the reference it is asked about the same way. A
// media hold stores the media id in clear: ids are random handles, already
// in the audit chain, and the customer needs it to know what is held.
//
// Scope must exist: an unknown account, a media id that is not the
// account's, or an end user of whom the account holds nothing (no media,
// no usage event) is NotFound.
//
// Release: Release() (staff) or the end date passing (SweepLapsed, run
// periodically) marks the hold released and enqueues, in the same
// transaction, a durable job that calls every OnRelease hook with the
// hold. Hooks therefore run at least once after the release commits (once
// more after any crash or failed hook) and must be idempotent.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "crypto/keyed_id.h"
#include "domain/actor.h"
#include "domain/audit_log.h"
#include "domain/job_queue.h"
#include "domain/request_origin.h"
#include "domain/staff.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

// What a staff member asks to hold.
struct HoldForm {
  std::string scope;               // "account", "end_user" or "media"
  std::string account_id;          // always
  std::string end_user;            // scope "end_user" only
  std::string media_id;            // scope "media" only
  std::string reason;              // 1..2000 bytes
  std::string matter;              // 1..200 bytes
  std::optional<int64_t> ends_ms;  // must be in the future
  bool non_disclosure = false;
};

class LegalHolds {
 public:
  static constexpr const char* kReleasedJob = "legal_hold.released";
  // The actor of a hold released by its end date.
  static constexpr const char* kSweepActor = "lethe:legal-holds";
  using ReleaseHook = std::function<Status(const HoldRecord& hold)>;

  // The roles that may place, list and release holds.
  static StaffRoles Roles() { return {StaffRole::kLegal, StaffRole::kAdmin}; }

  // Registers the release job's handler with `jobs`.
  LegalHolds(MetadataStore& store, AuditLog& audit, JobQueue& jobs, const KeyedIds& ids,
             const Clock& clock, Random& random);

  // Places a hold, audited "legal_hold.place" by `who`. Returns it;
  // PermissionDenied when `who` lacks a hold role; InvalidArgument
  // ("invalid-field") for a bad scope, a missing or extra subject, a bad
  // reason or matter, an end date not in the future; NotFound for an
  // unknown scope (see above).
  Result<HoldRecord> Place(const StaffPrincipal& who, const HoldForm& form,
                           const RequestOrigin& origin);

  // Releases hold `id`, audited "legal_hold.release", and queues the
  // release hooks. Returns the released hold; a hold already released (or
  // lapsed) is returned as it is, with nothing recorded again.
  // PermissionDenied as for Place; NotFound for an unknown id.
  Result<HoldRecord> Release(const StaffPrincipal& who, const std::string& id,
                             const RequestOrigin& origin);

  // The account the hold `id` is on, for the access-grant check of
  // staff routes that name it (USE-4). NotFound for an unknown id.
  Result<std::string> AccountOf(const std::string& id);

  // Every hold on the account, released ones too, oldest first, audited
  // "legal_hold.list". PermissionDenied as for Place; NotFound for an
  // unknown account.
  Result<std::vector<HoldRecord>> ListForStaff(const StaffPrincipal& who,
                                               const std::string& account_id,
                                               const RequestOrigin& origin);

  // The holds the customer may see on its account: all but non-disclosure
  // ones. NotFound when the account is not the customer's.
  Result<std::vector<HoldRecord>> ListForCustomer(const std::string& customer_id,
                                                  const std::string& account_id);

  // An active hold (not released, ends_ms absent or after `now_ms`) on
  // `account_id` that covers the account itself, the end user `end_user`
  // (if non-empty) or the media `media_id` (if non-empty); nullopt if none.
  // To have a hold on an end user cover their media, pass the media's
  // end user too. Internal on a storage failure.
  Result<std::optional<HoldRecord>> Covering(const std::string& account_id,
                                             const std::string& end_user,
                                             const std::string& media_id, int64_t now_ms);
  // The same, read through `reader` (a MetadataTx), so that the check and
  // what it guards commit together.
  Result<std::optional<HoldRecord>> CoveringTx(MetadataReader& reader,
                                               const std::string& account_id,
                                               const std::string& end_user,
                                               const std::string& media_id, int64_t now_ms);

  // Whether any active hold, of any scope, is on `account_id` (what an
  // account's erasure must wait for), read through `reader`.
  Result<bool> AnyActiveTx(MetadataReader& reader, const std::string& account_id, int64_t now_ms);

  // Adds a hook run (through the durable release job) after a hold is
  // released or lapses. Register before the job runner starts. A hook's
  // error fails the job, which is retried with every hook again. Another
  // hold may still cover the same data: a hook that runs held work should
  // ask Covering() again first.
  void OnRelease(ReleaseHook hook);

  // Releases, as kSweepActor, up to `limit` holds whose end date has passed,
  // audited "legal_hold.lapse". Returns how many.
  Result<int> SweepLapsed(int limit);

  // "active", "released" or "ended" (end date passed, not yet swept).
  std::string StateOf(const HoldRecord& hold) const;

 private:
  Status CheckForm(const HoldForm& form) const;
  Status CheckScopeExists(MetadataTx& tx, const HoldForm& form);
  // Marks `hold` released by `actor` in `tx`, audits and queues the hooks.
  Status ReleaseIn(MetadataTx& tx, HoldRecord& hold, const Actor& actor, const std::string& action,
                   const RequestOrigin& origin);
  Status RunHooks(const JobRecord& job);

  MetadataStore& store_;
  AuditLog& audit_;
  JobQueue& jobs_;
  const KeyedIds& ids_;
  const Clock& clock_;
  Random& random_;
  std::mutex hooks_mu_;
  std::vector<ReleaseHook> hooks_;
};

}  // namespace lethe
