// The engine's read-only view of stored state. storage/ implements it over
// SQLite; tests can implement it in memory.
#pragma once

#include "commands/followup.hpp"
#include "commands/incident.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace warroom::commands {

class incident_store {
public:
    virtual ~incident_store() = default;
    virtual std::optional<incident> find(std::int64_t number) = 0;
    // The incident whose Slack channel (ID or name) this is.
    virtual std::optional<incident> find_by_channel(std::string_view channel) = 0;
    virtual std::vector<incident> list_open() = 0;
    // Every incident declared at or after `since`, open or resolved, oldest first.
    virtual std::vector<incident> list_declared_since(time_point since) = 0;
    // Every incident resolved at or after `since`, whenever it was declared.
    virtual std::vector<incident> list_resolved_since(time_point since) = 0;
    // At most `limit` open incidents declared at or after `since`, newest first
    // (roles and deadlines may be left out: it names candidates, nothing more).
    // Bounded, because a declaration storm must not make each declare slower.
    virtual std::vector<incident> recent_open(time_point since, std::size_t limit) {
        std::vector<incident> out;
        auto all = list_declared_since(since);
        for (auto it = all.rbegin(); it != all.rend() && out.size() < limit; ++it)
            if (it->is_open()) out.push_back(std::move(*it));
        return out;
    }
    virtual std::vector<timeline_entry> timeline(std::int64_t number) = 0;
    // The number the next declaration will take (numbers are never reused).
    virtual std::int64_t next_number() = 0;
    virtual bool channel_name_taken(std::string_view name) = 0;

    // Follow-ups. A store without them has none (the defaults).
    virtual std::optional<followup> find_followup(std::int64_t /*id*/) { return std::nullopt; }
    // The incident's follow-ups, oldest first.
    virtual std::vector<followup> followups_of(std::int64_t /*incident*/) { return {}; }
    // Every open follow-up, oldest first.
    virtual std::vector<followup> open_followups() { return {}; }
    // Every follow-up made at or after `since`, whatever its state, oldest first.
    virtual std::vector<followup> followups_created_since(time_point /*since*/) { return {}; }
    // The id the next follow-up will take (ids are never reused).
    virtual std::int64_t next_followup_id() { return 1; }

    // Scheduled maintenance. A store without it has none (the defaults).
    virtual std::optional<maintenance> find_maintenance(std::int64_t /*id*/) { return std::nullopt; }
    // Every maintenance (cancelled ones too) ending after `t`, soonest start first.
    virtual std::vector<maintenance> maintenances_ending_after(time_point /*t*/) { return {}; }
    virtual std::int64_t next_maintenance_id() { return 1; }
};

}  // namespace warroom::commands
