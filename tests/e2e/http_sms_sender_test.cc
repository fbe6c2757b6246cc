// HttpSmsSender (ACC-4) against real HTTP on loopback: a receiver that
// answers with a script of statuses, a port nobody listens on, and a
// listener that never answers (the timeout).
#include "adapters/sms/http_sms_sender.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>

#include "harness.h"
#include "webhook_receiver.h"

namespace lethe::e2e {
namespace {

const SmsMessage kText{"sms_test1", "+14155550123", "Your Lethe code is 123456."};

std::unique_ptr<HttpSmsSender> Sender(const std::string& url,
                                      std::chrono::milliseconds total = std::chrono::seconds(10)) {
  HttpSmsOptions options;
  options.url = url;
  options.token = "tok-3b9d";
  options.total_timeout = total;
  auto made = HttpSmsSender::Create(options);
  EXPECT_TRUE(made.ok()) << made.status().ToString();
  return made.ok() ? std::move(*made) : nullptr;
}

TEST(HttpSmsSenderTest, PostsJsonWithTheBearerTokenAndMapsEveryStatus_ACC4) {
  WebhookReceiver provider({201, 500, 429, 400, 401});
  auto sender = Sender(provider.url("/send"));
  ASSERT_NE(sender, nullptr);
  EXPECT_TRUE(sender->Send(kText).ok());
  ASSERT_EQ(provider.count(), 1u);
  ReceivedRequest got = provider.received()[0];
  EXPECT_EQ(got.method, "POST");
  EXPECT_EQ(got.path, "/send");
  EXPECT_EQ(got.headers["authorization"], "Bearer tok-3b9d");
  EXPECT_EQ(got.headers["content-type"], "application/json");
  EXPECT_EQ(boost::json::parse(got.body),
            boost::json::parse(R"({"to":"+14155550123","body":"Your Lethe code is 123456."})"));

  EXPECT_EQ(sender->Send(kText).code(), Status::Code::kUnavailable) << "500";
  EXPECT_EQ(sender->Send(kText).code(), Status::Code::kUnavailable) << "429";
  Status refused = sender->Send(kText);
  EXPECT_EQ(refused.code(), Status::Code::kFailedPrecondition) << "400";
  EXPECT_EQ(refused.reason(), "sms-refused");
  EXPECT_EQ(sender->Send(kText).code(), Status::Code::kFailedPrecondition) << "401";
  for (const Status& st : {refused}) {
    EXPECT_EQ(st.message().find("123456"), std::string::npos) << "no code in a Status";
    EXPECT_EQ(st.message().find("tok-3b9d"), std::string::npos) << "no token in a Status";
  }
  // A malformed message is not sent at all.
  EXPECT_EQ(sender->Send(SmsMessage{"sms_x", "4155550123", "x"}).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(provider.count(), 5u);
}

TEST(HttpSmsSenderTest, NoAnswerIsUnavailableWithinTheTimeout_ACC4) {
  // A port that was free a moment ago: connection refused.
  int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(probe, reinterpret_cast<sockaddr*>(&addr), &len);
  const int port = ntohs(addr.sin_port);
  ::close(probe);
  auto refused = Sender("http://127.0.0.1:" + std::to_string(port) + "/send");
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->Send(kText).code(), Status::Code::kUnavailable);

  // A listener that accepts nothing and answers nothing: the timeout ends it.
  int silent = ::socket(AF_INET, SOCK_STREAM, 0);
  addr.sin_port = 0;
  ASSERT_EQ(::bind(silent, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(silent, 4), 0);
  len = sizeof addr;
  ::getsockname(silent, reinterpret_cast<sockaddr*>(&addr), &len);
  auto slow = Sender("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/send",
                     std::chrono::milliseconds(500));
  ASSERT_NE(slow, nullptr);
  auto start = std::chrono::steady_clock::now();
  Status st = slow->Send(kText);
  auto took = std::chrono::steady_clock::now() - start;
  ::close(silent);
  EXPECT_EQ(st.code(), Status::Code::kUnavailable);
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST(HttpSmsSenderTest, RefusesABadUrlOrToken_ACC4) {
  HttpSmsOptions options;
  options.url = "ftp://sms.example/send";
  options.token = "tok";
  EXPECT_EQ(HttpSmsSender::Create(options).status().reason(), "sms-bad-url");
  options.url = "https://user:pw@sms.example/send";
  EXPECT_EQ(HttpSmsSender::Create(options).status().reason(), "sms-bad-url");
  options.url = "https://sms.example/send";
  options.token = "two words";
  EXPECT_EQ(HttpSmsSender::Create(options).status().reason(), "sms-bad-token");
  options.token = "";
  EXPECT_EQ(HttpSmsSender::Create(options).status().reason(), "sms-bad-token");
}

}  // namespace
}  // namespace lethe::e2e
