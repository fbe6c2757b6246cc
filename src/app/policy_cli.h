// `lethe policy publish ...` (SEC-6): a new privacy-policy version, on a
// stopped server. Like `lethe staff add` it takes the data directory's
// lock (refused beside a live `lethe serve`) and opens only the metadata
// store and the audit chain. The announcements it queues in the outbox go
// out when the server next runs its jobs.
#pragma once

#include <ostream>
#include <string>

namespace lethe {

// Stores the text of `file` as the next policy version, effective on
// `effective_date` (YYYY-MM-DD), `material` or not, audited
// "policy.publish" by "lethe:policy-cli", with an announcement to every open
// customer. The metadata store is PostgreSQL at `metadata_url`, or, when
// it is empty, <data_dir>/lethe.db. Prints the version and how many customers were told to
// `out`; returns 0. Returns 2 with a message on `err` for an unreadable
// file, a bad date, a material change without notice, a locked data
// directory or a storage failure.
int PublishPolicy(const std::string& data_dir, const std::string& file,
                  const std::string& effective_date, bool material, const std::string& metadata_url,
                  std::ostream& out, std::ostream& err);

}  // namespace lethe
