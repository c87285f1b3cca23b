#include "bot/paging/outbox_page.hpp"

#include "bot/paging/opsgenie.hpp"
#include "bot/paging/pagerduty.hpp"
#include "bot/paging/webhook.hpp"

#include <nlohmann/json.hpp>

namespace warroom::paging {

using json = nlohmann::json;

namespace {

page_action to_paging(commands::page_action a) {
    switch (a) {
        case commands::page_action::trigger: return page_action::trigger;
        case commands::page_action::acknowledge: return page_action::acknowledge;
        case commands::page_action::resolve: return page_action::resolve;
    }
    return page_action::trigger;
}

std::optional<page_action> action_named(std::string_view s) {
    for (auto a : {page_action::trigger, page_action::acknowledge, page_action::resolve})
        if (to_string(a) == s) return a;
    return std::nullopt;
}

std::optional<pager_kind> kind_named(std::string_view s) {
    for (auto k : {pager_kind::pagerduty, pager_kind::opsgenie, pager_kind::webhook})
        if (to_string(k) == s) return k;
    return std::nullopt;
}

incident_event_kind webhook_kind(const queued_page& p) {
    switch (p.event.action) {
        case page_action::acknowledge: return incident_event_kind::acknowledged;
        case page_action::resolve: return incident_event_kind::resolved;
        case page_action::trigger: break;
    }
    if (p.reason == "declared") return incident_event_kind::declared;
    if (p.reason == "reopened") return incident_event_kind::reopened;
    if (p.reason == "severity raised") return incident_event_kind::severity_changed;
    return incident_event_kind::paged;
}

}  // namespace

std::string to_payload(const queued_page& p) {
    const auto& e = p.event;
    json j = {
        {"target", p.target},
        {"kind", to_string(p.kind)},
        {"reason", p.reason},
        {"action", to_string(e.action)},
        {"number", e.number},
        {"title", e.title},
        {"severity", e.severity},
        {"severity_rank", e.severity_rank},
        {"channel_url", e.channel_url},
        {"commander", e.commander},
        {"actor", e.actor},
        {"install", e.install},
        {"at", e.at.time_since_epoch().count()},
    };
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<queued_page> from_payload(std::string_view payload) {
    auto j = json::parse(payload, nullptr, false);
    if (!j.is_object()) return std::nullopt;
    try {
        queued_page p;
        p.target = j.at("target").get<std::string>();
        p.kind = kind_named(j.at("kind").get<std::string>()).value_or(pager_kind::pagerduty);
        p.reason = j.value("reason", "");
        auto action = action_named(j.at("action").get<std::string>());
        if (!action) return std::nullopt;
        auto& e = p.event;
        e.action = *action;
        e.number = j.at("number").get<std::int64_t>();
        e.title = j.value("title", "");
        e.severity = j.value("severity", "");
        e.severity_rank = j.value("severity_rank", std::size_t{0});
        e.channel_url = j.value("channel_url", "");
        e.commander = j.value("commander", "");
        e.actor = j.value("actor", "");
        e.install = j.value("install", "");
        e.at = std::chrono::sys_seconds{std::chrono::seconds{j.value("at", std::int64_t{0})}};
        return p;
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

std::string summary_line(const queued_page& p) {
    return "[" + std::string(to_string(p.kind)) + " " + p.target + "] " + std::string(to_string(p.event.action)) +
           " " + summary(p.event, 200);
}

std::string slack_channel_url(std::string_view channel_id) {
    if (channel_id.empty()) return {};
    // Opens the channel in whichever workspace the reader is signed in to.
    return "https://slack.com/app_redirect?channel=" + std::string(channel_id);
}

queued_page queue_page(const commands::page_order& order, const commands::incident& inc,
                       const commands::settings& cfg, const std::vector<pager_target>& pagers,
                       std::string_view install, std::chrono::sys_seconds now) {
    queued_page p;
    p.target = order.target;
    if (const auto* t = find_pager(pagers, order.target)) p.kind = t->kind;
    p.reason = order.reason;
    auto& e = p.event;
    e.action = to_paging(order.action);
    e.number = inc.number;
    e.title = inc.title;
    e.severity = inc.severity;
    e.severity_rank = cfg.severity_rank(inc.severity);
    e.channel_url = slack_channel_url(inc.channel_id);
    e.commander = inc.role_holder("commander");
    e.actor = order.actor;
    e.install = std::string(install);
    e.at = now;
    return p;
}

http_request build_request(const pager_target& target, const queued_page& p, std::string_view delivery_id,
                           std::chrono::sys_seconds now) {
    switch (target.kind) {
        case pager_kind::pagerduty: return pagerduty_request(target, p.event);
        case pager_kind::opsgenie: return opsgenie_request(target, p.event);
        case pager_kind::webhook: {
            webhook_event w;
            w.kind = webhook_kind(p);
            w.id = std::string(delivery_id);
            w.state = p.event.action == page_action::resolve       ? "resolved"
                      : p.event.action == page_action::acknowledge ? "acknowledged"
                                                                   : "open";
            w.incident = p.event;
            if (!p.reason.empty()) w.details.emplace_back("reason", p.reason);
            w.details.emplace_back("pager", p.target);
            return webhook_request(target, w, now);
        }
    }
    return pagerduty_request(target, p.event);
}

}  // namespace warroom::paging
