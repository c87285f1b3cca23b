// The response clock: arming deadlines and deciding what a due one says.
#include "commands/handlers.hpp"
#include "commands/paging.hpp"

#include "commands/text.hpp"

#include <nlohmann/json.hpp>

#include <chrono>

namespace warroom::commands {

using std::chrono::hours;

void restart_update_clock(incident& inc, const severity_def& sev, time_point from) {
    inc.update_clock_from = from;
    inc.snoozed = false;
    inc.due.update = sev.update_every ? std::optional(from + *sev.update_every) : std::nullopt;
}

void arm_timers(incident& inc, const severity_def& sev, time_point from) {
    inc.due.ack = inc.acked_at ? std::nullopt : std::optional(from + sev.ack_within);
    restart_update_clock(inc, sev, from);
    inc.due.resolve = from + sev.resolve_within;
    inc.due.postmortem_draft.reset();
    inc.due.postmortem_review.reset();
}

namespace {

// Who a reminder names: the comms lead, else the commander, else the declarer.
std::string update_owner(const incident& inc) {
    for (const char* role : {"comms-lead", "commander"})
        if (auto holder = inc.role_holder(role); !holder.empty()) return holder;
    return inc.declared_by;
}

std::string page_mentions(const severity_def& sev) {
    std::string out;
    for (const auto& id : sev.page) {
        if (!out.empty()) out += ' ';
        // User groups are pinged with the subteam syntax, people with a mention.
        out += (!id.empty() && id[0] == 'S') ? "<!subteam^" + id + ">" : "<@" + id + ">";
    }
    return out;
}

}  // namespace

decision fire_timer(const context& ctx, incident inc, timer_kind kind) {
    decision d;
    auto& due = inc.due.at(kind);
    if (!due || *due > ctx.now) return d;  // moved or disarmed since it was read: nothing to say

    const auto& sev = severity_of(ctx, inc);
    if (!sev.page_outside_hours && !in_working_hours(ctx.cfg.hours, ctx.now)) {
        due = next_working_time(ctx.cfg.hours, ctx.now);
        d.save = std::move(inc);
        return d;
    }

    auto view = incident_view(ctx, inc);
    view["elapsed"] = format_duration(ctx.now - inc.declared_at);
    switch (kind) {
        case timer_kind::ack: {
            view["target"] = format_duration(sev.ack_within);
            view["page"] = page_mentions(sev);
            post(d, inc, with_buttons(ctx.render("ack_overdue", view), ack_buttons(inc)));
            // The people paged can acknowledge right where they are paged.
            post_to(d, inc, ctx.cfg.escalation_channel, with_buttons(ctx.render("ack_escalation", view), ack_buttons(inc)));
            if (inc.is_private)  // post_to kept the escalation in the channel: the escalation channel hears of it without details
                tell_escalation_privately(d, ctx, inc, "A private " + sev.name + " incident, " + inc.id() +
                                                           ", is not acknowledged after " + format_duration(ctx.now - inc.declared_at) +
                                                           ". Ask " + mention(inc.declared_by) + " to add you.");
            note_timeline(d, ctx, inc, "escalation", "Not acknowledged after " + format_duration(ctx.now - inc.declared_at) +
                                                         "; escalated to " + channel_link(ctx.cfg.escalation_channel), "");
            // Slack's mention wakes nobody at 3 a.m.: the pagers do.
            auto paged = trigger_pages(d, ctx, inc, pagers_for(ctx, inc, sev), "", "not acknowledged");
            announce_pages(d, ctx, inc, paged, "", "not acknowledged after " + format_duration(ctx.now - inc.declared_at));
            // Counted from now, so a deadline missed while warroom was down fires once.
            due = ctx.now + sev.ack_within;
            break;
        }
        case timer_kind::update: {
            time_point last = inc.last_update_at.value_or(inc.declared_at);
            view["who"] = mention(update_owner(inc));
            view["since"] = format_duration(ctx.now - last);
            view["has_update"] = inc.last_update_at.has_value();
            post(d, inc, with_buttons(ctx.render("update_reminder", view), reminder_buttons(inc)));
            inc.snoozed = false;
            due = sev.update_every ? std::optional(ctx.now + *sev.update_every) : std::nullopt;
            break;
        }
        case timer_kind::resolve: {
            view["target"] = format_duration(sev.resolve_within);
            post_to(d, inc, ctx.cfg.escalation_channel, ctx.render("resolve_overdue", view));
            if (inc.is_private)
                tell_escalation_privately(d, ctx, inc, "A private " + sev.name + " incident, " + inc.id() +
                                                           ", is open past its " + format_duration(sev.resolve_within) +
                                                           " resolution target. Ask " + mention(inc.declared_by) + " to add you.");
            note_timeline(d, ctx, inc, "escalation", std::string(resolve_escalation_text) + format_duration(sev.resolve_within) +
                                                         " resolution target", "");
            due.reset();
            break;
        }
        case timer_kind::postmortem_draft:
        case timer_kind::postmortem_review: {
            view["who"] = mention(inc.role_holder("commander").empty() ? inc.declared_by : inc.role_holder("commander"));
            post(d, inc, ctx.render(kind == timer_kind::postmortem_draft ? "postmortem_draft_reminder"
                                                                          : "postmortem_review_reminder",
                                    view));
            due.reset();
            break;
        }
        case timer_kind::followup: break;  // never armed on the incident: engine::fire hands it to fire_followups
        case timer_kind::archive: break;   // engine::fire hands it to fire_archive
    }
    d.save = std::move(inc);
    return d;
}

}  // namespace warroom::commands
