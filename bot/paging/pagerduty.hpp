// PagerDuty Events API v2 (https://events.pagerduty.com/v2/enqueue), as its
// published OpenAPI schema (PagerDuty/api-schema, reference/events-v2) and
// its documented limits describe it.
#pragma once

#include "bot/paging/page_event.hpp"
#include "bot/paging/pager_config.hpp"
#include "bot/paging/request.hpp"

#include <string>
#include <string_view>

namespace warroom::paging {

inline constexpr std::size_t pagerduty_summary_max = 1024;   // longer summaries are cut by PagerDuty
inline constexpr std::size_t pagerduty_dedup_key_max = 255;
inline constexpr std::size_t pagerduty_routing_key_size = 32;

// The schema's severity enum, from the severity's rank in warroom's list
// (most severe first): critical, error, warning, then info for the rest.
std::string_view pagerduty_severity(std::size_t rank) noexcept;

// The enqueue body. A trigger carries the payload (summary, source,
// severity, timestamp, custom_details), client, client_url and a link back to
// the channel; acknowledge and resolve name only the alert (dedup_key), as
// the API wants.
std::string pagerduty_body(const page_event& e, std::string_view routing_key, std::string_view source);

// POST <base_url>/v2/enqueue with the target's routing key.
http_request pagerduty_request(const pager_target& target, const page_event& e);

}  // namespace warroom::paging
