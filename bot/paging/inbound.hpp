// Pages answered on the vendor's side (PagerDuty webhooks v3, Opsgenie's
// outgoing webhook): the request checked, then parsed into one typed value the
// engine can act on. Pure: no I/O, no clock but the one passed in.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace warroom::paging {

struct page_answer {
    enum kind_t { acknowledged, resolved } kind = acknowledged;
    std::string provider;  // "PagerDuty", "Opsgenie": for "acknowledged in PagerDuty by …"
    std::string key;       // PagerDuty's incident_key / Opsgenie's alias: our dedup key
    std::string by;        // the person who acted, as the vendor names them
    std::string event_id;  // the vendor's id of this delivery, to ignore its retries
    // When it happened, as the vendor says: PagerDuty's event.occurred_at,
    // Opsgenie's alert.updatedAt. nullopt: not in the body.
    std::optional<std::chrono::sys_seconds> occurred_at;
};

struct inbound_result {
    enum status_t {
        answered,  // `answer` is set
        ignored,   // valid, but nothing for warroom (another event type, an alert it did not open)
        invalid,   // not the vendor's shape: refuse it
    } status = invalid;
    page_answer answer;
    std::string reason;  // for ignored and invalid: a log line's words
};

// Vendors' webhook bodies are small; a bigger one is refused before it is read.
inline constexpr std::size_t max_webhook_body = 256 * 1024;

// PagerDuty webhooks v3: `event.event_type` incident.acknowledged or
// incident.resolved, the incident's `incident_key`, the agent's name.
inbound_result parse_pagerduty_webhook(std::string_view body);

// Opsgenie's webhook integration: `action` Acknowledge or Close, `alert.alias`,
// `alert.username`. Opsgenie sends no delivery id: the event id is the
// alert's id, the action and alert.updatedAt, the same in every retry of one
// delivery and different for a later acknowledgement of the same alert.
inbound_result parse_opsgenie_webhook(std::string_view body);

enum class signature_verdict {
    ok,
    missing,        // no header, or an empty one
    malformed,      // not the documented shape
    stale,          // timestamp outside the window (outgoing webhooks only)
    bad_signature,  // wrong secret or tampered body; also an empty secret (fail closed)
};
std::string_view describe(signature_verdict v) noexcept;

// X-PagerDuty-Signature: "v1=<hex HMAC-SHA256(secret, raw body)>", several
// comma-separated while PagerDuty rotates the subscription's secret; one
// matching is enough. PagerDuty signs no timestamp: replays are caught by
// the event id (page_answer::event_id).
signature_verdict verify_pagerduty_signature(std::string_view secret, std::string_view header,
                                             std::string_view body);

// Opsgenie signs nothing; its webhook integration sends a custom header whose
// value is a shared secret. Compared in constant time.
inline constexpr std::string_view opsgenie_secret_header = "X-Warroom-Secret";
signature_verdict verify_shared_secret(std::string_view secret, std::string_view header);

}  // namespace warroom::paging
