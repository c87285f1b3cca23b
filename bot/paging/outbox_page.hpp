// A page as the integration outbox keeps it: the page event and the target's
// name, never a request (PagerDuty's body carries the routing key), so every
// attempt rebuilds the request with the secret read from the environment.
// Pure: the runtime queues with it, the pager sender and `warroom outbox`
// read with it.
#pragma once

#include "bot/paging/page_event.hpp"
#include "bot/paging/pager_config.hpp"
#include "bot/paging/request.hpp"
#include "commands/decision.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warroom::paging {

// The integration outbox's destination name for pages (see bot/outbound/sender.hpp).
inline constexpr std::string_view page_destination = "pager";

struct queued_page {
    std::string target;  // the [[pagers]] name
    pager_kind kind = pager_kind::pagerduty;  // as configured when queued: for the summary line
    // Why: "declared", "not acknowledged", "severity raised", "paged by hand",
    // "acknowledged", "resolved", "reopened"; the webhook's event follows it.
    std::string reason;
    page_event event;
};

std::string to_payload(const queued_page& p);
// nullopt for a payload this version cannot read (a bug, or a downgrade).
std::optional<queued_page> from_payload(std::string_view payload);

// "[pagerduty payments-oncall] trigger INC-3 [P1] checkout is down".
std::string summary_line(const queued_page& p);

// What the engine's order becomes: the incident as it is after the decision,
// the severity's rank, the target's kind and this install's id. An unknown
// target (the config changed) keeps kind pagerduty; its sender says so.
queued_page queue_page(const commands::page_order& order, const commands::incident& inc,
                       const commands::settings& cfg, const std::vector<pager_target>& pagers,
                       std::string_view install, std::chrono::sys_seconds now);

// The link a page carries back to the incident's channel; empty until Slack made it.
std::string slack_channel_url(std::string_view channel_id);

// The request for `target` (its kind and its secret, as configured now).
// `delivery_id` is stable across retries (the outbox entry): the webhook's
// id, by which receivers drop repeats. Signed at `now`.
http_request build_request(const pager_target& target, const queued_page& p, std::string_view delivery_id,
                           std::chrono::sys_seconds now);

}  // namespace warroom::paging
