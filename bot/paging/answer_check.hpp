// Whether one delivery to /pagerduty/webhook or /opsgenie/webhook is to be
// believed and acted on: verified against every configured secret, fresh,
// and about an incident of this install. Pure; the HTTP side (bot/pager_endpoint)
// turns the verdict into a status and one log line.
#pragma once

#include "bot/paging/inbound.hpp"
#include "bot/paging/pager_config.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace warroom::paging {

// How far an event's own time (PagerDuty's occurred_at, Opsgenie's updatedAt)
// may be from now, either way, before it is refused as a replay.
inline constexpr std::chrono::minutes answer_window{15};

struct answer_verdict {
    enum status_t {
        accepted,   // verified and fresh, about incident `incident` of this install: reflect `answer`
        ignored,    // verified, but nothing for warroom (another event, an alert it did not open): 2xx
        refused,    // unsigned, wrongly signed, stale, or no secret configured: 401
        malformed,  // verified, but not the vendor's shape: 400
    } status = refused;
    page_answer answer;
    std::int64_t incident = 0;
    std::string reason;  // a log line's words; never a secret or a signature
};

// The secrets that prove a request from `kind`'s vendor: every such pager's
// webhook_secret, each split at commas (several while one is rotated).
std::vector<std::string> webhook_secrets(const std::vector<pager_target>& pagers, pager_kind kind);

// X-PagerDuty-Signature over the raw body; event.occurred_at required and
// within answer_window.
answer_verdict check_pagerduty_answer(const std::vector<std::string>& secrets, std::string_view signature_header,
                                      std::string_view body, std::string_view install,
                                      std::chrono::sys_seconds now);

// The shared secret in opsgenie_secret_header; alert.updatedAt, when present,
// within answer_window (the secret is static, so a timestamp proves little
// more: Opsgenie bodies without one are taken).
answer_verdict check_opsgenie_answer(const std::vector<std::string>& secrets, std::string_view secret_header,
                                     std::string_view body, std::string_view install, std::chrono::sys_seconds now);

}  // namespace warroom::paging
