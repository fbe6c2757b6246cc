// LoopbackClient: a plain-socket HTTP/1.1 client for the in-process server
// tests (server_test.cc, gate_test.cc). One request per connection
// (Connection: close), the whole response read until the server closes.
// Test code only: nothing in the server includes it.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace lethe {

struct LoopbackResponse {
  int status = 0;                              // 0: no response
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string raw;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

// Sends `raw` and reads until the server closes or `timeout` passes.
inline std::string LoopbackExchange(uint16_t port, const std::string& raw,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  for (size_t off = 0; off < raw.size();) {
    ssize_t n = ::send(fd, raw.data() + off, raw.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer (and close) before the body is in
    off += static_cast<size_t>(n);
  }
  std::string out;
  std::vector<char> buf(64 * 1024);
  for (;;) {
    ssize_t n = ::recv(fd, buf.data(), buf.size(), 0);
    if (n <= 0) break;
    out.append(buf.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

inline LoopbackResponse ParseLoopbackResponse(std::string raw) {
  LoopbackResponse r;
  r.raw = std::move(raw);
  size_t end = r.raw.find("\r\n\r\n");
  if (r.raw.rfind("HTTP/1.1 ", 0) != 0 || end == std::string::npos) return r;
  r.status = std::atoi(r.raw.c_str() + 9);
  size_t line = r.raw.find("\r\n") + 2;
  while (line < end) {
    size_t next = r.raw.find("\r\n", line);
    std::string field = r.raw.substr(line, next - line);
    size_t colon = field.find(':');
    if (colon != std::string::npos) {
      std::string name = field.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t v = field.find_first_not_of(' ', colon + 1);
      r.headers[name] = v == std::string::npos ? "" : field.substr(v);
    }
    line = next + 2;
  }
  r.body = r.raw.substr(end + 4);
  return r;
}

// One request with `headers` (each "Name: value") and a Content-Length body.
inline LoopbackResponse LoopbackRequest(uint16_t port, const std::string& method,
                                        const std::string& target,
                                        const std::vector<std::string>& headers = {},
                                        const std::string& body = "") {
  std::string raw = method + " " + target + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n";
  for (const std::string& h : headers) raw += h + "\r\n";
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    raw += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  raw += "\r\n" + body;
  return ParseLoopbackResponse(LoopbackExchange(port, raw));
}

// Decodes a chunked body; `complete` says whether the last chunk came.
inline std::string LoopbackDechunk(const std::string& body, bool& complete) {
  std::string out;
  complete = false;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t eol = body.find("\r\n", pos);
    if (eol == std::string::npos) break;
    size_t size = std::stoul(body.substr(pos, eol - pos), nullptr, 16);
    if (size == 0) {
      complete = body.compare(eol, 4, "\r\n\r\n") == 0;
      break;
    }
    if (eol + 2 + size + 2 > body.size()) break;
    out += body.substr(eol + 2, size);
    pos = eol + 2 + size + 2;
  }
  return out;
}

}  // namespace lethe
