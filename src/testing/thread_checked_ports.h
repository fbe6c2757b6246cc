// ThreadCheckedPorts: proves that no port is called on a network thread.
// Wraps a server's metadata store, blob store (with its writers and
// readers) and key store, through PortSeams, so that a call made on a
// network thread is refused with Internal("port-on-network-thread") and
// recorded. A test drives a real server through its whole API and then
// expects no violations: a handler that forgot to leave the network thread
// fails it, by name.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "app/lethe_server.h"
#include "common/network_threads.h"
#include "testing/faulty_blob_store.h"
#include "testing/faulty_key_store.h"
#include "testing/interposed_metadata_store.h"

namespace lethe {

class ThreadCheckedPorts {
 public:
  // Seams that wrap every port; `threads` must be the server's own.
  PortSeams Seams() {
    PortSeams seams;
    seams.wrap_metadata = [this](std::unique_ptr<MetadataStore> store) {
      return std::unique_ptr<MetadataStore>(std::make_unique<InterposedMetadataStore>(
          std::move(store), [this](const char* op) { return Check(op); }));
    };
    seams.wrap_blobs = [this](std::unique_ptr<BlobStore> blobs) {
      auto checked = std::make_unique<FaultyBlobStore>(std::move(blobs));
      checked->SetGate([this] { return Check("blob store"); });
      return std::unique_ptr<BlobStore>(std::move(checked));
    };
    seams.wrap_keys = [this](std::unique_ptr<KeyStore> keys) {
      auto checked = std::make_unique<FaultyKeyStore>(std::move(keys));
      checked->SetGate([this] { return Check("key store"); });
      return std::unique_ptr<KeyStore>(std::move(checked));
    };
    seams.network_threads = [this](const NetworkThreads& threads) { threads_ = &threads; };
    return seams;
  }

  // The port operations called on a network thread so far.
  std::vector<std::string> violations() const {
    std::lock_guard lock(mu_);
    return violations_;
  }
  // Port calls seen so far (to show the check ran at all).
  int calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }

 private:
  Status Check(const char* op) {
    std::lock_guard lock(mu_);
    ++calls_;
    if (threads_ == nullptr || !threads_->Current()) return Status::Ok();
    violations_.push_back(op);
    return Status(Status::Code::kInternal, "port-on-network-thread",
                  std::string(op) + " was called on a network thread");
  }

  mutable std::mutex mu_;
  const NetworkThreads* threads_ = nullptr;
  std::vector<std::string> violations_;
  int calls_ = 0;
};

}  // namespace lethe
