// RawConn: one plain TCP connection to the server on loopback, for tests
// that need to hold a connection open, trickle bytes or see exactly what
// arrives on the wire (libcurl would repair or hide it).
#pragma once

#include <chrono>
#include <string>

namespace lethe::e2e {

class RawConn {
 public:
  // Connects to 127.0.0.1:port; ok() tells whether it did.
  explicit RawConn(int port);
  ~RawConn();
  RawConn(const RawConn&) = delete;
  RawConn& operator=(const RawConn&) = delete;

  bool ok() const { return fd_ >= 0; }
  // Sends all of `bytes`; false if the connection failed.
  bool Send(const std::string& bytes);
  // Reads what arrives until the server closes the connection or `timeout`
  // passes; closed() tells which.
  std::string ReadUntilClosed(std::chrono::milliseconds timeout);
  bool closed() const { return closed_; }
  void Close();

 private:
  int fd_ = -1;
  bool closed_ = false;
};

}  // namespace lethe::e2e
