// The buttons on warroom's messages, as one list shared by the engine that
// puts them there (commands/buttons.cpp) and the transport that reads the
// clicks (bot/incident_modals.cpp, bot/interactions.cpp).
#pragma once

#include <optional>
#include <string_view>

namespace warroom::commands {

// Each one's Slack action_id is stored in every message already posted:
// never rename one, only add.
// public_update: opens the public update form (on the summary, and Edit on a draft);
// publish: publishes the incident's newest draft public update.
enum class button { ack, join, update, severity, role, resolve, followup, public_update, publish };

std::string_view to_string(button b);  // the action_id: "warroom_ack", ...
// nullopt for any other action_id (another app's button, or one warroom no longer has).
std::optional<button> parse_button(std::string_view action_id);

}  // namespace warroom::commands
