#include "http/range.h"

#include <gtest/gtest.h>

#include <string>

namespace lethe {
namespace {

void ExpectRange(std::string_view header, uint64_t size, uint64_t first, uint64_t last) {
  const RangeDecision d = ParseRange(header, size);
  EXPECT_EQ(d.outcome, RangeOutcome::kSatisfiable) << header << " size " << size;
  EXPECT_EQ(d.range, (ByteRange{first, last})) << header << " size " << size;
}

void ExpectOutcome(std::string_view header, uint64_t size, RangeOutcome want) {
  EXPECT_EQ(ParseRange(header, size).outcome, want) << "'" << header << "' size " << size;
}

TEST(RangeParse, ClosedRanges) {
  ExpectRange("bytes=0-0", 10, 0, 0);
  ExpectRange("bytes=0-9", 10, 0, 9);
  ExpectRange("bytes=2-5", 10, 2, 5);
  ExpectRange("bytes=9-9", 10, 9, 9);
  EXPECT_EQ(ParseRange("bytes=2-5", 10).range.length(), 4u);
}

TEST(RangeParse, ClampsLastToSize) {
  ExpectRange("bytes=0-100", 10, 0, 9);
  ExpectRange("bytes=5-18446744073709551615", 10, 5, 9);  // UINT64_MAX fits
}

TEST(RangeParse, OpenRanges) {
  ExpectRange("bytes=0-", 10, 0, 9);
  ExpectRange("bytes=4-", 5, 4, 4);
  ExpectOutcome("bytes=5-", 5, RangeOutcome::kUnsatisfiable);
  ExpectOutcome("bytes=6-", 5, RangeOutcome::kUnsatisfiable);
}

TEST(RangeParse, SuffixRanges) {
  ExpectRange("bytes=-1", 10, 9, 9);
  ExpectRange("bytes=-3", 10, 7, 9);
  ExpectRange("bytes=-10", 10, 0, 9);
  ExpectRange("bytes=-500", 10, 0, 9);  // longer than the content: all of it
  ExpectOutcome("bytes=-0", 10, RangeOutcome::kUnsatisfiable);
  ExpectOutcome("bytes=-1", 0, RangeOutcome::kUnsatisfiable);
}

TEST(RangeParse, Unsatisfiable) {
  ExpectOutcome("bytes=10-20", 10, RangeOutcome::kUnsatisfiable);
  ExpectOutcome("bytes=0-0", 0, RangeOutcome::kUnsatisfiable);
  ExpectOutcome("bytes=0-", 0, RangeOutcome::kUnsatisfiable);
  EXPECT_EQ(ParseRange("bytes=10-20", 10).range, ByteRange{});
}

TEST(RangeParse, WhitespaceAndCase) {
  ExpectRange(" bytes = 1 - 2 ", 10, 1, 2);
  ExpectRange("\tbytes=\t-2\t", 10, 8, 9);
  ExpectRange("Bytes=1-2", 10, 1, 2);
  ExpectRange("BYTES=1-", 10, 1, 9);
}

TEST(RangeParse, InvalidHeadersServeEverything) {
  for (std::string_view h : {"", "bytes", "bytes=", "bytes=-", "bytes=a-b", "bytes=1-a", "bytes=1",
                             "bytes 1-2", "items=0-5", "bytesx=0-5", "bytes=5-2", "bytes=--1",
                             "bytes=1--2", "bytes=+1-2", "bytes=1-2x", "bytes=0x10-0x20", "=0-5"}) {
    ExpectOutcome(h, 10, RangeOutcome::kNone);
  }
}

TEST(RangeParse, MultiRangeServesEverything) {
  ExpectOutcome("bytes=0-1,3-4", 10, RangeOutcome::kNone);
  ExpectOutcome("bytes=0-1, 3-4", 10, RangeOutcome::kNone);
  ExpectOutcome("bytes=0-1,", 10, RangeOutcome::kNone);
  ExpectOutcome("bytes=-1,-2", 10, RangeOutcome::kNone);
}

TEST(RangeParse, OverflowIsInvalid) {
  ExpectOutcome("bytes=18446744073709551616-", 10, RangeOutcome::kNone);  // UINT64_MAX + 1
  ExpectOutcome("bytes=0-18446744073709551616", 10, RangeOutcome::kNone);
  ExpectOutcome("bytes=-99999999999999999999999", 10, RangeOutcome::kNone);
  ExpectOutcome("bytes=" + std::string(10000, '9') + "-", 10, RangeOutcome::kNone);
  // Large but representable values are ordinary.
  ExpectOutcome("bytes=18446744073709551615-", 10, RangeOutcome::kUnsatisfiable);
  ExpectRange("bytes=00000000000000000000000000001-2", 10, 1, 2);  // leading zeros are fine
}

TEST(RangeParse, HugeContent) {
  const uint64_t size = UINT64_MAX;
  ExpectRange("bytes=-1", size, size - 1, size - 1);
  ExpectRange("bytes=0-", size, 0, size - 1);
}

}  // namespace
}  // namespace lethe
