#include "media/web_rendition_mp4.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "media/av_input.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
}

namespace lethe {
namespace {

// The MP4 read back: for faststart the mov muxer reopens its output
// (AVFormatContext::io_open) to move the media data behind the index.
struct ReadBack {
  const av::MemoryOutput<std::string>* sink;
  uint64_t pos = 0;
};

int ReadBackPacket(void* opaque, uint8_t* buf, int size) {
  auto* r = static_cast<ReadBack*>(opaque);
  const std::string& b = r->sink->bytes;
  if (r->pos >= b.size()) return AVERROR_EOF;
  size_t n = std::min<size_t>(static_cast<size_t>(size), b.size() - r->pos);
  std::memcpy(buf, b.data() + r->pos, n);
  r->pos += n;
  return static_cast<int>(n);
}

int64_t ReadBackSeek(void* opaque, int64_t offset, int whence) {
  auto* r = static_cast<ReadBack*>(opaque);
  return av::SeekWithin(&r->pos, r->sink->bytes.size(), offset, whence);
}

int OpenReadBack(AVFormatContext* s, AVIOContext** pb, const char*, int flags, AVDictionary**) {
  if (flags & AVIO_FLAG_WRITE) return AVERROR(EPERM);
  auto* r =
      new (std::nothrow) ReadBack{static_cast<const av::MemoryOutput<std::string>*>(s->opaque)};
  auto* buffer = static_cast<unsigned char*>(av_malloc(av::kMuxBufferBytes));
  *pb = r && buffer ? avio_alloc_context(buffer, av::kMuxBufferBytes, 0, r, &ReadBackPacket,
                                         nullptr, &ReadBackSeek)
                    : nullptr;
  if (*pb == nullptr) {
    delete r;
    av_free(buffer);
    return AVERROR(ENOMEM);
  }
  return 0;
}

int CloseReadBack(AVFormatContext*, AVIOContext* pb) {
  delete static_cast<ReadBack*>(pb->opaque);
  av_freep(&pb->buffer);
  avio_context_free(&pb);
  return 0;
}

}  // namespace

Status ProcessingLimit(const std::string& what) {
  return Status::Unprocessable("processing-limit", what);
}

Status RenditionMp4::Open() {
  AVFormatContext* raw = nullptr;
  if (avformat_alloc_output_context2(&raw, nullptr, "mp4", nullptr) < 0 || raw == nullptr) {
    return Status::Internal("the MP4 muxer is missing");
  }
  out_.reset(raw);
  out_->pb = av::WriterTo(&sink_);
  if (out_->pb == nullptr) return Status::Internal("out of memory");
  out_->opaque = &sink_;
  out_->io_open = &OpenReadBack;
  out_->io_close2 = &CloseReadBack;
  return Status::Ok();
}

Result<AVStream*> RenditionMp4::AddStream(AVCodecContext* enc, const AVCodec* codec,
                                          AVDictionary** opts) {
  if (out_->oformat->flags & AVFMT_GLOBALHEADER) enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  int rc = avcodec_open2(enc, codec, opts);
  av_dict_free(opts);
  if (rc < 0) return AvError("cannot open the encoder", rc);
  AVStream* out = avformat_new_stream(out_.get(), nullptr);
  if (out == nullptr) return Status::Internal("out of memory");
  rc = avcodec_parameters_from_context(out->codecpar, enc);
  if (rc < 0) return AvError("encoder parameters", rc);
  out->time_base = enc->time_base;
  return out;
}

Status RenditionMp4::Start() {
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "movflags", "+faststart", 0);
  int rc = avformat_write_header(out_.get(), &opts);
  av_dict_free(&opts);
  if (rc < 0) return Failed("cannot start the MP4", rc);
  return Status::Ok();
}

Status RenditionMp4::Write(AVPacket* pkt) {
  int rc = av_interleaved_write_frame(out_.get(), pkt);
  if (rc < 0) return Failed("cannot write the MP4", rc);
  return Status::Ok();
}

Result<std::string> RenditionMp4::Finish() {
  int rc = av_write_trailer(out_.get());
  if (rc < 0) return Failed("cannot finish the MP4", rc);
  avio_flush(out_->pb);
  if (sink_.over) return TooLarge();
  return std::move(sink_.bytes);
}

Status RenditionMp4::Failed(const std::string& what, int rc) const {
  if (sink_.over) return TooLarge();
  return AvError(what, rc);
}

Status RenditionMp4::TooLarge() const {
  return ProcessingLimit("the web rendition would exceed " + std::to_string(sink_.cap) + " bytes");
}

}  // namespace lethe
