#include "adapters/mail/rfc5322.h"

#include <gtest/gtest.h>

#include <random>

#include "common/utf8.h"
#include "testing/mail_reader.h"

namespace lethe {
namespace {

constexpr int64_t kDate = 784111777000;  // Sun, 06 Nov 1994 08:49:37 UTC

MailMessage Sample() {
  MailMessage m;
  m.id = "mail_k3j5w9";
  m.from = "noreply@lethe.example";
  m.to = "ada@example.com";
  m.subject = "Your export is ready";
  m.text = "Hello Ada,\n\nyour export is ready.\n";
  return m;
}

std::string FormatOk(const MailMessage& m) {
  auto text = FormatMailMessage(m, kDate);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : "";
}

TEST(Rfc5322Test, HeadersAndBodyReadBack) {
  std::string raw = FormatOk(Sample());
  auto mail = ReadMailText(raw);
  ASSERT_TRUE(mail.has_value()) << raw;
  EXPECT_EQ(mail->headers["Date"], "Sun, 06 Nov 1994 08:49:37 +0000");
  EXPECT_EQ(mail->headers["From"], "noreply@lethe.example");
  EXPECT_EQ(mail->headers["To"], "ada@example.com");
  EXPECT_EQ(mail->headers["Subject"], "Your export is ready");
  EXPECT_EQ(mail->headers["Message-ID"], "<mail_k3j5w9@lethe.example>");
  EXPECT_EQ(mail->headers["MIME-Version"], "1.0");
  EXPECT_EQ(mail->headers["Content-Type"], "text/plain; charset=utf-8");
  EXPECT_EQ(mail->headers["Content-Transfer-Encoding"], "quoted-printable");
  EXPECT_EQ(mail->body, "Hello Ada,\r\n\r\nyour export is ready.\r\n");
  EXPECT_TRUE(mail->crlf_only);
  EXPECT_TRUE(mail->seven_bit);
  EXPECT_LE(mail->longest_line, 78u);
}

TEST(Rfc5322Test, NonAsciiSubjectBecomesEncodedWordsSplitBetweenCharacters) {
  MailMessage m = Sample();
  m.subject =
      "Ihre Daten wurden gelöscht — データを削除しました 🎉 Ünïcödé everywhere, twice: "
      "Ünïcödé everywhere";
  std::string raw = FormatOk(m);
  auto mail = ReadMailText(raw);
  ASSERT_TRUE(mail.has_value()) << raw;
  EXPECT_TRUE(mail->seven_bit);
  EXPECT_LE(mail->longest_line, 78u);
  EXPECT_EQ(mail->decoded["Subject"], m.subject);
  // Each word decodes to whole characters on its own, as RFC 2047 requires.
  const std::string& value = mail->headers["Subject"];
  int words = 0;
  for (size_t at = value.find("=?"); at != std::string::npos; at = value.find("=?", at + 2)) {
    size_t end = value.find("?=", at + 2) + 2;
    std::string word = value.substr(at, end - at);
    EXPECT_LE(word.size(), 75u);
    auto piece = mail_reader_detail::DecodeWords(word);
    ASSERT_TRUE(piece.has_value());
    EXPECT_TRUE(IsValidUtf8(*piece)) << word;
    ++words;
    at = end - 2;
  }
  EXPECT_GT(words, 2);
}

TEST(Rfc5322Test, AsciiSubjectThatLooksEncodedOrIsLongIsEncoded) {
  EXPECT_EQ(EncodeSubject("Plain words"), "Plain words");
  EXPECT_EQ(EncodeSubject(""), "");
  std::string tricky = "=?UTF-8?B?SGk=?= is not what it seems";
  std::string long_one(200, 'x');
  for (const std::string& s : {tricky, long_one}) {
    std::string encoded = EncodeSubject(s);
    EXPECT_NE(encoded, s);
    EXPECT_EQ(mail_reader_detail::DecodeWords(mail_reader_detail::Unfold(encoded)), s);
  }
}

TEST(Rfc5322Test, LineBreakInAnyHeaderValueIsRefused) {
  const std::string attack = "\r\nBcc: victim@evil.example";
  MailMessage m = Sample();
  for (auto field :
       {&MailMessage::id, &MailMessage::from, &MailMessage::to, &MailMessage::subject}) {
    for (const std::string& suffix : {attack, std::string("\nX: y"), std::string("\rX: y")}) {
      MailMessage bad = m;
      bad.*field += suffix;
      auto text = FormatMailMessage(bad, kDate);
      ASSERT_FALSE(text.ok());
      EXPECT_EQ(text.status().code(), Status::Code::kInvalidArgument);
      EXPECT_EQ(text.status().reason(), "mail-header-injection");
      EXPECT_EQ(text.status().message().find("victim"), std::string::npos);
    }
  }
}

TEST(Rfc5322Test, BadAddressesIdsAndTextAreRefused) {
  for (const char* addr : {"", "no-at-sign", "a@b@c.example", "<a@b.example>", "a b@c.example",
                           "a@-b.example", "a@b..example", ".a@b.example", "a.@b.example",
                           "ünï@b.example", "a@b.example ", "a@[127.0.0.1]"}) {
    MailMessage m = Sample();
    m.to = addr;
    EXPECT_EQ(ValidateMailMessage(m).reason(), "mail-bad-address") << addr;
    m = Sample();
    m.from = addr;
    EXPECT_EQ(ValidateMailMessage(m).reason(), "mail-bad-address") << addr;
  }
  for (const std::string& id : {std::string(), std::string("../etc"), std::string("a/b"),
                                std::string(".hidden"), std::string(129, 'a')}) {
    MailMessage m = Sample();
    m.id = id;
    EXPECT_EQ(ValidateMailMessage(m).reason(), "mail-bad-id") << id;
  }
  MailMessage m = Sample();
  m.text = "caf\xe9";  // Latin-1, not UTF-8
  EXPECT_EQ(ValidateMailMessage(m).reason(), "mail-not-utf8");
  m = Sample();
  m.subject = std::string("tab\tin subject");
  EXPECT_EQ(ValidateMailMessage(m).reason(), "mail-not-utf8");
  m = Sample();
  m.id = std::string(128, 'a');
  m.to = "first.last+tag@sub.example.co.uk";
  EXPECT_TRUE(ValidateMailMessage(m).ok());
}

TEST(Rfc5322Test, QuotedPrintableCases) {
  EXPECT_EQ(EncodeQuotedPrintable(""), "\r\n");
  EXPECT_EQ(EncodeQuotedPrintable("a=b"), "a=3Db\r\n");
  EXPECT_EQ(EncodeQuotedPrintable("caf\xc3\xa9\n"), "caf=C3=A9\r\n");
  EXPECT_EQ(EncodeQuotedPrintable("trailing \nand\ttab\t"), "trailing=20\r\nand\ttab=09\r\n");
  EXPECT_EQ(EncodeQuotedPrintable(".\n..x"), "=2E\r\n=2E.x\r\n");
  EXPECT_EQ(EncodeQuotedPrintable("a\rb\r\nc\nd\n\n"), "a\r\nb\r\nc\r\nd\r\n\r\n");
  // A long line gets soft breaks; a dot that lands at the start of a
  // continuation line is encoded too.
  std::string line(75, 'a');
  EXPECT_EQ(EncodeQuotedPrintable(line + ".b"), line + "=\r\n=2Eb\r\n");
  std::string encoded = EncodeQuotedPrintable(std::string(1000, '\xff'));
  auto decoded = mail_reader_detail::DecodeQuotedPrintable(encoded);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, std::string(1000, '\xff') + "\r\n");
  for (size_t start = 0, end; (end = encoded.find("\r\n", start)) != std::string::npos;
       start = end + 2) {
    EXPECT_LE(end - start, 76u);
  }
}

// Random UTF-8 text, spaces, dots and line ends round-trip through the
// formatter and an independent reader, within the line limits.
TEST(Rfc5322Test, RandomTextRoundTrips) {
  std::mt19937 rng(20261130);
  const std::vector<std::string> pieces = {"a", "Z", " ", "\t", ".", "=",  "\n", "\r\n", "\r",
                                           "é", "€", "🎉", "削", "?", "=?", "~",  "\x01"};
  for (int round = 0; round < 300; ++round) {
    MailMessage m = Sample();
    m.text.clear();
    int n = std::uniform_int_distribution<int>(0, 400)(rng);
    for (int i = 0; i < n; ++i) m.text += pieces[rng() % pieces.size()];
    auto mail = ReadMailText(FormatOk(m));
    ASSERT_TRUE(mail.has_value());
    EXPECT_TRUE(mail->crlf_only);
    EXPECT_TRUE(mail->seven_bit);
    EXPECT_LE(mail->longest_line, 78u);
    std::string want;
    for (size_t i = 0; i < m.text.size(); ++i) {
      if (m.text[i] == '\r' || m.text[i] == '\n') {
        want += "\r\n";
        if (m.text[i] == '\r' && i + 1 < m.text.size() && m.text[i + 1] == '\n') ++i;
      } else {
        want += m.text[i];
      }
    }
    if (want.size() < 2 || want.substr(want.size() - 2) != "\r\n") want += "\r\n";
    ASSERT_EQ(mail->body, want) << "round " << round;
  }
}

}  // namespace
}  // namespace lethe
