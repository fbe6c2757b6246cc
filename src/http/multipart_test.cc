#include "http/multipart.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace lethe {
namespace {

struct Part {
  PartHeaders headers;
  std::string body;
  bool ended = false;
};

// Records what the parser reports, so that different feedings of the same
// body can be compared.
struct Recorder {
  std::vector<Part> parts;
  size_t data_calls = 0;
  size_t smallest_mid_call = SIZE_MAX;  // smallest data call that was not a part's last

  MultipartCallbacks Callbacks() {
    return {
        .on_part_begin =
            [this](const PartHeaders& h) {
              EXPECT_TRUE(parts.empty() || parts.back().ended) << "begin without end";
              parts.push_back({h, "", false});
              return Status::Ok();
            },
        .on_part_data =
            [this](std::span<const uint8_t> d) {
              EXPECT_FALSE(d.empty());
              EXPECT_FALSE(parts.empty() || parts.back().ended) << "data outside a part";
              parts.back().body.append(reinterpret_cast<const char*>(d.data()), d.size());
              ++data_calls;
              return Status::Ok();
            },
        .on_part_end =
            [this] {
              EXPECT_FALSE(parts.empty() || parts.back().ended) << "end without begin";
              parts.back().ended = true;
              return Status::Ok();
            },
    };
  }
};

bool operator==(const Part& a, const Part& b) {
  return a.headers.name == b.headers.name && a.headers.filename == b.headers.filename &&
         a.headers.content_type == b.headers.content_type && a.body == b.body && a.ended == b.ended;
}

constexpr std::string_view kBoundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

// Replaces "{B}" in `s` with kBoundary and "{b}" with all of it but the
// last character.
std::string WithBoundary(std::string s) {
  for (size_t pos; (pos = s.find("{B}")) != std::string::npos;) s.replace(pos, 3, kBoundary);
  const std::string_view almost = kBoundary.substr(0, kBoundary.size() - 1);
  for (size_t pos; (pos = s.find("{b}")) != std::string::npos;) s.replace(pos, 3, almost);
  return s;
}

// Part data full of near-misses of the delimiter, and binary with a NUL.
const std::string kTrickyData = WithBoundary("\r\n\r\r\n--\r\n\r\n--{b}\r\n\r--{B}\n") +
                                std::string("\xFF\x00\x01 end", 7) +
                                WithBoundary("\r\n-{B}x--{B}\r\n--{b}\r");

// A body that exercises the awkward cases: a preamble, a body containing
// near-misses of the delimiter, CRs and LFs, an empty part, and an epilogue.
std::string SampleBody() {
  return WithBoundary(
             "This is the preamble.\r\n--notit\r\n"
             "--{B}\r\n"
             "Content-Disposition: form-data; name=\"title\"\r\n"
             "\r\n"
             "My holiday\r\n"
             "--{B}\r\n"
             "Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".mp4\"\r\n"
             "Content-Type: video/mp4\r\n"
             "\r\n") +
         kTrickyData +
         WithBoundary(
             "\r\n--{B}  \t\r\n"
             "content-disposition: FORM-DATA; NAME=empty\r\n"
             "\r\n"
             "\r\n--{B}--\r\n"
             "This is the epilogue. --{B}\r\n");
}

std::vector<Part> ExpectedSample() {
  return {
      {{"title", std::nullopt, ""}, "My holiday", true},
      {{"file", "a \"b\".mp4", "video/mp4"}, kTrickyData, true},
      {{"empty", std::nullopt, ""}, "", true},
  };
}

// Feeds `body` in pieces of the given sizes (the rest in one piece).
Recorder Parse(std::string_view body, const std::vector<size_t>& sizes, Status* finish) {
  Recorder rec;
  MultipartParser parser(std::string(kBoundary), rec.Callbacks());
  size_t pos = 0;
  for (size_t n : sizes) {
    n = std::min(n, body.size() - pos);
    EXPECT_TRUE(parser.Feed(body.substr(pos, n)).ok());
    pos += n;
  }
  EXPECT_TRUE(parser.Feed(body.substr(pos)).ok());
  *finish = parser.Finish();
  return rec;
}

TEST(MultipartParser, ParsesInOneFeed) {
  Status finish;
  const Recorder rec = Parse(SampleBody(), {}, &finish);
  EXPECT_TRUE(finish.ok()) << finish.ToString();
  EXPECT_EQ(rec.parts, ExpectedSample());
}

TEST(MultipartParser, SameResultAtEverySplitPoint) {
  const std::string body = SampleBody();
  for (size_t split = 0; split <= body.size(); ++split) {
    Status finish;
    const Recorder rec = Parse(body, {split}, &finish);
    EXPECT_TRUE(finish.ok()) << "split " << split;
    ASSERT_EQ(rec.parts, ExpectedSample()) << "split " << split;
  }
}

TEST(MultipartParser, SameResultOneByteAtATime) {
  const std::string body = SampleBody();
  Status finish;
  const Recorder rec = Parse(body, std::vector<size_t>(body.size(), 1), &finish);
  EXPECT_TRUE(finish.ok()) << finish.ToString();
  EXPECT_EQ(rec.parts, ExpectedSample());
}

TEST(MultipartParser, SameResultInRandomChunks) {
  const std::string body = SampleBody();
  std::mt19937 rng(20240501);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<size_t> sizes;
    for (size_t total = 0; total < body.size();) {
      sizes.push_back(std::uniform_int_distribution<size_t>(0, 60)(rng));
      total += sizes.back();
    }
    Status finish;
    const Recorder rec = Parse(body, sizes, &finish);
    EXPECT_TRUE(finish.ok()) << "trial " << trial;
    ASSERT_EQ(rec.parts, ExpectedSample()) << "trial " << trial;
  }
}

TEST(MultipartParser, StreamsABigPartInLargeSpans) {
  std::string payload(1 << 20, '\0');
  std::mt19937 rng(7);
  for (char& c : payload) c = static_cast<char>(rng());
  // Sprinkle delimiter prefixes so the matcher is exercised mid-stream.
  for (size_t i = 1000; i + 64 < payload.size(); i += 100000) {
    payload.replace(i, 20, "\r\n--" + std::string(kBoundary).substr(0, 16));
  }
  const std::string b(kBoundary);
  const std::string body = "--" + b +
                           "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.bin\""
                           "\r\n\r\n" +
                           payload + "\r\n--" + b + "--\r\n";

  constexpr size_t kChunk = 64 * 1024;
  Recorder rec;
  MultipartParser parser(b, rec.Callbacks());
  for (size_t pos = 0; pos < body.size(); pos += kChunk) {
    ASSERT_TRUE(parser.Feed(std::string_view(body).substr(pos, kChunk)).ok());
  }
  ASSERT_TRUE(parser.Finish().ok());
  ASSERT_EQ(rec.parts.size(), 1u);
  EXPECT_TRUE(rec.parts[0].body == payload);
  // About one call per chunk, not one per byte or per near-miss.
  EXPECT_LE(rec.data_calls, body.size() / kChunk + 4);
}

TEST(MultipartParser, MissingCloseDelimiterFails) {
  const std::string b(kBoundary);
  const std::string cases[] = {
      "",
      "preamble only",
      "--" + b + "\r\nContent-Disposition: form-data; name=a\r\n\r\nhello",
      "--" + b + "\r\nContent-Disposition: form-data; name=a\r\n\r\nhello\r\n--" + b,
      "--" + b + "\r\nContent-Disposition: form-data; name=a\r\n\r\nhello\r\n--" + b + "-",
      "--" + b + "\r\nContent-Disposition: form-data; name=a\r\n",
  };
  for (const std::string& body : cases) {
    MultipartParser parser(b, {});
    EXPECT_TRUE(parser.Feed(body).ok()) << body;
    const Status st = parser.Finish();
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << body;
    EXPECT_EQ(st.reason(), "bad-request");
  }
}

TEST(MultipartParser, HeaderBlockTooLargeFails) {
  const std::string b(kBoundary);
  MultipartParser parser(b, {});
  const std::string start = "--" + b + "\r\nContent-Disposition: form-data; name=a\r\nX-Pad: ";
  ASSERT_TRUE(parser.Feed(start).ok());
  Status st;
  for (int i = 0; i < 100 && st.ok(); ++i) st = parser.Feed(std::string(1000, 'p'));
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(st.reason(), "bad-request");
  EXPECT_EQ(parser.Feed("\r\n\r\n").code(), Status::Code::kInvalidArgument);  // sticky

  // Just under the limit is fine.
  std::string block = "Content-Disposition: form-data; name=a\r\nX-Pad: ";
  block += std::string(kMaxPartHeaderBytes - block.size() - 4, 'p') + "\r\n\r\n";
  ASSERT_EQ(block.size(), kMaxPartHeaderBytes);
  MultipartParser ok_parser(b, {});
  EXPECT_TRUE(ok_parser.Feed("--" + b + "\r\n" + block + "x\r\n--" + b + "--").ok());
  EXPECT_TRUE(ok_parser.Finish().ok());
}

TEST(MultipartParser, TooManyPartsFails) {
  const std::string b = "xyz";
  std::string body;
  for (size_t i = 0; i < kMaxParts; ++i) {
    body += "--xyz\r\nContent-Disposition: form-data; name=p" + std::to_string(i) + "\r\n\r\nv\r\n";
  }
  MultipartParser ok_parser(b, {});
  EXPECT_TRUE(ok_parser.Feed(body + "--xyz--").ok());
  EXPECT_TRUE(ok_parser.Finish().ok());
  EXPECT_EQ(ok_parser.parts(), kMaxParts);

  MultipartParser parser(b, {});
  const Status st =
      parser.Feed(body + "--xyz\r\nContent-Disposition: form-data; name=last\r\n\r\nv\r\n--xyz--");
  EXPECT_EQ(st.code(), Status::Code::kInvalidArgument);
}

TEST(MultipartParser, CallbackErrorStopsTheParse) {
  int data_calls = 0;
  MultipartCallbacks cb;
  cb.on_part_data = [&](std::span<const uint8_t>) {
    ++data_calls;
    return Status::TooLarge("upload over quota");
  };
  MultipartParser parser("b", std::move(cb));
  const Status st = parser.Feed(
      "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nhello\r\n--b\r\n"
      "Content-Disposition: form-data; name=c\r\n\r\nworld\r\n--b--");
  EXPECT_EQ(st.code(), Status::Code::kTooLarge);
  EXPECT_EQ(data_calls, 1);
  EXPECT_EQ(parser.Feed("more").code(), Status::Code::kTooLarge);
  EXPECT_EQ(parser.Finish().code(), Status::Code::kTooLarge);

  MultipartCallbacks refuse;
  refuse.on_part_begin = [](const PartHeaders& h) {
    return h.filename ? Status::UnsupportedMedia("unsupported-media-type", "no files")
                      : Status::Ok();
  };
  MultipartParser p2("b", std::move(refuse));
  EXPECT_EQ(p2.Feed("--b\r\nContent-Disposition: form-data; name=a; filename=x\r\n\r\n").code(),
            Status::Code::kUnsupportedMedia);
}

TEST(MultipartParser, MalformedBodiesFail) {
  const std::string cases[] = {
      "--b\r\n\r\nno disposition\r\n--b--",
      "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--",
      "--b\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--b--",
      "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--b--",
      "--b\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=b"
      "\r\n\r\nx\r\n--b--",
      "--b\r\nNo colon here\r\n\r\nx\r\n--b--",
      "--bx\r\n",  // delimiter followed by junk
      "--b\n",     // bare LF
      "--b-x",     // half a close delimiter
      "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--bogus",
  };
  for (const std::string& body : cases) {
    MultipartParser parser("b", {});
    Status st = parser.Feed(body);
    if (st.ok()) st = parser.Finish();
    EXPECT_EQ(st.code(), Status::Code::kInvalidArgument) << body;
  }
}

TEST(MultipartParser, InvalidBoundaryFailsEveryCall) {
  MultipartParser parser("bad\rboundary", {});
  EXPECT_EQ(parser.Feed("--bad\rboundary--").code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(parser.Finish().code(), Status::Code::kInvalidArgument);
}

TEST(MultipartParser, ParsesDispositionParameters) {
  Recorder rec;
  MultipartParser parser("b", rec.Callbacks());
  ASSERT_TRUE(parser
                  .Feed("--b\r\ncontent-disposition:form-data;filename=\"C:\\dir\\x.mp3\";"
                        "name=\"f\\\\g\"\r\nCONTENT-TYPE:  audio/mpeg \r\n\r\n\r\n--b\r\n"
                        "Content-Disposition: form-data; name=\"e\"; filename=\"\"\r\n"
                        "X-Folded: a\r\n b\r\n\r\n\r\n--b--")
                  .ok());
  ASSERT_TRUE(parser.Finish().ok());
  ASSERT_EQ(rec.parts.size(), 2u);
  EXPECT_EQ(rec.parts[0].headers.name, "f\\g");
  EXPECT_EQ(rec.parts[0].headers.filename, "C:\\dir\\x.mp3");
  EXPECT_EQ(rec.parts[0].headers.content_type, "audio/mpeg");
  EXPECT_EQ(rec.parts[1].headers.name, "e");
  EXPECT_EQ(rec.parts[1].headers.filename, "");
}

TEST(MultipartBoundary, FromContentType) {
  EXPECT_EQ(*BoundaryFromContentType("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(*BoundaryFromContentType("Multipart/Form-Data;BOUNDARY=abc"), "abc");
  EXPECT_EQ(*BoundaryFromContentType("multipart/form-data; charset=utf-8; boundary=\"a b:c\""),
            "a b:c");
  EXPECT_EQ(*BoundaryFromContentType("multipart/form-data; boundary=" + std::string(70, 'x')),
            std::string(70, 'x'));
}

TEST(MultipartBoundary, Errors) {
  const std::string bad[] = {
      "multipart/form-data",
      "multipart/form-data;",
      "multipart/form-data; charset=utf-8",
      "multipart/form-data; boundary=",
      "multipart/form-data; boundary=\"\"",
      "multipart/form-data; boundary=\"unterminated",
      "multipart/form-data; boundary=\"trailing \"",
      "multipart/form-data; boundary=\"has\\\"quote\"",
      "multipart/form-data; boundary=" + std::string(71, 'x'),
      "multipart/form-data; boundary=abc junk",
  };
  for (const std::string& ct : bad) {
    const auto got = BoundaryFromContentType(ct);
    ASSERT_FALSE(got.ok()) << ct;
    EXPECT_EQ(got.status().code(), Status::Code::kInvalidArgument) << ct;
    EXPECT_EQ(got.status().reason(), "bad-request");
  }
  for (std::string_view ct : {"application/json", "multipart/mixed; boundary=abc", ""}) {
    EXPECT_EQ(BoundaryFromContentType(ct).status().code(), Status::Code::kUnsupportedMedia) << ct;
  }
}

}  // namespace
}  // namespace lethe
