#include "app/policy_cli.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "adapters/mail/file_mailer.h"
#include "app/offline_data_dir.h"
#include "domain/job_queue.h"
#include "domain/outbox.h"
#include "domain/policy_versions.h"

namespace lethe {

int PublishPolicy(const std::string& data_dir, const std::string& file,
                  const std::string& effective_date, bool material, const std::string& metadata_url,
                  std::ostream& out, std::ostream& err) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    err << "lethe: cannot read " << file << "\n";
    return 2;
  }
  std::ostringstream text;
  text << in.rdbuf();
  struct stat st;
  if (metadata_url.empty() && ::stat((data_dir + "/lethe.db").c_str(), &st) != 0) {
    err << "lethe: no database in " << data_dir << "\n";
    return 2;
  }
  auto dir = OfflineDataDir::Open(data_dir, metadata_url);
  if (!dir.ok()) {
    err << "lethe: " << dir.status().ToString() << "\n";
    return 2;
  }
  MetadataStore& store = (*dir)->store();
  const Clock& clock = (*dir)->clock();
  Random& random = (*dir)->random();
  // The outbox only queues here; the server delivers through its own
  // mailer (SMTP or files) when it next runs its jobs. This mailer is
  // never asked to send.
  auto mailer = FileMailer::Open(data_dir + "/outbox-mail", clock);
  if (!mailer.ok()) {
    err << "lethe: " << mailer.status().ToString() << "\n";
    return 2;
  }
  JobQueue jobs(store, clock, random);
  Outbox outbox(store, jobs, **mailer, clock, random, "noreply@localhost");
  PolicyVersions policy(store, (*dir)->audit(), outbox, clock);
  // A fresh data directory that never served still starts from version 1.
  auto seeded = policy.Seed(BundledPolicyText(), BundledPolicyDate());
  if (!seeded.ok()) {
    err << "lethe: " << seeded.status().ToString() << "\n";
    return 2;
  }
  const RequestOrigin cli{"cli-policy-publish", "", "", "", "", "", ""};
  auto published =
      policy.Publish(text.str(), effective_date, material, Actor::System("lethe:policy-cli"), cli);
  if (!published.ok()) {
    err << "lethe: " << published.status().ToString() << "\n";
    return 2;
  }
  out << "version: " << published->version.version << "\n"
      << "effective: " << effective_date << "\n"
      << "material: " << (material ? "yes" : "no") << "\n"
      << "announced_to: " << published->announced << "\n";
  return 0;
}

}  // namespace lethe
