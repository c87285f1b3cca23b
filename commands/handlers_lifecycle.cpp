// Commands that move an incident through its life: declare to reopen.
#include "commands/handlers.hpp"
#include "commands/paging.hpp"

#include "commands/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <set>
#include <vector>

namespace warroom::commands {

namespace {

constexpr auto duplicate_window = std::chrono::minutes(30);
constexpr std::size_t max_title = 500;
constexpr std::size_t max_text = 3000;

// Finds the target and refuses resolved incidents for commands that only
// make sense while one is open.
target open_target(const context& ctx, const command_line& line, bool text_follows) {
    auto t = find_target(ctx, line, 1, text_follows);
    if (t.inc && !t.inc->is_open())
        t.error = t.inc->id() + " is resolved. `/incident reopen " + t.inc->id() + "` first if it is back.";
    return t;
}

nlohmann::json change_view(const context& ctx, const incident& inc) {
    auto v = incident_view(ctx, inc);
    v["actor"] = mention(ctx.req.user);
    return v;
}

// A note in the incident's channel and on its timeline: `note`, and the
// declare form's description.
void add_note(decision& d, const context& ctx, const incident& inc, const std::string& text) {
    auto view = change_view(ctx, inc);
    view["text"] = text;
    post(d, inc, ctx.render("note", view));
    note_timeline(d, ctx, inc, "note", text, ctx.req.user);
}

std::string too_long(std::string_view what, std::size_t max) {
    return std::string(what) + " is too long (at most " + std::to_string(max) + " characters).";
}

// With resolve_requires_role: who may resolve instead of the caller.
std::string who_resolves(const incident& inc) {
    std::string out = "Only someone holding a role in " + inc.id() +
                      " can resolve it: this warroom's config sets `resolve_requires_role`. ";
    if (auto commander = inc.role_holder("commander"); !commander.empty())
        return out + "Ask its commander, " + mention(commander) + ".";
    std::string holders;
    for (const auto& [role, user] : inc.roles)
        if (!user.empty() && holders.find(mention(user)) == std::string::npos)
            holders += (holders.empty() ? "" : ", ") + mention(user);
    if (!holders.empty()) return out + "Ask one of " + holders + ".";
    return out + "Nobody holds one yet: name a commander first (`/incident commander " + inc.id() + " me`, or an @mention for someone else).";
}

// The words of a title that say what is affected, lowercased, a plural's
// "s" dropped: what two declarations of one problem have in common. Words
// that fit any incident ("down", "the", "error") are left out.
std::set<std::string> significant_words(std::string_view title) {
    static const std::set<std::string, std::less<>> filler{
        "a", "an", "the", "is", "are", "was", "were", "be", "been", "of", "in", "on", "at", "to", "for", "from",
        "by", "with", "and", "or", "but", "not", "no", "it", "its", "this", "that", "as", "after", "very", "some",
        "all", "again", "still", "now", "down", "up", "slow", "issue", "problem", "error", "fail", "failing",
        "failed", "failure", "broken", "outage", "incident", "degraded", "working", "high", "low"};
    std::set<std::string> out;
    std::string word;
    auto flush = [&] {
        if (word.size() > 3 && word.back() == 's' && word[word.size() - 2] != 's') word.pop_back();
        if (word.size() >= 2 && !filler.count(word)) out.insert(word);
        word.clear();
    };
    for (char c : visible_text(title)) {
        auto u = static_cast<unsigned char>(c);
        // Bytes of non-ASCII letters belong to their word, so 支払い is one.
        if (u >= 128 || std::isalnum(u)) word += static_cast<char>(std::tolower(u));
        else flush();
    }
    flush();
    return out;
}

}  // namespace

decision handle_declare(const context& ctx, const command_line& line) {
    static const std::string usage = "Write it as `/incident declare [private] [severity] [type:<name>] <title>`, e.g. "
                                     "`/incident declare P1 checkout is down`.";
    // Severity, type and `private` may come in any order, each at most once, before the title.
    std::size_t i = 1;
    const severity_def* sev = nullptr;
    const incident_type_def* type = nullptr;
    bool is_private = false;
    for (; i < 4 && i < line.size(); ++i) {
        auto w = line.word(i);
        if (!sev && (sev = ctx.cfg.find_severity(w))) continue;
        if (!is_private && iequals(w, "private")) {
            is_private = true;
            continue;
        }
        if (type || w.size() <= 5 || !iequals(w.substr(0, 5), "type:")) break;
        type = ctx.cfg.find_type(w.substr(5));
        if (!type) {
            std::string known;
            for (const auto& t : ctx.cfg.incident_types) known += (known.empty() ? "" : ", ") + t.name;
            return fail(ctx, "Unknown incident type `" + std::string(w.substr(5)) + "`. Known types: " + known + ".");
        }
    }
    if (!sev) sev = &ctx.cfg.least_severe();
    std::string title = sanitize(line.rest(i), false);  // a title is one line
    if (title.empty()) return fail(ctx, "An incident needs a title. " + usage);
    if (char_count(title) > max_title) return fail(ctx, too_long("The title", max_title));

    decision d;
    d.is_new = true;
    incident inc;
    inc.number = ctx.store.next_number();
    inc.title = title;
    inc.severity = sev->name;
    inc.type = type ? type->name : "";
    inc.is_private = is_private || (type && type->is_private);
    inc.declared_by = ctx.req.user;
    inc.declared_in = ctx.req.channel;
    inc.declared_at = ctx.now;
    inc.channel_name = channel_name(ctx.cfg.channel_prefix, ctx.now, title, inc.number);
    for (int n = 2; ctx.store.channel_name_taken(inc.channel_name); ++n)
        inc.channel_name = channel_name_variant(channel_name(ctx.cfg.channel_prefix, ctx.now, title, inc.number), n);
    arm_timers(inc, *sev, ctx.now);
    arm_public_clock(ctx, inc, ctx.now);
    // From the declare form: checked before anything is decided, so a refusal declares nothing.
    const role_def* commander = ctx.req.caller_commands ? ctx.cfg.find_role("commander") : nullptr;
    const std::string& description = ctx.req.description;
    if (char_count(description) > max_text) return fail(ctx, too_long("The description", max_text));
    // Held before the summary and the announcement are rendered, so they name the commander.
    if (commander) inc.roles[commander->name] = inc.declared_by;
    // Named, not a structured binding: clang 14 (the fuzz build) refuses a lambda capturing one.
    for (const auto& entry : ctx.req.impacts) {
        const auto& component = entry.first;
        const auto& impact = entry.second;
        auto known = std::find_if(ctx.cfg.public_components.begin(), ctx.cfg.public_components.end(),
                                  [&](const std::string& c) { return iequals(c, component); });
        auto level = parse_component_impact(impact);
        if (known == ctx.cfg.public_components.end()) return fail(ctx, "There is no status-page component `" + component + "`.");
        if (!level) return fail(ctx, "`" + impact + "` is not an impact: degraded, partial_outage, major_outage or maintenance.");
        inc.impacts[*known] = *level;
    }

    action create;
    create.kind = action_kind::create_channel;
    create.incident = inc.number;
    create.users.push_back(inc.declared_by);
    d.actions.push_back(std::move(create));
    if (!commander) set_topic(d, ctx, inc);  // else assign_role sets it, once

    // Paged before the summary and the announcement are rendered, so they say who.
    std::vector<std::string> paged;
    if (sev->page_on_declare) paged = trigger_pages(d, ctx, inc, pagers_for(ctx, inc, *sev), ctx.req.user, "declared");
    auto view = change_view(ctx, inc);
    std::string paged_names;
    for (const auto& p : paged) paged_names += (paged_names.empty() ? "" : ", ") + p;
    if (!paged_names.empty()) view["paged_now"] = paged_names;
    post(d, inc, summary_message(ctx, inc), true);
    if (type) {
        auto rb = view;
        rb["checklist"] = type->checklist;
        post(d, inc, ctx.render("runbook", rb));
    }
    if (inc.is_private) {
        // Nobody outside is told what it is about: who to ask, nothing more.
        tell_escalation_privately(d, ctx, inc, private_notice(ctx, inc));
    } else {
        auto announcement = announce_message(ctx, inc, view);
        post_to(d, inc, ctx.cfg.announce_channel, announcement);
        for (const auto& ch : sev->notify_channels)
            if (ch != ctx.cfg.announce_channel) post_to(d, inc, ch, announcement);
    }
    note_timeline(d, ctx, inc, "declared", "Declared " + sev->name + ": " + title, ctx.req.user);
    if (!paged.empty()) note_timeline(d, ctx, inc, "page", "Paged " + paged_names + " (declared " + sev->name + ")", "");
    // What `commander INC-n me` and `note INC-n <description>` would have added, in that order.
    if (commander) assign_role(d, ctx, inc, *commander, inc.declared_by);
    if (!description.empty()) add_note(d, ctx, inc, description);
    for (const auto& [component, level] : inc.impacts)
        note_timeline(d, ctx, inc, "impact", component + ": " + impact_words(level), ctx.req.user);

    // Only incidents that look like this one, the likeliest first: a list of
    // everything recent is a wall nobody reads. The candidates are bounded so
    // that a declaration storm does not make each declare slower.
    constexpr std::size_t shown = 3;
    constexpr std::size_t candidates = 50;
    auto words = significant_words(inc.title);
    // The sort moves these, not the incidents (a stable sort of whole
    // incidents cost more than reading them).
    struct similar {
        const incident* inc;
        std::size_t shared;
        bool same_type;
    };
    const auto recent = ctx.store.recent_open(ctx.now - duplicate_window, candidates);
    std::vector<similar> found;
    for (const auto& other : recent) {
        if (!can_see(ctx, other)) continue;  // a private incident's title is for its members
        auto theirs = significant_words(other.title);
        std::size_t shared = static_cast<std::size_t>(
            std::count_if(words.begin(), words.end(), [&](const std::string& w) { return theirs.count(w) > 0; }));
        bool same_type = !inc.type.empty() && other.type == inc.type;
        if (shared > 0 || same_type) found.push_back({&other, shared, same_type});
    }
    // Newest first among equals: recent_open gives them in that order.
    std::stable_sort(found.begin(), found.end(), [](const similar& a, const similar& b) {
        return a.shared != b.shared ? a.shared > b.shared : a.same_type > b.same_type;
    });
    auto duplicates = nlohmann::json::array();
    for (std::size_t i = 0; i < found.size() && i < shown; ++i)
        duplicates.push_back({{"id", found[i].inc->id()}, {"title", found[i].inc->title},
                              {"severity", found[i].inc->severity}, {"channel", channel_link(*found[i].inc)}});
    view["duplicates"] = duplicates;
    view["more_duplicates"] = found.size() > shown;
    view["has_duplicates"] = !duplicates.empty();
    d.reply = ctx.render("declare_reply", view);
    d.save = std::move(inc);
    return d;
}

decision handle_ack(const context& ctx, const command_line& line) {
    auto t = open_target(ctx, line, false);
    if (!t.error.empty()) return fail(ctx, t.error);
    if (line.size() > t.next) return refuse_extra(ctx, line, t.next);
    incident inc = std::move(*t.inc);
    if (inc.acked_at)
        return fail(ctx, inc.id() + " was already acknowledged by " + acknowledger(inc) + " at " +
                             format_time(*inc.acked_at) + " UTC.");
    decision d;
    inc.acked_at = ctx.now;
    inc.acked_by = ctx.req.user;
    inc.due.ack.reset();
    settle_pages(d, inc, page_status::acknowledged, ctx.req.user, ctx.now);
    auto view = change_view(ctx, inc);
    view["elapsed"] = format_duration(ctx.now - inc.declared_at);
    view["target"] = format_duration(severity_of(ctx, inc).ack_within);
    post(d, inc, ctx.render("acked", view));
    note_timeline(d, ctx, inc, "ack", "Acknowledged after " + format_duration(ctx.now - inc.declared_at), ctx.req.user);
    if (inc.role_holder("commander").empty())
        if (const auto* commander = ctx.cfg.find_role("commander"))
            assign_role(d, ctx, inc, *commander, ctx.req.user);
    d.reply = ctx.render("done", {{"message", "Acknowledged " + inc.id() + "."}});
    d.save = std::move(inc);
    return d;
}

decision handle_severity(const context& ctx, const command_line& line) {
    auto t = open_target(ctx, line, false);
    if (!t.error.empty()) return fail(ctx, t.error);
    std::string known;
    for (const auto& s : ctx.cfg.severities) known += (known.empty() ? "" : ", ") + s.name;
    auto word = line.word(t.next);
    const auto* sev = ctx.cfg.find_severity(word);
    if (!sev)
        return fail(ctx, (word.empty() ? std::string("Which severity?") : "Unknown severity `" + std::string(word) + "`.") +
                             " Write it as `/incident severity [INC-n] <" + known + ">`.");
    if (line.size() > t.next + 1) return refuse_extra(ctx, line, t.next + 1);
    incident inc = std::move(*t.inc);
    if (iequals(inc.severity, sev->name)) return fail(ctx, inc.id() + " is already " + sev->name + ".");

    decision d;
    std::string from = inc.severity;
    bool upgrade = ctx.cfg.severity_rank(sev->name) < ctx.cfg.severity_rank(from);
    inc.severity = sev->name;
    auto old_resolve = inc.due.resolve;
    arm_timers(inc, *sev, ctx.now);
    // Counted from the declaration: a P2 raised to P1 after 20 minutes is overdue for customers at once.
    arm_public_clock(ctx, inc, inc.declared_at);
    // The resolution target stays measured from the declaration, as the
    // post-mortem and stats measure it: an upgrade can only bring it closer.
    // A target already past is escalated at once, unless the escalation
    // channel was already told this incident is past its target.
    time_point anchored = inc.declared_at + sev->resolve_within;
    if (upgrade && old_resolve) anchored = std::min(anchored, *old_resolve);
    bool escalated = false;
    if (anchored <= ctx.now)
        for (const auto& e : ctx.store.timeline(inc.number))
            escalated = escalated || (e.kind == "escalation" && e.text.starts_with(resolve_escalation_text));
    inc.due.resolve = escalated ? std::nullopt : std::optional(anchored);
    auto view = change_view(ctx, inc);
    view["from"] = from;
    view["upgrade"] = upgrade;
    // Only the clocks that run: an acknowledged incident has no acknowledgement clock.
    std::string rearmed;
    if (inc.due.ack) rearmed = "acknowledge within " + format_duration(sev->ack_within);
    if (sev->update_every)
        rearmed += (rearmed.empty() ? "" : " and ") + std::string("post an update every ") + format_duration(*sev->update_every);
    view["rearmed"] = rearmed.empty() ? nlohmann::json() : nlohmann::json(rearmed);
    time_point target = inc.due.resolve.value_or(anchored);
    view["resolve_target"] = format_duration(target - inc.declared_at);
    view["resolve_due"] = target > ctx.now ? "due in " + format_duration(target - ctx.now) + " (" + format_time(target) + " UTC)"
                                           : "missed by " + format_duration(ctx.now - target);
    post(d, inc, ctx.render("severity_changed", view));
    if (upgrade) {
        auto notice = ctx.render("severity_raised", view);
        post_to(d, inc, ctx.cfg.announce_channel, notice);
        for (const auto& ch : sev->notify_channels)
            if (ch != ctx.cfg.announce_channel) post_to(d, inc, ch, notice);
    }
    set_topic(d, ctx, inc);
    note_timeline(d, ctx, inc, "severity", "Severity " + from + " → " + sev->name, ctx.req.user);
    // The targets already paged hear of the change (webhooks); then, raised
    // into a severity that pages when declared, its targets are paged as if declared so.
    notify_pages(d, inc, ctx.req.user, "severity changed", {{"from", from}, {"to", sev->name}});
    if (upgrade && sev->page_on_declare) {
        auto paged = trigger_pages(d, ctx, inc, pagers_for(ctx, inc, *sev), ctx.req.user, "severity raised");
        announce_pages(d, ctx, inc, paged, ctx.req.user, "severity raised to " + sev->name);
    }
    d.reply = ctx.render("done", {{"message", inc.id() + " is now " + sev->name + "."}});
    d.save = std::move(inc);
    return d;
}

decision handle_status(const context& ctx, const command_line& line) {
    auto t = open_target(ctx, line, false);
    if (!t.error.empty()) return fail(ctx, t.error);
    const std::string usage_line = "Write it as " + usage(ctx, "status") + ".";
    auto word = line.word(t.next);
    auto status = parse_status(word);
    if (status == incident_status::resolved) return fail(ctx, "Use `/incident resolve` to resolve an incident.");
    if (!status) return fail(ctx, (word.empty() ? std::string("Which status?") : "Unknown status `" + std::string(word) + "`.") + " " + usage_line);
    if (line.size() > t.next + 1) return refuse_extra(ctx, line, t.next + 1);
    incident inc = std::move(*t.inc);
    if (inc.status == *status) return fail(ctx, inc.id() + " is already " + std::string(to_string(*status)) + ".");
    decision d;
    std::string from(to_string(inc.status));
    inc.status = *status;
    auto view = change_view(ctx, inc);
    view["from"] = from;
    post(d, inc, ctx.render("status_changed", view));
    set_topic(d, ctx, inc);
    note_timeline(d, ctx, inc, "status", "Status " + from + " → " + std::string(to_string(*status)), ctx.req.user);
    d.reply = ctx.render("done", {{"message", inc.id() + " is now " + std::string(to_string(*status)) + "."}});
    d.save = std::move(inc);
    return d;
}

decision handle_update(const context& ctx, const command_line& line) {
    auto t = open_target(ctx, line, true);
    if (!t.error.empty()) return fail(ctx, t.error);
    std::string text = line.rest(t.next);
    if (text.empty())
        return fail(ctx, "An update needs text. Write it as `/incident update [INC-n] <text>`, optionally with "
                         "`impact: … actions: … next: … eta: …`.");
    if (char_count(text) > max_text) return fail(ctx, too_long("The update", max_text));
    incident inc = std::move(*t.inc);
    const auto& sev = severity_of(ctx, inc);
    auto sections = parse_update(text);
    decision d;
    inc.last_update = text;
    inc.last_update_at = ctx.now;
    restart_update_clock(inc, sev, ctx.now);
    auto view = change_view(ctx, inc);
    view["text"] = sections.text;
    view["impact"] = sections.impact.empty() ? nlohmann::json() : nlohmann::json(sections.impact);
    view["actions"] = sections.actions.empty() ? nlohmann::json() : nlohmann::json(sections.actions);
    view["next"] = sections.next.empty() ? nlohmann::json() : nlohmann::json(sections.next);
    view["eta"] = sections.eta.empty() ? nlohmann::json() : nlohmann::json(sections.eta);
    view["time"] = format_time(ctx.now);
    post(d, inc, ctx.render("update", view));
    note_timeline(d, ctx, inc, "update", text, ctx.req.user);
    notify_pages(d, inc, ctx.req.user, "update posted", {{"text", text}});
    d.reply = ctx.render("done", {{"message", "Update posted to " + inc.id() + "."}});
    d.save = std::move(inc);
    return d;
}

decision handle_note(const context& ctx, const command_line& line) {
    auto t = find_target(ctx, line, 1, true);
    if (!t.inc) return fail(ctx, t.error);
    std::string text = line.rest(t.next);
    if (text.empty()) return fail(ctx, "A note needs text. Write it as `/incident note [INC-n] <text>`.");
    if (char_count(text) > max_text) return fail(ctx, too_long("The note", max_text));
    decision d;
    add_note(d, ctx, *t.inc, text);
    d.reply = ctx.render("done", {{"message", "Noted on " + t.inc->id() + "'s timeline."}});
    return d;
}

decision handle_snooze(const context& ctx, const command_line& line) {
    auto t = open_target(ctx, line, false);
    if (!t.error.empty()) return fail(ctx, t.error);
    incident inc = std::move(*t.inc);
    const auto& sev = severity_of(ctx, inc);
    if (!sev.update_every) return fail(ctx, inc.id() + " is " + sev.name + ", which has no update reminders to snooze.");
    auto word = line.word(t.next);
    decision d;
    auto view = change_view(ctx, inc);
    if (iequals(word, "off") && line.size() > t.next + 1) return refuse_extra(ctx, line, t.next + 1);
    if (iequals(word, "off")) {
        if (!inc.snoozed) return fail(ctx, inc.id() + "'s update reminders are not snoozed.");
        inc.snoozed = false;
        inc.due.update = std::max(ctx.now, inc.update_clock_from + *sev.update_every);
        view = change_view(ctx, inc);
        post(d, inc, ctx.render("snooze_off", view));
        note_timeline(d, ctx, inc, "snooze", "Snooze cancelled", ctx.req.user);
    } else {
        // The whole rest is the duration, so "1h 30m" is one.
        auto length = parse_duration(line.rest(t.next));
        if (!length || length->count() <= 0)
            return fail(ctx, "Write it as `/incident snooze [INC-n] <duration>` (like `30m` or `2h`), or `snooze off`.");
        if (*length > sev.resolve_within)
            return fail(ctx, "A snooze of " + format_duration(*length) + " is longer than " + sev.name +
                                 "'s resolution target (" + format_duration(sev.resolve_within) + ").");
        inc.snoozed = true;
        inc.due.update = ctx.now + *length;
        view = change_view(ctx, inc);
        view["duration"] = format_duration(*length);
        post(d, inc, ctx.render("snoozed", view));
        note_timeline(d, ctx, inc, "snooze", "Update reminders snoozed for " + format_duration(*length), ctx.req.user);
    }
    d.reply = ctx.render("done", {{"message", "Next update reminder for " + inc.id() + ": " +
                                                  view["next_update_due"].get<std::string>() + "."}});
    d.save = std::move(inc);
    return d;
}

decision handle_resolve(const context& ctx, const command_line& line) {
    auto t = open_target(ctx, line, true);
    if (!t.error.empty()) return fail(ctx, t.error);
    if (ctx.cfg.resolve_requires_role && !holds_role(*t.inc, ctx.req.user)) return fail(ctx, who_resolves(*t.inc));
    std::string summary = line.rest(t.next);
    if (char_count(summary) > max_text) return fail(ctx, too_long("The summary", max_text));
    incident inc = std::move(*t.inc);
    const auto& sev = severity_of(ctx, inc);
    decision d;
    inc.status = incident_status::resolved;
    inc.resolved_at = ctx.now;
    inc.resolution = summary;
    inc.due = {};
    inc.snoozed = false;
    if (sev.postmortem) {
        inc.due.postmortem_draft = ctx.now + std::chrono::hours(24);
        inc.due.postmortem_review = ctx.now + std::chrono::hours(48);
    }
    inc.due.archive = archive_due(sev, ctx.now);
    remind_public_resolution(ctx, d, inc);
    settle_pages(d, inc, page_status::resolved, ctx.req.user, ctx.now);
    auto view = change_view(ctx, inc);
    view["duration"] = format_duration(ctx.now - inc.declared_at);
    view["postmortem"] = sev.postmortem;
    auto msg = with_buttons(ctx.render("resolved", view), resolved_buttons(inc));
    post(d, inc, msg);
    post_to(d, inc, ctx.cfg.announce_channel, ctx.render("resolved_announce", view));
    set_topic(d, ctx, inc);
    note_timeline(d, ctx, inc, "resolved",
                  "Resolved after " + format_duration(ctx.now - inc.declared_at) + (summary.empty() ? "" : ": " + summary),
                  ctx.req.user);
    d.reply = ctx.render("done", {{"message", inc.id() + " resolved after " + format_duration(ctx.now - inc.declared_at) + "."}});
    d.save = std::move(inc);
    return d;
}

decision handle_reopen(const context& ctx, const command_line& line) {
    auto t = find_target(ctx, line, 1, false);
    if (!t.inc) return fail(ctx, t.error);
    if (line.size() > t.next) return refuse_extra(ctx, line, t.next);
    incident inc = std::move(*t.inc);
    if (inc.is_open()) return fail(ctx, inc.id() + " is not resolved.");
    decision d;
    if (inc.archived) {
        // First of all its actions: nothing can be posted in an archived channel.
        action a;
        a.kind = action_kind::unarchive_channel;
        a.incident = inc.number;
        d.actions.push_back(std::move(a));
        inc.archived = false;
        note_timeline(d, ctx, inc, "unarchived", "Channel unarchived", ctx.req.user);
    }
    inc.due.archive.reset();
    inc.status = incident_status::investigating;
    inc.resolved_at.reset();
    inc.resolution.clear();
    arm_timers(inc, severity_of(ctx, inc), ctx.now);
    arm_public_clock(ctx, inc, ctx.now, /*reopened=*/true);
    retrigger_pages(d, ctx, inc, ctx.req.user);
    auto view = change_view(ctx, inc);
    post(d, inc, ctx.render("reopened", view));
    post_to(d, inc, ctx.cfg.announce_channel, ctx.render("reopened", view));
    set_topic(d, ctx, inc);
    note_timeline(d, ctx, inc, "reopened", "Reopened", ctx.req.user);
    if (auto again = triggered_now(d); !again.empty()) {
        std::string names;
        for (const auto& p : again) names += (names.empty() ? "" : ", ") + p;
        note_timeline(d, ctx, inc, "page", "Paged " + names + " again (reopened)", ctx.req.user);
    }
    d.reply = ctx.render("done", {{"message", inc.id() + " reopened."}});
    d.save = std::move(inc);
    return d;
}

}  // namespace warroom::commands
