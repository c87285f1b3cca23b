// The engine: a request (or a timer firing), the stored state and the time
// in; a decision out. It never touches a socket, a clock or the database.
#pragma once

#include "commands/decision.hpp"
#include "commands/settings.hpp"
#include "commands/store.hpp"
#include "templates/renderer.hpp"

#include <string>

namespace warroom::commands {

// An `/incident` command as any transport delivers it.
struct request {
    std::string user;     // Slack user ID of the caller
    std::string channel;  // channel ID (or name) the command was typed in
    std::string text;     // the command's text, without "/incident"
    // A transport's key for "the same request again" (a slash command's
    // trigger_id); a key seen before is answered without doing anything twice.
    std::string once_key = {};
};

class engine {
public:
    engine(settings cfg, templates::renderer tpl);

    decision handle(const request& req, incident_store& store, time_point now) const;
    // A stored deadline came due. Stale firings (the deadline moved or the
    // timer was disarmed) decide nothing.
    decision fire(std::int64_t incident, timer_kind kind, incident_store& store, time_point now) const;

    const settings& config() const { return cfg_; }
    const templates::renderer& templates() const { return tpl_; }

private:
    settings cfg_;
    templates::renderer tpl_;
};

}  // namespace warroom::commands
