#include "domain/sub_processors.h"

#include <algorithm>
#include <iterator>
#include <map>

#include "common/time_format.h"
#include "crypto/secret_hash.h"
#include "domain/endpoint_guard.h"
#include "domain/validation.h"

namespace lethe {
namespace {

constexpr int64_t kDayMs = 86'400'000;
constexpr int kCustomerPage = 500;

template <size_t N>
bool OneOf(const std::string& value, const char* const (&list)[N]) {
  return std::find(std::begin(list), std::end(list), value) != std::end(list);
}

std::vector<std::string> Split(const std::string& csv) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= csv.size() && !csv.empty()) {
    size_t comma = csv.find(',', pos);
    if (comma == std::string::npos) comma = csv.size();
    out.push_back(csv.substr(pos, comma - pos));
    pos = comma + 1;
  }
  return out;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

void Apply(const SubprocessorForm& form, SubprocessorRecord& s) {
  if (form.name) s.name = *form.name;
  if (form.purpose) s.purpose = *form.purpose;
  if (form.region) s.region = *form.region;
  if (form.categories) s.categories = Join(*form.categories);
  if (form.endpoint) s.endpoint = *form.endpoint;
}

}  // namespace

bool RegionAllows(const std::string& processor_region, const std::string& account_region) {
  if (processor_region == account_region) return true;
  return processor_region == "global" && account_region != "eu";
}

Status SubProcessors::Check(const SubprocessorRecord& s) const {
  LETHE_RETURN_IF_ERROR(CheckText("name", s.name, 200));
  LETHE_RETURN_IF_ERROR(CheckText("purpose", s.purpose, 64));
  if (!OneOf(s.region, kRegions)) {
    return Status::InvalidArgument("invalid-field", "region must be eu, us or global");
  }
  std::vector<std::string> categories = Split(s.categories);
  if (categories.empty()) {
    return Status::InvalidArgument("invalid-field", "categories must name at least one");
  }
  for (const std::string& c : categories) {
    if (!OneOf(c, kCategories)) {
      return Status::InvalidArgument(
          "invalid-field",
          "categories must be among content, metadata, identifiers, usage, contact");
    }
  }
  if (!s.endpoint.empty()) LETHE_RETURN_IF_ERROR(StatusOf(ParseEndpoint(s.endpoint)));
  if (s.effective_ms < s.announced_ms + int64_t{kNoticeDays} * kDayMs) {
    return Status::InvalidArgument("invalid-field", "effective_at must be at least " +
                                                        std::to_string(kNoticeDays) +
                                                        " days away: customers are told first");
  }
  return Status::Ok();
}

Result<SubprocessorRecord> SubProcessors::Register(const Actor& actor, const SubprocessorForm& form,
                                                   const RequestOrigin& origin) {
  SubprocessorRecord s;
  s.id = RandomId(random_, "sub_");
  s.version = 1;
  Apply(form, s);
  s.changed_by = actor.audit_text();
  s.announced_ms = clock_.NowMillis();
  s.effective_ms = form.effective_ms.value_or(s.announced_ms + int64_t{kNoticeDays} * kDayMs);
  LETHE_RETURN_IF_ERROR(Check(s));
  return AddVersion(actor, std::move(s), "subprocessor.register", origin);
}

Result<SubprocessorRecord> SubProcessors::NextVersion(const std::string& id) {
  LETHE_ASSIGN_OR_RETURN(auto versions, store_.ListSubprocessorVersions());
  std::optional<SubprocessorRecord> newest;
  for (const SubprocessorRecord& v : versions) {
    if (v.id == id) newest = v;
  }
  if (!newest) return Status::NotFound("no such sub-processor");
  if (newest->retired) {
    return Status::FailedPrecondition("subprocessor-retired", "the sub-processor is retired");
  }
  SubprocessorRecord next = *newest;
  next.version = newest->version + 1;
  return next;
}

Result<SubprocessorRecord> SubProcessors::Change(const Actor& actor, const std::string& id,
                                                 const SubprocessorForm& form,
                                                 const RequestOrigin& origin) {
  LETHE_ASSIGN_OR_RETURN(SubprocessorRecord s, NextVersion(id));
  Apply(form, s);
  s.changed_by = actor.audit_text();
  s.announced_ms = clock_.NowMillis();
  s.effective_ms = form.effective_ms.value_or(s.announced_ms + int64_t{kNoticeDays} * kDayMs);
  LETHE_RETURN_IF_ERROR(Check(s));
  return AddVersion(actor, std::move(s), "subprocessor.change", origin);
}

Result<SubprocessorRecord> SubProcessors::Retire(const Actor& actor, const std::string& id,
                                                 const RequestOrigin& origin) {
  LETHE_ASSIGN_OR_RETURN(SubprocessorRecord s, NextVersion(id));
  s.retired = true;
  s.changed_by = actor.audit_text();
  s.announced_ms = s.effective_ms = clock_.NowMillis();
  return AddVersion(actor, std::move(s), "subprocessor.retire", origin);
}

Result<SubprocessorRecord> SubProcessors::AddVersion(const Actor& actor, SubprocessorRecord s,
                                                     const std::string& action,
                                                     const RequestOrigin& origin) {
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    LETHE_RETURN_IF_ERROR(tx.InsertSubprocessorVersion(s));
    LETHE_RETURN_IF_ERROR(audit_.Record(tx, actor, action, s.id, "", origin));
    return Announce(tx, s, action);
  }));
  return s;
}

Status SubProcessors::Announce(MetadataTx& tx, const SubprocessorRecord& s,
                               const std::string& action) {
  std::string what = action == "subprocessor.register" ? "a new sub-processor"
                     : action == "subprocessor.change" ? "a change to a sub-processor"
                                                       : "the end of a sub-processor's use";
  std::string subject = "Lethe sub-processors: " + what + " from " + FormatRfc3339(s.effective_ms);
  std::string text = "Lethe announces " + what + ", in force from " +
                     FormatRfc3339(s.effective_ms) + ".\n\n" + "name: " + s.name +
                     "\npurpose: " + s.purpose + "\nregion: " + s.region +
                     "\ndata categories: " + s.categories + "\nid: " + s.id + " (version " +
                     std::to_string(s.version) + ")\n\n" +
                     "No data goes to it before that date. The full list is at "
                     "GET /v1/subprocessors. Reply to this message to object.\n";
  std::string after;
  for (;;) {
    LETHE_ASSIGN_OR_RETURN(auto customers, tx.ListOpenCustomers(after, kCustomerPage));
    for (const CustomerRecord& c : customers) {
      LETHE_RETURN_IF_ERROR(StatusOf(outbox_.Send(tx, c.email, subject, text)));
    }
    if (static_cast<int>(customers.size()) < kCustomerPage) return Status::Ok();
    after = customers.back().id;
  }
}

Result<std::vector<SubprocessorEntry>> SubProcessors::List() {
  LETHE_ASSIGN_OR_RETURN(auto versions, store_.ListSubprocessorVersions());
  const int64_t now = clock_.NowMillis();
  std::map<std::string, SubprocessorEntry> by_id;  // versions come by id, then version
  for (const SubprocessorRecord& v : versions) {
    SubprocessorEntry& e = by_id[v.id];
    if (v.effective_ms <= now) {
      e.current = v;
      e.upcoming.reset();  // an older announcement now superseded
    } else {
      e.upcoming = v;
    }
  }
  std::vector<SubprocessorEntry> out;
  for (auto& [id, e] : by_id) {
    if (e.current && e.current->retired) continue;
    out.push_back(std::move(e));
  }
  std::sort(out.begin(), out.end(), [](const SubprocessorEntry& a, const SubprocessorEntry& b) {
    const auto& x = a.current ? *a.current : *a.upcoming;
    const auto& y = b.current ? *b.current : *b.upcoming;
    return std::tie(x.name, x.id) < std::tie(y.name, y.id);
  });
  return out;
}

Result<SubprocessorRecord> SubProcessors::InForce(MetadataReader& reader, const std::string& id) {
  LETHE_ASSIGN_OR_RETURN(auto versions, reader.ListSubprocessorVersions());
  const int64_t now = clock_.NowMillis();
  std::optional<SubprocessorRecord> current;
  for (const SubprocessorRecord& v : versions) {
    if (v.id == id && v.effective_ms <= now) current = v;
  }
  if (!current || current->retired) {
    return Status::FailedPrecondition(
        "transfer-refused",
        "the recipient is not a sub-processor in force (unknown, announced "
        "but not yet effective, or retired)");
  }
  return *current;
}

}  // namespace lethe
