#include "adapters/sms/http_sms_sender.h"

#include <curl/curl.h>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

namespace lethe {
namespace {

// The provider's answer is not kept: it may echo the message.
size_t DropBody(char*, size_t size, size_t n, void*) { return size * n; }

Status BadUrl(const std::string& why) {
  return Status::InvalidArgument("sms-bad-url", "the SMS provider URL " + why);
}

}  // namespace

Result<std::unique_ptr<HttpSmsSender>> HttpSmsSender::Create(const HttpSmsOptions& options) {
  auto url = boost::urls::parse_absolute_uri(options.url);
  if (!url) return BadUrl("is not an absolute URL");
  if (url->scheme() != "http" && url->scheme() != "https") {
    return BadUrl("must start with http:// or https://");
  }
  if (url->encoded_host().empty()) return BadUrl("has no host");
  if (url->has_userinfo()) return BadUrl("must not hold credentials (use --sms-token-file)");
  if (url->has_fragment()) return BadUrl("has a fragment");
  if (options.token.empty()) {
    return Status::InvalidArgument("sms-bad-token", "the SMS provider token is empty");
  }
  for (unsigned char c : options.token) {
    if (c < 0x21 || c == 0x7f) {
      return Status::InvalidArgument("sms-bad-token",
                                     "the SMS provider token holds a space or control character");
    }
  }
  if (options.connect_timeout.count() <= 0 || options.total_timeout.count() <= 0) {
    return Status::InvalidArgument("sms-bad-timeout", "the SMS timeouts must be positive");
  }
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    return Status::Internal("libcurl failed to initialise");
  }
  return std::unique_ptr<HttpSmsSender>(new HttpSmsSender(options));
}

HttpSmsSender::~HttpSmsSender() { curl_global_cleanup(); }

Status HttpSmsSender::Send(const SmsMessage& message) {
  LETHE_RETURN_IF_ERROR(ValidateSmsMessage(message));
  const std::string body =
      boost::json::serialize(boost::json::object{{"to", message.to}, {"body", message.body}});
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Status::Unavailable("libcurl could not start a session");
  std::string auth = "Authorization: Bearer " + options_.token;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, auth.c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(curl, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, DropBody);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  std::fill(auth.begin(), auth.end(), '\0');
  if (rc != CURLE_OK) {
    // curl's own text names the failure, never the message or the token.
    return Status::Unavailable(std::string("the SMS provider did not answer: ") +
                               curl_easy_strerror(rc));
  }
  if (status >= 200 && status < 300) return Status::Ok();
  if (status >= 500 || status == 429) {
    return Status::Unavailable("the SMS provider answered " + std::to_string(status));
  }
  return Status::FailedPrecondition(
      "sms-refused", "the SMS provider refused the message with " + std::to_string(status));
}

}  // namespace lethe
