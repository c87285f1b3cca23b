// Classifying Slack's answers: retry, wait, stop, or give up.
#include "bot/slack/api_result.hpp"

#include <array>
#include <charconv>
#include <string_view>

namespace warroom::slack {

namespace {
constexpr std::array<std::string_view, 6> auth_errors{"not_authed", "invalid_auth", "account_inactive",
                                                      "token_revoked", "token_expired", "team_disabled"};
constexpr std::array<std::string_view, 5> transient_errors{"internal_error", "fatal_error", "request_timeout",
                                                           "service_unavailable", "ratelimited"};

template <std::size_t N>
bool among(const std::array<std::string_view, N>& list, std::string_view code) {
    for (auto c : list)
        if (c == code) return true;
    return false;
}
}  // namespace

failure_kind classify(const api_result& r) {
    if (r.ok) return failure_kind::none;
    if (r.retry_after) return failure_kind::rate_limited;
    if (!r.answered) return failure_kind::transient;
    if (among(auth_errors, r.error)) return failure_kind::auth;
    if (r.error.starts_with("http_") || among(transient_errors, r.error)) return failure_kind::transient;
    return failure_kind::permanent;
}

const char* to_string(failure_kind k) {
    switch (k) {
        case failure_kind::none: return "ok";
        case failure_kind::rate_limited: return "rate_limited";
        case failure_kind::transient: return "transient";
        case failure_kind::auth: return "auth";
        case failure_kind::permanent: return "permanent";
    }
    return "unknown";
}

api_result make_result(unsigned status, const std::string& retry_after, const std::string& body) {
    api_result r;
    r.answered = true;
    if (status == 429) {
        long long secs = 1;
        auto [p, ec] = std::from_chars(retry_after.data(), retry_after.data() + retry_after.size(), secs);
        if (ec != std::errc{} || secs < 0) secs = 1;
        r.retry_after = std::chrono::seconds(std::min(secs, 3600LL));
        r.error = "ratelimited";
        return r;
    }
    if (status < 200 || status >= 300) {
        r.error = "http_" + std::to_string(status);
        return r;
    }
    r.body = nlohmann::json::parse(body, nullptr, false);
    if (r.body.is_discarded() || !r.body.is_object()) {
        r.error = "http_200_invalid_json";
        r.body = nlohmann::json::object();
        return r;
    }
    auto ok = r.body.find("ok");
    r.ok = ok != r.body.end() && ok->is_boolean() && ok->get<bool>();
    if (!r.ok) {
        auto err = r.body.find("error");
        r.error = err != r.body.end() && err->is_string() ? err->get<std::string>() : "unknown_error";
    }
    return r;
}

}  // namespace warroom::slack
