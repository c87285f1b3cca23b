// A loop's sleep that other code can cut short: the scheduler and the
// delivery worker sleep until their next deadline or until new work arrives.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

namespace warroom::bot {

class wakeup {
public:
    explicit wakeup(const boost::asio::any_io_executor& ex) : timer_(ex) {}

    // A notify that comes while nobody sleeps is kept for the next sleep.
    void notify() {
        pending_ = true;
        timer_.cancel();
    }

    boost::asio::awaitable<void> sleep_for(std::chrono::steady_clock::duration d) {
        if (!pending_) {
            timer_.expires_after(d);
            co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
        }
        pending_ = false;
    }

private:
    boost::asio::steady_timer timer_;
    bool pending_ = false;
};

}  // namespace warroom::bot
