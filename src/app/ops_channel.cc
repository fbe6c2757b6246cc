#include "app/ops_channel.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>

namespace lethe {

namespace {

constexpr const char* kEndpointFile = "/ops.endpoint";
constexpr const char* kTokenFile = "/ops.token";

Status WriteAtomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Internal("cannot write " + tmp + ": " + std::strerror(errno));
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::Internal("cannot write " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

Result<std::string> ReadLine(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    if (errno == EACCES) return Status::PermissionDenied("cannot read " + path);
    return Status::NotFound("no " + path + ": is a server running on this data directory?");
  }
  std::string line;
  std::getline(in, line);
  return line;
}

size_t Collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

Status PublishOpsChannel(const std::string& data_dir, const std::string& endpoint,
                         const std::string& token) {
  // The token first: a client that sees the endpoint finds the right token.
  LETHE_RETURN_IF_ERROR(WriteAtomically(data_dir + kTokenFile, token + "\n"));
  return WriteAtomically(data_dir + kEndpointFile, endpoint + "\n");
}

void RemoveOpsChannel(const std::string& data_dir) {
  if (data_dir.empty()) return;
  ::unlink((data_dir + kEndpointFile).c_str());
  ::unlink((data_dir + kTokenFile).c_str());
}

Result<OpsChannel> ReadOpsChannel(const std::string& data_dir) {
  OpsChannel c;
  LETHE_ASSIGN_OR_RETURN(c.endpoint, ReadLine(data_dir + kEndpointFile));
  LETHE_ASSIGN_OR_RETURN(c.token, ReadLine(data_dir + kTokenFile));
  return c;
}

Result<std::string> PostOps(const OpsChannel& channel, const std::string& path) {
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Status::Internal("libcurl unavailable");
  std::string url = "http://" + channel.endpoint + path;
  std::string auth = "Authorization: Bearer " + channel.token;
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> headers(
      curl_slist_append(nullptr, auth.c_str()), curl_slist_free_all);
  std::string body;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, "");
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 3600L);
  CURLcode rc = curl_easy_perform(curl.get());
  if (rc != CURLE_OK) {
    return Status::Unavailable("cannot reach the server at " + channel.endpoint + ": " +
                               curl_easy_strerror(rc));
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status > 299) {
    return Status::Internal("the server answered " + std::to_string(status) + ": " + body);
  }
  return body;
}

}  // namespace lethe
