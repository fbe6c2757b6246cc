// HttpServer in-process, on loopback, with a plain socket client: which
// thread runs a handler, and what a request that cannot be framed gets.
#include "http/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

namespace lethe {
namespace {

using Clock = std::chrono::steady_clock;

// Sends `raw` and reads until the server closes or `timeout` passes.
std::string Exchange(uint16_t port, const std::string& raw,
                     std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)::send(fd, raw.data(), raw.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

std::string Get(uint16_t port, const std::string& path) {
  return Exchange(port, "GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
}

class ServerTest : public ::testing::Test {
 protected:
  void Start() {
    ServerOptions options;
    options.port = 0;
    options.threads = 1;  // one network thread: anything blocking it shows
    server_ = std::make_unique<HttpServer>(router_, metrics_, random_, options);
    auto bound = server_->Listen();
    ASSERT_TRUE(bound.ok()) << bound.status().ToString();
    port_ = static_cast<uint16_t>(std::stoi(bound->substr(bound->rfind(':') + 1)));
    runner_ = std::thread([this] { server_->Run(); });
  }
  void TearDown() override {
    if (server_) server_->Stop();
    if (runner_.joinable()) runner_.join();
  }

  Router router_;
  Metrics metrics_;
  SystemRandom random_;
  std::unique_ptr<HttpServer> server_;
  std::thread runner_;
  uint16_t port_ = 0;
};

TEST_F(ServerTest, SlowHandlersRunOnThePoolAndLeaveTheNetworkThreadFree) {
  std::atomic<std::thread::id> fast_thread, slow_thread;
  std::promise<void> slow_started;
  router_.Add(
      "GET", "/fast",
      [&](HttpRequest&) {
        fast_thread = std::this_thread::get_id();
        return HttpResponse::Empty(204);
      },
      0);
  router_.AddSlow(
      "POST", "/slow",
      [&](HttpRequest&) {
        slow_thread = std::this_thread::get_id();
        slow_started.set_value();
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // argon2id stands in
        return HttpResponse::Empty(204);
      },
      0);
  Start();
  ASSERT_NE(Get(port_, "/fast").find("204"), std::string::npos);
  auto slow = std::async(std::launch::async, [&] {
    return Exchange(port_,
                    "POST /slow HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n"
                    "Connection: close\r\n\r\n");
  });
  slow_started.get_future().wait();
  auto t0 = Clock::now();
  std::string fast = Get(port_, "/fast");
  auto took = Clock::now() - t0;
  EXPECT_NE(fast.find("204"), std::string::npos) << fast;
  EXPECT_LT(took, std::chrono::milliseconds(500))
      << "a request on the network thread waited for the slow handler";
  EXPECT_NE(slow.get().find("204"), std::string::npos);
  EXPECT_NE(slow_thread.load(), fast_thread.load()) << "the slow handler ran on the network thread";
}

}  // namespace
}  // namespace lethe
