// RenditionMp4: the MP4 a web rendition (web_rendition.h) is muxed into,
// held in memory and capped. The mov muxer seeks back to patch box sizes,
// and for faststart reopens what it wrote to move the media data behind
// the index, so the output is a growable, seekable buffer that it can also
// read back. Internal to src/media.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "media/av_io.h"

struct AVCodecContext;

namespace lethe {

// Unprocessable("processing-limit") naming what went past its limit.
Status ProcessingLimit(const std::string& what);

class RenditionMp4 {
 public:
  // At most `max_bytes` of MP4.
  explicit RenditionMp4(uint64_t max_bytes) { sink_.cap = max_bytes; }
  RenditionMp4(const RenditionMp4&) = delete;
  RenditionMp4& operator=(const RenditionMp4&) = delete;

  // Makes the muxer. Internal when FFmpeg has no MP4 muxer or memory runs
  // out.
  Status Open();
  // Opens the encoder `enc` as `codec` with `*opts` (freed here) and adds
  // the stream it feeds. Returns the stream, or the encoder's error
  // (Unprocessable("media-undecodable"), AvError).
  Result<AVStream*> AddStream(AVCodecContext* enc, const AVCodec* codec, AVDictionary** opts);
  // Writes the header, asking for the index first (faststart).
  Status Start();
  // Muxes one encoded packet, in its stream's time base.
  Status Write(AVPacket* pkt);
  // Writes the trailer (which moves the index to the front) and returns
  // the MP4. processing-limit past the cap.
  Result<std::string> Finish();
  // `what` failed with FFmpeg's error `rc`: processing-limit when the cap
  // was reached (the muxer only sees a failed write), else AvError.
  Status Failed(const std::string& what, int rc) const;

 private:
  Status TooLarge() const;

  av::MemoryOutput<std::string> sink_;  // before out_, whose I/O writes to it
  av::MuxerPtr out_;
};

}  // namespace lethe
