// HttpServer: HTTP/1.1 on Boost.Beast with one C++20 coroutine per
// connection, a keep-alive loop, idle and I/O timeouts, per-route body
// limits, streamed uploads and downloads, and graceful shutdown on Stop()
// (stop accepting, let requests in flight finish, close idle connections;
// the process's signals are LetheServer's to turn into a Stop()). Handlers
// never see Beast types: see exchange.h.
//
// Nothing blocks the network threads. Handlers, upload sinks and download
// sources run on a bounded blocking pool (password hashing on a small pool
// of its own), and the connection resumes on its network thread after each
// call; only routes declared inline run on the network thread (see
// router.h). Uploads read the next piece from the socket while the pool
// writes the previous one; downloads read the next piece on the pool while
// the previous one is sent. A handler's error Status becomes problem+json
// here, once. An exception anywhere in an exchange (handler, sink, source,
// Beast) is logged with the request id and closes the connection.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/network_threads.h"
#include "common/status.h"
#include "http/metrics.h"
#include "http/router.h"
#include "ports/random.h"

namespace lethe {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;                    // 0 picks a free port
  int threads = 4;                         // network threads
  int blocking_threads = 16;               // the pool for handlers, sinks and sources
  std::chrono::seconds idle_timeout{30};   // a whole request head, or an idle keep-alive
  std::chrono::seconds io_timeout{60};     // one small write (a response without a stream)
  std::chrono::seconds drain_timeout{10};  // shutdown grace for requests in flight
  uint32_t header_limit = 16 * 1024;
  // Connections served at once; more are answered 503 with Retry-After and
  // closed. 0: sized from RLIMIT_NOFILE (each connection may hold a socket
  // and a blob file, and the stores need some descriptors of their own).
  size_t max_connections = 0;
  // The minimum-rate rule for bodies, both ways: a transfer may take
  // `rate_grace` plus one second per `min_rate` bytes moved so far, and
  // never longer than `request_deadline` in all. A client sending slower is
  // answered 408; one reading slower is cut (its headers are already out).
  uint64_t min_rate = 1024;  // bytes per second
  std::chrono::seconds rate_grace{30};
  std::chrono::seconds request_deadline{24 * 3600};
};

// The connection cap that max_connections = 0 stands for.
size_t DefaultMaxConnections();

class HttpServer {
 public:
  // Records its network threads in `network_threads` while they run. Every
  // argument must outlive the server.
  HttpServer(const Router& router, Metrics& metrics, Random& random,
             NetworkThreads& network_threads, ServerOptions options);
  ~HttpServer();

  // Binds and listens. Returns the bound "address:port", or Internal if the
  // address cannot be bound.
  Result<std::string> Listen();

  // Serves until Stop(), then drains and returns. The
  // network threads are started here; the calling thread only waits.
  void Run();

  // Begins a graceful shutdown. Safe from any thread.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lethe
