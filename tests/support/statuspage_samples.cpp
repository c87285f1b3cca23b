// Prints the Statuspage requests bot/statuspage_api builds, one JSON object a
// line ({label, method, url, headers, body}), for tests/integration/
// test_fake_statuspage.py to send to the fake Statuspage, which checks them
// against the documented shape. The incident id in update URLs is the literal
// INCIDENT_ID, which the test replaces with the one the create returned.
//
//   statuspage_samples <base url> <page id> <api key> <component id>
//   statuspage_samples read <key> < body    prints incident_id(body) and find_by_key(body, key)
#include "bot/statuspage_api/requests.hpp"

#include <nlohmann/json.hpp>

#include <iostream>
#include <iterator>

using namespace warroom;

namespace {

void print(std::string_view label, const paging::http_request& r) {
    nlohmann::json headers = nlohmann::json::object();
    for (const auto& [k, v] : r.headers) headers[k] = v;
    std::cout << nlohmann::json{{"label", label}, {"method", r.method}, {"url", r.url}, {"headers", headers},
                                {"body", r.body}}
                     .dump()
              << "\n";
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::string_view(argv[1]) == "read") {
        std::string body(std::istreambuf_iterator<char>(std::cin), {});
        std::cout << statuspage_api::incident_id(body).value_or("-") << "\n"
                  << statuspage_api::find_by_key(body, argv[2]).value_or("-") << "\n";
        return 0;
    }
    if (argc != 5) {
        std::cerr << "usage: statuspage_samples <base url> <page id> <api key> <component id>\n";
        return 2;
    }
    statuspage_api::publish_settings s;
    s.enabled = true;
    s.base_url = argv[1];
    s.page_id = argv[2];
    s.api_key = argv[3];
    s.components = {{"Checkout", argv[4]}};

    statuspage_api::publish_incident i;
    i.key = statuspage_api::incident_key("acme", "k3j2h1g0f9e8");
    i.name = std::string(300, 'x') + " — checkout fails";  // longer than Statuspage takes
    i.impact = statuspage::impact::major;
    i.body = "We are investigating failed payments.";
    i.components = {{"Checkout", statuspage::component_status::partial_outage},
                    {"Unmapped", statuspage::component_status::major_outage}};
    print("create", statuspage_api::create_incident(s, i));
    i.status = statuspage::public_status::identified;
    i.body = "The cause is a <b>bad</b> deploy; rolling back.";
    print("update", statuspage_api::update_incident(s, "INCIDENT_ID", i));
    print("component", statuspage_api::set_component(s, argv[4], statuspage::component_status::degraded_performance));
    print("unresolved", statuspage_api::list_unresolved(s));
    i.status = statuspage::public_status::resolved;
    i.body = "";
    print("resolve", statuspage_api::update_incident(s, "INCIDENT_ID", i));
    return 0;
}
