#include "in_process_server.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace lethe::e2e {

InProcessServer::InProcessServer(PortSeams seams) : seams_(std::move(seams)) {
  char tmpl[] = "/tmp/lethe-e2e-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
    return;
  }
  root_ = tmpl;
  data_ = root_ + "/data";
  if (OnPostgres()) {
    stores_ = StoreDatabases::Create(data_);
    if (!stores_) return;
  }
  Start();
}

InProcessServer::~InProcessServer() {
  Stop();
  const char* keep = std::getenv("LETHE_E2E_KEEP");
  if (root_.empty()) return;
  if (keep != nullptr && *keep != '\0' && *keep != '0') {
    std::fprintf(stderr, "[e2e] kept server dir %s\n", root_.c_str());
  } else {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
}

std::string InProcessServer::base_url() const {
  return server_ ? "http://" + server_->endpoint() : "";
}

bool InProcessServer::Start() {
  ServeConfig config;
  config.handle_signals = false;  // the test process keeps its own signals
  config.listen = "127.0.0.1:0";
  config.data_dir = data_;
  if (stores_) {
    config.metadata_url = stores_->metadata_url();
    config.keys_url = stores_->keys_url();
  }
  config.threads = 2;
  config.media_worker = LETHE_BINARY;  // this test binary has no `worker` command
  auto server = LetheServer::Start(config, clock_, random_, seams_);
  if (!server.ok()) {
    ADD_FAILURE() << "in-process server did not start: " << server.status().ToString();
    return false;
  }
  server_ = std::move(*server);
  runner_ = std::thread([s = server_.get()] { s->Run(); });
  return true;
}

void InProcessServer::Stop() {
  if (!server_) return;
  server_->Stop();
  if (runner_.joinable()) runner_.join();
  server_.reset();
}

bool InProcessServer::Restart() {
  Stop();
  return Start();
}

}  // namespace lethe::e2e
