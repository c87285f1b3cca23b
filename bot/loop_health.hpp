// A background loop's health for /healthz: running, failing (an iteration
// threw; the loop retries with backoff) or stopped (it ended: only a restart
// helps). The loop logs only at an episode's start and end, which these
// calls tell it, so a database that fails for an hour is two log lines, not
// thousands.
#pragma once

#include <algorithm>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace warroom::bot {

class loop_health {
public:
    using time_point = std::chrono::sys_seconds;
    struct options {
        std::chrono::seconds first_wait{1};
        std::chrono::seconds max_wait{30};
    };
    loop_health() = default;
    explicit loop_health(options o) : opts_(o) {}

    struct failure {
        std::chrono::seconds wait;  // before the next iteration
        bool first;                 // the episode starts: say so
    };
    failure failed(std::string error, time_point now) {
        bool first = !failing_since_;
        if (first) failing_since_ = now;
        error_ = std::move(error);
        auto wait = opts_.first_wait;
        for (int i = 0; i < failures_ && wait < opts_.max_wait; ++i) wait *= 2;
        ++failures_;
        return {std::min(wait, opts_.max_wait), first};
    }
    // An iteration went through; the episode that ends, if any (its start).
    std::optional<time_point> succeeded() {
        auto since = failing_since_;
        failing_since_.reset();
        failures_ = 0;
        return since;
    }
    // One iteration's outcome (`failure` empty: it went through), logged only
    // where an episode starts ("<what> failed: …; retrying with backoff<kept>")
    // or ends ("<what> works again after …"). The backoff before the next
    // iteration when it failed; nullopt when it went through.
    std::optional<std::chrono::seconds> report(std::string_view what, std::string_view kept, const std::string& failure,
                                               time_point now);
    void stopped(std::string why) {
        stopped_ = true;
        error_ = std::move(why);
    }

    bool is_stopped() const { return stopped_; }
    bool is_failing() const { return failing_since_.has_value(); }
    std::optional<time_point> failing_since() const { return failing_since_; }
    const std::string& last_error() const { return error_; }

private:
    options opts_;
    std::optional<time_point> failing_since_;
    int failures_ = 0;
    bool stopped_ = false;
    std::string error_;
};

}  // namespace warroom::bot
