// Managers and the funds they run, as the administrator registers them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/enums.h"

namespace riskcap {

// An asset manager. Its API keys only see and submit for its own funds.
struct Manager {
  int64_t id = 0;
  std::string name;
  std::string tax_id;  // CNPJ, digits only
  bool operator==(const Manager&) const = default;
};

// A fund under administration. `id` is the administrator's fund code.
struct Fund {
  int64_t id = 0;
  std::string name;
  std::string tax_id;  // CNPJ, digits only
  int64_t manager_id = 0;
  RegulatoryClass regulatory_class = RegulatoryClass::kMultimercado;
  TargetAudience target_audience = TargetAudience::kGeneral;
  std::optional<double> bylaws_margin_cap;  // ratio of NAV from the fund's bylaws, e.g. 0.5
  std::string base_currency = "BRL";        // ISO 4217
  bool active = true;
  bool operator==(const Fund&) const = default;
};

}  // namespace riskcap
