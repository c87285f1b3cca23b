// POST /pagerduty/webhook and POST /opsgenie/webhook: pages answered on the
// vendor's side. Each request is verified (paging/answer_check), then a
// verified acknowledgement or resolution goes through the engine once per
// vendor event id. Every request gets one status and at most one log line;
// nothing about a refused one is stored, and no secret is ever logged.
#pragma once

#include "bot/clock.hpp"
#include "bot/metrics.hpp"
#include "bot/net/async.hpp"
#include "bot/net/http_types.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warroom::bot {

struct config;
class db_worker;

class pager_endpoint {
public:
    static constexpr std::string_view pagerduty_path = "/pagerduty/webhook";
    static constexpr std::string_view opsgenie_path = "/opsgenie/webhook";
    static bool serves(std::string_view target) { return target == pagerduty_path || target == opsgenie_path; }

    // `after_change` runs when an answer changed something (the outbox and timers look again).
    pager_endpoint(db_worker& db, metrics& m, const clock& clk, const config& cfg, std::function<void()> after_change);

    // Before the body is read: 401 without the vendor's header (or with no
    // secret configured), 413 for a body announced larger than a vendor sends.
    std::optional<net::http_response> screen(const net::http_request& head,
                                             std::optional<std::uint64_t> content_length);
    net::task<net::http_response> handle(net::http_request req);
    // For the startup log: which vendors' answers are taken, and how many secrets each (never the secrets).
    std::string status() const;

private:
    net::http_response refuse(std::string_view provider, const std::string& reason, std::size_t body_size);

    db_worker& db_;
    metrics& metrics_;
    const clock& clock_;
    std::string install_;
    std::vector<std::string> pagerduty_secrets_;
    std::vector<std::string> opsgenie_secrets_;
    // The [[pagers]] names of each vendor: an answer from one settles its own pages only.
    std::vector<std::string> pagerduty_targets_;
    std::vector<std::string> opsgenie_targets_;
    std::function<void()> after_change_;
};

}  // namespace warroom::bot
