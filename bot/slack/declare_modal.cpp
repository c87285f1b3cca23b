#include "bot/slack/declare_modal.hpp"

#include "bot/slack/block_kit_views.hpp"
#include "commands/incident.hpp"
#include "commands/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace warroom::bot {

using json = nlohmann::json;
using slack::input_id;

namespace {
constexpr std::size_t max_title = 200;
}  // namespace

json declare_view(const commands::settings& cfg, const std::string& channel_id) {
    std::vector<slack::choice> severities;
    for (const auto& s : cfg.severities) {
        std::string targets = "ack " + commands::format_duration(s.ack_within) + ", resolve " +
                              commands::format_duration(s.resolve_within);
        severities.push_back({s.name, s.name + " " + s.label + " (" + targets + ")"});
    }
    slack::modal view{slack::view_id::declare, "Declare an incident", "Declare", channel_id};
    auto& blocks = view.blocks;
    auto title = slack::text_input({.max_length = max_title, .placeholder = "checkout returns 500s"});
    blocks.push_back(slack::input(input_id::title, "What is broken?", title));
    // The least severe to start with, as a typed declare.
    std::string least = cfg.severities.empty() ? "" : cfg.severities.back().name;
    blocks.push_back(slack::input(input_id::severity, "Severity", slack::select(severities, least)));
    if (!cfg.incident_types.empty()) {
        std::vector<slack::choice> types;
        for (const auto& t : cfg.incident_types) types.push_back({t.name, t.label});
        blocks.push_back(slack::input(input_id::type, "Type (its runbook is posted)", slack::select(types), true));
    }
    blocks.push_back(slack::input(input_id::description, "What do we know so far?",
                                  slack::text_input({.max_length = 2000, .multiline = true}), true));
    blocks.push_back(slack::input(input_id::commander, "Commander", slack::checkboxes({{"me", "I am the commander"}}),
                                  true));
    // A type that is private by config makes it private whatever is ticked here.
    blocks.push_back(slack::input(input_id::private_incident, "Visibility",
                                  slack::checkboxes({{"private", "Private: a private channel, not announced"}}), true));
    if (!cfg.public_components.empty()) {
        std::vector<slack::choice> components, impacts;
        for (const auto& c : cfg.public_components) components.push_back({c, c});
        for (const auto& [value, label] : {std::pair{"degraded", "Degraded performance"}, {"partial_outage", "Partial outage"},
                                           {"major_outage", "Major outage"}, {"maintenance", "Under maintenance"}})
            impacts.push_back({value, label});
        blocks.push_back(slack::input(input_id::components, "Affected components (status page)",
                                      slack::multi_select(components), true));
        blocks.push_back(slack::input(input_id::component_impact, "Their impact", slack::select(impacts, "partial_outage"),
                                      true));
    }
    return slack::modal_view(view);
}

std::string declare_form::command() const {
    std::string out = "declare " + std::string(is_private ? "private " : "") + severity;
    if (!type.empty()) out += " type:" + type;
    return out + " " + title;
}

std::variant<declare_form, json> read_declare_submission(const json& payload, const commands::settings& cfg) {
    using slack::submitted;
    using slack::text_value;
    declare_form f;
    f.user = slack::user_of(payload);
    f.channel = slack::view_string(payload, "private_metadata");
    f.view_id = slack::view_string(payload, "id");
    f.title = commands::trim(text_value(submitted(payload, input_id::title)));
    // One line: the title becomes a channel name and a topic.
    for (auto& c : f.title)
        if (c == '\n' || c == '\r') c = ' ';
    f.severity = text_value(submitted(payload, input_id::severity));
    f.type = text_value(submitted(payload, input_id::type));
    f.description = commands::trim(text_value(submitted(payload, input_id::description)));
    f.commander = slack::any_checked(submitted(payload, input_id::commander));
    f.is_private = slack::any_checked(submitted(payload, input_id::private_incident));
    f.components = slack::selected_values(submitted(payload, input_id::components));
    f.impact = text_value(submitted(payload, input_id::component_impact));
    if (f.impact.empty()) f.impact = "partial_outage";

    slack::form_errors errors;
    if (f.title.empty()) errors[input_id::title] = "Say in a few words what is broken.";
    else if (commands::char_count(f.title) > max_title) errors[input_id::title] = "At most 200 characters, please.";
    if (!cfg.find_severity(f.severity)) errors[input_id::severity] = "Pick one of the severities in the list.";
    if (!f.type.empty() && !cfg.find_type(f.type)) errors[input_id::type] = "Pick one of the types in the list.";
    for (const auto& c : f.components)
        if (std::none_of(cfg.public_components.begin(), cfg.public_components.end(),
                         [&](const std::string& known) { return commands::iequals(known, c); }))
            errors[input_id::components] = "Pick components from the list.";
    if (!commands::parse_component_impact(f.impact)) errors[input_id::component_impact] = "Pick one of the impacts in the list.";
    if (f.user.empty()) errors[input_id::title] = "Slack did not say who you are; please try again.";
    if (!errors.empty()) return slack::errors_answer(errors);
    return f;
}

}  // namespace warroom::bot
