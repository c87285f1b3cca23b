#include "bot/statuspage_api/requests.hpp"

#include <nlohmann/json.hpp>

namespace warroom::statuspage_api {

namespace {

using json = nlohmann::json;

constexpr std::size_t name_max = 255;     // characters, Statuspage's limit for an incident's name
constexpr std::size_t body_max = 25000;   // characters, for an update's body

// At most `max` code points, cut on a character boundary (Statuspage counts characters).
std::string cut(std::string_view s, std::size_t max) {
    std::size_t chars = 0;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) continue;
        if (chars++ == max) return std::string(s.substr(0, i));
    }
    return std::string(s);
}

paging::http_request request(const publish_settings& s, std::string method, const std::string& path) {
    paging::http_request r;
    r.method = std::move(method);
    r.url = s.base_url + "/v1/pages/" + s.page_id + path;
    r.headers = {{"Authorization", "OAuth " + s.api_key}, {"Content-Type", "application/json"},
                 {"Accept", "application/json"}};
    return r;
}

// {"<statuspage id>": "<status>"} and the ids, for the components we have ids for.
void add_components(const publish_settings& s, const publish_incident& i, json& incident) {
    json map = json::object();
    json ids = json::array();
    for (const auto& c : i.components) {
        auto it = s.components.find(c.component);
        if (it == s.components.end()) continue;
        auto status = i.status == statuspage::public_status::resolved ? statuspage::component_status::operational
                                                                       : c.status;
        map[it->second] = std::string(statuspage::to_string(status));
        ids.push_back(it->second);
    }
    if (!ids.empty()) {
        incident["components"] = map;
        incident["component_ids"] = ids;
    }
}

json incident_body(const publish_settings& s, const publish_incident& i) {
    json incident = {{"name", cut(i.name, name_max)},
                     {"status", std::string(statuspage::to_string(i.status))},
                     {"impact_override", std::string(statuspage::to_string(i.impact))},
                     {"deliver_notifications", s.deliver_notifications}};
    if (!i.body.empty()) incident["body"] = cut(i.body, body_max);
    add_components(s, i, incident);
    return incident;
}

json parse(std::string_view body) { return json::parse(body.begin(), body.end(), nullptr, false); }

}  // namespace

std::string incident_key(std::string_view install_id, std::string_view public_id) {
    return std::string(install_id) + "." + std::string(public_id);
}

paging::http_request create_incident(const publish_settings& s, const publish_incident& i) {
    auto r = request(s, "POST", "/incidents");
    json incident = incident_body(s, i);
    incident["metadata"] = {{"warroom", {{"key", i.key}}}};
    r.body = json{{"incident", incident}}.dump();
    return r;
}

paging::http_request update_incident(const publish_settings& s, std::string_view incident_id, const publish_incident& i) {
    auto r = request(s, "PATCH", "/incidents/" + std::string(incident_id));
    r.body = json{{"incident", incident_body(s, i)}}.dump();
    return r;
}

paging::http_request set_component(const publish_settings& s, std::string_view component_id,
                                   statuspage::component_status status) {
    auto r = request(s, "PATCH", "/components/" + std::string(component_id));
    r.body = json{{"component", {{"status", std::string(statuspage::to_string(status))}}}}.dump();
    return r;
}

paging::http_request list_unresolved(const publish_settings& s) {
    auto r = request(s, "GET", "/incidents/unresolved");
    r.headers.erase(r.headers.begin() + 1);  // no body, no Content-Type
    return r;
}

std::optional<std::string> incident_id(std::string_view body) {
    auto j = parse(body);
    if (!j.is_object() || !j.contains("id") || !j["id"].is_string() || j["id"].get<std::string>().empty())
        return std::nullopt;
    return j["id"].get<std::string>();
}

std::optional<std::string> find_by_key(std::string_view list_body, std::string_view key) {
    auto j = parse(list_body);
    if (!j.is_array()) return std::nullopt;
    for (const auto& inc : j) {
        if (!inc.is_object() || !inc.contains("metadata") || !inc["metadata"].is_object()) continue;
        const auto& meta = inc["metadata"];
        if (!meta.contains("warroom") || !meta["warroom"].is_object()) continue;
        const auto& ours = meta["warroom"];
        if (ours.contains("key") && ours["key"].is_string() && ours["key"].get<std::string>() == key &&
            inc.contains("id") && inc["id"].is_string())
            return inc["id"].get<std::string>();
    }
    return std::nullopt;
}

paging::page_result classify(const paging::http_outcome& a) {
    if (a.status >= 200 && a.status < 300) return {paging::page_result::delivered, std::nullopt, ""};
    auto words = [&] {
        std::string msg;
        auto j = parse(a.body);
        if (j.is_object()) {
            for (const char* k : {"error", "message"})
                if (j.contains(k) && j[k].is_string()) msg = j[k].get<std::string>();
            if (msg.empty() && j.contains("error") && j["error"].is_array())
                for (const auto& e : j["error"])
                    if (e.is_string()) msg += (msg.empty() ? "" : "; ") + e.get<std::string>();
        }
        if (msg.empty()) msg = a.body.substr(0, 200);
        return std::to_string(a.status) + (msg.empty() ? "" : " " + msg);
    };
    if (a.status == 0)
        return {paging::page_result::retry, std::nullopt,
                "no answer from Statuspage" + (a.network_error.empty() ? "" : ": " + a.network_error)};
    if (a.status == 420 || a.status == 429 || a.status == 408 || a.status >= 500)
        return {paging::page_result::retry, paging::parse_retry_after(a.retry_after), words()};
    return {paging::page_result::dead, std::nullopt, words()};
}

}  // namespace warroom::statuspage_api
