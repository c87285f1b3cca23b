// Tests only: the runtime's repository and database, which in the program
// only store_ops reaches. Tests read and check the stored state through it.
#pragma once

#include "bot/runtime.hpp"

namespace warroom::bot {

struct runtime_test_access {
    static storage::incident_repository& repository(runtime& rt) { return rt.repository(); }
    static storage::database& db(runtime& rt) { return rt.db(); }
};

}  // namespace warroom::bot
