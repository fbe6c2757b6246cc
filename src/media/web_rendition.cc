#include "media/web_rendition.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <new>

#include "media/av_input.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

namespace lethe {
namespace {

constexpr int kIoBuffer = 64 * 1024;

// The MP4 being written: growable, seekable (the muxer patches box sizes)
// and capped.
struct Sink {
  std::string bytes;
  uint64_t pos = 0;
  uint64_t cap = 0;
  bool over = false;
};

// (buf is const from FFmpeg 6 on.)
int WriteOut(void* opaque, uint8_t* buf, int size) {
  auto* s = static_cast<Sink*>(opaque);
  const uint64_t end = s->pos + static_cast<uint64_t>(size);
  if (end > s->cap) {
    s->over = true;
    return AVERROR(EFBIG);
  }
  if (end > s->bytes.size()) s->bytes.resize(end);
  std::memcpy(s->bytes.data() + s->pos, buf, static_cast<size_t>(size));
  s->pos = end;
  return size;
}

// Moves `*pos` as lseek would over `size` bytes.
int64_t SeekIn(uint64_t* pos, uint64_t size, int64_t offset, int whence) {
  switch (whence & ~AVSEEK_FORCE) {
    case AVSEEK_SIZE:
      return static_cast<int64_t>(size);
    case SEEK_SET:
      break;
    case SEEK_CUR:
      offset += static_cast<int64_t>(*pos);
      break;
    case SEEK_END:
      offset += static_cast<int64_t>(size);
      break;
    default:
      return AVERROR(EINVAL);
  }
  if (offset < 0) return AVERROR(EINVAL);
  *pos = static_cast<uint64_t>(offset);
  return offset;
}

int64_t SeekOut(void* opaque, int64_t offset, int whence) {
  auto* s = static_cast<Sink*>(opaque);
  return SeekIn(&s->pos, s->bytes.size(), offset, whence);
}

// The MP4 read back: for faststart the mov muxer reopens its output
// (AVFormatContext::io_open) to move the media data behind the index.
struct ReadBack {
  const Sink* sink;
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
  return SeekIn(&r->pos, r->sink->bytes.size(), offset, whence);
}

int OpenReadBack(AVFormatContext* s, AVIOContext** pb, const char*, int flags, AVDictionary**) {
  if (flags & AVIO_FLAG_WRITE) return AVERROR(EPERM);
  auto* r = new (std::nothrow) ReadBack{static_cast<const Sink*>(s->opaque)};
  auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBuffer));
  *pb = r && buffer
            ? avio_alloc_context(buffer, kIoBuffer, 0, r, &ReadBackPacket, nullptr, &ReadBackSeek)
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

struct OutputFree {
  void operator()(AVFormatContext* fmt) const {
    if (fmt->pb != nullptr) {
      av_freep(&fmt->pb->buffer);
      avio_context_free(&fmt->pb);
    }
    avformat_free_context(fmt);
  }
};
struct SwsFree {
  void operator()(SwsContext* s) const { sws_freeContext(s); }
};
struct SwrFree {
  void operator()(SwrContext* s) const { swr_free(&s); }
};
struct FifoFree {
  void operator()(AVAudioFifo* f) const { av_audio_fifo_free(f); }
};

Status Limit(const std::string& what) { return Status::Unprocessable("processing-limit", what); }

bool Oversized(int w, int h) {
  return w <= 0 || h <= 0 || static_cast<int64_t>(w) * h > kMaxDecodePixels;
}

int Even(double v) { return std::max(2, static_cast<int>(std::lround(v / 2.0)) * 2); }

// One decoded input stream and the encoder it feeds.
struct Lane {
  AVStream* in = nullptr;
  AVStream* out = nullptr;
  AvCodecContextPtr dec;
  AvCodecContextPtr enc;
  int64_t frames = 0;    // decoded
  int64_t next_pts = 0;  // audio: in samples; video: the least pts the next frame may have
};

class Transcoder {
 public:
  explicit Transcoder(const WebRenditionOptions& o) : o_(o) {}

  Result<std::string> Run(std::span<const uint8_t> media) {
    LETHE_RETURN_IF_ERROR(input_.Open(media));
    AVFormatContext* fmt = input_.format();
    for (unsigned i = 0; i < fmt->nb_streams; ++i) {
      AVStream* s = fmt->streams[i];
      const AVMediaType t = s->codecpar->codec_type;
      if (t == AVMEDIA_TYPE_VIDEO && !video_.in && !(s->disposition & AV_DISPOSITION_ATTACHED_PIC))
        video_.in = s;
      if (t == AVMEDIA_TYPE_AUDIO && !audio_.in) audio_.in = s;
    }
    if (!video_.in && !audio_.in) {
      return Status::Unprocessable("media-undecodable", "the media has no audio or video");
    }
    if (video_.in && video_.in->nb_frames == 1 && !audio_.in) {
      return Status::Unprocessable("media-undecodable", "a still image is not transcoded");
    }
    origin_us_ = fmt->start_time != AV_NOPTS_VALUE ? fmt->start_time : 0;
    duration_us_ = input_.DurationMs() * 1000;
    media_bytes_ = media.size();
    LETHE_RETURN_IF_ERROR(OpenOutput());
    if (video_.in) LETHE_RETURN_IF_ERROR(OpenVideo());
    if (audio_.in) LETHE_RETURN_IF_ERROR(OpenAudio());
    AVDictionary* opts = nullptr;
    av_dict_set(&opts, "movflags", "+faststart", 0);
    int rc = avformat_write_header(out_.get(), &opts);
    av_dict_free(&opts);
    if (rc < 0) return Failed("cannot start the MP4", rc);

    AvPacketPtr pkt(av_packet_alloc());
    if (!pkt) return Status::Internal("out of memory");
    while (av_read_frame(fmt, pkt.get()) >= 0) {  // an error is the end, as players see it
      Status st = Status::Ok();
      if (video_.in && pkt->stream_index == video_.in->index) st = Decode(video_, pkt.get());
      if (audio_.in && pkt->stream_index == audio_.in->index) st = Decode(audio_, pkt.get());
      Report(*pkt);
      av_packet_unref(pkt.get());
      LETHE_RETURN_IF_ERROR(st);
    }
    for (Lane* l : {&video_, &audio_}) {
      if (!l->in) continue;
      LETHE_RETURN_IF_ERROR(Decode(*l, nullptr));
      if (l->frames == 0) {
        return Status::Unprocessable("media-undecodable", "no frame could be decoded");
      }
      if (l == &audio_) LETHE_RETURN_IF_ERROR(FlushAudio());
      rc = avcodec_send_frame(l->enc.get(), nullptr);
      if (rc < 0) return Failed("cannot finish encoding", rc);
      LETHE_RETURN_IF_ERROR(Drain(*l));
    }
    rc = av_write_trailer(out_.get());
    if (rc < 0) return Failed("cannot finish the MP4", rc);
    avio_flush(out_->pb);
    if (sink_.over) return TooLarge();
    if (o_.progress) o_.progress(1.0);
    return std::move(sink_.bytes);
  }

 private:
  Status TooLarge() {
    return Limit("the web rendition would exceed " + std::to_string(o_.max_bytes) + " bytes");
  }
  Status Failed(const std::string& what, int rc) {
    if (sink_.over) return TooLarge();
    return AvError(what, rc);
  }

  Status OpenOutput() {
    AVFormatContext* raw = nullptr;
    if (avformat_alloc_output_context2(&raw, nullptr, "mp4", nullptr) < 0 || raw == nullptr) {
      return Status::Internal("the MP4 muxer is missing");
    }
    out_.reset(raw);
    sink_.cap = o_.max_bytes;
    auto* buffer = static_cast<unsigned char*>(av_malloc(kIoBuffer));
    if (buffer == nullptr) return Status::Internal("out of memory");
    out_->pb = avio_alloc_context(buffer, kIoBuffer, 1, &sink_, nullptr, &WriteOut, &SeekOut);
    if (out_->pb == nullptr) {
      av_free(buffer);
      return Status::Internal("out of memory");
    }
    out_->opaque = &sink_;
    out_->io_open = &OpenReadBack;
    out_->io_close2 = &CloseReadBack;
    return Status::Ok();
  }

  Status OpenDecoder(Lane& l) {
    const AVCodec* codec = avcodec_find_decoder(l.in->codecpar->codec_id);
    if (codec == nullptr) return Status::Unprocessable("media-undecodable", "no decoder");
    l.dec.reset(avcodec_alloc_context3(codec));
    if (!l.dec) return Status::Internal("out of memory");
    int rc = avcodec_parameters_to_context(l.dec.get(), l.in->codecpar);
    if (rc < 0) return AvError("decoder parameters", rc);
    l.dec->thread_count = 1;  // the worker's CPU limit is per process
    l.dec->pkt_timebase = l.in->time_base;
    rc = avcodec_open2(l.dec.get(), codec, nullptr);
    if (rc < 0) return AvError("cannot open the decoder", rc);
    return Status::Ok();
  }

  Status AddOutput(Lane& l, const AVCodec* codec, AVDictionary** opts) {
    if (out_->oformat->flags & AVFMT_GLOBALHEADER) l.enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    int rc = avcodec_open2(l.enc.get(), codec, opts);
    av_dict_free(opts);
    if (rc < 0) return AvError("cannot open the encoder", rc);
    l.out = avformat_new_stream(out_.get(), nullptr);
    if (l.out == nullptr) return Status::Internal("out of memory");
    rc = avcodec_parameters_from_context(l.out->codecpar, l.enc.get());
    if (rc < 0) return AvError("encoder parameters", rc);
    l.out->time_base = l.enc->time_base;
    return Status::Ok();
  }

  Status OpenVideo() {
    const AVCodecParameters* par = video_.in->codecpar;
    if (Oversized(par->width, par->height)) return TooLargePicture(par->width, par->height);
    LETHE_RETURN_IF_ERROR(OpenDecoder(video_));
    const AVCodec* x264 = avcodec_find_encoder_by_name("libx264");
    if (x264 == nullptr) return Status::Internal("the H.264 encoder (libx264) is missing");
    video_.enc.reset(avcodec_alloc_context3(x264));
    if (!video_.enc) return Status::Internal("out of memory");
    // Square pixels at the display aspect, at most max_width wide.
    AVRational sar = av_guess_sample_aspect_ratio(input_.format(), video_.in, nullptr);
    double display_w = par->width * (sar.num > 0 && sar.den > 0 ? av_q2d(sar) : 1.0);
    double scale = std::min(1.0, o_.max_width / display_w);
    AVCodecContext* e = video_.enc.get();
    e->width = Even(display_w * scale);
    e->height = Even(par->height * scale);
    e->sample_aspect_ratio = AVRational{1, 1};
    e->pix_fmt = AV_PIX_FMT_YUV420P;
    e->time_base = video_.in->time_base.num > 0 ? video_.in->time_base : AVRational{1, 90000};
    AVRational rate = av_guess_frame_rate(input_.format(), video_.in, nullptr);
    if (rate.num > 0 && rate.den > 0) {
      e->framerate = rate;
      e->gop_size = std::max(1, static_cast<int>(2 * av_q2d(rate)));  // a key frame each 2 s
    }
    e->thread_count = std::max(1, o_.threads);
    AVDictionary* opts = nullptr;
    av_dict_set(&opts, "preset", o_.preset.c_str(), 0);
    av_dict_set(&opts, "crf", std::to_string(o_.crf).c_str(), 0);
    LETHE_RETURN_IF_ERROR(AddOutput(video_, x264, &opts));
    // The rotation stays a display matrix, as players expect in MP4.
    size_t size = 0;
    const uint8_t* matrix = av_stream_get_side_data(video_.in, AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (matrix != nullptr && size > 0) {
      uint8_t* copy = av_stream_new_side_data(video_.out, AV_PKT_DATA_DISPLAYMATRIX, size);
      if (copy == nullptr) return Status::Internal("out of memory");
      std::memcpy(copy, matrix, size);
    }
    scaled_.reset(av_frame_alloc());
    if (!scaled_) return Status::Internal("out of memory");
    scaled_->format = e->pix_fmt;
    scaled_->width = e->width;
    scaled_->height = e->height;
    if (av_frame_get_buffer(scaled_.get(), 0) < 0) return Status::Internal("out of memory");
    return Status::Ok();
  }

  Status OpenAudio() {
    const AVCodecParameters* par = audio_.in->codecpar;
    if (par->sample_rate <= 0 || par->ch_layout.nb_channels <= 0) {
      return Status::Unprocessable("media-undecodable", "the audio has no sample rate");
    }
    LETHE_RETURN_IF_ERROR(OpenDecoder(audio_));
    const AVCodec* aac = avcodec_find_encoder(AV_CODEC_ID_AAC);
    if (aac == nullptr) return Status::Internal("the AAC encoder is missing");
    audio_.enc.reset(avcodec_alloc_context3(aac));
    if (!audio_.enc) return Status::Internal("out of memory");
    AVCodecContext* e = audio_.enc.get();
    int rate = 48000;  // unless the encoder takes the input's own
    for (const int* r = aac->supported_samplerates; r && *r; ++r) {
      if (*r == par->sample_rate) rate = *r;
    }
    const int channels = std::min(2, par->ch_layout.nb_channels);
    av_channel_layout_default(&e->ch_layout, channels);
    e->sample_rate = rate;
    e->sample_fmt = AV_SAMPLE_FMT_FLTP;
    e->bit_rate = channels == 2 ? o_.audio_bit_rate : o_.audio_bit_rate / 2;
    e->time_base = AVRational{1, rate};
    e->thread_count = 1;
    AVDictionary* opts = nullptr;
    LETHE_RETURN_IF_ERROR(AddOutput(audio_, aac, &opts));
    fifo_.reset(av_audio_fifo_alloc(e->sample_fmt, channels, 4 * 1024));
    if (!fifo_) return Status::Internal("out of memory");
    return Status::Ok();
  }

  Status TooLargePicture(int w, int h) {
    return Limit("the picture is " + std::to_string(w) + "x" + std::to_string(h) +
                 ", past the limit");
  }

  // Sends `pkt` (null: the end) to the lane's decoder and encodes what
  // comes out. A damaged packet is skipped, as players do.
  Status Decode(Lane& l, const AVPacket* pkt) {
    int rc = avcodec_send_packet(l.dec.get(), pkt);
    if (rc < 0 && rc != AVERROR(EAGAIN) && rc != AVERROR_EOF) return Status::Ok();
    AvFramePtr frame(av_frame_alloc());
    if (!frame) return Status::Internal("out of memory");
    for (;;) {
      rc = avcodec_receive_frame(l.dec.get(), frame.get());
      if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return Status::Ok();
      if (rc < 0) return Status::Ok();  // a frame that does not decode
      ++l.frames;
      Status st = &l == &video_ ? EncodeVideo(*frame) : EncodeAudio(*frame);
      av_frame_unref(frame.get());
      LETHE_RETURN_IF_ERROR(st);
    }
  }

  // Timestamps from the start of the file, in the stream's time base.
  int64_t FromOrigin(const Lane& l, int64_t ts) {
    return ts - av_rescale_q(origin_us_, AV_TIME_BASE_Q, l.in->time_base);
  }

  Status EncodeVideo(const AVFrame& f) {
    if (Oversized(f.width, f.height)) return TooLargePicture(f.width, f.height);
    AVCodecContext* e = video_.enc.get();
    int64_t ts = f.best_effort_timestamp;
    int64_t pts = ts == AV_NOPTS_VALUE ? video_.next_pts : FromOrigin(video_, ts);
    if (pts < video_.next_pts) return Status::Ok();  // a repeated or late frame: x264 wants order
    video_.next_pts = pts + 1;
    sws_.reset(sws_getCachedContext(sws_.release(), f.width, f.height,
                                    static_cast<AVPixelFormat>(f.format), e->width, e->height,
                                    e->pix_fmt, SWS_BICUBIC, nullptr, nullptr, nullptr));
    if (!sws_) return Status::Unprocessable("media-undecodable", "unsupported pixel format");
    if (av_frame_make_writable(scaled_.get()) < 0) return Status::Internal("out of memory");
    sws_scale(sws_.get(), f.data, f.linesize, 0, f.height, scaled_->data, scaled_->linesize);
    scaled_->pts = pts;
    int rc = avcodec_send_frame(e, scaled_.get());
    if (rc < 0) return Failed("cannot encode a frame", rc);
    return Drain(video_);
  }

  Status EncodeAudio(const AVFrame& f) {
    AVCodecContext* e = audio_.enc.get();
    if (audio_.frames == 1 && f.pts != AV_NOPTS_VALUE) {  // starts where the file says
      audio_.next_pts = std::max<int64_t>(
          0, av_rescale_q(FromOrigin(audio_, f.pts), audio_.in->time_base, e->time_base));
    }
    AVChannelLayout in_layout{};
    if (f.ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || f.ch_layout.nb_channels <= 0) {
      av_channel_layout_default(&in_layout, std::max(1, f.ch_layout.nb_channels));
    } else if (av_channel_layout_copy(&in_layout, &f.ch_layout) < 0) {
      return Status::Internal("out of memory");
    }
    // The resampler follows the input's format, which may change midway.
    const bool changed = !swr_ || f.format != swr_format_ || f.sample_rate != swr_rate_ ||
                         av_channel_layout_compare(&in_layout, &swr_layout_) != 0;
    if (changed) {
      SwrContext* raw = nullptr;
      int rc =
          swr_alloc_set_opts2(&raw, &e->ch_layout, e->sample_fmt, e->sample_rate, &in_layout,
                              static_cast<AVSampleFormat>(f.format), f.sample_rate, 0, nullptr);
      swr_.reset(raw);
      if (rc < 0 || swr_init(swr_.get()) < 0) {
        av_channel_layout_uninit(&in_layout);
        return Status::Unprocessable("media-undecodable", "unsupported audio format");
      }
      swr_format_ = f.format;
      swr_rate_ = f.sample_rate;
      av_channel_layout_uninit(&swr_layout_);
      swr_layout_ = in_layout;
    } else {
      av_channel_layout_uninit(&in_layout);
    }
    return Resample(f.extended_data, f.nb_samples, false);
  }

  // Resampled `in` (null: what the resampler holds) into the FIFO, and
  // every whole AAC frame (every frame, at the end) to the encoder.
  Status Resample(uint8_t* const* in, int samples, bool last) {
    AVCodecContext* e = audio_.enc.get();
    int room = swr_get_out_samples(swr_.get(), samples);
    if (room > 0) {
      AvFramePtr buf(av_frame_alloc());
      if (!buf) return Status::Internal("out of memory");
      buf->format = e->sample_fmt;
      buf->sample_rate = e->sample_rate;
      buf->nb_samples = room;
      if (av_channel_layout_copy(&buf->ch_layout, &e->ch_layout) < 0 ||
          av_frame_get_buffer(buf.get(), 0) < 0) {
        return Status::Internal("out of memory");
      }
      int got = swr_convert(swr_.get(), buf->extended_data, room, const_cast<const uint8_t**>(in),
                            samples);
      if (got < 0) return Status::Unprocessable("media-undecodable", "the audio does not resample");
      if (got > 0 && av_audio_fifo_write(fifo_.get(), reinterpret_cast<void**>(buf->extended_data),
                                         got) < got) {
        return Status::Internal("out of memory");
      }
    }
    const int size = e->frame_size > 0 ? e->frame_size : 1024;
    while (av_audio_fifo_size(fifo_.get()) >= size || (last && av_audio_fifo_size(fifo_.get()))) {
      AvFramePtr frame(av_frame_alloc());
      if (!frame) return Status::Internal("out of memory");
      frame->format = e->sample_fmt;
      frame->sample_rate = e->sample_rate;
      frame->nb_samples = std::min(size, av_audio_fifo_size(fifo_.get()));
      if (av_channel_layout_copy(&frame->ch_layout, &e->ch_layout) < 0 ||
          av_frame_get_buffer(frame.get(), 0) < 0) {
        return Status::Internal("out of memory");
      }
      av_audio_fifo_read(fifo_.get(), reinterpret_cast<void**>(frame->extended_data),
                         frame->nb_samples);
      frame->pts = audio_.next_pts;
      audio_.next_pts += frame->nb_samples;
      int rc = avcodec_send_frame(e, frame.get());
      if (rc < 0) return Failed("cannot encode audio", rc);
      LETHE_RETURN_IF_ERROR(Drain(audio_));
    }
    return Status::Ok();
  }

  Status FlushAudio() {
    if (!swr_) return Status::Ok();
    return Resample(nullptr, 0, true);
  }

  // Muxes every packet the lane's encoder has ready.
  Status Drain(Lane& l) {
    AvPacketPtr pkt(av_packet_alloc());
    if (!pkt) return Status::Internal("out of memory");
    for (;;) {
      int rc = avcodec_receive_packet(l.enc.get(), pkt.get());
      if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return Status::Ok();
      if (rc < 0) return Failed("cannot encode", rc);
      av_packet_rescale_ts(pkt.get(), l.enc->time_base, l.out->time_base);
      pkt->stream_index = l.out->index;
      rc = av_interleaved_write_frame(out_.get(), pkt.get());
      if (rc < 0) return Failed("cannot write the MP4", rc);
    }
  }

  // The share of the input read, by time when the duration is known, else
  // by position; told each time it grew by 1 %.
  void Report(const AVPacket& pkt) {
    if (!o_.progress) return;
    double done = -1;
    const int64_t ts = pkt.dts != AV_NOPTS_VALUE ? pkt.dts : pkt.pts;
    if (duration_us_ > 0 && ts != AV_NOPTS_VALUE) {
      const AVRational tb = input_.format()->streams[pkt.stream_index]->time_base;
      done = static_cast<double>(av_rescale_q(ts, tb, AV_TIME_BASE_Q) - origin_us_) /
             static_cast<double>(duration_us_);
    } else if (pkt.pos >= 0 && media_bytes_ > 0) {
      done = static_cast<double>(pkt.pos) / static_cast<double>(media_bytes_);
    }
    done = std::clamp(done, 0.0, 0.999);  // 1 once the MP4 is whole
    if (done >= reported_ + 0.01) {
      reported_ = done;
      o_.progress(done);
    }
  }

  const WebRenditionOptions& o_;
  AvInput input_;
  Sink sink_;
  std::unique_ptr<AVFormatContext, OutputFree> out_;
  Lane video_, audio_;
  std::unique_ptr<SwsContext, SwsFree> sws_;
  AvFramePtr scaled_;
  std::unique_ptr<SwrContext, SwrFree> swr_;
  int swr_format_ = -1;
  int swr_rate_ = 0;
  AVChannelLayout swr_layout_{};
  std::unique_ptr<AVAudioFifo, FifoFree> fifo_;
  int64_t origin_us_ = 0;
  int64_t duration_us_ = 0;
  uint64_t media_bytes_ = 0;
  double reported_ = 0;

 public:
  ~Transcoder() { av_channel_layout_uninit(&swr_layout_); }
};

}  // namespace

Result<std::string> MakeWebRendition(std::span<const uint8_t> media,
                                     const WebRenditionOptions& options) {
  av_log_set_level(AV_LOG_FATAL);  // the reason goes in the status, not a log on stderr
  Transcoder t(options);
  return t.Run(media);
}

}  // namespace lethe
