#include "bot/net/watchdog.hpp"

#include <boost/asio/steady_timer.hpp>

namespace warroom::net {

struct watchdog::timer {
    timer(const executor& ex, std::chrono::steady_clock::duration d) : t(ex, d) {}
    boost::asio::steady_timer t;
};

watchdog::watchdog(const executor& ex, std::chrono::steady_clock::duration d, std::function<void()> on_expiry)
    : timer_(std::make_unique<timer>(ex, d)) {
    timer_->t.async_wait([f = std::move(on_expiry)](const boost::system::error_code& ec) {
        if (!ec) f();
    });
}

// The timer's destructor cancels the wait: the handler runs with operation_aborted.
watchdog::~watchdog() = default;

void watchdog::cancel() { timer_->t.cancel(); }

}  // namespace warroom::net
