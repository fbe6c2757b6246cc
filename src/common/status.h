// Status and Result: errors as values at every boundary.
//
// A Status is either OK or carries a Code, a stable machine-readable `reason`
// (a short kebab-case slug that becomes the problem+json `type` suffix) and a
// human-readable message. Result<T> holds either a T or a non-OK Status.
// The HTTP layer maps Code to a status code in exactly one place
// (src/http/problem.cc); nothing below it knows about HTTP.
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace lethe {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,     // the caller sent something malformed
    kHeaderTooLarge,      // the request head is over the limit (431)
    kMethodNotAllowed,    // a known resource, another method (405)
    kUnprocessable,       // well-formed but refused by a rule (age gate, ...)
    kNotFound,            // absent, or not visible to this caller
    kAlreadyExists,       // a uniqueness rule was violated
    kUnauthenticated,     // no or bad credentials
    kPermissionDenied,    // authenticated but not allowed
    kFailedPrecondition,  // state does not allow this now (If-Match, ...)
    kGone,                // existed, and is gone for good (a used or expired link: 410)
    kTooLarge,            // a size limit was exceeded
    kUnsupportedMedia,    // content type refused or mismatched
    kRangeNotSatisfiable,
    kUnavailable,          // try again later (shutting down, busy)
    kTooManyRequests,      // rate-limited: try again after retry_after_s() (429)
    kDeadlineExceeded,     // the client was too slow (408)
    kInsufficientStorage,  // the disk is full (507)
    kDataLoss,             // stored data failed an integrity check
    kInternal,             // a bug or an I/O failure
  };

  Status() = default;
  Status(Code code, std::string reason, std::string message)
      : code_(code), reason_(std::move(reason)), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string reason, std::string msg) {
    return {Code::kInvalidArgument, std::move(reason), std::move(msg)};
  }
  static Status HeaderTooLarge(std::string msg) {
    return {Code::kHeaderTooLarge, "header-too-large", std::move(msg)};
  }
  static Status MethodNotAllowed(std::string msg) {
    return {Code::kMethodNotAllowed, "method-not-allowed", std::move(msg)};
  }
  static Status Unprocessable(std::string reason, std::string msg) {
    return {Code::kUnprocessable, std::move(reason), std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {Code::kNotFound, "not-found", std::move(msg)}; }
  static Status AlreadyExists(std::string reason, std::string msg) {
    return {Code::kAlreadyExists, std::move(reason), std::move(msg)};
  }
  static Status Unauthenticated(std::string msg) {
    return {Code::kUnauthenticated, "unauthenticated", std::move(msg)};
  }
  static Status PermissionDenied(std::string msg) {
    return {Code::kPermissionDenied, "forbidden", std::move(msg)};
  }
  static Status FailedPrecondition(std::string reason, std::string msg) {
    return {Code::kFailedPrecondition, std::move(reason), std::move(msg)};
  }
  static Status Gone(std::string reason, std::string msg) {
    return {Code::kGone, std::move(reason), std::move(msg)};
  }
  static Status TooLarge(std::string msg) {
    return {Code::kTooLarge, "payload-too-large", std::move(msg)};
  }
  static Status UnsupportedMedia(std::string reason, std::string msg) {
    return {Code::kUnsupportedMedia, std::move(reason), std::move(msg)};
  }
  static Status RangeNotSatisfiable(std::string msg) {
    return {Code::kRangeNotSatisfiable, "range-not-satisfiable", std::move(msg)};
  }
  static Status Unavailable(std::string msg) {
    return {Code::kUnavailable, "unavailable", std::move(msg)};
  }
  // Rate-limited; the caller may retry after `retry_after_s` seconds.
  static Status TooManyRequests(std::string reason, std::string msg, int64_t retry_after_s) {
    Status s(Code::kTooManyRequests, std::move(reason), std::move(msg));
    s.retry_after_s_ = retry_after_s;
    return s;
  }
  static Status DeadlineExceeded(std::string msg) {
    return {Code::kDeadlineExceeded, "request-timeout", std::move(msg)};
  }
  static Status InsufficientStorage(std::string msg) {
    return {Code::kInsufficientStorage, "insufficient-storage", std::move(msg)};
  }
  static Status DataLoss(std::string msg) {
    return {Code::kDataLoss, "integrity-check-failed", std::move(msg)};
  }
  static Status Internal(std::string msg) { return {Code::kInternal, "internal", std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& reason() const { return reason_; }
  const std::string& message() const { return message_; }
  // Seconds to wait before retrying (kTooManyRequests); 0 otherwise.
  int64_t retry_after_s() const { return retry_after_s_; }
  std::string ToString() const { return ok() ? "OK" : reason_ + ": " + message_; }
  // Extra members of the problem body (RFC 9457 extension members), such
  // as the decision a refusal rests on and where to appeal it. Only plain
  // ids and paths: they reach the client as they are.
  Status& With(std::string key, std::string value) {
    members_.emplace_back(std::move(key), std::move(value));
    return *this;
  }
  const std::vector<std::pair<std::string, std::string>>& members() const { return members_; }

 private:
  Code code_ = Code::kOk;
  std::string reason_;
  std::string message_;
  int64_t retry_after_s_ = 0;
  std::vector<std::pair<std::string, std::string>> members_;
};

// Result<T>: a value or a non-OK Status. GCC 12 has no std::expected.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return ok(); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  return r.status();
}

}  // namespace lethe

// Propagate a non-OK Status (or the Status of a failed Result) to the caller.
#define LETHE_RETURN_IF_ERROR(expr)                           \
  do {                                                        \
    auto lethe_st_ = (expr);                                  \
    if (!lethe_st_.ok()) return ::lethe::StatusOf(lethe_st_); \
  } while (0)

#define LETHE_CONCAT_INNER_(a, b) a##b
#define LETHE_CONCAT_(a, b) LETHE_CONCAT_INNER_(a, b)
#define LETHE_ASSIGN_OR_RETURN(lhs, expr) \
  LETHE_ASSIGN_OR_RETURN_IMPL_(LETHE_CONCAT_(lethe_res_, __LINE__), lhs, expr)
#define LETHE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
