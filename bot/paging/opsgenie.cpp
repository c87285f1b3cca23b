#include "bot/paging/opsgenie.hpp"

#include <nlohmann/json.hpp>

namespace warroom::paging {

std::string_view opsgenie_priority(std::size_t rank) noexcept {
    static constexpr std::string_view p[] = {"P1", "P2", "P3", "P4", "P5"};
    return p[rank < 4 ? rank : 4];
}

namespace {

// The alias goes into the path: anything but unreserved characters is escaped.
std::string path_escape(std::string_view s) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                     c == '_' || c == '.' || c == '~';
        if (plain) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0x0f];
        }
    }
    return out;
}

std::string description(const page_event& e) {
    std::string d = "Incident INC-" + std::to_string(e.number) + " (" + e.severity + "): " + e.title + "\n";
    if (!e.commander.empty()) d += "Commander: " + e.commander + "\n";
    if (!e.actor.empty()) d += "Paged by: " + e.actor + "\n";
    if (!e.channel_url.empty()) d += "Slack channel: " + e.channel_url + "\n";
    return truncate_utf8(d, opsgenie_description_max);
}

}  // namespace

std::string opsgenie_body(const page_event& e) {
    nlohmann::json body;
    body["source"] = "warroom";
    if (!e.actor.empty()) body["user"] = truncate_utf8(e.actor, opsgenie_user_max);
    if (e.action == page_action::trigger) {
        body["message"] = summary(e, opsgenie_message_max);
        body["alias"] = truncate_utf8(dedup_key(e.install, e.number), opsgenie_alias_max);
        body["description"] = description(e);
        body["priority"] = opsgenie_priority(e.severity_rank);
        body["tags"] = {"warroom", truncate_utf8(e.severity, opsgenie_tag_max)};
        nlohmann::json details = {{"incident", "INC-" + std::to_string(e.number)}, {"severity", e.severity}};
        if (!e.commander.empty()) details["commander"] = e.commander;
        if (!e.channel_url.empty()) details["slack_channel"] = e.channel_url;
        body["details"] = std::move(details);
    } else {
        body["note"] = e.action == page_action::acknowledge ? "Acknowledged in warroom" : "Resolved in warroom";
    }
    return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

http_request opsgenie_request(const pager_target& target, const page_event& e) {
    http_request r;
    if (e.action == page_action::trigger) {
        r.url = target.url + "/v2/alerts";
    } else {
        r.url = target.url + "/v2/alerts/" + path_escape(dedup_key(e.install, e.number)) +
                (e.action == page_action::acknowledge ? "/acknowledge" : "/close") + "?identifierType=alias";
    }
    r.headers = {{"Content-Type", "application/json"}, {"Authorization", "GenieKey " + target.secret}};
    r.body = opsgenie_body(e);
    return r;
}

}  // namespace warroom::paging
