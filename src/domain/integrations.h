// Integrations (SEC-3): third-party tokens a customer keeps for an account,
// such as the token Lethe uses to push media to a video host.
//
// Each token is sealed with AES-256-GCM under a key of its own, made by the
// KeyRing in the account's branch of the key hierarchy (slot
// "secret/<account>/<integration id>", wrapped by the account key), so the
// metadata store holds only ciphertext and the key store only a wrapped
// key. The token is never returned by a listing, logged or audited.
//
// Removing an integration destroys the token: first its key (the key store
// overwrites the slot and forgets the old bytes), then the row, whose
// deletion makes the metadata store forget its old copies too. Once the key
// is gone no copy of the ciphertext, in a backup or anywhere else, can be
// opened; the key goes first so a failure half way still leaves the token
// unreadable, and a retried removal finishes the job.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "domain/actor.h"
#include "domain/audit_log.h"
#include "domain/key_ring.h"
#include "domain/request_origin.h"
#include "ports/clock.h"
#include "ports/metadata_store.h"
#include "ports/random.h"

namespace lethe {

struct IntegrationForm {
  std::string provider;  // 1..64 of a-z 0-9 . _ -
  std::string label;     // 0..200 bytes of text
  std::string token;     // 1..4096 printable ASCII bytes
};

class Integrations {
 public:
  Integrations(MetadataStore& store, KeyRing& keys, AuditLog& audit, const Clock& clock,
               Random& random)
      : store_(store), keys_(keys), audit_(audit), clock_(clock), random_(random) {}

  // Stores `form`'s token sealed for account `account_id` of customer
  // `customer_id`, audited "integration.add" by `actor`. Returns the record
  // (its sealed_token is for the store; views leave it out).
  // InvalidArgument("invalid-field") for a bad provider, label or token;
  // NotFound when the account is not the customer's;
  // FailedPrecondition("key-destroyed") for a closed account's destroyed key.
  Result<IntegrationRecord> Add(const std::string& customer_id, const std::string& account_id,
                                const IntegrationForm& form, const Actor& actor,
                                const RequestOrigin& origin);

  // The account's integrations, oldest first. NotFound as for Add.
  Result<std::vector<IntegrationRecord>> List(const std::string& customer_id,
                                              const std::string& account_id);

  // The token in the clear, for the code that calls the provider. NotFound
  // for an unknown integration (or one of another customer's accounts);
  // FailedPrecondition("key-destroyed") once its key is gone; DataLoss when
  // the sealed token was altered.
  Result<std::string> Token(const std::string& customer_id, const std::string& account_id,
                            const std::string& id);

  // Destroys integration `id`: its key, then its row (see above), audited
  // "integration.remove". NotFound as for Token.
  Status Remove(const std::string& customer_id, const std::string& account_id,
                const std::string& id, const Actor& actor, const RequestOrigin& origin);

 private:
  MetadataStore& store_;
  KeyRing& keys_;
  AuditLog& audit_;
  const Clock& clock_;
  Random& random_;
};

}  // namespace lethe
