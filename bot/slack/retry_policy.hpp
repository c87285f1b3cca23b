// The outbox's decisions as pure functions of a result and the time: what one
// delivery attempt means for its action (delivered, retry at, dead), and when
// a Slack that stopped answering is probed again. No I/O, so every rule is a
// unit test away.
#pragma once

#include "bot/slack/api_result.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace warroom::slack {

using sys_seconds = std::chrono::sys_seconds;

struct retry_policy {
    std::chrono::seconds first_backoff{1};
    std::chrono::seconds max_backoff{300};
    // A transient failure older than this becomes a dead letter.
    std::chrono::seconds give_up_after{std::chrono::hours(24)};
    // A rejected token is checked again this often; nothing dies meanwhile.
    std::chrono::seconds auth_recheck{60};
};

// One delivery attempt, as the step needs it.
struct attempt {
    failure_kind kind = failure_kind::none;
    std::optional<std::chrono::seconds> retry_after;  // Slack's Retry-After, or the pace's wait
    int failed_before = 0;                            // earlier failed attempts of this action
    std::chrono::seconds age{0};                      // since the action was queued
    double jitter = 0;                                // in [0, 1): spreads retries out
};

struct outbox_step {
    enum kind_t { delivered, retry, dead } kind = delivered;
    std::optional<sys_seconds> retry_at;  // set for retry
    bool gave_up = false;                 // dead because it kept failing past give_up_after
};

// Transient failures back off exponentially (with up to a quarter more as
// jitter, so an outage's end is not met by a stampede); 429s wait exactly as
// long as Slack said; a rejected token waits for auth_recheck and never dies.
outbox_step next_step(const attempt& a, sys_seconds now, const retry_policy& p);

// Whether Slack answers, from the results of the calls made to it, and when to
// ask it again while it does not. Exponential backoff alone would leave the
// head of the queue up to max_backoff behind a Slack that is back; a cheap
// probe every few seconds notices the end of an outage within that interval
// and releases the queue. A probe that answers while deliveries still fail (a
// partial outage) has released the queue for nothing: each such release
// doubles the probe interval, so the queue is not retried in a loop.
class reachability {
public:
    struct options {
        std::chrono::seconds probe_every{5};
        std::chrono::seconds max_probe_every{60};
    };
    reachability() = default;
    explicit reachability(options o) : opts_(o) {}

    // A call's answer (never one held back by the pace, which was not sent).
    void on_result(failure_kind k, const std::string& error, sys_seconds now);
    bool probe_due(sys_seconds now) const;
    std::optional<sys_seconds> next_probe() const;
    // The probe's answer; true: Slack answers again, release what backs off.
    bool on_probe(failure_kind k, const std::string& error, sys_seconds now);

    bool failing() const { return failing_since_.has_value(); }
    std::optional<sys_seconds> failing_since() const { return failing_since_; }
    std::optional<sys_seconds> last_success() const { return last_success_; }
    const std::string& last_error() const { return last_error_; }
    // Failing for at least `after`: what /readyz and healthcheck report.
    bool unreachable(sys_seconds now, std::chrono::seconds after) const {
        return failing_since_ && now - *failing_since_ >= after;
    }
    std::chrono::seconds probe_interval() const;

private:
    options opts_;
    std::optional<sys_seconds> failing_since_;
    std::optional<sys_seconds> last_success_;
    sys_seconds last_asked_{};  // the latest failed call or probe
    std::string last_error_;
    bool released_ = false;  // a probe released the queue; no delivery has answered since
    int fruitless_ = 0;      // releases a failure followed
};

}  // namespace warroom::slack
