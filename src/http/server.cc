#include "http/server.h"

#include <sys/resource.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <iostream>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

#include "crypto/secret_hash.h"
#include "http/cors.h"
#include "http/pool_job.h"
#include "http/problem.h"

namespace lethe {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto kTuple = net::as_tuple(net::use_awaitable);
constexpr size_t kStreamChunk = 256 * 1024;
constexpr size_t kHeadBuffer = 16 * 1024;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Known methods only become metric labels; anything else is "OTHER".
std::string MethodLabel(http::verb v) {
  switch (v) {
    case http::verb::get:
      return "GET";
    case http::verb::head:
      return "HEAD";
    case http::verb::post:
      return "POST";
    case http::verb::put:
      return "PUT";
    case http::verb::patch:
      return "PATCH";
    case http::verb::delete_:
      return "DELETE";
    case http::verb::options:
      return "OPTIONS";
    default:
      return "OTHER";
  }
}

// Fills the request's path, query and headers from the parsed head.
// Returns InvalidArgument("bad-request") for a target that is not origin-form.
Status FillRequest(const http::request_parser<http::empty_body>& parser, HttpRequest& req) {
  const auto& head = parser.get();
  req.method = MethodLabel(head.method());
  req.target = std::string(head.target());
  auto url = boost::urls::parse_origin_form(head.target());
  if (!url) return Status::InvalidArgument("bad-request", "request target is not a valid path");
  for (auto seg : url->segments()) {
    std::string s(seg);
    if (s.find('\0') != std::string::npos) {
      return Status::InvalidArgument("bad-request", "path contains a NUL byte");
    }
    req.segments.push_back(std::move(s));
  }
  for (auto param : url->params()) {
    req.query.emplace(std::string(param.key), std::string(param.value));
  }
  for (const auto& field : head) {
    std::string name = Lower(field.name_string());
    auto [it, inserted] = req.headers.emplace(name, std::string(field.value()));
    if (!inserted) it->second += ", " + std::string(field.value());
  }
  if (auto len = parser.content_length()) req.content_length = *len;
  req.chunked = parser.chunked();
  return Status::Ok();
}

// RFC 9112 section 6.3: a request whose Transfer-Encoding does not end in
// chunked has no knowable length, and one with both Transfer-Encoding and
// Content-Length is a smuggling attempt. Either way its bytes cannot be
// framed, so the exchange ends with 400 and a closed connection. Only a
// single "chunked" is accepted: Lethe decodes no other transfer coding.
Status CheckFraming(const http::request_parser<http::empty_body>& parser) {
  const auto& head = parser.get();
  if (head.find(http::field::transfer_encoding) == head.end()) return Status::Ok();
  if (head.version() < 11) {
    return Status::InvalidArgument("bad-transfer-encoding",
                                   "Transfer-Encoding is not allowed in HTTP/1.0");
  }
  if (head.find(http::field::content_length) != head.end()) {
    return Status::InvalidArgument("bad-transfer-encoding",
                                   "Transfer-Encoding and Content-Length together");
  }
  std::string codings;  // every Transfer-Encoding line, joined
  for (const auto& field : head) {
    if (field.name() != http::field::transfer_encoding) continue;
    if (!codings.empty()) codings += ",";
    codings += Lower(field.value());
  }
  std::string trimmed = codings;
  std::erase_if(trimmed, [](char c) { return c == ' ' || c == '\t'; });
  if (trimmed != "chunked") {
    return Status::InvalidArgument(
        "bad-transfer-encoding",
        "Transfer-Encoding must be exactly \"chunked\", not \"" + codings + "\"");
  }
  return Status::Ok();
}

bool HasBody(const HttpRequest& req) {
  return req.chunked || (req.content_length && *req.content_length > 0);
}

// What a download sends first: the piece Prefetch read before the headers.
// (Passed to coroutines by reference only: GCC 12 destroys an aggregate
// temporary passed by value to a coroutine twice.)
struct FirstPiece {
  std::shared_ptr<std::vector<uint8_t>> chunk;
  size_t size = 0;
};

void LogException(const std::string& request_id, const char* where, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    std::cerr << "lethe: " << request_id << " " << where << " threw: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "lethe: " << request_id << " " << where << " threw a non-standard exception\n";
  }
}

// Runs `fn`, a call into a handler, sink or source, and turns anything it
// throws into Internal (logged with the request id): the exchange then
// still ends with an answer, or a cut connection if its headers are out.
template <typename F>
auto Guarded(const std::string& request_id, const char* what, F&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (...) {
    LogException(request_id, what, std::current_exception());
  }
  return Status::Internal(std::string(what) + " failed with an exception");
}

// The completion of a detached coroutine: logs what escaped it instead of
// letting it vanish (or, rethrown, end the thread's event loop).
auto LogEscaped(const char* what) {
  return [what](std::exception_ptr error) {
    if (error) LogException("-", what, error);
  };
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(const Router& router, Metrics& metrics, Random& random, NetworkThreads& network_threads,
       ServerOptions options)
      : router_(router),
        metrics_(metrics),
        random_(random),
        network_threads_(network_threads),
        options_(std::move(options)),
        contexts_(MakeContexts(options_.threads)),
        blocking_pool_(static_cast<size_t>(std::max(1, options_.blocking_threads))),
        acceptor_(*contexts_[0]) {}

  Result<std::string> Listen() {
    boost::system::error_code ec;
    auto address = net::ip::make_address(options_.address, ec);
    if (ec) return Status::InvalidArgument("bad-listen", "bad listen address: " + ec.message());
    tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return Status::Internal("cannot listen on " + options_.address + ": " + ec.message());
    auto bound = acceptor_.local_endpoint();
    return bound.address().to_string() + ":" + std::to_string(bound.port());
  }

  void Run() {
    net::co_spawn(*contexts_[0], Accept(), LogEscaped("the accept loop"));
    // One io_context per thread: a connection lives on one thread, so its
    // coroutine needs no strand and wakes no other thread.
    // Idle contexts must keep running until shutdown: guard them.
    for (auto& ctx : contexts_) guards_.emplace_back(ctx->get_executor());
    std::vector<std::thread> threads;
    for (auto& ctx : contexts_) {
      threads.emplace_back([this, ctx = ctx.get()] {
        NetworkThreads::Scope scope(network_threads_);
        ctx->run();
      });
    }
    for (auto& t : threads) t.join();
  }

  void Stop() {
    net::post(*contexts_[0], [this] { BeginShutdown(); });
  }

 private:
  using Head = http::request_parser<http::empty_body>;

  // One body transfer under the minimum-rate rule (see ServerOptions).
  struct Transfer {
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
    uint64_t moved = 0;
  };

  struct Connection {
    beast::tcp_stream stream;
    bool idle = true;
    // Set when the connection closes with a request body perhaps unread.
    bool linger = false;
    // The minimum-rate rule's timer for the body in transfer; when the
    // deadline passes, pending I/O is cancelled (not closed, so a 408 can
    // still go out).
    net::steady_timer rate_timer;
    const Transfer* transfer = nullptr;
    bool rate_expired = false;
    explicit Connection(tcp::socket socket)
        : stream(std::move(socket)), rate_timer(stream.get_executor()) {}
  };

  // When `t` must be done, given the bytes it has moved so far.
  std::chrono::steady_clock::time_point Deadline(const Transfer& t) const {
    auto allowance = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(
            static_cast<double>(t.moved) /
            static_cast<double>(std::max<uint64_t>(1, options_.min_rate))));
    return std::min(t.start + options_.rate_grace + allowance,
                    t.start + std::chrono::steady_clock::duration(options_.request_deadline));
  }

  static void DisarmDeadline(Connection& conn) {
    conn.transfer = nullptr;
    conn.rate_timer.cancel();
  }
  // Disarms on every way out of a transfer, exceptions included, so the
  // timer never sees a Transfer that is gone.
  class DeadlineGuard {
   public:
    explicit DeadlineGuard(Connection& conn) : conn_(conn) {}
    ~DeadlineGuard() { DisarmDeadline(conn_); }
    DeadlineGuard(const DeadlineGuard&) = delete;
    DeadlineGuard& operator=(const DeadlineGuard&) = delete;

   private:
    Connection& conn_;
  };

  // Puts `t` under the rate rule while the guard lives. The caller only
  // counts t.moved; the timer moves its own deadline when it fires, so the
  // hot loop pays nothing per read or write.
  [[nodiscard]] DeadlineGuard ArmDeadline(Connection& conn, const Transfer& t) {
    conn.stream.expires_never();
    conn.rate_expired = false;
    conn.transfer = &t;
    WaitForDeadline(conn);
    return DeadlineGuard(conn);
  }
  void WaitForDeadline(Connection& conn) {
    conn.rate_timer.expires_at(Deadline(*conn.transfer));
    conn.rate_timer.async_wait([this, c = &conn](boost::system::error_code ec) {
      if (ec || !c->transfer) return;  // disarmed
      if (std::chrono::steady_clock::now() < Deadline(*c->transfer)) {
        WaitForDeadline(*c);  // progress since it was set pushed it out
        return;
      }
      c->rate_expired = true;
      c->stream.cancel();
    });
  }

  // Counts a connection (or a rejection) until its coroutine ends, however
  // it ends, so Drain never waits for one that is gone.
  class Counted {
   public:
    explicit Counted(std::atomic<int>& count) : count_(count) {}
    ~Counted() { --count_; }
    Counted(const Counted&) = delete;
    Counted& operator=(const Counted&) = delete;

   private:
    std::atomic<int>& count_;
  };

  void BeginShutdown() {
    if (stopping_.exchange(true)) return;
    boost::system::error_code ec;
    acceptor_.close(ec);
    // Wake connections waiting for their next request so they exit now;
    // busy ones see stopping_ after their response.
    std::lock_guard lock(mu_);
    for (const std::weak_ptr<Connection>& weak : connections_) {
      auto c = weak.lock();
      if (!c) continue;
      net::post(c->stream.get_executor(), [weak] {
        if (auto c = weak.lock(); c && c->idle) c->stream.cancel();
      });
    }
    net::co_spawn(*contexts_[0], Drain(), LogEscaped("the drain"));
  }

  net::awaitable<void> Drain() {
    auto deadline = std::chrono::steady_clock::now() + options_.drain_timeout;
    net::steady_timer timer(co_await net::this_coro::executor);
    while (active_ > 0 && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(kTuple);
    }
    guards_.clear();
    for (auto& ctx : contexts_) ctx->stop();
  }

  net::awaitable<void> Accept() {
    net::steady_timer backoff_timer(co_await net::this_coro::executor);
    auto backoff = std::chrono::milliseconds(0);
    for (;;) {
      net::io_context& target = *contexts_[next_context_++ % contexts_.size()];
      auto [ec, socket] = co_await acceptor_.async_accept(target, kTuple);
      if (ec) {
        if (stopping_ || ec == net::error::operation_aborted) co_return;
        // EMFILE and friends leave the connection queued, so retrying at
        // once would spin. Wait, longer each time, while the connections we
        // have finish and free descriptors.
        backoff =
            std::clamp(backoff * 2, std::chrono::milliseconds(10), std::chrono::milliseconds(1000));
        if (backoff == std::chrono::milliseconds(10) || backoff.count() == 1000) {
          std::cerr << "lethe: accept failed (" << ec.message() << "); retrying in "
                    << backoff.count() << " ms\n";
        }
        backoff_timer.expires_after(backoff);
        co_await backoff_timer.async_wait(kTuple);
        continue;
      }
      backoff = std::chrono::milliseconds(0);
      auto executor = socket.get_executor();
      if (static_cast<size_t>(active_.load()) >= max_connections_) {
        // Over the cap: a short 503 instead of a silent hang. The rejections
        // in progress are bounded too, since each holds a descriptor.
        if (rejecting_.load() >= kMaxRejecting) continue;  // the socket closes here
        ++rejecting_;
        net::co_spawn(executor, Reject(std::make_shared<Connection>(std::move(socket))),
                      LogEscaped("a rejected connection"));
        continue;
      }
      ++active_;  // counted here, so the cap holds before the coroutine starts
      net::co_spawn(executor, Serve(std::make_shared<Connection>(std::move(socket))),
                    LogEscaped("a connection"));
    }
  }

  // Answers one connection over the cap with 503 and Retry-After, then
  // closes it after reading briefly, so the client sees the answer rather
  // than a reset.
  net::awaitable<void> Reject(std::shared_ptr<Connection> conn) {
    Counted counted(rejecting_);
    Status busy(Status::Code::kUnavailable, "too-many-connections",
                "the server is at its connection limit; retry shortly");
    HttpResponse r = ProblemResponse(busy, RandomId(random_, "req_"));
    r.SetHeader("Retry-After", "1");
    FirstPiece none;
    co_await Send(*conn, r, nullptr, none, false, false, "");
    boost::system::error_code ignored;
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    co_await Linger(*conn);
  }

  net::awaitable<void> Serve(std::shared_ptr<Connection> conn) {
    Counted counted(active_);  // Accept counted it
    std::list<std::weak_ptr<Connection>>::iterator registration;
    {
      std::lock_guard lock(mu_);
      registration = connections_.insert(connections_.end(), conn);
    }
    struct Unregister {
      Impl& impl;
      std::list<std::weak_ptr<Connection>>::iterator it;
      ~Unregister() {
        std::lock_guard lock(impl.mu_);
        impl.connections_.erase(it);
      }
    } unregister{*this, registration};
    boost::system::error_code ignored;
    conn->stream.socket().set_option(tcp::no_delay(true), ignored);
    std::string remote = conn->stream.socket().remote_endpoint(ignored).address().to_string();
    beast::flat_buffer buffer;
    buffer.reserve(kHeadBuffer);
    while (!stopping_) {
      conn->idle = true;
      conn->stream.expires_after(options_.idle_timeout);
      Head head;
      head.header_limit(options_.header_limit);
      head.body_limit(boost::none);  // each route checks its own limit
      auto [ec, n] = co_await http::async_read_header(conn->stream, buffer, head, kTuple);
      conn->idle = false;
      // Beast checks header_limit per parse step; a head that arrived in one
      // large read can slip past it, so check the consumed size as well.
      if (!ec && n > options_.header_limit) ec = http::error::header_limit;
      if (ec) {
        if (ec == http::error::header_limit) {
          co_await SendError(*conn, Status::HeaderTooLarge("request headers are too large"));
        } else if (ec != http::error::end_of_stream && ec != net::error::operation_aborted &&
                   ec != beast::error::timeout && ec != net::error::connection_reset &&
                   ec != net::error::eof) {
          co_await SendError(
              *conn, Status::InvalidArgument("bad-request", "malformed request: " + ec.message()));
        }
        break;
      }
      bool keep_alive = co_await Exchange(*conn, buffer, head, remote);
      if (!keep_alive) break;
    }
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (conn->linger) co_await Linger(*conn);
  }

  // After our side is shut down, reads and drops what the client still
  // sends (the rest of a refused upload, say) for a short while. Closing
  // with unread bytes would reset the connection, and the client would
  // lose the error response it has not read yet. Only for connections that
  // may have such bytes (Connection::linger): others close at once.
  net::awaitable<void> Linger(Connection& conn) {
    conn.stream.expires_after(std::chrono::seconds(2));
    std::vector<char> sink(64 * 1024);
    size_t dropped = 0;
    while (dropped < (16u << 20)) {
      auto [ec, n] = co_await conn.stream.async_read_some(net::buffer(sink), kTuple);
      if (ec) break;
      dropped += n;
    }
  }

  net::awaitable<void> SendError(Connection& conn, const Status& status) {
    HttpResponse r = ProblemResponse(status, RandomId(random_, "req_"));
    FirstPiece none;
    co_await Send(conn, r, nullptr, none, false, false, "");
  }

  // The problem response for a handler's error, with the headers it set
  // for that case.
  static HttpResponse Problem(const Status& status, const HttpRequest& req) {
    HttpResponse r = ProblemResponse(status, req.request_id);
    for (const auto& [name, value] : req.problem_headers) r.SetHeader(name, value);
    return r;
  }
  static HttpResponse Answer(Result<HttpResponse> result, const HttpRequest& req) {
    if (!result.ok()) return Problem(result.status(), req);
    return std::move(result).value();
  }

  // Releases a sink or source (which may hold files and abandon an upload
  // when destroyed) on the blocking pool, never on a network thread.
  //
  // GCC 12 destroys a lambda passed as a temporary to a coroutine twice
  // (a double free): every function handed to OnPool is a named local.
  template <typename T>
  net::awaitable<void> Dispose(std::shared_ptr<T> p) {
    if (!p) co_return;
    auto release = [q = p]() mutable {
      q.reset();
      return true;
    };
    p.reset();
    co_await OnPool(blocking_pool_, std::move(release));
  }

  // Handles one request whose head is in `head`. Returns whether the
  // connection may carry another request.
  net::awaitable<bool> Exchange(Connection& conn, beast::flat_buffer& buffer, Head& head,
                                const std::string& remote) {
    auto started = std::chrono::steady_clock::now();
    HttpRequest req;
    req.remote_ip = remote;
    req.request_id = RandomId(random_, "req_");
    bool keep_alive = head.get().keep_alive() && !stopping_;
    Status framing = CheckFraming(head);
    if (!framing.ok()) {
      // The body's end is unknown: nothing after this head can be trusted.
      HttpResponse resp = ProblemResponse(framing, req.request_id);
      FirstPiece none;
      co_await Send(conn, resp, nullptr, none, false, false, req.request_id);
      conn.linger = true;
      co_return false;
    }
    HttpResponse resp;
    FirstPiece first;
    std::exception_ptr failure;
    try {
      resp = co_await Respond(conn, buffer, head, req, keep_alive, first);
    } catch (...) {
      failure = std::current_exception();
    }
    if (failure) {
      LogException(req.request_id, "the exchange", failure);
      resp = ProblemResponse(Status::Internal("the exchange failed with an exception"),
                             req.request_id);
    }
    bool head_only = req.method == "HEAD";
    if (resp.status >= 500) keep_alive = false;
    if (!keep_alive && HasBody(req)) conn.linger = true;
    // Accounted before the response leaves, so a client that reads its
    // usage right after sees this request too.
    if (req.on_finished) req.on_finished(resp.status);
    AddCorsHeaders(req, resp);
    std::shared_ptr<BodySource> source(std::move(resp.stream));
    bool sent = false;
    failure = nullptr;
    try {
      sent = co_await Send(conn, resp, source, first, keep_alive, head_only, req.request_id);
    } catch (...) {
      failure = std::current_exception();
    }
    if (failure) LogException(req.request_id, "sending the response", failure);
    co_await Dispose(std::move(source));
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.Observe(req.method, req.route, resp.status, secs);
    co_return sent&& keep_alive;
  }

  // Routes the request, reads its body and runs its handler; for a
  // streamed response, reads its first piece into `first`.
  net::awaitable<HttpResponse> Respond(Connection& conn, beast::flat_buffer& buffer, Head& head,
                                       HttpRequest& req, bool& keep_alive, FirstPiece& first) {
    Status st = FillRequest(head, req);
    if (st.ok() && req.method == "OPTIONS") {
      // CORS preflights (cors.h); a body, allowed but meaningless, is not read.
      if (HasBody(req)) keep_alive = false;
      auto preflight = [this, &req] {
        return Guarded(req.request_id, "the preflight", [&] { return router_.Preflight(req); });
      };
      Result<HttpResponse> answer = co_await OnPool(blocking_pool_, std::move(preflight));
      HttpResponse resp = Answer(std::move(answer), req);
      if (resp.status == 405) resp.SetHeader("Allow", router_.AllowedMethods(req.segments));
      co_return resp;
    }
    const Route* route = nullptr;
    if (st.ok()) {
      auto matched = router_.Match(req);
      if (matched.ok())
        route = *matched;
      else
        st = matched.status();
    }
    if (!st.ok()) {
      HttpResponse resp = ProblemResponse(st, req.request_id);
      if (st.code() == Status::Code::kMethodNotAllowed) {
        resp.SetHeader("Allow", router_.AllowedMethods(req.segments));
      }
      if (HasBody(req)) keep_alive = false;  // unread body: the stream is out of step
      co_return resp;
    }
    if (req.content_length && *req.content_length > route->max_body) {
      keep_alive = false;
      co_return BodyError(http::error::body_limit, conn, *route, req);
    }
    // (No co_await inside a conditional expression: GCC 12 miscompiles it.)
    HttpResponse resp;
    if (route->is_upload()) {
      resp = co_await ReadUpload(conn, buffer, head, req, *route, keep_alive);
    } else {
      resp = co_await ReadBuffered(conn, buffer, head, req, *route, keep_alive);
    }
    if (resp.stream && req.method != "HEAD" && (resp.stream_length > 0 || resp.stream_chunked)) {
      auto prefetch = [&] { return Prefetch(resp, req.request_id); };
      first = co_await OnPool(blocking_pool_, std::move(prefetch));
    }
    co_return resp;
  }

  // The problem response for a body that could not be read.
  static HttpResponse BodyError(boost::system::error_code ec, Connection& conn, const Route& route,
                                const HttpRequest& req) {
    if (conn.rate_expired) {
      conn.rate_expired = false;
      return ProblemResponse(Status::DeadlineExceeded("the request body arrived too slowly"),
                             req.request_id);
    }
    if (ec == http::error::body_limit) {
      return ProblemResponse(
          Status::TooLarge("body exceeds " + std::to_string(route.max_body) + " bytes"),
          req.request_id);
    }
    return ProblemResponse(Status::InvalidArgument("bad-request", "body: " + ec.message()),
                           req.request_id);
  }

  net::awaitable<HttpResponse> ReadBuffered(Connection& conn, beast::flat_buffer& buffer,
                                            Head& head, HttpRequest& req, const Route& route,
                                            bool& keep_alive) {
    co_await MaybeContinue(conn, req);
    http::request_parser<http::string_body> parser(std::move(head));
    parser.body_limit(route.max_body);
    Transfer transfer;
    auto deadline = ArmDeadline(conn, transfer);
    while (!parser.is_done()) {
      auto [ec, n] = co_await http::async_read_some(conn.stream, buffer, parser, kTuple);
      if (ec) {
        keep_alive = false;
        co_return BodyError(ec, conn, route, req);
      }
      transfer.moved += n;
    }
    DisarmDeadline(conn);
    req.body = std::move(parser.get().body());
    auto serve = [this, &route, &req] {
      return Guarded(req.request_id, "the handler", [&] { return router_.Serve(route, req); });
    };
    if (route.runs == Runs::kNetworkThread) co_return Answer(serve(), req);
    net::thread_pool& pool = route.runs == Runs::kSlowPool ? slow_pool_ : blocking_pool_;
    Result<HttpResponse> answer = co_await OnPool(pool, serve);
    co_return Answer(std::move(answer), req);
  }

  net::awaitable<HttpResponse> ReadUpload(Connection& conn, beast::flat_buffer& buffer, Head& head,
                                          HttpRequest& req, const Route& route, bool& keep_alive) {
    auto start = [this, &route, &req] {
      return Guarded(req.request_id, "the upload handler",
                     [&] { return router_.StartUpload(route, req); });
    };
    auto started = co_await OnPool(blocking_pool_, std::move(start));
    if (!started.ok()) {
      if (HasBody(req)) keep_alive = false;
      co_return Problem(started.status(), req);
    }
    std::shared_ptr<UploadSink> sink(std::move(started).value());
    HttpResponse resp;
    std::exception_ptr failure;
    try {
      resp = co_await StreamIntoSink(conn, buffer, head, req, route, sink, keep_alive);
    } catch (...) {
      failure = std::current_exception();
    }
    // An abandoned upload removes its files as the sink goes: before the
    // answer leaves, so nothing is left once the client has it.
    co_await Dispose(std::move(sink));
    if (failure) std::rethrow_exception(failure);
    co_return resp;
  }

  // Reads the body into `sink`: the next piece arrives from the socket
  // while the pool writes the previous one.
  net::awaitable<HttpResponse> StreamIntoSink(Connection& conn, beast::flat_buffer& buffer,
                                              Head& head, HttpRequest& req, const Route& route,
                                              const std::shared_ptr<UploadSink>& sink,
                                              bool& keep_alive) {
    co_await MaybeContinue(conn, req);
    http::request_parser<http::buffer_body> parser(std::move(head));
    parser.body_limit(route.max_body);
    // Beast reads at most the buffer's free capacity per syscall: without
    // room, a large body arrives 512 bytes per recvmsg.
    buffer.reserve(kStreamChunk);
    auto filling = std::make_shared<std::vector<uint8_t>>(kStreamChunk);
    auto spare = std::make_shared<std::vector<uint8_t>>(kStreamChunk);
    size_t filled = 0;
    PoolJob<Status> writer(co_await net::this_coro::executor);
    // A write that fails ends the upload now: the read waiting for more of
    // the body (perhaps for a long time) is cancelled.
    writer.OnFailure([&conn] { conn.stream.cancel(); });
    Status failed;
    boost::system::error_code read_error;
    Transfer transfer;
    auto deadline = ArmDeadline(conn, transfer);
    for (;;) {
      bool done = parser.is_done();
      // Collect the write in flight when it is in, or when nothing more can
      // be read without it.
      if (writer.started() && (writer.ready() || done || filled == filling->size())) {
        failed = co_await writer.Wait();
        if (!failed.ok()) break;
      }
      // Hand what has arrived to the pool as soon as it is free: pieces
      // grow up to kStreamChunk while the pool is the slower side.
      if (filled > 0 && !writer.started()) {
        writer.Start(blocking_pool_, [sink, chunk = filling, filled, id = req.request_id] {
          return Guarded(id, "the upload sink", [&] {
            return sink->Write(std::span<const uint8_t>(chunk->data(), filled));
          });
        });
        std::swap(filling, spare);
        filled = 0;
      }
      if (done) break;
      parser.get().body().data = filling->data() + filled;
      parser.get().body().size = filling->size() - filled;
      // read_some, not read: the rate rule needs to see progress within a
      // chunk.
      auto [ec, n] = co_await http::async_read_some(conn.stream, buffer, parser, kTuple);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) {
        read_error = ec;
        break;
      }
      size_t got = filling->size() - filled - parser.get().body().size;
      transfer.moved += got;
      filled += got;
    }
    if (writer.started()) {
      Status st = co_await writer.Wait();
      if (failed.ok()) failed = st;
    }
    DisarmDeadline(conn);
    if (!failed.ok()) {
      // The sink's error explains a cancelled read too.
      conn.rate_expired = false;
      keep_alive = false;
      co_return Problem(failed, req);
    }
    if (read_error) {
      // The client went away, sent garbage or was too slow: the sink is
      // dropped, so the upload leaves nothing behind.
      keep_alive = false;
      co_return BodyError(read_error, conn, route, req);
    }
    buffer.shrink_to_fit();  // an idle keep-alive connection holds little
    auto finish = [&] {
      return Guarded(req.request_id, "the upload sink", [&] { return sink->Finish(); });
    };
    Result<HttpResponse> answer = co_await OnPool(blocking_pool_, std::move(finish));
    co_return Answer(std::move(answer), req);
  }

  static size_t PieceOf(const HttpResponse& resp) {
    return resp.stream_piece > 0 ? resp.stream_piece : kStreamChunk;
  }

  // Reads the first piece of a streamed body before anything is sent, so a
  // source that fails at once (a tampered blob) still gets a proper error
  // response instead of a cut connection. Replaces `resp` on failure. Runs
  // on the blocking pool.
  static FirstPiece Prefetch(HttpResponse& resp, const std::string& request_id) {
    FirstPiece first{std::make_shared<std::vector<uint8_t>>(PieceOf(resp)), 0};
    auto r =
        Guarded(request_id, "the download source", [&] { return resp.stream->Read(*first.chunk); });
    // A chunked body may be empty; a sized one ending early is a bug.
    if (!r.ok() || (*r == 0 && !resp.stream_chunked)) {
      resp = ProblemResponse(r.ok() ? Status::Internal("empty stream") : r.status(), request_id);
      return {};
    }
    first.size = *r;
    return first;
  }

  // Answers "Expect: 100-continue" once the request is accepted, so clients
  // such as curl send large bodies at once instead of after a 1 s wait.
  net::awaitable<void> MaybeContinue(Connection& conn, const HttpRequest& req) {
    if (!beast::iequals(req.Header("expect"), "100-continue")) co_return;
    http::response<http::empty_body> cont{http::status::continue_, 11};
    conn.stream.expires_after(options_.io_timeout);
    co_await http::async_write(conn.stream, cont, kTuple);
  }

  // Writes `resp`, its body from `source` when it has one (Prefetch put the
  // first piece in `first`). Returns false if the connection failed mid-way.
  net::awaitable<bool> Send(Connection& conn, HttpResponse& resp,
                            std::shared_ptr<BodySource> source, const FirstPiece& first,
                            bool keep_alive, bool head_only, const std::string& request_id) {
    conn.stream.expires_after(options_.io_timeout);
    auto fill = [&](auto& msg) {
      msg.result(static_cast<unsigned>(resp.status));
      msg.version(11);
      for (const auto& [name, value] : resp.headers) msg.set(name, value);
      if (!request_id.empty()) msg.set("X-Request-Id", request_id);
      msg.keep_alive(keep_alive);
    };
    if (!source) {
      if (head_only) {
        http::response<http::empty_body> msg;
        fill(msg);
        if (resp.status != 204 && resp.status != 304) msg.content_length(resp.body.size());
        http::response_serializer<http::empty_body> sr(msg);
        auto [ec, n] = co_await http::async_write_header(conn.stream, sr, kTuple);
        co_return !ec;
      }
      http::response<http::string_body> msg;
      fill(msg);
      msg.body() = std::move(resp.body);
      // 204 and 304 have no body by definition: no Content-Length at all
      // (a 304's would have to be the representation's, never 0).
      if (resp.status == 204 || resp.status == 304) {
        msg.body().clear();
      } else {
        msg.prepare_payload();
      }
      auto [ec, n] = co_await http::async_write(conn.stream, msg, kTuple);
      co_return !ec;
    }
    http::response<http::buffer_body> msg;
    fill(msg);
    const bool chunked = resp.stream_chunked;
    if (chunked) {
      msg.chunked(true);
    } else {
      msg.content_length(resp.stream_length);
    }
    msg.body().data = nullptr;
    msg.body().more = !head_only;
    http::response_serializer<http::buffer_body> sr(msg);
    auto [hec, hn] = co_await http::async_write_header(conn.stream, sr, kTuple);
    if (hec || head_only) co_return !hec;
    // Chunked: no known length; the source's 0 ends the body.
    uint64_t remaining = chunked ? UINT64_MAX : resp.stream_length;
    if (chunked && first.chunk && first.size == 0) remaining = 0;
    std::shared_ptr<std::vector<uint8_t>> sending = first.chunk;
    size_t pending = first.size;
    auto reading = std::make_shared<std::vector<uint8_t>>(PieceOf(resp));
    if (!sending) sending = std::make_shared<std::vector<uint8_t>>(PieceOf(resp));
    PoolJob<Result<size_t>> reader(co_await net::this_coro::executor);
    auto read_into = [&](std::shared_ptr<std::vector<uint8_t>> chunk) {
      reader.Start(blocking_pool_, [source, chunk, id = request_id] {
        return Guarded(id, "the download source", [&] { return source->Read(*chunk); });
      });
    };
    Transfer transfer;
    auto deadline = ArmDeadline(conn, transfer);
    while (remaining > 0) {
      if (pending == 0) {  // nothing read ahead
        read_into(sending);
        auto r = co_await reader.Wait();
        // Headers are out: a failing source can only cut the connection
        // (a chunked body then lacks its last chunk: the client sees it).
        if (!r.ok() || (*r == 0 && !chunked)) co_return false;
        if (*r == 0) break;
        pending = *r;
      }
      pending = static_cast<size_t>(std::min<uint64_t>(pending, remaining));
      // The next piece is read on the pool while this one is sent.
      if (remaining > pending) read_into(reading);
      msg.body().data = sending->data();
      msg.body().size = pending;
      msg.body().more = true;
      auto [ec, n] = co_await http::async_write(conn.stream, sr, kTuple);
      // Gone, or reading slower than the rule allows. A read in flight
      // finishes on its own; it owns its source and buffer.
      if (ec && ec != http::error::need_buffer) co_return false;
      transfer.moved += pending;
      remaining -= pending;
      pending = 0;
      if (remaining == 0) break;
      auto r = co_await reader.Wait();
      if (!r.ok() || (*r == 0 && !chunked)) co_return false;
      if (*r == 0) break;
      pending = *r;
      std::swap(sending, reading);
    }
    DisarmDeadline(conn);
    msg.body().data = nullptr;
    msg.body().size = 0;
    msg.body().more = false;
    conn.stream.expires_after(options_.io_timeout);
    auto [ec, n] = co_await http::async_write(conn.stream, sr, kTuple);
    co_return !ec;
  }

  static std::vector<std::unique_ptr<net::io_context>> MakeContexts(int threads) {
    std::vector<std::unique_ptr<net::io_context>> contexts;
    for (int i = 0; i < std::max(1, threads); ++i) {
      contexts.push_back(std::make_unique<net::io_context>(1));
      // Asio makes a context's reactor (epoll, eventfd, timerfd) on first
      // use; a timer makes it now, not at the first connection, which may
      // arrive when descriptors have run out and would then abort.
      net::steady_timer warm(*contexts.back());
    }
    return contexts;
  }

  const Router& router_;
  Metrics& metrics_;
  Random& random_;
  NetworkThreads& network_threads_;
  ServerOptions options_;
  std::vector<std::unique_ptr<net::io_context>> contexts_;
  // After the contexts, so they are joined first: a job still running at
  // shutdown finishes while the connection it reports to still exists.
  net::thread_pool blocking_pool_;
  net::thread_pool slow_pool_{2};  // Runs::kSlowPool: password hashing
  size_t next_context_ = 0;        // only touched by the accept loop
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards_;
  tcp::acceptor acceptor_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> active_{0};  // connections being served
  std::atomic<int> rejecting_{0};
  static constexpr int kMaxRejecting = 64;
  size_t max_connections_ = options_.max_connections > 0 ? options_.max_connections
                                                         : DefaultMaxConnections();
  std::mutex mu_;
  std::list<std::weak_ptr<Connection>> connections_;
};

size_t DefaultMaxConnections() {
  rlimit lim{};
  if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == RLIM_INFINITY) return 4096;
  // Keep 64 descriptors for the stores and logs; a connection may hold two.
  uint64_t usable = lim.rlim_cur > 128 ? (lim.rlim_cur - 64) / 2 : 32;
  return static_cast<size_t>(std::max<uint64_t>(usable, 32));
}

HttpServer::HttpServer(const Router& router, Metrics& metrics, Random& random,
                       NetworkThreads& network_threads, ServerOptions options)
    : impl_(std::make_unique<Impl>(router, metrics, random, network_threads, std::move(options))) {}
HttpServer::~HttpServer() = default;
Result<std::string> HttpServer::Listen() { return impl_->Listen(); }
void HttpServer::Run() { impl_->Run(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace lethe
