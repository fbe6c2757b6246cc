// OutboundHttp: the one way Lethe's own code sends a request to a service
// outside the deployment (a sub-processor, a customer's webhook endpoint).
// SHR-1 and SHR-3 need every such transfer to pass the transfer gate, so
// this port has exactly one holder: Transfers (domain/transfers.h) owns the
// only instance, made for it by app wiring and never kept anywhere else.
// src/domain/transfer_exits_test.cc fails when any other file
// includes this header or the adapter's.
//
// The adapter does no policy: the gate vets the URL and the addresses its
// host resolves to (SSRF guard), and the adapter connects to the vetted
// address only (no second lookup a DNS answer could change in between) and
// never follows a redirect.
//
// Calls block up to the request's timeout: call them from the job runner,
// never from a network thread. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace lethe {

struct OutboundRequest {
  std::string url;      // absolute http(s) URL, as vetted
  std::string address;  // the vetted IP address the connection must use
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // sent as POST
  std::chrono::milliseconds timeout{10'000};
};

struct OutboundResponse {
  long status = 0;   // the HTTP status the receiver answered
  std::string body;  // at most the first 4 KiB, for the attempt's record
};

class OutboundHttp {
 public:
  virtual ~OutboundHttp() = default;

  // The IP addresses (text form) `host` resolves to. NotFound
  // ("unresolvable-host") when it resolves to none.
  virtual Result<std::vector<std::string>> Resolve(const std::string& host) = 0;

  // POSTs `request` over a connection to request.address. Returns the
  // receiver's answer, whatever its status; Unavailable with the reason
  // when there was none (refused, reset, timed out, TLS failure).
  virtual Result<OutboundResponse> Post(const OutboundRequest& request) = 0;
};

}  // namespace lethe
