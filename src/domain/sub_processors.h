// SubProcessors: the registry of outside services that may receive
// customers' data (SHR-2, SHR-3): name, purpose, region, data categories,
// the endpoint the transfer gate sends to, and the date each entry (or each
// change to one) takes effect.
//
// Customers are told before a sub-processor is added or changed (GDPR Art.
// 28(2): the processor informs the controller of any intended change, so
// it can object). Every new entry and every change is a new version whose
// effective date is at least kNoticeDays after it is made, and is mailed
// to every open customer through the outbox in the same transaction; the
// transfer gate uses a version only from its effective date on. Retiring
// one (ending its use) takes effect at once: no notice is owed for
// sending data to fewer places.
//
// Regions: "eu", "us" or "global" (processes anywhere). An account's data
// may go to a sub-processor of its own region; an "eu" account's data only
// there (GDPR Chapter V: no transfer out of the EEA by default), a "us"
// account's also to a "global" one. RegionAllows states the rule.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "domain/actor.h"
#include "domain/audit_log.h"
#include "domain/outbox.h"
#include "domain/request_origin.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

// What staff give for a new entry or a change (absent fields of a change
// keep their value).
struct SubprocessorForm {
  std::optional<std::string> name;
  std::optional<std::string> purpose;
  std::optional<std::string> region;
  std::optional<std::vector<std::string>> categories;
  std::optional<std::string> endpoint;
  std::optional<int64_t> effective_ms;  // default and minimum: now + kNoticeDays
};

// An entry as served: the version in force (if any yet) and the change
// announced but not yet in force (if any).
struct SubprocessorEntry {
  std::optional<SubprocessorRecord> current;
  std::optional<SubprocessorRecord> upcoming;
};

// True when data of an account in `account_region` may go to a
// sub-processor processing in `processor_region` (see the file comment).
bool RegionAllows(const std::string& processor_region, const std::string& account_region);

class SubProcessors {
 public:
  static constexpr int kNoticeDays = 30;
  static constexpr const char* kRegions[] = {"eu", "us", "global"};
  // The data categories a transfer may name.
  static constexpr const char* kCategories[] = {"content", "metadata", "identifiers", "usage",
                                                "contact"};

  SubProcessors(MetadataStore& store, Outbox& outbox, AuditLog& audit, const Clock& clock,
                Random& random)
      : store_(store), outbox_(outbox), audit_(audit), clock_(clock), random_(random) {}

  // Registers a new entry by `actor` (a staff id), audited
  // "subprocessor.register", announced to every open customer. Returns
  // its first version. InvalidArgument("invalid-field") for a missing or
  // bad field, or an effective date less than kNoticeDays away.
  Result<SubprocessorRecord> Register(const Actor& actor, const SubprocessorForm& form,
                                      const RequestOrigin& origin);

  // A new version of entry `id` (changed fields over the newest version),
  // audited "subprocessor.change" and announced. NotFound for an unknown
  // id; as Register for the fields; FailedPrecondition("subprocessor-
  // retired") for a retired entry.
  Result<SubprocessorRecord> Change(const Actor& actor, const std::string& id,
                                    const SubprocessorForm& form, const RequestOrigin& origin);

  // Ends the use of entry `id` now, audited "subprocessor.retire" and
  // announced. NotFound; FailedPrecondition("subprocessor-retired").
  Result<SubprocessorRecord> Retire(const Actor& actor, const std::string& id,
                                    const RequestOrigin& origin);

  // Every entry not retired, by name.
  Result<std::vector<SubprocessorEntry>> List();

  // The version of `id` in force now. FailedPrecondition("transfer-
  // refused") when there is none (unknown, not yet effective, retired).
  Result<SubprocessorRecord> InForce(MetadataReader& reader, const std::string& id);

 private:
  // A copy of the newest version of `id` numbered one higher, for a change
  // or retirement. NotFound for an unknown id; FailedPrecondition
  // ("subprocessor-retired") once retired.
  Result<SubprocessorRecord> NextVersion(const std::string& id);
  Status Check(const SubprocessorRecord& s) const;
  Result<SubprocessorRecord> AddVersion(const Actor& actor, SubprocessorRecord s,
                                        const std::string& action, const RequestOrigin& origin);
  Status Announce(MetadataTx& tx, const SubprocessorRecord& s, const std::string& action);

  MetadataStore& store_;
  Outbox& outbox_;
  AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace lethe
