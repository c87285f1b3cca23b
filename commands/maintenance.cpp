// Scheduled maintenance: announced ahead of time on the status page, its
// components "under maintenance" during the window. The page derives the
// state from the window and the clock, so nothing here needs a timer.
#include "commands/handlers.hpp"

#include "commands/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>

namespace warroom::commands {

namespace {

constexpr std::size_t max_maintenance_title = 200;
constexpr auto longest_window = std::chrono::days(7);

// "2026-12-05T02:00" (or with a space's place taken by T, and an optional Z): UTC.
std::optional<time_point> parse_utc(std::string_view s) {
    if (!s.empty() && (s.back() == 'Z' || s.back() == 'z')) s.remove_suffix(1);
    if (s.size() != 16 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':')
        return std::nullopt;
    auto number = [&](std::size_t at, std::size_t len, int& out) {
        auto [end, ec] = std::from_chars(s.data() + at, s.data() + at + len, out);
        return ec == std::errc() && end == s.data() + at + len;
    };
    int y = 0, mo = 0, d = 0, h = 0, mi = 0;
    if (!number(0, 4, y) || !number(5, 2, mo) || !number(8, 2, d) || !number(11, 2, h) || !number(14, 2, mi))
        return std::nullopt;
    std::chrono::year_month_day day{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
                                    std::chrono::day{static_cast<unsigned>(d)}};
    if (!day.ok() || h > 23 || mi > 59) return std::nullopt;
    return time_point(std::chrono::sys_days(day)) + std::chrono::hours(h) + std::chrono::minutes(mi);
}

std::string window(const maintenance& m) { return format_time(m.starts_at) + " – " + format_time(m.ends_at) + " UTC"; }

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

void announce(decision& d, const context& ctx, std::string text) {
    action a;
    a.kind = action_kind::post;
    a.channel = ctx.cfg.announce_channel;
    a.body = ctx.render("done", {{"message", std::move(text)}});
    d.actions.push_back(std::move(a));
}

decision list(const context& ctx) {
    std::string out;
    for (const auto& m : ctx.store.maintenances_ending_after(ctx.now)) {
        if (m.cancelled_at) continue;
        out += "\n• *" + m.ref() + "* " + m.title + " · " + window(m) + " · " + joined(m.components) +
               (m.starts_at <= ctx.now ? " · in progress" : "");
    }
    decision d;
    d.reply = ctx.render("done", {{"message", out.empty() ? std::string("No maintenance is scheduled.")
                                                           : "Scheduled maintenance:" + out}});
    return d;
}

decision cancel(const context& ctx, const command_line& line) {
    auto word = line.word(2);
    std::int64_t id = 0;
    if (word.size() > 2 && iequals(word.substr(0, 2), "m-")) word.remove_prefix(2);
    auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), id);
    if (ec != std::errc() || end != word.data() + word.size() || id <= 0)
        return fail(ctx, "Which maintenance? Write it as `/incident maintenance cancel M-3`.");
    if (line.size() > 3) return refuse_extra(ctx, line, 3);
    auto m = ctx.store.find_maintenance(id);
    if (!m) return fail(ctx, "There is no M-" + std::to_string(id) + ". `/incident maintenance list` shows them.");
    if (m->cancelled_at) return fail(ctx, m->ref() + " is already cancelled.");
    if (m->ends_at <= ctx.now) return fail(ctx, m->ref() + " is over.");
    m->cancelled_at = ctx.now;
    decision d;
    announce(d, ctx, ":construction: " + mention(ctx.req.user) + " cancelled scheduled maintenance " + m->ref() + ": " +
                         m->title + " (" + window(*m) + "). It is off the status page.");
    d.reply = ctx.render("done", {{"message", m->ref() + " cancelled; it is off the status page."}});
    d.maintenances.push_back(std::move(*m));
    return d;
}

}  // namespace

decision handle_maintenance(const context& ctx, const command_line& line) {
    auto first = line.word(1);
    if (iequals(first, "list")) return line.size() > 2 ? refuse_extra(ctx, line, 2) : list(ctx);
    if (iequals(first, "cancel")) return cancel(ctx, line);
    if (ctx.cfg.public_components.empty())
        return fail(ctx, "No status-page components are configured: add `[[components]]` to warroom's config first.");
    auto starts = parse_utc(first);
    auto length = parse_duration(line.word(2));
    std::string rest = line.rest(3);
    auto colon = rest.find(':');
    if (!starts || !length || colon == std::string::npos)
        return fail(ctx, "Write it as " + usage(ctx, "maintenance") + ", e.g. `/incident maintenance 2026-12-05T02:00 2h "
                         "API, Web app: Database upgrade`.");
    maintenance m;
    m.starts_at = *starts;
    m.ends_at = *starts + *length;
    m.title = trim(rest.substr(colon + 1));
    if (m.title.empty()) return fail(ctx, "A maintenance needs a title customers will read, after the `:`.");
    if (char_count(m.title) > max_maintenance_title)
        return fail(ctx, "The title is too long (at most " + std::to_string(max_maintenance_title) + " characters).");
    if (*length <= duration::zero() || *length > longest_window)
        return fail(ctx, "A maintenance window lasts more than nothing and at most 7 days.");
    if (m.ends_at <= ctx.now) return fail(ctx, "That window is already over (times are UTC).");
    std::string rest_components = rest.substr(0, colon);
    for (std::size_t at = 0; at <= rest_components.size();) {
        auto comma = rest_components.find(',', at);
        auto name = trim(rest_components.substr(at, comma == std::string::npos ? std::string::npos : comma - at));
        at = comma == std::string::npos ? rest_components.size() + 1 : comma + 1;
        if (name.empty()) continue;
        auto known = std::find_if(ctx.cfg.public_components.begin(), ctx.cfg.public_components.end(),
                                  [&](const std::string& c) { return iequals(c, name); });
        if (known == ctx.cfg.public_components.end())
            return fail(ctx, "There is no status-page component `" + name + "`. Components: " +
                                 joined(ctx.cfg.public_components) + ".");
        if (std::find(m.components.begin(), m.components.end(), *known) == m.components.end())
            m.components.push_back(*known);
    }
    if (m.components.empty()) return fail(ctx, "Name the components under maintenance before the `:`.");
    m.id = ctx.store.next_maintenance_id();
    m.created_by = ctx.req.user;
    m.created_at = ctx.now;
    decision d;
    announce(d, ctx, ":construction: " + mention(ctx.req.user) + " scheduled maintenance " + m.ref() + ": " + m.title +
                         " · " + window(m) + " · " + joined(m.components) + ". It is on the status page.");
    d.reply = ctx.render("done", {{"message", "Scheduled " + m.ref() + " (" + window(m) + ", " + joined(m.components) +
                                                  "): on the status page now; its components read under maintenance "
                                                  "during the window. `/incident maintenance cancel " + m.ref() +
                                                  "` takes it off."}});
    d.maintenances.push_back(std::move(m));
    return d;
}

}  // namespace warroom::commands
