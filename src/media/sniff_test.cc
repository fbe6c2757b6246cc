#include "media/sniff.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace lethe {
namespace {

std::vector<uint8_t> Bytes(std::string_view s) { return {s.begin(), s.end()}; }

// A string literal's bytes, embedded NULs included.
template <size_t N>
std::string Lit(const char (&s)[N]) {
  return std::string(s, N - 1);
}

// The first bytes of a real file of each family.
std::vector<uint8_t> Head(std::string_view family) {
  std::string s;
  if (family == "mp4") s = Lit("\0\0\0\040ftypisom\0\0\2\0isomiso2avc1mp41");
  if (family == "mov") s = Lit("\0\0\0\024ftypqt  \0\0\2\0qt  \0\0\0\010wide");
  if (family == "matroska") s = Lit("\x1A\x45\xDF\xA3\x9F\x42\x86\x81\x01\x42\xF7\x81\x01webm");
  if (family == "ogg") s = Lit("OggS\0\2\0\0\0\0\0\0\0\0");
  if (family == "mp3-id3") s = Lit("ID3\4\0\0\0\0\x23\x76TSSE");
  if (family == "mp3-frame") s = Lit("\xFF\xFB\x90\x64\0\0\0\0\0\0\0\0");
  if (family == "wav") s = Lit("RIFF\x24\x08\0\0WAVEfmt ");
  if (family == "flac") s = Lit("fLaC\0\0\0\x22\x10\0\x10\0");
  if (family == "jpeg") s = Lit("\xFF\xD8\xFF\xE0\0\x10JFIF\0\1");
  if (family == "png") s = Lit("\x89PNG\r\n\x1A\n\0\0\0\x0DIHDR");
  if (family == "gif87") s = Lit("GIF87a\1\0\1\0");
  if (family == "gif") s = Lit("GIF89a\1\0\1\0\x80\0\0");
  if (family == "webp") s = Lit("RIFF\x1A\0\0\0WEBPVP8L");
  EXPECT_FALSE(s.empty()) << family;
  return Bytes(s);
}

TEST(SniffContainer, RecognisesEveryFamily) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"mp4", "mp4"},     {"mov", "mp4"},       {"matroska", "matroska"}, {"ogg", "ogg"},
      {"mp3-id3", "mp3"}, {"mp3-frame", "mp3"}, {"wav", "wav"},           {"flac", "flac"},
      {"jpeg", "jpeg"},   {"png", "png"},       {"gif87", "gif"},         {"gif", "gif"},
      {"webp", "webp"},
  };
  for (const auto& [sample, family] : cases) {
    const auto got = SniffContainer(Head(sample));
    ASSERT_TRUE(got.has_value()) << sample;
    EXPECT_EQ(*got, family) << sample;
  }
}

TEST(SniffContainer, RefusesNonMedia) {
  for (const std::string& s :
       {Lit("<!DOCTYPE html><html><body>"), Lit("<svg xmlns=\"http://www.w3.org/2000/svg\">"),
        Lit("%PDF-1.7\n%\xE2\xE3\xCF\xD3"), Lit("PK\3\4\x14\0\0\0"), Lit("#!/bin/sh\necho hi\n"),
        Lit("RIFF\x10\0\0\0AVI LIST"), Lit("GIF88a\1\0\1\0"), std::string(32, '\0')}) {
    EXPECT_FALSE(SniffContainer(Bytes(s)).has_value()) << s;
  }
  EXPECT_FALSE(SniffContainer({}).has_value());
}

TEST(SniffContainer, MpegFrameSyncNeedsValidFields) {
  EXPECT_TRUE(SniffContainer(Bytes("\xFF\xF3\x64\xC4")).has_value());   // MPEG-2 layer III
  EXPECT_FALSE(SniffContainer(Bytes("\xFF\xF1\x50\x80")).has_value());  // AAC ADTS: layer 00
  EXPECT_FALSE(SniffContainer(Bytes("\xFF\xEB\x90\x64")).has_value());  // reserved version
  EXPECT_FALSE(SniffContainer(Bytes("\xFF\xFB\xF0\x64")).has_value());  // bad bitrate
  EXPECT_FALSE(SniffContainer(Bytes("\xFF\xFB\x9C\x64")).has_value());  // reserved rate
  EXPECT_FALSE(SniffContainer(Bytes("\xFF\xDB\x90\x64")).has_value());  // only 3 sync bits
}

TEST(SniffContainer, ShortInputIsSafe) {
  // Every prefix of every sample must be either unrecognised or correct,
  // and never read past the end (ASan checks the latter).
  for (std::string_view sample : {"mp4", "matroska", "wav", "webp", "png", "jpeg", "mp3-frame"}) {
    const std::vector<uint8_t> full = Head(sample);
    const auto want = SniffContainer(full);
    for (size_t n = 0; n < full.size(); ++n) {
      const std::vector<uint8_t> prefix(full.begin(), full.begin() + n);
      const auto got = SniffContainer(prefix);
      if (got) {
        EXPECT_EQ(*got, *want) << sample << " len " << n;
      }
    }
  }
  EXPECT_FALSE(SniffContainer(Bytes(Lit("RIFF\0\0\0\0WAV"))).has_value());
  // A match needs only its magic, not kSniffBytes.
  EXPECT_EQ(SniffContainer(Bytes(Lit("\0\0\0\040ftyp"))), "mp4");
  EXPECT_EQ(SniffContainer(Bytes("fLaC")), "flac");
}

TEST(SniffMatchDeclared, AcceptsEveryDeclaredPairing) {
  struct Case {
    std::string_view declared;
    std::string_view sample;
    MediaKind kind;
  };
  const Case cases[] = {
      {"video/mp4", "mp4", MediaKind::kVideo},
      {"audio/mp4", "mp4", MediaKind::kAudio},
      {"audio/x-m4a", "mp4", MediaKind::kAudio},
      {"video/quicktime", "mov", MediaKind::kVideo},
      {"video/webm", "matroska", MediaKind::kVideo},
      {"audio/webm", "matroska", MediaKind::kAudio},
      {"video/x-matroska", "matroska", MediaKind::kVideo},
      {"audio/x-matroska", "matroska", MediaKind::kAudio},
      {"audio/ogg", "ogg", MediaKind::kAudio},
      {"video/ogg", "ogg", MediaKind::kVideo},
      {"application/ogg", "ogg", MediaKind::kAudio},
      {"audio/mpeg", "mp3-id3", MediaKind::kAudio},
      {"audio/mp3", "mp3-frame", MediaKind::kAudio},
      {"audio/wav", "wav", MediaKind::kAudio},
      {"audio/x-wav", "wav", MediaKind::kAudio},
      {"audio/wave", "wav", MediaKind::kAudio},
      {"audio/vnd.wave", "wav", MediaKind::kAudio},
      {"audio/flac", "flac", MediaKind::kAudio},
      {"audio/x-flac", "flac", MediaKind::kAudio},
      {"image/jpeg", "jpeg", MediaKind::kImage},
      {"image/png", "png", MediaKind::kImage},
      {"image/gif", "gif", MediaKind::kImage},
      {"image/webp", "webp", MediaKind::kImage},
  };
  for (const Case& c : cases) {
    const Result<SniffedMedia> got = MatchDeclared(c.declared, Head(c.sample));
    ASSERT_TRUE(got.ok()) << c.declared << ": " << got.status().ToString();
    EXPECT_EQ(got->kind, c.kind) << c.declared;
    EXPECT_EQ(got->content_type, c.declared);
  }
}

TEST(SniffMatchDeclared, NormalisesCaseAndParameters) {
  const auto got = MatchDeclared(" Video/MP4 ; codecs=\"avc1.42E01E, mp4a.40.2\"", Head("mp4"));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->content_type, "video/mp4");
  EXPECT_EQ(got->kind, MediaKind::kVideo);
}

TEST(SniffMatchDeclared, RefusesMismatch) {
  const auto got = MatchDeclared("video/mp4", Head("png"));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Status::Code::kUnsupportedMedia);
  EXPECT_EQ(got.status().reason(), "unsupported-media-type");
  EXPECT_NE(got.status().message().find("video/mp4"), std::string::npos);
  EXPECT_NE(got.status().message().find("png"), std::string::npos);

  EXPECT_FALSE(MatchDeclared("image/png", Head("jpeg")).ok());
  EXPECT_FALSE(MatchDeclared("audio/mpeg", Head("wav")).ok());
  EXPECT_FALSE(MatchDeclared("image/webp", Head("wav")).ok());  // both RIFF
  EXPECT_FALSE(MatchDeclared("video/webm", Head("mp4")).ok());
  EXPECT_FALSE(MatchDeclared("audio/flac", Head("ogg")).ok());
}

TEST(SniffMatchDeclared, RefusesUnsupportedDeclaredTypes) {
  for (std::string_view declared :
       {"text/html", "image/svg+xml", "application/pdf", "video/avi", "video", "image/"}) {
    const auto got = MatchDeclared(declared, Head("mp4"));
    ASSERT_FALSE(got.ok()) << declared;
    EXPECT_EQ(got.status().code(), Status::Code::kUnsupportedMedia);
  }
}

TEST(SniffMatchDeclared, RefusesUnknownBytes) {
  const auto html = Bytes("<html><script>alert(1)</script>");
  EXPECT_EQ(MatchDeclared("video/mp4", html).status().code(), Status::Code::kUnsupportedMedia);
  EXPECT_EQ(MatchDeclared("", html).status().code(), Status::Code::kUnsupportedMedia);
  EXPECT_EQ(MatchDeclared("application/octet-stream", Bytes("hello")).status().code(),
            Status::Code::kUnsupportedMedia);
  EXPECT_FALSE(MatchDeclared("video/mp4", {}).ok());
}

TEST(SniffMatchDeclared, InfersFromBytesWhenUndeclared) {
  const std::pair<std::string_view, std::pair<std::string_view, MediaKind>> cases[] = {
      {"mp4", {"video/mp4", MediaKind::kVideo}},       {"mov", {"video/mp4", MediaKind::kVideo}},
      {"matroska", {"video/webm", MediaKind::kVideo}}, {"ogg", {"audio/ogg", MediaKind::kAudio}},
      {"mp3-id3", {"audio/mpeg", MediaKind::kAudio}},  {"wav", {"audio/wav", MediaKind::kAudio}},
      {"flac", {"audio/flac", MediaKind::kAudio}},     {"jpeg", {"image/jpeg", MediaKind::kImage}},
      {"png", {"image/png", MediaKind::kImage}},       {"gif", {"image/gif", MediaKind::kImage}},
      {"webp", {"image/webp", MediaKind::kImage}},
  };
  for (const auto& [sample, want] : cases) {
    for (std::string_view declared : {"", "application/octet-stream", "Application/Octet-Stream"}) {
      const auto got = MatchDeclared(declared, Head(sample));
      ASSERT_TRUE(got.ok()) << sample << " " << got.status().ToString();
      EXPECT_EQ(got->content_type, want.first) << sample;
      EXPECT_EQ(got->kind, want.second) << sample;
    }
  }
}

TEST(SniffKindName, NamesEveryKind) {
  EXPECT_EQ(KindName(MediaKind::kVideo), "video");
  EXPECT_EQ(KindName(MediaKind::kAudio), "audio");
  EXPECT_EQ(KindName(MediaKind::kImage), "image");
}

}  // namespace
}  // namespace lethe
