// Paging: which [[pagers]] targets an incident wakes and when. Pure like the
// rest of the engine: it records each target's page state on the incident
// and orders pages (decision::pages); bot/ turns them into vendor requests.
//   declared at a severity with page_on_declare → its targets are triggered;
//   a missed acknowledgement (the ack timer)   → the severity's targets;
//   a severity raised into a page_on_declare one → the new targets;
//   `/incident page [INC-n] <target|@user>`    → by hand;
//   acknowledged in warroom → acknowledge; resolved → resolve; reopened → trigger again.
// An incident type's own targets (security's on-call) join its severity's.
#include "commands/handlers.hpp"

#include "commands/paging.hpp"
#include "commands/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace warroom::commands {

std::vector<std::string> pagers_for(const context& ctx, const incident& inc, const severity_def& sev) {
    std::vector<std::string> out = sev.pagers;
    if (const auto* type = inc.type.empty() ? nullptr : ctx.cfg.find_type(inc.type))
        for (const auto& p : type->pagers)
            if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
    return out;
}

namespace {

void order_page(decision& d, const incident& inc, const std::string& target, page_action action,
                const std::string& actor, std::string reason) {
    d.pages.push_back({inc.number, target, action, actor, std::move(reason)});
}

std::string join_names(const std::vector<std::string>& names) {
    std::string out;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (i) out += i + 1 == names.size() ? " and " : ", ";
        out += names[i];
    }
    return out;
}

}  // namespace

std::vector<std::string> trigger_pages(decision& d, const context& ctx, incident& inc,
                                       const std::vector<std::string>& targets, const std::string& actor,
                                       const std::string& reason) {
    (void)ctx;
    std::vector<std::string> paged;
    for (const auto& target : targets) {
        auto* p = inc.page_of(target);
        // Already waking someone (or answered): a second trigger would change nothing at the vendor.
        if (p && p->status != page_status::resolved) continue;
        if (!p) {
            inc.pages.push_back({target, page_status::triggered, ctx.now, actor, ctx.now, actor, ""});
        } else {
            *p = {target, page_status::triggered, ctx.now, actor, ctx.now, actor, ""};
        }
        order_page(d, inc, target, page_action::trigger, actor, reason);
        paged.push_back(target);
    }
    return paged;
}

void settle_pages(decision& d, incident& inc, page_status to, const std::string& actor, time_point now) {
    for (auto& p : inc.pages) {
        bool applies = to == page_status::acknowledged ? p.status == page_status::triggered
                                                       : p.status != page_status::resolved;
        if (!applies) continue;
        p.status = to;
        p.changed_at = now;
        p.changed_by = actor;
        p.via.clear();
        order_page(d, inc, p.target, to == page_status::acknowledged ? page_action::acknowledge : page_action::resolve,
                   actor, to == page_status::acknowledged ? "acknowledged" : "resolved");
    }
}

void retrigger_pages(decision& d, const context& ctx, incident& inc, const std::string& actor) {
    for (auto& p : inc.pages) {
        if (p.status != page_status::resolved) continue;
        p = {p.target, page_status::triggered, ctx.now, actor, ctx.now, actor, ""};
        order_page(d, inc, p.target, page_action::trigger, actor, "reopened");
    }
}

void announce_pages(decision& d, const context& ctx, const incident& inc, const std::vector<std::string>& paged,
                    const std::string& actor, const std::string& reason) {
    if (paged.empty()) return;
    auto view = incident_view(ctx, inc);
    view["actor"] = actor.empty() ? nlohmann::json() : nlohmann::json(mention(actor));
    view["paged"] = join_names(paged);
    view["reason"] = reason.empty() ? nlohmann::json() : nlohmann::json(reason);
    post(d, inc, ctx.render("paged", view));
    note_timeline(d, ctx, inc, "page", "Paged " + join_names(paged) + (reason.empty() ? "" : " (" + reason + ")"), actor);
}

std::string paged_line(const incident& inc) {
    std::string out;
    for (const auto& p : inc.pages) {
        if (!out.empty()) out += " · ";
        out += p.target + " (" + std::string(to_string(p.status));
        if (p.status != page_status::triggered) {
            if (!p.via.empty()) out += " in " + p.via;
            if (!p.changed_by.empty())
                out += " by " + (p.via.empty() ? mention(p.changed_by) : p.changed_by);
        }
        out += ")";
    }
    return out;
}

std::vector<std::string> triggered_now(const decision& d) {
    std::vector<std::string> out;
    for (const auto& p : d.pages)
        if (p.action == page_action::trigger) out.push_back(p.target);
    return out;
}

namespace {

bool configured(const context& ctx, std::string_view name) {
    for (const auto& sev : ctx.cfg.severities)
        if (std::find(sev.pagers.begin(), sev.pagers.end(), name) != sev.pagers.end()) return true;
    for (const auto& t : ctx.cfg.incident_types)
        if (std::find(t.pagers.begin(), t.pagers.end(), name) != t.pagers.end()) return true;
    return std::find(ctx.cfg.pager_names.begin(), ctx.cfg.pager_names.end(), name) != ctx.cfg.pager_names.end();
}

}  // namespace

// `/incident page [INC-n] <target|@user>`.
decision handle_page(const context& ctx, const command_line& line) {
    auto t = find_target(ctx, line, 1, true);
    if (!t.inc) return fail(ctx, t.error);
    if (!t.inc->is_open())
        return fail(ctx, t.inc->id() + " is resolved. `/incident reopen " + t.inc->id() + "` first if it is back.");
    if (!can_see(ctx, *t.inc)) return fail(ctx, private_refusal(*t.inc));
    auto word = std::string(line.word(t.next));
    std::string names;
    for (const auto& n : ctx.cfg.pager_names) names += (names.empty() ? "" : ", ") + std::string("`") + n + "`";
    const std::string how = "Write it as " + usage(ctx, "page") + " with a pager (" +
                            (names.empty() ? std::string("none are configured") : names) + ") or an @person.";
    if (word.empty()) return fail(ctx, "Whom should I page? " + how);
    if (line.size() > t.next + 1) return refuse_extra(ctx, line, t.next + 1);
    incident inc = std::move(*t.inc);
    decision d;
    if (auto user = parse_user(word, ctx.req.user)) {
        // A person: what a team does by hand. They are invited, mentioned in
        // the channel (a notification on every device) and told in a direct
        // message with a link, which reaches them even outside the channel.
        invite(d, inc, *user);
        auto view = incident_view(ctx, inc);
        view["actor"] = mention(ctx.req.user);
        view["paged"] = mention(*user);
        view["reason"] = nlohmann::json();
        post(d, inc, ctx.render("paged", view));
        direct_message(d, inc, *user,
                       ctx.render("done", {{"message", ":pager: " + mention(ctx.req.user) + " needs you on *" + inc.id() +
                                                           "* (" + inc.severity + "): " + inc.title + " · " +
                                                           channel_link(inc)}}));
        note_timeline(d, ctx, inc, "page", "Paged " + mention(*user), ctx.req.user);
        d.reply = ctx.render("done", {{"message", "Paged " + mention(*user) + " for " + inc.id() +
                                                      ": invited, mentioned in the channel and sent a direct message."}});
        d.save = std::move(inc);
        return d;
    }
    std::string target = to_lower(word);
    if (!configured(ctx, target)) return fail(ctx, "Unknown pager `" + word + "`. " + how);
    if (const auto* p = inc.page_of(target); p && p->status != page_status::resolved)
        return fail(ctx, target + " is already paged for " + inc.id() + " (" + std::string(to_string(p->status)) +
                             " since " + format_time(p->changed_at) + " UTC).");
    auto paged = trigger_pages(d, ctx, inc, {target}, ctx.req.user, "paged by hand");
    announce_pages(d, ctx, inc, paged, ctx.req.user, "");
    d.reply = ctx.render("done", {{"message", "Paged " + target + " for " + inc.id() + "."}});
    d.save = std::move(inc);
    return d;
}

decision engine::page_answered(const page_answer& answer, incident_store& store, time_point now) const {
    request nobody{"", "", ""};
    context ctx{cfg_, tpl_, store, nobody, now};
    auto found = store.find(answer.incident);
    if (!found) return fail(ctx, "There is no INC-" + std::to_string(answer.incident) + ".");
    incident inc = std::move(*found);
    const incident before = inc;
    decision d;
    const page_status to = answer.resolved ? page_status::resolved : page_status::acknowledged;
    std::vector<std::string> changed;
    for (auto& p : inc.pages) {
        if (!answer.target.empty() && p.target != answer.target) continue;
        // Never backwards: a late acknowledgement does not reopen a resolved page.
        if (p.status == page_status::resolved || p.status == to) continue;
        p.status = to;
        p.changed_at = now;
        p.changed_by = answer.by;
        p.via = answer.vendor;
        changed.push_back(p.target);
    }
    if (changed.empty()) {
        d.ok = false;  // already known (the vendor retried, or warroom sent it): nothing changes
        return d;
    }
    std::string state = answer.resolved ? "resolved" : "acknowledged";
    note_timeline(d, ctx, inc, "page",
                  "Page to " + join_names(changed) + " " + state + " in " + answer.vendor +
                      (answer.by.empty() ? "" : " by " + answer.by), "");
    auto view = incident_view(ctx, inc);
    view["target"] = join_names(changed);
    view["state"] = state;
    view["via"] = answer.vendor;
    view["by"] = answer.by.empty() ? nlohmann::json() : nlohmann::json(answer.by);
    post(d, inc, ctx.render("page_answered", view));
    // Someone answered the page: the incident is acknowledged, without an
    // acknowledge sent back to the vendor (it knows). The other targets'
    // pages stop ringing, as they would after an acknowledgement in warroom.
    if (!inc.acked_at && inc.is_open()) {
        if (!answer.resolved) settle_pages(d, inc, page_status::acknowledged, "", now);
        inc.acked_at = now;
        inc.acked_by = "";
        inc.due.ack.reset();
        note_timeline(d, ctx, inc, "ack",
                      "Acknowledged in " + answer.vendor + (answer.by.empty() ? "" : " by " + answer.by) + " after " +
                          format_duration(now - inc.declared_at),
                      "");
    }
    d.save = std::move(inc);
    follow_summary(d, ctx, before);
    skip_archived_channels(d, store);
    return d;
}

}  // namespace warroom::commands
