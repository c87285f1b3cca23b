// A deadline with a consequence: unless cancelled in time, `on_expiry` runs
// (e.g. Socket Mode aborts a connection whose hello never came).
#pragma once

#include "bot/net/async.hpp"

#include <chrono>
#include <functional>
#include <memory>

namespace warroom::net {

class watchdog {
public:
    watchdog(const executor& ex, std::chrono::steady_clock::duration d, std::function<void()> on_expiry);
    // Dying cancels it too.
    ~watchdog();
    watchdog(const watchdog&) = delete;
    watchdog& operator=(const watchdog&) = delete;

    void cancel();

private:
    struct timer;
    std::unique_ptr<timer> timer_;
};

}  // namespace warroom::net
