// Tests for core/money: strict parsing, formatting, rounding and overflow rejection.
#include "core/money.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace riskcap {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

// Deterministic pseudo-random 64-bit values (splitmix64), so property tests are reproducible.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

struct ParseCase {
  std::string text;
  int64_t micros;
};

TEST(Money, ParseAcceptsPlainDecimals) {
  const std::vector<ParseCase> cases = {
      {"0", 0},
      {"-0", 0},
      {"+0.0", 0},
      {"1", 1'000'000},
      {"+7", 7'000'000},
      {"-1234.56", -1'234'560'000},
      {"0.000001", 1},
      {"-0.000001", -1},
      {"1.5", 1'500'000},
      {"1.500000", 1'500'000},
      {"007.25", 7'250'000},
      {"9223372036854.775807", kMax},
      {"-9223372036854.775808", kMin},
      {"000000000000000000000009223372036854.775807", kMax},
  };
  for (const ParseCase& c : cases) {
    absl::StatusOr<Money> m = Money::Parse(c.text);
    ASSERT_TRUE(m.ok()) << c.text << ": " << m.status();
    EXPECT_EQ(m->micros(), c.micros) << c.text;
  }
}

TEST(Money, ParseRejectsMalformedTextAsInvalidArgument) {
  const std::vector<std::string> cases = {
      "",     "-",    "+",     ".",     "-.",       "1.",    "-1.",   ".5",    "-.5",
      "1e5",  "1E5",  "1.5e3", " 1",    "1 ",       "1 000", "1,000", "1_000", "nan",
      "NaN",  "inf",  "-inf",  "Infinity", "1.2.3", "--1",   "+-1",   "-+1",   "0x10",
      "1-",   "1.-5", "\t1",   "1\n",   "abc",      "$1",    "1.0 ",  "\xd9\xa1",
      std::string("1\0", 2),
  };
  for (const std::string& text : cases) {
    absl::StatusOr<Money> m = Money::Parse(text);
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument) << "\"" << text << "\"";
  }
}

TEST(Money, ParseErrorQuotesTheInputAndSaysWhatIsWrong) {
  struct Case {
    std::string text;
    std::string expected_fragment;
  };
  const std::vector<Case> cases = {
      {"", "empty"},
      {"-", "\"-\" has a sign but no digits"},
      {".5", "\".5\" has no digit before the decimal point"},
      {"1.", "\"1.\" has no digit after the decimal point"},
      {"1e5", "\"1e5\" has an invalid character 'e' at offset 1"},
      {"1,000", "invalid character ',' at offset 1"},
      {"nan", "\"nan\" has an invalid character 'n' at offset 0"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(Money::Parse(c.text).status().message(), HasSubstr(c.expected_fragment)) << c.text;
  }
}

TEST(Money, ParseErrorEscapesAndShortensHostileInput) {
  const std::string huge(1000, '9');
  const std::string message(Money::Parse(huge + "x").status().message());
  EXPECT_LT(message.size(), 300u);
  EXPECT_THAT(message, HasSubstr("...\""));
  EXPECT_THAT(Money::Parse("1\n2").status().message(), HasSubstr("\"1\\n2\""));
}

TEST(Money, ParseRefusesTextOver100CharactersBeforeScanningIt) {
  const std::string padded = std::string(99, '0') + "7";  // 100 characters: still an amount
  EXPECT_EQ(Money::Parse(padded).value(), Money::FromMicros(7'000'000));
  for (const std::string& text : {std::string(101, '1'), "0." + std::string(10 << 20, '5')}) {
    absl::StatusOr<Money> m = Money::ParseRounded(text, RoundingMode::kHalfEven);
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(m.status().message(), HasSubstr("characters long; at most 100 are allowed"));
    EXPECT_LT(m.status().message().size(), 300u);
  }
}

TEST(Money, ParseRejectsMoreThanSixDecimals) {
  absl::StatusOr<Money> m = Money::Parse("1.1234567");
  EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(m.status().message(), HasSubstr("\"1.1234567\" has 7 decimal places"));
  EXPECT_THAT(m.status().message(), HasSubstr("at most 6"));
  // Trailing zeros still count: the text claims a precision Money cannot hold.
  EXPECT_EQ(Money::Parse("1.0000000").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(Money, ParseRejectsAmountsOutsideInt64MicrosAsOutOfRange) {
  const std::vector<std::string> cases = {
      "9223372036854.775808", "-9223372036854.775809", "9223372036855",
      "-9223372036855",       "18446744073709.551616", "99999999999999999999999999999",
  };
  for (const std::string& text : cases) {
    absl::StatusOr<Money> m = Money::Parse(text);
    EXPECT_EQ(m.status().code(), absl::StatusCode::kOutOfRange) << text;
    EXPECT_THAT(m.status().message(), HasSubstr("\"" + text + "\"")) << text;
  }
}

TEST(Money, ParseReportsMalformedBeforeOutOfRange) {
  EXPECT_EQ(Money::Parse("99999999999999999999e1").status().code(),
            absl::StatusCode::kInvalidArgument);
}

struct RoundCase {
  std::string text;
  RoundingMode mode;
  int64_t micros;
};

TEST(Money, ParseRoundedRoundsExtraDigitsByMode) {
  using enum RoundingMode;
  const std::vector<RoundCase> cases = {
      // Six or fewer decimals are exact in every mode.
      {"1.25", kHalfEven, 1'250'000},
      {"-0.000001", kTruncate, -1},
      // Ties: half-even goes to the even micro, half-up away from zero, truncate towards zero.
      {"0.0000005", kHalfEven, 0},
      {"0.0000015", kHalfEven, 2},
      {"0.0000025", kHalfEven, 2},
      {"0.0000005", kHalfUp, 1},
      {"0.0000025", kHalfUp, 3},
      {"0.0000015", kTruncate, 1},
      {"-0.0000005", kHalfEven, 0},
      {"-0.0000015", kHalfEven, -2},
      {"-0.0000005", kHalfUp, -1},
      {"-0.0000025", kHalfUp, -3},
      {"-1.9999999", kTruncate, -1'999'999},
      // Beyond the tie: any non-zero digit after the 5 rounds away in both half modes.
      {"0.00000250001", kHalfEven, 3},
      {"0.00000249999", kHalfUp, 2},
      {"0.0000024999999999999", kHalfEven, 2},
      {"-0.00000250001", kHalfEven, -3},
      // Carries through the fraction into the integer part.
      {"0.9999995", kHalfUp, 1'000'000},
      {"0.9999995", kHalfEven, 1'000'000},
      {"0.9999995", kTruncate, 999'999},
      {"9.99999999", kHalfEven, 10'000'000},
      {"-99.9999996", kHalfUp, -100'000'000},
      {"+1.0000004", kHalfUp, 1'000'000},
  };
  for (const RoundCase& c : cases) {
    absl::StatusOr<Money> m = Money::ParseRounded(c.text, c.mode);
    ASSERT_TRUE(m.ok()) << c.text << ": " << m.status();
    EXPECT_EQ(m->micros(), c.micros) << c.text << " mode " << static_cast<int>(c.mode);
  }
}

TEST(Money, ParseRoundedRejectsACarryPastTheRange) {
  using enum RoundingMode;
  EXPECT_EQ(Money::ParseRounded("9223372036854.7758074", kHalfUp)->micros(), kMax);
  EXPECT_EQ(Money::ParseRounded("9223372036854.7758079", kTruncate)->micros(), kMax);
  EXPECT_EQ(Money::ParseRounded("-9223372036854.7758084", kHalfEven)->micros(), kMin);
  EXPECT_EQ(Money::ParseRounded("9223372036854.7758075", kHalfUp).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Money::ParseRounded("9223372036854.7758075", kHalfEven).status().code(),
            absl::StatusCode::kOutOfRange);  // 7 is odd, so the tie goes up
  EXPECT_EQ(Money::ParseRounded("-9223372036854.7758085", kHalfUp).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Money::ParseRounded("-9223372036854.775808499999", kHalfEven)->micros(), kMin);
  EXPECT_EQ(Money::ParseRounded("-9223372036854.775808500001", kHalfEven).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST(Money, ParseRoundedStillRejectsMalformedText) {
  for (const char* text : {"", "1.", ".5", "1e-7", "0.0000005 ", "nan"}) {
    EXPECT_EQ(Money::ParseRounded(text, RoundingMode::kHalfEven).status().code(),
              absl::StatusCode::kInvalidArgument)
        << text;
  }
}

// Independent reference: read the whole digit string as one 128-bit integer at scale 6 + k and
// divide by 10^k.
int64_t ReferenceRound(bool negative, unsigned __int128 scaled, int k, RoundingMode mode) {
  unsigned __int128 divisor = 1;
  for (int i = 0; i < k; ++i) divisor *= 10;
  unsigned __int128 q = scaled / divisor;
  const unsigned __int128 r = scaled % divisor, half = divisor / 2;
  if ((mode == RoundingMode::kHalfUp && r >= half) ||
      (mode == RoundingMode::kHalfEven && (r > half || (r == half && q % 2 == 1)))) {
    ++q;
  }
  return negative ? -static_cast<int64_t>(q) : static_cast<int64_t>(q);
}

TEST(Money, ParseRoundedMatchesAnIntegerReferenceOnRandomInputs) {
  SplitMix64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    const bool negative = rng.Next() % 2 == 1;
    const uint64_t micros = rng.Next() >> (2 + rng.Next() % 60);  // many magnitudes, no overflow
    const int k = 1 + static_cast<int>(rng.Next() % 4);
    std::string extra;
    unsigned __int128 scaled = micros;
    for (int d = 0; d < k; ++d) {
      const uint64_t pick = rng.Next() % 4;  // favour 0 and 5 so that ties are common
      const char random_digit = static_cast<char>('0' + rng.Next() % 10);
      const char digit = pick == 0 ? '0' : pick == 1 ? '5' : random_digit;
      extra.push_back(digit);
      scaled = scaled * 10 + static_cast<unsigned>(digit - '0');
    }
    const std::string text = absl::StrFormat("%s%d.%06d%s", negative ? "-" : "", micros / 1'000'000,
                                             micros % 1'000'000, extra);
    for (RoundingMode mode :
         {RoundingMode::kHalfEven, RoundingMode::kHalfUp, RoundingMode::kTruncate}) {
      absl::StatusOr<Money> m = Money::ParseRounded(text, mode);
      ASSERT_TRUE(m.ok()) << text << ": " << m.status();
      ASSERT_EQ(m->micros(), ReferenceRound(negative, scaled, k, mode))
          << text << " mode " << static_cast<int>(mode);
    }
  }
}

TEST(Money, ToStringKeepsTwoToSixDecimals) {
  const std::vector<ParseCase> cases = {
      {"0.00", 0},
      {"1234.50", 1'234'500'000},
      {"-0.000001", -1},
      {"1.234567", 1'234'567},
      {"1.00", 1'000'000},
      {"-1.50", -1'500'000},
      {"0.01", 10'000},
      {"0.10", 100'000},
      {"0.123", 123'000},
      {"0.0001", 100},
      {"-1234.56", -1'234'560'000},
      {"9223372036854.775807", kMax},
      {"-9223372036854.775808", kMin},
  };
  for (const ParseCase& c : cases) {
    EXPECT_EQ(Money::FromMicros(c.micros).ToString(), c.text) << c.micros;
  }
}

TEST(Money, ToStringRoundTripsThroughParseForManyValues) {
  SplitMix64 rng(7);
  std::vector<int64_t> values = {0, 1, -1, 10'000, -10'000, kMax, kMin, kMax - 1, kMin + 1};
  for (int i = 0; i < 100000; ++i) {
    // Shift by a random amount so that small, medium and huge magnitudes all occur.
    values.push_back(static_cast<int64_t>(rng.Next()) >> (rng.Next() % 64));
  }
  for (int64_t micros : values) {
    const Money m = Money::FromMicros(micros);
    absl::StatusOr<Money> parsed = Money::Parse(m.ToString());
    ASSERT_TRUE(parsed.ok()) << m.ToString() << ": " << parsed.status();
    ASSERT_EQ(*parsed, m) << m.ToString();
  }
}

TEST(Money, FromUnitsRejectsOverflowAsOutOfRange) {
  EXPECT_EQ(Money::FromUnits(42)->micros(), 42'000'000);
  EXPECT_EQ(Money::FromUnits(-9'223'372'036'854)->micros(), -9'223'372'036'854'000'000);
  EXPECT_EQ(Money::FromUnits(9'223'372'036'854)->micros(), 9'223'372'036'854'000'000);
  EXPECT_EQ(Money::FromUnits(9'223'372'036'855).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Money::FromUnits(-9'223'372'036'855).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Money::FromUnits(kMin).status().code(), absl::StatusCode::kOutOfRange);
}

TEST(Money, AddAndSubtractAreExact) {
  const Money a = *Money::Parse("0.1");
  const Money b = *Money::Parse("0.2");
  EXPECT_EQ(*a.Add(b), *Money::Parse("0.3"));
  EXPECT_EQ(*a.Subtract(b), *Money::Parse("-0.1"));
  EXPECT_EQ(*Money::FromMicros(kMax).Add(Money::FromMicros(kMin)), Money::FromMicros(-1));
  EXPECT_EQ(*Money::FromMicros(kMin + 1).Subtract(Money::FromMicros(1)), Money::FromMicros(kMin));
}

TEST(Money, AddRejectsOverflowAsOutOfRange) {
  const Money one = Money::FromMicros(1);
  EXPECT_EQ(Money::FromMicros(kMax).Add(one).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Money::FromMicros(kMin).Add(Money::FromMicros(-1)).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_THAT(Money::FromMicros(kMax).Add(one).status().message(), HasSubstr("overflow"));
}

TEST(Money, SubtractRejectsOverflowAsOutOfRange) {
  EXPECT_EQ(Money::FromMicros(kMin).Subtract(Money::FromMicros(1)).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Money().Subtract(Money::FromMicros(kMin)).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Money::FromMicros(kMax).Subtract(Money::FromMicros(-1)).status().code(),
            absl::StatusCode::kOutOfRange);
}

TEST(Money, RoundToCentsRoundsByMode) {
  using enum RoundingMode;
  const std::vector<RoundCase> cases = {
      {"0.005", kHalfEven, 0},
      {"0.015", kHalfEven, 20'000},
      {"0.025", kHalfEven, 20'000},
      {"0.005001", kHalfEven, 10'000},
      {"0.004999", kHalfEven, 0},
      {"-0.015", kHalfEven, -20'000},
      {"-0.025", kHalfEven, -20'000},
      {"0.005", kHalfUp, 10'000},
      {"-0.005", kHalfUp, -10'000},
      {"0.004999", kHalfUp, 0},
      {"1.999999", kTruncate, 1'990'000},
      {"-0.019999", kTruncate, -10'000},
      {"0.995", kHalfUp, 1'000'000},
      {"-0.995", kHalfUp, -1'000'000},
      {"12.34", kHalfEven, 12'340'000},
      {"0", kHalfUp, 0},
  };
  for (const RoundCase& c : cases) {
    EXPECT_EQ(Money::Parse(c.text)->RoundToCents(c.mode).micros(), c.micros)
        << c.text << " mode " << static_cast<int>(c.mode);
  }
}

TEST(Money, RoundToCentsDefaultsToHalfEven) {
  EXPECT_EQ(Money::Parse("0.125")->RoundToCents().ToString(), "0.12");
  EXPECT_EQ(Money::Parse("0.135")->RoundToCents().ToString(), "0.14");
}

TEST(Money, RoundToCentsRoundsTowardsZeroWhereTheFartherCentIsUnrepresentable) {
  EXPECT_EQ(Money::FromMicros(kMax).RoundToCents(RoundingMode::kHalfUp).ToString(),
            "9223372036854.77");
  EXPECT_EQ(Money::FromMicros(kMin).RoundToCents(RoundingMode::kHalfUp).ToString(),
            "-9223372036854.77");
}

TEST(Money, ComparesByAmount) {
  EXPECT_LT(*Money::Parse("-0.000001"), Money());
  EXPECT_GT(*Money::Parse("1.000001"), *Money::Parse("1"));
  EXPECT_EQ(*Money::Parse("1.50"), *Money::Parse("1.5"));
}

TEST(Money, ToDoubleIsApproximateValue) {
  EXPECT_DOUBLE_EQ(Money::Parse("-1234.5")->ToDouble(), -1234.5);
}

}  // namespace
}  // namespace riskcap
