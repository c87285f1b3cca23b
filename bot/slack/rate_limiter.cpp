#include "bot/slack/rate_limiter.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace warroom::slack {

namespace {

using namespace std::chrono_literals;

// SLACK.md's tiers: 1 ≈ 1/min, 2 ≈ 20/min, 3 ≈ 50/min, 4 ≈ 100/min; bursts
// are tolerated, so a third of a minute's allowance may go at once.
constexpr rate_limiter::limit tier1{1, 1}, tier2{20, 6}, tier3{50, 16}, tier4{100, 30};
// chat.postMessage: about one a second per channel, several hundred a minute in all.
constexpr rate_limiter::limit per_channel{60, 1}, post_overall{300, 30};

constexpr std::array<std::pair<std::string_view, rate_limiter::limit>, 16> tiers{{
    {"apps.connections.open", tier1},
    {"conversations.create", tier2},    {"conversations.setTopic", tier2}, {"conversations.setPurpose", tier2},
    {"conversations.list", tier2},      {"conversations.archive", tier2},  {"pins.add", tier2},
    {"conversations.invite", tier3},    {"conversations.join", tier3},     {"conversations.history", tier3},
    {"chat.update", tier3},             {"chat.postEphemeral", tier4},     {"users.info", tier4},
    {"views.open", tier4},              {"views.publish", tier4},          {"chat.postMessage", post_overall},
}};

bool posts_to_channel(std::string_view method) { return method == "chat.postMessage"; }

}  // namespace

rate_limiter::limit rate_limiter::limit_for(std::string_view method) {
    for (const auto& [name, l] : tiers)
        if (name == method) return l;
    return tier3;  // an unlisted method: a middle tier is the safe guess
}

rate_limiter::limit rate_limiter::scaled(std::string_view method) const {
    auto l = method.empty() ? per_channel : limit_for(method);
    return {l.per_minute * speed_, std::max(1.0, l.burst * speed_)};
}

void rate_limiter::refill(bucket& b, const limit& l, time_point now) {
    if (b.tokens < 0) {
        b.tokens = l.burst;
    } else {
        std::chrono::duration<double> elapsed = now - b.updated;
        b.tokens = std::min(l.burst, b.tokens + std::max(0.0, elapsed.count()) * l.per_minute / 60.0);
    }
    b.updated = now;
}

rate_limiter::clock::duration rate_limiter::until_token(const bucket& b, const limit& l) {
    if (b.tokens >= 1) return clock::duration::zero();
    std::chrono::duration<double> need((1 - b.tokens) * 60.0 / l.per_minute);
    return std::chrono::ceil<clock::duration>(need);
}

rate_limiter::clock::duration rate_limiter::wait(std::string_view method, std::string_view channel, time_point now) {
    clock::duration longest = clock::duration::zero();
    if (auto it = paused_.find(method); it != paused_.end() && it->second > now) longest = it->second - now;
    auto l = scaled(method);
    auto& m = methods_[std::string(method)];
    refill(m, l, now);
    longest = std::max(longest, until_token(m, l));
    if (posts_to_channel(method) && !channel.empty()) {
        auto pc = scaled("");
        auto& c = channels_[std::string(channel)];
        refill(c, pc, now);
        longest = std::max(longest, until_token(c, pc));
    }
    return longest;
}

void rate_limiter::spend(std::string_view method, std::string_view channel, time_point now) {
    auto l = scaled(method);
    auto& m = methods_[std::string(method)];
    refill(m, l, now);
    m.tokens -= 1;
    if (posts_to_channel(method) && !channel.empty()) {
        auto pc = scaled("");
        auto& c = channels_[std::string(channel)];
        refill(c, pc, now);
        c.tokens -= 1;
    }
}

void rate_limiter::pause(std::string_view method, time_point until) {
    auto& p = paused_[std::string(method)];
    p = std::max(p, until);
}

}  // namespace warroom::slack
