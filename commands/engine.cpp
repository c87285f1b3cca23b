// Dispatch: the command word to its handler, timers to the timer logic.
#include "commands/engine.hpp"

#include "commands/handlers.hpp"
#include "commands/text.hpp"

#include <array>
#include <utility>

namespace warroom::commands {

namespace {

constexpr std::array<std::pair<std::string_view, handler>, 19> registry{{
    {"declare", handle_declare},   {"new", handle_declare},       {"open", handle_declare},
    {"ack", handle_ack},           {"severity", handle_severity}, {"sev", handle_severity},
    {"status", handle_status},     {"update", handle_update},     {"note", handle_note},
    {"snooze", handle_snooze},     {"resolve", handle_resolve},   {"reopen", handle_reopen},
    {"show", handle_show},         {"list", handle_list},         {"timeline", handle_timeline},
    {"postmortem", handle_postmortem}, {"stats", handle_stats},   {"help", handle_help},
    {"", handle_help},
}};

}  // namespace

engine::engine(settings cfg, templates::renderer tpl) : cfg_(std::move(cfg)), tpl_(std::move(tpl)) {}

decision engine::handle(const request& req, incident_store& store, time_point now) const {
    context ctx{cfg_, tpl_, store, req, now};
    command_line line(req.text);
    std::string verb = line.verb();
    for (const auto& [name, fn] : registry)
        if (name == verb) return fn(ctx, line);
    // Role names and aliases come from the config, so they are looked up there.
    if (cfg_.find_role(verb)) return handle_role(ctx, line);
    // Anything else gets the usage, saying which word was not understood.
    decision d = handle_help(ctx, line);
    d.ok = false;
    return d;
}

decision engine::fire(std::int64_t number, timer_kind kind, incident_store& store, time_point now) const {
    request none;
    context ctx{cfg_, tpl_, store, none, now};
    auto inc = store.find(number);
    if (!inc) return {};
    return fire_timer(ctx, std::move(*inc), kind);
}

}  // namespace warroom::commands
