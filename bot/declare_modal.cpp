#include "bot/declare_modal.hpp"

#include "bot/modal_kit.hpp"
#include "commands/text.hpp"

#include <nlohmann/json.hpp>

namespace warroom::bot {

using json = nlohmann::json;

namespace {
constexpr std::size_t max_title = 200;
}  // namespace

using modal::input;
using modal::option;
using modal::plain;
using modal::field;
using modal::text_value;

json declare_view(const commands::settings& cfg, const std::string& channel_id) {
    json severities = json::array();
    for (const auto& s : cfg.severities) {
        std::string targets = "ack " + commands::format_duration(s.ack_within) + ", resolve " +
                              commands::format_duration(s.resolve_within);
        severities.push_back(option(s.name, s.name + " " + s.label + " (" + targets + ")"));
    }
    json blocks = json::array();
    blocks.push_back(input("title", "What is broken?",
                           {{"type", "plain_text_input"}, {"max_length", max_title},
                            {"placeholder", plain("checkout returns 500s")}}));
    json severity{{"type", "static_select"}, {"options", severities}};
    severity["initial_option"] = severities.back();  // the least severe, as a typed declare
    blocks.push_back(input("severity", "Severity", severity));
    if (!cfg.incident_types.empty()) {
        json types = json::array();
        for (const auto& t : cfg.incident_types) types.push_back(option(t.name, t.label));
        blocks.push_back(input("type", "Type (its runbook is posted)", {{"type", "static_select"}, {"options", types}}, true));
    }
    blocks.push_back(input("description", "What do we know so far?",
                           {{"type", "plain_text_input"}, {"multiline", true}, {"max_length", 2000}}, true));
    blocks.push_back(input("commander", "Commander",
                           {{"type", "checkboxes"}, {"options", json::array({option("me", "I am the commander")})}},
                           true));
    return {{"type", "modal"},
            {"callback_id", declare_callback_id},
            {"private_metadata", channel_id},
            {"title", plain("Declare an incident")},
            {"submit", plain("Declare")},
            {"close", plain("Cancel")},
            {"blocks", blocks}};
}

std::string declare_form::command() const {
    std::string out = "declare " + severity;
    if (!type.empty()) out += " type:" + type;
    return out + " " + title;
}

std::variant<declare_form, json> read_declare_submission(const json& payload, const commands::settings& cfg) {
    declare_form f;
    f.user = modal::user_of(payload);
    f.channel = modal::view_string(payload, "private_metadata");
    f.view_id = modal::view_string(payload, "id");
    f.title = commands::trim(text_value(field(payload, "title")));
    // One line: the title becomes a channel name and a topic.
    for (auto& c : f.title)
        if (c == '\n' || c == '\r') c = ' ';
    f.severity = text_value(field(payload, "severity"));
    f.type = text_value(field(payload, "type"));
    f.description = commands::trim(text_value(field(payload, "description")));
    if (const auto* box = field(payload, "commander"); box && box->contains("selected_options"))
        f.commander = (*box)["selected_options"].is_array() && !(*box)["selected_options"].empty();

    json errors = json::object();
    if (f.title.empty()) errors["title"] = "Say in a few words what is broken.";
    else if (commands::char_count(f.title) > max_title) errors["title"] = "At most 200 characters, please.";
    if (!cfg.find_severity(f.severity)) errors["severity"] = "Pick one of the severities in the list.";
    if (!f.type.empty() && !cfg.find_type(f.type)) errors["type"] = "Pick one of the types in the list.";
    if (f.user.empty()) errors["title"] = "Slack did not say who you are; please try again.";
    if (!errors.empty()) return json{{"response_action", "errors"}, {"errors", errors}};
    return f;
}

}  // namespace warroom::bot
