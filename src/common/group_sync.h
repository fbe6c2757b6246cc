// GroupSync: group commit for one sync target (a WAL file, a directory).
// Many threads finish a write and each needs it durable before answering;
// rather than one fsync each, the first to arrive syncs on behalf of every
// write made before its sync began, and the others wait for that sync (or
// the next one). A 201 still means durable; the disk just sees fewer syncs.
//
// Usage: after a write lands in the page cache, call Written() for a
// ticket, then WaitDurable(ticket). Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

#include "common/status.h"

namespace lethe {

class GroupSync {
 public:
  // `sync` makes every write made before it was called durable (fsync,
  // fdatasync). It runs on one waiting thread at a time.
  explicit GroupSync(std::function<Status()> sync) : sync_(std::move(sync)) {}

  // Notes that a write has reached the page cache; returns its ticket.
  uint64_t Written();

  // Returns once a sync that began after `ticket` was written has finished.
  // Returns that sync's error if it failed: the write may not be durable.
  // After one failed sync every call fails with its error: the target can
  // no longer be trusted, and only reopening it (a restart) clears that.
  Status WaitDurable(uint64_t ticket);

  // Syncs performed so far (for tests and metrics).
  uint64_t syncs() const;

 private:
  std::function<Status()> sync_;
  mutable std::mutex mu_;
  std::condition_variable done_;
  uint64_t written_ = 0;  // tickets handed out
  uint64_t durable_ = 0;  // every ticket <= this is durable
  bool syncing_ = false;
  uint64_t syncs_ = 0;
  Status failure_;  // the first failed sync's error, for good
};

}  // namespace lethe
