// What a pager's answer means for the outbox action that asked: delivered,
// retry (when, if the vendor said), or dead with the vendor's own words for
// `warroom outbox`. Pure, like slack::next_step, which the driver then feeds:
// retry with retry_after is slack::failure_kind::rate_limited, retry without
// is transient, dead is permanent.
#pragma once

#include "bot/paging/pager_config.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace warroom::paging {

struct http_outcome {
    int status = 0;           // 0: no answer (connection refused or dropped, timeout)
    std::string body;
    std::string retry_after;  // the Retry-After header as received; empty: none
    std::string network_error;  // what failed when status is 0, e.g. "timeout"
};

struct page_result {
    enum kind_t { delivered, retry, dead } kind = delivered;
    std::optional<std::chrono::seconds> retry_after;  // the vendor's Retry-After (delta-seconds form)
    std::string error;  // empty when delivered: "400 invalid event: Event object is invalid (…)"
};

// 2xx delivered. 408, 429 and 5xx retry (Retry-After honoured, capped at an
// hour), and so does no answer at all: PagerDuty's dedup key and Opsgenie's
// alias make a repeated request harmless. Everything else is dead: 400/422
// (the vendor refused the request: retrying sends the same one), 401/403 (a
// wrong or revoked key: the fix is in the config, and `warroom outbox
// --retry-dead` sends them again after it), 404, and 3xx (redirects are not
// followed: a webhook URL that moved must be changed in the config).
page_result classify(pager_kind kind, const http_outcome& answer);

// Retry-After as delta-seconds; nullopt for an HTTP-date or garbage.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view header);

}  // namespace warroom::paging
