// End-to-end harness: a real `lethe serve` child process on loopback and a
// real HTTP client (libcurl), plus helpers shared by the e2e tests.
//
// Every ServerProcess owns a fresh temporary root (mkdtemp under /tmp):
//   <root>/data        the server's --data directory (lethe.db, master.key, ...)
//   <root>/stderr.log  everything the server wrote to stderr
//   <root>/stdout.log  everything the server wrote to stdout
// The root is removed in the destructor (set LETHE_E2E_KEEP=1 to keep it).
//
// ServerProcess runs the production `lethe` unless told to run
// `lethe_testing`, the same server built with test seams: started with
// --test-clock, its clock is moved forward by AdvanceClock() (POST
// /_test/clock) instead of sleeping. in_process_server.h runs a server
// inside the test process instead, with fault-injecting ports.
//
// With LETHE_E2E_METADATA=postgres (store_backend.h) each server keeps its
// metadata and keys in two PostgreSQL databases of its own, made with it,
// kept across its restarts and dropped with it; Sql, SqlScript and the
// commands RunCommand runs on its data directory follow them there.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store_backend.h"

namespace lethe::e2e {

// ---------------------------------------------------------------------------
// The server process.

// The executable a ServerProcess runs.
enum class ServerBinary {
  kLethe,    // `lethe`, as shipped
  kTesting,  // `lethe_testing`: the same plus test seams (--test-clock)
};

class ServerProcess {
 public:
  // Starts `lethe serve --listen 127.0.0.1:0 --data <root>/data <extra_args>`
  // and waits (up to 20 s) for its "listening" line. On failure the test gets
  // a fatal-looking ADD_FAILURE with the server's stderr; ok() is false then.
  // On PostgreSQL (OnPostgres()) it adds `--metadata` and `--keys` naming
  // its own databases, unless `extra_args` choose the stores already
  // (--metadata, --keys or --region).
  explicit ServerProcess(std::vector<std::string> extra_args = {},
                         ServerBinary binary = ServerBinary::kLethe);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  bool ok() const { return port_ != 0 && pid_ > 0; }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string base_url() const;
  const std::string& root_dir() const { return root_; }
  const std::string& data_dir() const { return data_; }
  std::string db_path() const { return data_ + "/lethe.db"; }
  std::string stderr_path() const { return root_ + "/stderr.log"; }
  std::string stdout_path() const { return root_ + "/stdout.log"; }
  // The server's PostgreSQL databases; nullptr when its stores are SQLite.
  const StoreDatabases* stores() const { return stores_.get(); }

  // SIGTERM, then wait (up to `timeout`, SIGKILL after). Returns the exit code,
  // or 128+signal when it died of a signal, or -1 if it was not running.
  int Stop(std::chrono::seconds timeout = std::chrono::seconds(20));
  // SIGKILL and reap.
  void Kill();
  // Stop (if running) and start again on the same data dir and arguments.
  // Returns ok().
  bool Restart();
  // Like Restart, with these arguments and this binary from now on (a
  // crash seam's server followed by a plain one on the same data).
  bool RestartWith(std::vector<std::string> extra_args, ServerBinary binary);
  // How the last run ended, once reaped (by Stop, Kill or Alive): its exit
  // code, or 128+signal. -1 while it runs or before it ever ended.
  int exit_code() const { return exit_code_; }
  // True while the child has not exited.
  bool Alive();

  std::string ReadStderr() const;
  // Prints the tail of the server's stderr to the test log.
  void DumpLogs(size_t max_bytes = 16384) const;

 private:
  bool Start();
  void Reap(int status);

  std::vector<std::string> extra_args_;
  ServerBinary binary_;
  std::string root_;
  std::string data_;
  std::unique_ptr<StoreDatabases> stores_;  // outlives every run of the server
  pid_t pid_ = -1;
  int port_ = 0;
  int exit_code_ = -1;
  std::thread reader_;
};

// ---------------------------------------------------------------------------
// HTTP.

using Headers = std::map<std::string, std::string>;

// libcurl CURLOPT_HEADERFUNCTION for a Headers map (CURLOPT_HEADERDATA):
// lower-case names, repeated headers joined with ", ", reset on each new
// status line (so a 100 Continue does not linger).
size_t CurlHeaderLine(char* ptr, size_t size, size_t nmemb, void* userdata);

struct Response {
  long status = 0;  // 0: transport failure (see `error`)
  std::string body;
  std::map<std::string, std::string> headers;  // lowercased names
  std::string error;                           // curl error text, if any

  // The body parsed as JSON; a null value (and a test failure) if it is not.
  boost::json::value Json() const;
  // Header value or "" if absent (name case-insensitive).
  std::string Header(const std::string& name) const;
  // Short description for assertion messages.
  std::string Describe() const;
};

struct RequestOptions {
  bool chunked = false;  // send the body with Transfer-Encoding: chunked
  bool no_default_content_type = false;
};

class HttpClient {
 public:
  // base_url like "http://127.0.0.1:1234"; paths starting with '/' are joined to it.
  explicit HttpClient(std::string base_url = "");
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  void set_base_url(std::string base_url) { base_url_ = std::move(base_url); }
  const std::string& base_url() const { return base_url_; }

  // Authorization header sent with every request unless a request overrides it.
  void SetBearer(const std::string& token) { auth_ = "Bearer " + token; }
  void SetBasic(const std::string& user, const std::string& password);
  void SetAuthorization(std::string value) { auth_ = std::move(value); }
  void ClearAuth() { auth_.clear(); }

  // Paths are sent as-is (no dot-segment squashing). A non-empty body gets
  // Content-Type: application/json unless the headers name another one.
  // A header with an empty value removes that header (e.g. {"Authorization", ""}).
  Response Request(const std::string& method, const std::string& url_or_path,
                   const std::string& body = "", const Headers& headers = {},
                   const RequestOptions& options = {});
  Response Get(const std::string& path, const Headers& headers = {}) {
    return Request("GET", path, "", headers);
  }
  Response Post(const std::string& path, const std::string& body = "",
                const Headers& headers = {}) {
    return Request("POST", path, body, headers);
  }
  // A string literal body (e.g. "") is raw bytes, not a JSON string value.
  Response Post(const std::string& path, const char* body, const Headers& headers = {}) {
    return Request("POST", path, std::string(body), headers);
  }
  Response Post(const std::string& path, const boost::json::value& body,
                const Headers& headers = {}) {
    return Request("POST", path, boost::json::serialize(body), headers);
  }
  Response Patch(const std::string& path, const boost::json::value& body,
                 const Headers& headers = {}) {
    return Request("PATCH", path, boost::json::serialize(body), headers);
  }
  Response Delete(const std::string& path, const Headers& headers = {}) {
    return Request("DELETE", path, "", headers);
  }

 private:
  std::string base_url_;
  std::string auth_;
  void* curl_ = nullptr;  // CURL*
};

std::string BearerHeader(const std::string& token);
std::string BasicHeader(const std::string& user, const std::string& password);
std::string Base64(const std::string& bytes);

// Sends raw bytes over a plain TCP connection to 127.0.0.1:port and returns
// everything the server sent until it closed the connection or `timeout`.
std::string RawExchange(int port, const std::string& raw_request,
                        std::chrono::milliseconds timeout = std::chrono::seconds(5));

// ---------------------------------------------------------------------------
// Domain helpers.

inline constexpr const char* kPassword = "correct horse battery staple";
inline constexpr const char* kProblemPrefix = "https://lethe.dev/problems/";

struct SignUpResult {
  std::string token;        // session token
  std::string customer_id;  // cus_...
  boost::json::value body;
};

// POST /v1/signup with the required fields (plus `extra` fields merged in).
// Adds a test failure unless it returns 201.
SignUpResult SignUpFull(HttpClient& client, const std::string& email,
                        const std::string& password = kPassword, const std::string& country = "US",
                        const std::string& birth_date = "1990-04-02",
                        const boost::json::object& extra = {});
// Same, returning only the session token.
std::string SignUp(HttpClient& client, const std::string& email,
                   const std::string& password = kPassword, const std::string& country = "US",
                   const std::string& birth_date = "1990-04-02");

struct AccountInfo {
  std::string id;         // acc_...
  std::string api_token;  // shown once
  boost::json::value body;
};
// POST /v1/accounts with a customer session token. Adds a failure unless 201.
AccountInfo CreateAccount(HttpClient& client, const std::string& session_token,
                          const std::string& name, const std::string& region = "us");

struct KeyInfo {
  std::string key_id;
  std::string secret;
  boost::json::value body;
};
KeyInfo CreateKey(HttpClient& client, const std::string& session_token,
                  const std::string& account_id);

// A unique suffix for emails and names in this test process.
std::string Unique(const std::string& prefix);

// Expects an RFC 9457 problem response with the given status and type suffix
// (type_suffix "" checks only that the type has the lethe.dev prefix).
#define LETHE_EXPECT_PROBLEM(resp, status, type_suffix) \
  EXPECT_TRUE(::lethe::e2e::IsProblem((resp), (status), (type_suffix))) << (resp).Describe()

::testing::AssertionResult IsProblem(const Response& resp, long status,
                                     const std::string& type_suffix);

// Field access that fails the test with a message instead of throwing.
std::string Str(const boost::json::value& v, std::string_view key);
const boost::json::value* Field(const boost::json::value& v, std::string_view key);
// A copy of the array member (so it is safe on temporaries); empty + a test
// failure if there is none.
boost::json::array Arr(const boost::json::value& v, std::string_view key);
// The member names of an object (empty for a non-object), sorted.
std::vector<std::string> Keys(const boost::json::value& v);
// The documented member sets of docs/api.md, sorted.
std::vector<std::string> SortedKeys(std::vector<std::string> keys);
extern const std::vector<std::string> kCustomerKeys;
extern const std::vector<std::string> kAccountKeys;
extern const std::vector<std::string> kUsageEventKeys;
extern const std::vector<std::string> kAuditEventKeys;

// ---------------------------------------------------------------------------
// Files, SQLite, processes.

// Every regular file under `dir` (recursively) whose bytes contain `needle`,
// skipping writes still in flight (".NAME.tmp"). A data directory under
// `dir` whose stores are in PostgreSQL stands for its databases there too
// (and `dir` = DIR/lethe.db for its metadata database): each one whose rows
// (as pg_dump prints them) contain `needle` is a hit, named
// "postgresql:<conninfo>".
std::vector<std::string> FilesContaining(const std::string& dir, const std::string& needle);
std::string ReadFileBytes(const std::string& path);

using Row = std::vector<std::optional<std::string>>;
struct QueryResult {
  bool ok = false;
  std::string error;
  std::vector<std::string> columns;
  std::vector<Row> rows;
};
// Runs one SQL statement on the SQLite file (read-only unless `write`), or,
// when the file stands for a server's PostgreSQL database (PostgresFor),
// there: values come back as PostgreSQL prints them, but for booleans,
// "1" and "0" as in SQLite.
QueryResult Sql(const std::string& db_path, const std::string& sql, bool write = false);

// Runs several ;-separated statements in one connection (read-write), on
// the SQLite file or the database it stands for. Returns "" on success,
// else the database's error message.
std::string SqlScript(const std::string& db_path, const std::string& sql);

struct CommandResult {
  int exit_code = -1;  // 128+signal when killed by a signal
  std::string output;  // stdout and stderr, interleaved
};
// Runs argv (argv[0] a path) to completion. A command given `--data DIR` of
// a server whose stores are in PostgreSQL gets them in LETHE_METADATA and
// LETHE_KEYS, so it opens what the server opens.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         std::chrono::seconds timeout = std::chrono::seconds(60));
// A staff member made by `lethe staff add --role <role>` on a stopped
// server's `data_dir`; a test failure (and empty fields) unless it exits 0
// and prints an stf_ id, a password and a TOTP secret. `token` is empty
// until SignInStaff signs the member in.
struct StaffMember {
  std::string id;
  std::string password;
  std::string totp_secret;  // base32
  std::string token;        // the staff session token, once signed in
};
StaffMember AddStaff(const std::string& data_dir, const std::string& role);
// The time of `server`'s clock in ms: the system clock, plus the test
// clock's offset on a --test-clock server.
int64_t ServerNowMs(const ServerProcess& server);
// The member's TOTP code for `server`'s current time step (+ `step_offset`).
std::string StaffCode(const ServerProcess& server, const StaffMember& member,
                      int64_t step_offset = 0);
// Signs `member` in (POST /v1/staff/sessions) against the running `server`
// and sets member->token. Adds a test failure and returns false unless 201.
// A member signs in once per TOTP step (codes are single-use).
bool SignInStaff(const ServerProcess& server, StaffMember* member);
// Creates an access grant for `member` on `account_id` (POST
// /v1/staff/grants) and returns its id; a test failure and "" unless 201.
std::string GrantAccess(const ServerProcess& server, const StaffMember& member,
                        const std::string& account_id, const std::vector<std::string>& scope,
                        const std::string& purpose = "legal", int hours = 4);
// `lethe audit verify --data <dir>`.
CommandResult AuditVerify(const std::string& data_dir);

// A `lethe_testing serve --test-clock` server: its clock can be moved.
inline std::unique_ptr<ServerProcess> StartTestClockServer(std::vector<std::string> extra = {}) {
  extra.push_back("--test-clock");
  return std::make_unique<ServerProcess>(std::move(extra), ServerBinary::kTesting);
}
// Moves the clock of such a server forward by `seconds` (POST /_test/clock).
// Adds a test failure and returns false unless the server answered 200.
bool AdvanceClock(const ServerProcess& server, int64_t seconds);

// Dates and times.
std::string TodayUtc();                                   // YYYY-MM-DD
std::string DateYearsAgo(int years, int extra_days = 0);  // today - years - extra_days
std::string Rfc3339Millis(std::chrono::system_clock::time_point tp);
// Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z"; nullopt if it is not that shape.
std::optional<std::chrono::system_clock::time_point> ParseRfc3339(const std::string& s);
void SleepMs(int ms);

// User-Agent strings.
inline constexpr const char* kChromeWindowsUA =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.109 Safari/537.36";
inline constexpr const char* kFirefoxLinuxUA =
    "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0";
inline constexpr const char* kSafariIphoneUA =
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
inline constexpr const char* kGooglebotUA =
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

std::string Lower(std::string s);

// A suite that shares one default server: started once for the suite, a
// fresh client per test, the server's logs printed when a test fails.
// `Suite` is the deriving fixture, so each suite gets its own server.
template <typename Suite>
class SharedServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<ServerProcess>(); }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    ASSERT_TRUE(server_ && server_->ok()) << "server did not start";
    client_.set_base_url(server_->base_url());
  }
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }

  static inline std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
};

}  // namespace lethe::e2e
