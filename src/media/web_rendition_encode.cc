#include "media/web_rendition_encode.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

namespace lethe {
namespace {

int Even(double v) { return std::max(2, static_cast<int>(std::lround(v / 2.0)) * 2); }

}  // namespace

Status CheckPictureSize(int w, int h) {
  if (w > 0 && h > 0 && static_cast<int64_t>(w) * h <= kMaxDecodePixels) return Status::Ok();
  return ProcessingLimit("the picture is " + std::to_string(w) + "x" + std::to_string(h) +
                         ", past the limit");
}

void RenditionEncoder::SwsFree::operator()(SwsContext* s) const { sws_freeContext(s); }
void RenditionEncoder::SwrFree::operator()(SwrContext* s) const { swr_free(&s); }
void RenditionEncoder::FifoFree::operator()(AVAudioFifo* f) const { av_audio_fifo_free(f); }

RenditionEncoder::~RenditionEncoder() { av_channel_layout_uninit(&swr_layout_); }

Status RenditionEncoder::OpenVideo(AVFormatContext* input, AVStream* in) {
  video_.in = in;
  const AVCodecParameters* par = in->codecpar;
  const AVCodec* x264 = avcodec_find_encoder_by_name("libx264");
  if (x264 == nullptr) return Status::Internal("the H.264 encoder (libx264) is missing");
  video_.enc.reset(avcodec_alloc_context3(x264));
  if (!video_.enc) return Status::Internal("out of memory");
  // Square pixels at the display aspect, at most max_width wide.
  AVRational sar = av_guess_sample_aspect_ratio(input, in, nullptr);
  double display_w = par->width * (sar.num > 0 && sar.den > 0 ? av_q2d(sar) : 1.0);
  double scale = std::min(1.0, o_.max_width / display_w);
  AVCodecContext* e = video_.enc.get();
  e->width = Even(display_w * scale);
  e->height = Even(par->height * scale);
  e->sample_aspect_ratio = AVRational{1, 1};
  e->pix_fmt = AV_PIX_FMT_YUV420P;
  e->time_base = in->time_base.num > 0 ? in->time_base : AVRational{1, 90000};
  AVRational rate = av_guess_frame_rate(input, in, nullptr);
  if (rate.num > 0 && rate.den > 0) {
    e->framerate = rate;
    e->gop_size = std::max(1, static_cast<int>(2 * av_q2d(rate)));  // a key frame each 2 s
  }
  e->thread_count = std::max(1, o_.threads);
  AVDictionary* opts = nullptr;
  av_dict_set(&opts, "preset", o_.preset.c_str(), 0);
  av_dict_set(&opts, "crf", std::to_string(o_.crf).c_str(), 0);
  LETHE_ASSIGN_OR_RETURN(video_.out, mp4_.AddStream(e, x264, &opts));
  // The rotation stays a display matrix, as players expect in MP4.
  size_t size = 0;
  const uint8_t* matrix = av_stream_get_side_data(in, AV_PKT_DATA_DISPLAYMATRIX, &size);
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

Status RenditionEncoder::OpenAudio(AVStream* in) {
  audio_.in = in;
  const AVCodecParameters* par = in->codecpar;
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
  LETHE_ASSIGN_OR_RETURN(audio_.out, mp4_.AddStream(e, aac, &opts));
  fifo_.reset(av_audio_fifo_alloc(e->sample_fmt, channels, 4 * 1024));
  if (!fifo_) return Status::Internal("out of memory");
  return Status::Ok();
}

int64_t RenditionEncoder::FromOrigin(const Lane& l, int64_t ts) const {
  return ts - av_rescale_q(origin_us_, AV_TIME_BASE_Q, l.in->time_base);
}

Status RenditionEncoder::EncodeVideo(const AVFrame& f) {
  ++video_.frames;
  LETHE_RETURN_IF_ERROR(CheckPictureSize(f.width, f.height));
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
  if (rc < 0) return mp4_.Failed("cannot encode a frame", rc);
  return Drain(video_);
}

Status RenditionEncoder::EncodeAudio(const AVFrame& f) {
  ++audio_.frames;
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
    int rc = swr_alloc_set_opts2(&raw, &e->ch_layout, e->sample_fmt, e->sample_rate, &in_layout,
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

Status RenditionEncoder::Resample(uint8_t* const* in, int samples, bool last) {
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
    int got =
        swr_convert(swr_.get(), buf->extended_data, room, const_cast<const uint8_t**>(in), samples);
    if (got < 0) return Status::Unprocessable("media-undecodable", "the audio does not resample");
    if (got > 0 &&
        av_audio_fifo_write(fifo_.get(), reinterpret_cast<void**>(buf->extended_data), got) < got) {
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
    if (rc < 0) return mp4_.Failed("cannot encode audio", rc);
    LETHE_RETURN_IF_ERROR(Drain(audio_));
  }
  return Status::Ok();
}

Status RenditionEncoder::FinishAudio() {
  if (swr_) LETHE_RETURN_IF_ERROR(Resample(nullptr, 0, true));
  return Finish(audio_);
}

Status RenditionEncoder::Finish(Lane& l) {
  int rc = avcodec_send_frame(l.enc.get(), nullptr);
  if (rc < 0) return mp4_.Failed("cannot finish encoding", rc);
  return Drain(l);
}

Status RenditionEncoder::Drain(Lane& l) {
  AvPacketPtr pkt(av_packet_alloc());
  if (!pkt) return Status::Internal("out of memory");
  for (;;) {
    int rc = avcodec_receive_packet(l.enc.get(), pkt.get());
    if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return Status::Ok();
    if (rc < 0) return mp4_.Failed("cannot encode", rc);
    av_packet_rescale_ts(pkt.get(), l.enc->time_base, l.out->time_base);
    pkt->stream_index = l.out->index;
    LETHE_RETURN_IF_ERROR(mp4_.Write(pkt.get()));
  }
}

}  // namespace lethe
