// Money parsing, formatting, rounding and checked arithmetic, in integer micro-units only.
#include "core/money.h"

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/absl_compat.h"

namespace riskcap {
namespace {

// Magnitudes are accumulated unsigned so that INT64_MIN (whose magnitude is 2^63) is reachable.
constexpr uint64_t kMaxPositiveMagnitude = std::numeric_limits<int64_t>::max();
constexpr uint64_t kMaxNegativeMagnitude = kMaxPositiveMagnitude + 1;
constexpr uint64_t kMicrosPerCent = 10'000;
// Longer text is refused before it is scanned: the longest amount is 21 characters, and even a
// rounded one ("0.1000000000000000055511151231257827") fits well within this.
constexpr size_t kMaxTextLength = 100;

// A lexically valid decimal, split into its parts (views into the input).
struct DecimalText {
  bool negative = false;
  std::string_view integer_digits;
  std::string_view fraction_digits;
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// The input as it appears in error messages: quoted, escaped, and cut short if huge.
std::string Quoted(std::string_view text) {
  constexpr size_t kMaxShown = 64;
  const absl::string_view shown = AbslView(text.substr(0, kMaxShown));
  return absl::StrCat("\"", absl::CHexEscape(shown), text.size() > kMaxShown ? "...\"" : "\"");
}

absl::Status Malformed(std::string_view text, std::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat("money amount ", Quoted(text), " ", AbslView(why),
                                                 "; expected a plain decimal like -1234.56"));
}

absl::Status InvalidCharacter(std::string_view text, size_t pos) {
  const std::string shown = absl::CHexEscape(AbslView(text.substr(pos, 1)));
  return Malformed(text, absl::StrCat("has an invalid character '", shown, "' at offset ", pos));
}

size_t CountDigits(std::string_view s, size_t pos) {
  size_t end = pos;
  while (end < s.size() && IsDigit(s[end])) ++end;
  return end - pos;
}

// Splits `text` into sign, integer digits and fraction digits, rejecting anything else.
absl::StatusOr<DecimalText> Lex(std::string_view text) {
  if (text.empty()) return absl::InvalidArgumentError("money amount is empty");
  if (text.size() > kMaxTextLength) {
    return Malformed(text, absl::StrCat("is ", text.size(), " characters long; at most ",
                                        kMaxTextLength, " are allowed"));
  }
  DecimalText out;
  size_t pos = 0;
  if (text[0] == '+' || text[0] == '-') {
    out.negative = text[0] == '-';
    pos = 1;
  }
  const size_t int_len = CountDigits(text, pos);
  if (int_len == 0) {
    if (pos == text.size()) return Malformed(text, "has a sign but no digits");
    if (text[pos] == '.') return Malformed(text, "has no digit before the decimal point");
    return InvalidCharacter(text, pos);
  }
  out.integer_digits = text.substr(pos, int_len);
  pos += int_len;
  if (pos < text.size() && text[pos] == '.') {
    const size_t frac_len = CountDigits(text, pos + 1);
    if (frac_len == 0) return Malformed(text, "has no digit after the decimal point");
    out.fraction_digits = text.substr(pos + 1, frac_len);
    pos += 1 + frac_len;
  }
  if (pos < text.size()) return InvalidCharacter(text, pos);
  return out;
}

absl::Status OutOfRange(std::string_view text) {
  return absl::OutOfRangeError(absl::StrCat(
      "money amount ", Quoted(text),
      " is outside the representable range -9223372036854.775808..9223372036854.775807"));
}

// Appends `digits` to `magnitude`; false when the result would exceed kMaxNegativeMagnitude.
bool AppendDigits(std::string_view digits, uint64_t& magnitude) {
  for (char c : digits) {
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (magnitude > (kMaxNegativeMagnitude - d) / 10) return false;
    magnitude = magnitude * 10 + d;
  }
  return true;
}

// Applies the sign to a magnitude already checked against its sign's limit. Negating in unsigned
// arithmetic is well defined and maps 2^63 to INT64_MIN.
Money FromMagnitude(bool negative, uint64_t magnitude) {
  return Money::FromMicros(static_cast<int64_t>(negative ? ~magnitude + 1 : magnitude));
}

// Builds the amount from the integer digits and up to six fraction digits (right-padded with
// zeros to six), adding one micro when `round_up`.
absl::StatusOr<Money> Assemble(std::string_view text, const DecimalText& parts,
                               std::string_view micro_digits, bool round_up) {
  const std::string padding(Money::kScale - micro_digits.size(), '0');
  uint64_t magnitude = 0;
  bool ok = AppendDigits(parts.integer_digits, magnitude) &&
            AppendDigits(micro_digits, magnitude) && AppendDigits(padding, magnitude);
  if (ok && round_up) ok = magnitude++ < kMaxNegativeMagnitude;
  const uint64_t limit = parts.negative ? kMaxNegativeMagnitude : kMaxPositiveMagnitude;
  if (!ok || magnitude > limit) return OutOfRange(text);
  return FromMagnitude(parts.negative, magnitude);
}

// Whether dropping digits rounds the kept magnitude away from zero. `vs_half` says how the dropped
// part compares with half a unit of the last kept place (-1, 0, +1).
bool RoundsAway(RoundingMode mode, int vs_half, bool kept_is_odd) {
  switch (mode) {
    case RoundingMode::kTruncate:
      return false;
    case RoundingMode::kHalfUp:
      return vs_half >= 0;
    case RoundingMode::kHalfEven:
      return vs_half > 0 || (vs_half == 0 && kept_is_odd);
  }
  return false;
}

// Compares decimal digits dropped after the last kept place with one half of that place.
int CompareWithHalf(std::string_view dropped) {
  if (dropped.empty() || dropped[0] < '5') return -1;
  if (dropped[0] > '5') return 1;
  return dropped.find_first_not_of('0', 1) == std::string_view::npos ? 0 : 1;
}

uint64_t Magnitude(int64_t micros) {
  const uint64_t bits = static_cast<uint64_t>(micros);
  return micros < 0 ? ~bits + 1 : bits;
}

}  // namespace

absl::StatusOr<Money> Money::FromUnits(int64_t units) {
  int64_t micros = 0;
  if (__builtin_mul_overflow(units, kMicrosPerUnit, &micros)) {
    return absl::OutOfRangeError(
        absl::StrCat("money amount of ", units, " units is outside the representable range"));
  }
  return Money(micros);
}

absl::StatusOr<Money> Money::Parse(std::string_view text) {
  absl::StatusOr<DecimalText> parts = Lex(text);
  if (!parts.ok()) return parts.status();
  if (parts->fraction_digits.size() > static_cast<size_t>(kScale)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "money amount ", Quoted(text), " has ", parts->fraction_digits.size(),
        " decimal places; at most ", kScale, " are allowed"));
  }
  return Assemble(text, *parts, parts->fraction_digits, /*round_up=*/false);
}

absl::StatusOr<Money> Money::ParseRounded(std::string_view text, RoundingMode mode) {
  absl::StatusOr<DecimalText> parts = Lex(text);
  if (!parts.ok()) return parts.status();
  const std::string_view fraction = parts->fraction_digits;
  if (fraction.size() <= static_cast<size_t>(kScale)) {
    return Assemble(text, *parts, fraction, /*round_up=*/false);
  }
  const std::string_view kept = fraction.substr(0, kScale);
  const bool kept_is_odd = (kept.back() - '0') % 2 == 1;
  const bool round_up = RoundsAway(mode, CompareWithHalf(fraction.substr(kScale)), kept_is_odd);
  return Assemble(text, *parts, kept, round_up);
}

std::string Money::ToString() const {
  const uint64_t magnitude = Magnitude(micros_);
  const uint64_t units = magnitude / kMicrosPerUnit;
  uint64_t fraction = magnitude % kMicrosPerUnit;
  // Six fraction digits, then drop trailing zeros while more than two remain.
  std::string digits(kScale, '0');
  for (int i = kScale - 1; i >= 0; --i, fraction /= 10) {
    digits[i] = static_cast<char>('0' + fraction % 10);
  }
  size_t len = digits.size();
  while (len > 2 && digits[len - 1] == '0') --len;
  return absl::StrCat(micros_ < 0 ? "-" : "", units, ".", absl::string_view(digits).substr(0, len));
}

absl::StatusOr<Money> Money::Add(Money other) const {
  int64_t sum = 0;
  if (__builtin_add_overflow(micros_, other.micros_, &sum)) {
    return absl::OutOfRangeError(absl::StrCat("adding ", other.ToString(), " to ", ToString(),
                                              " overflows the representable range"));
  }
  return Money(sum);
}

absl::StatusOr<Money> Money::Subtract(Money other) const {
  int64_t difference = 0;
  if (__builtin_sub_overflow(micros_, other.micros_, &difference)) {
    return absl::OutOfRangeError(absl::StrCat("subtracting ", other.ToString(), " from ",
                                              ToString(), " overflows the representable range"));
  }
  return Money(difference);
}

Money Money::RoundToCents(RoundingMode mode) const {
  const uint64_t magnitude = Magnitude(micros_);
  uint64_t cents = magnitude / kMicrosPerCent;
  const uint64_t remainder = magnitude % kMicrosPerCent;
  constexpr uint64_t kHalfCent = kMicrosPerCent / 2;
  const int vs_half = remainder < kHalfCent ? -1 : (remainder == kHalfCent ? 0 : 1);
  const uint64_t limit = micros_ < 0 ? kMaxNegativeMagnitude : kMaxPositiveMagnitude;
  // Within half a cent of the range limit the cent further from zero is not representable, so the
  // nearest representable cent is the one towards zero (see header).
  if (RoundsAway(mode, vs_half, cents % 2 == 1) && (cents + 1) * kMicrosPerCent <= limit) ++cents;
  return FromMagnitude(micros_ < 0, cents * kMicrosPerCent);
}

}  // namespace riskcap
