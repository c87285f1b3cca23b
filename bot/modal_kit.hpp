// The Block Kit pieces every warroom modal is made of, and reading back what
// a view_submission carries (state.values.<block_id>.<action_id>; warroom
// gives each input the same block and action id).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace warroom::bot::modal {

nlohmann::json plain(const std::string& text);
// A select option; Slack cuts option text at 75 characters, so we do first.
nlohmann::json option(const std::string& value, const std::string& text);
// An input block whose block_id and action_id are both `id`.
nlohmann::json input(const std::string& id, const std::string& label, nlohmann::json element, bool optional = false);
// Plain text, so a title can neither format nor ping anything.
nlohmann::json context_line(const std::string& text);

// The submitted element of input `id`, or nullptr.
const nlohmann::json* field(const nlohmann::json& payload, const char* id);
// A text input's value or a static select's chosen value; empty when none.
std::string text_value(const nlohmann::json* element);
// A users_select's chosen user; empty when none.
std::string selected_user(const nlohmann::json* element);
// j[key] when j is an object holding a string there; else empty.
std::string string_at(const nlohmann::json& j, const char* key);
// Who submitted; a string field of the submitted view (id, callback_id, private_metadata).
std::string user_of(const nlohmann::json& payload);
std::string view_string(const nlohmann::json& payload, const char* key);

}  // namespace warroom::bot::modal
