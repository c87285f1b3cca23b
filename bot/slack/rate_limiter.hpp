// Slack's rate limits, kept ahead of time rather than discovered by 429s:
// per-method tiers (token buckets), about one message per second per
// channel, and a method paused for as long as a 429's Retry-After says.
// Pure bookkeeping on a given clock, so tests can drive time.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>

namespace warroom::slack {

class rate_limiter {
public:
    // `speed` multiplies every limit: 1 is Slack's pace. Only tests against a
    // fake Slack run faster (WARROOM_SLACK_PACE, see DEVELOPERS.md).
    explicit rate_limiter(double speed = 1.0) : speed_(speed > 0 ? speed : 1.0) {}

    using clock = std::chrono::steady_clock;
    using time_point = clock::time_point;

    // How long to wait before `method` (to `channel`, for posts) may be called at `now`.
    clock::duration wait(std::string_view method, std::string_view channel, time_point now);
    // The call is being made at `now`: spend its tokens.
    void spend(std::string_view method, std::string_view channel, time_point now);
    // Slack answered 429 with Retry-After: hold this method (only) until `until`.
    void pause(std::string_view method, time_point until);

    // Calls per minute Slack allows `method` (its tier), and how many may go at once.
    struct limit {
        double per_minute;
        double burst;
    };
    static limit limit_for(std::string_view method);
    limit scaled(std::string_view method) const;

private:
    struct bucket {
        double tokens = -1;  // -1: not used yet (full)
        time_point updated{};
    };
    static void refill(bucket& b, const limit& l, time_point now);
    static clock::duration until_token(const bucket& b, const limit& l);

    double speed_;
    std::map<std::string, bucket, std::less<>> methods_;
    std::map<std::string, bucket, std::less<>> channels_;  // chat.postMessage, per channel
    std::map<std::string, time_point, std::less<>> paused_;
};

}  // namespace warroom::slack
