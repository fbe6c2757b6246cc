#include "media/scrub_mp4.h"

#include <cctype>
#include <cstring>
#include <set>

#include "media/av_io.h"

namespace lethe {
namespace {

// Container and stream tags (as libavformat's mov demuxer names them) that
// tell where, when or with what a recording was made.
bool Revealing(std::string_view raw) {
  std::string lower(raw);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string_view key = lower;
  static constexpr std::string_view kExact[] = {
      "creation_time", "date", "location", "make", "model", "software",
  };
  static constexpr std::string_view kPrefixes[] = {
      "location", "com.apple.quicktime.", "com.android.", "com.samsung.", "xyz",
  };
  for (std::string_view k : kExact) {
    if (key == k) return true;
  }
  for (std::string_view p : kPrefixes) {
    if (key.substr(0, p.size()) == p) return true;
  }
  return false;
}

// Demuxer facts about the file, not tags anyone wrote.
bool Structural(std::string_view key) {
  return key == "major_brand" || key == "minor_version" || key == "compatible_brands" ||
         key == "handler_name" || key == "vendor_id" || key == "language";
}

// A tag's name as the audit chain may show it: tag names are the
// writer's choice in MP4 ("mdta" keys), so an unusual one is "other".
std::string Reported(std::string_view key) {
  if (key.empty() || key.size() > 48) return "other";
  for (char c : key) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    if (!ok) return "other";
  }
  return std::string(key);
}

Status Unscrubbable(const std::string& why) {
  return Status::UnsupportedMedia("unscrubbable-media", "the video could not be remuxed: " + why);
}

// The revealing tags and tracks a remux would remove; empty when the file
// can stay as it is.
std::set<std::string> Findings(const AVFormatContext* in) {
  std::set<std::string> found;
  const AVDictionaryEntry* e = nullptr;
  while ((e = av_dict_get(in->metadata, "", e, AV_DICT_IGNORE_SUFFIX)) != nullptr) {
    if (Revealing(e->key)) found.insert(Reported(e->key));
  }
  for (unsigned i = 0; i < in->nb_streams; ++i) {
    const AVStream* st = in->streams[i];
    if (st->codecpar->codec_type == AVMEDIA_TYPE_DATA) found.insert("data_track");
    e = nullptr;
    while ((e = av_dict_get(st->metadata, "", e, AV_DICT_IGNORE_SUFFIX)) != nullptr) {
      if (Revealing(e->key)) found.insert("stream." + std::string(e->key));
    }
  }
  return found;
}

// Everything else the remux drops with the container's metadata.
void AddDropped(const AVFormatContext* in, std::set<std::string>& removed) {
  const AVDictionaryEntry* e = nullptr;
  while ((e = av_dict_get(in->metadata, "", e, AV_DICT_IGNORE_SUFFIX)) != nullptr) {
    if (!Structural(e->key)) removed.insert(Reported(e->key));
  }
  if (in->nb_chapters > 0) removed.insert("chapters");
}

bool Kept(const AVStream* st) {
  AVMediaType t = st->codecpar->codec_type;
  return t == AVMEDIA_TYPE_VIDEO || t == AVMEDIA_TYPE_AUDIO || t == AVMEDIA_TYPE_SUBTITLE;
}

// A demuxer over `source` for reading tags and packets. The reader's first
// error is kept beside it, since FFmpeg only passes on a generic code;
// members go in reverse order, the input before its reader.
struct Mp4Input {
  Status read_error;
  av::Deadline deadline;
  av::IoPtr io;
  av::InputPtr input;

  Status Open(ByteSource& source, const ScrubLimits& limits) {
    io = av::ReaderOver(source, &read_error);
    if (!io) return Status::Internal("out of memory scrubbing media");
    deadline = {std::chrono::steady_clock::now() + limits.deadline};
    auto opened = av::OpenInput(io.get(), limits.probe_bytes, limits.analyze_us, &deadline);
    if (!read_error.ok()) return read_error;
    if (!opened.ok()) return Unscrubbable(opened.status().message());
    input = std::move(*opened);
    return Status::Ok();
  }
};

}  // namespace

Result<Mp4Metadata> ReadMp4Metadata(ByteSource& source, const ScrubLimits& limits) {
  Mp4Input in;
  LETHE_RETURN_IF_ERROR(in.Open(source, limits));
  std::set<std::string> found = Findings(in.input.get());
  Mp4Metadata out;
  out.revealing.assign(found.begin(), found.end());
  AddDropped(in.input.get(), found);
  out.removed.assign(found.begin(), found.end());
  return out;
}

Result<ScrubResult> ScrubMp4(ByteSource& source, const ScrubLimits& limits) {
  Mp4Input input;
  LETHE_RETURN_IF_ERROR(input.Open(source, limits));
  const Status& read_error = input.read_error;
  const av::Deadline& deadline = input.deadline;
  AVFormatContext* in = input.input.get();
  std::set<std::string> found = Findings(in);
  if (found.empty()) return ScrubResult{};
  if (source.size() > limits.max_bytes) {
    return Status(Status::Code::kTooLarge, "scrub-too-large",
                  "videos over " + std::to_string(limits.max_bytes) +
                      " bytes cannot be scrubbed of metadata");
  }

  // QuickTime stays QuickTime; anything else is written as MP4.
  const AVDictionaryEntry* brand = av_dict_get(in->metadata, "major_brand", nullptr, 0);
  const bool quicktime = brand != nullptr && std::string_view(brand->value).substr(0, 2) == "qt";
  AVFormatContext* raw_out = nullptr;
  if (avformat_alloc_output_context2(&raw_out, nullptr, quicktime ? "mov" : "mp4", nullptr) < 0) {
    return Status::Internal("the MP4 muxer is missing");
  }
  av::MuxerPtr out(raw_out);
  av::MemoryOutput<std::vector<uint8_t>> sink;
  sink.cap = limits.max_bytes;
  sink.bytes.reserve(source.size() + (64 << 10));
  out->pb = av::WriterTo(&sink);
  if (out->pb == nullptr) return Status::Internal("out of memory scrubbing media");
  out->flags |= AVFMT_FLAG_BITEXACT;  // no encoder tag or write time of our own
  std::vector<int> map(in->nb_streams, -1);
  for (unsigned i = 0; i < in->nb_streams; ++i) {
    const AVStream* ist = in->streams[i];
    if (!Kept(ist)) continue;
    AVStream* ost = avformat_new_stream(out.get(), nullptr);
    if (ost == nullptr || avcodec_parameters_copy(ost->codecpar, ist->codecpar) < 0) {
      return Status::Internal("out of memory scrubbing media");
    }
    ost->time_base = ist->time_base;
    ost->disposition = ist->disposition;
    const AVDictionaryEntry* e = nullptr;
    while ((e = av_dict_get(ist->metadata, "", e, AV_DICT_IGNORE_SUFFIX)) != nullptr) {
      if (!Revealing(e->key)) av_dict_set(&ost->metadata, e->key, e->value, 0);
    }
    for (int s = 0; s < ist->nb_side_data; ++s) {  // the display matrix (rotation) among them
      const AVPacketSideData& sd = ist->side_data[s];
      uint8_t* copy = av_stream_new_side_data(ost, sd.type, sd.size);
      if (copy == nullptr) return Status::Internal("out of memory scrubbing media");
      std::memcpy(copy, sd.data, sd.size);
    }
    map[i] = ost->index;
  }
  if (out->nb_streams == 0) return Unscrubbable("no audio or video stream to keep");
  int rc = avformat_write_header(out.get(), nullptr);
  if (rc < 0) return Unscrubbable(av::ErrorText(rc));
  AVPacket* pkt = av_packet_alloc();
  if (pkt == nullptr) return Status::Internal("out of memory scrubbing media");
  for (;;) {
    rc = av_read_frame(in, pkt);
    if (rc == AVERROR_EOF) break;
    if (rc < 0) break;
    const int to = map[static_cast<size_t>(pkt->stream_index)];
    if (to < 0) {
      av_packet_unref(pkt);
      continue;
    }
    av_packet_rescale_ts(pkt, in->streams[pkt->stream_index]->time_base,
                         out->streams[to]->time_base);
    pkt->stream_index = to;
    pkt->pos = -1;
    rc = av_interleaved_write_frame(out.get(), pkt);
    if (rc < 0) break;
  }
  av_packet_free(&pkt);
  if (rc == AVERROR_EOF) rc = av_write_trailer(out.get());
  if (!read_error.ok()) return read_error;
  if (sink.over) {
    return Status(Status::Code::kTooLarge, "scrub-too-large",
                  "the scrubbed video would exceed " + std::to_string(limits.max_bytes) + " bytes");
  }
  if (deadline.hit) return Unscrubbable("the time limit passed");
  if (rc < 0) return Unscrubbable(av::ErrorText(rc));
  AddDropped(in, found);
  ScrubResult result;
  result.removed.assign(found.begin(), found.end());
  result.bytes = std::move(sink.bytes);
  return result;
}

}  // namespace lethe
