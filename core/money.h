// Money: an exact amount in integer micro-units (6 decimal places). Never binary floating point.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace riskcap {

// How ParseRounded treats digits beyond the sixth decimal place.
enum class RoundingMode {
  kHalfEven,  // banker's rounding
  kHalfUp,    // ties away from zero
  kTruncate,  // towards zero
};

// A signed amount of money in micro-units of the fund's currency. Value type; thread-compatible.
// Range: about ±9.2 trillion units. Arithmetic that would overflow returns OutOfRange.
class Money {
 public:
  static constexpr int64_t kMicrosPerUnit = 1'000'000;
  static constexpr int kScale = 6;

  constexpr Money() = default;
  static constexpr Money FromMicros(int64_t micros) { return Money(micros); }
  // Whole units; OutOfRange when units * 1e6 overflows.
  static absl::StatusOr<Money> FromUnits(int64_t units);

  // Parses a plain decimal string: optional sign, digits, optional '.' and up to 6 fraction
  // digits ("-1234.56", "0.000001", "+7"). No exponents, separators, spaces, "nan" or "inf".
  // More than 6 fraction digits or over 100 characters -> InvalidArgument; out of range ->
  // OutOfRange.
  static absl::StatusOr<Money> Parse(std::string_view text);
  // Like Parse, but any number of fraction digits (within the 100 characters) is accepted and
  // rounded to 6 by `mode`.
  static absl::StatusOr<Money> ParseRounded(std::string_view text, RoundingMode mode);

  constexpr int64_t micros() const { return micros_; }

  // Canonical text: sign when negative, at least 2 fraction digits, trailing zeros beyond the
  // second dropped: "1234.50", "-0.000001", "0.00". Parse(ToString()) round-trips exactly.
  std::string ToString() const;

  absl::StatusOr<Money> Add(Money other) const;       // OutOfRange on overflow
  absl::StatusOr<Money> Subtract(Money other) const;  // OutOfRange on overflow
  // Rounds to the nearest cent (2 decimals) with the given mode. Never fails: within half a cent
  // of the range limits, where the cent further from zero is not representable, it rounds towards
  // zero instead.
  Money RoundToCents(RoundingMode mode = RoundingMode::kHalfEven) const;
  // Lossy conversion for ratios and risk figures only (never store the result as money).
  double ToDouble() const { return static_cast<double>(micros_) / kMicrosPerUnit; }

  friend constexpr bool operator==(Money a, Money b) = default;
  friend constexpr auto operator<=>(Money a, Money b) = default;

 private:
  constexpr explicit Money(int64_t micros) : micros_(micros) {}
  int64_t micros_ = 0;
};

}  // namespace riskcap
