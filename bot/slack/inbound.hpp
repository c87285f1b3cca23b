// Everything Slack sends warroom, as one typed value, whichever way it came:
// an HTTP request to /slack/events or a Socket Mode envelope. Both parsers are
// total: broken or hostile input gives an invalid_request, never an exception.
// Pure (no I/O), so routing is tested without a socket.
#pragma once

#include "bot/slack/incident_modals.hpp"
#include "bot/slack/payloads.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <variant>

namespace warroom::slack {

// Not something warroom can read: answered with an error (HTTP) or
// acknowledged (Socket Mode, where Slack would only send it again).
struct invalid_request {
    std::string kind;    // for /metrics: slash_command, event, interaction, unknown
    std::string reason;  // for logs: what was wrong, never the bytes
};
// Slack's reachability probe for distributed apps (`ssl_check=1`).
struct ssl_check {};
// One of warroom's buttons (or another app's, told apart by press.which).
struct button_click {
    bot::button_press press;
};
struct view_submission {
    std::string callback_id;
    nlohmann::json payload;  // read by the form's own reader (declare_modal, incident_modals)
};
struct shortcut {
    std::string callback_id;
    std::string trigger_id;
    std::string user;
};
// A message shortcut (a message_action payload): someone picked one of the
// app's actions on a message ("Add as follow-up").
struct message_shortcut {
    std::string callback_id;
    std::string trigger_id;
    std::string user;
    std::string channel;       // where the message is
    std::string response_url;  // answers the clicker alone
    std::string message_text;  // as Slack sent it (mrkdwn)
    std::string message_ts;
};
// A well-formed interactivity payload warroom has nothing to do for
// (view_closed, a message_action without a user or channel, a block_actions without a user or action).
struct other_interaction {
    std::string type;
};

using inbound = std::variant<invalid_request, ssl_check, slash_command, url_verification, event_callback,
                             other_envelope, button_click, view_submission, shortcut, other_interaction,
                             message_shortcut>;

// An HTTP body by its Content-Type (the signature is checked before this).
inbound parse_inbound(std::string_view content_type, std::string_view body);
// A Socket Mode envelope ({"type":"events_api"|"slash_commands"|"interactive","payload":{…}}).
inbound parse_envelope(const nlohmann::json& envelope);
// An interactivity payload (the `payload` field's JSON object).
inbound parse_interaction_payload(const nlohmann::json& payload);

}  // namespace warroom::slack
