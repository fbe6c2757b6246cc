#include "common/network_threads.h"

#include <algorithm>

namespace lethe {

NetworkThreads::Scope::Scope(NetworkThreads& threads)
    : threads_(threads), id_(std::this_thread::get_id()) {
  std::lock_guard lock(threads_.mu_);
  threads_.ids_.push_back(id_);
}

NetworkThreads::Scope::~Scope() {
  std::lock_guard lock(threads_.mu_);
  auto it = std::find(threads_.ids_.begin(), threads_.ids_.end(), id_);
  if (it != threads_.ids_.end()) threads_.ids_.erase(it);
}

bool NetworkThreads::Current() const {
  auto self = std::this_thread::get_id();
  std::lock_guard lock(mu_);
  return std::find(ids_.begin(), ids_.end(), self) != ids_.end();
}

}  // namespace lethe
