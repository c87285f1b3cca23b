// What a Slack Web API call came back with, and what to do about it.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace warroom::slack {

struct api_result {
    bool ok = false;
    std::string error;  // Slack's error code, or "http_<status>" / "network: …"
    std::optional<std::chrono::seconds> retry_after;
    bool answered = false;         // an HTTP answer came back
    bool maybe_delivered = false;  // no answer, but the request may have arrived
    bool paced = false;            // never sent: held back to keep Slack's pace (retry_after says how long)
    nlohmann::json body;
};

enum class failure_kind {
    none,          // ok
    rate_limited,  // 429: wait Retry-After, then again
    transient,     // no answer, 5xx, or Slack's own trouble: back off and retry
    auth,          // the token is bad: stop delivering, report in /healthz
    permanent,     // Slack said no for good: retrying would not help
};
failure_kind classify(const api_result& r);
const char* to_string(failure_kind k);

// A result from an HTTP status, Retry-After and body (used by the client and tests).
api_result make_result(unsigned status, const std::string& retry_after, const std::string& body);

}  // namespace warroom::slack
