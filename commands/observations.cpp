// What warroom learns from Slack events rather than commands: messages
// pinned to the timeline by a reaction, people joining, and the App Home.
#include "commands/engine.hpp"

#include "commands/handlers.hpp"
#include "commands/text.hpp"
#include "templates/slack_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace warroom::commands {

namespace {

constexpr std::size_t max_pinned_text = 2000;

decision nothing() {
    decision d;
    d.ok = false;
    return d;
}

decision record(const context& ctx, const observation& seen, const incident& inc) {
    decision d;
    if (seen.what == observation::kind::member_joined) {
        note_timeline(d, ctx, inc, "joined", mention(seen.user) + " joined the channel", seen.user);
        return d;
    }
    // The same message pinned twice (two people, or a re-added reaction) is one entry.
    std::string key = seen.permalink.empty() ? seen.message_ts : seen.permalink;
    if (key.empty()) return nothing();
    for (const auto& e : ctx.store.timeline(inc.number))
        if (e.kind == "pinned" && e.text.ends_with(key)) return nothing();
    // One line on the timeline, however many the message had.
    std::string text = sanitize(seen.text, false);
    if (text.size() > max_pinned_text) text = templates::truncate_utf8(text, max_pinned_text);
    std::string by = seen.author.empty() ? std::string("a message") : mention(seen.author);
    note_timeline(d, ctx, inc, "pinned", by + ": " + text + " · " + key, seen.user);
    return d;
}

}  // namespace

decision engine::observe(const observation& seen, incident_store& store, time_point now) const {
    request none{seen.user, seen.channel, ""};
    context ctx{cfg_, tpl_, store, none, now};
    auto inc = store.find_by_channel(seen.channel);
    if (!inc || seen.channel.empty()) return nothing();
    decision d = record(ctx, seen, *inc);
    follow_summary(d, ctx, *inc);
    return d;
}

message engine::home(incident_store& store, time_point now, const std::string& viewer) const {
    request none{viewer, "", ""};
    context ctx{cfg_, tpl_, store, none, now};
    auto open = store.list_open();
    std::erase_if(open, [&](const incident& inc) { return !can_see(ctx, inc); });
    std::stable_sort(open.begin(), open.end(), [&](const incident& a, const incident& b) {
        return cfg_.severity_rank(a.severity) < cfg_.severity_rank(b.severity);
    });
    auto groups = nlohmann::json::array();
    for (const auto& sev : cfg_.severities) {
        auto items = nlohmann::json::array();
        for (const auto& inc : open)
            if (iequals(inc.severity, sev.name)) items.push_back(incident_view(ctx, inc));
        if (!items.empty())
            groups.push_back({{"severity", sev.name}, {"label", sev.label}, {"incidents", items}});
    }
    nlohmann::json data = {{"groups", groups}, {"count", std::to_string(open.size())}, {"updated", format_time(now)}};
    if (!viewer.empty()) data["mine"] = home_followups(ctx, viewer);
    return ctx.render("app_home", data);
}

}  // namespace warroom::commands
