// Which Statuspage incident publishes each of ours (schema 009), and whether
// a create went out whose answer we may have lost.
#pragma once

#include "commands/incident.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace warroom::storage {

struct statuspage_link {
    std::int64_t incident = 0;
    std::string statuspage_id;  // empty: not created (or not known to be)
    std::optional<commands::time_point> create_sent_at;
    std::optional<std::int64_t> create_entry;  // the outbox entry whose create that was
};

class statuspage_links {
public:
    explicit statuspage_links(database& db) : db_(db) {}

    std::optional<statuspage_link> find(std::int64_t incident);
    // Committed before the create is sent: from then on, no id means "maybe created".
    void mark_create_sent(std::int64_t incident, std::int64_t entry, commands::time_point at);
    // Statuspage's id, recorded first thing after it answered (or after it was found again).
    void record_id(std::int64_t incident, const std::string& statuspage_id, commands::time_point at);

private:
    database& db_;
};

}  // namespace warroom::storage
