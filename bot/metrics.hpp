// Counters and a latency histogram for /metrics, in Prometheus text format.
// Touched only from the network thread, so no locks.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

namespace warroom::bot {

class metrics {
public:
    void count_request(const std::string& kind, const std::string& outcome) { ++requests_[{kind, outcome}]; }
    void count_api_call(const std::string& method, const std::string& outcome) { ++api_calls_[{method, outcome}]; }
    void observe_command(std::chrono::duration<double> took);
    // How long after its deadline a timer (a nag, a reminder, the digest)
    // fired, committed. A deadline missed while warroom was stopped counts its
    // whole wait: the +Inf bucket.
    void observe_timer_lateness(std::chrono::duration<double> late);
    // One attempt of the integration outbox: its destination ("pager"), the
    // target's kind ("pagerduty") and the outcome (delivered, retry, dead).
    // Never a target's secret: labels are names from the config.
    void count_integration(const std::string& destination, const std::string& kind, const std::string& outcome) {
        ++integration_attempts_[{destination, kind, outcome}];
    }

    // Gauges read from the database when /metrics is scraped.
    struct gauges {
        std::map<std::string, std::size_t> open_by_severity;
        std::size_t timers_armed = 0;
        std::map<std::string, std::size_t> outbox;  // by state
        std::map<std::pair<std::string, std::string>, std::size_t> integrations;  // {destination, state}
        // The HTTP server's connections and what hostile traffic cost it.
        std::size_t connections_open = 0;
        std::uint64_t connections_closed_idle = 0, connections_refused = 0, bodies_refused = 0;
        // Since Slack last answered a call with ok; none before the first.
        std::optional<std::chrono::seconds> slack_since_success;
    };
    std::string render(const gauges& g) const;

private:
    static constexpr std::array<double, 10> bounds_{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 3};
    std::map<std::pair<std::string, std::string>, std::uint64_t> requests_, api_calls_;
    std::map<std::tuple<std::string, std::string, std::string>, std::uint64_t> integration_attempts_;
    std::array<std::uint64_t, bounds_.size()> buckets_{};
    std::uint64_t command_count_ = 0;
    double command_sum_ = 0;
    static constexpr std::array<double, 10> lateness_bounds_{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
    std::array<std::uint64_t, lateness_bounds_.size()> lateness_buckets_{};
    std::uint64_t lateness_count_ = 0;
    double lateness_sum_ = 0;
};

}  // namespace warroom::bot
