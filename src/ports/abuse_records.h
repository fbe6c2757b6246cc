// Records of automated abuse decisions (ADM-1): the signals measured from an
// account's activity, the decisions that suspended accounts on them, and
// the appeals that ask a person to review a decision. Plain data, like
// records.h; kept apart so the topic stays in one place.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace lethe {

// One measured signal, with the inputs its score came from. Written when a
// signal scores above zero; never changed afterwards except to name the
// decision it was counted in.
struct AbuseSignalRecord {
  std::string id;  // sig_...
  std::string account_id;
  std::string kind;            // upload_rate, auth_failures, end_users_per_ip, content_flag
  int64_t observed = 0;        // what was counted in the window
  int64_t baseline_milli = 0;  // the account's own norm x1000 (upload_rate), else 0
  int64_t trigger = 0;         // the level at which the signal starts scoring
  int64_t score = 0;
  int64_t window_ms = 0;  // the span `observed` was counted over (0: one event)
  std::string detail;     // what it was about: a media id and hash, an IP, ...
  int64_t observed_ms = 0;
  std::string decision_id;  // "" until a decision counted it
};

// An automated decision: the account was suspended because the summed
// score of its signals reached the threshold. `state` is "suspended" while
// in force, "reinstated" once a person lifted it.
struct AbuseDecisionRecord {
  std::string id;  // dec_...
  std::string account_id;
  std::string customer_id;
  int64_t score = 0;
  int64_t threshold = 0;
  std::string state;
  int64_t created_ms = 0;
  std::optional<int64_t> lifted_ms;
  std::string lifted_by;  // the staff member who reinstated it
};

// A holder's request for human review of a decision. `state` is "open",
// then "upheld" or "reinstated" with the deciding staff member's reason.
struct AppealRecord {
  std::string id;  // apl_...
  std::string decision_id;
  std::string account_id;
  std::string customer_id;
  std::string statement;
  std::string state;
  int64_t created_ms = 0;
  std::optional<int64_t> decided_ms;
  std::string decided_by;
  std::string reason;
};

// The IP address that named the most distinct end users in a window.
struct IpEndUsers {
  std::string ip;
  int64_t end_users = 0;
};

}  // namespace lethe
