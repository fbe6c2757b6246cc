#include "http/qr_svg.h"

#include <gtest/gtest.h>

#include <string>

namespace lethe {
namespace {

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

// A finder pattern: a dark 7x7 ring, a light ring inside it, a dark 3x3 core.
bool IsFinder(const QrMatrix& m, int x0, int y0) {
  for (int y = 0; y < 7; ++y) {
    for (int x = 0; x < 7; ++x) {
      bool ring = x == 0 || y == 0 || x == 6 || y == 6;
      bool core = x >= 2 && x <= 4 && y >= 2 && y <= 4;
      if (m.At(x0 + x, y0 + y) != (ring || core)) return false;
    }
  }
  return true;
}

TEST(QrSvg, DrawsEveryDarkModuleOfARealQrCode_ACC4) {
  auto qr = EncodeQr("otpauth://totp/Lethe:a%40example.com?secret=GEZDGNBVGY3TQOJQ&issuer=Lethe");
  ASSERT_TRUE(qr.ok()) << qr.status().ToString();
  ASSERT_GE(qr->width, 21);
  EXPECT_EQ((qr->width - 17) % 4, 0) << "a QR code is 17 + 4 * version modules wide";
  EXPECT_TRUE(IsFinder(*qr, 0, 0));
  EXPECT_TRUE(IsFinder(*qr, qr->width - 7, 0));
  EXPECT_TRUE(IsFinder(*qr, 0, qr->width - 7));
  EXPECT_FALSE(IsFinder(*qr, qr->width - 7, qr->width - 7)) << "no finder bottom right";

  std::string svg = QrSvg(*qr, 4);
  size_t dark = 0;
  for (bool d : qr->dark) dark += d ? 1 : 0;
  EXPECT_EQ(Count(svg, "h1v1h-1z"), dark);
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  const std::string side = std::to_string(qr->width + 8);
  EXPECT_NE(svg.find("viewBox=\"0 0 " + side + " " + side + "\""), std::string::npos);
  // The top-left module of the finder sits just inside the quiet zone.
  EXPECT_NE(svg.find("M4 4h1v1h-1z"), std::string::npos);
  EXPECT_EQ(svg.find("M3 3h1v1h-1z"), std::string::npos);
}

TEST(QrSvg, RefusesTextTooLongForAnyVersion_ACC4) {
  auto qr = EncodeQr(std::string(8000, 'x'));
  EXPECT_FALSE(qr.ok());
}

}  // namespace
}  // namespace lethe
