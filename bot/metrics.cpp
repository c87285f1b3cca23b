#include "bot/metrics.hpp"

#include "bot/log_format.hpp"

#include <algorithm>
#include <sstream>

namespace warroom::bot {

namespace {
// Label values are ours (kinds, methods, severities), but escape anyway.
std::string label(const std::string& v) {
    std::string out;
    for (char c : v) {
        if (c == '\\' || c == '"') out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}
}  // namespace

void metrics::observe_command(std::chrono::duration<double> took) {
    double s = took.count();
    for (std::size_t i = 0; i < bounds_.size(); ++i)
        if (s <= bounds_[i]) ++buckets_[i];
    ++command_count_;
    command_sum_ += s;
}

void metrics::observe_timer_lateness(std::chrono::duration<double> late) {
    double s = std::max(0.0, late.count());  // the clock stepped back: on time, not early
    for (std::size_t i = 0; i < lateness_bounds_.size(); ++i)
        if (s <= lateness_bounds_[i]) ++lateness_buckets_[i];
    ++lateness_count_;
    lateness_sum_ += s;
}

std::string metrics::render(const gauges& g) const {
    std::ostringstream out;
    // A metric with one unlabelled sample.
    auto single = [&out](const char* name, const char* type, const char* help, auto value) {
        out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n'
            << name << ' ' << value << '\n';
    };
    out << "# HELP warroom_requests_total Requests to /slack/events and the pager webhooks by kind and outcome.\n"
           "# TYPE warroom_requests_total counter\n";
    for (const auto& [key, n] : requests_)
        out << "warroom_requests_total{kind=\"" << label(key.first) << "\",outcome=\"" << label(key.second) << "\"} "
            << n << '\n';
    out << "# HELP warroom_command_duration_seconds Time from a slash command's arrival to its answer.\n"
           "# TYPE warroom_command_duration_seconds histogram\n";
    for (std::size_t i = 0; i < bounds_.size(); ++i)
        out << "warroom_command_duration_seconds_bucket{le=\"" << bounds_[i] << "\"} " << buckets_[i] << '\n';
    out << "warroom_command_duration_seconds_bucket{le=\"+Inf\"} " << command_count_ << '\n'
        << "warroom_command_duration_seconds_sum " << command_sum_ << '\n'
        << "warroom_command_duration_seconds_count " << command_count_ << '\n';
    out << "# HELP warroom_timer_lateness_seconds How long after its deadline each timer fired (committed).\n"
           "# TYPE warroom_timer_lateness_seconds histogram\n";
    for (std::size_t i = 0; i < lateness_bounds_.size(); ++i)
        out << "warroom_timer_lateness_seconds_bucket{le=\"" << lateness_bounds_[i] << "\"} " << lateness_buckets_[i]
            << '\n';
    out << "warroom_timer_lateness_seconds_bucket{le=\"+Inf\"} " << lateness_count_ << '\n'
        << "warroom_timer_lateness_seconds_sum " << lateness_sum_ << '\n'
        << "warroom_timer_lateness_seconds_count " << lateness_count_ << '\n';
    out << "# HELP warroom_slack_api_calls_total Slack Web API calls by method and outcome.\n"
           "# TYPE warroom_slack_api_calls_total counter\n";
    for (const auto& [key, n] : api_calls_)
        out << "warroom_slack_api_calls_total{method=\"" << label(key.first) << "\",outcome=\"" << label(key.second)
            << "\"} " << n << '\n';
    out << "# HELP warroom_open_incidents Open incidents by severity.\n# TYPE warroom_open_incidents gauge\n";
    for (const auto& [sev, n] : g.open_by_severity)
        out << "warroom_open_incidents{severity=\"" << label(sev) << "\"} " << n << '\n';
    single("warroom_timers_armed", "gauge", "Deadlines armed.", g.timers_armed);
    out << "# HELP warroom_outbox_actions Slack actions in the delivery queue by state.\n"
           "# TYPE warroom_outbox_actions gauge\n";
    for (const auto& [state, n] : g.outbox) out << "warroom_outbox_actions{state=\"" << label(state) << "\"} " << n << '\n';
    out << "# HELP warroom_integration_outbox_actions Actions for other destinations than Slack (pages, ...) by "
           "destination and state; state=\"dead\" are dead letters (see `warroom outbox`).\n"
           "# TYPE warroom_integration_outbox_actions gauge\n";
    for (const auto& [key, n] : g.integrations)
        out << "warroom_integration_outbox_actions{destination=\"" << label(key.first) << "\",state=\""
            << label(key.second) << "\"} " << n << '\n';
    out << "# HELP warroom_integration_attempts_total Delivery attempts to other destinations than Slack by "
           "destination, kind and outcome.\n# TYPE warroom_integration_attempts_total counter\n";
    for (const auto& [key, n] : integration_attempts_)
        out << "warroom_integration_attempts_total{destination=\"" << label(std::get<0>(key)) << "\",kind=\""
            << label(std::get<1>(key)) << "\",outcome=\"" << label(std::get<2>(key)) << "\"} " << n << '\n';
    single("warroom_http_connections", "gauge", "Open HTTP connections.", g.connections_open);
    single("warroom_http_connections_closed_total", "counter",
           "Idle HTTP connections closed to make room for new ones.", g.connections_closed_idle);
    single("warroom_http_connections_refused_total", "counter",
           "Connections turned away: every one busy, or no descriptor.", g.connections_refused);
    single("warroom_http_bodies_refused_total", "counter",
           "Requests answered 503: bodies in flight held the memory budget.", g.bodies_refused);
    single("warroom_log_lines_suppressed_total", "counter", "Repeated warnings not logged (throttled per kind).",
           log_lines_suppressed());
    if (g.slack_since_success)
        single("warroom_slack_seconds_since_success", "gauge",
               "Seconds since a Slack Web API call last succeeded.", g.slack_since_success->count());
    return out.str();
}

}  // namespace warroom::bot
