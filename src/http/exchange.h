// HttpRequest and HttpResponse: the server's view of one exchange, free of
// Beast types so handlers stay small and testable. Only server.cc speaks
// Beast; handlers turn an HttpRequest into a domain call and the result into
// an HttpResponse.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"

namespace lethe {

struct HttpRequest {
  std::string method;                             // upper case, e.g. "GET"
  std::string target;                             // as received
  std::vector<std::string> segments;              // decoded path segments
  std::multimap<std::string, std::string> query;  // decoded
  std::map<std::string, std::string> headers;     // lower-case names
  std::optional<uint64_t> content_length;
  bool chunked = false;
  std::string body;  // buffered routes only
  std::string remote_ip;
  std::string request_id;
  // Filled by the router.
  std::string route;                          // e.g. "/v1/accounts/{id}"
  std::map<std::string, std::string> params;  // e.g. {"id": "acc_..."}
  // The end user this request concerns (usage events): set from the request
  // by the Gate on metered routes; a handler may name the one it found.
  std::string end_user;
  // Set by the Gate on metered routes; the server calls it on the network
  // thread once the response is decided, with its status, just before
  // sending it. It must not block.
  std::function<void(int status)> on_finished;
  // Set by handlers: headers for the problem response should the handler
  // fail (Content-Range on a 416, say). Unused on success.
  std::vector<std::pair<std::string, std::string>> problem_headers;
  // CORS (cors.h). Set by the router when the route may answer pages of
  // other origins; set by the Gate to the request's Origin once the
  // caller's account allows it. The server adds the CORS headers from them.
  bool cross_origin_route = false;
  std::string allowed_origin;

  // The header's value, or "" when absent.
  const std::string& Header(const std::string& lower_name) const;
  // The first value of query parameter `name`.
  std::optional<std::string> Query(const std::string& name) const;
  const std::string& Param(const std::string& name) const { return params.at(name); }
};

// A response body produced piece by piece (media downloads). The server
// calls Read, and destroys the source, on its blocking pool, never on a
// network thread; it may read the next piece while the previous one is
// still being sent, but never calls Read twice at once.
class BodySource {
 public:
  virtual ~BodySource() = default;
  // Fills the front of `out`; returns the byte count, 0 only at the end.
  virtual Result<size_t> Read(std::span<uint8_t> out) = 0;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the body comes from here and is `stream_length` bytes long,
  // or, with `stream_chunked`, of a length known only at its end (an
  // export ZIP): sent with Transfer-Encoding: chunked, ending when Read
  // returns 0.
  std::unique_ptr<BodySource> stream;
  uint64_t stream_length = 0;
  bool stream_chunked = false;
  // Bytes read from `stream` and written to the socket per step; 0 for the
  // server's default (256 KiB). Larger pieces mean fewer system calls and
  // wake-ups per byte, at two pieces of memory per response.
  size_t stream_piece = 0;

  static HttpResponse Json(int status, const boost::json::value& body);
  static HttpResponse Empty(int status);
  void SetHeader(std::string name, std::string value);
};

// Receives a request body as it arrives (media uploads). Destroying a sink
// without calling Finish() abandons the upload and leaves nothing behind.
// The server calls Write and Finish, and destroys the sink, on its blocking
// pool, never on a network thread, one call at a time; the next piece of
// the body is read from the socket while Write takes the previous one.
class UploadSink {
 public:
  virtual ~UploadSink() = default;
  // Takes the next piece of the body. A non-OK Status ends the upload with
  // that error.
  virtual Status Write(std::span<const uint8_t> bytes) = 0;
  // The whole body has arrived: completes the upload and returns the
  // response, or the error that stopped it.
  virtual Result<HttpResponse> Finish() = 0;
};

}  // namespace lethe
