// Test support: a small registry of managers and funds that server tests share.
#pragma once

#include "db/store.h"

namespace riskcap::testing {

// Manager 1 runs funds 101 (Multimercado, GENERAL, active) and 102 (Ações, QUALIFIED,
// inactive); manager 2 runs fund 201 (Renda Fixa, PROFESSIONAL, active).
// Throws std::runtime_error if the store refuses (a broken fixture is a test error).
void SeedRegistry(db::Store& store);

}  // namespace riskcap::testing
