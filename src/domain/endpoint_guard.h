// EndpointGuard: which URLs and addresses the transfer gate may send to
// (the SSRF guard of SHR-3 and the webhooks of issue 12). A customer names
// a URL; the server would then make requests on its behalf from inside the
// deployment, so a URL that reaches the deployment's own network (a
// private range, the cloud metadata service at 169.254.169.254, a loopback
// admin port) would let any customer probe it. The rules:
//
//  - the URL is absolute, http or https, with a host, and no user info;
//  - https, except http to a loopback host named as such (127.0.0.1, ::1,
//    localhost): for tests and a receiver on the same machine;
//  - every address the host resolves to is public unicast: no private,
//    shared (CGNAT), link-local, loopback, multicast, reserved or
//    documentation range, in IPv4 or IPv6 (IPv4-mapped and NAT64 forms are
//    judged by the IPv4 address inside); loopback only for a loopback host.
//
// Pure functions: the resolving is the caller's (Transfers::VetEndpoint),
// which also pins the connection to an address that passed.
#pragma once

#include <string>

#include "common/status.h"

namespace lethe {

struct Endpoint {
  std::string url;  // as given, once it passed
  std::string scheme;
  std::string host;  // without IPv6 brackets
  bool loopback_host = false;
};

// The URL's parts once its shape passes. InvalidArgument: "invalid-url"
// for anything not an absolute http(s) URL with a host (or with user
// info, or over 2048 bytes), "https-required" for http to a host that is
// not a loopback name.
Result<Endpoint> ParseEndpoint(const std::string& url);

// True when a transfer may connect to `address` (text form, v4 or v6):
// public unicast, or loopback when `loopback_host`. False for anything
// else, and for text that is no address.
bool AddressAllowed(const std::string& address, bool loopback_host);

}  // namespace lethe
