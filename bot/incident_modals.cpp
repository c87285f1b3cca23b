#include "bot/incident_modals.hpp"

#include "bot/modal_kit.hpp"
#include "commands/text.hpp"
#include "templates/slack_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>

namespace warroom::bot {

using json = nlohmann::json;
using modal::field;
using modal::input;
using modal::option;
using modal::plain;
using modal::string_at;
using modal::text_value;

namespace {

// The engine refuses longer updates; the form says so before it is sent.
constexpr int max_update = 3000;
constexpr int max_section = 1000;

constexpr std::array open_statuses{commands::incident_status::investigating, commands::incident_status::identified,
                                   commands::incident_status::mitigating, commands::incident_status::monitoring};

json metadata(const commands::incident& inc, const std::string& channel) {
    return {{"incident", inc.number},
            {"channel", channel},
            {"status", std::string(commands::to_string(inc.status))},
            {"severity", inc.severity}};
}

json modal_view(const char* callback_id, const std::string& title, const std::string& submit, const json& meta,
                json blocks) {
    return {{"type", "modal"},
            {"callback_id", callback_id},
            {"private_metadata", meta.dump(-1, ' ', false, json::error_handler_t::replace)},
            {"title", plain(title)},
            {"submit", plain(submit)},
            {"close", plain("Cancel")},
            {"blocks", std::move(blocks)}};
}

// "INC-7: checkout is down · P1 · investigating", the title cut to stay short.
std::string headline(const commands::incident& inc) {
    // Cut on a character boundary: half an emoji would show as U+FFFD.
    std::string title = templates::truncate_utf8(inc.title, 150);
    return inc.id() + ": " + title + " · " + inc.severity + " · " +
           std::string(commands::to_string(inc.status));
}

json multiline(int max_length) {
    return {{"type", "plain_text_input"}, {"multiline", true}, {"max_length", max_length}};
}

json errors_body(const json& errors) { return {{"response_action", "errors"}, {"errors", errors}}; }


// "7", "INC-7" or "inc-7": the incident a button was made for.
std::int64_t incident_number(std::string_view v) {
    if (v.size() > 4 && commands::iequals(v.substr(0, 4), "inc-")) v.remove_prefix(4);
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    return ec == std::errc() && end == v.data() + v.size() && n > 0 ? n : 0;
}

}  // namespace

bool is_incident_modal(const std::string& callback_id) {
    return callback_id == update_callback_id || callback_id == severity_callback_id || callback_id == role_callback_id;
}

json update_view(const commands::settings&, const commands::incident& inc, const std::string& channel) {
    json statuses = json::array();
    json current;
    for (auto s : open_statuses) {
        std::string name(commands::to_string(s));
        statuses.push_back(option(name, name));
        if (s == inc.status) current = statuses.back();
    }
    json status{{"type", "static_select"}, {"options", statuses}};
    if (!current.is_null()) status["initial_option"] = current;
    json blocks = json::array();
    blocks.push_back(modal::context_line(headline(inc)));
    blocks.push_back(input("status", "Status", status));
    blocks.push_back(input("text", "What is happening?", multiline(max_update), true));
    blocks.push_back(input("impact", "Impact", multiline(max_section), true));
    blocks.push_back(input("next", "Next steps", multiline(max_section), true));
    blocks.push_back(input("eta", "ETA", {{"type", "plain_text_input"}, {"max_length", 200},
                                          {"placeholder", plain("e.g. 30m, or 14:00 UTC")}}, true));
    return modal_view(update_callback_id, "Post an update", "Post", metadata(inc, channel), blocks);
}

json severity_view(const commands::settings& cfg, const commands::incident& inc, const std::string& channel) {
    json options = json::array();
    json current;
    for (const auto& s : cfg.severities) {
        options.push_back(option(s.name, s.name + " " + s.label + " (ack " + commands::format_duration(s.ack_within) +
                                             ", resolve " + commands::format_duration(s.resolve_within) + ")"));
        if (commands::iequals(s.name, inc.severity)) current = options.back();
    }
    json select{{"type", "static_select"}, {"options", options}};
    if (!current.is_null()) select["initial_option"] = current;
    json blocks = json::array();
    blocks.push_back(modal::context_line(headline(inc)));
    blocks.push_back(input("severity", "Severity", select));
    return modal_view(severity_callback_id, "Change severity", "Change", metadata(inc, channel), blocks);
}

json role_view(const commands::settings& cfg, const commands::incident& inc, const std::string& channel,
               const std::string& user) {
    json options = json::array();
    for (const auto& r : cfg.roles) {
        std::string holder = inc.role_holder(r.name);
        options.push_back(option(r.name, r.label + (holder.empty() ? "" : " (assigned)")));
    }
    json blocks = json::array();
    blocks.push_back(modal::context_line(headline(inc)));
    json role{{"type", "static_select"}, {"options", options}};
    if (!options.empty()) role["initial_option"] = options.front();
    blocks.push_back(input("role", "Role", role));
    json who{{"type", "users_select"}};
    if (!user.empty()) who["initial_user"] = user;
    blocks.push_back(input("user", "Who", who));
    return modal_view(role_callback_id, "Assign a role", "Assign", metadata(inc, channel), blocks);
}

std::variant<modal_submission, json> read_incident_submission(const json& payload, const commands::settings& cfg) {
    modal_submission out;
    out.user = modal::user_of(payload);
    std::string callback = modal::view_string(payload, "callback_id");
    out.view_id = modal::view_string(payload, "id");
    auto meta = json::parse(modal::view_string(payload, "private_metadata"), nullptr, false);
    if (meta.is_object() && meta.contains("incident") && meta["incident"].is_number_integer())
        out.incident = meta["incident"].get<std::int64_t>();
    if (out.incident <= 0)  // numbers start at 1: anything else was lost or forged
        return errors_body({{"status", "This form lost track of its incident; close it and press the button again."}});
    out.channel = string_at(meta, "channel");
    std::string id = "INC-" + std::to_string(out.incident);
    // The first input of each form takes an error that is about the whole form.
    const char* first = callback == update_callback_id ? "status" : callback == severity_callback_id ? "severity" : "role";
    if (out.user.empty()) return errors_body({{first, "Slack did not say who you are; please try again."}});

    if (callback == update_callback_id) {
        std::string status = text_value(field(payload, "status"));
        std::string text = commands::trim(text_value(field(payload, "text")));
        std::string impact = commands::trim(text_value(field(payload, "impact")));
        std::string next = commands::trim(text_value(field(payload, "next")));
        std::string eta = commands::trim(text_value(field(payload, "eta")));
        bool status_changed = !status.empty() && status != string_at(meta, "status");
        auto parsed = commands::parse_status(status);
        bool offered = parsed && std::find(open_statuses.begin(), open_statuses.end(), *parsed) != open_statuses.end();
        // `resolved` is reached through Resolve only, as with the typed command.
        if (!status.empty() && !offered) return errors_body({{"status", "Pick one of the statuses in the list."}});
        std::string update = text;
        for (const auto& [key, value] : {std::pair{"impact", &impact}, {"next", &next}, {"eta", &eta}})
            if (!value->empty()) update += (update.empty() ? "" : " ") + std::string(key) + ": " + *value;
        if (update.empty() && !status_changed)
            return errors_body({{"text", "Write what is happening, or pick a new status."}});
        if (status_changed) out.commands.push_back("status " + id + " " + status);
        if (!update.empty()) out.commands.push_back("update " + id + " " + update);
        return out;
    }
    if (callback == severity_callback_id) {
        std::string severity = text_value(field(payload, "severity"));
        const auto* sev = cfg.find_severity(severity);
        if (!sev) return errors_body({{"severity", "Pick one of the severities in the list."}});
        if (commands::iequals(sev->name, string_at(meta, "severity")))
            return errors_body({{"severity", id + " is already " + sev->name + "; pick another severity."}});
        out.commands.push_back("severity " + id + " " + sev->name);
        return out;
    }
    if (callback == role_callback_id) {
        std::string role = text_value(field(payload, "role"));
        std::string user = modal::selected_user(field(payload, "user"));
        const auto* def = cfg.find_role(role);
        if (!def) return errors_body({{"role", "Pick one of the roles in the list."}});
        if (user.empty()) return errors_body({{"user", "Pick the person who takes the role."}});
        out.commands.push_back(def->name + " " + id + " <@" + user + ">");
        return out;
    }
    return errors_body({{"status", "warroom does not know this form."}});
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
