// Handoff: the caller leaves the incident to someone else, roles and open
// follow-ups with them, so nothing they held is left without an owner.
#include "commands/handlers.hpp"

#include "commands/text.hpp"

#include <nlohmann/json.hpp>

#include <vector>

namespace warroom::commands {

namespace {

const std::string handoff_usage = "`/incident handoff [INC-n] <person>` (an @mention)";

}  // namespace

decision handle_handoff(const context& ctx, const command_line& line) {
    auto t = find_target(ctx, line, 1, false);
    if (!t.inc) return fail(ctx, t.error);
    auto word = line.word(t.next);
    auto to = parse_user(word, ctx.req.user);
    if (!to)
        return fail(ctx, (word.empty() ? std::string("Hand off to whom?") : "`" + std::string(word) + "` is not a person.") +
                             " Write it as " + handoff_usage + ".");
    if (line.size() > t.next + 1) return refuse_extra(ctx, line, t.next + 1);
    if (*to == ctx.req.user) return fail(ctx, "You cannot hand " + t.inc->id() + " off to yourself. Name someone else.");

    incident inc = std::move(*t.inc);
    std::vector<const role_def*> roles;
    for (const auto& [name, user] : inc.roles)
        if (user == ctx.req.user)
            if (const auto* role = ctx.cfg.find_role(name)) roles.push_back(role);
    std::vector<followup> moved;
    std::vector<followup> theirs;  // open follow-ups the new person now owns, moved or already theirs
    for (auto& f : ctx.store.followups_of(inc.number)) {
        if (!f.is_open()) continue;
        if (f.owner == ctx.req.user) {
            f.owner = *to;
            moved.push_back(f);
        }
        if (f.owner == *to) theirs.push_back(std::move(f));
    }
    if (roles.empty() && moved.empty())
        return fail(ctx, "You hold no role in " + inc.id() + " and own none of its open follow-ups: there is nothing to hand off.");

    decision d;
    // Each role as a role command would give it (invite, checklist, topic);
    // the handoff is one timeline entry of its own besides.
    std::string role_names;
    for (const auto* role : roles) {
        assign_role(d, ctx, inc, *role, *to);
        role_names += (role_names.empty() ? "" : ", ") + role->label;
    }
    if (roles.empty() && *to != inc.declared_by && !holds_role(inc, *to)) invite(d, inc, *to);
    std::string owned;
    for (const auto& f : theirs)
        owned += "\n• " + f.ref() + " " + f.text + (f.due ? " (due " + format_day_short(*f.due) + ")" : "");

    std::string what = mention(ctx.req.user) + " handed " + inc.id() + " off to " + mention(*to);
    std::string gave;
    if (!role_names.empty()) gave = role_names;
    if (!moved.empty())
        gave += (gave.empty() ? "" : " and ") + std::to_string(moved.size()) + " open follow-up" + (moved.size() == 1 ? "" : "s");
    post(d, inc, ctx.render("done", {{"message", ":handshake: " + what + ": " + gave + "." +
                                                     (owned.empty() ? std::string()
                                                                    : "\n" + mention(*to) + " now owns:" + owned)}}));
    note_timeline(d, ctx, inc, "handoff", "Handed off to " + mention(*to) + ": " + gave, ctx.req.user);
    for (auto& f : moved) d.followups.push_back(std::move(f));
    d.reply = ctx.render("done", {{"message", "Handed " + inc.id() + " off to " + mention(*to) + ": " + gave + "."}});
    d.save = std::move(inc);
    return d;
}

}  // namespace warroom::commands
