// The integration outbox: actions for destinations other than Slack (a page
// now; e-mail and Statuspage next), queued in the decision's transaction and
// delivered by bot/outbound's loop, never by Slack's. Kept apart from the
// Slack outbox so one side's outage never holds the other's queue.
#pragma once

#include "commands/settings.hpp"
#include "storage/database.hpp"
#include "storage/outbox.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace warroom::storage {

struct integration_action {
    std::int64_t incident = 0;
    std::string destination;  // which sender delivers it: "pager", …
    std::string target;       // the configured target's name
    std::string summary;      // "[pagerduty payments-oncall] trigger INC-3 …": for logs and `warroom outbox`
    std::string payload;      // the sender's own JSON; never a secret
};

struct integration_entry {
    std::int64_t id = 0;
    integration_action act;
    outbox_state state = outbox_state::pending;
    commands::time_point created_at{};
    commands::time_point next_attempt_at{};
    int attempts = 0;
    std::string last_error;
};

class integration_outbox_table {
public:
    explicit integration_outbox_table(database& db) : db_(db) {}

    void enqueue(const std::vector<integration_action>& actions, commands::time_point now);
    // Due at `now` and first in their (incident, destination, target) line:
    // a target gets its trigger before its acknowledge, whatever retries did.
    std::vector<integration_entry> due(commands::time_point now, std::size_t limit);
    std::optional<commands::time_point> next_attempt();
    // {destination, state} -> count, for /metrics and `warroom outbox`.
    std::map<std::pair<std::string, std::string>, std::size_t> counts();
    std::vector<integration_entry> dead(std::size_t limit);
    // Every entry of an incident, oldest first (tests, the console).
    std::vector<integration_entry> of_incident(std::int64_t incident);
    std::vector<integration_entry> since(std::int64_t after_id, std::size_t limit);
    void mark_delivered(std::int64_t id, commands::time_point now);
    void mark_failed(std::int64_t id, const std::string& error, commands::time_point retry_at);
    void mark_dead(std::int64_t id, const std::string& error, commands::time_point now);
    std::size_t retry_dead(commands::time_point now);

private:
    database& db_;
};

}  // namespace warroom::storage
