#include "common/group_sync.h"

namespace lethe {

uint64_t GroupSync::Written() {
  std::lock_guard lock(mu_);
  return ++written_;
}

Status GroupSync::WaitDurable(uint64_t ticket) {
  std::unique_lock lock(mu_);
  for (;;) {
    // A failed sync is final: Linux may have marked the unwritten pages
    // clean, so a later sync that succeeds proves nothing about them, and a
    // WAL with a lost frame loses every commit after it too.
    if (!failure_.ok()) return failure_;
    if (ticket <= durable_) return Status::Ok();
    if (!syncing_) break;
    done_.wait(lock);
  }
  // Lead one sync for every write noted so far, ours included.
  syncing_ = true;
  uint64_t covers = written_;
  lock.unlock();
  Status st = sync_();
  lock.lock();
  syncing_ = false;
  ++syncs_;
  if (st.ok()) {
    durable_ = covers;
  } else {
    failure_ = st;
  }
  done_.notify_all();
  return st;
}

uint64_t GroupSync::syncs() const {
  std::lock_guard lock(mu_);
  return syncs_;
}

}  // namespace lethe
