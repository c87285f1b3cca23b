// Prints the requests warroom's paging code builds, one JSON object a line
// ({kind, action, method, url, headers, body}), for tests/integration/
// test_fake_pagers.py to send to the fake vendors: the C++ wire formats
// checked by the same rules the fakes enforce.
//
// paging_samples <pagerduty base> <opsgenie base> <webhook url> <routing key> <genie key> <webhook secret>
#include "bot/paging/opsgenie.hpp"
#include "bot/paging/pagerduty.hpp"
#include "bot/paging/webhook.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

using namespace warroom::paging;

namespace {

void print(std::string_view kind, std::string_view label, const http_request& r) {
    nlohmann::json headers = nlohmann::json::object();
    for (const auto& [k, v] : r.headers) headers[k] = v;
    nlohmann::json line = {{"kind", kind}, {"label", label}, {"method", r.method},
                           {"url", r.url},  {"headers", headers}, {"body", r.body}};
    std::cout << line.dump() << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 7) {
        std::cerr << "usage: paging_samples <pagerduty base> <opsgenie base> <webhook url> <routing key> "
                     "<genie key> <webhook secret>\n";
        return 2;
    }
    auto target = [](pager_kind kind, const char* url, const char* secret) {
        pager_target t;
        t.name = to_string(kind);
        t.kind = kind;
        t.url = url;
        t.secret = secret;
        return t;
    };
    auto pd = target(pager_kind::pagerduty, argv[1], argv[4]);
    auto og = target(pager_kind::opsgenie, argv[2], argv[5]);
    auto hook = target(pager_kind::webhook, argv[3], argv[6]);

    page_event e;
    e.number = 7;
    e.title = "checkout is down";
    e.severity = "P0";
    e.severity_rank = 0;
    e.channel_url = "https://slack.com/app_redirect?channel=C0INC7";
    e.commander = "U0ALICE";
    e.actor = "U0BOB";
    e.install = "T111";
    e.at = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());

    // A title far past every limit, in two-byte characters: cut, still accepted.
    page_event longer = e;
    longer.number = 8;
    longer.title.clear();
    for (int i = 0; i < 20000; ++i) longer.title += "\xC3\xA9";
    longer.severity_rank = 7;

    for (const auto* ev : {&e, &longer}) {
        for (auto action : {page_action::trigger, page_action::acknowledge, page_action::resolve}) {
            page_event a = *ev;
            a.action = action;
            std::string label = "INC-" + std::to_string(a.number) + " " + std::string(to_string(action));
            print("pagerduty", label, pagerduty_request(pd, a));
            print("opsgenie", label, opsgenie_request(og, a));
        }
    }
    int n = 0;
    for (auto kind : {incident_event_kind::declared, incident_event_kind::acknowledged,
                      incident_event_kind::severity_changed, incident_event_kind::role_assigned,
                      incident_event_kind::update_posted, incident_event_kind::resolved,
                      incident_event_kind::reopened}) {
        webhook_event w;
        w.kind = kind;
        w.id = "INC-7-" + std::to_string(++n);
        w.state = kind == incident_event_kind::resolved ? "resolved" : "open";
        w.incident = e;
        if (kind == incident_event_kind::severity_changed) w.details = {{"from", "P1"}, {"to", "P0"}};
        if (kind == incident_event_kind::role_assigned) w.details = {{"role", "commander"}, {"user", "U0ALICE"}};
        if (kind == incident_event_kind::update_posted) w.details = {{"text", "rolled back \"v2\" — 5xx falling"}};
        if (n == 2) w.incident.commander.clear();  // null, not ""
        print("webhook", event_name(kind), webhook_request(hook, w, e.at));
    }
    return 0;
}
