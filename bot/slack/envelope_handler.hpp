// What a Slack transport hands its authenticated requests to: Socket Mode
// depends on this, not on the HTTP endpoint that implements it
// (bot/slack_endpoint.hpp), so the transport stays below the application.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json_fwd.hpp>

#include <string>

namespace warroom::slack {
struct slash_command;
struct event_callback;
}  // namespace warroom::slack

namespace warroom::bot {

class envelope_handler {
public:
    virtual ~envelope_handler() = default;

    // The caller's answer as Slack's JSON body (ephemeral), within 3 s.
    virtual boost::asio::awaitable<std::string> answer_command(const slack::slash_command& cmd) = 0;
    // false when the event could not be recorded (Slack should retry it).
    virtual boost::asio::awaitable<bool> accept_event(const slack::event_callback& cb,
                                                      const std::string& retry_num) = 0;
    // An interactivity payload's answer body: empty for a plain 200, else JSON.
    virtual boost::asio::awaitable<std::string> answer_interaction(const nlohmann::json& payload) = 0;
};

}  // namespace warroom::bot
