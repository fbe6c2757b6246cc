#include "ports/sms_sender.h"

#include "common/utf8.h"

namespace lethe {
namespace {

constexpr size_t kMaxIdChars = 128;
constexpr size_t kMaxBodyBytes = 480;

Status Malformed(const std::string& what) {
  return Status::InvalidArgument("sms-malformed", "the SMS " + what + " is not valid");
}

}  // namespace

bool IsE164(const std::string& number) {
  if (number.size() < 9 || number.size() > 16 || number[0] != '+') return false;
  if (number[1] == '0') return false;
  for (size_t i = 1; i < number.size(); ++i) {
    if (number[i] < '0' || number[i] > '9') return false;
  }
  return true;
}

Status ValidateSmsMessage(const SmsMessage& message) {
  if (message.id.empty() || message.id.size() > kMaxIdChars) return Malformed("id");
  for (char c : message.id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-';
    if (!ok) return Malformed("id");
  }
  if (!IsE164(message.to)) return Malformed("number");
  if (message.body.empty() || message.body.size() > kMaxBodyBytes || !IsValidUtf8(message.body)) {
    return Malformed("text");
  }
  return Status::Ok();
}

}  // namespace lethe
