#include "media/probe.h"

#include <cmath>
#include <exiv2/exiv2.hpp>
#include <vector>

#include "media/av_io.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/display.h>
#include <libavutil/rational.h>
}

namespace lethe {
namespace {

Status Undecodable(const std::string& why) {
  return Status::UnsupportedMedia("undecodable-media", why);
}

bool IsAudioOrVideo(const AVStream* st) {
  const AVMediaType type = st->codecpar->codec_type;
  return type == AVMEDIA_TYPE_VIDEO || type == AVMEDIA_TYPE_AUDIO;
}

// Clockwise degrees a player turns the picture, from the display matrix.
std::optional<int64_t> RotationOf(const AVStream* st) {
  const uint8_t* matrix = av_stream_get_side_data(st, AV_PKT_DATA_DISPLAYMATRIX, nullptr);
  if (matrix == nullptr) return 0;
  double ccw = av_display_rotation_get(reinterpret_cast<const int32_t*>(matrix));
  if (std::isnan(ccw)) return std::nullopt;
  auto cw = static_cast<int64_t>(std::lround(-ccw)) % 360;
  if (cw < 0) cw += 360;
  return cw;
}

// A truncated file whose index survived (moov before mdat) still opens;
// its last sample then lies past the end of the bytes.
bool IndexPastEnd(AVStream* st, uint64_t size) {
  int n = avformat_index_get_entries_count(st);
  if (n <= 0) return false;
  const AVIndexEntry* last = avformat_index_get_entry(st, n - 1);
  return last != nullptr && last->pos >= 0 &&
         static_cast<uint64_t>(last->pos) + static_cast<uint64_t>(last->size) > size;
}

// Width times height as an image's header declares them (libexiv2 reads
// headers only), from at most its first MiB; unset when it cannot tell.
// Tells a picture the decoder refused for its size from a corrupt one.
std::optional<int64_t> DeclaredPixels(ByteSource& source) {
  std::vector<uint8_t> head(std::min<uint64_t>(source.size(), 1 << 20));
  auto n = source.ReadAt(0, head);
  if (!n.ok() || *n == 0) return std::nullopt;
  try {
    Exiv2::Image::AutoPtr image = Exiv2::ImageFactory::open(head.data(), static_cast<long>(*n));
    if (image.get() == nullptr) return std::nullopt;
    image->readMetadata();
    return static_cast<int64_t>(image->pixelWidth()) * image->pixelHeight();
  } catch (const Exiv2::AnyError&) {
    return std::nullopt;
  }
}

}  // namespace

Result<MediaProbe> ProbeMedia(ByteSource& source, const ProbeLimits& limits) {
  Status read_error;
  av::IoPtr io = av::ReaderOver(source, &read_error);
  if (!io) return Status::Internal("out of memory probing media");
  av::Deadline deadline{std::chrono::steady_clock::now() + limits.deadline};
  auto opened = av::OpenInput(io.get(), limits.probe_bytes, limits.analyze_us, &deadline);
  if (!read_error.ok()) return read_error;
  LETHE_RETURN_IF_ERROR(opened.status());
  AVFormatContext* fmt = opened->get();

  // Decoders that find_stream_info opens: one thread, and a frame size
  // cap checked when the header is parsed, before any frame is allocated.
  std::vector<AVDictionary*> options(fmt->nb_streams, nullptr);
  const std::string max_pixels = std::to_string(limits.max_pixels);
  for (AVDictionary*& d : options) {
    av_dict_set(&d, "threads", "1", 0);
    av_dict_set(&d, "max_pixels", max_pixels.c_str(), 0);
  }
  int rc = avformat_find_stream_info(fmt, options.empty() ? nullptr : options.data());
  for (AVDictionary*& d : options) av_dict_free(&d);
  if (!read_error.ok()) return read_error;
  if (deadline.hit) {
    return Status::UnsupportedMedia("media-probe-limit",
                                    "the media could not be read within the time limit");
  }
  if (rc < 0) return Undecodable("the media's streams could not be read: " + av::ErrorText(rc));

  MediaProbe probe;
  probe.format = fmt->iformat->name;
  const AVStream* video = nullptr;
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    AVStream* st = fmt->streams[i];
    if (!IsAudioOrVideo(st)) continue;
    if (IndexPastEnd(st, source.size())) {
      return Undecodable("the media is truncated: its index points past the end of the file");
    }
    probe.codecs.emplace_back(avcodec_get_name(st->codecpar->codec_id));
    if (video == nullptr && st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
        !(st->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
      video = st;
    }
  }
  if (probe.codecs.empty()) return Undecodable("the media holds no audio or video stream");
  if (video != nullptr) {
    const AVCodecParameters* par = video->codecpar;
    if (par->width <= 0 || par->height <= 0) {
      // The decoder refused the header (max_pixels) or could not parse it.
      std::optional<int64_t> declared = DeclaredPixels(source);
      if (declared && *declared > limits.max_pixels) {
        return Status::UnsupportedMedia(
            "media-too-large-dimensions",
            "the picture is declared larger than " + max_pixels + " pixels");
      }
      return Undecodable("the picture could not be decoded");
    }
    if (static_cast<int64_t>(par->width) * par->height > limits.max_pixels) {
      return Status::UnsupportedMedia("media-too-large-dimensions",
                                      "the picture is larger than " + max_pixels + " pixels");
    }
    probe.width = par->width;
    probe.height = par->height;
    probe.rotation = RotationOf(video);
    AVRational rate = video->avg_frame_rate;
    if (rate.num > 0 && rate.den > 0 && fmt->duration > 0) {
      av_reduce(&rate.num, &rate.den, rate.num, rate.den, 1 << 30);
      probe.frame_rate = std::to_string(rate.num) + "/" + std::to_string(rate.den);
    }
  }
  if (fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0) {
    probe.duration_ms = av_rescale(fmt->duration, 1000, AV_TIME_BASE);
  }
  return probe;
}

}  // namespace lethe
