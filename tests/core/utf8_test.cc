// UTF-8 validation, repair and quoting (core/utf8.cc).
#include "core/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace riskcap {
namespace {

TEST(Utf8, FindsTheFirstIllFormedByte) {
  struct Case {
    std::string text;
    std::optional<size_t> bad;
  };
  const Case cases[] = {
      {"", std::nullopt},
      {"plain ASCII", std::nullopt},
      {"A\xc3\xa7\xc3\xb5" "es", std::nullopt},         // "Ações"
      {"\xf0\x9f\x98\x80 \xef\xbf\xbd", std::nullopt},   // U+1F600, U+FFFD
      {"\xf4\x8f\xbf\xbf", std::nullopt},                // U+10FFFF, the last code point
      {"A\xe7\xf5" "es", 1},                             // Latin-1
      {"ab\xc0\xaf", 2},                                 // overlong '/'
      {"\xe0\x80\xaf", 0},                               // overlong, 3 bytes
      {"\xed\xa0\x80", 0},                               // a surrogate
      {"\xf4\x90\x80\x80", 0},                           // above U+10FFFF
      {"\xf5\x80\x80\x80", 0},                           // no such lead byte
      {"ok\xe2\x82", 2},                                 // truncated at the end
      {"\x80", 0},                                       // a lone continuation byte
      {"\xc3", 0},
  };
  for (const Case& c : cases) EXPECT_EQ(FindInvalidUtf8(c.text), c.bad) << c.text;
}

TEST(Utf8, ScrubReplacesEachIllFormedByteAndKeepsTheRest) {
  EXPECT_EQ(ScrubUtf8("A\xe7\xf5" "es"), "A\xef\xbf\xbd\xef\xbf\xbd" "es");
  EXPECT_EQ(ScrubUtf8("S\xc3\xa3o \xff"), "S\xc3\xa3o \xef\xbf\xbd");
  EXPECT_EQ(ScrubUtf8("fine"), "fine");
  const std::string scrubbed = ScrubUtf8(std::string("\xe2\x82\xc3\xa9\xed\xa0\x80", 7));
  EXPECT_TRUE(IsValidUtf8(scrubbed));
  EXPECT_EQ(scrubbed, "\xef\xbf\xbd\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(Utf8, PrefixNeverEndsInsideACharacter) {
  EXPECT_EQ(Utf8Prefix("abc", 5), "abc");
  EXPECT_EQ(Utf8Prefix("abcdef", 3), "abc");
  EXPECT_EQ(Utf8Prefix("ab\xc3\xa3", 3), "ab");            // 2-byte character cut after its lead
  EXPECT_EQ(Utf8Prefix("ab\xc3\xa3z", 4), "ab\xc3\xa3");  // cut just after it: kept whole
  EXPECT_EQ(Utf8Prefix("a\xf0\x9f\x92\xb0", 4), "a");    // 4-byte character, any cut inside
  EXPECT_EQ(Utf8Prefix("a\xf0\x9f\x92\xb0", 3), "a");
  EXPECT_EQ(Utf8Prefix("\xe2\x82\xac", 0), "");
  for (size_t cut = 0; cut <= 12; ++cut) {
    EXPECT_TRUE(IsValidUtf8(Utf8Prefix("S\xc3\xa3o \xe2\x82\xac \xf0\x9f\x92\xb0", cut))) << cut;
  }
}

TEST(Utf8, QuoteForMessageIsValidShortAndEscaped) {
  EXPECT_EQ(QuoteForMessage("it's"), "'it\\'s'");
  EXPECT_EQ(QuoteForMessage("a\nb\x01"), "'a\\nb\\x01'");
  EXPECT_EQ(QuoteForMessage("A\xe7\xf5" "es"), "'A\\xE7\\xF5es'");
  EXPECT_EQ(QuoteForMessage("S\xc3\xa3o"), "'S\xc3\xa3o'");
  EXPECT_EQ(QuoteForMessage(std::string(100, 'x'), 4), "'xxxx'...");
  // Cut at a character boundary: the 2-byte character crossing the limit stays whole.
  const std::string cut = QuoteForMessage("abc\xc3\xa3xyz", 4);
  EXPECT_EQ(cut, "'abc\xc3\xa3'...");
  EXPECT_TRUE(IsValidUtf8(cut));
}

}  // namespace
}  // namespace riskcap
