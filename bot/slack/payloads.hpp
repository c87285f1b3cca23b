// What Slack POSTs to us over HTTP: slash commands, interactivity, Events API.
// Every parser here is total: hostile or broken input gives nullopt (or
// invalid_payload), never an exception, so a request handler can call them
// on unverified bytes without a try block.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace warroom::slack {

using form = std::map<std::string, std::string>;

// Deeper than any payload Slack sends (Block Kit views nest about 10 levels).
inline constexpr std::size_t max_json_depth = 64;

// Whether no array or object in `text` nests deeper than max_depth (strings
// are skipped, brackets in them are text). Linear and allocation-free.
bool json_depth_within(std::string_view text, std::size_t max_depth = max_json_depth);

// nlohmann's parser is iterative, but copying, comparing and dumping a value
// recurse once per level: a 200 KB body of 100,000 '[' overflows the stack.
// Every JSON that comes from outside goes through this instead of
// json::parse: a discarded value (is_discarded()) for text that is not JSON
// or nests deeper than max_depth, never an exception; `too_deep` says which.
nlohmann::json parse_json_bounded(std::string_view text, std::size_t max_depth = max_json_depth,
                                  bool* too_deep = nullptr);

// application/x-www-form-urlencoded: '+' is a space, %XX a byte. A bad %
// escape gives nullopt. A pair without '=' has an empty value. If a key
// repeats, the first value wins (Slack never repeats one).
std::optional<form> parse_form(std::string_view body);

struct slash_command {
    std::string token;  // deprecated by Slack: verify the signature instead
    std::string team_id;
    std::string team_domain;
    std::string enterprise_id;
    std::string enterprise_name;
    std::string channel_id;
    std::string channel_name;
    std::string user_id;
    std::string user_name;  // deprecated by Slack: use user_id
    std::string command;
    std::string text;
    std::string api_app_id;
    bool is_enterprise_install = false;
    std::string response_url;
    std::string trigger_id;
};

// Needs non-empty command, user_id and channel_id; other fields default to "".
std::optional<slash_command> parse_slash_command(form f);  // by value: its strings are moved, not copied

// Slack's reachability probe for distributed apps (`ssl_check=1`): answer 200
// and do nothing. classify() reports such a post as unknown.
bool is_ssl_check(const form& f);

enum class body_kind { slash_command, interaction, event_json, unknown };

// By Content-Type (media type only, case-insensitive), then for forms by
// which field is present: `payload` means interactivity, `command` a slash
// command.
body_kind classify(std::string_view content_type, std::string_view body);
// The same, handing back the parsed form of a form body (empty otherwise) so
// the caller does not parse it twice.
body_kind classify(std::string_view content_type, std::string_view body, std::optional<form>& parsed);

// Events API envelopes.
struct invalid_payload {
    std::string reason;  // for logs: what was wrong, never the bytes
};
struct url_verification {
    std::string challenge;
};
struct event_callback {
    std::string event_id;  // the de-duplication key across Slack's retries
    std::int64_t event_time = 0;
    std::string team_id;     // may be empty (org-wide installs)
    std::string api_app_id;  // may be empty
    std::string type;        // event.type, e.g. "reaction_added", "message"
    nlohmann::json event;    // the whole inner event object
};
// A well-formed envelope of another type (e.g. app_rate_limited): acknowledge it.
struct other_envelope {
    std::string type;
};
using event_envelope = std::variant<invalid_payload, url_verification, event_callback, other_envelope>;

event_envelope parse_event(std::string_view body);

// The interactivity `payload` field as a JSON object with a non-empty string
// `type` (block_actions, view_submission, ...); nullopt otherwise.
std::optional<nlohmann::json> parse_interaction(const form& f);

}  // namespace warroom::slack
