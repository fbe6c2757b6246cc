// CurlOutboundHttp: OutboundHttp over libcurl, for the transfer gate only
// (ports/outbound_http.h says why nothing else may hold one). TLS peers are
// verified against the system's CA store; redirects are not followed; the
// connection goes to the vetted address alone (CURLOPT_RESOLVE pins the
// URL's host to it), so a DNS answer that changes after the check cannot
// point the request elsewhere.
#pragma once

#include <memory>

#include "ports/outbound_http.h"

namespace lethe {

// A new client, to be handed straight to Transfers.
std::unique_ptr<OutboundHttp> MakeCurlOutboundHttp();

}  // namespace lethe
