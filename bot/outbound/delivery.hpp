// Delivers the integration outbox: every action for a destination besides
// Slack (pages now), each handed to its destination's sender (sender.hpp),
// in order per incident and target, retried with the outbox's retry policy
// (slack::next_step), dead letters logged and kept for `warroom outbox`.
// Beside Slack's delivery, never instead of it: each reads its own queue.
#pragma once

#include "bot/clock.hpp"
#include "bot/loop_health.hpp"
#include "bot/metrics.hpp"
#include "bot/net/async.hpp"
#include "bot/net/wakeup.hpp"
#include "bot/outbound/sender.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <vector>

namespace warroom::bot {
class db_worker;
}

namespace warroom::bot::outbound {

struct delivery_options {
    std::chrono::seconds max_backoff{300};
    // A transient failure older than this becomes a dead letter.
    std::chrono::seconds give_up_after{std::chrono::hours(24)};
    std::size_t batch = 50;
};

class delivery {
public:
    delivery(const net::executor& ex, db_worker& db, std::vector<std::unique_ptr<sender>> senders, metrics& m,
             const clock& clk, delivery_options opts = {});

    net::task<void> run();
    void wake() { wake_.notify(); }
    void stop() {
        stopping_ = true;
        wake_.notify();
    }
    // For the stop's grace running out: every sender's requests in flight end.
    void cancel();
    const loop_health& health() const { return health_; }
    loop_health& health() { return health_; }

private:
    struct pause {
        std::chrono::seconds wait{0};
    };
    net::task<pause> round();
    net::task<void> record(const storage::integration_entry& e, const send_result& r);
    sender* sender_for(const std::string& destination);

    db_worker& db_;
    std::vector<std::unique_ptr<sender>> senders_;
    metrics& metrics_;
    const clock& clock_;
    delivery_options opts_;
    net::wakeup wake_;
    bool stopping_ = false;
    loop_health health_;
};

}  // namespace warroom::bot::outbound
