// DataDirLock: one process at a time per data directory.
//
// Startup recovery removes blobs that have no record yet, which is only safe
// when no other process is writing to the same directory: a second server
// would delete the first one's uploads in flight. Every command that writes
// (`lethe serve`, `lethe audit verify`) takes this lock before it touches
// anything. The lock is an exclusive flock(2) on `<dir>/lethe.lock`, so the
// kernel drops it when the holder exits, even on SIGKILL.
#pragma once

#include <string>

#include "common/status.h"

namespace lethe {

class DataDirLock {
 public:
  // Takes the lock on `dir` without waiting. Returns the held lock;
  // FailedPrecondition("data-dir-locked") naming the holder's pid when
  // another process holds it; Internal when the lock file cannot be opened.
  static Result<DataDirLock> Acquire(const std::string& dir);

  DataDirLock(DataDirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DataDirLock& operator=(DataDirLock&& other) noexcept;
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;
  // Releases the lock.
  ~DataDirLock();

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace lethe
