// Channel housekeeping: a resolved incident's channel is archived after its
// severity's archive_after, unless work in it is about to come due.
#include "commands/handlers.hpp"

#include "commands/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <map>

namespace warroom::commands {

namespace {

// How long a wait for a follow-up due soon lasts before the next try: the
// follow-up's reminder (the start of its due day's working hours) comes first.
constexpr auto retry_after = std::chrono::days(1);

}  // namespace

std::optional<time_point> archive_due(const severity_def& sev, time_point resolved) {
    if (!sev.archive_after) return std::nullopt;
    return resolved + *sev.archive_after;
}

decision fire_archive(const context& ctx, incident inc) {
    decision d;
    auto& due = inc.due.archive;
    if (!due || *due > ctx.now || inc.is_open() || inc.archived) return d;

    // An owner reminded about a follow-up due tomorrow is sent to this
    // channel: it stays open while one is due today or tomorrow. Not for an
    // overdue one: a forgotten follow-up would keep the channel open forever.
    day today = local_day(ctx.cfg.hours, ctx.now);
    day horizon = local_day(ctx.cfg.hours, ctx.now + std::chrono::days(1));
    std::string soon;
    for (const auto& f : ctx.store.followups_of(inc.number))
        if (f.is_open() && f.due && *f.due >= today && *f.due <= horizon)
            soon += (soon.empty() ? "" : ", ") + f.ref() + " (" + mention(f.owner) + ", due " + format_day_short(*f.due) + ")";
    if (!soon.empty()) {
        due = ctx.now + retry_after;
        post(d, inc, ctx.render("done", {{"message", ":file_cabinet: Not archiving this channel yet: " + soon +
                                                         " is due within a day and still open. Trying again " +
                                                         format_time(*due) + " UTC."}}));
        note_timeline(d, ctx, inc, "archive", "Archive postponed: " + soon + " due within a day", "");
        d.save = std::move(inc);
        return d;
    }

    std::string resolved_for = inc.resolved_at ? format_duration(ctx.now - *inc.resolved_at) : std::string("a while");
    post(d, inc, ctx.render("done", {{"message", ":file_cabinet: This channel is archived after " + resolved_for +
                                                     " resolved; `/incident reopen " + inc.id() + "` unarchives it."}}));
    action a;
    a.kind = action_kind::archive_channel;
    a.incident = inc.number;
    d.actions.push_back(std::move(a));
    note_timeline(d, ctx, inc, "archived", "Channel archived after " + resolved_for + " resolved", "");
    inc.archived = true;
    due.reset();
    d.save = std::move(inc);
    return d;
}

void skip_archived_channels(decision& d, incident_store& store) {
    std::map<std::int64_t, bool> archived;  // as of the action being looked at
    auto in_own_channel = [](const action& a) {
        return a.kind == action_kind::invite || a.kind == action_kind::set_topic ||
               a.kind == action_kind::update_summary || (a.kind == action_kind::post && a.channel.empty());
    };
    std::vector<int> moved_to(d.actions.size(), -1);  // thread_of is an index into the list
    std::vector<action> kept;
    for (std::size_t i = 0; i < d.actions.size(); ++i) {
        auto& a = d.actions[i];
        std::int64_t n = a.incident ? a.incident : (d.save ? d.save->number : 0);
        bool opens_or_closes = a.kind == action_kind::archive_channel || a.kind == action_kind::unarchive_channel;
        if (n != 0 && (opens_or_closes || in_own_channel(a))) {
            auto it = archived.find(n);
            if (it == archived.end()) {
                auto stored = store.find(n);
                it = archived.emplace(n, stored && stored->archived).first;
            }
            if (a.kind == action_kind::archive_channel) it->second = true;
            else if (a.kind == action_kind::unarchive_channel) it->second = false;
            else if (it->second) continue;
        }
        moved_to[i] = static_cast<int>(kept.size());
        kept.push_back(std::move(a));
    }
    for (auto& a : kept)
        if (a.thread_of >= 0)
            a.thread_of = static_cast<std::size_t>(a.thread_of) < moved_to.size() ? moved_to[static_cast<std::size_t>(a.thread_of)] : -1;
    d.actions = std::move(kept);
}

std::string archived_refusal(const incident& inc, std::string_view instead) {
    return inc.id() + "'s channel is archived, so nothing can be posted there. `/incident reopen " + inc.id() +
           "` unarchives it; " + std::string(instead) + ".";
}

}  // namespace warroom::commands
