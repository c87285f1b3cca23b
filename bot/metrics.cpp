#include "bot/metrics.hpp"

#include "bot/log_format.hpp"

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

std::string metrics::render(const gauges& g) const {
    std::ostringstream out;
    out << "# HELP warroom_requests_total Requests to /slack/events by kind and outcome.\n"
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
    out << "# HELP warroom_slack_api_calls_total Slack Web API calls by method and outcome.\n"
           "# TYPE warroom_slack_api_calls_total counter\n";
    for (const auto& [key, n] : api_calls_)
        out << "warroom_slack_api_calls_total{method=\"" << label(key.first) << "\",outcome=\"" << label(key.second)
            << "\"} " << n << '\n';
    out << "# HELP warroom_open_incidents Open incidents by severity.\n# TYPE warroom_open_incidents gauge\n";
    for (const auto& [sev, n] : g.open_by_severity)
        out << "warroom_open_incidents{severity=\"" << label(sev) << "\"} " << n << '\n';
    out << "# HELP warroom_timers_armed Deadlines armed.\n# TYPE warroom_timers_armed gauge\n"
        << "warroom_timers_armed " << g.timers_armed << '\n';
    out << "# HELP warroom_outbox_actions Slack actions in the delivery queue by state.\n"
           "# TYPE warroom_outbox_actions gauge\n";
    for (const auto& [state, n] : g.outbox) out << "warroom_outbox_actions{state=\"" << label(state) << "\"} " << n << '\n';
    out << "# HELP warroom_http_connections Open HTTP connections.\n# TYPE warroom_http_connections gauge\n"
        << "warroom_http_connections " << g.connections_open << '\n'
        << "# HELP warroom_http_connections_closed_total Idle HTTP connections closed to make room for new ones.\n"
           "# TYPE warroom_http_connections_closed_total counter\n"
        << "warroom_http_connections_closed_total " << g.connections_closed_idle << '\n'
        << "# HELP warroom_http_connections_refused_total Connections turned away: every one busy, or no descriptor.\n"
           "# TYPE warroom_http_connections_refused_total counter\n"
        << "warroom_http_connections_refused_total " << g.connections_refused << '\n'
        << "# HELP warroom_http_bodies_refused_total Requests answered 503: bodies in flight held the memory budget.\n"
           "# TYPE warroom_http_bodies_refused_total counter\n"
        << "warroom_http_bodies_refused_total " << g.bodies_refused << '\n'
        << "# HELP warroom_log_lines_suppressed_total Repeated warnings not logged (throttled per kind).\n"
           "# TYPE warroom_log_lines_suppressed_total counter\n"
        << "warroom_log_lines_suppressed_total " << log_lines_suppressed() << '\n';
    if (g.slack_since_success)
        out << "# HELP warroom_slack_seconds_since_success Seconds since a Slack Web API call last succeeded.\n"
               "# TYPE warroom_slack_seconds_since_success gauge\n"
            << "warroom_slack_seconds_since_success " << g.slack_since_success->count() << '\n';
    return out.str();
}

}  // namespace warroom::bot
