// Slack's pace kept ahead of time: tiers, one post a second per channel, and
// a 429 pausing only its own method.
#include "bot/slack/rate_limiter.hpp"

#include <catch2/catch.hpp>

using warroom::slack::rate_limiter;
using namespace std::chrono_literals;

namespace {

// Sends `n` calls as fast as the limiter allows; returns when the last went.
rate_limiter::clock::duration send_all(rate_limiter& rl, std::string_view method, std::string_view channel, int n,
                                       rate_limiter::time_point start) {
    auto now = start;
    for (int i = 0; i < n; ++i) {
        now += rl.wait(method, channel, now);
        rl.spend(method, channel, now);
    }
    return now - start;
}

}  // namespace

TEST_CASE("posts to one channel go about one a second") {
    rate_limiter rl;
    rate_limiter::time_point t0{};
    auto took = send_all(rl, "chat.postMessage", "C1", 50, t0 + 1h);
    CHECK(took >= 48s);
    CHECK(took <= 50s);
}

TEST_CASE("posts to many channels are not held back by each other") {
    rate_limiter rl;
    auto now = rate_limiter::time_point{} + 1h;
    for (int i = 0; i < 20; ++i) {
        std::string channel = "C" + std::to_string(i);
        CHECK(rl.wait("chat.postMessage", channel, now) == 0s);
        rl.spend("chat.postMessage", channel, now);
    }
}

TEST_CASE("a tier 2 method allows a short burst, then about 20 a minute") {
    rate_limiter rl;
    auto now = rate_limiter::time_point{} + 1h;
    auto limit = rate_limiter::limit_for("conversations.create");
    CHECK(limit.per_minute == 20);
    auto burst = send_all(rl, "conversations.create", "", static_cast<int>(limit.burst), now);
    CHECK(burst == 0s);
    auto next_twenty = send_all(rl, "conversations.create", "", 20, now);
    CHECK(next_twenty >= 59s);
    CHECK(next_twenty <= 61s);
}

TEST_CASE("a 429 pauses its method only, for as long as Retry-After says") {
    rate_limiter rl;
    auto now = rate_limiter::time_point{} + 1h;
    rl.pause("chat.postMessage", now + 30s);
    CHECK(rl.wait("chat.postMessage", "C1", now) == 30s);
    CHECK(rl.wait("chat.postMessage", "C1", now + 10s) == 20s);
    CHECK(rl.wait("conversations.create", "", now) == 0s);
    CHECK(rl.wait("chat.postMessage", "C1", now + 30s) == 0s);
    // A shorter Retry-After later never shortens a pause in force.
    rl.pause("chat.postMessage", now + 5s);
    CHECK(rl.wait("chat.postMessage", "C1", now + 1s) == 29s);
}

TEST_CASE("unknown methods get a middle tier, not no limit") {
    CHECK(rate_limiter::limit_for("bookmarks.add").per_minute == 50);
}

TEST_CASE("a faster pace scales every limit (for tests against a fake Slack)") {
    rate_limiter fast(10);
    auto took = send_all(fast, "chat.postMessage", "C1", 51, rate_limiter::time_point{} + 1h);
    CHECK(took >= 4s);
    CHECK(took <= 6s);
    rate_limiter nonsense(-3);  // a bad value falls back to Slack's pace
    CHECK(send_all(nonsense, "chat.postMessage", "C1", 3, rate_limiter::time_point{} + 1h) >= 2s);
}
