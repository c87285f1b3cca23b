// Dispatch: the command word to its handler, timers to the timer logic.
#include "commands/engine.hpp"

#include "commands/handlers.hpp"
#include "commands/text.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <utility>

namespace warroom::commands {

namespace {

constexpr std::array<std::pair<std::string_view, handler>, 24> registry{{
    {"declare", handle_declare},   {"new", handle_declare},       {"open", handle_declare},
    {"ack", handle_ack},           {"severity", handle_severity}, {"sev", handle_severity},
    {"status", handle_status},     {"update", handle_update},     {"note", handle_note},
    {"snooze", handle_snooze},     {"resolve", handle_resolve},   {"reopen", handle_reopen},
    {"show", handle_show},         {"list", handle_list},         {"timeline", handle_timeline},
    {"postmortem", handle_postmortem}, {"stats", handle_stats},   {"help", handle_help},
    {"", handle_help},
    {"followup", handle_followup}, {"action", handle_followup}, {"followups", handle_followups},
    {"handoff", handle_handoff},   {"page", handle_page},
}};

}  // namespace

bool is_declare_verb(std::string_view word) {
    auto verb = to_lower(word);
    for (const auto& [name, fn] : registry)
        if (fn == handle_declare && !name.empty() && name == verb) return true;
    return false;
}

engine::engine(settings cfg, templates::renderer tpl) : cfg_(std::move(cfg)), tpl_(std::move(tpl)) {}

namespace {

decision dispatch(const context& ctx, const command_line& line) {
    std::string verb = line.verb();
    for (const auto& [name, fn] : registry)
        if (name == verb) return fn(ctx, line);
    // Role names and aliases come from the config, so they are looked up there.
    if (ctx.cfg.find_role(verb)) return handle_role(ctx, line);
    // Anything else gets the usage, saying which word was not understood.
    decision d = handle_help(ctx, line);
    d.ok = false;
    return d;
}

}  // namespace

decision engine::handle(const request& req, incident_store& store, time_point now) const {
    // Cleaned once here, so every title, update and note is stored and posted clean,
    // whichever transport (command, button, form) it came through.
    request clean = req;
    clean.text = sanitize(req.text, true);
    clean.description = sanitize(req.description, true);
    context ctx{cfg_, tpl_, store, clean, now};
    command_line line(clean.text);
    decision d = dispatch(ctx, line);
    // The pinned summary follows whatever the command changed, here for every command.
    if (d.ok && d.save && !d.is_new)
        if (auto before = store.find(d.save->number)) follow_summary(d, ctx, *before);
    if (d.ok) skip_archived_channels(d, store);
    return d;
}

decision engine::fire(std::int64_t number, timer_kind kind, incident_store& store, time_point now) const {
    request none;
    context ctx{cfg_, tpl_, store, none, now};
    auto inc = store.find(number);
    if (!inc) return {};
    decision d;
    if (kind == timer_kind::followup) {
        d = fire_followups(ctx, *inc);
    } else {
        d = kind == timer_kind::archive ? fire_archive(ctx, *inc) : fire_timer(ctx, *inc, kind);
        follow_summary(d, ctx, *inc);
    }
    skip_archived_channels(d, store);
    return d;
}

decision engine::digest(incident_store& store, time_point now) const {
    request none;
    context ctx{cfg_, tpl_, store, none, now};
    return followup_digest(ctx);
}

std::optional<time_point> engine::next_digest(time_point now) const {
    if (cfg_.followup_digest_channel.empty()) return std::nullopt;
    return next_weekly(cfg_.hours, cfg_.followup_digest_at, now);
}

decision engine::join(std::int64_t number, const std::string& user, incident_store& store, time_point now) const {
    request caller{user, "", ""};
    context ctx{cfg_, tpl_, store, caller, now};
    auto inc = store.find(number);
    if (!inc) return fail(ctx, "There is no INC-" + std::to_string(number) + ".");
    // Only its members let others into a private incident (they invite them in Slack).
    if (!can_see(ctx, *inc)) return fail(ctx, private_refusal(*inc));
    // Role holders and the declarer are invited too: Slack's already_in_channel is harmless.
    // The member_joined_channel event puts the join on the timeline.
    decision d;
    invite(d, *inc, user);
    d.reply = ctx.render("done", {{"message", "Adding you to " + channel_link(*inc) + " (" + inc->id() +
                                                  (inc->is_open() ? "" : ", resolved") + ")."}});
    return d;
}

}  // namespace warroom::commands
