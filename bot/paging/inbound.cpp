#include "bot/paging/inbound.hpp"

#include "bot/paging/hmac.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

namespace warroom::paging {

namespace {

// Vendors' webhooks are small; a bigger or deeper body is not theirs.
constexpr std::size_t max_body = 256 * 1024;

std::optional<nlohmann::json> parse_object(std::string_view body) {
    if (body.size() > max_body) return std::nullopt;
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
}

std::string string_at(const nlohmann::json& obj, const char* key) {
    if (!obj.is_object()) return {};
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

inbound_result invalid(std::string reason) {
    inbound_result r;
    r.status = inbound_result::invalid;
    r.reason = std::move(reason);
    return r;
}

inbound_result ignored(std::string reason) {
    inbound_result r;
    r.status = inbound_result::ignored;
    r.reason = std::move(reason);
    return r;
}

}  // namespace

inbound_result parse_pagerduty_webhook(std::string_view body) {
    auto j = parse_object(body);
    if (!j) return invalid("not a JSON object");
    auto ev = j->find("event");
    if (ev == j->end() || !ev->is_object()) return invalid("no event object (not a webhooks v3 payload)");
    const std::string type = string_at(*ev, "event_type");
    if (type.empty()) return invalid("no event.event_type");
    page_answer a;
    if (type == "incident.acknowledged")
        a.kind = page_answer::acknowledged;
    else if (type == "incident.resolved")
        a.kind = page_answer::resolved;
    else
        return ignored("event type " + type);
    auto data = ev->find("data");
    if (data == ev->end() || !data->is_object()) return invalid("no event.data");
    a.key = string_at(*data, "incident_key");
    if (a.key.empty()) return ignored("incident without an incident_key (not opened by warroom)");
    a.provider = "PagerDuty";
    a.event_id = string_at(*ev, "id");
    auto agent = ev->find("agent");
    // No agent: PagerDuty itself acted (auto-resolve, a timeout).
    a.by = agent != ev->end() ? string_at(*agent, "summary") : "";
    if (a.by.empty()) a.by = "PagerDuty";
    inbound_result r;
    r.status = inbound_result::answered;
    r.answer = std::move(a);
    return r;
}

inbound_result parse_opsgenie_webhook(std::string_view body) {
    auto j = parse_object(body);
    if (!j) return invalid("not a JSON object");
    const std::string action = string_at(*j, "action");
    if (action.empty()) return invalid("no action");
    auto alert = j->find("alert");
    if (alert == j->end() || !alert->is_object()) return invalid("no alert object");
    page_answer a;
    if (action == "Acknowledge")
        a.kind = page_answer::acknowledged;
    else if (action == "Close")
        a.kind = page_answer::resolved;
    else
        return ignored("action " + action);
    a.key = string_at(*alert, "alias");
    if (a.key.empty()) return ignored("alert without an alias (not opened by warroom)");
    a.provider = "Opsgenie";
    a.by = string_at(*alert, "username");
    if (a.by.empty()) a.by = "Opsgenie";
    // Opsgenie sends no delivery id; an alert is acknowledged or closed once.
    const std::string id = string_at(*alert, "alertId");
    a.event_id = (id.empty() ? a.key : id) + ":" + action;
    inbound_result r;
    r.status = inbound_result::answered;
    r.answer = std::move(a);
    return r;
}

std::string_view describe(signature_verdict v) noexcept {
    switch (v) {
        case signature_verdict::ok: return "ok";
        case signature_verdict::missing: return "missing signature header";
        case signature_verdict::malformed: return "malformed signature header";
        case signature_verdict::stale: return "timestamp outside the 300 s window";
        case signature_verdict::bad_signature: return "signature mismatch";
    }
    return "unknown verdict";
}

signature_verdict verify_pagerduty_signature(std::string_view secret, std::string_view header,
                                             std::string_view body) {
    if (header.empty()) return signature_verdict::missing;
    std::vector<std::string_view> sigs;
    while (!header.empty()) {
        auto comma = header.find(',');
        auto part = header.substr(0, comma);
        header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        if (part.substr(0, 3) == "v1=") sigs.push_back(part.substr(3));
    }
    if (sigs.empty()) return signature_verdict::malformed;
    if (secret.empty()) return signature_verdict::bad_signature;
    const std::string expected = hmac_sha256_hex(secret, body);
    for (auto s : sigs)
        if (constant_time_equal(expected, s)) return signature_verdict::ok;
    return signature_verdict::bad_signature;
}

signature_verdict verify_shared_secret(std::string_view secret, std::string_view header) {
    if (header.empty()) return signature_verdict::missing;
    if (secret.empty()) return signature_verdict::bad_signature;
    return constant_time_equal(secret, header) ? signature_verdict::ok : signature_verdict::bad_signature;
}

}  // namespace warroom::paging
