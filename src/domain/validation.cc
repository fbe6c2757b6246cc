#include "domain/validation.h"

#include "common/utf8.h"

namespace lethe {
namespace {

Status Invalid(std::string_view field, std::string_view why) {
  return Status::InvalidArgument("invalid-field", std::string(field) + " " + std::string(why));
}

}  // namespace

Status CheckText(std::string_view field, std::string_view value, size_t max_len) {
  if (value.empty()) return Invalid(field, "must not be empty");
  if (value.size() > max_len) {
    return Invalid(field, "must be at most " + std::to_string(max_len) + " bytes");
  }
  for (unsigned char c : value) {
    if (c < 0x20 || c == 0x7f) return Invalid(field, "must not contain control characters");
  }
  if (!IsValidUtf8(value)) return Invalid(field, "must be UTF-8 text");
  return Status::Ok();
}

Status CheckOptionalText(std::string_view field, const std::optional<std::string>& value,
                         size_t max_len) {
  return value ? CheckText(field, *value, max_len) : Status::Ok();
}

Status CheckEmail(std::string_view v) {
  size_t at = v.find('@');
  if (v.size() > 254 || at == std::string_view::npos || at == 0 ||
      v.find('@', at + 1) != std::string_view::npos) {
    return Invalid("email", "must be an email address");
  }
  std::string_view domain = v.substr(at + 1);
  size_t dot = domain.rfind('.');
  if (domain.empty() || dot == std::string_view::npos || dot == 0 || dot + 1 == domain.size()) {
    return Invalid("email", "must be an email address");
  }
  for (unsigned char c : v) {
    if (c <= 0x20 || c == 0x7f) return Invalid("email", "must be an email address");
  }
  return Status::Ok();
}

Status CheckCountry(std::string_view v) {
  if (v.size() != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z') {
    return Invalid("country", "must be an ISO 3166 alpha-2 code such as US or DE");
  }
  return Status::Ok();
}

Status CheckPhone(const std::optional<std::string>& value) {
  if (!value) return Status::Ok();
  if (value->size() < 4 || value->size() > 32)
    return Invalid("phone", "must be 4 to 32 characters");
  for (char c : *value) {
    bool ok = (c >= '0' && c <= '9') || c == ' ' || c == '+' || c == '-' || c == '(' || c == ')';
    if (!ok) return Invalid("phone", "may hold only digits, spaces and + - ( )");
  }
  return Status::Ok();
}

}  // namespace lethe
