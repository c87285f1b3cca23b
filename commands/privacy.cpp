// Private incidents: who may see one, and what the rest of the workspace is told.
#include "commands/handlers.hpp"

#include "commands/text.hpp"

#include <nlohmann/json.hpp>

namespace warroom::commands {

// Slack knows the channel's members; the engine does not ask it (it decides
// without I/O). It counts the people it knows were brought in: the declarer
// (the channel is created with them), whoever holds a role or owns one of its
// follow-ups (both are invited), whoever is named by a role or handoff on the
// timeline, and whoever acted on the incident or joined its channel (only a
// member can, once it is private). Someone added by hand in Slack counts once
// they join (member_joined_channel) or type a command in the channel.
bool is_member(const context& ctx, const incident& inc, const std::string& user) {
    if (user.empty()) return false;
    if (user == inc.declared_by || user == inc.acked_by || holds_role(inc, user)) return true;
    for (const auto& f : ctx.store.followups_of(inc.number))
        if (f.owner == user) return true;
    std::string named = mention(user);
    for (const auto& e : ctx.store.timeline(inc.number))
        if (e.actor == user || ((e.kind == "role" || e.kind == "handoff") && e.text.find(named) != std::string::npos))
            return true;
    return false;
}

bool can_see(const context& ctx, const incident& inc) {
    if (!inc.is_private) return true;
    // Typed in the incident's own channel: only its members can.
    const auto& here = ctx.req.channel;
    if (!here.empty() && (here == inc.channel_id || here == inc.channel_name)) return true;
    return is_member(ctx, inc, ctx.req.user);
}

std::string private_refusal(const incident& inc) {
    return inc.id() + " is private: only the people in its channel can see or change it. Ask " +
           mention(inc.declared_by) + " to add you.";
}

void tell_escalation_privately(decision& d, const context& ctx, const incident& inc, std::string text) {
    if (text.empty() || ctx.cfg.escalation_channel.empty()) return;
    action a;
    a.kind = action_kind::post;
    a.incident = inc.number;
    a.channel = ctx.cfg.escalation_channel;
    a.body = ctx.render("done", {{"message", std::move(text)}});
    // Not through post_to, which keeps every message of a private incident in its channel.
    d.actions.push_back(std::move(a));
}

std::string private_notice(const context& ctx, const incident& inc) {
    std::string out = ctx.cfg.private_notice;
    auto fill = [&](std::string_view key, const std::string& value) {
        for (auto at = out.find(key); at != std::string::npos; at = out.find(key, at + value.size()))
            out.replace(at, key.size(), value);
    };
    fill("{id}", inc.id());
    fill("{severity}", inc.severity);
    fill("{declarer}", mention(inc.declared_by));
    return out;
}

}  // namespace warroom::commands
