#include "adapters/outbound/curl_outbound_http.h"

#include <curl/curl.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <cstring>

namespace lethe {
namespace {

constexpr size_t kKeptBody = 4096;

size_t KeepBody(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  size_t bytes = size * n;
  if (out->size() < kKeptBody) out->append(data, std::min(bytes, kKeptBody - out->size()));
  return bytes;  // the rest is read and dropped
}

class CurlOutboundHttp final : public OutboundHttp {
 public:
  CurlOutboundHttp() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlOutboundHttp() override { curl_global_cleanup(); }

  Result<std::vector<std::string>> Resolve(const std::string& host) override {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
      return Status(Status::Code::kNotFound, "unresolvable-host",
                    "the endpoint's host does not resolve");
    }
    std::vector<std::string> out;
    for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
      char text[NI_MAXHOST];
      if (::getnameinfo(a->ai_addr, a->ai_addrlen, text, sizeof text, nullptr, 0, NI_NUMERICHOST) ==
              0 &&
          std::find(out.begin(), out.end(), text) == out.end()) {
        out.emplace_back(text);
      }
    }
    ::freeaddrinfo(found);
    if (out.empty()) {
      return Status(Status::Code::kNotFound, "unresolvable-host",
                    "the endpoint's host does not resolve");
    }
    return out;
  }

  Result<OutboundResponse> Post(const OutboundRequest& r) override {
    auto url = boost::urls::parse_absolute_uri(r.url);
    if (!url) return Status::InvalidArgument("invalid-url", "not an absolute URL");
    std::string host = url->host();
    if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
    std::string port = url->port();
    if (port.empty()) port = url->scheme() == "https" ? "443" : "80";
    std::string address =
        r.address.find(':') != std::string::npos ? "[" + r.address + "]" : r.address;
    std::string pin = host + ":" + port + ":" + address;

    CURL* curl = curl_easy_init();
    if (curl == nullptr) return Status::Internal("curl_easy_init failed");
    curl_slist* resolve = curl_slist_append(nullptr, pin.c_str());
    curl_slist* headers = curl_slist_append(nullptr, "Expect:");
    for (const auto& [name, value] : r.headers) {
      headers = curl_slist_append(headers, (name + ": " + value).c_str());
    }
    OutboundResponse out;
    curl_easy_setopt(curl, CURLOPT_URL, r.url.c_str());
    curl_easy_setopt(curl, CURLOPT_RESOLVE, resolve);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_PROXY, "");  // no proxy from the environment
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, r.body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout.count()));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                     std::min(5'000L, static_cast<long>(r.timeout.count())));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, KeepBody);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out.body);
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &out.status);
    curl_slist_free_all(headers);
    curl_slist_free_all(resolve);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) return Status::Unavailable(curl_easy_strerror(rc));
    return out;
  }
};

}  // namespace

std::unique_ptr<OutboundHttp> MakeCurlOutboundHttp() {
  return std::make_unique<CurlOutboundHttp>();
}

}  // namespace lethe
