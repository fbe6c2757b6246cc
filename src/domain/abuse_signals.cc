#include "domain/abuse_signals.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>

#include "crypto/secret_hash.h"

namespace lethe {
namespace {

constexpr int64_t kHourMs = 3'600'000;
constexpr int64_t kNormHours = 7 * 24;  // the trailing week upload_rate compares with
// Failures remembered per account: past the trigger more adds nothing.
constexpr size_t kMaxFailuresKept = 10'000;

bool IsHex64(const std::string& s) {
  return s.size() == 64 &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Milli(int64_t milli) {
  std::string whole = std::to_string(milli / 1000);
  int64_t frac = (milli % 1000) / 10;
  if (frac == 0) return whole;
  return whole + "." + (frac < 10 ? "0" : "") + std::to_string(frac);
}

}  // namespace

int64_t SignalScore(int64_t observed, int64_t trigger, int64_t cap) {
  if (trigger <= 0 || observed < trigger) return 0;
  return std::min(cap, 50 * observed / trigger);
}

std::string DescribeSignal(const AbuseSignalRecord& s) {
  const std::string minutes = std::to_string(s.window_ms / 60'000);
  if (s.kind == "upload_rate") {
    return std::to_string(s.observed) + " uploads in the last hour, where this account's usual " +
           "rate is " + Milli(s.baseline_milli) + " an hour (the limit was " +
           std::to_string(s.trigger) + ")";
  }
  if (s.kind == "auth_failures") {
    return std::to_string(s.observed) + " attempts with a wrong API key secret within " + minutes +
           " minutes (the limit was " + std::to_string(s.trigger) + ")";
  }
  if (s.kind == "end_users_per_ip") {
    return std::to_string(s.observed) + " different end users from one IP address (" + s.detail +
           ") within " + minutes + " minutes (the limit was " + std::to_string(s.trigger) + ")";
  }
  if (s.kind == "content_flag") return "uploaded media matched a content check: " + s.detail;
  return s.kind;
}

Result<std::unique_ptr<KnownBadHashes>> KnownBadHashes::Load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Internal("cannot read the known-bad hash list " + path);
  std::unordered_set<std::string> hashes;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    std::string h = Trim(line);
    if (h.empty() || h[0] == '#') continue;
    if (!IsHex64(h)) {
      return Status::InvalidArgument(
          "bad-hash-list", path + " line " + std::to_string(n) + " is not a hex SHA-256 digest");
    }
    hashes.insert(Lower(h));
  }
  return std::make_unique<KnownBadHashes>(std::move(hashes));
}

std::optional<std::string> KnownBadHashes::Check(const MediaRecord& media) const {
  if (hashes_.count(Lower(media.sha256)) == 0) return std::nullopt;
  return "its SHA-256 digest is on the operator's list of known-bad content";
}

void AbuseSignals::NoteFailedKey(const std::string& account_id) {
  const int64_t now = clock_.NowMillis();
  std::lock_guard lock(mu_);
  std::deque<int64_t>& times = failures_[account_id];
  while (!times.empty() && times.front() < now - rules_.auth_window.count()) times.pop_front();
  if (times.size() < kMaxFailuresKept) times.push_back(now);
}

Status AbuseSignals::Record(MetadataTx& tx, AbuseSignalRecord& s) {
  s.id = RandomId(random_, "sig_");
  LETHE_RETURN_IF_ERROR(tx.InsertAbuseSignal(s));
  return audit_.Record(tx, Actor::System(kActor), "abuse.signal", s.id, s.account_id,
                       RequestOrigin{});
}

Status AbuseSignals::Emit(MetadataTx& tx, const DomainEvent& event) {
  if (event.type != "media.created" || checks_.empty()) return Status::Ok();
  std::string media_id;
  for (const auto& [k, v] : event.ids) {
    if (k == "media_id") media_id = v;
  }
  LETHE_ASSIGN_OR_RETURN(MediaRecord media, tx.FindMedia(event.account_id, media_id));
  bool flagged = false;
  for (const ContentCheck* check : checks_) {
    std::optional<std::string> why = check->Check(media);
    if (!why) continue;
    AbuseSignalRecord s;
    s.account_id = media.account_id;
    s.kind = "content_flag";
    s.observed = 1;
    s.trigger = 1;
    s.score = std::min(rules_.content_score, rules_.max_signal_score);
    s.detail = check->name() + ": media " + media.id + " (sha256 " + media.sha256 + "): " + *why;
    s.observed_ms = clock_.NowMillis();
    LETHE_RETURN_IF_ERROR(Record(tx, s));
    flagged = true;
  }
  if (flagged) {
    tx.AfterCommit([this, account = media.account_id] {
      {
        std::lock_guard lock(mu_);
        flagged_.insert(account);
      }
      if (on_flagged_) on_flagged_(account);
    });
  }
  return Status::Ok();
}

Result<std::vector<AbuseSignalRecord>> AbuseSignals::Measure(const std::string& account_id,
                                                             int64_t reset_ms) {
  const int64_t now = clock_.NowMillis();
  const int64_t cap = rules_.max_signal_score;
  std::vector<AbuseSignalRecord> measured;
  auto signal = [&](const std::string& kind, int64_t observed, int64_t trigger, int64_t window_ms) {
    AbuseSignalRecord s;
    s.account_id = account_id;
    s.kind = kind;
    s.observed = observed;
    s.trigger = trigger;
    s.score = SignalScore(observed, trigger, cap);
    s.window_ms = window_ms;
    s.observed_ms = now;
    return s;
  };

  // (a) Uploads in the last hour against the account's own trailing week.
  const int64_t hour_start = now - kHourMs;
  LETHE_ASSIGN_OR_RETURN(int64_t uploads,
                         store_.CountUsageEvents(account_id, kUploadMethod, kUploadRoute,
                                                 std::max(hour_start, reset_ms), now));
  if (uploads >= rules_.upload_floor) {
    LETHE_ASSIGN_OR_RETURN(int64_t week,
                           store_.CountUsageEvents(account_id, kUploadMethod, kUploadRoute,
                                                   hour_start - kNormHours * kHourMs, hour_start));
    int64_t norm = (rules_.upload_factor * week + kNormHours - 1) / kNormHours;  // rounded up
    AbuseSignalRecord s =
        signal("upload_rate", uploads, std::max(rules_.upload_floor, norm), kHourMs);
    s.baseline_milli = week * 1000 / kNormHours;
    measured.push_back(s);
  }
  // (b) Wrong secrets for the account's keys.
  {
    std::lock_guard lock(mu_);
    auto it = failures_.find(account_id);
    if (it != failures_.end()) {
      const int64_t since = std::max(now - rules_.auth_window.count(), reset_ms);
      while (!it->second.empty() && it->second.front() < since) it->second.pop_front();
      int64_t n = static_cast<int64_t>(it->second.size());
      if (n == 0) failures_.erase(it);
      measured.push_back(
          signal("auth_failures", n, rules_.auth_failures, rules_.auth_window.count()));
    }
  }
  // (c) Many end users behind one address.
  LETHE_ASSIGN_OR_RETURN(
      std::optional<IpEndUsers> top,
      store_.TopIpEndUsers(account_id, std::max(now - rules_.ip_window.count(), reset_ms)));
  if (top) {
    AbuseSignalRecord s = signal("end_users_per_ip", top->end_users, rules_.end_users_per_ip,
                                 rules_.ip_window.count());
    s.detail = top->ip;
    measured.push_back(s);
  }

  std::erase_if(measured, [](const AbuseSignalRecord& s) { return s.score <= 0; });
  if (measured.empty()) return measured;
  // One row per kind and window unless the score rose: a sweep every
  // minute must not repeat the same finding sixty times an hour.
  LETHE_ASSIGN_OR_RETURN(std::vector<AbuseSignalRecord> recent,
                         store_.ListAbuseSignals(account_id, now - rules_.decision_window.count()));
  std::erase_if(measured, [&](const AbuseSignalRecord& s) {
    return std::any_of(recent.begin(), recent.end(), [&](const AbuseSignalRecord& r) {
      return r.kind == s.kind && r.observed_ms >= std::max(now - s.window_ms, reset_ms) &&
             r.score >= s.score;
    });
  });
  if (measured.empty()) return measured;
  LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
    for (AbuseSignalRecord& s : measured) LETHE_RETURN_IF_ERROR(Record(tx, s));
    return Status::Ok();
  }));
  return measured;
}

Result<std::vector<std::string>> AbuseSignals::Candidates() {
  const int64_t now = clock_.NowMillis();
  const int64_t longest = std::max({kHourMs, rules_.ip_window.count()});
  LETHE_ASSIGN_OR_RETURN(std::vector<std::string> active, store_.ListActiveAccounts(now - longest));
  std::set<std::string> all(active.begin(), active.end());
  std::lock_guard lock(mu_);
  for (const auto& [account, times] : failures_) {
    if (!times.empty()) all.insert(account);
  }
  all.insert(flagged_.begin(), flagged_.end());
  flagged_.clear();
  return std::vector<std::string>(all.begin(), all.end());
}

}  // namespace lethe
