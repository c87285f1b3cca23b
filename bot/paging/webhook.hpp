// The outgoing webhook: one JSON document per incident event, posted to any
// URL and signed so the receiver can tell it came from this warroom and was
// not replayed. The format is documented in README ("Outgoing webhooks").
//
//   X-Warroom-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//   X-Warroom-Event:     incident.declared
//
// verify_webhook is the receiver's side, the code a receiver would write.
#pragma once

#include "bot/paging/inbound.hpp"
#include "bot/paging/page_event.hpp"
#include "bot/paging/pager_config.hpp"
#include "bot/paging/request.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warroom::paging {

// Raised when a field changes meaning or disappears; new fields do not raise it.
inline constexpr int webhook_schema_version = 1;
inline constexpr std::chrono::seconds webhook_signature_window{300};
inline constexpr std::string_view webhook_signature_header = "X-Warroom-Signature";

// `paged`: a page not tied to another event (a missed acknowledgement, by hand).
enum class incident_event_kind { declared, acknowledged, severity_changed, role_assigned, update_posted, resolved, reopened, paged };
// "incident.declared", "incident.severity_changed", …
std::string event_name(incident_event_kind k);

struct webhook_event {
    incident_event_kind kind = incident_event_kind::declared;
    std::string id;     // unique per event and stable across retries: receivers drop repeats by it
    std::string state;  // the incident's state after the event: "open", "acknowledged", "resolved"
    page_event incident;
    // Per kind: severity_changed {"from", "to"}, role_assigned {"role",
    // "user"}, update_posted {"text"}; always strings.
    std::vector<std::pair<std::string, std::string>> details;
};

std::string webhook_body(const webhook_event& e);

// "t=<ts>,v1=<hex>".
std::string webhook_signature(std::string_view secret, std::chrono::sys_seconds t, std::string_view body);

// Signed at `now`: sending again re-signs, so a retry is not stale.
http_request webhook_request(const pager_target& target, const webhook_event& e, std::chrono::sys_seconds now);

// Checks, in order: the header is there and shaped "t=…,v1=…" (several v1
// allowed, for a receiver rotating secrets), t within `window` of now either
// way, and one v1 equal to the HMAC of "<t>.<body>" under `secret`.
signature_verdict verify_webhook(std::string_view secret, std::string_view header, std::string_view body,
                                 std::chrono::sys_seconds now,
                                 std::chrono::seconds window = webhook_signature_window);

}  // namespace warroom::paging
