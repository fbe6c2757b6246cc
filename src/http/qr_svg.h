// QR codes as SVG, for enrolling an authenticator app by camera (ACC-4).
// libqrencode lays out the modules; this file only draws them, one black
// square per dark module, inside the 4-module quiet zone the standard asks.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"

namespace lethe {

// The module matrix of a QR code: width x width, row by row.
struct QrMatrix {
  int width = 0;
  std::vector<bool> dark;
  bool At(int x, int y) const { return dark[static_cast<size_t>(y) * width + x]; }
};

// Encodes `text` as bytes at error-correction level M. Returns the matrix;
// InvalidArgument when the text is too long for any QR version; Internal
// when libqrencode fails otherwise.
Result<QrMatrix> EncodeQr(const std::string& text);

// The matrix as a standalone SVG document: a white square of (width + 8)
// modules with one dark path, `module_px` pixels per module.
std::string QrSvg(const QrMatrix& qr, int module_px = 4);

}  // namespace lethe
