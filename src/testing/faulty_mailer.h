// FaultyMailer: a Mailer that fails chosen sends, for testing what callers
// do when mail cannot go out (in the spirit of LevelDB's fault-injection
// Env). It wraps a real Mailer; sends it does not fail are passed through.
//
//   FileMailer files = ...;
//   FaultyMailer mail(files);
//   mail.FailFirst(3, Status::Unavailable("relay down"));  // then recovers
//   mail.FailNth(5, Status::FailedPrecondition("smtp-rejected", "550"));
//
// Calls are numbered from 1 across the wrapper's life. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <utility>

#include "ports/mailer.h"

namespace lethe {

class FaultyMailer final : public Mailer {
 public:
  explicit FaultyMailer(Mailer& target) : target_(target) {}

  // Calls 1..n (counted from the start) return `status` without sending.
  void FailFirst(uint64_t n, Status status) {
    std::lock_guard lock(mu_);
    fail_first_ = n;
    first_status_ = std::move(status);
  }

  // Call number `n` returns `status` without sending.
  void FailNth(uint64_t n, Status status) {
    std::lock_guard lock(mu_);
    fail_nth_ = n;
    nth_status_ = std::move(status);
  }

  // Every later call returns `status` (OK: none), until changed.
  void FailAll(Status status) {
    std::lock_guard lock(mu_);
    fail_all_ = std::move(status);
  }

  Status Send(const MailMessage& message) override {
    {
      std::lock_guard lock(mu_);
      uint64_t call = ++calls_;
      Status injected;
      if (!fail_all_.ok()) {
        injected = fail_all_;
      } else if (call <= fail_first_) {
        injected = first_status_;
      } else if (call == fail_nth_) {
        injected = nth_status_;
      }
      if (!injected.ok()) {
        ++failed_;
        return injected;
      }
    }
    Status st = target_.Send(message);
    std::lock_guard lock(mu_);
    if (st.ok()) {
      ++delivered_;
    } else {
      ++failed_;
    }
    return st;
  }

  uint64_t calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  // Sends the target accepted.
  uint64_t delivered() const {
    std::lock_guard lock(mu_);
    return delivered_;
  }
  // Sends that returned an error, injected or the target's own.
  uint64_t failed() const {
    std::lock_guard lock(mu_);
    return failed_;
  }

 private:
  Mailer& target_;
  mutable std::mutex mu_;
  uint64_t calls_ = 0;
  uint64_t delivered_ = 0;
  uint64_t failed_ = 0;
  uint64_t fail_first_ = 0;
  Status first_status_;
  uint64_t fail_nth_ = 0;
  Status nth_status_;
  Status fail_all_;
};

}  // namespace lethe
