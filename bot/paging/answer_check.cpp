#include "bot/paging/answer_check.hpp"

#include "bot/paging/hmac.hpp"
#include "bot/paging/page_event.hpp"

#include <functional>

namespace warroom::paging {

namespace {

answer_verdict verdict(answer_verdict::status_t status, std::string reason) {
    answer_verdict v;
    v.status = status;
    v.reason = std::move(reason);
    return v;
}

// The first verdict that is not "wrong secret" wins over "wrong secret": a
// missing or malformed header says more than a mismatch against each secret.
signature_verdict any_secret(const std::vector<std::string>& secrets,
                             const std::function<signature_verdict(const std::string&)>& check) {
    signature_verdict worst = signature_verdict::bad_signature;
    for (const auto& s : secrets) {
        auto v = check(s);
        if (v == signature_verdict::ok) return v;
        if (v != signature_verdict::bad_signature) worst = v;
    }
    return worst;
}

// Parsed and verified: fresh, and about one of our incidents?
answer_verdict judge(const inbound_result& parsed, std::string_view install, std::chrono::sys_seconds now,
                     bool time_required) {
    if (parsed.status == inbound_result::invalid) return verdict(answer_verdict::malformed, parsed.reason);
    if (parsed.status == inbound_result::ignored) return verdict(answer_verdict::ignored, parsed.reason);
    const auto& a = parsed.answer;
    if (!a.occurred_at) {
        if (time_required) return verdict(answer_verdict::refused, "no event time: cannot tell a replay");
    } else {
        auto off = std::chrono::abs(now - *a.occurred_at);
        if (off > answer_window)
            return verdict(answer_verdict::refused,
                           "stale: the event's time is " + std::to_string(off.count() / 60) + " min " +
                               (*a.occurred_at < now ? "ago" : "ahead") + " (limit " +
                               std::to_string(answer_window.count()) + " min)");
    }
    auto number = incident_of(a.key, install);
    if (!number) return verdict(answer_verdict::ignored, "alert " + a.key + " was not opened by this warroom");
    answer_verdict v = verdict(answer_verdict::accepted, "");
    v.answer = a;
    v.incident = *number;
    return v;
}

}  // namespace

std::vector<std::string> webhook_secrets(const std::vector<pager_target>& pagers, pager_kind kind) {
    std::vector<std::string> out;
    for (const auto& p : pagers) {
        if (p.kind != kind) continue;
        for (auto part : header_parts(p.webhook_secret)) {
            while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
            if (!part.empty()) out.emplace_back(part);
        }
    }
    return out;
}

answer_verdict check_pagerduty_answer(const std::vector<std::string>& secrets, std::string_view signature_header,
                                      std::string_view body, std::string_view install,
                                      std::chrono::sys_seconds now) {
    if (secrets.empty()) return verdict(answer_verdict::refused, "no PagerDuty pager has a webhook secret set");
    auto sig = any_secret(secrets, [&](const std::string& s) {
        return verify_pagerduty_signature(s, signature_header, body);
    });
    if (sig != signature_verdict::ok) return verdict(answer_verdict::refused, std::string(describe(sig)));
    return judge(parse_pagerduty_webhook(body), install, now, true);
}

answer_verdict check_opsgenie_answer(const std::vector<std::string>& secrets, std::string_view secret_header,
                                     std::string_view body, std::string_view install, std::chrono::sys_seconds now) {
    if (secrets.empty()) return verdict(answer_verdict::refused, "no Opsgenie pager has a webhook secret set");
    auto sig = any_secret(secrets, [&](const std::string& s) { return verify_shared_secret(s, secret_header); });
    if (sig != signature_verdict::ok) return verdict(answer_verdict::refused, std::string(describe(sig)));
    return judge(parse_opsgenie_webhook(body), install, now, false);
}

}  // namespace warroom::paging
