// The timers table: each incident's armed deadlines, which the scheduler
// fires and a restart re-arms.
#pragma once

#include "commands/incident.hpp"
#include "storage/database.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace warroom::storage {

struct due_timer {
    std::int64_t incident = 0;
    commands::timer_kind kind = commands::timer_kind::ack;
    commands::time_point at{};
};

class timer_table {
public:
    explicit timer_table(database& db) : db_(db) {}

    // Replaces the incident's deadlines with the armed ones of `due`.
    // `is_new`: a new incident, which has none to replace.
    void arm(std::int64_t incident, const commands::deadlines& due, bool is_new = false);
    // Fills in the deadlines of already-read incidents: each looked up by
    // number, or (`scan_all`, for many) all read in one pass.
    void attach(const std::map<std::int64_t, commands::incident*>& by_number, bool scan_all);

    // The earliest armed deadline, and those due at `now`, earliest first.
    std::optional<commands::time_point> next_deadline();
    std::vector<due_timer> due_timers(commands::time_point now, std::size_t limit);
    std::size_t armed_timer_count();

private:
    database& db_;
};

}  // namespace warroom::storage
