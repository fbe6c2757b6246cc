// HttpServer in-process, on loopback, with a plain socket client: which
// threads run handlers, sinks and sources; that a blocked handler or sink
// leaves the network thread free; how errors and exceptions end an
// exchange; and that shutdown never waits for a failed one.
#include "http/server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <stdexcept>
#include <thread>

#include "http/loopback_client.h"

namespace lethe {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// A deterministic byte for offset `i` of a test body.
uint8_t PatternByte(uint64_t i) { return static_cast<uint8_t>((i * 131 + i / 4099) & 0xff); }

std::string PatternBytes(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(PatternByte(i));
  return s;
}

// Counts calls made on and off the network threads.
struct ThreadTally {
  std::atomic<int> on_network{0};
  std::atomic<int> off_network{0};
  void Note(const NetworkThreads& threads) { ++(threads.Current() ? on_network : off_network); }
};

// Serves `length` pattern bytes, `piece` at a time.
class PatternSource final : public BodySource {
 public:
  PatternSource(uint64_t length, size_t piece, NetworkThreads& threads, ThreadTally& tally)
      : length_(length), piece_(piece), threads_(threads), tally_(tally) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    tally_.Note(threads_);
    size_t n = static_cast<size_t>(std::min<uint64_t>({out.size(), piece_, length_ - pos_}));
    for (size_t i = 0; i < n; ++i) out[i] = PatternByte(pos_ + i);
    pos_ += n;
    return n;
  }

 private:
  uint64_t length_;
  size_t piece_;
  uint64_t pos_ = 0;
  NetworkThreads& threads_;
  ThreadTally& tally_;
};

// Checks that the body arrives whole and in order.
class PatternSink final : public UploadSink {
 public:
  PatternSink(NetworkThreads& threads, ThreadTally& tally, milliseconds write_delay = {})
      : threads_(threads), tally_(tally), write_delay_(write_delay) {}
  Status Write(std::span<const uint8_t> bytes) override {
    tally_.Note(threads_);
    std::this_thread::sleep_for(write_delay_);
    for (uint8_t b : bytes) {
      if (b != PatternByte(received_++)) return Status::InvalidArgument("bad-body", "out of order");
    }
    return Status::Ok();
  }
  Result<HttpResponse> Finish() override {
    tally_.Note(threads_);
    return HttpResponse::Json(201, boost::json::object{{"bytes", received_}});
  }

 private:
  NetworkThreads& threads_;
  ThreadTally& tally_;
  milliseconds write_delay_;
  uint64_t received_ = 0;
};

class ServerTest : public ::testing::Test {
 protected:
  void Start(int threads = 1) {
    ServerOptions options;
    options.port = 0;
    options.threads = threads;  // one network thread: anything blocking it shows
    options.drain_timeout = std::chrono::seconds(10);
    server_ = std::make_unique<HttpServer>(router_, metrics_, random_, network_threads_, options);
    auto bound = server_->Listen();
    ASSERT_TRUE(bound.ok()) << bound.status().ToString();
    port_ = static_cast<uint16_t>(std::stoi(bound->substr(bound->rfind(':') + 1)));
    runner_ = std::thread([this] { server_->Run(); });
  }
  // Stops the server; returns how long Run() took to return.
  Clock::duration StopServer() {
    auto t0 = Clock::now();
    server_->Stop();
    runner_.join();
    return Clock::now() - t0;
  }
  void TearDown() override {
    if (runner_.joinable()) StopServer();
  }

  // A route that answers 204 at once, on the blocking pool.
  void AddFast() {
    router_.Add("GET", "/fast", Auth::kNone, 0,
                [](HttpRequest&, const Caller&) -> Result<HttpResponse> {
                  return HttpResponse::Empty(204);
                });
    router_.AddInline("GET", "/healthz", [](HttpRequest&, const Caller&) -> Result<HttpResponse> {
      return HttpResponse::Empty(204);
    });
  }
  // The fastest of three GETs of `path`, each of which must succeed.
  Clock::duration BestOfThree(const std::string& path) {
    Clock::duration best = Clock::duration::max();
    for (int i = 0; i < 3; ++i) {
      auto t0 = Clock::now();
      LoopbackResponse r = LoopbackRequest(port_, "GET", path);
      auto took = Clock::now() - t0;
      EXPECT_EQ(r.status, 204) << path << ": " << r.raw;
      EXPECT_LT(took, milliseconds(500)) << path << " waited for a blocked call";
      best = std::min(best, took);
    }
    return best;
  }

  Router router_;
  Metrics metrics_;
  SystemRandom random_;
  NetworkThreads network_threads_;
  std::unique_ptr<HttpServer> server_;
  std::thread runner_;
  uint16_t port_ = 0;
};

TEST_F(ServerTest, HandlersSinksAndSourcesNeverRunOnANetworkThread) {
  ThreadTally handlers, sinks, sources, inline_handlers;
  constexpr uint64_t kDownload = 3 * 1024 * 1024 + 17;  // several pieces
  constexpr size_t kUpload = 2 * 1024 * 1024 + 5;
  router_.AddInline("GET", "/inline", [&](HttpRequest&, const Caller&) -> Result<HttpResponse> {
    inline_handlers.Note(network_threads_);
    return HttpResponse::Empty(204);
  });
  router_.Add("GET", "/handler", Auth::kNone, 0,
              [&](HttpRequest&, const Caller&) -> Result<HttpResponse> {
                handlers.Note(network_threads_);
                return HttpResponse::Empty(204);
              });
  router_.AddSlow("POST", "/slow", Auth::kNone, 0,
                  [&](HttpRequest&, const Caller&) -> Result<HttpResponse> {
                    handlers.Note(network_threads_);
                    return HttpResponse::Empty(204);
                  });
  router_.AddUpload("POST", "/upload", Auth::kNone, 8 << 20,
                    [&](HttpRequest&, const Caller&) -> Result<std::unique_ptr<UploadSink>> {
                      handlers.Note(network_threads_);
                      return std::unique_ptr<UploadSink>(new PatternSink(network_threads_, sinks));
                    });
  router_.Add(
      "GET", "/download", Auth::kNone, 0, [&](HttpRequest&, const Caller&) -> Result<HttpResponse> {
        handlers.Note(network_threads_);
        HttpResponse r;
        r.stream =
            std::make_unique<PatternSource>(kDownload, 100 * 1024, network_threads_, sources);
        r.stream_length = kDownload;
        return r;
      });
  Start();
  EXPECT_FALSE(network_threads_.Current()) << "the test thread is no network thread";

  EXPECT_EQ(LoopbackRequest(port_, "GET", "/inline").status, 204);
  EXPECT_EQ(LoopbackRequest(port_, "GET", "/handler").status, 204);
  EXPECT_EQ(LoopbackRequest(port_, "POST", "/slow").status, 204);
  LoopbackResponse up = LoopbackRequest(port_, "POST", "/upload", {}, PatternBytes(kUpload));
  EXPECT_EQ(up.status, 201) << up.raw.substr(0, 300);
  EXPECT_EQ(up.body, "{\"bytes\":" + std::to_string(kUpload) + "}");
  LoopbackResponse down = LoopbackRequest(port_, "GET", "/download");
  EXPECT_EQ(down.status, 200);
  EXPECT_EQ(down.body, PatternBytes(kDownload)) << "the download arrived damaged or reordered";

  EXPECT_EQ(inline_handlers.on_network, 1) << "inline routes run on the network thread";
  EXPECT_EQ(handlers.on_network, 0);
  EXPECT_EQ(handlers.off_network, 4);
  EXPECT_EQ(sinks.on_network, 0);
  EXPECT_GE(sinks.off_network, 2) << "writes and Finish";
  EXPECT_EQ(sources.on_network, 0);
  EXPECT_GE(sources.off_network, 31) << "every piece of the download, prefetch included";
}

TEST_F(ServerTest, FastRoutesAnswerWhileAHandlerAndAnUploadSinkBlock) {
  AddFast();
  std::promise<void> handler_blocked, sink_blocked;
  router_.Add("GET", "/block", Auth::kNone, 0,
              [&](HttpRequest&, const Caller&) -> Result<HttpResponse> {
                handler_blocked.set_value();
                std::this_thread::sleep_for(std::chrono::seconds(1));
                return HttpResponse::Empty(204);
              });
  // A sink whose first write blocks for a second, as a stalled disk would.
  class BlockingSink final : public UploadSink {
   public:
    explicit BlockingSink(std::promise<void>& blocked) : blocked_(blocked) {}
    Status Write(std::span<const uint8_t> bytes) override {
      if (!announced_) {
        announced_ = true;
        blocked_.set_value();
        std::this_thread::sleep_for(std::chrono::seconds(1));
      }
      return Status::Ok();
    }
    Result<HttpResponse> Finish() override { return HttpResponse::Empty(201); }

   private:
    std::promise<void>& blocked_;
    bool announced_ = false;
  };
  router_.AddUpload("POST", "/upload", Auth::kNone, 1 << 20,
                    [&](HttpRequest&, const Caller&) -> Result<std::unique_ptr<UploadSink>> {
                      return std::unique_ptr<UploadSink>(new BlockingSink(sink_blocked));
                    });
  Start(/*threads=*/1);
  auto blocked_get =
      std::async(std::launch::async, [&] { return LoopbackRequest(port_, "GET", "/block"); });
  auto blocked_upload = std::async(std::launch::async, [&] {
    return LoopbackRequest(port_, "POST", "/upload", {}, std::string(300 * 1024, 'x'));
  });
  ASSERT_EQ(handler_blocked.get_future().wait_for(std::chrono::seconds(5)),
            std::future_status::ready);
  ASSERT_EQ(sink_blocked.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto pool_route = BestOfThree("/fast");
  auto inline_route = BestOfThree("/healthz");
  EXPECT_LT(pool_route, milliseconds(50)) << "a route on the pool, one network thread";
  EXPECT_LT(inline_route, milliseconds(50)) << "an inline route, one network thread";
  EXPECT_EQ(blocked_get.get().status, 204);
  EXPECT_EQ(blocked_upload.get().status, 201);
}

TEST_F(ServerTest, PasswordHashingCannotStarveTheBlockingPool) {
  AddFast();
  std::atomic<int> running{0};
  router_.AddSlow("POST", "/slow", Auth::kNone, 0,
                  [&](HttpRequest&, const Caller&) -> Result<HttpResponse> {
                    ++running;
                    std::this_thread::sleep_for(milliseconds(700));  // argon2id stands in
                    --running;
                    return HttpResponse::Empty(204);
                  });
  Start();
  std::vector<std::future<LoopbackResponse>> slow;
  for (int i = 0; i < 4; ++i) {  // more than the slow pool has threads
    slow.push_back(
        std::async(std::launch::async, [&] { return LoopbackRequest(port_, "POST", "/slow"); }));
  }
  auto until = Clock::now() + std::chrono::seconds(5);
  while (running < 2 && Clock::now() < until) std::this_thread::sleep_for(milliseconds(5));
  ASSERT_GE(running.load(), 2);
  EXPECT_LT(BestOfThree("/fast"), milliseconds(50));
  EXPECT_LE(running.load(), 2) << "the slow pool grew";
  for (auto& f : slow) EXPECT_EQ(f.get().status, 204);
}

TEST_F(ServerTest, ErrorsBecomeProblemsTaggedWithTheRequestId) {
  router_.Add("GET", "/missing", Auth::kNone, 0,
              [](HttpRequest& req, const Caller&) -> Result<HttpResponse> {
                req.problem_headers.emplace_back("Content-Range", "bytes */10");
                return Status::RangeNotSatisfiable("nothing there");
              });
  router_.Add(
      "GET", "/wrong-caller", Auth::kNone, 0,
      [](HttpRequest&, const Caller& c) -> Result<HttpResponse> {
        return HttpResponse::Json(200, boost::json::object{{"id", c.principal().account.id}});
      });
  Start();
  LoopbackResponse r = LoopbackRequest(port_, "GET", "/missing");
  EXPECT_EQ(r.status, 416);
  EXPECT_EQ(r.Header("content-type"), "application/problem+json");
  EXPECT_EQ(r.Header("content-range"), "bytes */10");
  std::string id = r.Header("x-request-id");
  ASSERT_EQ(id.rfind("req_", 0), 0u) << r.raw;
  EXPECT_NE(r.body.find("\"instance\":\"" + id + "\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("range-not-satisfiable"), std::string::npos) << r.body;

  LoopbackResponse wrong = LoopbackRequest(port_, "DELETE", "/missing");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.Header("allow"), "GET, HEAD");
  EXPECT_NE(wrong.body.find("method-not-allowed"), std::string::npos);

  std::string huge = "GET /missing HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(20000, 'a') +
                     "\r\nConnection: close\r\n\r\n";
  LoopbackResponse big = ParseLoopbackResponse(LoopbackExchange(port_, huge));
  EXPECT_EQ(big.status, 431);
  EXPECT_NE(big.body.find("header-too-large"), std::string::npos);

  // A handler asking for a caller its route does not declare: a wiring bug.
  EXPECT_EQ(LoopbackRequest(port_, "GET", "/wrong-caller").status, 500);
}

TEST_F(ServerTest, ExceptionsAreLoggedCloseTheConnectionAndNeverStallShutdown) {
  class ThrowingSink final : public UploadSink {
   public:
    Status Write(std::span<const uint8_t>) override { throw std::runtime_error("disk on fire"); }
    Result<HttpResponse> Finish() override { return HttpResponse::Empty(201); }
  };
  router_.AddUpload("POST", "/upload", Auth::kNone, 1 << 20,
                    [](HttpRequest&, const Caller&) -> Result<std::unique_ptr<UploadSink>> {
                      return std::unique_ptr<UploadSink>(new ThrowingSink);
                    });
  router_.Add("GET", "/throws", Auth::kNone, 0,
              [](HttpRequest&, const Caller&) -> Result<HttpResponse> {
                throw std::runtime_error("handler on fire");
              });
  // A source that fails once its headers are out: only a cut is left.
  class ThrowingSource final : public BodySource {
   public:
    Result<size_t> Read(std::span<uint8_t> out) override {
      if (reads_++ > 0) throw std::runtime_error("source on fire");
      return std::min<size_t>(out.size(), 1000);
    }

   private:
    int reads_ = 0;
  };
  router_.Add("GET", "/cut", Auth::kNone, 0,
              [](HttpRequest&, const Caller&) -> Result<HttpResponse> {
                HttpResponse r;
                r.stream = std::make_unique<ThrowingSource>();
                r.stream_length = 1 << 20;
                return r;
              });
  Start();
  testing::internal::CaptureStderr();
  // Keep-alive asked for, yet each connection must close after its failure.
  std::string upload = "POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\n" +
                       std::string(100000, 'x');
  LoopbackResponse sink = ParseLoopbackResponse(LoopbackExchange(port_, upload));
  LoopbackResponse handler =
      ParseLoopbackResponse(LoopbackExchange(port_, "GET /throws HTTP/1.1\r\nHost: t\r\n\r\n"));
  std::string cut = LoopbackExchange(port_, "GET /cut HTTP/1.1\r\nHost: t\r\n\r\n");
  auto stop_took = StopServer();
  std::string log = testing::internal::GetCapturedStderr();

  EXPECT_EQ(sink.status, 500) << sink.raw.substr(0, 300);
  EXPECT_EQ(sink.Header("connection"), "close");
  EXPECT_NE(log.find(sink.Header("x-request-id") + " the upload sink threw: disk on fire"),
            std::string::npos)
      << log;
  EXPECT_EQ(handler.status, 500);
  EXPECT_EQ(handler.Header("connection"), "close");
  EXPECT_NE(log.find(handler.Header("x-request-id") + " the handler threw: handler on fire"),
            std::string::npos)
      << log;
  LoopbackResponse cut_response = ParseLoopbackResponse(cut);
  EXPECT_EQ(cut_response.status, 200);
  EXPECT_LT(cut_response.body.size(), size_t{1} << 20) << "the cut body looked complete";
  EXPECT_NE(log.find(cut_response.Header("x-request-id") + " the download source threw"),
            std::string::npos)
      << log;
  EXPECT_LT(stop_took, std::chrono::seconds(2)) << "shutdown waited for a failed exchange";
}

TEST_F(ServerTest, AStreamOfUnknownLengthGoesOutChunked) {
  ThreadTally sources;
  constexpr uint64_t kLength = 1024 * 1024 + 333;  // several pieces, an odd end
  auto add = [&](const std::string& path, uint64_t length) {
    router_.Add("GET", path, Auth::kNone, 0, [&, length](HttpRequest&, const Caller&) {
      HttpResponse r;
      r.stream = std::make_unique<PatternSource>(length, 70 * 1024, network_threads_, sources);
      r.stream_chunked = true;
      return Result<HttpResponse>(std::move(r));
    });
  };
  add("/unknown", kLength);
  add("/empty", 0);
  class FailingSource final : public BodySource {
   public:
    Result<size_t> Read(std::span<uint8_t> out) override {
      if (reads_++ > 1) return Status::DataLoss("chunk 3 does not authenticate");
      std::fill(out.begin(), out.begin() + 1000, uint8_t{'z'});
      return size_t{1000};
    }

   private:
    int reads_ = 0;
  };
  router_.Add("GET", "/fails", Auth::kNone, 0, [](HttpRequest&, const Caller&) {
    HttpResponse r;
    r.stream = std::make_unique<FailingSource>();
    r.stream_chunked = true;
    return Result<HttpResponse>(std::move(r));
  });
  Start();
  testing::internal::CaptureStderr();
  LoopbackResponse whole = LoopbackRequest(port_, "GET", "/unknown");
  LoopbackResponse empty = LoopbackRequest(port_, "GET", "/empty");
  LoopbackResponse head = LoopbackRequest(port_, "HEAD", "/unknown");
  LoopbackResponse failed = LoopbackRequest(port_, "GET", "/fails");
  (void)testing::internal::GetCapturedStderr();

  ASSERT_EQ(whole.status, 200) << whole.raw.substr(0, 300);
  EXPECT_EQ(whole.Header("transfer-encoding"), "chunked");
  EXPECT_EQ(whole.Header("content-length"), "");
  bool complete = false;
  EXPECT_EQ(LoopbackDechunk(whole.body, complete), PatternBytes(kLength));
  EXPECT_TRUE(complete) << "the last chunk is missing";
  EXPECT_EQ(sources.on_network, 0);

  EXPECT_EQ(empty.status, 200);
  EXPECT_EQ(empty.body, "0\r\n\r\n");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "") << "HEAD sends no chunks";

  // Headers were out when the source failed: the body stops without its
  // last chunk, so the client can tell it is incomplete.
  EXPECT_EQ(failed.status, 200);
  EXPECT_EQ(LoopbackDechunk(failed.body, complete), std::string(2000, 'z'));
  EXPECT_FALSE(complete) << "a failed stream must not look complete";
}

TEST_F(ServerTest, StopReturnsPromptlyWithAnUploadInFlightAndIdleConnections) {
  std::promise<void> writing;
  class SlowSink final : public UploadSink {
   public:
    explicit SlowSink(std::promise<void>& writing) : writing_(writing) {}
    Status Write(std::span<const uint8_t>) override {
      if (!told_) {
        told_ = true;
        writing_.set_value();
      }
      std::this_thread::sleep_for(milliseconds(200));
      return Status::Ok();
    }
    Result<HttpResponse> Finish() override { return HttpResponse::Empty(201); }

   private:
    std::promise<void>& writing_;
    bool told_ = false;
  };
  router_.AddUpload("POST", "/upload", Auth::kNone, 1 << 20,
                    [&](HttpRequest&, const Caller&) -> Result<std::unique_ptr<UploadSink>> {
                      return std::unique_ptr<UploadSink>(new SlowSink(writing));
                    });
  Start();
  auto upload = std::async(std::launch::async, [&] {
    return LoopbackRequest(port_, "POST", "/upload", {}, std::string(200 * 1024, 'x'));
  });
  ASSERT_EQ(writing.get_future().wait_for(std::chrono::seconds(5)), std::future_status::ready);
  auto stop_took = StopServer();
  EXPECT_EQ(upload.get().status, 201) << "the request in flight was finished";
  EXPECT_LT(stop_took, std::chrono::seconds(3));
}

}  // namespace
}  // namespace lethe
