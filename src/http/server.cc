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

}  // namespace

class HttpServer::Impl {
 public:
  Impl(const Router& router, Metrics& metrics, Random& random, ServerOptions options)
      : router_(router),
        metrics_(metrics),
        random_(random),
        options_(std::move(options)),
        contexts_(MakeContexts(options_.threads)),
        acceptor_(*contexts_[0]),
        signals_(*contexts_[0], SIGTERM, SIGINT) {}

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
    net::co_spawn(*contexts_[0], Accept(), net::detached);
    signals_.async_wait([this](boost::system::error_code ec, int) {
      if (!ec) BeginShutdown();
    });
    // One io_context per thread: a connection lives on one thread, so its
    // coroutine needs no strand and wakes no other thread.
    // Idle contexts must keep running until shutdown: guard them.
    for (auto& ctx : contexts_) guards_.emplace_back(ctx->get_executor());
    std::vector<std::thread> threads;
    for (size_t i = 1; i < contexts_.size(); ++i) {
      threads.emplace_back([ctx = contexts_[i].get()] { ctx->run(); });
    }
    contexts_[0]->run();
    for (auto& t : threads) t.join();
  }

  void Stop() {
    net::post(*contexts_[0], [this] { BeginShutdown(); });
  }

 private:
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

  void BeginShutdown() {
    if (stopping_.exchange(true)) return;
    boost::system::error_code ec;
    acceptor_.close(ec);
    signals_.cancel();
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
    net::co_spawn(*contexts_[0], Drain(), net::detached);
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
                      net::detached);
        continue;
      }
      ++active_;  // counted here, so the cap holds before the coroutine starts
      net::co_spawn(executor, Serve(std::make_shared<Connection>(std::move(socket))),
                    net::detached);
    }
  }

  // Answers one connection over the cap with 503 and Retry-After, then
  // closes it after reading briefly, so the client sees the answer rather
  // than a reset.
  net::awaitable<void> Reject(std::shared_ptr<Connection> conn) {
    Status busy(Status::Code::kUnavailable, "too-many-connections",
                "the server is at its connection limit; retry shortly");
    HttpResponse r = ProblemResponse(busy, RandomId(random_, "req_"));
    r.SetHeader("Retry-After", "1");
    co_await Send(*conn, r, false, false, "");
    boost::system::error_code ignored;
    conn->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    co_await Linger(*conn);
    --rejecting_;
  }

  net::awaitable<void> Serve(std::shared_ptr<Connection> conn) {
    auto registration = connections_.end();
    {
      std::lock_guard lock(mu_);
      registration = connections_.insert(connections_.end(), conn);
    }
    boost::system::error_code ignored;
    conn->stream.socket().set_option(tcp::no_delay(true), ignored);
    std::string remote = conn->stream.socket().remote_endpoint(ignored).address().to_string();
    beast::flat_buffer buffer;
    buffer.reserve(kHeadBuffer);
    while (!stopping_) {
      conn->idle = true;
      conn->stream.expires_after(options_.idle_timeout);
      http::request_parser<http::empty_body> head;
      head.header_limit(options_.header_limit);
      head.body_limit(boost::none);  // each route checks its own limit
      auto [ec, n] = co_await http::async_read_header(conn->stream, buffer, head, kTuple);
      conn->idle = false;
      // Beast checks header_limit per parse step; a head that arrived in one
      // large read can slip past it, so check the consumed size as well.
      if (!ec && n > options_.header_limit) ec = http::error::header_limit;
      if (ec) {
        if (ec == http::error::header_limit) {
          co_await SendError(
              *conn, Status::InvalidArgument("header-too-large", "request headers are too large"));
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
    {
      std::lock_guard lock(mu_);
      connections_.erase(registration);
    }
    --active_;
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
    co_await Send(conn, r, false, false, "");
  }

  // Handles one request whose head is in `head`. Returns whether the
  // connection may carry another request.
  net::awaitable<bool> Exchange(Connection& conn, beast::flat_buffer& buffer,
                                http::request_parser<http::empty_body>& head,
                                const std::string& remote) {
    auto started = std::chrono::steady_clock::now();
    HttpRequest req;
    req.remote_ip = remote;
    req.request_id = RandomId(random_, "req_");
    bool keep_alive = head.get().keep_alive() && !stopping_;
    HttpResponse resp;
    Status framing = CheckFraming(head);
    if (!framing.ok()) {
      // The body's end is unknown: nothing after this head can be trusted.
      resp = ProblemResponse(framing, req.request_id);
      co_await Send(conn, resp, false, false, req.request_id);
      conn.linger = true;
      co_return false;
    }
    Status st = FillRequest(head, req);
    const Route* route = nullptr;
    if (st.ok()) {
      auto matched = router_.Match(req);
      if (matched.ok())
        route = *matched;
      else
        st = matched.status();
    }
    if (!st.ok()) {
      resp = ProblemResponse(st, req.request_id);
      if (resp.status == 405) resp.SetHeader("Allow", router_.AllowedMethods(req.segments));
      if (HasBody(req)) keep_alive = false;  // unread body: the stream is out of step
    } else if (req.content_length && *req.content_length > route->max_body) {
      resp = BodyError(http::error::body_limit, conn, *route, req);
      keep_alive = false;
    } else if (auto* handler = std::get_if<Handler>(&route->handler)) {
      resp = co_await ReadBuffered(conn, buffer, head, req, *route, *handler, keep_alive);
    } else {
      resp = co_await ReadUpload(conn, buffer, head, req, *route,
                                 std::get<UploadHandler>(route->handler), keep_alive);
    }
    bool head_only = req.method == "HEAD";
    std::vector<uint8_t> first = Prefetch(resp, head_only, req.request_id);
    if (resp.status >= 500) keep_alive = false;
    if (!keep_alive && HasBody(req)) conn.linger = true;
    // Accounted before the response leaves, so a client that reads its
    // usage right after sees this request too.
    if (req.on_finished) req.on_finished(resp.status);
    bool sent = co_await Send(conn, resp, keep_alive, head_only, req.request_id, std::move(first));
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.Observe(req.method, req.route, resp.status, secs);
    co_return sent&& keep_alive;
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

  HttpResponse Invoke(const Handler& handler, HttpRequest& req) {
    try {
      return handler(req);
    } catch (const std::exception& e) {
      std::cerr << "lethe: " << req.request_id << " handler threw: " << e.what() << "\n";
      return ProblemResponse(Status::Internal(e.what()), req.request_id);
    }
  }

  net::awaitable<HttpResponse> ReadBuffered(Connection& conn, beast::flat_buffer& buffer,
                                            http::request_parser<http::empty_body>& head,
                                            HttpRequest& req, const Route& route,
                                            const Handler& handler, bool& keep_alive) {
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
    if (!route.slow) co_return Invoke(handler, req);
    // Hop to the pool for the handler, then back to this connection's thread.
    // The completion must be bound to the pool: a plain post(pool, token)
    // runs only an empty step there and resumes the coroutine on its own
    // (network) executor.
    co_await net::post(net::bind_executor(slow_pool_.get_executor(), net::use_awaitable));
    HttpResponse resp = Invoke(handler, req);
    co_await net::post(net::bind_executor(conn.stream.get_executor(), net::use_awaitable));
    co_return resp;
  }

  net::awaitable<HttpResponse> ReadUpload(Connection& conn, beast::flat_buffer& buffer,
                                          http::request_parser<http::empty_body>& head,
                                          HttpRequest& req, const Route& route,
                                          const UploadHandler& handler, bool& keep_alive) {
    UploadStart start;
    try {
      start = handler(req);
    } catch (const std::exception& e) {
      start = ProblemResponse(Status::Internal(e.what()), req.request_id);
    }
    if (auto* early = std::get_if<HttpResponse>(&start)) {
      if (HasBody(req)) keep_alive = false;
      co_return std::move(*early);
    }
    std::unique_ptr<UploadSink> sink = std::move(std::get<std::unique_ptr<UploadSink>>(start));
    co_await MaybeContinue(conn, req);
    http::request_parser<http::buffer_body> parser(std::move(head));
    parser.body_limit(route.max_body);
    // Beast reads at most the buffer's free capacity per syscall: without
    // room, a large body arrives 512 bytes per recvmsg.
    buffer.reserve(kStreamChunk);
    std::vector<uint8_t> chunk(kStreamChunk);
    Transfer transfer;
    auto deadline = ArmDeadline(conn, transfer);
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      // read_some, not read: the rate rule needs to see progress within a
      // chunk, and the sink batches small pieces itself.
      auto [ec, n] = co_await http::async_read_some(conn.stream, buffer, parser, kTuple);
      if (ec == http::error::need_buffer) ec = {};
      if (ec) {
        // The client went away, sent garbage or was too slow: the sink is
        // dropped, so the upload leaves nothing behind.
        keep_alive = false;
        co_return BodyError(ec, conn, route, req);
      }
      size_t got = chunk.size() - parser.get().body().size;
      transfer.moved += got;
      if (got == 0) continue;
      Status st = sink->Write(std::span<const uint8_t>(chunk.data(), got));
      if (!st.ok()) {
        keep_alive = false;
        co_return ProblemResponse(st, req.request_id);
      }
    }
    DisarmDeadline(conn);
    buffer.shrink_to_fit();  // an idle keep-alive connection holds little
    co_return sink->Finish();
  }

  // Reads the first piece of a streamed body before anything is sent, so a
  // source that fails at once (a tampered blob) still gets a proper error
  // response instead of a cut connection. Replaces `resp` on failure.
  std::vector<uint8_t> Prefetch(HttpResponse& resp, bool head_only, const std::string& request_id) {
    std::vector<uint8_t> chunk;
    if (!resp.stream || head_only || resp.stream_length == 0) return chunk;
    chunk.resize(kStreamChunk);
    auto r = resp.stream->Read(chunk);
    if (!r.ok() || *r == 0) {
      resp = ProblemResponse(r.ok() ? Status::Internal("empty stream") : r.status(), request_id);
      return {};
    }
    chunk.resize(*r);
    return chunk;
  }

  // Answers "Expect: 100-continue" once the request is accepted, so clients
  // such as curl send large bodies at once instead of after a 1 s wait.
  net::awaitable<void> MaybeContinue(Connection& conn, const HttpRequest& req) {
    if (!beast::iequals(req.Header("expect"), "100-continue")) co_return;
    http::response<http::empty_body> cont{http::status::continue_, 11};
    conn.stream.expires_after(options_.io_timeout);
    co_await http::async_write(conn.stream, cont, kTuple);
  }

  // Writes `resp`. Returns false if the connection failed mid-way.
  net::awaitable<bool> Send(Connection& conn, HttpResponse& resp, bool keep_alive, bool head_only,
                            const std::string& request_id, std::vector<uint8_t> chunk = {}) {
    conn.stream.expires_after(options_.io_timeout);
    auto fill = [&](auto& msg) {
      msg.result(static_cast<unsigned>(resp.status));
      msg.version(11);
      for (const auto& [name, value] : resp.headers) msg.set(name, value);
      if (!request_id.empty()) msg.set("X-Request-Id", request_id);
      msg.keep_alive(keep_alive);
    };
    if (!resp.stream) {
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
    // Streamed body; Prefetch() already put its first piece in `chunk`.
    size_t first = chunk.size();
    chunk.resize(kStreamChunk);
    http::response<http::buffer_body> msg;
    fill(msg);
    msg.content_length(resp.stream_length);
    msg.body().data = nullptr;
    msg.body().more = !head_only;
    http::response_serializer<http::buffer_body> sr(msg);
    auto [hec, hn] = co_await http::async_write_header(conn.stream, sr, kTuple);
    if (hec || head_only) co_return !hec;
    uint64_t remaining = resp.stream_length;
    size_t pending = first;
    Transfer transfer;
    auto deadline = ArmDeadline(conn, transfer);
    while (remaining > 0) {
      if (pending == 0) {
        auto r = resp.stream->Read(chunk);
        // Headers are out: a failing source can only cut the connection.
        if (!r.ok() || *r == 0) co_return false;
        pending = *r;
      }
      pending = static_cast<size_t>(std::min<uint64_t>(pending, remaining));
      msg.body().data = chunk.data();
      msg.body().size = pending;
      msg.body().more = true;
      auto [ec, n] = co_await http::async_write(conn.stream, sr, kTuple);
      // Gone, or reading slower than the rule allows.
      if (ec && ec != http::error::need_buffer) co_return false;
      transfer.moved += pending;
      remaining -= pending;
      pending = 0;
    }
    DisarmDeadline(conn);
    msg.body().data = nullptr;
    msg.body().size = 0;
    msg.body().more = false;
    conn.stream.expires_after(options_.io_timeout);
    auto [ec, n] = co_await http::async_write(conn.stream, sr, kTuple);
    co_return !ec;
  }

  const Router& router_;
  Metrics& metrics_;
  Random& random_;
  ServerOptions options_;
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

  std::vector<std::unique_ptr<net::io_context>> contexts_;
  net::thread_pool slow_pool_{2};  // for Route::slow handlers
  size_t next_context_ = 0;        // only touched by the accept loop
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards_;
  tcp::acceptor acceptor_;
  net::signal_set signals_;
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
                       ServerOptions options)
    : impl_(std::make_unique<Impl>(router, metrics, random, std::move(options))) {}
HttpServer::~HttpServer() = default;
Result<std::string> HttpServer::Listen() { return impl_->Listen(); }
void HttpServer::Run() { impl_->Run(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace lethe
