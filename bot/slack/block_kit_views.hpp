// Modals in Slack's Block Kit: how a form is spelled (plain text, options,
// inputs, the view envelope, within Slack's limits) and how its
// view_submission is read back. The forms themselves (bot/declare_modal,
// bot/incident_modals) decide what they ask; this decides how Slack sees it.
// Every modal and input is named by an enumeration shared by the builder and
// the reader, so an id cannot be misspelled on one side only. Pure.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warroom::slack {

// The modals warroom opens: their callback_id. Forms open in someone's Slack
// (and the manifest's declare shortcut) carry these: never rename one, only add.
enum class view_id { declare, update, severity, role, followup, public_update };
// The inputs on them: each input block's block_id, also its element's
// action_id. Same rule: a form opened before an upgrade is submitted after it.
enum class input_id { title, severity, type, description, commander, status, text, impact, next, eta, role, user,
                      private_incident, owner, due, phase, workaround, next_update, components, component_impact,
                      public_title };

std::string_view to_string(view_id v);  // "warroom_declare", ...
std::string_view to_string(input_id i);  // "title", ...
// nullopt for any other callback_id (another app's view, or one warroom no longer has).
std::optional<view_id> parse_view_id(std::string_view callback_id);

// Slack's limits on views (SLACK.md §7; docs.slack.dev, Block Kit reference).
inline constexpr std::size_t max_view_title = 24;  // also submit and close
inline constexpr std::size_t max_option_text = 75;
inline constexpr std::size_t max_select_options = 100;
inline constexpr std::size_t max_text_input = 3000;  // a plain_text_input's max_length
inline constexpr std::size_t max_id = 255;           // block_id, action_id

// ---- Building -------------------------------------------------------------

// Plain text (never mrkdwn: a user's title can neither format nor ping),
// cut to `max_chars` characters with "…" when longer.
nlohmann::json plain_text(std::string_view text, std::size_t max_chars = 0);

struct choice {
    std::string value;  // what the submission carries back
    std::string text;   // what the user reads; cut to max_option_text
};
// A static_select of the first max_select_options choices, starting on the one
// whose value is `initial` when it is among them.
nlohmann::json select(const std::vector<choice>& choices, std::string_view initial = {});
nlohmann::json checkboxes(const std::vector<choice>& choices);
// A multi_static_select (Slack takes up to 100 options, cut like select's).
nlohmann::json multi_select(const std::vector<choice>& choices);
// A users_select, starting on `initial_user` unless empty.
nlohmann::json user_select(std::string_view initial_user = {});
// A datepicker ("YYYY-MM-DD"), starting on `initial_date` unless empty.
nlohmann::json date_picker(std::string_view initial_date = {});
struct text_box {
    std::size_t max_length = max_text_input;  // capped at max_text_input
    bool multiline = false;
    std::string placeholder = {};  // none when empty
    std::string initial = {};      // the text it starts with, cut to max_length; none when empty
};
nlohmann::json text_input(const text_box& box);

// An input block holding `element` (one of the above) under `id`.
nlohmann::json input(input_id id, std::string_view label, nlohmann::json element, bool optional = false);
// A line of plain text above the inputs.
nlohmann::json context_line(std::string_view text);

struct modal {
    view_id id;
    std::string title;             // cut to max_view_title
    std::string submit;            // cut to max_view_title
    std::string private_metadata;  // comes back with the submission
    nlohmann::json blocks = nlohmann::json::array();
};
// The view for views.open: a modal with a Cancel button.
nlohmann::json modal_view(const modal& m);

// view_submission's answer that keeps the modal open and shows each message
// under its input. One message per input: assigning again replaces it.
using form_errors = std::map<input_id, std::string>;
nlohmann::json errors_answer(const form_errors& errors);

// ---- Reading a view_submission --------------------------------------------

// The submitted element of input `id` (state.values.<block_id>.<action_id>), or nullptr.
const nlohmann::json* submitted(const nlohmann::json& payload, input_id id);
// A text input's value or a static select's chosen value; empty when none.
std::string text_value(const nlohmann::json* element);
// A users_select's chosen user; empty when none.
std::string selected_user(const nlohmann::json* element);
// A datepicker's chosen day ("YYYY-MM-DD"); empty when none.
std::string selected_date(const nlohmann::json* element);
// The values picked in a checkboxes or multi_static_select element, in Slack's order.
std::vector<std::string> selected_values(const nlohmann::json* el);
// Whether any box of a checkboxes element is ticked.
bool any_checked(const nlohmann::json* element);
// Which modal was submitted; nullopt when not one of warroom's.
std::optional<view_id> submitted_view(const nlohmann::json& payload);

// j[key] when j is an object holding a string there; else empty.
std::string string_at(const nlohmann::json& j, const char* key);
// Who sent the payload (user.id); a string field of its view (id, callback_id, private_metadata).
std::string user_of(const nlohmann::json& payload);
std::string view_string(const nlohmann::json& payload, const char* key);

}  // namespace warroom::slack
