// `warroom export --format json|csv [--since 30d] [--output FILE] [--exclude-private]`: incidents
// with their timeline, severity, roles, status and response times (MTTA,
// MTTR), and in JSON their follow-ups, for reports and spreadsheets.
// `--format csv --followups`: a CSV of its own, one row per follow-up of
// those incidents. Safe while `serve` runs.
#pragma once

#include "bot/config.hpp"
#include "commands/followup.hpp"
#include "commands/incident.hpp"

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warroom::bot {

struct export_options {
    std::string format = "csv";    // csv or json
    std::string since;             // a duration ("30d"); empty: every incident
    std::string output;            // a file; empty: stdout
    bool followups = false;        // csv: one row per follow-up instead of per incident
    // Private incidents are exported marked ("private": true); this leaves them out
    // (an export shared beyond their members).
    bool exclude_private = false;
};

struct incident_report {
    commands::incident inc;
    std::vector<commands::timeline_entry> timeline;
    std::vector<commands::followup> followups;  // JSON only: a CSV row is one incident
};

// RFC 4180: quoted when it holds a comma, a double quote, CR or LF (quotes
// doubled); bytes otherwise untouched, so UTF-8 stays UTF-8.
std::string csv_field(std::string_view value);
// "2026-11-23T14:05:00Z"
std::string iso8601(commands::time_point t);

// A header row, then one row per incident; CRLF between records. The
// timeline is one cell, an entry a line.
std::string to_csv(const std::vector<incident_report>& reports, const commands::settings& settings);
// A header row, then one row per follow-up of the incidents, in incident
// order; the same fields as the JSON's follow-ups, with their incident.
std::string followups_csv(const std::vector<incident_report>& reports, const commands::settings& settings,
                          commands::time_point exported_at);
// {"exported_at", "since", "incidents": [...]}, with the timeline and the
// follow-ups as arrays.
std::string to_json(const std::vector<incident_report>& reports, const commands::settings& settings,
                    commands::time_point exported_at, std::optional<commands::time_point> since);

// Incidents declared at or after `now - since` (all when empty), oldest first.
int run_export_command(const config& cfg, const export_options& opts, std::ostream& out, std::ostream& err);

}  // namespace warroom::bot
