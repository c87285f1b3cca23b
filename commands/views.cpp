// Template data for incidents and the small decisions every handler shares.
#include "commands/handlers.hpp"
#include "commands/paging.hpp"

#include "commands/text.hpp"
#include "templates/renderer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <utility>

namespace warroom::commands {

message context::render(std::string_view name, const nlohmann::json& data) const {
    // Every message and answer the engine makes passes here: within Slack's limits,
    // and saying what was left out when it had to leave something out.
    message m;
    m.text = templates::fit_text(tpl.render(name, data));
    m.blocks_json = templates::blocks_for(m.text);
    return m;
}

std::string mention(std::string_view user) { return user.empty() ? std::string() : "<@" + std::string(user) + ">"; }

std::string channel_link(std::string_view name_or_id) {
    bool looks_like_id = !name_or_id.empty() && (name_or_id[0] == 'C' || name_or_id[0] == 'G') &&
                         to_lower(name_or_id) != name_or_id;
    return looks_like_id ? "<#" + std::string(name_or_id) + ">" : "#" + std::string(name_or_id);
}

// A Slack link once the channel has an ID; the console has only names.
std::string channel_link(const incident& inc) {
    return channel_link(inc.channel_id.empty() ? std::string_view(inc.channel_name) : std::string_view(inc.channel_id));
}

const severity_def& severity_of(const context& ctx, const incident& inc) {
    if (const auto* sev = ctx.cfg.find_severity(inc.severity)) return *sev;
    // A severity removed from the config since: treat it as the least severe.
    return ctx.cfg.least_severe();
}

namespace {
nlohmann::json text_or_null(const std::string& s) { return s.empty() ? nlohmann::json() : nlohmann::json(s); }

std::string due_phrase(std::optional<time_point> due, time_point now) {
    if (!due) return "none";
    if (*due <= now) return "now (overdue by " + format_duration(now - *due) + ")";
    return "in " + format_duration(*due - now) + " (" + format_time(*due) + " UTC)";
}
}  // namespace

nlohmann::json incident_view(const context& ctx, const incident& inc) {
    const auto& sev = severity_of(ctx, inc);
    const auto* type = inc.type.empty() ? nullptr : ctx.cfg.find_type(inc.type);
    auto roles = nlohmann::json::array();
    for (const auto& role : ctx.cfg.roles)
        if (auto holder = inc.role_holder(role.name); !holder.empty())
            roles.push_back({{"label", role.label}, {"name", role.name}, {"user", mention(holder)}});
    time_point end = inc.resolved_at.value_or(ctx.now);
    // Emplaced into the map, values moved: the initializer-list form built a
    // two-element array per key and copied every value (a fifth of a `show`).
    nlohmann::json result = nlohmann::json::object();
    auto& view = result.get_ref<nlohmann::json::object_t&>();
    view.emplace("id", inc.id());
    view.emplace("number", std::to_string(inc.number));
    view.emplace("title", inc.title);
    view.emplace("description", text_or_null(inc.description));
    view.emplace("severity", sev.name);
    view.emplace("severity_label", sev.label);
    view.emplace("status", std::string(to_string(inc.status)));
    view.emplace("resolved", !inc.is_open());
    view.emplace("type_label", type ? nlohmann::json(type->label) : nlohmann::json());
    view.emplace("channel", channel_link(inc));
    view.emplace("declared_by", mention(inc.declared_by));
    view.emplace("declared_at", format_time(inc.declared_at));
    view.emplace("age", format_duration(end - inc.declared_at));
    view.emplace("commander", text_or_null(mention(inc.role_holder("commander"))));
    view.emplace("roles", std::move(roles));
    view.emplace("acked", inc.acked_at.has_value());
    view.emplace("acked_by", mention(inc.acked_by));
    view.emplace("acked_after", inc.acked_at ? format_duration(*inc.acked_at - inc.declared_at) : "");
    view.emplace("resolved_at", inc.resolved_at ? nlohmann::json(format_time(*inc.resolved_at)) : nlohmann::json());
    view.emplace("resolved_after", inc.resolved_at ? nlohmann::json(format_duration(*inc.resolved_at - inc.declared_at))
                                                   : nlohmann::json());
    view.emplace("resolution", text_or_null(inc.resolution));
    view.emplace("last_update", text_or_null(inc.last_update));
    view.emplace("last_update_at",
                 inc.last_update_at ? nlohmann::json(format_time(*inc.last_update_at)) : nlohmann::json());
    view.emplace("next_update_due", due_phrase(inc.due.update, ctx.now));
    view.emplace("snoozed", inc.snoozed);
    view.emplace("ack_within", format_duration(sev.ack_within));
    view.emplace("update_every",
                 sev.update_every ? nlohmann::json(format_duration(*sev.update_every)) : nlohmann::json());
    view.emplace("resolve_within", format_duration(sev.resolve_within));
    view.emplace("pages", inc.pages.empty() ? nlohmann::json() : nlohmann::json(paged_line(inc)));
    return result;
}

message topic_message(const context& ctx, const incident& inc) { return ctx.render("topic", incident_view(ctx, inc)); }

message summary_message(const context& ctx, const incident& inc) {
    auto view = incident_view(ctx, inc);
    // What moves with the clock alone would edit the pinned message on every
    // decision; an overriding template that asks for it gets nothing.
    view.erase("age");
    view.erase("next_update_due");
    return with_buttons(ctx.render("declared", view), summary_buttons(ctx, inc));
}

message announce_message(const context& ctx, const incident& inc, const nlohmann::json& view) {
    return with_buttons(ctx.render("announce", view), announce_buttons(inc));
}

void follow_summary(decision& d, const context& ctx, const incident& before) {
    if (!d.ok || d.is_new || !d.save || d.save->number != before.number) return;
    auto after = summary_message(ctx, *d.save);
    auto was = summary_message(ctx, before);
    if (after.text == was.text && after.blocks_json == was.blocks_json) return;
    action a;
    a.kind = action_kind::update_summary;
    a.incident = d.save->number;
    a.body = std::move(after);
    d.actions.push_back(std::move(a));
}

decision fail(const context& ctx, std::string what) {
    decision d;
    d.ok = false;
    d.reply = ctx.render("error", {{"message", std::move(what)}});
    return d;
}

void note_timeline(decision& d, const context& ctx, const incident& inc, std::string kind, std::string text,
                   std::string actor) {
    d.timeline.push_back({inc.number, ctx.now, std::move(actor), std::move(kind), std::move(text)});
}

void post(decision& d, const incident& inc, message body, bool pin) {
    action a;
    a.kind = action_kind::post;
    a.incident = inc.number;
    a.body = std::move(body);
    a.pin = pin;
    d.actions.push_back(std::move(a));
}

void post_to(decision& d, const incident& inc, std::string channel, message body) {
    // Nothing of a private incident leaves its channel: every announcement,
    // notice and escalation is dropped here, whichever handler asked.
    if (inc.is_private) return;
    action a;
    a.kind = action_kind::post;
    a.incident = inc.number;
    a.channel = std::move(channel);
    a.body = std::move(body);
    d.actions.push_back(std::move(a));
}

void set_topic(decision& d, const context& ctx, const incident& inc) {
    action a;
    a.kind = action_kind::set_topic;
    a.incident = inc.number;
    a.topic = topic_message(ctx, inc).text;
    d.actions.push_back(std::move(a));
}

void invite(decision& d, const incident& inc, std::string user) {
    action a;
    a.kind = action_kind::invite;
    a.incident = inc.number;
    a.users.push_back(std::move(user));
    d.actions.push_back(std::move(a));
}

namespace {

// Whether warroom already knows `user` is in the incident's channel: the
// declarer (the channel is created with them), anyone it invited for a role
// before, anyone whose join it recorded. Slack refuses an invite of a member
// (already_in_channel), so inviting them again is a wasted call.
bool known_member(const context& ctx, const incident& inc, const std::string& user) {
    if (user == inc.declared_by || holds_role(inc, user)) return true;
    std::string as_role = ": " + mention(user);
    for (const auto& e : ctx.store.timeline(inc.number))
        if ((e.kind == "joined" && e.actor == user) || (e.kind == "role" && e.text.ends_with(as_role))) return true;
    return false;
}

}  // namespace

void assign_role(decision& d, const context& ctx, incident& inc, const role_def& role, const std::string& user) {
    std::string previous = inc.role_holder(role.name);
    if (!known_member(ctx, inc, user)) invite(d, inc, user);
    inc.roles[role.name] = user;
    auto view = incident_view(ctx, inc);
    view["role_label"] = role.label;
    view["user"] = mention(user);
    view["actor"] = mention(ctx.req.user);
    view["previous"] = text_or_null(previous == user ? std::string() : mention(previous));
    view["checklist"] = role.checklist;
    post(d, inc, ctx.render("role_assigned", view));
    note_timeline(d, ctx, inc, "role", role.label + ": " + mention(user), ctx.req.user);
    if (role.name == "commander") set_topic(d, ctx, inc);
}

namespace {

bool involved(const incident& inc, const std::string& user) {
    if (user.empty()) return false;
    return inc.declared_by == user || inc.acked_by == user || holds_role(inc, user);
}

// What an example in an error names: the caller's newest open incident, so
// the example can be copied as it is; else a placeholder no one mistakes for one.
std::string example_ref(const context& ctx) {
    const incident* best = nullptr;
    auto open = ctx.store.list_open();
    for (const auto& inc : open)
        if (involved(inc, ctx.req.user) && (!best || inc.declared_at >= best->declared_at)) best = &inc;
    return best ? best->id() : "INC-n";
}

}  // namespace

bool holds_role(const incident& inc, const std::string& user) {
    return std::any_of(inc.roles.begin(), inc.roles.end(), [&](const auto& r) { return r.second == user; });
}

std::string usage(const context& ctx, std::string_view verb, std::string_view ref, bool one_form) {
    std::string v(verb);
    auto w = [&](std::string_view args) { return "`/incident " + v + " " + std::string(ref) + std::string(args) + "`"; };
    auto either = [&](std::string_view first, std::string_view second) {
        return one_form ? w(first) : w(first) + " or " + w(second);
    };
    if (v == "severity" || v == "sev") {
        std::string known;
        for (const auto& s : ctx.cfg.severities) known += (known.empty() ? "" : "|") + s.name;
        return w(" <" + known + ">");
    }
    if (v == "status") return w(" <investigating|identified|mitigating|monitoring>");
    if (v == "snooze") return either(" <duration>", " off");
    if (v == "update" || v == "note") return w(" <text>");
    if (v == "resolve") return w(" [summary]");
    if (v == "followup" || v == "action") return w(" <text> [owner <person>] [due <date>]");
    if (v == "timeline") return either("", " all");
    if (ctx.cfg.find_role(v)) return w(" <person>") + " (an @mention or `me`)";
    return w("");
}

decision refuse_extra(const context& ctx, const command_line& line, std::size_t next) {
    return fail(ctx, "`" + line.rest(next) + "` is more than `" + line.verb() + "` takes. Write it as " +
                         usage(ctx, line.verb()) + ".");
}

target find_target(const context& ctx, const command_line& line, std::size_t index, bool text_follows) {
    target t;
    t.next = index;
    auto word = line.word(index);
    bool explicit_prefix = word.size() > 4 && iequals(word.substr(0, 4), "inc-");
    std::optional<incident> here;
    if (!ctx.req.channel.empty()) here = ctx.store.find_by_channel(ctx.req.channel);
    // A reference no incident can have (INC-0, more digits than any number)
    // is still a reference: it names an incident that does not exist.
    if (auto shape = incident_ref_shape(word); !shape.empty() && (explicit_prefix || !text_follows || !here)) {
        t.next = index + 1;
        auto n = parse_incident_ref(word);
        if (n) t.inc = ctx.store.find(*n);
        if (!t.inc) t.error = (n ? "INC-" + std::to_string(*n) : shape) + " does not exist. `/incident list` shows the open ones.";
        if (t.inc && !can_see(ctx, *t.inc)) {
            t.error = private_refusal(*t.inc);
            t.inc.reset();
        }
        return t;
    }
    if (here) {
        t.inc = std::move(here);
        return t;
    }
    std::string example = usage(ctx, line.verb(), example_ref(ctx), true);
    t.error = "Which incident? Name it (" + example + ") or type the command in the incident's channel.";
    return t;
}

}  // namespace warroom::commands
