// Scheduled maintenance records (M-n), apart from incidents.
#pragma once

#include "commands/incident.hpp"
#include "storage/database.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace warroom::storage {

// The calls are documented on commands::incident_store.
class maintenance_table {
public:
    explicit maintenance_table(database& db) : db_(db) {}

    std::optional<commands::maintenance> find(std::int64_t id);
    std::vector<commands::maintenance> ending_after(commands::time_point t);
    std::int64_t next_id();
    // Inserted, or updated in place (a cancel).
    void save(const commands::maintenance& m);

private:
    database& db_;
};

}  // namespace warroom::storage
