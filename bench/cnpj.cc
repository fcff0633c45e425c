// CNPJ check digits.
#include "bench/cnpj.h"

#include "absl/strings/str_format.h"

namespace riskcap::bench {
namespace {

// The check digit over the first `n` digits: weights 5,4,3,2,9,...,2 for the first digit
// (n = 12) and 6,5,4,3,2,9,...,2 for the second (n = 13).
char CheckDigit(const std::string& digits, size_t n) {
  int sum = 0;
  int weight = static_cast<int>(n) - 7;
  for (size_t i = 0; i < n; ++i) {
    sum += (digits[i] - '0') * weight;
    weight = weight == 2 ? 9 : weight - 1;
  }
  int rest = sum % 11;
  return static_cast<char>('0' + (rest < 2 ? 0 : 11 - rest));
}

}  // namespace

std::string MakeCnpj(int64_t root, int branch) {
  std::string digits = absl::StrFormat("%08d%04d", root % 100'000'000, branch % 10'000);
  digits.push_back(CheckDigit(digits, 12));
  digits.push_back(CheckDigit(digits, 13));
  return digits;
}

}  // namespace riskcap::bench
