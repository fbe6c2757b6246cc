// Helpers shared by the media e2e tests (media_*_test.cc): scratch
// directories, media generated with the ffmpeg binary, hashing, streamed
// uploads and downloads over libcurl (nothing large held in memory), and a
// look at the files the server keeps under <data>/media.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "harness.h"

namespace lethe::e2e {

// At-rest format constants (src/crypto/chunked_cipher.h), restated here so a
// change there is caught by these tests rather than silently followed.
inline constexpr uint64_t kMediaChunkPlain = 64 * 1024;
inline constexpr uint64_t kMediaChunkSealed = kMediaChunkPlain + 16;
// Stored size of a blob of `plain` bytes: one 16-byte tag per 64 KiB chunk,
// at least one chunk.
uint64_t ExpectedSealedSize(uint64_t plain);

// A temporary directory removed (recursively) on destruction, unless
// LETHE_E2E_KEEP is set.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Lowercase hex SHA-256 (OpenSSL, independent of the server's code).
std::string Sha256Hex(std::string_view bytes);
// SHA-256 of a file, read in pieces. "" if it cannot be read.
std::string Sha256FileHex(const std::string& path);

// Incremental SHA-256.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void Update(const void* data, size_t n);
  std::string HexFinal();

 private:
  void* ctx_;  // EVP_MD_CTX*
};

bool WriteFileBytes(const std::string& path, std::string_view bytes);
int64_t FileSize(const std::string& path);  // -1 if missing

// Absolute path of a tool on PATH (for RunCommand, which uses execv).
std::string ToolPath(const std::string& name);

// Runs ffmpeg (quiet, -y) with `args`; a test failure with its output if it
// exits non-zero. Returns whether it succeeded.
bool Ffmpeg(const std::vector<std::string>& args);

// Generated media, written to `dir`. Each returns the file's path ("" and a
// test failure if ffmpeg failed).
//   kind: "mp4" (H.264 + AAC), "webm" (VP8 + Vorbis), "ogg" (Vorbis), "mp3",
//   "wav", "flac", "jpeg", "png", "gif", "webp".
// Videos are `seconds` long, 160x120 at 25 fps with a keyframe every second.
std::string MakeMedia(const std::string& dir, const std::string& kind, double seconds = 1.0);

// The bytes of one small PNG, made with MakeMedia once per test process.
const std::string& SamplePng();

// Regular files under `dir`, recursively (sorted paths). Empty if missing.
std::vector<std::string> ListFilesUnder(const std::string& dir);
// The media's own blobs, not their posters, transcripts and web renditions
// (whose blob ids end in -poster, -transcript, -web: MediaArtifactBlobId).
bool IsArtifactBlob(const std::string& path);
std::vector<std::string> BlobFiles(const ServerProcess& server);  // <data>/media/blobs
// The artifact blobs of `kind` ("poster", "transcript", "web").
std::vector<std::string> ArtifactBlobFiles(const ServerProcess& server, const std::string& kind);
std::vector<std::string> IncomingFiles(const ServerProcess& server);  // <data>/media/incoming

// Polls `pred` every 50 ms until it is true or `timeout` passes.
bool WaitFor(const std::function<bool()>& pred,
             std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A customer with one account on the data plane.
struct Tenant {
  std::string session;
  AccountInfo account;
  std::string token() const { return account.api_token; }
};
Tenant NewTenant(HttpClient& client, const std::string& label);

// A test with one real `lethe serve` and one customer's account on it.
// Start() (re)starts the server with `args` and signs a new customer up
// (`label` names it); Upload() posts a file and returns the media id (""
// and a test failure when it is refused). The server's log is printed
// when the test failed.
class TenantServerTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> args = {}, const std::string& label = "tenant");
  void TearDown() override;
  Headers Auth() const;
  std::string Upload(const std::string& path, const std::string& type,
                     const std::string& query = "");

  ScratchDir dir_;
  std::unique_ptr<ServerProcess> server_;
  HttpClient client_;
  Tenant tenant_;
};

// Restricts the processing of `end_user`'s data in the tenant's account
// (a GDPR Art. 18 request, filed and fulfilled by the customer). Test
// failures if either step is refused.
void RestrictEndUser(HttpClient& client, const Tenant& tenant, const std::string& end_user);

Headers BearerAuth(const std::string& token);

// Raw upload of in-memory bytes: POST /v1/media?<query> with Content-Type
// `content_type` ("" sends no Content-Type at all).
Response UploadBytes(HttpClient& client, const std::string& token, const std::string& bytes,
                     const std::string& content_type, const std::string& query = "",
                     const RequestOptions& options = {});

// A libcurl transfer that streams its request body from a callback and its
// response body into a hash (and optionally a file), so neither side needs
// memory proportional to the size.
struct StreamResult {
  long status = 0;
  std::string error;  // curl error text, "" on success
  Headers headers;    // lowercased names
  std::string body;   // first 64 KiB of the response body only
  uint64_t body_bytes = 0;
  std::string body_sha256;
  boost::json::value Json() const;
  std::string Describe() const;
};

// Produces the next piece of a request body into buf (at most `cap` bytes).
// Returns the count, 0 at the end. May block / sleep.
using BodyProducer = std::function<size_t(char* buf, size_t cap)>;
// Called for each piece of the response body.
using BodyConsumer = std::function<void(const char* data, size_t n)>;

struct StreamRequest {
  std::string method = "GET";
  std::string url;  // absolute
  Headers headers;
  BodyProducer producer;        // request body, if any
  int64_t content_length = -1;  // -1: chunked (when there is a producer)
  BodyConsumer consumer;        // optional extra sink for the response
  long timeout_seconds = 120;
};
StreamResult StreamTransfer(const StreamRequest& req);

// Streams a file as a raw upload body (Content-Length = file size).
StreamResult UploadFile(const std::string& base_url, const std::string& token,
                        const std::string& path, const std::string& content_type,
                        const std::string& query = "");
// GET of an absolute URL or base_url + path, hashing the body.
StreamResult DownloadHashed(const std::string& url, const Headers& headers = {});

// A deterministic pseudo-random byte stream (xorshift), with an optional
// fixed prefix (e.g. an MP4 'ftyp' box so the server's sniffer accepts it).
class PatternStream {
 public:
  PatternStream(uint64_t total, uint64_t seed, std::string prefix = "");
  size_t Read(char* buf, size_t cap);  // 0 at the end
  uint64_t produced() const { return pos_; }

 private:
  uint64_t total_;
  uint64_t pos_ = 0;
  uint64_t state_;
  std::string prefix_;
};
// The whole stream in memory (for small sizes).
std::string PatternBytes(uint64_t total, uint64_t seed, const std::string& prefix = "");

// A minimal ISO BMFF 'ftyp' box (32 bytes) that sniffs as MP4.
std::string FtypHeader();

// /proc/<pid>/status field in KiB (e.g. "VmHWM", "VmRSS"); -1 if unreadable.
int64_t ProcStatusKiB(pid_t pid, const std::string& field);

// Resets the peak RSS (VmHWM) of `pid` to its current RSS
// (`echo 5 > /proc/<pid>/clear_refs`). False if the kernel refused.
bool ResetPeakRss(pid_t pid);

// Connects to 127.0.0.1:port; -1 (and a test failure) on error.
int ConnectLoopback(int port);
// Writes all of `bytes` (blocking); false on error.
bool SendAll(int fd, std::string_view bytes);

// Lists every media object of the token's account matching `query`
// (following next_cursor).
std::vector<boost::json::value> ListAllMedia(HttpClient& client, const std::string& token,
                                             const std::string& query = "", int limit = 100);

// Quotes a value for use in a URL query (percent-encoding).
std::string UrlEncode(std::string_view s);

}  // namespace lethe::e2e
