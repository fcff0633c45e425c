// Valid CNPJs (Brazilian company tax ids) for the registry entries a benchmark creates.
#pragma once

#include <cstdint>
#include <string>

namespace riskcap::bench {

// The 14-digit CNPJ with root `root` (8 digits, 0..99'999'999) and branch `branch` (4 digits,
// 0..9999), followed by its two modulo-11 check digits (Receita Federal's rule).
std::string MakeCnpj(int64_t root, int branch);

}  // namespace riskcap::bench
