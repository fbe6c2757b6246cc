#include "media/scrub.h"

#include <algorithm>
#include <exiv2/exiv2.hpp>
#include <mutex>
#include <set>

#include "media/scrub_mp4.h"

namespace lethe {
namespace {

// The EXIF tags that name the device or its owner, beyond the GPS and
// thumbnail groups and maker notes, which go whole.
constexpr std::string_view kDeviceExif[] = {
    "Exif.Image.Make",
    "Exif.Image.Model",
    "Exif.Image.UniqueCameraModel",
    "Exif.Image.LocalizedCameraModel",
    "Exif.Image.CameraSerialNumber",
    "Exif.Image.Software",
    "Exif.Image.HostComputer",
    "Exif.Image.GPSTag",
    "Exif.Photo.BodySerialNumber",
    "Exif.Photo.LensSerialNumber",
    "Exif.Photo.LensMake",
    "Exif.Photo.LensModel",
    "Exif.Photo.CameraOwnerName",
    "Exif.Photo.ImageUniqueID",
    "Exif.Photo.MakerNote",
};

// XMP properties (by name, any namespace) that say the same things.
constexpr std::string_view kDeviceXmp[] = {
    "Make",      "Model",         "SerialNumber", "LensSerialNumber", "BodySerialNumber",
    "Lens",      "LensModel",     "LensMake",     "LensID",           "CameraOwnerName",
    "OwnerName", "ImageUniqueID", "Software",
};

template <size_t N>
bool Listed(const std::string_view (&list)[N], const std::string& name) {
  return std::find(std::begin(list), std::end(list), name) != std::end(list);
}

void QuietExiv2() {
  static std::once_flag once;
  std::call_once(once, [] {
    Exiv2::XmpParser::initialize();  // before threads parse XMP
    Exiv2::LogMsg::setLevel(Exiv2::LogMsg::mute);
  });
}

Result<ScrubResult> ScrubImage(ByteSource& source, const ScrubLimits& limits) {
  QuietExiv2();
  auto input = ReadAllBytes(source, limits.max_bytes);
  if (input.status().code() == Status::Code::kTooLarge) {
    return Status(Status::Code::kTooLarge, "scrub-too-large",
                  "images over " + std::to_string(limits.max_bytes) +
                      " bytes cannot be scrubbed of metadata");
  }
  LETHE_RETURN_IF_ERROR(input.status());
  std::set<std::string> removed;
  try {
    Exiv2::Image::AutoPtr image =
        Exiv2::ImageFactory::open(input->data(), static_cast<long>(input->size()));
    if (image.get() == nullptr) {
      return Status::UnsupportedMedia("unscrubbable-media", "the image's metadata is unreadable");
    }
    image->readMetadata();
    Exiv2::ExifData& exif = image->exifData();
    bool thumbnail = false;
    for (auto it = exif.begin(); it != exif.end();) {
      const std::string key = it->key();
      const std::string group = it->groupName();
      if (group == "Thumbnail") {
        thumbnail = true;
        ++it;
        continue;
      }
      if (group == "GPSInfo" || group == "MakerNote" || Exiv2::ExifTags::isMakerGroup(group) ||
          Listed(kDeviceExif, key)) {
        if (Exiv2::ExifTags::isMakerGroup(group) || group == "MakerNote") {
          removed.insert("Exif.MakerNote");
        } else {
          removed.insert(key);
        }
        it = exif.erase(it);
      } else {
        ++it;
      }
    }
    if (thumbnail) {
      Exiv2::ExifThumb(exif).erase();
      removed.insert("Exif.Thumbnail");
    }
    Exiv2::XmpData& xmp = image->xmpData();
    for (auto it = xmp.begin(); it != xmp.end();) {
      const std::string key = it->key();
      if (key.find("GPS") != std::string::npos || Listed(kDeviceXmp, it->tagName())) {
        removed.insert(key.substr(0, key.find('[')));
        it = xmp.erase(it);
      } else {
        ++it;
      }
    }
    if (removed.empty()) return ScrubResult{};
    image->writeMetadata();
    Exiv2::BasicIo& io = image->io();
    if (static_cast<uint64_t>(io.size()) > limits.max_bytes) {
      return Status(Status::Code::kTooLarge, "scrub-too-large", "the scrubbed image is too large");
    }
    io.seek(0, Exiv2::BasicIo::beg);
    Exiv2::DataBuf out = io.read(static_cast<long>(io.size()));
    ScrubResult result;
    result.bytes.emplace(out.pData_, out.pData_ + out.size_);
    result.removed.assign(removed.begin(), removed.end());
    return result;
  } catch (const Exiv2::AnyError& e) {
    return Status::UnsupportedMedia("unscrubbable-media",
                                    std::string("the image's metadata is unreadable: ") + e.what());
  }
}

}  // namespace

bool ScrubHandles(std::string_view container) {
  return container == "jpeg" || container == "png" || container == "webp" || container == "mp4";
}

Result<ScrubResult> ScrubMetadata(std::string_view container, ByteSource& source,
                                  const ScrubLimits& limits) {
  if (container == "mp4") return ScrubMp4(source, limits);
  if (ScrubHandles(container)) return ScrubImage(source, limits);
  return ScrubResult{};
}

}  // namespace lethe
