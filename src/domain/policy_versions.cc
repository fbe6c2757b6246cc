#include "domain/policy_versions.h"

#include "common/time_format.h"
#include "common/utf8.h"

namespace lethe {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;
constexpr int kAnnounceBatch = 500;

std::string Announcement(const PolicyVersionRecord& v) {
  std::string date = FormatRfc3339(v.effective_ms).substr(0, 10);
  std::string text = "Lethe's privacy policy changes: version " + std::to_string(v.version) +
                     " takes effect on " + date + ".\n\nRead it at GET /v1/policy/versions.\n";
  if (v.material) {
    text += "\nThis is a material change. From " + date +
            " Lethe asks afresh for every consent given under an earlier version (marketing, "
            "analytics, transcription, third-party sharing): until it is renewed, the use it "
            "allowed stops. GET /v1/consents shows which need renewal.\n";
  }
  return text;
}

}  // namespace

int64_t VersionInForce(const std::vector<PolicyVersionRecord>& versions, int64_t now_ms) {
  int64_t found = 0;
  for (const PolicyVersionRecord& v : versions) {
    if (v.effective_ms <= now_ms && v.version > found) found = v.version;
  }
  return found;
}

int64_t NewestMaterialInForce(const std::vector<PolicyVersionRecord>& versions, int64_t now_ms) {
  int64_t found = 0;
  for (const PolicyVersionRecord& v : versions) {
    if (v.material && v.effective_ms <= now_ms && v.version > found) found = v.version;
  }
  return found;
}

int64_t BundledPolicyDate() {
  const std::string& text = BundledPolicyText();
  size_t at = text.rfind("Last Updated: ");
  if (at == std::string::npos) return 0;
  auto date = ParseDate(std::string_view(text).substr(at + 14, 10));
  return date ? DaysFromCivil(*date) * kDayMs : 0;
}

Result<bool> PolicyVersions::Seed(const std::string& text, int64_t effective_ms) {
  bool seeded = false;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    seeded = false;
    LETHE_ASSIGN_OR_RETURN(std::vector<PolicyVersionRecord> versions, tx.ListPolicyVersions());
    if (!versions.empty()) return Status::Ok();
    PolicyVersionRecord v{1, text, effective_ms, false, clock_.NowMillis()};
    LETHE_RETURN_IF_ERROR(tx.InsertPolicyVersion(v));
    seeded = true;
    return audit_.Record(tx, Actor::System("system"), "policy.seed", "policy_v1", "",
                         RequestOrigin{});
  }));
  return seeded;
}

Result<PolicyVersions::Published> PolicyVersions::Publish(const std::string& text,
                                                          const std::string& effective_date,
                                                          bool material, const Actor& actor,
                                                          const RequestOrigin& origin) {
  if (text.empty() || text.size() > kMaxTextBytes || !IsValidUtf8(text)) {
    return Status::InvalidArgument("invalid-field",
                                   "the policy text must be 1 byte to 1 MiB of UTF-8");
  }
  auto date = ParseDate(effective_date);
  if (!date || effective_date.size() != 10) {
    return Status::InvalidArgument("invalid-field", "the effective date must be YYYY-MM-DD");
  }
  const int64_t now = clock_.NowMillis();
  const int64_t effective_ms = DaysFromCivil(*date) * kDayMs;
  // Notice before effect: the day after publishing at the earliest.
  if (material && effective_ms <= now) {
    return Status::InvalidArgument("notice-required",
                                   "a material change must take effect after the day it is "
                                   "published, so customers are told first");
  }
  Published out;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    out.announced = 0;
    LETHE_ASSIGN_OR_RETURN(std::vector<PolicyVersionRecord> versions, tx.ListPolicyVersions());
    int64_t next = versions.empty() ? 1 : versions.back().version + 1;
    if (!versions.empty() && effective_ms < versions.back().effective_ms) {
      return Status::InvalidArgument("invalid-field",
                                     "the effective date is before the newest version's");
    }
    out.version = PolicyVersionRecord{next, text, effective_ms, material, now};
    LETHE_RETURN_IF_ERROR(tx.InsertPolicyVersion(out.version));
    const std::string subject = "Lethe: privacy policy version " + std::to_string(next);
    const std::string body = Announcement(out.version);
    std::string after;
    for (;;) {
      LETHE_ASSIGN_OR_RETURN(std::vector<CustomerRecord> batch,
                             tx.ListOpenCustomers(after, kAnnounceBatch));
      for (const CustomerRecord& c : batch) {
        LETHE_RETURN_IF_ERROR(StatusOf(outbox_.Send(tx, c.email, subject, body)));
        ++out.announced;
      }
      if (batch.size() < static_cast<size_t>(kAnnounceBatch)) break;
      after = batch.back().id;
    }
    return audit_.Record(tx, actor, "policy.publish", "policy_v" + std::to_string(next), "",
                         origin);
  }));
  return out;
}

Result<PolicyVersionRecord> PolicyVersions::Current() {
  LETHE_ASSIGN_OR_RETURN(std::vector<PolicyVersionRecord> versions, store_.ListPolicyVersions());
  int64_t in_force = VersionInForce(versions, clock_.NowMillis());
  for (PolicyVersionRecord& v : versions) {
    if (v.version == in_force) return std::move(v);
  }
  return Status::NotFound("no policy version is in force yet");
}

Result<std::vector<PolicyVersionRecord>> PolicyVersions::All() {
  return store_.ListPolicyVersions();
}

}  // namespace lethe
