// WebhookReceiver: a customer's webhook endpoint for the e2e tests, a
// small HTTP/1.1 server on 127.0.0.1 (plain POSIX sockets, one thread, one
// request per connection). It answers each request with the next status of
// a script (the last one repeats) and keeps what it received.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lethe::e2e {

struct ReceivedRequest {
  std::string method;
  std::string path;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

class WebhookReceiver {
 public:
  // Listens on an ephemeral loopback port; answers with `statuses` in turn.
  explicit WebhookReceiver(std::vector<int> statuses = {200});
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<ReceivedRequest> received() const;
  size_t count() const;

 private:
  void Serve();
  void Handle(int fd);

  int listen_fd_ = -1;
  int port_ = 0;
  std::vector<int> statuses_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<ReceivedRequest> received_;
  std::thread thread_;
};

}  // namespace lethe::e2e
