#include "bot/net/wakeup.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>

namespace warroom::net {

struct wakeup::timer {
    explicit timer(const executor& ex) : t(ex) {}
    boost::asio::steady_timer t;
};

wakeup::wakeup(const executor& ex) : timer_(std::make_unique<timer>(ex)) {}

wakeup::~wakeup() = default;

void wakeup::notify() {
    pending_ = true;
    timer_->t.cancel();
}

task<void> wakeup::sleep_for(std::chrono::steady_clock::duration d) {
    if (!pending_) {
        timer_->t.expires_after(d);
        co_await timer_->t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
    pending_ = false;
}

}  // namespace warroom::net
