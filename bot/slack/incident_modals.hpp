// The buttons on warroom's messages and the modals behind the pinned
// summary's (post an update, change the severity, assign a role), read from
// Slack's payloads. Each submission is read back into the /incident commands
// it stands for, so a click does exactly what typing would. Pure: no I/O.
#pragma once

#include "commands/button.hpp"
#include "commands/incident.hpp"
#include "commands/settings.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace warroom::bot {

// Whether `callback_id` names one of the views below (update, severity, role).
bool is_incident_modal(const std::string& callback_id);

// The state the modal was opened on rides in private_metadata: a submission
// then changes only what the user changed ("already mitigating" is not an error).
nlohmann::json update_view(const commands::settings& cfg, const commands::incident& inc, const std::string& channel);
nlohmann::json severity_view(const commands::settings& cfg, const commands::incident& inc, const std::string& channel);
// The public update form: what customers will read on the status page,
// prefilled from a template (or, from a draft's Edit, with the newest draft).
nlohmann::json public_update_view(const commands::settings& cfg, const commands::incident& inc, const std::string& channel);
nlohmann::json role_view(const commands::settings& cfg, const commands::incident& inc, const std::string& channel,
                         const std::string& user);

struct modal_submission {
    std::string user;
    std::string channel;  // where the button was pressed: answers go there
    std::int64_t incident = 0;
    std::vector<std::string> commands;  // in order, e.g. {"status INC-7 mitigating", "update INC-7 ..."}
    std::string view_id;
};

// One button of a block_actions payload, as warroom's buttons carry it.
struct button_press {
    std::string action_id;      // as Slack sent it, for logs
    std::optional<commands::button> which;  // nullopt: not one of warroom's buttons
    std::int64_t incident = 0;  // the button's value; 0 when it names none
    std::string user;
    std::string channel;        // where the message with the button is
    std::string trigger_id;     // opens a modal, within 3 s
    std::string response_url;   // answers the clicker
    std::string action_ts;
};
// nullopt unless the payload is a block_actions with a user and an action.
std::optional<button_press> read_button_press(const nlohmann::json& payload);

// A submission of one of the views above: its commands, or Slack's
// `response_action: errors` body (the modal stays open with the messages).
std::variant<modal_submission, nlohmann::json> read_incident_submission(const nlohmann::json& payload,
                                                                         const commands::settings& cfg);

}  // namespace warroom::bot
