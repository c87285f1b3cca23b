// The outbox: Slack actions a decision queued, kept until delivered (or
// given up on), so that a crash or a Slack outage loses none of them.
#pragma once

#include "commands/decision.hpp"
#include "storage/database.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warroom::storage {

enum class outbox_state { pending, done, dead };
std::string_view to_string(outbox_state s);

struct outbox_entry {
    std::int64_t id = 0;
    commands::action act;
    outbox_state state = outbox_state::pending;
    commands::time_point created_at{};
    commands::time_point next_attempt_at{};
    int attempts = 0;
    std::string last_error;
    // A post in parts: this one goes in the thread of outbox entry `thread_of`
    // (0: none); a thread's head records its Slack ts (set_posted_ts).
    std::int64_t thread_of = 0;
    bool thread_head = false;
};

// "post for INC-3 to leadership": what an outbox action is, for logs and `warroom outbox`.
std::string describe_action(const outbox_entry& e);

// The calls are documented on incident_repository, which forwards them.
class outbox_table {
public:
    explicit outbox_table(database& db) : db_(db) {}

    // Queues a decision's actions; one without an incident number gets `incident`.
    void enqueue(const std::vector<commands::action>& actions, std::int64_t incident, commands::time_point now);

    std::vector<outbox_entry> pending_actions(commands::time_point now, std::size_t limit);
    std::vector<outbox_entry> claim_actions(commands::time_point now, std::size_t limit, const std::string& replica,
                                            commands::time_point lease_until);
    std::size_t renew_leases(const std::string& replica, commands::time_point lease_until);
    std::map<std::string, std::size_t> live_leases(commands::time_point now);
    std::optional<commands::time_point> next_outbox_attempt();
    std::size_t pending_action_count();
    std::map<std::string, std::size_t> outbox_counts();
    std::vector<outbox_entry> dead_actions(std::size_t limit);
    void mark_delivered(std::int64_t outbox_id, commands::time_point now);
    void mark_failed(std::int64_t outbox_id, const std::string& error, commands::time_point retry_at);
    void defer(std::int64_t outbox_id, commands::time_point at);
    std::size_t retry_backed_off(commands::time_point now);
    void mark_dead(std::int64_t outbox_id, const std::string& error, commands::time_point now);
    std::size_t retry_dead(commands::time_point now);
    void set_posted_ts(std::int64_t outbox_id, const std::string& ts);
    std::optional<std::string> posted_ts(std::int64_t outbox_id);
    bool has_newer_summary_update(std::int64_t incident, std::int64_t outbox_id);

private:
    database& db_;
};

}  // namespace warroom::storage
