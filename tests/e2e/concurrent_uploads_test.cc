// Many clients uploading at once (issue 13: on PostgreSQL, 2 uploads in
// about 450 got 500 when a metadata transaction failed to serialize 20
// times in a row). 16 clients upload small PNGs at once into one account,
// half of them for end users, with a webhook registered, so the uploads'
// own transactions race the background work they start (posters, usage
// events, webhook deliveries, the audit chain). Runs on SQLite and, as
// pg.ConcurrentUploadTest, on PostgreSQL.
#include <atomic>
#include <thread>

#include "media_support.h"
#include "webhook_receiver.h"

namespace lethe::e2e {
namespace {

constexpr int kClients = 16;
constexpr int kUploadsPerClient = 30;

class ConcurrentUploadTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (HasFailure() && server_) server_->DumpLogs();
  }
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(ConcurrentUploadTest, SixteenClientsUploadingAtOnceAllGet201) {
  server_ = std::make_unique<ServerProcess>();
  ASSERT_TRUE(server_->ok());
  HttpClient admin(server_->base_url());
  Tenant tenant = NewTenant(admin, "crowd");
  WebhookReceiver receiver;
  Response hook = admin.Post("/v1/accounts/" + tenant.account.id + "/webhooks",
                             boost::json::value(boost::json::object{{"url", receiver.url()},
                                                                    {"events", {"media.created"}}}),
                             BearerAuth(tenant.session));
  ASSERT_EQ(hook.status, 201) << hook.Describe();

  std::atomic<int> created{0};
  std::mutex mu;
  std::vector<std::string> refused;  // "status: body" of each upload not created
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      HttpClient client(server_->base_url());
      for (int i = 0; i < kUploadsPerClient; ++i) {
        const std::string query = c % 2 ? "end_user=eu-" + std::to_string(c) : "";
        Response r = UploadBytes(client, tenant.token(), SamplePng(), "image/png", query);
        if (r.status == 201) {
          ++created;
        } else {
          std::lock_guard lock(mu);
          refused.push_back(std::to_string(r.status) + ": " + r.body.substr(0, 300));
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  const int total = kClients * kUploadsPerClient;
  EXPECT_EQ(created.load(), total);
  for (const std::string& r : refused) ADD_FAILURE() << "upload refused: " << r;
  // The background work the uploads started completes too: one delivery each.
  EXPECT_TRUE(WaitFor([&] { return receiver.count() >= static_cast<size_t>(created.load()); },
                      std::chrono::seconds(120)))
      << receiver.count() << " deliveries of " << created.load();
}

}  // namespace
}  // namespace lethe::e2e
