#include "media/transcribe.h"

#include <algorithm>
#include <boost/json.hpp>
#include <memory>

#include "media/av_input.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libswresample/swresample.h>
}
#include <pocketsphinx.h>

namespace lethe {
namespace {

constexpr int kRate = 16000;
constexpr int kFramesPerSecond = 100;  // pocketsphinx's default -frate
// Audio is decoded in utterances of this length, so memory stays bounded
// however long the media is.
constexpr size_t kBlockSamples = kRate * 20;

struct SwrFree {
  void operator()(SwrContext* s) const { swr_free(&s); }
};
struct DecoderFree {
  void operator()(ps_decoder_t* d) const { ps_free(d); }
};

// A dictionary word, or "" for a filler (<s>, <sil>, [NOISE]); "word(2)"
// (an alternative pronunciation) is "word".
std::string Spoken(const char* w) {
  if (w == nullptr || *w == '\0' || *w == '<' || *w == '[') return "";
  std::string s(w);
  if (size_t p = s.find('('); p != std::string::npos) s.erase(p);
  return s;
}

class Recognizer {
 public:
  Status Init(const SpeechModel& model) {
    cmd_ln_t* config =
        cmd_ln_init(nullptr, ps_args(), TRUE, "-hmm", model.hmm.c_str(), "-lm", model.lm.c_str(),
                    "-dict", model.dict.c_str(), "-logfn", "/dev/null", nullptr);
    if (config == nullptr) return Status::Internal("the speech model's settings are invalid");
    decoder_.reset(ps_init(config));
    cmd_ln_free_r(config);  // the decoder holds its own reference
    if (!decoder_) return Status::Internal("the speech model cannot be loaded");
    if (ps_start_utt(decoder_.get()) < 0) return Status::Internal("the recognizer failed");
    return Status::Ok();
  }
  // Takes 16 kHz mono samples, in small pieces as pocketsphinx_continuous
  // feeds them, and ends an utterance where the speech pauses (or after
  // kBlockSamples, so memory stays bounded): one utterance per phrase is
  // what the model hears best.
  Status Add(const int16_t* samples, size_t n) {
    constexpr size_t kPiece = 2048;
    for (size_t at = 0; at < n; at += kPiece) {
      size_t k = std::min(kPiece, n - at);
      if (ps_process_raw(decoder_.get(), samples + at, k, FALSE, FALSE) < 0) {
        return Status::Internal("the recognizer failed");
      }
      fed_ += static_cast<int64_t>(k);
      bool in_speech = ps_get_in_speech(decoder_.get()) != 0;
      if (in_speech && !heard_) heard_ = true;
      if ((heard_ && !in_speech) || fed_ - utt_start_ >= static_cast<int64_t>(kBlockSamples)) {
        LETHE_RETURN_IF_ERROR(EndUtterance());
        if (ps_start_utt(decoder_.get()) < 0) return Status::Internal("the recognizer failed");
      }
    }
    return Status::Ok();
  }
  Status Finish() { return EndUtterance(); }
  std::vector<TranscriptWord>& words() { return words_; }

 private:
  Status EndUtterance() {
    ps_decoder_t* ps = decoder_.get();
    if (ps_end_utt(ps) < 0) return Status::Internal("the recognizer failed");
    const int64_t base_ms = utt_start_ * 1000 / kRate;
    for (ps_seg_t* seg = ps_seg_iter(ps); seg != nullptr; seg = ps_seg_next(seg)) {
      std::string w = Spoken(ps_seg_word(seg));
      if (w.empty()) continue;
      int sf = 0, ef = 0;
      ps_seg_frames(seg, &sf, &ef);
      words_.push_back({base_ms + sf * 1000 / kFramesPerSecond,
                        base_ms + (ef + 1) * 1000 / kFramesPerSecond, std::move(w)});
    }
    utt_start_ = fed_;
    heard_ = false;
    return Status::Ok();
  }

  std::unique_ptr<ps_decoder_t, DecoderFree> decoder_;
  int64_t fed_ = 0;        // samples given to the decoder
  int64_t utt_start_ = 0;  // where the current utterance began
  bool heard_ = false;     // speech in the current utterance
  std::vector<TranscriptWord> words_;
};

}  // namespace

Result<std::vector<TranscriptWord>> Transcribe(std::span<const uint8_t> media,
                                               const SpeechModel& model) {
  AvInput input;
  LETHE_RETURN_IF_ERROR(input.Open(media));
  AVFormatContext* fmt = input.format();
  const AVCodec* codec = nullptr;
  int index = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
  if (index < 0 || codec == nullptr) {
    return Status::Unprocessable("media-undecodable", "the media has no sound");
  }
  AvCodecContextPtr dec(avcodec_alloc_context3(codec));
  if (!dec) return Status::Internal("out of memory");
  int err = avcodec_parameters_to_context(dec.get(), fmt->streams[index]->codecpar);
  if (err < 0) return AvError("decoder parameters", err);
  dec->thread_count = 1;
  err = avcodec_open2(dec.get(), codec, nullptr);
  if (err < 0) return AvError("cannot open the decoder", err);
  if (dec->sample_rate <= 0 || dec->ch_layout.nb_channels <= 0) {
    return Status::Unprocessable("media-undecodable", "the sound has no sample rate");
  }
  SwrContext* raw_swr = nullptr;
  AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
  err = swr_alloc_set_opts2(&raw_swr, &mono, AV_SAMPLE_FMT_S16, kRate, &dec->ch_layout,
                            dec->sample_fmt, dec->sample_rate, 0, nullptr);
  std::unique_ptr<SwrContext, SwrFree> swr(raw_swr);
  if (err < 0 || !swr || swr_init(swr.get()) < 0) return AvError("cannot resample the sound", err);

  Recognizer rec;
  LETHE_RETURN_IF_ERROR(rec.Init(model));
  AvPacketPtr packet(av_packet_alloc());
  AvFramePtr frame(av_frame_alloc());
  if (!packet || !frame) return Status::Internal("out of memory");
  std::vector<int16_t> out;
  bool decoded = false;
  auto convert = [&](const AVFrame* f) -> Status {
    int in_samples = f ? f->nb_samples : 0;
    int cap = swr_get_out_samples(swr.get(), in_samples);
    if (cap <= 0) return Status::Ok();
    out.resize(static_cast<size_t>(cap));
    uint8_t* dst = reinterpret_cast<uint8_t*>(out.data());
    int n = swr_convert(swr.get(), &dst, cap,
                        f ? const_cast<const uint8_t**>(f->extended_data) : nullptr, in_samples);
    if (n < 0) return AvError("cannot resample the sound", n);
    return rec.Add(out.data(), static_cast<size_t>(n));
  };
  auto drain = [&]() -> Status {
    for (;;) {
      int r = avcodec_receive_frame(dec.get(), frame.get());
      if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return Status::Ok();
      if (r < 0) return AvError("cannot decode the sound", r);
      decoded = true;
      Status st = convert(frame.get());
      av_frame_unref(frame.get());
      LETHE_RETURN_IF_ERROR(st);
    }
  };
  while (av_read_frame(fmt, packet.get()) >= 0) {
    Status st = Status::Ok();
    if (packet->stream_index == index && avcodec_send_packet(dec.get(), packet.get()) >= 0) {
      st = drain();
    }
    av_packet_unref(packet.get());
    // A damaged packet ends nothing once sound was decoded.
    if (!st.ok() && (!decoded || st.code() == Status::Code::kInternal)) return st;
  }
  (void)avcodec_send_packet(dec.get(), nullptr);
  LETHE_RETURN_IF_ERROR(drain());
  if (!decoded) return Status::Unprocessable("media-undecodable", "no sound could be decoded");
  LETHE_RETURN_IF_ERROR(convert(nullptr));  // what the resampler holds back
  LETHE_RETURN_IF_ERROR(rec.Finish());
  return std::move(rec.words());
}

std::string TranscriptJson(const std::vector<TranscriptWord>& words) {
  boost::json::array items;
  std::string text;
  for (const TranscriptWord& w : words) {
    items.push_back(
        boost::json::object{{"start_ms", w.start_ms}, {"end_ms", w.end_ms}, {"word", w.word}});
    text += (text.empty() ? "" : " ") + w.word;
  }
  return boost::json::serialize(boost::json::object{{"engine", "pocketsphinx"},
                                                    {"language", "en-US"},
                                                    {"on_premises", true},
                                                    {"text", text},
                                                    {"words", std::move(items)}});
}

}  // namespace lethe
