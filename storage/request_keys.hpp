// De-duplication keys: the Slack requests already handled (event_id,
// trigger_id, view ids), so that a retried delivery does nothing twice.
#pragma once

#include "commands/settings.hpp"
#include "storage/database.hpp"

#include <string>

namespace warroom::storage {

class request_keys {
public:
    explicit request_keys(database& db) : db_(db) {}

    // Remembers a request key; false when it was seen before.
    bool remember(const std::string& key, commands::time_point now);
    bool seen(const std::string& key);
    void forget_before(commands::time_point cutoff);

private:
    database& db_;
};

}  // namespace warroom::storage
