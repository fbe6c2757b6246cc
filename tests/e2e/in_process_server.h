// InProcessServer: a real LetheServer running inside the test process, on
// loopback, so a test can put seams around its ports (PortSeams: the
// fault-injecting wrappers of src/testing/) and still talk to it over real
// HTTP with HttpClient. Everything else is as in `lethe serve`: real SQLite
// files (or, on PostgreSQL, databases of its own: store_backend.h), the
// real blob directory, the system clock.
//
// It owns a fresh temporary root like ServerProcess (<root>/data), removed
// in the destructor unless LETHE_E2E_KEEP is set.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "app/lethe_server.h"
#include "harness.h"

namespace lethe::e2e {

class InProcessServer {
 public:
  // Starts serving on 127.0.0.1:<free port>. On failure the test gets an
  // ADD_FAILURE with the reason and ok() is false.
  explicit InProcessServer(PortSeams seams = {});
  ~InProcessServer();
  InProcessServer(const InProcessServer&) = delete;
  InProcessServer& operator=(const InProcessServer&) = delete;

  bool ok() const { return server_ != nullptr; }
  std::string base_url() const;
  const std::string& data_dir() const { return data_; }
  std::string media_dir() const { return data_ + "/media"; }

  // Stops serving (in-flight requests drain), closes every store and
  // releases the data directory, so `lethe audit verify` can open it.
  void Stop();
  // Starts again on the same data directory with the same seams (so new
  // wrappers are made, with fresh counts). Recovery runs as at any start.
  // Returns ok().
  bool Restart();

 private:
  bool Start();

  PortSeams seams_;
  std::string root_;
  std::string data_;
  std::unique_ptr<StoreDatabases> stores_;  // nullptr on SQLite
  SystemClock clock_;
  SystemRandom random_;
  std::unique_ptr<LetheServer> server_;
  std::thread runner_;
};

}  // namespace lethe::e2e
