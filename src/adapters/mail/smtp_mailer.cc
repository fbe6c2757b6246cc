#include "adapters/mail/smtp_mailer.h"

#include <curl/curl.h>

#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <cctype>
#include <cstring>
#include <string_view>

#include "adapters/mail/rfc5322.h"

namespace lethe {
namespace {

Status BadUrl(const std::string& why) {
  return Status::InvalidArgument("smtp-bad-url", "the SMTP URL " + why);
}

// What libcurl is sending, so a failure can be tied to the command it
// answered (after a refusal curl still sends QUIT, so the last command says
// nothing). Only command verbs are kept: an AUTH line carries credentials.
struct Session {
  std::string_view upload;  // the message text not yet handed to curl
  std::string last_command;
  // The last 4xx or 5xx reply (not the first: a refused EHLO is followed by
  // HELO, which may succeed) and the command it answered ("" for the
  // greeting).
  int failed_reply = 0;
  std::string failed_command;
};

size_t ReadBody(char* buffer, size_t size, size_t count, void* user) {
  auto* s = static_cast<Session*>(user);
  size_t n = std::min(size * count, s->upload.size());
  std::memcpy(buffer, s->upload.data(), n);
  s->upload.remove_prefix(n);
  return n;
}

int Trace(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  auto* s = static_cast<Session*>(user);
  std::string_view line(data, size);
  if (type == CURLINFO_HEADER_OUT) {
    std::string verb(line.substr(0, line.find_first_of(" \r\n")));
    for (char& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    s->last_command = verb;
  } else if (type == CURLINFO_HEADER_IN && line.size() >= 3 && (line[0] == '4' || line[0] == '5') &&
             std::isdigit(static_cast<unsigned char>(line[1])) &&
             std::isdigit(static_cast<unsigned char>(line[2]))) {
    s->failed_reply = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    s->failed_command = s->last_command;
  }
  return 0;  // nothing is printed or kept beyond the above
}

bool IsTlsFailure(CURLcode rc) {
  return rc == CURLE_USE_SSL_FAILED || rc == CURLE_SSL_CONNECT_ERROR ||
         rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CERTPROBLEM ||
         rc == CURLE_SSL_CACERT_BADFILE || rc == CURLE_SSL_ENGINE_NOTFOUND;
}

// See the contract in smtp_mailer.h. A 5xx is permanent only when it
// answers this message's own commands; one to the greeting, EHLO, STARTTLS
// or AUTH says the relay or its configuration is wrong, which a retry after
// the operator's fix gets past.
Status MapOutcome(CURLcode rc, int reply, const std::string& command, const char* detail) {
  if (rc == CURLE_OK) return Status::Ok();
  std::string what = std::string(curl_easy_strerror(rc));
  if (detail[0] != '\0') what += " (" + std::string(detail) + ")";
  if (reply >= 400 && reply < 500) {
    return Status::Unavailable("the SMTP server deferred the message, will retry: " + what);
  }
  bool message_command = command == "MAIL" || command == "RCPT" || command == "DATA";
  if (reply >= 500 && reply < 600 && message_command && rc != CURLE_LOGIN_DENIED) {
    return Status::FailedPrecondition("smtp-rejected",
                                      "the SMTP server refused the message: " + what);
  }
  if (rc == CURLE_LOGIN_DENIED) {
    return {Status::Code::kUnavailable, "smtp-login-denied", "the SMTP login failed: " + what};
  }
  if (IsTlsFailure(rc)) {
    return {Status::Code::kUnavailable, "smtp-tls-failed", "SMTP over TLS failed: " + what};
  }
  return Status::Unavailable("SMTP delivery failed, will retry: " + what);
}

}  // namespace

Result<std::unique_ptr<SmtpMailer>> SmtpMailer::Create(const SmtpOptions& options,
                                                       const Clock& clock) {
  if (options.connect_timeout.count() <= 0 || options.total_timeout.count() <= 0) {
    return Status::InvalidArgument("smtp-bad-timeout", "SMTP timeouts must be positive");
  }
  auto parsed = boost::urls::parse_uri(options.url);
  if (!parsed) return BadUrl("is not a URL");
  boost::urls::url url(*parsed);
  std::string scheme(url.scheme());
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "smtp" && scheme != "smtps") return BadUrl("must start with smtp:// or smtps://");
  if (url.encoded_host().empty()) return BadUrl("has no host");
  if (url.has_fragment()) return BadUrl("has a fragment");
  bool require_tls = false;
  for (auto param : url.params()) {
    if (param.key == "starttls" && param.has_value && param.value == "required") {
      require_tls = true;
    } else {
      return BadUrl("has an unknown parameter (only starttls=required)");
    }
  }
  url.remove_query();
  std::string redacted = scheme + "://" + std::string(url.encoded_host_and_port());
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    return Status::Internal("libcurl failed to initialise");
  }
  return std::unique_ptr<SmtpMailer>(
      new SmtpMailer(std::string(url.buffer()), redacted, require_tls, options, clock));
}

SmtpMailer::SmtpMailer(std::string url, std::string redacted_url, bool require_tls,
                       const SmtpOptions& options, const Clock& clock)
    : url_(std::move(url)),
      redacted_url_(std::move(redacted_url)),
      require_tls_(require_tls),
      connect_timeout_(options.connect_timeout),
      total_timeout_(options.total_timeout),
      clock_(clock) {}

SmtpMailer::~SmtpMailer() { curl_global_cleanup(); }

Status SmtpMailer::Send(const MailMessage& message) {
  LETHE_ASSIGN_OR_RETURN(std::string text, FormatMailMessage(message, clock_.NowMillis()));
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Status::Unavailable("libcurl could not start a session");
  std::string from = "<" + message.from + ">";
  curl_slist* rcpt = curl_slist_append(nullptr, ("<" + message.to + ">").c_str());
  Session session{text, ""};
  char detail[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(connect_timeout_.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(total_timeout_.count()));
  curl_easy_setopt(curl, CURLOPT_USE_SSL,
                   static_cast<long>(require_tls_ ? CURLUSESSL_ALL : CURLUSESSL_TRY));
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
  curl_easy_setopt(curl, CURLOPT_READDATA, &session);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);
  // Verbose only feeds Trace, which prints nothing: credentials stay out of
  // every log.
  curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, Trace);
  curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &session);
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(rcpt);
  curl_easy_cleanup(curl);
  return MapOutcome(rc, session.failed_reply, session.failed_command, detail);
}

}  // namespace lethe
