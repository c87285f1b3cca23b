// The incidents table with their roles (read and saved with them) and their
// timeline; deadlines are the timer table's, read and saved through it.
#pragma once

#include "commands/incident.hpp"
#include "storage/database.hpp"
#include "storage/timers.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warroom::storage {

// An incident's channel, as Slack knows it (id) and by name.
struct incident_channel {
    std::int64_t number = 0;
    std::string id;
    std::string name;
};

// The calls are documented on incident_repository (and commands::incident_store).
class incident_table {
public:
    incident_table(database& db, timer_table& timers) : db_(db), timers_(timers) {}

    std::optional<commands::incident> find(std::int64_t number);
    std::optional<commands::incident> find_by_channel(std::string_view channel);
    // The number of the incident whose channel this is (id or name), without reading it.
    std::optional<std::int64_t> number_by_channel(std::string_view channel);
    std::vector<commands::incident> list_open();
    std::vector<commands::incident> list_declared_since(commands::time_point since);
    std::vector<commands::incident> list_resolved_since(commands::time_point since);
    std::vector<commands::incident> recent_open(commands::time_point since, std::size_t limit);
    std::vector<commands::timeline_entry> timeline(std::int64_t number);
    std::vector<commands::timeline_entry> open_timelines();
    // `numbers` sorted, without repeats (incident_repository documents them).
    std::vector<commands::incident> find_many(const std::vector<std::int64_t>& numbers);
    std::vector<commands::timeline_entry> timelines_of(const std::vector<std::int64_t>& numbers);
    std::vector<incident_channel> channels();
    std::int64_t next_number();
    bool channel_name_taken(std::string_view name);
    std::map<std::string, std::size_t> open_by_severity();

    // The incident with its roles and deadlines; a new one also moves the number counter on.
    void save(const commands::incident& inc, bool is_new);
    // Timeline entries; one without an incident number gets `incident`.
    void add_timeline(const std::vector<commands::timeline_entry>& entries, std::int64_t incident);
    void set_channel(std::int64_t number, const std::string& channel_id, const std::string& channel_name);
    void set_summary(std::int64_t number, const std::string& ts);

private:
    // Roles, impacts, notes, deadlines and pages of incidents just read: by
    // their numbers, or by a scan of the whole tables (for many of them).
    void attach_details(std::vector<commands::incident>& incidents, bool scan_all);
    void attach_pages(std::map<std::int64_t, commands::incident*>& by_number, bool scan_all);
    // Incidents from a query whose first columns are incident_columns, `args` bound to its parameters.
    template <class... Args>
    std::vector<commands::incident> read(bool with_details, std::string_view sql, const Args&... args);

    database& db_;
    timer_table& timers_;
};

}  // namespace warroom::storage
