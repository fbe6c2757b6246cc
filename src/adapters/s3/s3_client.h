// S3Client: the HTTP plumbing under S3BlobStore. One request at a time per
// call, signed by libcurl's built-in AWS Signature V4 (CURLOPT_AWS_SIGV4,
// "aws:amz:REGION:s3"), with path-style URLs (ENDPOINT/BUCKET/KEY) so a
// local endpoint needs no DNS. Every request carries x-amz-content-sha256:
// the SHA-256 of its body (the empty string's for bodiless requests), so
// the store can check each byte it received.
//
// Thread-safe: calls may run on many threads at once. Each takes a curl
// handle from a small pool and puts it back, so connections are kept alive
// and reused. Calls block for at most the configured timeouts: they are for
// the blocking threads, never the network threads.
//
// Errors are values: a request that could not be carried out (refused
// connection, reset, timeout) is Unavailable with curl's reason; an answer
// the caller did not expect is for the caller to map (see S3Response). The
// secret key is never put in a message, a log line or a URL.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace lethe {

struct S3Config {
  std::string endpoint;  // "http://127.0.0.1:4568" or "https://s3.eu-west-1.amazonaws.com"
  std::string bucket;
  std::string prefix;  // prepended to every key ("" or ending in '/')
  std::string region = "us-east-1";
  std::string access_key;
  std::string secret_key;
  long connect_timeout_ms = 5'000;
  // A transfer slower than 1 KiB/s for this long is abandoned (Unavailable).
  long stall_timeout_ms = 30'000;
  // No request takes longer than this, whatever its size.
  long request_timeout_ms = 600'000;
};

// Parses "s3://BUCKET[/PREFIX]?endpoint=URL&region=REGION" (Boost.URL).
// `endpoint` defaults to https://s3.REGION.amazonaws.com and region to
// us-east-1. Credentials are not in the URL: the caller fills them in.
// Returns InvalidArgument, with the reason, for anything else.
Result<S3Config> ParseS3Url(std::string_view url);

struct S3Response {
  long status = 0;  // the HTTP status
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names, last value wins

  // The <Code> of an S3 error body ("NoSuchKey"), or "".
  std::string ErrorCode() const;
  // "HTTP 403 AccessDenied" for messages.
  std::string Describe() const;
  // True for a 403 saying the credentials or the signature were refused
  // (SignatureDoesNotMatch, InvalidAccessKeyId, AccessDenied,
  // RequestTimeTooSkewed, or no code: a HEAD's answer has no body): the
  // store is there, but not for this server.
  bool CredentialsRefused() const;
};

// The status for an answer to `what` the caller did not expect: a refusal
// of the credentials is Unavailable, saying so (the operator must fix the
// keys or the clock; a client can only retry later), as are 5xx and
// throttling; anything else is Internal. "s3: WHAT: HTTP 403 Code: ...".
Status S3Unexpected(const std::string& what, const S3Response& res);

class S3Client {
 public:
  explicit S3Client(S3Config config);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  const S3Config& config() const { return config_; }

  struct Request {
    std::string method = "GET";  // GET, HEAD, PUT, POST, DELETE
    std::string key;             // object key under the prefix; "" for the bucket
    // The query, already encoded and sorted by name, each as name=value
    // ("uploadId=...&partNumber=1" must be given as "partNumber=1&uploadId=...").
    std::string query;
    std::vector<std::string> headers;  // "Name: value"
    std::span<const uint8_t> body;
    // For GET: where the body goes instead of S3Response::body (must be
    // exactly as long as the answer's body; a 2xx of another length is
    // DataLoss). Non-2xx bodies still go to S3Response::body.
    std::span<uint8_t> into;
    bool use_into = false;
  };
  // Sends one request and returns the answer, whatever its status.
  // Returns Unavailable when there is no answer (connect, reset, timeout).
  Result<S3Response> Send(const Request& request);

  // Creates the bucket; OK if this owner already has it (tests, setup).
  Status CreateBucket();
  // OK if the bucket exists and the credentials reach it; NotFound if it
  // does not exist; Unavailable or Internal otherwise.
  Status CheckBucket();

  // Lower-case hex SHA-256 of `bytes`.
  static std::string Sha256Hex(std::span<const uint8_t> bytes);
  // RFC 3986 percent-encoding of everything but unreserved characters
  // (and '/', when `keep_slash`), as SigV4 wants it.
  static std::string UriEncode(std::string_view s, bool keep_slash);

 private:
  struct Handle;
  std::unique_ptr<Handle> Take();
  void Give(std::unique_ptr<Handle> h);

  S3Config config_;
  std::string sigv4_;  // "aws:amz:REGION:s3"
  std::mutex mu_;
  std::vector<std::unique_ptr<Handle>> idle_;
};

// Small XML helpers for S3's answers: the text of every <tag>...</tag> in
// order, entities decoded. Enough for ListObjectsV2 and friends, whose
// elements never nest inside themselves.
std::vector<std::string> XmlValues(std::string_view xml, std::string_view tag);
std::string XmlValue(std::string_view xml, std::string_view tag);
std::string XmlEscape(std::string_view text);

}  // namespace lethe
