// Transfers: the one gate every transfer of data to a service outside the
// deployment goes through (SHR-1, SHR-2, SHR-3). It alone holds the
// outbound HTTP client (ports/outbound_http.h), so no code path can send
// data out without passing these checks, in this order:
//
//  1. the recipient is a sub-processor in force in the registry
//     (SubProcessors::InForce), for the transfer's purpose and every one
//     of its data categories; or a webhook endpoint the account's customer
//     registered itself (the data then goes back to its own controller);
//  2. the processing gate admits the use for the end user the data is
//     about (restriction, objection, opt-outs; consent once the gate
//     checks it): ProcessingUse::kThirdPartyExport;
//  3. for a sub-processor, its region allows the account's (RegionAllows;
//     XFR-2: a transfer out of the account's region that it allows has
//     the crossing written in its ledger row's `what`);
//  4. the URL and every address its host resolves to pass the SSRF guard
//     (endpoint_guard.h);
//  5. a disclosure-ledger row is committed when the payload holds personal
//     data (the request names data categories), and only then
//  6. the request is sent, to the vetted address only.
//
// A refused transfer sends nothing and writes nothing. A row stays when
// the send then fails: the data may have left, and the ledger errs on the
// side of recording it. Send blocks on the network: call it from the job
// runner, never from a network thread.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "domain/actor.h"
#include "domain/disclosure_ledger.h"
#include "domain/endpoint_guard.h"
#include "domain/processing_gate.h"
#include "domain/request_origin.h"
#include "domain/sub_processors.h"
#include "ports/metadata_store.h"
#include "ports/outbound_http.h"

namespace lethe {

enum class RecipientKind { kSubprocessor, kCustomerEndpoint };

struct TransferRequest {
  std::string account_id;
  std::string end_user;  // whom the data is about; "" when it names no end user
  RecipientKind kind = RecipientKind::kSubprocessor;
  std::string recipient_id;  // sub_... or whk_... of the account
  std::string purpose;
  std::string legal_basis;  // DisclosureLedger::kLegalBases
  // The personal-data categories in the payload (SubProcessors::
  // kCategories); empty when it holds none: no ledger row then.
  std::vector<std::string> categories;
  std::string what;       // what is sent, in ids and sizes
  std::string reference;  // the instruction it answers (a delivery id, ...)
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct TransferResult {
  OutboundResponse response;
  std::string disclosure_id;  // "" when no row was owed
  int64_t duration_ms = 0;
};

class Transfers {
 public:
  // Takes the only outbound HTTP client of the process.
  Transfers(MetadataStore& store, ProcessingGate& gate, SubProcessors& registry,
            DisclosureLedger& ledger, std::unique_ptr<OutboundHttp> http)
      : store_(store), gate_(gate), registry_(registry), ledger_(ledger), http_(std::move(http)) {}
  Transfers(const Transfers&) = delete;
  Transfers& operator=(const Transfers&) = delete;

  // Checks `url` as a transfer's destination, resolving its host: returns
  // the endpoint and the address to connect to. As ParseEndpoint for the
  // URL's shape; Unprocessable("unresolvable-host"); Unprocessable
  // ("private-address") when any address it resolves to fails the guard.
  Result<std::pair<Endpoint, std::string>> VetEndpoint(const std::string& url);

  // Sends `t` once every check passed. Returns the receiver's answer,
  // whatever its HTTP status, and the ledger row written. Refusals send
  // nothing: FailedPrecondition("transfer-refused") for a recipient not in
  // force or not registered by the account, or a purpose or category it
  // is not registered for; PermissionDenied("processing-restricted") from
  // the processing gate; FailedPrecondition("region-mismatch"); the
  // endpoint errors of VetEndpoint; InvalidArgument for a malformed
  // request. After the row: Unavailable when no answer came.
  Result<TransferResult> Send(const TransferRequest& t, const Actor& actor,
                              const RequestOrigin& origin);

 private:
  MetadataStore& store_;
  ProcessingGate& gate_;
  SubProcessors& registry_;
  DisclosureLedger& ledger_;
  std::unique_ptr<OutboundHttp> http_;
};

}  // namespace lethe
