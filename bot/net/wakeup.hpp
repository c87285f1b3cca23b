// A loop's sleep that other code can cut short: the scheduler and the
// delivery worker sleep until their next deadline or until new work arrives.
#pragma once

#include "bot/net/async.hpp"

#include <chrono>
#include <memory>

namespace warroom::net {

class wakeup {
public:
    explicit wakeup(const executor& ex);
    ~wakeup();
    wakeup(const wakeup&) = delete;
    wakeup& operator=(const wakeup&) = delete;

    // A notify that comes while nobody sleeps is kept for the next sleep.
    void notify();

    task<void> sleep_for(std::chrono::steady_clock::duration d);

private:
    // The timer behind a pointer: its header (and its wait's instantiation)
    // stays in wakeup.cpp instead of every file that sleeps.
    struct timer;
    std::unique_ptr<timer> timer_;
    bool pending_ = false;
};

}  // namespace warroom::net
