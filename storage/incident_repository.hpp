// Incidents, their timeline, timers and outgoing Slack actions in SQLite.
#pragma once

#include "commands/decision.hpp"
#include "commands/store.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace warroom::storage {

struct due_timer {
    std::int64_t incident = 0;
    commands::timer_kind kind = commands::timer_kind::ack;
    commands::time_point at{};
};

struct outbox_entry {
    std::int64_t id = 0;
    commands::action act;
    commands::time_point created_at{};
    int attempts = 0;
};

class incident_repository : public commands::incident_store {
public:
    explicit incident_repository(database& db);

    // commands::incident_store
    std::optional<commands::incident> find(std::int64_t number) override;
    std::optional<commands::incident> find_by_channel(std::string_view channel) override;
    std::vector<commands::incident> list_open() override;
    std::vector<commands::incident> list_declared_since(commands::time_point since) override;
    std::vector<commands::timeline_entry> timeline(std::int64_t number) override;
    std::int64_t next_number() override;
    bool channel_name_taken(std::string_view name) override;

    // Writes everything a decision holds: the incident (with roles and
    // deadlines), timeline entries and outbox actions. The caller wraps it in
    // a transaction so that all of it commits or none of it does.
    void apply(const commands::decision& d, commands::time_point now);

    // Timers: the earliest armed deadline, and those due at `now`, earliest first.
    std::optional<commands::time_point> next_deadline();
    std::vector<due_timer> due_timers(commands::time_point now, std::size_t limit = 100);
    std::size_t armed_timer_count();

    // Outbox: pending actions oldest first; delivered ones are marked done.
    std::vector<outbox_entry> pending_actions(std::size_t limit = 100);
    std::size_t pending_action_count();
    void mark_delivered(std::int64_t outbox_id, commands::time_point now);
    void mark_failed(std::int64_t outbox_id, const std::string& error, commands::time_point retry_at);

    // Delivery learned the channel's Slack ID (and possibly a suffixed name).
    void set_channel(std::int64_t number, const std::string& channel_id, const std::string& channel_name);

private:
    database& db_;
};

}  // namespace warroom::storage
