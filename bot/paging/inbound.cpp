#include "bot/paging/inbound.hpp"

#include "bot/paging/hmac.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

namespace warroom::paging {

namespace {

std::optional<nlohmann::json> parse_object(std::string_view body) {
    if (body.size() > max_webhook_body) return std::nullopt;
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
}

std::string string_at(const nlohmann::json& obj, const char* key) {
    if (!obj.is_object()) return {};
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

bool digits(std::string_view s, std::size_t at, std::size_t n) {
    if (s.size() < at + n) return false;
    for (std::size_t i = at; i < at + n; ++i)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

int number(std::string_view s, std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
    return v;
}

// RFC 3339 as PagerDuty writes it: "2026-12-01T04:02:00.000Z" (fraction
// optional; "Z" or a "+hh:mm"/"-hh:mm" offset). Anything else: nullopt.
std::optional<std::chrono::sys_seconds> parse_rfc3339(std::string_view s) {
    using namespace std::chrono;
    if (!digits(s, 0, 4) || s.size() < 20 || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' || !digits(s, 8, 2) ||
        (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2) || s[13] != ':' || !digits(s, 14, 2) || s[16] != ':' ||
        !digits(s, 17, 2))
        return std::nullopt;
    year_month_day date{year{number(s, 0, 4)}, month{static_cast<unsigned>(number(s, 5, 2))},
                        day{static_cast<unsigned>(number(s, 8, 2))}};
    int hh = number(s, 11, 2), mm = number(s, 14, 2), ss = number(s, 17, 2);
    if (!date.ok() || hh > 23 || mm > 59 || ss > 60) return std::nullopt;
    std::size_t i = 19;
    if (i < s.size() && s[i] == '.') {
        ++i;
        std::size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        if (i == start) return std::nullopt;
    }
    seconds offset{0};
    if (i + 1 == s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && digits(s, i + 1, 2) && s[i + 3] == ':' &&
               digits(s, i + 4, 2)) {
        offset = hours{number(s, i + 1, 2)} + minutes{number(s, i + 4, 2)};
        if (s[i] == '-') offset = -offset;
    } else {
        return std::nullopt;
    }
    return sys_days{date} + hours{hh} + minutes{mm} + seconds{ss} - offset;
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
    a.occurred_at = parse_rfc3339(string_at(*ev, "occurred_at"));
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
    // Opsgenie sends no delivery id (see the header).
    const std::string id = string_at(*alert, "alertId");
    a.event_id = (id.empty() ? a.key : id) + ":" + action;
    // Nanoseconds since the epoch in Opsgenie's payloads; milliseconds taken too.
    auto updated = alert->find("updatedAt");
    if (updated != alert->end() && updated->is_number_integer()) {
        auto n = updated->get<std::int64_t>();
        a.event_id += ":" + std::to_string(n);
        if (n > 0) {
            auto secs = n > 100'000'000'000'000LL ? n / 1'000'000'000 : n / 1000;
            a.occurred_at = std::chrono::sys_seconds{std::chrono::seconds{secs}};
        }
    }
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
    for (auto part : header_parts(header))
        if (part.substr(0, 3) == "v1=") sigs.push_back(part.substr(3));
    if (sigs.empty()) return signature_verdict::malformed;
    if (secret.empty()) return signature_verdict::bad_signature;
    return any_equal(hmac_sha256_hex(secret, body), sigs) ? signature_verdict::ok : signature_verdict::bad_signature;
}

signature_verdict verify_shared_secret(std::string_view secret, std::string_view header) {
    if (header.empty()) return signature_verdict::missing;
    if (secret.empty()) return signature_verdict::bad_signature;
    return constant_time_equal(secret, header) ? signature_verdict::ok : signature_verdict::bad_signature;
}

}  // namespace warroom::paging
