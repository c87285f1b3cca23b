// Commands that read: show, list, timeline, stats, help, and the post-mortem draft.
#include "commands/handlers.hpp"

#include "commands/text.hpp"
#include "templates/renderer.hpp"
#include "templates/slack_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <string_view>
#include <vector>

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

// The largest k in [0, n] for which fits(k) holds, fits being monotone (more
// items, more text). Every answer is an entry or more long: a message cannot
// hold more items than it has characters, which bounds the search.
template <typename F>
std::size_t most_that_fit(std::size_t n, F fits) {
    std::size_t lo = 0, hi = std::min(n, templates::max_blocks_text_chars / 8);
    if (fits(n)) return n;
    while (lo < hi) {
        std::size_t mid = lo + (hi - lo + 1) / 2;
        if (fits(mid)) lo = mid;
        else hi = mid - 1;
    }
    return lo;
}

// An answer showing as many of n items as one message holds: render(k) is the
// text with k of them (and its own word on how many were left out). Each try
// is rendered and packed once, and the largest that fit is the answer as it
// was tried: when all n fit (the usual case), that is one render and one pack.
template <typename F>
decision answer_with_most(std::size_t n, F render) {
    decision d;
    std::size_t best = n + 1;  // the k whose message d.reply holds; none yet
    auto shown = most_that_fit(n, [&](std::size_t k) {
        auto text = render(k);
        auto blocks = templates::whole_blocks(text);
        if (!blocks) return false;
        if (best > n || k > best) {
            d.reply = {std::move(text), std::move(*blocks)};
            best = k;
        }
        return true;
    });
    if (best != shown) {
        // Not even the header fits (or 0 was never tried): cut to Slack's limits.
        auto text = templates::fit_text(render(shown));
        d.reply = {text, templates::blocks_for(text)};
    }
    return d;
}

nlohmann::json slice(const nlohmann::json& items, std::size_t from, std::size_t to) {
    auto out = nlohmann::json::array();
    for (std::size_t i = from; i < to; ++i) out.push_back(items[i]);
    return out;
}

// Splits text too long for one message into parts that each fit, at line
// ends, before a "## " heading when the part is well filled. A line longer
// than a part (a note full of escaped characters) is split on a character boundary.
std::vector<std::string> split_parts(std::string_view text, std::size_t budget) {
    std::vector<std::string> parts;
    std::string part;
    std::size_t used = 0;
    auto close = [&] {
        while (!part.empty() && part.back() == '\n') part.pop_back();
        if (!part.empty()) parts.push_back(std::move(part));
        part.clear();
        used = 0;
    };
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto eol = text.find('\n', pos);
        if (eol == std::string_view::npos) eol = text.size();
        std::string_view line = text.substr(pos, eol - pos);
        pos = eol + 1;
        std::size_t len = templates::slack_length(line) + 1;
        bool heading = line.starts_with("## ");
        if (used > 0 && (used + len > budget || (heading && used > budget * 2 / 3))) close();
        while (templates::slack_length(line) + 1 > budget) {
            std::size_t cut = budget / 2;  // bytes, never fewer than characters: within the budget
            while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
            part = line.substr(0, cut);
            close();
            line.remove_prefix(cut);
        }
        part.append(line).append("\n");
        used += templates::slack_length(line) + 1;
    }
    close();
    return parts;
}

// Posts `text` in the incident's channel: one message when it fits, else in
// parts, the first in the channel and the others in its thread, each saying
// which part it is. Nothing is left out.
std::size_t post_in_parts(decision& d, const incident& inc, const std::string& text, const std::string& what) {
    if (auto blocks = templates::whole_blocks(text)) {
        post(d, inc, {text, std::move(*blocks)});
        return 1;
    }
    constexpr std::size_t label_room = 200;
    auto parts = split_parts(text, templates::max_blocks_text_chars - label_room);
    const std::string n = std::to_string(parts.size());
    int head = -1;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        std::string body = i == 0 ? parts[i] + "\n\n_" + what + ", part 1 of " + n + ": the rest follows in the thread._"
                                  : "_" + what + ", part " + std::to_string(i + 1) + " of " + n + "_\n\n" + parts[i];
        message m{body, templates::blocks_for(body)};
        post(d, inc, std::move(m));
        if (i == 0) head = static_cast<int>(d.actions.size() - 1);
        else d.actions.back().thread_of = head;
    }
    return parts.size();
}

std::string average(const std::vector<duration>& values) {
    if (values.empty()) return "–";
    duration::rep total = 0;
    for (auto v : values) total += v.count();
    return format_duration(duration(total / static_cast<duration::rep>(values.size())));
}

// How a post-mortem words one response target, in every state.
struct target_words {
    std::string_view done_in;      // "Acknowledged in " 3m
    std::string_view pending;      // "Not acknowledged yet"
    std::string_view overdue;      // "Not acknowledged after " 2h
    std::string_view never;        // "Never acknowledged": resolved without it ("" when `done` is the resolution)
};

std::string target_sentence(const context& ctx, const incident& inc, const std::optional<time_point>& done,
                            duration target, const target_words& w) {
    std::string goal = " (target " + format_duration(target) + "): ";
    auto verdict = [&](duration took) {
        return took <= target ? std::string("met") : "missed by " + format_duration(took - target);
    };
    if (done) return std::string(w.done_in) + format_duration(*done - inc.declared_at) + goal + verdict(*done - inc.declared_at);
    if (inc.resolved_at) {
        // Resolved without ever being acknowledged: the target only counts as
        // missed if it came due before the resolution.
        duration open_for = *inc.resolved_at - inc.declared_at;
        return std::string(w.never) + goal + (open_for <= target ? "resolved before it was due" : verdict(open_for));
    }
    duration open_for = ctx.now - inc.declared_at;
    if (open_for <= target) return std::string(w.pending) + goal + "pending (due in " + format_duration(target - open_for) + ")";
    return std::string(w.overdue) + format_duration(open_for) + goal + verdict(open_for);
}

}  // namespace

decision handle_show(const context& ctx, const command_line& line) {
    auto t = find_target(ctx, line, 1, false);
    if (!t.inc) return fail(ctx, t.error);
    if (line.size() > t.next) return refuse_extra(ctx, line, t.next);
    auto view = incident_view(ctx, *t.inc);
    if (auto line = public_summary(ctx, *t.inc); !line.empty()) view["public_line"] = line;
    return answer(ctx, "show", view);
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
    // A private incident is listed to its members only.
    std::erase_if(incidents, [&](const incident& inc) { return !can_see(ctx, inc); });
    auto items = nlohmann::json::array();
    for (const auto& inc : incidents) items.push_back(incident_view(ctx, inc));
    // The most severe first, as many as one answer holds, and how many more there are.
    auto render = [&](std::size_t k) {
        nlohmann::json data = {{"incidents", slice(items, 0, k)},
                               {"all", all},
                               {"count", format_count(items.size())}};
        if (k < items.size()) data["more"] = format_count(items.size() - k);
        return ctx.tpl.render("list", data);
    };
    return answer_with_most(items.size(), render);
}

decision handle_timeline(const context& ctx, const command_line& line) {
    auto t = find_target(ctx, line, 1, false);
    if (!t.inc) return fail(ctx, t.error);
    bool all = iequals(line.word(t.next), "all");
    if (auto after = t.next + (all ? 1 : 0); line.size() > after) return refuse_extra(ctx, line, after);
    auto view = incident_view(ctx, *t.inc);
    auto entries = timeline_view(ctx, t.inc->number);
    if (all && t.inc->archived) return fail(ctx, archived_refusal(*t.inc, "`warroom export` has the whole timeline"));
    if (all) {
        // Too long for an answer only the caller sees: the whole of it goes to
        // the incident's channel, in a thread when it takes several messages.
        view["entries"] = entries;
        decision d;
        auto parts = post_in_parts(d, *t.inc, ctx.tpl.render("timeline", view), "Timeline of " + t.inc->id());
        d.reply = ctx.render("done", {{"message", "The whole timeline of " + t.inc->id() + " (" +
                                                      format_count(entries.size()) + (entries.size() == 1 ? " entry" : " entries") + ") is posted in " +
                                                      channel_link(*t.inc) +
                                                      (parts > 1 ? ", in " + std::to_string(parts) + " messages." : ".")}});
        return d;
    }
    // The most recent entries, as many as one answer holds, and how many earlier ones are not shown.
    auto render = [&](std::size_t k) {
        auto v = view;
        v["entries"] = slice(entries, entries.size() - k, entries.size());
        if (k < entries.size()) v["omitted"] = format_count(entries.size() - k);
        return ctx.tpl.render("timeline", v);
    };
    return answer_with_most(entries.size(), render);
}

decision handle_postmortem(const context& ctx, const command_line& line) {
    auto t = find_target(ctx, line, 1, false);
    if (!t.inc) return fail(ctx, t.error);
    if (line.size() > t.next) return refuse_extra(ctx, line, t.next);
    if (t.inc->archived) return fail(ctx, archived_refusal(*t.inc, "then ask for the draft again"));
    const incident& inc = *t.inc;
    const auto& sev = severity_of(ctx, inc);
    auto view = incident_view(ctx, inc);
    view["entries"] = timeline_view(ctx, inc.number);
    view["ack_target"] = format_duration(sev.ack_within);
    view["resolve_target"] = format_duration(sev.resolve_within);
    view["time_to_ack"] = inc.acked_at ? format_duration(*inc.acked_at - inc.declared_at) : "";
    view["ack_met"] = inc.acked_at && *inc.acked_at - inc.declared_at <= sev.ack_within;
    view["time_to_resolve"] = inc.resolved_at ? format_duration(*inc.resolved_at - inc.declared_at) : "";
    view["resolve_met"] = inc.resolved_at && *inc.resolved_at - inc.declared_at <= sev.resolve_within;
    view["ack_line"] = target_sentence(ctx, inc, inc.acked_at, sev.ack_within,
                                       {"Acknowledged in ", "Not acknowledged yet", "Not acknowledged after ",
                                        "Never acknowledged"});
    view["resolve_line"] = target_sentence(ctx, inc, inc.resolved_at, sev.resolve_within,
                                           {"Resolved in ", "Not resolved yet", "Still open after ", ""});
    // The impact is the latest one any update stated.
    std::string impact;
    for (const auto& e : ctx.store.timeline(inc.number))
        if (e.kind == "update")
            if (auto s = parse_update(e.text); !s.impact.empty()) impact = s.impact;
    view["impact"] = impact.empty() ? nlohmann::json() : nlohmann::json(impact);
    auto followups = nlohmann::json::array();
    for (const auto& f : ctx.store.followups_of(inc.number)) followups.push_back(followup_view(ctx, f));
    view["has_followups"] = !followups.empty();
    view["followups"] = std::move(followups);
    decision d;
    // Never cut: a draft too long for one message goes out in parts, in a thread.
    post_in_parts(d, inc, ctx.tpl.render("postmortem", view), "Post-mortem of " + inc.id());
    d.reply = ctx.render("done", {{"message", "Post-mortem draft for " + inc.id() + " posted in " + channel_link(inc) + "."}});
    return d;
}

decision handle_stats(const context& ctx, const command_line& line) {
    duration period = std::chrono::days(30);
    if (line.size() > 1) {
        auto p = parse_duration(line.rest(1));
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
    // Follow-ups made in the period: the open ones (and how many of those are
    // late), and how many of the closed ones were done by their due date.
    std::size_t open = 0, overdue = 0, done = 0, on_time = 0, dropped = 0;
    auto followups = ctx.store.followups_created_since(ctx.now - period);
    for (const auto& f : followups) {
        if (f.is_open()) {
            ++open;
            overdue += is_overdue(f, ctx.cfg.hours, ctx.now) ? 1 : 0;
        } else if (f.state == followup_state::dropped) {
            ++dropped;
        } else {
            ++done;
            bool late = f.due && f.closed_at && local_day(ctx.cfg.hours, *f.closed_at) > *f.due;
            on_time += late ? 0 : 1;
        }
    }
    nlohmann::json data = {{"period", format_duration(period)}, {"rows", rows},
                           {"total", std::to_string(incidents.size())}};
    if (!followups.empty())
        data["followups"] = {{"count", format_count(followups.size())}, {"open", format_count(open)},
                             {"overdue", format_count(overdue)},    {"done", format_count(done)},
                             {"on_time", format_count(on_time)},    {"dropped", format_count(dropped)}};
    return answer(ctx, "stats", data);
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
