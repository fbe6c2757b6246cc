#include "harness.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>

#include "crypto/totp.h"

#ifndef LETHE_BINARY
#error "LETHE_BINARY must name the lethe server binary"
#endif
#ifndef LETHE_TESTING_BINARY
#error "LETHE_TESTING_BINARY must name the lethe_testing server binary"
#endif

namespace lethe::e2e {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr auto kStartTimeout = std::chrono::seconds(20);
constexpr const char* kListenPrefix = "lethe: listening on 127.0.0.1:";

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

void AppendToFile(const std::string& path, const char* data, size_t n) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return;
  while (n > 0) {
    ssize_t w = ::write(fd, data, n);
    if (w <= 0) break;
    data += w;
    n -= static_cast<size_t>(w);
  }
  ::close(fd);
}

// Remaining milliseconds until `deadline`, at least 0.
int MsUntil(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

// Whether a server's arguments name its stores themselves.
bool ChoosesStores(const std::vector<std::string>& args) {
  return std::any_of(args.begin(), args.end(), [](const std::string& a) {
    return a == "--metadata" || a == "--keys" || a == "--region";
  });
}

// The environment for a child run on the data directory in `args`: this
// process's, with that directory's PostgreSQL stores (if any) in place of
// any LETHE_METADATA and LETHE_KEYS.
std::vector<std::string> ChildEnvironment(const std::vector<std::string>& args) {
  std::vector<std::string> stores;
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] == "--data") stores = StoreEnvFor(args[i + 1]);
  }
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view v(*e);
    if (!stores.empty() && (v.starts_with("LETHE_METADATA=") || v.starts_with("LETHE_KEYS="))) {
      continue;
    }
    env.emplace_back(v);
  }
  env.insert(env.end(), stores.begin(), stores.end());
  return env;
}

std::vector<char*> Argv(std::vector<std::string>& args) {
  std::vector<char*> out;
  for (auto& a : args) out.push_back(a.data());
  out.push_back(nullptr);
  return out;
}

void CurlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t WriteBody(char* ptr, size_t size, size_t nmemb, void* userdata) {
  static_cast<std::string*>(userdata)->append(ptr, size * nmemb);
  return size * nmemb;
}

struct ReadState {
  const std::string* body;
  size_t pos = 0;
};

size_t ReadBody(char* buffer, size_t size, size_t nitems, void* userdata) {
  auto* st = static_cast<ReadState*>(userdata);
  // Hand out at most 1000 bytes at a time so a chunked body has several chunks.
  size_t n = std::min({size * nitems, st->body->size() - st->pos, static_cast<size_t>(1000)});
  std::memcpy(buffer, st->body->data() + st->pos, n);
  st->pos += n;
  return n;
}

}  // namespace

size_t CurlHeaderLine(char* ptr, size_t size, size_t nmemb, void* userdata) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(userdata);
  std::string line(ptr, size * nmemb);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();  // a new response (e.g. after 100 Continue)
    return size * nmemb;
  }
  auto colon = line.find(':');
  if (colon == std::string::npos) return size * nmemb;
  std::string name = Lower(line.substr(0, colon));
  std::string value = line.substr(colon + 1);
  size_t b = value.find_first_not_of(" \t");
  value = b == std::string::npos ? "" : value.substr(b);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
  auto [it, inserted] = headers->emplace(name, value);
  if (!inserted) it->second += ", " + value;
  return size * nmemb;
}

// ---------------------------------------------------------------------------
// ServerProcess

ServerProcess::ServerProcess(std::vector<std::string> extra_args, ServerBinary binary)
    : extra_args_(std::move(extra_args)), binary_(binary) {
  char tmpl[] = "/tmp/lethe-e2e-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
    return;
  }
  root_ = tmpl;
  data_ = root_ + "/data";
  if (::mkdir(data_.c_str(), 0700) != 0) {
    ADD_FAILURE() << "mkdir " << data_ << ": " << std::strerror(errno);
    return;
  }
  if (OnPostgres() && !ChoosesStores(extra_args_)) {
    stores_ = StoreDatabases::Create(data_);
    if (!stores_) return;
  }
  Start();
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) Stop();
  if (reader_.joinable()) reader_.join();
  if (::testing::Test::HasFailure()) DumpLogs();
  const char* keep = std::getenv("LETHE_E2E_KEEP");
  if (!root_.empty()) {
    if (keep != nullptr && *keep != '\0' && *keep != '0') {
      std::fprintf(stderr, "[e2e] kept server dir %s\n", root_.c_str());
    } else {
      std::error_code ec;
      fs::remove_all(root_, ec);
    }
  }
}

std::string ServerProcess::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

bool ServerProcess::Start() {
  port_ = 0;
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2: " << std::strerror(errno);
    return false;
  }
  int err = ::open(stderr_path().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (err < 0 || devnull < 0) {
    ADD_FAILURE() << "open log: " << std::strerror(errno);
    return false;
  }
  const char* binary = binary_ == ServerBinary::kTesting ? LETHE_TESTING_BINARY : LETHE_BINARY;
  std::vector<std::string> args = {binary, "serve", "--listen", "127.0.0.1:0", "--data", data_};
  if (stores_) {
    std::vector<std::string> flags = stores_->Flags();
    args.insert(args.end(), flags.begin(), flags.end());
  }
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv = Argv(args);
  pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << std::strerror(errno);
    return false;
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    ::dup2(devnull, 0);
    ::dup2(out[1], 1);
    ::dup2(err, 2);
    ::execv(argv[0], argv.data());
    const char msg[] = "e2e harness: execv of the lethe binary failed\n";
    (void)!::write(2, msg, sizeof(msg) - 1);
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err);
  ::close(devnull);
  pid_ = pid;
  exit_code_ = -1;

  // Read stdout until the listening line, EOF or the timeout.
  std::string seen;
  auto deadline = Clock::now() + kStartTimeout;
  bool eof = false;
  while (port_ == 0 && !eof) {
    pollfd p{out[0], POLLIN, 0};
    int left = MsUntil(deadline);
    if (left == 0) break;
    int r = ::poll(&p, 1, left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    char buf[4096];
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      eof = true;
      break;
    }
    AppendToFile(stdout_path(), buf, static_cast<size_t>(n));
    seen.append(buf, static_cast<size_t>(n));
    size_t nl;
    while ((nl = seen.find('\n')) != std::string::npos) {
      std::string line = seen.substr(0, nl);
      seen.erase(0, nl + 1);
      if (line.rfind(kListenPrefix, 0) == 0) {
        port_ = std::atoi(line.c_str() + std::strlen(kListenPrefix));
      }
    }
  }

  if (port_ == 0) {
    ::close(out[0]);
    int code = Stop(std::chrono::seconds(2));
    ADD_FAILURE() << "lethe serve did not print its listening line within " << kStartTimeout.count()
                  << " s (" << (eof ? "stdout closed" : "timeout") << ", exit code " << code
                  << ")\n--- command: " <<
        [&] {
          std::string s;
          for (auto& a : args) s += a + " ";
          return s;
        }() << "\n--- stdout so far:\n"
                  << ReadFileBytes(stdout_path()) << "\n--- stderr:\n"
                  << ReadStderr();
    return false;
  }

  // On PostgreSQL the server must not have fallen back to SQLite files, or
  // the "pg." tests would prove nothing about PostgreSQL.
  struct stat st;
  if (stores_ &&
      (::stat(db_path().c_str(), &st) == 0 || ::stat((data_ + "/keys.db").c_str(), &st) == 0)) {
    ADD_FAILURE() << "a server on PostgreSQL made SQLite files in " << data_;
  }

  // Keep draining stdout so the server never blocks on a full pipe.
  std::string path = stdout_path();
  int fd = out[0];
  if (reader_.joinable()) reader_.join();
  reader_ = std::thread([fd, path] {
    char buf[4096];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      AppendToFile(path, buf, static_cast<size_t>(n));
    }
    ::close(fd);
  });
  return true;
}

void ServerProcess::Reap(int status) {
  exit_code_ = ExitCodeOf(status);
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
}

int ServerProcess::Stop(std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  auto deadline = Clock::now() + timeout;
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      Reap(status);
      return exit_code_;
    }
    if (r < 0) {
      pid_ = -1;
      return -1;
    }
    if (Clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ADD_FAILURE() << "lethe serve did not exit within " << timeout.count()
                << " s of SIGTERM; killing it";
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  Reap(status);
  return exit_code_;
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  Reap(status);
}

bool ServerProcess::Restart() {
  if (pid_ > 0) {
    int code = Stop();
    EXPECT_EQ(code, 0) << "exit code of the server before restart";
  }
  return Start();
}

bool ServerProcess::RestartWith(std::vector<std::string> extra_args, ServerBinary binary) {
  if (pid_ > 0) {
    int code = Stop();
    EXPECT_EQ(code, 0) << "exit code of the server before restart";
  }
  extra_args_ = std::move(extra_args);
  binary_ = binary;
  return Start();
}

bool ServerProcess::Alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    Reap(status);
    return false;
  }
  return r == 0;
}

std::string ServerProcess::ReadStderr() const { return ReadFileBytes(stderr_path()); }

void ServerProcess::DumpLogs(size_t max_bytes) const {
  if (root_.empty()) return;
  std::string err = ReadStderr();
  if (err.size() > max_bytes) {
    // The head holds a sanitizer's first report, the tail the latest lines.
    size_t head = max_bytes * 3 / 4, tail = max_bytes - head;
    err = err.substr(0, head) + "\n[... " + std::to_string(err.size() - max_bytes) +
          " bytes ...]\n" + err.substr(err.size() - tail);
  }
  std::fprintf(stderr, "----- lethe serve stderr (%s) -----\n%s\n----- end of stderr -----\n",
               stderr_path().c_str(), err.c_str());
}

// ---------------------------------------------------------------------------
// HTTP

boost::json::value Response::Json() const {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) {
    ADD_FAILURE() << "response body is not JSON (" << ec.message() << "): " << Describe();
    return nullptr;
  }
  return v;
}

std::string Response::Header(const std::string& name) const {
  auto it = headers.find(Lower(name));
  return it == headers.end() ? "" : it->second;
}

std::string Response::Describe() const {
  std::ostringstream os;
  os << "[HTTP " << status;
  if (!error.empty()) os << " curl error: " << error;
  auto ct = headers.find("content-type");
  if (ct != headers.end()) os << " content-type: " << ct->second;
  std::string b = body.size() > 2000 ? body.substr(0, 2000) + "..." : body;
  os << " body: " << b << "]";
  return os.str();
}

HttpClient::HttpClient(std::string base_url) : base_url_(std::move(base_url)) {
  CurlGlobalInit();
  curl_ = curl_easy_init();
}

HttpClient::~HttpClient() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

void HttpClient::SetBasic(const std::string& user, const std::string& password) {
  auth_ = BasicHeader(user, password);
}

Response HttpClient::Request(const std::string& method, const std::string& url_or_path,
                             const std::string& body, const Headers& headers,
                             const RequestOptions& options) {
  Response resp;
  CURL* c = static_cast<CURL*>(curl_);
  if (c == nullptr) {
    resp.error = "curl_easy_init failed";
    return resp;
  }
  curl_easy_reset(c);  // keeps the connection cache
  std::string url = url_or_path;
  if (!url.empty() && url[0] == '/') url = base_url_ + url;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, CurlHeaderLine);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &resp.headers);

  ReadState read_state{&body, 0};
  bool has_body = !body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
  if (method == "GET" && body.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    if (has_body) {
      curl_easy_setopt(c, CURLOPT_POST, 1L);
      if (options.chunked) {
        curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadBody);
        curl_easy_setopt(c, CURLOPT_READDATA, &read_state);
      } else {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
      }
    }
    if (method != "POST") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
  }

  curl_slist* list = nullptr;
  bool has_auth = false, has_ct = false;
  for (const auto& [name, value] : headers) {
    std::string lname = Lower(name);
    if (lname == "authorization") has_auth = true;
    if (lname == "content-type") has_ct = true;
    if (value.empty()) {
      list = curl_slist_append(list, (name + ":").c_str());  // remove
    } else {
      list = curl_slist_append(list, (name + ": " + value).c_str());
    }
  }
  if (!has_auth && !auth_.empty()) {
    list = curl_slist_append(list, ("Authorization: " + auth_).c_str());
  }
  if (!has_ct && has_body) {
    if (!body.empty() && !options.no_default_content_type) {
      list = curl_slist_append(list, "Content-Type: application/json");
    } else {
      list = curl_slist_append(list, "Content-Type:");
    }
  }
  if (options.chunked) list = curl_slist_append(list, "Transfer-Encoding: chunked");
  list = curl_slist_append(list, "Expect:");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);

  CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK) resp.error = curl_easy_strerror(rc);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp.status);
  curl_slist_free_all(list);
  return resp;
}

std::string Base64(const std::string& bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  while (i + 2 < bytes.size()) {
    uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
    i += 3;
  }
  if (i + 1 == bytes.size()) {
    uint32_t n = uint8_t(bytes[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string BearerHeader(const std::string& token) { return "Bearer " + token; }
std::string BasicHeader(const std::string& user, const std::string& password) {
  return "Basic " + Base64(user + ":" + password);
}

std::string RawExchange(int port, const std::string& raw_request,
                        std::chrono::milliseconds timeout) {
  std::string got;
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ADD_FAILURE() << "socket: " << std::strerror(errno);
    return got;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ADD_FAILURE() << "connect to 127.0.0.1:" << port << ": " << std::strerror(errno);
    ::close(fd);
    return got;
  }
  auto deadline = Clock::now() + timeout;
  size_t sent = 0;
  bool write_failed = false;
  while (sent < raw_request.size() && !write_failed) {
    pollfd p{fd, POLLOUT | POLLIN, 0};
    int r = ::poll(&p, 1, MsUntil(deadline));
    if (r <= 0) break;
    if (p.revents & POLLIN) {
      // The server answered early (e.g. 400 before we finished): read it.
      char buf[8192];
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) {
        write_failed = true;
        break;
      }
      got.append(buf, static_cast<size_t>(n));
      continue;
    }
    ssize_t n = ::send(fd, raw_request.data() + sent, raw_request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      write_failed = true;
      break;
    }
    sent += static_cast<size_t>(n);
  }
  for (;;) {
    int left = MsUntil(deadline);
    if (left == 0) break;
    pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    char buf[8192];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return got;
}

// ---------------------------------------------------------------------------
// Domain helpers

std::string Unique(const std::string& prefix) {
  static std::atomic<int> counter{0};
  static const uint32_t salt = std::random_device{}();
  char buf[64];
  std::snprintf(buf, sizeof buf, "-%d-%08x-%d", static_cast<int>(::getpid()), salt,
                counter.fetch_add(1));
  return prefix + buf;
}

SignUpResult SignUpFull(HttpClient& client, const std::string& email, const std::string& password,
                        const std::string& country, const std::string& birth_date,
                        const boost::json::object& extra) {
  boost::json::object body{{"name", "Test Customer"},
                           {"email", email},
                           {"password", password},
                           {"country", country},
                           {"birth_date", birth_date}};
  for (const auto& kv : extra) body[kv.key()] = kv.value();
  Response r = client.Post("/v1/signup", boost::json::value(body), {{"Authorization", ""}});
  SignUpResult out;
  EXPECT_EQ(r.status, 201) << "sign-up of " << email << ": " << r.Describe();
  if (r.status != 201) return out;
  out.body = r.Json();
  if (const auto* s = Field(out.body, "session")) out.token = Str(*s, "token");
  if (const auto* c = Field(out.body, "customer")) out.customer_id = Str(*c, "id");
  return out;
}

std::string SignUp(HttpClient& client, const std::string& email, const std::string& password,
                   const std::string& country, const std::string& birth_date) {
  return SignUpFull(client, email, password, country, birth_date).token;
}

AccountInfo CreateAccount(HttpClient& client, const std::string& session_token,
                          const std::string& name, const std::string& region) {
  AccountInfo out;
  Response r = client.Post(
      "/v1/accounts", boost::json::value(boost::json::object{{"name", name}, {"region", region}}),
      {{"Authorization", BearerHeader(session_token)}});
  EXPECT_EQ(r.status, 201) << "create account " << name << ": " << r.Describe();
  if (r.status != 201) return out;
  out.body = r.Json();
  out.id = Str(out.body, "id");
  out.api_token = Str(out.body, "api_token");
  return out;
}

KeyInfo CreateKey(HttpClient& client, const std::string& session_token,
                  const std::string& account_id) {
  KeyInfo out;
  Response r = client.Post("/v1/accounts/" + account_id + "/keys", std::string(),
                           {{"Authorization", BearerHeader(session_token)}});
  EXPECT_EQ(r.status, 201) << "create key: " << r.Describe();
  if (r.status != 201) return out;
  out.body = r.Json();
  out.key_id = Str(out.body, "key_id");
  out.secret = Str(out.body, "secret");
  return out;
}

::testing::AssertionResult IsProblem(const Response& resp, long status,
                                     const std::string& type_suffix) {
  if (resp.status != status) {
    return ::testing::AssertionFailure() << "status " << resp.status << ", expected " << status;
  }
  std::string ct = Lower(resp.Header("content-type"));
  if (ct.rfind("application/problem+json", 0) != 0) {
    return ::testing::AssertionFailure()
           << "content-type '" << ct << "', expected application/problem+json";
  }
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(resp.body, ec);
  if (ec || !v.is_object()) {
    return ::testing::AssertionFailure() << "problem body is not a JSON object";
  }
  const auto& o = v.as_object();
  const auto* type = o.if_contains("type");
  const auto* title = o.if_contains("title");
  const auto* st = o.if_contains("status");
  if (type == nullptr || !type->is_string()) {
    return ::testing::AssertionFailure() << "problem has no string 'type'";
  }
  std::string t(type->as_string());
  if (type_suffix.empty()) {
    if (t.rfind(kProblemPrefix, 0) != 0) {
      return ::testing::AssertionFailure() << "problem type '" << t << "' lacks " << kProblemPrefix;
    }
  } else if (t != std::string(kProblemPrefix) + type_suffix) {
    return ::testing::AssertionFailure()
           << "problem type '" << t << "', expected '" << kProblemPrefix << type_suffix << "'";
  }
  if (title == nullptr || !title->is_string() || title->as_string().empty()) {
    return ::testing::AssertionFailure() << "problem has no non-empty string 'title'";
  }
  if (st == nullptr || !st->is_int64() || st->as_int64() != status) {
    return ::testing::AssertionFailure() << "problem 'status' member is not " << status;
  }
  return ::testing::AssertionSuccess();
}

const boost::json::value* Field(const boost::json::value& v, std::string_view key) {
  if (!v.is_object()) return nullptr;
  return v.as_object().if_contains(key);
}

std::string Str(const boost::json::value& v, std::string_view key) {
  const auto* f = Field(v, key);
  if (f == nullptr || !f->is_string()) {
    ADD_FAILURE() << "expected a string member '" << key << "' in " << boost::json::serialize(v);
    return "";
  }
  return std::string(f->as_string());
}

boost::json::array Arr(const boost::json::value& v, std::string_view key) {
  const auto* f = Field(v, key);
  if (f == nullptr || !f->is_array()) {
    ADD_FAILURE() << "expected an array member '" << key << "' in " << boost::json::serialize(v);
    return {};
  }
  return f->as_array();
}

std::vector<std::string> Keys(const boost::json::value& v) {
  std::vector<std::string> out;
  if (v.is_object()) {
    for (const auto& kv : v.as_object()) out.emplace_back(kv.key());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> SortedKeys(std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end());
  return keys;
}

const std::vector<std::string> kCustomerKeys =
    SortedKeys({"id", "name", "email", "country", "birth_date", "company", "job_title", "use_case",
                "phone", "created_at"});
const std::vector<std::string> kAccountKeys =
    SortedKeys({"id", "name", "region", "retention_days", "closed_at", "created_at",
                "allowed_origins", "scrub_metadata", "capture_notice", "capture_purposes"});
const std::vector<std::string> kUsageEventKeys =
    SortedKeys({"id", "time", "account_id", "credential_id", "end_user", "ip", "device_type",
                "browser", "browser_version", "language", "country", "method", "route", "status"});
const std::vector<std::string> kAuditEventKeys =
    SortedKeys({"seq", "id", "time", "actor", "actor_kind", "action", "target", "ip", "request_id",
                "prev_hash", "hash"});

// ---------------------------------------------------------------------------
// Files, SQLite, processes

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle) {
  std::vector<std::string> hits;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    // A file renamed or removed under the scan is skipped, not the end of it.
    std::error_code entry_ec;
    if (!it->is_regular_file(entry_ec)) continue;
    // ".NAME.tmp" is a write in flight (WriteFileDurably): its bytes show up
    // under the final name once complete, so counting both would double it.
    const std::string name = it->path().filename().string();
    if (name.starts_with(".") && name.ends_with(".tmp")) continue;
    std::string bytes = ReadFileBytes(it->path().string());
    if (bytes.find(needle) != std::string::npos) hits.push_back(it->path().string());
  }
  // DIR/lethe.db names the one database it stands for.
  std::optional<std::string> one = PostgresFor(dir);
  for (const std::string& conninfo : one ? std::vector<std::string>{*one} : DatabasesUnder(dir)) {
    CommandResult dump =
        RunCommand({"/usr/lib/postgresql/15/bin/pg_dump", "--data-only", "-d", conninfo});
    EXPECT_EQ(dump.exit_code, 0) << dump.output;
    if (dump.output.find(needle) != std::string::npos) hits.push_back("postgresql:" + conninfo);
  }
  return hits;
}

namespace {

constexpr Oid kBoolOid = 16;  // pg_type.oid of boolean

// Sql and SqlScript on PostgreSQL: the simple query protocol, text results.
// An error leaves `out.error` set; the last statement's rows are returned.
QueryResult PgSql(const std::string& conninfo, const std::string& sql) {
  QueryResult out;
  PGconn* conn = PQconnectdb(conninfo.c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    out.error = PQerrorMessage(conn);
    PQfinish(conn);
    return out;
  }
  PGresult* res = PQexec(conn, sql.c_str());
  const ExecStatusType st = PQresultStatus(res);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    out.error = PQresultErrorMessage(res);
  } else {
    out.ok = true;
    for (int c = 0; c < PQnfields(res); ++c) out.columns.emplace_back(PQfname(res, c));
    for (int r = 0; r < PQntuples(res); ++r) {
      Row row;
      for (int c = 0; c < PQnfields(res); ++c) {
        if (PQgetisnull(res, r, c)) {
          row.emplace_back(std::nullopt);
        } else if (PQftype(res, c) == kBoolOid) {
          // As SQLite, which has no booleans, answers a comparison.
          row.emplace_back(std::string(PQgetvalue(res, r, c)) == "t" ? "1" : "0");
        } else {
          row.emplace_back(std::string(PQgetvalue(res, r, c), PQgetlength(res, r, c)));
        }
      }
      out.rows.push_back(std::move(row));
    }
  }
  PQclear(res);
  PQfinish(conn);
  return out;
}

}  // namespace

QueryResult Sql(const std::string& db_path, const std::string& sql, bool write) {
  if (auto pg = PostgresFor(db_path)) return PgSql(*pg, sql);
  QueryResult out;
  sqlite3* db = nullptr;
  int flags = write ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY;
  if (sqlite3_open_v2(db_path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
    out.error = db ? sqlite3_errmsg(db) : "sqlite3_open_v2 failed";
    sqlite3_close(db);
    return out;
  }
  sqlite3_busy_timeout(db, 5000);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    out.error = sqlite3_errmsg(db);
    sqlite3_close(db);
    return out;
  }
  int ncol = sqlite3_column_count(stmt);
  for (int i = 0; i < ncol; ++i) out.columns.emplace_back(sqlite3_column_name(stmt, i));
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    Row row;
    for (int i = 0; i < ncol; ++i) {
      if (sqlite3_column_type(stmt, i) == SQLITE_NULL) {
        row.emplace_back(std::nullopt);
      } else {
        const auto* text = sqlite3_column_text(stmt, i);
        int n = sqlite3_column_bytes(stmt, i);
        row.emplace_back(std::string(reinterpret_cast<const char*>(text), n));
      }
    }
    out.rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE) {
    out.error = sqlite3_errmsg(db);
  } else {
    out.ok = true;
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

std::string SqlScript(const std::string& db_path, const std::string& sql) {
  if (auto pg = PostgresFor(db_path)) return PgSql(*pg, sql).error;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    std::string e = db ? sqlite3_errmsg(db) : "sqlite3_open_v2 failed";
    sqlite3_close(db);
    return e;
  }
  sqlite3_busy_timeout(db, 5000);
  char* err = nullptr;
  std::string out;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    out = err ? err : "sqlite3_exec failed";
    if (out.empty()) out = "sqlite3_exec failed";
  }
  sqlite3_free(err);
  sqlite3_close(db);
  return out;
}

CommandResult RunCommand(const std::vector<std::string>& argv_in, std::chrono::seconds timeout) {
  CommandResult out;
  std::vector<std::string> args = argv_in;
  std::vector<char*> argv = Argv(args);
  std::vector<std::string> env_strings = ChildEnvironment(args);
  std::vector<char*> envp = Argv(env_strings);
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2: " << std::strerror(errno);
    return out;
  }
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_t pid = ::fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << std::strerror(errno);
    return out;
  }
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    ::dup2(devnull, 0);
    ::dup2(p[1], 1);
    ::dup2(p[1], 2);
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(p[1]);
  ::close(devnull);
  auto deadline = Clock::now() + timeout;
  bool timed_out = false;
  for (;;) {
    int left = MsUntil(deadline);
    if (left == 0) {
      timed_out = true;
      break;
    }
    pollfd pf{p[0], POLLIN, 0};
    int r = ::poll(&pf, 1, left);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      timed_out = r == 0;
      break;
    }
    char buf[4096];
    ssize_t n = ::read(p[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.output.append(buf, static_cast<size_t>(n));
  }
  ::close(p[0]);
  if (timed_out) {
    ADD_FAILURE() << argv_in[0] << " did not finish within " << timeout.count() << " s";
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  out.exit_code = ExitCodeOf(status);
  return out;
}

StaffMember AddStaff(const std::string& data_dir, const std::string& role) {
  CommandResult r = RunCommand(
      {LETHE_BINARY, "staff", "add", "--role", role, "--name", "Lee " + role, "--data", data_dir});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  StaffMember m;
  std::istringstream lines(r.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("staff_id: ", 0) == 0) m.id = line.substr(10);
    if (line.rfind("password: ", 0) == 0) m.password = line.substr(10);
    if (line.rfind("totp_secret: ", 0) == 0) m.totp_secret = line.substr(13);
  }
  EXPECT_EQ(m.id.rfind("stf_", 0), 0u) << r.output;
  EXPECT_FALSE(m.password.empty()) << r.output;
  EXPECT_FALSE(m.totp_secret.empty()) << r.output;
  return m;
}

int64_t ServerNowMs(const ServerProcess& server) {
  HttpClient client(server.base_url());
  Response r = client.Post("/_test/clock", boost::json::object{{"advance_seconds", 0}});
  int64_t offset_s = 0;
  // A server without the test clock (404) runs on the system clock.
  if (r.status == 200) offset_s = r.Json().as_object().at("offset_seconds").to_number<int64_t>();
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::milliseconds>(now).count() + offset_s * 1000;
}

std::string StaffCode(const ServerProcess& server, const StaffMember& member, int64_t step_offset) {
  auto seed = Base32Decode(member.totp_secret);
  EXPECT_TRUE(seed.has_value()) << member.totp_secret;
  if (!seed) return "";
  auto code = TotpCode(*seed, TotpStep(ServerNowMs(server)) + step_offset);
  EXPECT_TRUE(code.ok());
  return code.ok() ? *code : "";
}

bool SignInStaff(const ServerProcess& server, StaffMember* member) {
  HttpClient client(server.base_url());
  Response r =
      client.Post("/v1/staff/sessions", boost::json::object{{"staff_id", member->id},
                                                            {"password", member->password},
                                                            {"code", StaffCode(server, *member)}});
  EXPECT_EQ(r.status, 201) << r.Describe();
  if (r.status != 201) return false;
  member->token = std::string(r.Json().as_object().at("token").as_string());
  return true;
}

std::string GrantAccess(const ServerProcess& server, const StaffMember& member,
                        const std::string& account_id, const std::vector<std::string>& scope,
                        const std::string& purpose, int hours) {
  HttpClient client(server.base_url());
  boost::json::array scopes;
  for (const std::string& s : scope) scopes.push_back(boost::json::string(s));
  Response r = client.Post("/v1/staff/grants",
                           boost::json::object{{"account_id", account_id},
                                               {"purpose", purpose},
                                               {"ticket", "TCK-" + account_id.substr(0, 12)},
                                               {"scope", std::move(scopes)},
                                               {"expires_in_hours", hours}},
                           {{"Authorization", "Bearer " + member.token}});
  EXPECT_EQ(r.status, 201) << r.Describe();
  if (r.status != 201) return "";
  return std::string(r.Json().as_object().at("id").as_string());
}

CommandResult AuditVerify(const std::string& data_dir) {
  return RunCommand({LETHE_BINARY, "audit", "verify", "--data", data_dir});
}

bool AdvanceClock(const ServerProcess& server, int64_t seconds) {
  HttpClient client(server.base_url());
  Response r = client.Post("/_test/clock", boost::json::object{{"advance_seconds", seconds}});
  EXPECT_EQ(r.status, 200) << "advance the test clock: " << r.Describe();
  return r.status == 200;
}

std::string TodayUtc() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::string DateYearsAgo(int years, int extra_days) {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&now, &tm);
  tm.tm_year -= years;
  tm.tm_mday -= extra_days;
  tm.tm_hour = 12;
  tm.tm_min = tm.tm_sec = 0;
  std::time_t t = ::timegm(&tm);  // normalises (Feb 29 of a non-leap year -> Mar 1)
  std::tm out{};
  ::gmtime_r(&t, &out);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &out);
  return buf;
}

std::string Rfc3339Millis(std::chrono::system_clock::time_point tp) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[64];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

std::optional<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& s) {
  int y, mo, d, h, mi, sec, n = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
      n != 19) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  int64_t ms = static_cast<int64_t>(::timegm(&tm)) * 1000;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    int64_t frac = 0, digits = 0;
    for (++i; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i, ++digits) {
      if (digits < 3) frac = frac * 10 + (s[i] - '0');
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) frac *= 10;
    ms += frac;
  }
  if (i + 1 != s.size() || s[i] != 'Z') return std::nullopt;
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(ms));
}

void SleepMs(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

std::string Lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

}  // namespace lethe::e2e
