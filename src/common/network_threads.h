// NetworkThreads: which threads are an HTTP server's network (I/O) threads.
// Nothing may block those threads: a port call (SQLite, blob files, the key
// store) made on one stalls every connection that thread serves. The
// server records its threads here while they run; anyone holding the object
// can ask whether the calling thread is one of them, e.g. a port wrapper
// that fails a test when a port is called from a network thread.
//
// One object per server, made by whoever wires the server (no globals).
// Thread-safe.
#pragma once

#include <mutex>
#include <thread>
#include <vector>

namespace lethe {

class NetworkThreads {
 public:
  NetworkThreads() = default;
  NetworkThreads(const NetworkThreads&) = delete;
  NetworkThreads& operator=(const NetworkThreads&) = delete;

  // Marks the calling thread as a network thread while it lives. Made by
  // the server on each of its threads, around the thread's event loop.
  class Scope {
   public:
    explicit Scope(NetworkThreads& threads);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    NetworkThreads& threads_;
    std::thread::id id_;
  };

  // True when the calling thread is a network thread right now.
  bool Current() const;

 private:
  mutable std::mutex mu_;
  std::vector<std::thread::id> ids_;  // a handful: a scan beats a hash
};

}  // namespace lethe
