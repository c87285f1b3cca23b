// The followups table: each follow-up with its state and its next reminder,
// which the scheduler fires beside the incidents' timers.
#pragma once

#include "commands/followup.hpp"
#include "storage/database.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace warroom::storage {

// The calls are documented on commands::incident_store and incident_repository.
class followup_table {
public:
    explicit followup_table(database& db) : db_(db) {}

    std::optional<commands::followup> find(std::int64_t id);
    std::vector<commands::followup> of_incident(std::int64_t incident);
    std::vector<commands::followup> of_open_incidents();
    std::vector<commands::followup> of_incidents(const std::vector<std::int64_t>& incidents);  // sorted, no repeats
    std::vector<commands::followup> open();
    std::vector<commands::followup> created_since(commands::time_point since);
    std::int64_t next_id();
    // Inserts or updates it; a new id moves the sequence past it. A closed one keeps no reminder.
    void save(const commands::followup& f);

    // The earliest reminder, and the incidents with a reminder due at `now`
    // (each once, at its earliest), earliest first.
    std::optional<commands::time_point> next_reminder();
    struct due_reminder {
        std::int64_t incident = 0;
        commands::time_point at{};
    };
    std::vector<due_reminder> due_reminders(commands::time_point now, std::size_t limit);
    std::size_t armed_count();

    // The weekly digest's next time (a row of the counters table, so no
    // migration): nullopt until first armed.
    std::optional<commands::time_point> digest_at();
    void set_digest_at(commands::time_point at);

private:
    template <class... Args>
    std::vector<commands::followup> read(const std::string& sql, const Args&... args);

    database& db_;
};

}  // namespace warroom::storage
