// Shared registry seed for server tests.
#include "tests/testing/fixtures.h"

#include <stdexcept>

#include "absl/strings/str_cat.h"

namespace riskcap::testing {
namespace {

void Check(const absl::Status& status) {
  if (!status.ok()) throw std::runtime_error(status.ToString());
}

Fund MakeFund(int64_t id, int64_t manager, RegulatoryClass cls, TargetAudience audience, bool active) {
  Fund f;
  f.id = id;
  f.name = absl::StrCat("Fund ", id);
  f.tax_id = absl::StrCat("1100000000", id + 1000);
  f.manager_id = manager;
  f.regulatory_class = cls;
  f.target_audience = audience;
  f.active = active;
  return f;
}

}  // namespace

void SeedRegistry(db::Store& store) {
  Check(store.CreateManager({1, "Alpha Gestora", "11111111000191"}).status());
  Check(store.CreateManager({2, "Beta Investimentos", "22222222000191"}).status());
  Check(store.CreateFund(MakeFund(101, 1, RegulatoryClass::kMultimercado, TargetAudience::kGeneral, true)));
  Check(store.CreateFund(MakeFund(102, 1, RegulatoryClass::kAcoes, TargetAudience::kQualified, false)));
  Check(store.CreateFund(MakeFund(201, 2, RegulatoryClass::kRendaFixa, TargetAudience::kProfessional, true)));
}

}  // namespace riskcap::testing
