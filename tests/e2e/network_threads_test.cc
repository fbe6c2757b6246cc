// Issue 7: nothing blocks the network threads. A real server runs in this
// process with every port wrapped (ThreadCheckedPorts): a port call made on
// one of the server's network threads is refused and recorded. The test
// walks the whole API, control plane and data plane, uploads, downloads,
// links and deletes, and expects every port call to have run elsewhere.
#include <gtest/gtest.h>

#include <cstdio>

#include "harness.h"
#include "in_process_server.h"
#include "media_support.h"
#include "testing/thread_checked_ports.h"

namespace lethe::e2e {
namespace {

TEST(NetworkThreadsTest, NoPortIsEverCalledOnANetworkThread) {
  ThreadCheckedPorts checked;
  InProcessServer server(checked.Seams());
  ASSERT_TRUE(server.ok());
  HttpClient client(server.base_url());
  std::string email = Unique("threads") + "@example.com";
  std::string session = SignUp(client, email);
  ASSERT_FALSE(session.empty());
  ASSERT_EQ(client
                .Post("/v1/sessions", boost::json::value(boost::json::object{
                                          {"email", email}, {"password", kPassword}}))
                .status,
            201);
  ASSERT_EQ(client.Get("/v1/me", BearerAuth(session)).status, 200);
  AccountInfo a = CreateAccount(client, session, "Threads", "eu");
  KeyInfo key = CreateKey(client, session, a.id);
  ASSERT_FALSE(key.key_id.empty());
  EXPECT_EQ(client.Get("/v1/accounts/" + a.id + "/keys", BearerAuth(session)).status, 200);
  EXPECT_EQ(client.Get("/v1/accounts/" + a.id + "/audit", BearerAuth(session)).status, 200);
  Headers data = BearerAuth(a.api_token);
  Response up = UploadBytes(client, a.api_token, SamplePng(), "image/png", "end_user=u1");
  ASSERT_EQ(up.status, 201) << up.Describe();
  std::string id = Str(up.Json(), "id");
  EXPECT_EQ(client.Get("/v1/media", data).status, 200);
  EXPECT_EQ(client.Get("/v1/media/" + id, data).status, 200);
  EXPECT_EQ(client.Get("/v1/media/" + id + "/content", data).status, 200);
  EXPECT_EQ(client
                .Get("/v1/media/" + id + "/content",
                     {{"Authorization", BearerHeader(a.api_token)}, {"Range", "bytes=0-9"}})
                .status,
            206);
  Response link = client.Post("/v1/media/" + id + "/links", "", data);
  ASSERT_EQ(link.status, 201) << link.Describe();
  HttpClient anon(server.base_url());
  EXPECT_EQ(anon.Get(Str(link.Json(), "url")).status, 200);
  EXPECT_EQ(client.Patch("/v1/media/" + id, boost::json::object{{"title", "renamed"}}, data).status,
            200);
  EXPECT_EQ(client.Get("/v1/usage", data).status, 200);
  EXPECT_EQ(client.Delete("/v1/media/" + id, data).status, 202);
  EXPECT_EQ(
      client.Delete("/v1/accounts/" + a.id + "/keys/" + key.key_id, BearerAuth(session)).status,
      204);
  EXPECT_EQ(client.Post("/v1/accounts/" + a.id + "/token", "", BearerAuth(session)).status, 200);
  EXPECT_EQ(client.Delete("/v1/sessions/current", BearerAuth(session)).status / 100, 2);
  EXPECT_EQ(client.Get("/healthz").status, 200);
  EXPECT_EQ(client.Get("/metrics").status, 200);
  server.Stop();
  std::fprintf(stderr, "[figures] %d port calls checked, %zu on a network thread\n",
               checked.calls(), checked.violations().size());
  EXPECT_GT(checked.calls(), 50) << "the wrappers saw too few calls to prove anything";
  std::vector<std::string> violations = checked.violations();
  EXPECT_TRUE(violations.empty()) << violations.size() << " port calls on a network thread, "
                                  << "the first: " << violations.front();
}

}  // namespace
}  // namespace lethe::e2e
