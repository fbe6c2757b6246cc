// On-premises transcription (issue 14, SHR-3): speech to words with
// pocketsphinx and its US English model from Debian, on audio decoded with
// FFmpeg to 16 kHz mono, inside the media worker process. Nothing leaves
// the machine.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "common/status.h"

namespace lethe {

struct TranscriptWord {
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string word;
};

struct SpeechModel {
  std::string hmm = "/usr/share/pocketsphinx/model/en-us/en-us";
  std::string lm = "/usr/share/pocketsphinx/model/en-us/en-us.lm.bin";
  std::string dict = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";
};

// The words spoken in the first audio stream of `media`, in order.
// Unprocessable("media-undecodable") when it has no decodable audio;
// Internal when the model cannot be loaded.
Result<std::vector<TranscriptWord>> Transcribe(std::span<const uint8_t> media,
                                               const SpeechModel& model = {});

// The transcript as stored and served in JSON: engine, language,
// on_premises, text and the timed words.
std::string TranscriptJson(const std::vector<TranscriptWord>& words);

}  // namespace lethe
