// ExportLinks: the download links of subject exports (RGT-1, RGT-2). A link
// is a random bearer token: whoever holds it may download the export once,
// within 24 hours of its issue, and nothing else. Only the SHA-256 of the
// token is stored (as for sessions and API keys), so the table alone opens
// nothing. Issue and redemption are audited, naming the privacy request
// (never the end user, whom the audit chain must not name in clear).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "domain/actor.h"
#include "domain/audit_log.h"
#include "domain/request_origin.h"
#include "domain/subject_export.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

struct IssuedExportLink {
  std::string token;  // "lex_" + 43 characters; shown once, never stored
  int64_t expires_ms = 0;
};

// A redeemed link: the export to stream, and what it answers.
struct RedeemedExport {
  std::unique_ptr<ExportStream> stream;
  std::string request_id;
};

class ExportLinks {
 public:
  static constexpr int64_t kLifetimeMs = 24 * 3600 * 1000;

  ExportLinks(MetadataStore& store, SubjectExports& exports, AuditLog& audit, const Clock& clock,
              Random& random)
      : store_(store), exports_(exports), audit_(audit), clock_(clock), random_(random) {}

  // A new link to the export of `subject` under `jurisdiction`, answering
  // privacy request `request_id` of `customer_id` (subject.customer_id must
  // be that customer), audited "export_link.issue" by `actor`. Returns the
  // token (shown once) and its expiry. InvalidArgument("invalid-field") for
  // a jurisdiction other than gdpr or ccpa, an empty request id, a subject
  // of another customer, or an end user without an account; NotFound for
  // an account that is not the customer's.
  Result<IssuedExportLink> Issue(const std::string& customer_id, const std::string& request_id,
                                 const ExportSubject& subject, const std::string& jurisdiction,
                                 const Actor& actor, const RequestOrigin& origin);

  // Marks the link of `token` used and audits "export_link.redeem" in one
  // transaction, then opens its export. NotFound for an unknown token;
  // Gone("link-gone") for a link used before or past its expiry (nothing
  // changes then); the export's own errors after that (the link stays used:
  // a new one is issued for another try).
  Result<RedeemedExport> Redeem(const std::string& token, const RequestOrigin& origin);

  // What Redeem would answer, without using the link (HEAD, link checkers):
  // the request it answers, NotFound or Gone("link-gone").
  Result<std::string> Check(const std::string& token);

  // Storage limitation: deletes the links that expired more than
  // kKeptExpiredMs ago (used or not). Until then an expired link answers
  // Gone, which tells its holder why; after, NotFound. Returns how many went.
  static constexpr int64_t kKeptExpiredMs = 7 * 24 * 3600 * 1000LL;
  Result<int64_t> SweepExpired();

 private:
  MetadataStore& store_;
  SubjectExports& exports_;
  AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace lethe
