#include "adapters/sms/file_sms_sender.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

#include "testing/temp_dir.h"

namespace lethe {
namespace {

TEST(FileSmsSender, WritesOneJsonFilePerMessageReadableByItsOwnerOnly_ACC4) {
  TempDir dir;
  auto sender = FileSmsSender::Open(dir.File("phone"));
  ASSERT_TRUE(sender.ok()) << sender.status().ToString();
  ASSERT_TRUE((*sender)->Send(SmsMessage{"sms_1", "+14155550123", "Your code is 123456"}).ok());
  const std::string path = (*sender)->PathFor("sms_1");
  std::ifstream in(path);
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto text = boost::json::parse(bytes.str()).as_object();
  EXPECT_EQ(text.at("to").as_string(), "+14155550123");
  EXPECT_EQ(text.at("body").as_string(), "Your code is 123456");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(dir.File("phone").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(FileSmsSender, RefusesMalformedMessagesWithoutNamingThem_ACC4) {
  TempDir dir;
  auto sender = FileSmsSender::Open(dir.File("phone"));
  ASSERT_TRUE(sender.ok());
  for (const SmsMessage& bad :
       {SmsMessage{"sms_1", "4155550123", "x"}, SmsMessage{"sms_1", "+1415555012a", "x"},
        SmsMessage{"../up", "+14155550123", "x"}, SmsMessage{"sms_1", "+14155550123", ""},
        SmsMessage{"sms_1", "+14155550123", std::string(481, 'x')},
        SmsMessage{"sms_1", "+1234567", "x"}}) {
    Status st = (*sender)->Send(bad);
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << bad.to << " " << bad.id;
    EXPECT_EQ(st.message().find(bad.to), std::string::npos);
  }
  EXPECT_TRUE(IsE164("+14155550123"));
  EXPECT_TRUE(IsE164("+123456789012345"));
  EXPECT_FALSE(IsE164("+1234567890123456"));
}

}  // namespace
}  // namespace lethe
