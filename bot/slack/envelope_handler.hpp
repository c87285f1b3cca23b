// What a Slack transport hands its authenticated requests to: Socket Mode
// depends on this, not on the HTTP endpoint that implements it
// (bot/slack_endpoint.hpp), so the transport stays below the application.
// Both transports parse first (bot/slack/inbound.hpp) and hand over the
// typed inbound: from there on HTTP and Socket Mode take one path.
#pragma once

#include "bot/net/async.hpp"
#include "bot/slack/inbound.hpp"

#include <string>

namespace warroom::bot {

// What the transport sends back: an HTTP body, or a Socket Mode ack's payload.
struct envelope_reply {
    // false when an event could not be recorded: not acknowledged, so Slack sends it again.
    bool taken = true;
    // Empty for a plain acknowledgement, else JSON (a command's ephemeral
    // answer, a modal's response_action, the url_verification challenge).
    std::string body;
};

class envelope_handler {
public:
    virtual ~envelope_handler() = default;

    // Within Slack's 3 s. An invalid_request is the transport's to refuse or
    // acknowledge; `retry_num` is Slack's redelivery count, empty for the first.
    virtual net::task<envelope_reply> answer(const slack::inbound& in, const std::string& retry_num) = 0;
};

}  // namespace warroom::bot
