#include "bot/slack/retry_policy.hpp"

#include <algorithm>
#include <cstdint>

namespace warroom::slack {

outbox_step next_step(const attempt& a, sys_seconds now, const retry_policy& p) {
    outbox_step s;
    switch (a.kind) {
        case failure_kind::none: return s;
        case failure_kind::permanent: s.kind = outbox_step::dead; return s;
        case failure_kind::auth:
            s.kind = outbox_step::retry;
            s.retry_at = now + p.auth_recheck;
            return s;
        case failure_kind::rate_limited:
            s.kind = outbox_step::retry;
            s.retry_at = now + a.retry_after.value_or(p.first_backoff);
            break;
        case failure_kind::transient: {
            s.kind = outbox_step::retry;
            std::int64_t first = std::max<std::int64_t>(1, p.first_backoff.count());
            int doublings = std::clamp(a.failed_before, 0, 30);
            std::int64_t base = std::min<std::int64_t>(p.max_backoff.count(), first << doublings);
            double j = std::clamp(a.jitter, 0.0, 1.0);
            auto extra = static_cast<std::int64_t>(j * static_cast<double>(std::max<std::int64_t>(1, base / 4) + 1));
            extra = std::min(extra, std::max<std::int64_t>(1, base / 4));
            s.retry_at = now + std::chrono::seconds(base + extra);
            break;
        }
    }
    if (a.age > p.give_up_after) {
        s.kind = outbox_step::dead;
        s.retry_at.reset();
        s.gave_up = true;
    }
    return s;
}

std::chrono::seconds reachability::probe_interval() const {
    auto every = opts_.probe_every;
    for (int i = 0; i < fruitless_ && every < opts_.max_probe_every; ++i) every *= 2;
    return std::min(every, opts_.max_probe_every);
}

void reachability::on_result(failure_kind k, const std::string& error, sys_seconds now) {
    if (k == failure_kind::transient) {
        if (!failing_since_) failing_since_ = now;
        last_error_ = error;
        last_asked_ = now;
        if (released_) {
            released_ = false;
            ++fruitless_;
        }
        return;
    }
    // Any answer, even a refusal or a 429, is Slack reachable.
    failing_since_.reset();
    released_ = false;
    fruitless_ = 0;
    if (k == failure_kind::none) last_success_ = now;
}

std::optional<sys_seconds> reachability::next_probe() const {
    if (!failing_since_) return std::nullopt;
    return last_asked_ + probe_interval();
}

bool reachability::probe_due(sys_seconds now) const {
    auto at = next_probe();
    return at && now >= *at;
}

bool reachability::on_probe(failure_kind k, const std::string& error, sys_seconds now) {
    last_asked_ = now;
    if (k != failure_kind::none) {
        if (k == failure_kind::transient) last_error_ = error;
        return false;
    }
    last_success_ = now;
    released_ = true;
    return true;
}

}  // namespace warroom::slack
