// The seam for every destination besides Slack. A decision's actions for
// them are queued in the integration outbox (storage/integration_outbox.hpp)
// in the decision's own transaction; outbound::delivery reads that queue and
// hands each entry to the sender registered for its `destination`, then
// records what the sender says (delivered, retry, dead) with the shared retry
// policy. Slack's delivery never reads this queue.
//
// To add a destination (e-mail, Atlassian Statuspage, …):
//  1. the engine decides it (a field of commands::decision, pure);
//  2. runtime::apply turns it into storage::integration_action rows: a
//     destination name, the target's name, a summary line for logs and
//     `warroom outbox`, and a payload of your own (never a secret);
//  3. write a `sender` for that destination name (send one entry: rebuild
//     the request from the payload, with secrets from the config) and add it
//     to the list serve.cpp gives outbound::delivery.
// Logs, /metrics, dead letters in `warroom outbox`, retries with backoff and
// `--retry-dead` then come with the loop.
#pragma once

#include "bot/net/async.hpp"
#include "storage/integration_outbox.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace warroom::bot::outbound {

struct send_result {
    enum kind_t {
        delivered,
        retry,  // a transient failure: backed off by the retry policy, dead after its give-up age
        dead,   // refused for good: kept for `warroom outbox`, sent again only by --retry-dead
    } kind = delivered;
    std::optional<std::chrono::seconds> retry_after;  // the destination said when (a 429's Retry-After)
    std::string error;  // shown in logs and `warroom outbox`: must never hold a secret
    std::string kind_label;  // the target's kind for /metrics ("pagerduty"); empty: the destination
};

// What the loop knows of the entry's incident when it is sent.
struct send_context {
    std::string channel_id;  // the incident's Slack channel, "" until created
    std::chrono::sys_seconds now{};
};

class sender {
public:
    virtual ~sender() = default;
    // The integration_action::destination this sender delivers ("pager").
    virtual std::string_view destination() const = 0;
    // One attempt. Expected failures (the network, the vendor saying no) are
    // values; an exception is a bug, and the entry is retried.
    virtual net::task<send_result> send(const storage::integration_entry& e, const send_context& ctx) = 0;
    // For the stop: requests in flight end now (as retries), later ones fail at once.
    virtual void cancel() = 0;
};

}  // namespace warroom::bot::outbound
