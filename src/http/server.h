// HttpServer: HTTP/1.1 on Boost.Beast with one C++20 coroutine per
// connection, a keep-alive loop, idle and I/O timeouts, per-route body
// limits, streamed uploads and downloads, and graceful shutdown on SIGTERM
// or SIGINT (stop accepting, let requests in flight finish, close idle
// connections). Handlers never see Beast types: see exchange.h.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "http/metrics.h"
#include "http/router.h"
#include "ports/random.h"

namespace lethe {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port
  int threads = 4;
  std::chrono::seconds idle_timeout{30};   // waiting for a request head
  std::chrono::seconds io_timeout{60};     // each read or write within a request
  std::chrono::seconds drain_timeout{10};  // shutdown grace for requests in flight
  uint32_t header_limit = 16 * 1024;
};

class HttpServer {
 public:
  HttpServer(const Router& router, Metrics& metrics, Random& random, ServerOptions options);
  ~HttpServer();

  // Binds and listens. Returns the bound "address:port", or Internal if the
  // address cannot be bound.
  Result<std::string> Listen();

  // Serves until Stop() or SIGTERM/SIGINT, then drains and returns.
  void Run();

  // Begins a graceful shutdown. Safe from any thread.
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lethe
