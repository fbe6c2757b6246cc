#include "adapters/sms/file_sms_sender.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>

#include "adapters/local/durable_file.h"

namespace lethe {
Result<std::unique_ptr<FileSmsSender>> FileSmsSender::Open(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Status::Internal("cannot create " + dir + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::Internal("not a directory: " + dir);
  }
  return std::unique_ptr<FileSmsSender>(new FileSmsSender(dir));
}

Status FileSmsSender::Send(const SmsMessage& message) {
  LETHE_RETURN_IF_ERROR(ValidateSmsMessage(message));
  const std::string text = boost::json::serialize(
      boost::json::object{{"id", message.id}, {"to", message.to}, {"body", message.body}});
  std::string temp =
      dir_ + "/." + message.id + "." + std::to_string(temp_counter_.fetch_add(1)) + ".tmp";
  return WriteFileDurably(dir_, temp, PathFor(message.id), text, "sms outbox");
}

}  // namespace lethe
