#include "http/problem.h"

#include <boost/json.hpp>
#include <iostream>

namespace lethe {
namespace {

const char* TitleFor(int http_status) {
  switch (http_status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    case 507:
      return "Insufficient Storage";
    case 460:
      return "Checksum Mismatch";
    default:
      return "Internal Server Error";
  }
}

}  // namespace

int HttpStatusFor(const Status& status) {
  using C = Status::Code;
  // tus 1.0's checksum extension names its own status.
  if (status.reason() == "checksum-mismatch") return 460;
  switch (status.code()) {
    case C::kOk:
      return 200;
    case C::kInvalidArgument:
      return 400;
    case C::kHeaderTooLarge:
      return 431;
    case C::kMethodNotAllowed:
      return 405;
    case C::kUnprocessable:
      return 422;
    case C::kNotFound:
      return 404;
    case C::kAlreadyExists:
      return 409;
    case C::kUnauthenticated:
      return 401;
    case C::kPermissionDenied:
      return 403;
    case C::kFailedPrecondition:
      return 412;
    case C::kGone:
      return 410;
    case C::kTooLarge:
      return 413;
    case C::kUnsupportedMedia:
      return 415;
    case C::kRangeNotSatisfiable:
      return 416;
    case C::kUnavailable:
      return 503;
    case C::kTooManyRequests:
      return 429;
    case C::kDeadlineExceeded:
      return 408;
    case C::kInsufficientStorage:
      return 507;
    case C::kDataLoss:
      return 500;
    case C::kInternal:
      return 500;
  }
  return 500;
}

HttpResponse ProblemResponse(const Status& status, const std::string& request_id) {
  int code = HttpStatusFor(status);
  bool hide = status.code() == Status::Code::kInternal;
  boost::json::object body;
  body["type"] = std::string(kProblemTypeBase) + status.reason();
  body["title"] = TitleFor(code);
  body["status"] = code;
  body["detail"] =
      hide ? "the server failed; the request id identifies it in the log" : status.message();
  body["instance"] = request_id;
  for (const auto& [key, value] : status.members()) {
    if (!body.contains(key)) body[key] = value;
  }
  if (code >= 500) {
    // The detail may name files; it goes to the log, tied to the request id
    // the client sees. Messages never carry secrets or personal data.
    std::cerr << "lethe: " << request_id << " " << code << " " << status.ToString() << "\n";
  }
  HttpResponse r = HttpResponse::Json(code, body);
  r.SetHeader("Content-Type", "application/problem+json");
  if (code == 401) r.SetHeader("WWW-Authenticate", "Bearer realm=\"lethe\"");
  if (status.retry_after_s() > 0) {
    r.SetHeader("Retry-After", std::to_string(status.retry_after_s()));
  }
  return r;
}

}  // namespace lethe
