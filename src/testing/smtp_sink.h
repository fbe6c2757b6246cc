// SmtpSink: a test SMTP server (header-only, for unit and e2e tests).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/encoding.h"

namespace lethe {

// A real SMTP server on a loopback socket, on its own thread,
// speaking just enough of RFC 5321 for libcurl: the greeting, EHLO/HELO,
// AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT. It records what each
// session sent, and any step's reply can be replaced ("RCPT" -> "550 ...").
class SmtpSink {
 public:
  struct Session {
    std::string mail_from;
    std::vector<std::string> rcpt;
    std::string auth;  // "user:password" from AUTH PLAIN
    std::string data;  // the message, dot-unstuffed, without the final "."
    bool data_done = false;
    bool quit = false;
  };

  SmtpSink() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listen_fd_, 8) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ADD_FAILURE() << "cannot listen on loopback";
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~SmtpSink() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }

  int port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

  // Replaces the reply of `step`: GREETING, EHLO, MAIL, RCPT, DATA or END
  // (the end of the message).
  void Reply(const std::string& step, std::string reply) {
    std::lock_guard lock(mu_);
    replies_[step] = std::move(reply);
  }
  // Advertises AUTH PLAIN and accepts only these credentials.
  void RequireLogin(std::string user, std::string password) {
    std::lock_guard lock(mu_);
    login_ = user + ":" + password;
  }
  // Accepts connections and never says a word.
  void Mute() { mute_ = true; }

  std::vector<Session> sessions() const {
    std::lock_guard lock(mu_);
    return sessions_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      Handle(fd);
      ::close(fd);
    }
  }

  std::string ReplyFor(const std::string& step, const std::string& fallback) {
    std::lock_guard lock(mu_);
    auto it = replies_.find(step);
    return it == replies_.end() ? fallback : it->second;
  }

  void Update(size_t index, const std::function<void(Session&)>& change) {
    std::lock_guard lock(mu_);
    change(sessions_[index]);
  }

  // One CRLF-terminated line into `line`; false on EOF or stop.
  bool ReadLine(int fd, std::string& line) {
    for (;;) {
      size_t eol = buffer_.find("\r\n");
      if (eol != std::string::npos) {
        line = buffer_.substr(0, eol);
        buffer_.erase(0, eol + 2);
        return true;
      }
      if (stop_) return false;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char chunk[4096];
      ssize_t n = ::read(fd, chunk, sizeof(chunk));
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

  static void Write(int fd, const std::string& reply) {
    std::string out = reply + "\r\n";
    (void)!::write(fd, out.data(), out.size());
  }

  void Handle(int fd) {
    buffer_.clear();
    size_t index;
    std::string login;
    {
      std::lock_guard lock(mu_);
      index = sessions_.size();
      sessions_.emplace_back();
      login = login_;
    }
    std::string line;
    if (mute_) {
      while (ReadLine(fd, line)) {
      }
      return;
    }
    Write(fd, ReplyFor("GREETING", "220 sink.test ESMTP"));
    while (ReadLine(fd, line)) {
      std::string verb = line.substr(0, 4);
      for (char& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (verb == "EHLO") {
        Write(fd, ReplyFor("EHLO", login.empty() ? "250-sink.test\r\n250 8BITMIME"
                                                 : "250-sink.test\r\n250 AUTH PLAIN"));
      } else if (verb == "HELO") {
        Write(fd, "250 sink.test");
      } else if (verb == "AUTH") {
        std::string response = line.size() > 11 ? line.substr(11) : "";
        if (response.empty()) {
          Write(fd, "334 ");
          if (!ReadLine(fd, response)) return;
        }
        auto bytes = Base64Decode(response);
        std::string plain = bytes ? std::string(bytes->begin(), bytes->end()) : "";
        size_t a = plain.find('\0'), b = plain.find('\0', a + 1);
        std::string got = b == std::string::npos
                              ? ""
                              : plain.substr(a + 1, b - a - 1) + ":" + plain.substr(b + 1);
        Update(index, [&](Session& s) { s.auth = got; });
        Write(fd, got == login ? "235 2.7.0 ok" : "535 5.7.8 bad credentials");
      } else if (verb == "MAIL") {
        Update(index, [&](Session& s) { s.mail_from = line.substr(10); });
        Write(fd, ReplyFor("MAIL", "250 2.1.0 ok"));
      } else if (verb == "RCPT") {
        Update(index, [&](Session& s) { s.rcpt.push_back(line.substr(8)); });
        Write(fd, ReplyFor("RCPT", "250 2.1.5 ok"));
      } else if (verb == "DATA") {
        std::string reply = ReplyFor("DATA", "354 end with <CRLF>.<CRLF>");
        Write(fd, reply);
        if (reply[0] != '3') continue;
        std::string data;
        for (;;) {
          if (!ReadLine(fd, line)) return;
          if (line == ".") break;
          if (line.starts_with(".")) line.erase(0, 1);  // undo dot-stuffing
          data += line + "\r\n";
        }
        Update(index, [&](Session& s) {
          s.data = data;
          s.data_done = true;
        });
        Write(fd, ReplyFor("END", "250 2.0.0 queued"));
      } else if (verb == "QUIT") {
        Update(index, [&](Session& s) { s.quit = true; });
        Write(fd, "221 2.0.0 bye");
        return;
      } else if (verb == "RSET" || verb == "NOOP") {
        Write(fd, "250 2.0.0 ok");
      } else {
        Write(fd, "502 5.5.2 not implemented");
      }
    }
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> mute_{false};
  std::string buffer_;  // the sink thread's read buffer
  mutable std::mutex mu_;
  std::map<std::string, std::string> replies_;
  std::string login_;
  std::vector<Session> sessions_;
  std::thread thread_;
};

}  // namespace lethe
