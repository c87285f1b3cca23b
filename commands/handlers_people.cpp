// Role assignment: commander, tech lead, comms lead, scribe, ops lead and
// whatever roles the config adds.
#include "commands/handlers.hpp"

#include "commands/text.hpp"

#include <nlohmann/json.hpp>

namespace warroom::commands {

decision handle_role(const context& ctx, const command_line& line) {
    const role_def* role = ctx.cfg.find_role(line.verb());
    auto t = find_target(ctx, line, 1, false);
    if (!t.inc) return fail(ctx, t.error);
    auto word = line.word(t.next);
    auto user = parse_user(word, ctx.req.user);
    if (!user)
        return fail(ctx, (word.empty() ? "Who should be " + role->label + "?" : "`" + std::string(word) + "` is not a person.") +
                             " Write it as " + usage(ctx, line.verb()) + ".");
    if (line.size() > t.next + 1) return refuse_extra(ctx, line, t.next + 1);
    incident inc = std::move(*t.inc);
    if (inc.role_holder(role->name) == *user)
        return fail(ctx, mention(*user) + " is already " + role->label + " for " + inc.id() + ".");
    decision d;
    assign_role(d, ctx, inc, *role, *user);
    d.reply = ctx.render("done", {{"message", mention(*user) + " is now " + role->label + " for " + inc.id() + "."}});
    d.save = std::move(inc);
    return d;
}

}  // namespace warroom::commands
