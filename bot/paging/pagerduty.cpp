#include "bot/paging/pagerduty.hpp"

#include <nlohmann/json.hpp>

namespace warroom::paging {

std::string_view pagerduty_severity(std::size_t rank) noexcept {
    switch (rank) {
        case 0: return "critical";
        case 1: return "error";
        case 2: return "warning";
        default: return "info";
    }
}

std::string pagerduty_body(const page_event& e, std::string_view routing_key, std::string_view source) {
    nlohmann::json body = {
        {"routing_key", routing_key},
        {"event_action", to_string(e.action)},
        {"dedup_key", dedup_key(e.install, e.number)},
    };
    if (e.action == page_action::trigger) {
        nlohmann::json details = {{"incident", "INC-" + std::to_string(e.number)}, {"severity", e.severity}};
        if (!e.commander.empty()) details["commander"] = e.commander;
        if (!e.actor.empty()) details["paged_by"] = e.actor;
        if (!e.channel_url.empty()) details["slack_channel"] = e.channel_url;
        body["payload"] = {
            {"summary", summary(e, pagerduty_summary_max)},
            {"source", source},
            {"severity", pagerduty_severity(e.severity_rank)},
            {"timestamp", rfc3339(e.at)},
            {"component", "incident"},
            {"class", e.severity},
            {"custom_details", std::move(details)},
        };
        body["client"] = "warroom";
        if (!e.channel_url.empty()) {
            body["client_url"] = e.channel_url;
            body["links"] = nlohmann::json::array(
                {{{"href", e.channel_url}, {"text", "INC-" + std::to_string(e.number) + " in Slack"}}});
        }
    }
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

http_request pagerduty_request(const pager_target& target, const page_event& e) {
    http_request r;
    r.url = target.url + "/v2/enqueue";
    r.headers = {{"Content-Type", "application/json"}};
    r.body = pagerduty_body(e, target.secret, target.source);
    return r;
}

}  // namespace warroom::paging
