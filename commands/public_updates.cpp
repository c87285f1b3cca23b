// What customers are told: the components an incident affects on the status
// page, public updates (their own records, never an internal update's
// text), their optional approval, and the status-page clock.
#include "commands/handlers.hpp"

#include "commands/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <optional>

namespace warroom::commands {

namespace {

// Statuspage takes far more, but a public update is read on a phone.
constexpr std::size_t max_public_text = 3000;
// Statuspage's incident names stay short: a headline, not a paragraph.
constexpr std::size_t max_public_title = 200;

// `title: <public title> | <text>` (or the title's own line, as the form
// writes it): the title the first public update gives customers.
struct titled_text {
    std::optional<std::string> title;  // given, possibly empty (an error)
    std::string text;
};

titled_text split_title(const std::string& text) {
    constexpr std::string_view key = "title:";
    if (text.size() < key.size() || !iequals(std::string_view(text).substr(0, key.size()), key)) return {std::nullopt, text};
    auto rest = std::string_view(text).substr(key.size());
    auto end = std::min(rest.find('\n'), rest.find(" | "));
    auto title = trim(std::string(rest.substr(0, end)));
    std::string body;
    if (end != std::string_view::npos) body = trim(std::string(rest.substr(end + (rest[end] == '\n' ? 1 : 3))));
    return {title, body};
}

// Slack quotes a line, not a paragraph: every line of a public update gets its own `>`.
nlohmann::json quoted_lines(const std::string& text) {
    auto lines = nlohmann::json::array();
    std::size_t pos = 0;
    while (true) {
        auto eol = text.find('\n', pos);
        lines.push_back(text.substr(pos, eol == std::string::npos ? std::string::npos : eol - pos));
        if (eol == std::string::npos) break;
        pos = eol + 1;
    }
    return lines;
}

std::string phase_label(public_phase p) {
    auto s = std::string(to_string(p));
    s[0] = static_cast<char>(s[0] - 'a' + 'A');
    return s;
}

}  // namespace

std::string impact_words(component_impact i) {
    switch (i) {
        case component_impact::degraded: return "degraded performance";
        case component_impact::partial_outage: return "partial outage";
        case component_impact::major_outage: return "major outage";
        case component_impact::maintenance: return "under maintenance";
    }
    return "";
}

namespace {

// Who may publish when approval is on.
bool is_approver(const incident& inc, const std::string& user) {
    return !user.empty() && (inc.role_holder("comms-lead") == user || inc.role_holder("commander") == user);
}

std::string approvers(const incident& inc) {
    std::string out;
    for (const char* role : {"comms-lead", "commander"})
        if (auto holder = inc.role_holder(role); !holder.empty() && out.find(mention(holder)) == std::string::npos)
            out += (out.empty() ? "" : " or ") + mention(holder);
    return out.empty() ? "the comms lead or commander" : out;
}

// Who the clock reminds: the comms lead, else the commander, else the declarer.
std::string public_owner(const incident& inc) {
    for (const char* role : {"comms-lead", "commander"})
        if (auto holder = inc.role_holder(role); !holder.empty()) return holder;
    return inc.declared_by;
}

const public_note* last_published(const incident& inc) {
    const public_note* last = nullptr;
    for (const auto& n : inc.public_notes)
        if (n.published() && (!last || *n.published_at >= *last->published_at)) last = &n;
    return last;
}

nlohmann::json public_view(const context& ctx, const incident& inc, const public_note& n, bool draft) {
    auto v = incident_view(ctx, inc);
    v["actor"] = mention(draft ? n.author : n.published_by);
    v["phase"] = phase_label(n.phase);
    v["text"] = n.text;
    v["lines"] = quoted_lines(n.text);
    // The note that introduces the incident to customers says what they will call it.
    bool debut = draft ? !inc.has_published_note() : inc.first_published_note() == &n;
    if (debut) v["public_title"] = n.title.empty() ? inc.title : n.title;
    v["draft"] = draft;
    v["approvers"] = approvers(inc);
    return v;
}

// A published note: on the channel, the timeline, the clock; the caller is
// told what the page now shows.
void publish(decision& d, const context& ctx, incident& inc, public_note& n) {
    // The internal title goes out only when the publisher gave none, and as it
    // reads now: renaming the incident inside later changes nothing public.
    bool debut = !inc.has_published_note();
    if (debut && n.title.empty()) n.title = inc.title;
    n.published_at = ctx.now;
    n.published_by = ctx.req.user;
    post(d, inc, ctx.render("public_update", public_view(ctx, inc, n, false)));
    note_timeline(d, ctx, inc, "public", "Public update (" + phase_label(n.phase) + "): " + n.text, ctx.req.user);
    arm_public_clock(ctx, inc, ctx.now);
    std::string as = debut ? " as “" + n.title + "”" : "";
    d.reply = ctx.render("done", {{"message", "Published on the status page for " + inc.id() + as + ": " +
                                                  phase_label(n.phase) + " — " + n.text}});
}

decision publish_draft(const context& ctx, const command_line& line, target t) {
    if (line.size() > t.next + 1) return refuse_extra(ctx, line, t.next + 1);
    incident inc = std::move(*t.inc);
    if (!is_approver(inc, ctx.req.user))
        return fail(ctx, "Only " + approvers(inc) + " can publish " + inc.id() + "'s public updates.");
    auto draft = std::find_if(inc.public_notes.rbegin(), inc.public_notes.rend(),
                              [](const public_note& n) { return !n.published(); });
    // Only the newest draft counts: a later draft replaced the earlier ones.
    bool newest_is_draft = draft == inc.public_notes.rbegin();
    if (draft == inc.public_notes.rend() || !newest_is_draft)
        return fail(ctx, inc.id() + " has no draft public update waiting. Write one with " + usage(ctx, "public", inc.id()) + ".");
    decision d;
    publish(d, ctx, inc, *draft);
    d.save = std::move(inc);
    return d;
}

}  // namespace

void arm_public_clock(const context& ctx, incident& inc, time_point from, bool reopened) {
    auto& due = inc.due.public_update;
    const auto& sev = severity_of(ctx, inc);
    if (!ctx.cfg.public_page || inc.is_private || !inc.is_open() || !sev.public_update_within) {
        due.reset();
        return;
    }
    if (const auto* last = last_published(inc)) {
        // Customers were told it is over: nothing more to remind of.
        if (last->phase == public_phase::resolved) {
            // Unless it is back: then they hear so within public_update_within.
            due = reopened ? std::optional(from + *sev.public_update_within) : std::nullopt;
            return;
        }
        due = sev.public_update_every ? std::optional(*last->published_at + *sev.public_update_every) : std::nullopt;
        return;
    }
    due = from + *sev.public_update_within;
}

void remind_public(const context& ctx, decision& d, incident& inc) {
    const auto& sev = severity_of(ctx, inc);
    const auto* last = last_published(inc);
    auto view = incident_view(ctx, inc);
    view["who"] = mention(public_owner(inc));
    view["has_public"] = last != nullptr;
    view["since"] = format_duration(ctx.now - (last ? *last->published_at : inc.declared_at));
    view["resolved"] = false;
    post(d, inc, with_buttons(ctx.render("public_update_reminder", view), public_reminder_buttons(inc)));
    // Counted from now: until the first, again every public_update_every (else every public_update_within).
    auto every = sev.public_update_every ? sev.public_update_every : sev.public_update_within;
    inc.due.public_update = every ? std::optional(ctx.now + *every) : std::nullopt;
}

void remind_public_resolution(const context& ctx, decision& d, const incident& inc) {
    const auto& sev = severity_of(ctx, inc);
    if (!ctx.cfg.public_page || inc.is_private) return;
    const auto* last = last_published(inc);
    if (last && last->phase == public_phase::resolved) return;
    // Customers heard of it, or were due to: they hear it is over too.
    if (!last && !sev.public_update_within) return;
    auto view = incident_view(ctx, inc);
    view["who"] = mention(public_owner(inc));
    view["resolved"] = true;
    post(d, inc, with_buttons(ctx.render("public_update_reminder", view), public_reminder_buttons(inc)));
}

std::string public_summary(const context& ctx, const incident& inc) {
    if (!ctx.cfg.public_page || inc.is_private) return {};
    std::string out;
    if (const auto* last = last_published(inc))
        out = phase_label(last->phase) + ", " + format_duration(ctx.now - *last->published_at) + " ago: " + last->text;
    else
        out = "no public update yet";
    if (!inc.public_notes.empty() && !inc.public_notes.back().published()) out += " (a draft waits for " + approvers(inc) + ")";
    std::string components;
    for (const auto& [name, level] : inc.impacts) components += (components.empty() ? "" : ", ") + name + " " + impact_words(level);
    if (!components.empty()) out += " · " + components;
    return out;
}

decision handle_impact(const context& ctx, const command_line& line) {
    auto t = find_target(ctx, line, 1, true);
    if (!t.inc) return fail(ctx, t.error);
    if (ctx.cfg.public_components.empty())
        return fail(ctx, "No status-page components are configured: add `[[components]]` to warroom's config first.");
    std::string known;
    for (const auto& c : ctx.cfg.public_components) known += (known.empty() ? "`" : ", `") + c + "`";
    known += ".";
    if (line.size() < t.next + 2)
        return fail(ctx, "Write it as " + usage(ctx, "impact") + ". Components: " + known);
    incident inc = std::move(*t.inc);
    if (!inc.is_open()) return fail(ctx, inc.id() + " is resolved: its components are back to operational on the page.");
    // The impact is the last word, the component everything between (names may have spaces).
    auto impact_word = line.word(line.size() - 1);
    std::string typed;
    for (auto i = t.next; i + 1 < line.size(); ++i) typed += (typed.empty() ? "" : " ") + std::string(line.word(i));
    auto component = std::find_if(ctx.cfg.public_components.begin(), ctx.cfg.public_components.end(),
                                  [&](const std::string& c) { return iequals(c, typed); });
    if (component == ctx.cfg.public_components.end())
        return fail(ctx, "There is no status-page component `" + typed + "`. Components: " + known);
    bool clear = iequals(impact_word, "operational") || iequals(impact_word, "none");
    auto level = parse_component_impact(impact_word);
    if (!clear && !level)
        return fail(ctx, "`" + std::string(impact_word) +
                             "` is not an impact: degraded, partial_outage, major_outage, maintenance, or operational to clear it.");
    decision d;
    auto it = inc.impacts.find(*component);
    if (clear && it == inc.impacts.end()) return fail(ctx, *component + " is not affected by " + inc.id() + ".");
    if (!clear && it != inc.impacts.end() && it->second == *level)
        return fail(ctx, *component + " is already at " + impact_words(*level) + " for " + inc.id() + ".");
    std::string words = clear ? "operational" : impact_words(*level);
    if (clear)
        inc.impacts.erase(it);
    else
        inc.impacts[*component] = *level;
    auto view = incident_view(ctx, inc);
    view["actor"] = mention(ctx.req.user);
    view["component"] = *component;
    view["impact"] = words;
    view["unpublished"] = !inc.is_private && !inc.has_published_note();
    post(d, inc, ctx.render("impact_changed", view));
    note_timeline(d, ctx, inc, "impact", *component + ": " + words, ctx.req.user);
    // Customers see components with the incident's first public update, not before.
    std::string where = inc.is_private               ? " (a private incident never appears on the status page)."
                        : inc.has_published_note()   ? " on the status page."
                                                     : " (customers see it with " + inc.id() + "'s first public update).";
    d.reply = ctx.render("done", {{"message", *component + " is " + words + " for " + inc.id() + where}});
    d.save = std::move(inc);
    return d;
}

decision handle_public(const context& ctx, const command_line& line) {
    auto t = find_target(ctx, line, 1, true);
    if (!t.inc) return fail(ctx, t.error);
    if (t.inc->is_private)
        return fail(ctx, t.inc->id() + " is private: it never appears on the status page, so it has no public updates.");
    if (iequals(line.word(t.next), "publish")) return publish_draft(ctx, line, std::move(t));
    auto phase = parse_public_phase(line.word(t.next));
    auto [title, text] = split_title(line.rest(t.next + 1));
    if (!phase || text.empty())
        return fail(ctx, "A public update needs a status and text customers will read. Write it as " +
                             usage(ctx, line.verb()) + ".");
    if (char_count(text) > max_public_text)
        return fail(ctx, "The public update is too long (at most " + std::to_string(max_public_text) + " characters).");
    if (title && title->empty())
        return fail(ctx, "Give the public title after `title:`, then ` | ` and the text customers read.");
    if (title && char_count(*title) > max_public_title)
        return fail(ctx, "The public title is too long (at most " + std::to_string(max_public_title) + " characters).");
    // The form of a first update can cross another publication: the same title again is no change.
    if (title && t.inc->has_published_note() && *title != t.inc->public_title())
        return fail(ctx, "Customers already know " + t.inc->id() + " as “" + t.inc->public_title() +
                             "”: the first public update sets the public title.");
    incident inc = std::move(*t.inc);
    public_note n;
    n.seq = inc.public_notes.empty() ? 1 : inc.public_notes.back().seq + 1;
    n.phase = *phase;
    n.text = text;
    n.title = title.value_or("");
    n.author = ctx.req.user;
    n.created_at = ctx.now;
    decision d;
    // Approvers publish their own at once; anyone else writes a draft for them.
    if (ctx.cfg.public_updates_need_approval && !is_approver(inc, ctx.req.user)) {
        post(d, inc, with_buttons(ctx.render("public_update", public_view(ctx, inc, n, true)), draft_buttons(inc)));
        note_timeline(d, ctx, inc, "public_draft", "Draft public update (" + phase_label(n.phase) + "): " + n.text,
                      ctx.req.user);
        d.reply = ctx.render("done", {{"message", "Draft public update for " + inc.id() + " posted in its channel for " +
                                                      approvers(inc) + " to publish. Nothing is on the status page yet."}});
        inc.public_notes.push_back(std::move(n));
    } else {
        inc.public_notes.push_back(std::move(n));
        publish(d, ctx, inc, inc.public_notes.back());
    }
    d.save = std::move(inc);
    return d;
}

}  // namespace warroom::commands
