#include "domain/transfers.h"

#include <algorithm>
#include <chrono>

namespace lethe {
namespace {

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

bool Listed(const std::string& csv, const std::string& item) {
  size_t pos = 0;
  while (pos <= csv.size()) {
    size_t comma = csv.find(',', pos);
    if (comma == std::string::npos) comma = csv.size();
    if (csv.compare(pos, comma - pos, item) == 0) return true;
    pos = comma + 1;
  }
  return false;
}

Status Refused(const std::string& why) {
  return Status::FailedPrecondition("transfer-refused", why);
}

}  // namespace

Result<std::pair<Endpoint, std::string>> Transfers::VetEndpoint(const std::string& url) {
  LETHE_ASSIGN_OR_RETURN(Endpoint endpoint, ParseEndpoint(url));
  auto addresses = http_->Resolve(endpoint.host);
  if (!addresses.ok()) {
    return Status::Unprocessable("unresolvable-host", "the endpoint's host does not resolve");
  }
  // Every address must pass, not just one: the connection may be pinned to
  // any, and a host that also resolves inside the network is not trusted.
  for (const std::string& a : *addresses) {
    if (!AddressAllowed(a, endpoint.loopback_host)) {
      return Status::Unprocessable(
          "private-address",
          "the endpoint resolves to a private, loopback, link-local or reserved address");
    }
  }
  std::string first = addresses->front();
  return std::pair<Endpoint, std::string>{std::move(endpoint), std::move(first)};
}

Result<TransferResult> Transfers::Send(const TransferRequest& t, const Actor& actor,
                                       const RequestOrigin& origin) {
  if (t.account_id.empty() || t.recipient_id.empty() || t.purpose.empty()) {
    return Status::InvalidArgument("invalid-field",
                                   "a transfer needs an account, a recipient and a purpose");
  }
  // Nothing leaves without a stated legal basis, personal data or not.
  if (std::find(std::begin(DisclosureLedger::kLegalBases), std::end(DisclosureLedger::kLegalBases),
                t.legal_basis) == std::end(DisclosureLedger::kLegalBases)) {
    return Status::InvalidArgument("no-legal-basis",
                                   "a transfer needs a legal basis: contract, consent, "
                                   "legal_obligation or legitimate_interest");
  }
  // 1. The recipient.
  LETHE_ASSIGN_OR_RETURN(AccountRecord account, store_.FindAccountById(t.account_id));
  std::string url, recipient, kind, crossing;
  if (t.kind == RecipientKind::kSubprocessor) {
    LETHE_ASSIGN_OR_RETURN(SubprocessorRecord s, registry_.InForce(store_, t.recipient_id));
    if (s.endpoint.empty()) return Refused("the sub-processor has no endpoint registered");
    if (s.purpose != t.purpose) {
      return Refused("the sub-processor is registered for " + s.purpose + ", not " + t.purpose);
    }
    for (const std::string& c : t.categories) {
      if (!Listed(s.categories, c)) {
        return Refused("the sub-processor is not registered to receive " + c);
      }
    }
    // 3. The region (checked before anything is resolved or written).
    if (!RegionAllows(s.region, account.region)) {
      return Status::FailedPrecondition(
          "region-mismatch", "an account in region " + account.region +
                                 " may not send data to a sub-processor in region " + s.region);
    }
    // XFR-2: data leaving its account's region goes only with its basis in
    // the ledger, which says so in the row itself.
    if (s.region != account.region) {
      crossing = " (leaves region " + account.region + " for " + s.region + ")";
    }
    url = s.endpoint;
    recipient = s.name;
    kind = "subprocessor";
  } else {
    auto hook = store_.FindWebhook(t.account_id, t.recipient_id);
    if (!hook.ok()) {
      if (hook.status().code() == Status::Code::kNotFound) {
        return Refused("the account has no such webhook endpoint");
      }
      return hook.status();
    }
    url = hook->url;
    kind = "customer_endpoint";
  }
  // 2. The processing gate, for the end user the data is about. A
  // sub-processor processes for Lethe, for the transfer's purpose (its
  // limits and consent apply); the customer's own endpoint is its
  // controller, which only a restriction keeps the data from.
  if (kind == "subprocessor") {
    LETHE_RETURN_IF_ERROR(
        gate_.Admit(t.account_id, t.end_user, ProcessingUse::kProcessing, t.purpose));
  } else {
    LETHE_RETURN_IF_ERROR(
        gate_.Admit(t.account_id, t.end_user, ProcessingUse::kControllerDelivery));
  }
  // 4. The SSRF guard, resolving now: the address may have changed since
  // the URL was registered.
  LETHE_ASSIGN_OR_RETURN(auto vetted, VetEndpoint(url));
  if (kind == "customer_endpoint") recipient = "customer endpoint " + vetted.first.host;

  // 5. The ledger row, committed before anything leaves.
  TransferResult result;
  if (!t.categories.empty()) {
    Disclosure d{t.account_id, recipient,         kind,
                 t.purpose,    t.legal_basis,     Join(t.categories),
                 t.end_user,   t.what + crossing, t.reference};
    LETHE_RETURN_IF_ERROR(store_.Transact([&](MetadataTx& tx) -> Status {
      LETHE_ASSIGN_OR_RETURN(DisclosureRecord row, ledger_.Record(tx, d, actor, origin));
      result.disclosure_id = row.id;
      return Status::Ok();
    }));
  }
  // 6. The send, to the vetted address.
  OutboundRequest request{url, vetted.second, t.headers, t.body};
  auto start = std::chrono::steady_clock::now();
  LETHE_ASSIGN_OR_RETURN(result.response, http_->Post(request));
  result.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  return result;
}

}  // namespace lethe
