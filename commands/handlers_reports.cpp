// Commands that read: show, list, timeline, stats, help, and the post-mortem draft.
#include "commands/handlers.hpp"

#include "commands/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>

namespace warroom::commands {

namespace {

decision answer(const context& ctx, std::string_view tpl, const nlohmann::json& data) {
    decision d;
    d.reply = ctx.render(tpl, data);
    return d;
}

nlohmann::json timeline_view(const context& ctx, std::int64_t number) {
    auto entries = nlohmann::json::array();
    for (const auto& e : ctx.store.timeline(number))
        entries.push_back({{"time", format_time(e.at)},
                           {"actor", e.actor.empty() ? std::string("warroom") : mention(e.actor)},
                           {"kind", e.kind},
                           {"text", e.text}});
    return entries;
}

std::string average(const std::vector<duration>& values) {
    if (values.empty()) return "–";
    duration::rep total = 0;
    for (auto v : values) total += v.count();
    return format_duration(duration(total / static_cast<duration::rep>(values.size())));
}

}  // namespace

decision handle_show(const context& ctx, const command_line& line) {
    auto t = find_target(ctx, line, 1, false);
    if (!t.inc) return fail(ctx, t.error);
    return answer(ctx, "show", incident_view(ctx, *t.inc));
}

decision handle_list(const context& ctx, const command_line& line) {
    bool all = iequals(line.word(1), "all");
    if (line.size() > 1 && !all) return fail(ctx, "Write it as `/incident list` or `/incident list all`.");
    auto incidents = ctx.store.list_open();
    if (all) {
        for (auto& inc : ctx.store.list_resolved_since(ctx.now - std::chrono::days(30)))
            incidents.push_back(std::move(inc));
    }
    std::stable_sort(incidents.begin(), incidents.end(), [&](const incident& a, const incident& b) {
        if (a.is_open() != b.is_open()) return a.is_open();
        return ctx.cfg.severity_rank(a.severity) < ctx.cfg.severity_rank(b.severity);
    });
    auto items = nlohmann::json::array();
    for (const auto& inc : incidents) items.push_back(incident_view(ctx, inc));
    return answer(ctx, "list", {{"incidents", items}, {"all", all}, {"count", std::to_string(items.size())}});
}

decision handle_timeline(const context& ctx, const command_line& line) {
    auto t = find_target(ctx, line, 1, false);
    if (!t.inc) return fail(ctx, t.error);
    auto view = incident_view(ctx, *t.inc);
    view["entries"] = timeline_view(ctx, t.inc->number);
    return answer(ctx, "timeline", view);
}

decision handle_postmortem(const context& ctx, const command_line& line) {
    auto t = find_target(ctx, line, 1, false);
    if (!t.inc) return fail(ctx, t.error);
    const incident& inc = *t.inc;
    const auto& sev = severity_of(ctx, inc);
    auto view = incident_view(ctx, inc);
    view["entries"] = timeline_view(ctx, inc.number);
    view["ack_target"] = format_duration(sev.ack_within);
    view["resolve_target"] = format_duration(sev.resolve_within);
    view["time_to_ack"] = inc.acked_at ? format_duration(*inc.acked_at - inc.declared_at) : "not acknowledged";
    view["ack_met"] = inc.acked_at && *inc.acked_at - inc.declared_at <= sev.ack_within;
    view["time_to_resolve"] = inc.resolved_at ? format_duration(*inc.resolved_at - inc.declared_at)
                                              : "still open after " + format_duration(ctx.now - inc.declared_at);
    view["resolve_met"] = inc.resolved_at && *inc.resolved_at - inc.declared_at <= sev.resolve_within;
    // The impact is the latest one any update stated.
    std::string impact;
    for (const auto& e : ctx.store.timeline(inc.number))
        if (e.kind == "update")
            if (auto s = parse_update(e.text); !s.impact.empty()) impact = s.impact;
    view["impact"] = impact.empty() ? nlohmann::json() : nlohmann::json(impact);
    decision d;
    post(d, inc, ctx.render("postmortem", view));
    d.reply = ctx.render("done", {{"message", "Post-mortem draft for " + inc.id() + " posted in " + channel_link(inc) + "."}});
    return d;
}

decision handle_stats(const context& ctx, const command_line& line) {
    duration period = std::chrono::days(30);
    if (line.size() > 1) {
        auto p = parse_duration(line.word(1));
        if (!p || p->count() <= 0) return fail(ctx, "Write it as `/incident stats [period]`, e.g. `/incident stats 30d`.");
        period = *p;
    }
    auto incidents = ctx.store.list_declared_since(ctx.now - period);
    auto rows = nlohmann::json::array();
    for (const auto& sev : ctx.cfg.severities) {
        std::vector<duration> ack, resolve;
        int count = 0, ack_met = 0, resolve_met = 0;
        for (const auto& inc : incidents) {
            if (!iequals(inc.severity, sev.name)) continue;
            ++count;
            if (inc.acked_at) {
                ack.push_back(*inc.acked_at - inc.declared_at);
                if (ack.back() <= sev.ack_within) ++ack_met;
            }
            if (inc.resolved_at) {
                resolve.push_back(*inc.resolved_at - inc.declared_at);
                if (resolve.back() <= sev.resolve_within) ++resolve_met;
            }
        }
        rows.push_back({{"severity", sev.name},
                        {"label", sev.label},
                        {"count", std::to_string(count)},
                        {"mtta", average(ack)},
                        {"mttr", average(resolve)},
                        {"ack_target", format_duration(sev.ack_within)},
                        {"resolve_target", format_duration(sev.resolve_within)},
                        {"ack_met", std::to_string(ack_met) + "/" + std::to_string(ack.size())},
                        {"resolve_met", std::to_string(resolve_met) + "/" + std::to_string(resolve.size())}});
    }
    return answer(ctx, "stats", {{"period", format_duration(period)}, {"rows", rows},
                                 {"total", std::to_string(incidents.size())}});
}

decision handle_help(const context& ctx, const command_line& line) {
    auto severities = nlohmann::json::array();
    for (const auto& s : ctx.cfg.severities) severities.push_back(s.name);
    auto roles = nlohmann::json::array();
    for (const auto& r : ctx.cfg.roles) {
        std::string names = r.name;
        for (const auto& a : r.aliases) names += " / " + a;
        roles.push_back({{"names", names}, {"label", r.label}});
    }
    std::string verb = line.verb();
    nlohmann::json data = {{"severities", severities}, {"roles", roles}};
    if (!verb.empty() && verb != "help") data["unknown"] = std::string(line.word(0));
    return answer(ctx, "help", data);
}

}  // namespace warroom::commands
