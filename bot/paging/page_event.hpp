// What a page says about an incident, independent of the vendor it goes to.
// The wire formats (pagerduty.hpp, opsgenie.hpp, webhook.hpp) are pure
// functions of this struct, so the outbox can store the event (never a
// built request: PagerDuty's body carries the routing key) and build the
// request again at every attempt, with the secret read from the environment.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warroom::paging {

enum class page_action { trigger, acknowledge, resolve };
std::string_view to_string(page_action a) noexcept;

struct page_event {
    std::int64_t number = 0;   // INC-<number>
    std::string title;
    std::string severity;      // warroom's name, e.g. "P1"
    std::size_t severity_rank = 0;  // 0 is the most severe of the configured list
    page_action action = page_action::trigger;
    std::string channel_url;   // link back to the incident channel; empty: none
    std::string commander;     // Slack user ID or name; empty: none yet
    std::string actor;         // who caused this: declared or paged by hand, acknowledged, resolved
    std::string install;       // names this warroom (e.g. the Slack team ID): part of the dedup key
    std::chrono::sys_seconds at{};
};

// "warroom-<install>-INC-<n>": the same for every attempt and restart, so an
// at-least-once retry of a trigger updates the alert it opened instead of
// opening a second one. `install` keeps two warrooms paging one service apart.
std::string dedup_key(std::string_view install, std::int64_t number);
// The incident number back from a key this install made; nullopt for any
// other key (another install's, or an alert warroom did not open).
std::optional<std::int64_t> incident_of(std::string_view dedup_key, std::string_view install);

// "INC-7 [P1] checkout is down", cut to `max_bytes` on a UTF-8 boundary with
// "…" when it does not fit.
std::string summary(const page_event& e, std::size_t max_bytes);

// Cuts to at most `max_bytes`, never inside a UTF-8 sequence, ending in "…"
// when anything was cut.
std::string truncate_utf8(std::string_view text, std::size_t max_bytes);

// RFC 3339 in UTC: "2026-12-01T04:05:06Z".
std::string rfc3339(std::chrono::sys_seconds t);

}  // namespace warroom::paging
