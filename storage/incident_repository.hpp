// Incidents, their timeline, timers and outgoing Slack actions in SQLite.
#pragma once

#include "commands/decision.hpp"
#include "commands/store.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace warroom::storage {

struct due_timer {
    std::int64_t incident = 0;
    commands::timer_kind kind = commands::timer_kind::ack;
    commands::time_point at{};
};

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

class incident_repository : public commands::incident_store {
public:
    explicit incident_repository(database& db);

    // commands::incident_store
    std::optional<commands::incident> find(std::int64_t number) override;
    std::optional<commands::incident> find_by_channel(std::string_view channel) override;
    std::vector<commands::incident> list_open() override;
    std::vector<commands::incident> list_declared_since(commands::time_point since) override;
    std::vector<commands::incident> list_resolved_since(commands::time_point since) override;
    std::vector<commands::incident> recent_open(commands::time_point since, std::size_t limit) override;
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

    // Outbox. Deliverable entries, oldest first: pending, due for an attempt
    // at `now`, and not queued behind an earlier entry of the same incident
    // that waits for a retry (so an incident's actions keep their order).
    std::vector<outbox_entry> pending_actions(commands::time_point now, std::size_t limit = 100);
    std::optional<commands::time_point> next_outbox_attempt();
    std::size_t pending_action_count();
    std::map<std::string, std::size_t> outbox_counts();  // by state
    std::vector<outbox_entry> dead_actions(std::size_t limit = 100);
    void mark_delivered(std::int64_t outbox_id, commands::time_point now);
    void mark_failed(std::int64_t outbox_id, const std::string& error, commands::time_point retry_at);
    // Held back to keep Slack's pace: not a failure, no attempt counted.
    void defer(std::int64_t outbox_id, commands::time_point at);
    // Slack answers again after failures: actions backing off are due now.
    std::size_t retry_backed_off(commands::time_point now);
    // Given up on: kept for `warroom outbox` and metrics, never retried.
    void mark_dead(std::int64_t outbox_id, const std::string& error, commands::time_point now);
    // An operator fixed the cause (`warroom outbox --retry-dead`): try them again now.
    std::size_t retry_dead(commands::time_point now);

    // Delivery learned the channel's Slack ID (and possibly a suffixed name).
    void set_channel(std::int64_t number, const std::string& channel_id, const std::string& channel_name);
    // Delivery posted the incident's pinned summary: its Slack ts, for chat.update later.
    // A save of the incident whose summary_ts is empty keeps the stored one.
    void set_summary(std::int64_t number, const std::string& ts);
    // A thread's head was posted: its ts, for the replies that follow it.
    void set_posted_ts(std::int64_t outbox_id, const std::string& ts);
    // The ts of a posted thread head; "" when it never reached Slack (dead, or
    // gone); nullopt while it is still pending.
    std::optional<std::string> posted_ts(std::int64_t outbox_id);
    // An update_summary queued after `outbox_id` for the incident, pending or
    // delivered: the older one is superseded and need not reach Slack.
    bool has_newer_summary_update(std::int64_t incident, std::int64_t outbox_id);

    // Remembers a request key (event_id, trigger_id); false when it was seen before.
    bool remember_request(const std::string& key, commands::time_point now);
    bool seen_request(const std::string& key);
    void forget_requests_before(commands::time_point cutoff);

    std::map<std::string, std::size_t> open_by_severity();

private:
    database& db_;
};

}  // namespace warroom::storage
