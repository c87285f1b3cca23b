#include "bot/slack/incident_modals.hpp"

#include "bot/slack/block_kit_views.hpp"
#include "commands/text.hpp"
#include "templates/slack_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>

namespace warroom::bot {

using json = nlohmann::json;
using slack::input;
using slack::input_id;
using slack::string_at;
using slack::submitted;
using slack::text_value;
using slack::view_id;

namespace {

// The engine refuses longer updates; the form says so before it is sent.
constexpr std::size_t max_update = 3000;
constexpr std::size_t max_section = 1000;
constexpr std::size_t max_public_title = 200;  // as the command takes it

constexpr std::array open_statuses{commands::incident_status::investigating, commands::incident_status::identified,
                                   commands::incident_status::mitigating, commands::incident_status::monitoring};

std::string metadata(const commands::incident& inc, const std::string& channel) {
    json meta{{"incident", inc.number},
              {"channel", channel},
              {"status", std::string(commands::to_string(inc.status))},
              {"severity", inc.severity}};
    return meta.dump(-1, ' ', false, json::error_handler_t::replace);
}

// "INC-7: checkout is down · P1 · investigating", the title cut to stay short.
std::string headline(const commands::incident& inc) {
    // Cut on a character boundary: half an emoji would show as U+FFFD.
    std::string title = templates::truncate_utf8(inc.title, 150);
    return inc.id() + ": " + title + " · " + inc.severity + " · " +
           std::string(commands::to_string(inc.status));
}

json multiline(std::size_t max_length) { return slack::text_input({.max_length = max_length, .multiline = true}); }

// "7", "INC-7" or "inc-7": the incident a button was made for.
std::int64_t incident_number(std::string_view v) {
    if (v.size() > 4 && commands::iequals(v.substr(0, 4), "inc-")) v.remove_prefix(4);
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    return ec == std::errc() && end == v.data() + v.size() && n > 0 ? n : 0;
}

}  // namespace

bool is_incident_modal(const std::string& callback_id) {
    auto v = slack::parse_view_id(callback_id);
    return v == view_id::update || v == view_id::severity || v == view_id::role || v == view_id::public_update;
}

json public_update_view(const commands::settings& cfg, const commands::incident& inc, const std::string& channel) {
    std::vector<slack::choice> phases;
    for (auto p : {commands::public_phase::investigating, commands::public_phase::identified,
                   commands::public_phase::monitoring, commands::public_phase::resolved}) {
        std::string name(commands::to_string(p));
        phases.push_back({name, name});
    }
    // Edit on a draft: the newest draft as it stands. Otherwise the template,
    // in words customers read (nothing internal: the components are public already).
    const commands::public_note* draft = nullptr;
    if (!inc.public_notes.empty() && !inc.public_notes.back().published()) draft = &inc.public_notes.back();
    std::string phase = draft ? std::string(commands::to_string(draft->phase)) : "investigating";
    if (!draft)
        for (const auto& n : inc.public_notes) phase = std::string(commands::to_string(n.phase));
    std::string affected;
    for (const auto& [name, impact] : inc.impacts) affected += (affected.empty() ? "" : ", ") + name;
    std::string what = draft ? draft->text
                             : "We are investigating an issue affecting " +
                                   (affected.empty() ? std::string("some of our services") : affected) + ".";
    const auto* sev = cfg.find_severity(inc.severity);
    std::string next;
    if (!draft && sev && (sev->public_update_every || sev->public_update_within))
        next = "within " + commands::format_duration(sev->public_update_every.value_or(*sev->public_update_within));
    slack::modal view{view_id::public_update, "Public update", "Post", metadata(inc, channel)};
    auto& blocks = view.blocks;
    blocks.push_back(slack::context_line(headline(inc) + " · customers read this on the status page"));
    blocks.push_back(input(input_id::phase, "Status", slack::select(phases, phase)));
    // Until customers have heard of it, the first update names the incident
    // for them: prefilled with what goes out if left as is (the draft's
    // title, else the internal one), so the comms lead reads it before it is public.
    if (!inc.has_published_note()) {
        std::string title = draft && !draft->title.empty() ? draft->title : inc.title;
        blocks.push_back(input(input_id::public_title, "Title customers see",
                               slack::text_input({.max_length = max_public_title, .initial = title})));
    }
    blocks.push_back(input(input_id::text, "What customers see",
                           slack::text_input({.max_length = max_update, .multiline = true, .initial = what})));
    blocks.push_back(input(input_id::impact, "Impact", multiline(max_section), true));
    blocks.push_back(input(input_id::workaround, "Workaround", multiline(max_section), true));
    blocks.push_back(input(input_id::next_update, "Next update",
                           slack::text_input({.max_length = 200, .placeholder = "e.g. within 30 minutes", .initial = next}),
                           true));
    return slack::modal_view(view);
}

json update_view(const commands::settings&, const commands::incident& inc, const std::string& channel) {
    std::vector<slack::choice> statuses;
    for (auto s : open_statuses) {
        std::string name(commands::to_string(s));
        statuses.push_back({name, name});
    }
    slack::modal view{view_id::update, "Post an update", "Post", metadata(inc, channel)};
    auto& blocks = view.blocks;
    blocks.push_back(slack::context_line(headline(inc)));
    blocks.push_back(input(input_id::status, "Status", slack::select(statuses, commands::to_string(inc.status))));
    blocks.push_back(input(input_id::text, "What is happening?", multiline(max_update), true));
    blocks.push_back(input(input_id::impact, "Impact", multiline(max_section), true));
    blocks.push_back(input(input_id::next, "Next steps", multiline(max_section), true));
    auto eta = slack::text_input({.max_length = 200, .placeholder = "e.g. 30m, or 14:00 UTC"});
    blocks.push_back(input(input_id::eta, "ETA", eta, true));
    return slack::modal_view(view);
}

json severity_view(const commands::settings& cfg, const commands::incident& inc, const std::string& channel) {
    std::vector<slack::choice> severities;
    for (const auto& s : cfg.severities)
        severities.push_back({s.name, s.name + " " + s.label + " (ack " + commands::format_duration(s.ack_within) +
                                          ", resolve " + commands::format_duration(s.resolve_within) + ")"});
    const auto* current = cfg.find_severity(inc.severity);
    slack::modal view{view_id::severity, "Change severity", "Change", metadata(inc, channel)};
    view.blocks.push_back(slack::context_line(headline(inc)));
    view.blocks.push_back(
        input(input_id::severity, "Severity", slack::select(severities, current ? current->name : "")));
    return slack::modal_view(view);
}

json role_view(const commands::settings& cfg, const commands::incident& inc, const std::string& channel,
               const std::string& user) {
    std::vector<slack::choice> roles;
    for (const auto& r : cfg.roles)
        roles.push_back({r.name, r.label + (inc.role_holder(r.name).empty() ? "" : " (assigned)")});
    slack::modal view{view_id::role, "Assign a role", "Assign", metadata(inc, channel)};
    view.blocks.push_back(slack::context_line(headline(inc)));
    std::string first = roles.empty() ? "" : roles.front().value;
    view.blocks.push_back(input(input_id::role, "Role", slack::select(roles, first)));
    view.blocks.push_back(input(input_id::user, "Who", slack::user_select(user)));
    return slack::modal_view(view);
}

std::variant<modal_submission, json> read_incident_submission(const json& payload, const commands::settings& cfg) {
    using errors = slack::form_errors;
    modal_submission out;
    out.user = slack::user_of(payload);
    auto form = slack::submitted_view(payload);
    out.view_id = slack::view_string(payload, "id");
    // The first input of each form takes an error that is about the whole form
    // (Slack shows an error only under an input the form has).
    input_id first = form == view_id::update          ? input_id::status
                     : form == view_id::severity      ? input_id::severity
                     : form == view_id::public_update ? input_id::phase
                                                      : input_id::role;
    auto meta = json::parse(slack::view_string(payload, "private_metadata"), nullptr, false);
    if (meta.is_object() && meta.contains("incident") && meta["incident"].is_number_integer())
        out.incident = meta["incident"].get<std::int64_t>();
    if (out.incident <= 0)  // numbers start at 1: anything else was lost or forged
        return slack::errors_answer(
            errors{{first, "This form lost track of its incident; close it and press the button again."}});
    out.channel = string_at(meta, "channel");
    std::string id = "INC-" + std::to_string(out.incident);
    if (out.user.empty())
        return slack::errors_answer(errors{{first, "Slack did not say who you are; please try again."}});

    if (form == view_id::update) {
        std::string status = text_value(submitted(payload, input_id::status));
        std::string text = commands::trim(text_value(submitted(payload, input_id::text)));
        std::string impact = commands::trim(text_value(submitted(payload, input_id::impact)));
        std::string next = commands::trim(text_value(submitted(payload, input_id::next)));
        std::string eta = commands::trim(text_value(submitted(payload, input_id::eta)));
        bool status_changed = !status.empty() && status != string_at(meta, "status");
        auto parsed = commands::parse_status(status);
        bool offered = parsed && std::find(open_statuses.begin(), open_statuses.end(), *parsed) != open_statuses.end();
        // `resolved` is reached through Resolve only, as with the typed command.
        if (!status.empty() && !offered)
            return slack::errors_answer(errors{{input_id::status, "Pick one of the statuses in the list."}});
        std::string update = text;
        for (const auto& [key, value] : {std::pair{"impact", &impact}, {"next", &next}, {"eta", &eta}})
            if (!value->empty()) update += (update.empty() ? "" : " ") + std::string(key) + ": " + *value;
        if (update.empty() && !status_changed)
            return slack::errors_answer(errors{{input_id::text, "Write what is happening, or pick a new status."}});
        if (status_changed) out.commands.push_back("status " + id + " " + status);
        if (!update.empty()) out.commands.push_back("update " + id + " " + update);
        return out;
    }
    if (form == view_id::public_update) {
        std::string phase = text_value(submitted(payload, input_id::phase));
        if (!commands::parse_public_phase(phase))
            return slack::errors_answer(errors{{input_id::phase, "Pick one of the statuses in the list."}});
        std::string text = commands::trim(text_value(submitted(payload, input_id::text)));
        if (text.empty()) return slack::errors_answer(errors{{input_id::text, "Write what customers will read."}});
        // One text for the page, each section a sentence of its own.
        for (const auto& [label, id] : {std::pair{"Impact", input_id::impact}, {"Workaround", input_id::workaround},
                                        {"Next update", input_id::next_update}}) {
            auto value = commands::trim(text_value(submitted(payload, id)));
            if (!value.empty()) text += "\n" + std::string(label) + ": " + value;
        }
        if (commands::char_count(text) > max_update)
            return slack::errors_answer(
                errors{{input_id::text, "Customers would read too much: at most " + std::to_string(max_update) + " characters in all."}});
        // Only the form of a first update asks for it; the command takes it on its own line.
        std::string title = commands::trim(text_value(submitted(payload, input_id::public_title)));
        if (title.find(" | ") != std::string::npos || title.find('\n') != std::string::npos)
            return slack::errors_answer(errors{{input_id::public_title, "Write the title without ` | ` or line breaks."}});
        std::string titled = title.empty() ? text : "title: " + title + "\n" + text;
        out.commands.push_back("public " + id + " " + phase + " " + titled);
        return out;
    }
    if (form == view_id::severity) {
        std::string severity = text_value(submitted(payload, input_id::severity));
        const auto* sev = cfg.find_severity(severity);
        if (!sev) return slack::errors_answer(errors{{input_id::severity, "Pick one of the severities in the list."}});
        if (commands::iequals(sev->name, string_at(meta, "severity")))
            return slack::errors_answer(
                errors{{input_id::severity, id + " is already " + sev->name + "; pick another severity."}});
        out.commands.push_back("severity " + id + " " + sev->name);
        return out;
    }
    if (form == view_id::role) {
        std::string role = text_value(submitted(payload, input_id::role));
        std::string user = slack::selected_user(submitted(payload, input_id::user));
        const auto* def = cfg.find_role(role);
        if (!def) return slack::errors_answer(errors{{input_id::role, "Pick one of the roles in the list."}});
        if (user.empty()) return slack::errors_answer(errors{{input_id::user, "Pick the person who takes the role."}});
        out.commands.push_back(def->name + " " + id + " <@" + user + ">");
        return out;
    }
    return slack::errors_answer(errors{{input_id::status, "warroom does not know this form."}});
}

std::optional<button_press> read_button_press(const json& payload) {
    if (string_at(payload, "type") != "block_actions") return std::nullopt;
    button_press b;
    if (payload.contains("user")) b.user = string_at(payload["user"], "id");
    if (payload.contains("channel")) b.channel = string_at(payload["channel"], "id");
    if (b.channel.empty() && payload.contains("container")) b.channel = string_at(payload["container"], "channel_id");
    b.trigger_id = string_at(payload, "trigger_id");
    b.response_url = string_at(payload, "response_url");
    if (!payload.contains("actions") || !payload["actions"].is_array() || payload["actions"].empty()) return std::nullopt;
    const auto& action = payload["actions"][0];
    b.action_id = string_at(action, "action_id");
    b.which = commands::parse_button(b.action_id);
    b.action_ts = string_at(action, "action_ts");
    b.incident = incident_number(string_at(action, "value"));
    if (b.user.empty() || b.action_id.empty()) return std::nullopt;
    return b;
}

}  // namespace warroom::bot
