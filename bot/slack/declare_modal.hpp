// The declare modal: `/incident declare` with no text opens it; its
// submission is validated inline (Slack's response_action: errors) and then
// declared through the engine like a typed command.
#pragma once

#include "commands/settings.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace warroom::bot {

// The modal's view (slack::view_id::declare), with the severities and incident
// types of the config. `channel_id` (where the command was typed) rides in
// private_metadata.
nlohmann::json declare_view(const commands::settings& cfg, const std::string& channel_id);

struct declare_form {
    std::string user;
    std::string channel;  // where the answer goes (from private_metadata)
    std::string title;
    std::string severity;
    std::string type;  // empty: none
    std::string description;
    bool commander = false;  // "I am the commander"
    bool is_private = false;  // "Private": declared as `declare private …`
    std::vector<std::string> components;  // status-page components affected
    std::string impact;                   // on each of them (an `impact` word)
    std::string view_id;     // a double submit carries the same one

    // The equivalent typed command, e.g. "declare P1 type:outage checkout is down".
    std::string command() const;
};

// A submission of the declare view: the form, or Slack's inline-errors answer.
std::variant<declare_form, nlohmann::json> read_declare_submission(const nlohmann::json& payload,
                                                                    const commands::settings& cfg);

}  // namespace warroom::bot
