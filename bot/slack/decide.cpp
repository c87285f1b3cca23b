#include "bot/slack/decide.hpp"

#include "bot/slack/declare_modal.hpp"
#include "bot/slack/followup_modal.hpp"
#include "bot/slack/block_kit.hpp"
#include "bot/slack/block_kit_views.hpp"
#include "commands/parser.hpp"

namespace warroom::slack {

using json = nlohmann::json;

namespace {

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

plan press(const bot::button_press& b) {
    answer_to clicker{b.user, b.channel, b.response_url};
    if (b.incident == 0) return {"", "button", tell{clicker, {"That button names no incident warroom knows.", ""}}};
    if (!b.which) return {"", "button", {}};  // warroom_ but unknown: a message older or newer than this warroom
    std::string id = "INC-" + std::to_string(b.incident);
    // Slack sends a click once; the trigger_id still keys it, so a replayed payload does nothing twice.
    std::string once = b.trigger_id.empty() ? "" : "action:" + b.trigger_id;
    switch (*b.which) {
        case commands::button::publish: {
            std::string publish = "public " + id + " publish";
            return {"", "button", run_requests{{{b.user, b.channel, publish, once}}, clicker}};
        }
        case commands::button::ack:
        case commands::button::resolve: {
            std::string verb = *b.which == commands::button::ack ? "ack " : "resolve ";
            return {"", "button", run_requests{{{b.user, b.channel, verb + id, once}}, clicker}};
        }
        case commands::button::join: return {"", "button", join_channel{b.incident, clicker}};
        case commands::button::update:
        case commands::button::severity:
        case commands::button::role:
        case commands::button::public_update: return {"", "button", open_incident_form{b}};
        case commands::button::followup:
            return {"", "button", open_followup_form{b.trigger_id, b.incident, "", clicker}};
    }
    return {"", "button", {}};
}

plan submit(const view_submission& v, const commands::settings& cfg) {
    if (parse_view_id(v.callback_id) == view_id::declare) {
        auto read = bot::read_declare_submission(v.payload, cfg);
        // Slack shows these under the fields; the modal stays open.
        if (auto* errors = std::get_if<json>(&read)) return {dump(*errors), "invalid_form", {}};
        auto form = std::get<bot::declare_form>(std::move(read));
        // One request: the declaration with its commander and description, in one transaction.
        commands::request declare{form.user, form.channel, form.command(),
                                  form.view_id.empty() ? "" : "view:" + form.view_id, form.commander,
                                  form.description};
        for (const auto& c : form.components) declare.impacts.emplace_back(c, form.impact);
        // From the shortcut there is no channel: the announcement says it all.
        return {"", "ok", run_requests{{std::move(declare)}, {form.user, form.channel, ""}}};
    }
    if (parse_view_id(v.callback_id) == view_id::followup) {
        auto read = bot::read_followup_submission(v.payload);
        if (auto* errors = std::get_if<json>(&read)) return {dump(*errors), "invalid_form", {}};
        auto form = std::get<bot::followup_form>(std::move(read));
        // One request, keyed by the view: a double submit adds one follow-up.
        commands::request add{form.user, form.channel, form.command(),
                              form.view_id.empty() ? "" : "view:" + form.view_id};
        return {"", "ok", run_requests{{std::move(add)}, {form.user, form.channel, ""}}};
    }
    if (bot::is_incident_modal(v.callback_id)) {
        auto read = bot::read_incident_submission(v.payload, cfg);
        if (auto* errors = std::get_if<json>(&read)) return {dump(*errors), "invalid_form", {}};
        auto sub = std::get<bot::modal_submission>(std::move(read));
        // A double submit carries the same view id: its commands run once.
        std::string once = sub.view_id.empty() ? "" : "view:" + sub.view_id;
        run_requests run{{}, {sub.user, sub.channel, ""}};
        for (std::size_t i = 0; i < sub.commands.size(); ++i)
            run.requests.push_back({sub.user, sub.channel, sub.commands[i],
                                    once.empty() ? "" : once + (i ? ":" + std::to_string(i) : "")});
        return {"", "ok", std::move(run)};
    }
    return {"", "ignored", {}};
}

plan command(const slash_command& cmd) {
    commands::command_line line(cmd.text);
    if (!cmd.trigger_id.empty() && line.size() == 1 && commands::is_declare_verb(line.verb())) {
        // Acknowledged now, the form opened after: a Slack that hangs on
        // views.open must not hold the answer past Slack's 3 s.
        return {command_answer({"Opening the form to declare an incident…", ""}), "modal",
                open_declare_form{cmd.trigger_id, cmd.channel_id, {cmd.user_id, cmd.channel_id, cmd.response_url}}};
    }
    // Slack resends a slash command on a double submit: the trigger_id says it is the same one.
    std::string once = cmd.trigger_id.empty() ? "" : "trigger:" + cmd.trigger_id;
    commands::request req{cmd.user_id, cmd.channel_id, cmd.text, std::move(once)};
    return {"", "ok", run_requests{{std::move(req)}, {cmd.user_id, cmd.channel_id, cmd.response_url}}};
}

std::string text_at(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

plan event(const event_callback& cb, const commands::settings& cfg) {
    const json& e = cb.event;
    if (cb.type == "reaction_added") {
        if (text_at(e, "reaction") != cfg.timeline_reaction) return {"", "ignored", {}};
        auto item = e.find("item");
        if (item == e.end() || !item->is_object() || text_at(*item, "type") != "message") return {"", "ignored", {}};
        commands::observation seen;
        seen.what = commands::observation::kind::pinned_message;
        seen.user = text_at(e, "user");
        seen.channel = text_at(*item, "channel");
        seen.message_ts = text_at(*item, "ts");
        if (seen.channel.empty() || seen.message_ts.empty()) return {"", "ignored", {}};
        return {"", "ok", record_observation{std::move(seen)}};
    }
    if (cb.type == "member_joined_channel") {
        commands::observation seen;
        seen.what = commands::observation::kind::member_joined;
        seen.user = text_at(e, "user");
        seen.channel = text_at(e, "channel");
        if (seen.user.empty() || seen.channel.empty()) return {"", "ignored", {}};
        return {"", "ok", record_observation{std::move(seen)}};
    }
    if (cb.type == "app_home_opened") {
        // The Messages and About tabs show nothing of warroom's.
        if (text_at(e, "tab") != "home" || text_at(e, "user").empty()) return {"", "ignored", {}};
        return {"", "ok", publish_home{text_at(e, "user")}};
    }
    return {"", "ignored", {}};
}

}  // namespace

plan decide(const inbound& in, const commands::settings& cfg) {
    if (auto* b = std::get_if<button_click>(&in)) {
        // Buttons of other apps' messages: nothing of ours to do.
        if (!b->press.action_id.starts_with("warroom_")) return {"", "ignored", {}};
        return press(b->press);
    }
    if (auto* v = std::get_if<view_submission>(&in)) return submit(*v, cfg);
    if (auto* s = std::get_if<shortcut>(&in)) {
        if (parse_view_id(s->callback_id) != view_id::declare) return {"", "ignored", {}};
        // A shortcut has no channel and no response_url to answer in: the log is all there is.
        return {"", "shortcut", open_declare_form{s->trigger_id, "", {s->user, "", ""}}};
    }
    if (auto* m = std::get_if<message_shortcut>(&in)) {
        if (parse_view_id(m->callback_id) != view_id::followup) return {"", "ignored", {}};
        return {"", "shortcut",
                open_followup_form{m->trigger_id, 0, m->message_text, {m->user, m->channel, m->response_url}}};
    }
    if (auto* c = std::get_if<slash_command>(&in)) return command(*c);
    if (auto* cb = std::get_if<event_callback>(&in)) return event(*cb, cfg);
    if (auto* check = std::get_if<url_verification>(&in)) return {dump(json{{"challenge", check->challenge}}), "ok", {}};
    if (std::holds_alternative<invalid_request>(in)) return {"", "bad_request", {}};
    return {"", "ignored", {}};
}

}  // namespace warroom::slack
