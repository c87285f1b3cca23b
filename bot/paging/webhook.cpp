#include "bot/paging/webhook.hpp"

#include "bot/paging/hmac.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdint>

namespace warroom::paging {

std::string event_name(incident_event_kind k) {
    switch (k) {
        case incident_event_kind::declared: return "incident.declared";
        case incident_event_kind::acknowledged: return "incident.acknowledged";
        case incident_event_kind::severity_changed: return "incident.severity_changed";
        case incident_event_kind::role_assigned: return "incident.role_assigned";
        case incident_event_kind::update_posted: return "incident.update_posted";
        case incident_event_kind::resolved: return "incident.resolved";
        case incident_event_kind::reopened: return "incident.reopened";
        case incident_event_kind::paged: return "incident.paged";
    }
    return "incident.declared";
}

std::string webhook_body(const webhook_event& e) {
    const auto& inc = e.incident;
    nlohmann::json incident = {
        {"id", "INC-" + std::to_string(inc.number)},
        {"number", inc.number},
        {"title", inc.title},
        {"severity", inc.severity},
        {"state", e.state},
        {"dedup_key", dedup_key(inc.install, inc.number)},
        {"channel_url", inc.channel_url.empty() ? nlohmann::json(nullptr) : nlohmann::json(inc.channel_url)},
        {"commander", inc.commander.empty() ? nlohmann::json(nullptr) : nlohmann::json(inc.commander)},
    };
    nlohmann::json details = nlohmann::json::object();
    for (const auto& [k, v] : e.details) details[k] = v;
    nlohmann::json doc = {
        {"schema_version", webhook_schema_version},
        {"id", e.id},
        {"event", event_name(e.kind)},
        {"occurred_at", rfc3339(inc.at)},
        {"actor", inc.actor.empty() ? nlohmann::json(nullptr) : nlohmann::json(inc.actor)},
        {"incident", std::move(incident)},
        {"details", std::move(details)},
    };
    return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string webhook_signature(std::string_view secret, std::chrono::sys_seconds t, std::string_view body) {
    const std::string ts = std::to_string(t.time_since_epoch().count());
    std::string base;
    base.reserve(ts.size() + 1 + body.size());
    base.append(ts).append(".").append(body);
    return "t=" + ts + ",v1=" + hmac_sha256_hex(secret, base);
}

http_request webhook_request(const pager_target& target, const webhook_event& e, std::chrono::sys_seconds now) {
    http_request r;
    r.url = target.url;
    r.body = webhook_body(e);
    r.headers = {{"Content-Type", "application/json"},
                 {"User-Agent", "warroom-webhook/" + std::to_string(webhook_schema_version)},
                 {"X-Warroom-Event", event_name(e.kind)},
                 {"X-Warroom-Delivery", e.id},
                 {std::string(webhook_signature_header), webhook_signature(target.secret, now, r.body)}};
    return r;
}

namespace {

bool parse_seconds(std::string_view s, std::int64_t& out) {
    if (s.empty() || s.size() > 18) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
}

}  // namespace

signature_verdict verify_webhook(std::string_view secret, std::string_view header, std::string_view body,
                                 std::chrono::sys_seconds now, std::chrono::seconds window) {
    if (header.empty()) return signature_verdict::missing;
    std::string_view ts;
    std::vector<std::string_view> sigs;
    for (auto part : header_parts(header)) {
        if (part.substr(0, 2) == "t=") {
            if (!ts.empty()) return signature_verdict::malformed;
            ts = part.substr(2);
        } else if (part.substr(0, 3) == "v1=") {
            sigs.push_back(part.substr(3));
        }  // other schemes (a future v2) are skipped, as a receiver should
    }
    std::int64_t t = 0;
    if (!parse_seconds(ts, t) || sigs.empty()) return signature_verdict::malformed;
    const std::int64_t n = now.time_since_epoch().count();
    if ((t > n ? t - n : n - t) > window.count()) return signature_verdict::stale;
    if (secret.empty()) return signature_verdict::bad_signature;
    std::string base;
    base.reserve(ts.size() + 1 + body.size());
    base.append(ts).append(".").append(body);
    return any_equal(hmac_sha256_hex(secret, base), sigs) ? signature_verdict::ok : signature_verdict::bad_signature;
}

}  // namespace warroom::paging
