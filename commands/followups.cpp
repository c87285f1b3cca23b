// Follow-ups: adding one, closing, reassigning, moving and dropping it,
// listing them, and reminding their owners as they come due.
#include "commands/handlers.hpp"

#include "commands/text.hpp"
#include "templates/renderer.hpp"
#include "templates/slack_text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <vector>

namespace warroom::commands {

namespace {

constexpr std::size_t max_followup_text = 1000;
constexpr std::array<std::string_view, 4> sub_verbs{"done", "reassign", "due", "drop"};

const std::string date_forms =
    "`2026-12-04`, a weekday like `fri` (the next one), `today`, `tomorrow`, or days or weeks from today like `3d` or `2w`";

std::string add_usage() {
    return "`/incident followup [INC-n] <text> [owner <person>] [due <date>]` (a person is an @mention or `me`, "
           "you when left out; a date is " + date_forms + ")";
}

std::string sub_usage(std::string_view sub) {
    if (sub == "done") return "`/incident followup done <F-id> [note]`";
    if (sub == "reassign") return "`/incident followup reassign <F-id> <person>` (an @mention or `me`)";
    if (sub == "due") return "`/incident followup due <F-id> <date>`, the date being " + date_forms;
    return "`/incident followup drop <F-id> <why>`";
}

std::string too_long(std::string_view what) {
    return std::string(what) + " is too long (at most " + std::to_string(max_followup_text) + " characters).";
}

// The due date typed, or the error to answer with (empty when it parsed).
struct due_word {
    std::optional<day> due;
    std::string error;
};
due_word read_due(const context& ctx, std::string_view word) {
    due_word out;
    out.due = parse_due(word, ctx.cfg.hours, ctx.now);
    day today = local_day(ctx.cfg.hours, ctx.now);
    if (!out.due)
        out.error = "`" + std::string(word) + "` is not a due date. Write it as " + date_forms + ".";
    else if (*out.due < today)
        out.error = format_day(*out.due) + " is in the past (today is " + format_day_short(today) + " in " +
                    ctx.cfg.hours.timezone + "). A due date is today or later.";
    return out;
}

std::string owner_error(std::string_view word, const std::string& usage_text) {
    if (word.empty()) return "Who owns it? Write it as " + usage_text + ".";
    return "`" + std::string(word) + "` is not a person: name the owner with an @mention or `me`. Write it as " +
           usage_text + ".";
}

// Reminders mention the owner in the incident's channel, where a mention of
// someone outside it notifies nobody. Slack answers already_in_channel for a
// member, which is harmless; the declarer and role holders are known members.
void invite_owner(decision& d, const incident& inc, const std::string& owner) {
    if (owner != inc.declared_by && !holds_role(inc, owner)) invite(d, inc, owner);
}

// What the follow-up's timeline entries and posts call it.
std::string described(const followup& f) { return f.ref() + " (" + f.text + ")"; }

nlohmann::json change_view(const context& ctx, const incident& inc, const followup& f, std::string change) {
    auto v = followup_view(ctx, f);
    v["actor"] = mention(ctx.req.user);
    v["id"] = inc.id();
    v["change"] = std::move(change);
    return v;
}

// Stores `f`, puts `entry` on its incident's timeline and posts `change` in the incident's channel.
decision changed(const context& ctx, const incident& inc, followup f, std::string entry, std::string change,
                 std::string reply) {
    decision d;
    post(d, inc, ctx.render("followup_changed", change_view(ctx, inc, f, std::move(change))));
    note_timeline(d, ctx, inc, "followup", std::move(entry), ctx.req.user);
    d.followups.push_back(std::move(f));
    d.reply = ctx.render("done", {{"message", std::move(reply)}});
    return d;
}

decision handle_add(const context& ctx, const command_line& line) {
    auto t = find_target(ctx, line, 1, true);
    if (!t.inc) return fail(ctx, t.error);
    // `owner …` and `due …` close the text, in either order.
    std::size_t end = line.size();
    std::optional<std::string_view> owner_word, due_text;
    while (end >= t.next + 2) {
        auto key = line.word(end - 2);
        if (!due_text && iequals(key, "due")) due_text = line.word(end - 1);
        else if (!owner_word && iequals(key, "owner")) owner_word = line.word(end - 1);
        else break;
        end -= 2;
    }
    // A last word `owner` or `due` with nothing after it: half of one.
    if (end > t.next) {
        auto last = line.word(end - 1);
        if (iequals(last, "owner") && !owner_word) return fail(ctx, owner_error("", add_usage()));
        if (iequals(last, "due") && !due_text) return fail(ctx, "Due when? Write it as " + add_usage() + ".");
    }
    std::string all = line.rest(t.next);
    // One line, like a title: it is listed one a line.
    std::string text = sanitize(trim(std::string_view(all).substr(0, all.size() - line.rest(end).size())), false);
    if (text.empty()) return fail(ctx, "A follow-up needs text: what is to be done. Write it as " + add_usage() + ".");
    if (char_count(text) > max_followup_text) return fail(ctx, too_long("The follow-up"));
    std::string owner = ctx.req.user;
    if (owner_word) {
        auto user = parse_user(*owner_word, ctx.req.user);
        if (!user) return fail(ctx, owner_error(*owner_word, add_usage()));
        owner = *user;
    }
    std::optional<day> due;
    if (due_text) {
        auto read = read_due(ctx, *due_text);
        if (!read.error.empty()) return fail(ctx, read.error);
        due = read.due;
    }

    const incident& inc = *t.inc;
    followup f;
    f.id = ctx.store.next_followup_id();
    f.incident = inc.number;
    f.text = text;
    f.owner = owner;
    f.due = due;
    f.created_by = ctx.req.user;
    f.created_at = ctx.now;
    f.remind_at = first_reminder(f, ctx.cfg.hours, ctx.now);

    decision d;
    invite_owner(d, inc, owner);
    auto view = change_view(ctx, inc, f, "");
    post(d, inc, ctx.render("followup_added", view));
    note_timeline(d, ctx, inc, "followup",
                  f.ref() + " added: " + text + " (owner " + mention(owner) + (due ? ", due " + format_day(*due) : "") + ")",
                  ctx.req.user);
    d.reply = ctx.render("done", {{"message", "Added " + f.ref() + " to " + inc.id() + ": owner " + mention(owner) +
                                                  (due ? ", due " + format_day_short(*due) : ", no due date") + "."}});
    d.followups.push_back(std::move(f));
    return d;
}

decision handle_change(const context& ctx, const command_line& line, std::string_view sub) {
    auto ref_word = line.word(2);
    if (ref_word.empty()) return fail(ctx, "Which follow-up? Write it as " + sub_usage(sub) + ".");
    auto id = parse_followup_ref(ref_word);
    auto found = id ? ctx.store.find_followup(*id) : std::nullopt;
    if (!found) return fail(ctx, std::string(ref_word) + " does not exist. `/incident followups` lists them.");
    auto inc = ctx.store.find(found->incident);
    if (!inc) return fail(ctx, found->ref() + " belongs to no incident warroom knows.");
    if (!can_see(ctx, *inc)) return fail(ctx, private_refusal(*inc));
    followup f = std::move(*found);
    if (!f.is_open())
        return fail(ctx, f.ref() + " is already " + std::string(to_string(f.state)) + " (" + f.text + ").");

    if (sub == "done" || sub == "drop") {
        std::string note = line.rest(3);
        bool drop = sub == "drop";
        if (drop && note.empty()) return fail(ctx, "Say why it is dropped. Write it as " + sub_usage(sub) + ".");
        if (char_count(note) > max_followup_text) return fail(ctx, too_long(drop ? "The reason" : "The note"));
        f.state = drop ? followup_state::dropped : followup_state::done;
        f.closed_at = ctx.now;
        f.closed_by = ctx.req.user;
        f.note = note;
        f.remind_at.reset();
        std::string change = (drop ? "dropped" : "done") + (note.empty() ? "" : ": " + note);
        std::string entry = described(f) + " " + change;
        std::string reply = f.ref() + (drop ? " dropped." : " is done.");
        return changed(ctx, *inc, std::move(f), std::move(entry), std::move(change), std::move(reply));
    }
    if (line.size() > 4) return fail(ctx, "`" + line.rest(4) + "` is more than that takes. Write it as " + sub_usage(sub) + ".");
    if (sub == "reassign") {
        auto word = line.word(3);
        auto user = parse_user(word, ctx.req.user);
        if (!user) return fail(ctx, owner_error(word, sub_usage(sub)));
        if (*user == f.owner) return fail(ctx, mention(*user) + " already owns " + f.ref() + ".");
        std::string entry = described(f) + " reassigned from " + mention(f.owner) + " to " + mention(*user);
        std::string reply = f.ref() + " is now " + mention(*user) + "'s.";
        f.owner = *user;
        auto d = changed(ctx, *inc, std::move(f), std::move(entry), "reassigned to " + mention(*user), std::move(reply));
        invite_owner(d, *inc, *user);
        return d;
    }
    // due
    auto word = line.word(3);
    if (word.empty()) return fail(ctx, "Due when? Write it as " + sub_usage(sub) + ".");
    auto read = read_due(ctx, word);
    if (!read.error.empty()) return fail(ctx, read.error);
    if (f.due == read.due) return fail(ctx, f.ref() + " is already due " + format_day_short(*read.due) + ".");
    std::string entry = described(f) + " due " + (f.due ? format_day(*f.due) + " → " : "") + format_day(*read.due);
    std::string reply = f.ref() + " is now due " + format_day_short(*read.due) + ".";
    f.due = read.due;
    f.remind_at = first_reminder(f, ctx.cfg.hours, ctx.now);
    return changed(ctx, *inc, std::move(f), std::move(entry), "now due " + format_day_short(*read.due), std::move(reply));
}

// Open ones first, the soonest due first (none last), then the closed ones, oldest first.
void sort_for_listing(std::vector<followup>& all) {
    std::stable_sort(all.begin(), all.end(), [](const followup& a, const followup& b) {
        if (a.is_open() != b.is_open()) return a.is_open();
        if (!a.is_open()) return false;
        if (a.due.has_value() != b.due.has_value()) return a.due.has_value();
        return a.due && *a.due < *b.due;
    });
}

}  // namespace

nlohmann::json followup_view(const context& ctx, const followup& f) {
    bool overdue = is_overdue(f, ctx.cfg.hours, ctx.now);
    std::string state;
    if (f.state == followup_state::done) state = "done " + format_day(local_day(ctx.cfg.hours, f.closed_at.value_or(ctx.now)));
    else if (f.state == followup_state::dropped) state = "dropped" + (f.note.empty() ? "" : ": " + f.note);
    else state = overdue ? "overdue" : "open";
    nlohmann::json v = {{"ref", f.ref()},
                        {"incident", "INC-" + std::to_string(f.incident)},
                        {"text", f.text},
                        {"owner", mention(f.owner)},
                        {"open", f.is_open()},
                        {"done", f.state == followup_state::done},
                        {"overdue", overdue},
                        {"state", state}};
    v["due"] = f.due ? nlohmann::json(format_day_short(*f.due)) : nlohmann::json();
    v["note"] = f.note.empty() ? nlohmann::json() : nlohmann::json(f.note);
    return v;
}

decision handle_followup(const context& ctx, const command_line& line) {
    // `followup done F-3`: a change; `followup done with the runbook`: a new follow-up's text.
    auto sub = to_lower(line.word(1));
    bool is_sub = std::find(sub_verbs.begin(), sub_verbs.end(), sub) != sub_verbs.end() &&
                  (line.size() == 2 || looks_like_followup_ref(line.word(2)));
    return is_sub ? handle_change(ctx, line, sub) : handle_add(ctx, line);
}

decision handle_followups(const context& ctx, const command_line& line) {
    static const std::string usage_text = "`/incident followups [INC-n|mine|open|overdue]`";
    if (line.size() > 2) return fail(ctx, "`" + line.rest(2) + "` is more than `followups` takes. Write it as " + usage_text + ".");
    auto word = to_lower(line.word(1));
    std::vector<followup> all;
    std::string title;
    // A private incident's follow-ups are listed to its members only.
    std::map<std::int64_t, bool> visible;
    auto sees = [&](std::int64_t number) {
        auto it = visible.find(number);
        if (it == visible.end()) {
            auto inc = ctx.store.find(number);
            it = visible.emplace(number, !inc || can_see(ctx, *inc)).first;
        }
        return it->second;
    };
    auto keep_open = [&](auto pred) {
        for (auto& f : ctx.store.open_followups())
            if (pred(f) && sees(f.incident)) all.push_back(std::move(f));
    };
    std::optional<incident> here;
    if (word.empty() && !ctx.req.channel.empty()) here = ctx.store.find_by_channel(ctx.req.channel);
    if (!incident_ref_shape(word).empty() || here) {
        if (!here) {
            auto n = parse_incident_ref(word);
            if (n) here = ctx.store.find(*n);
            if (!here) return fail(ctx, incident_ref_shape(word) + " does not exist. `/incident list` shows the open ones.");
            if (!can_see(ctx, *here)) return fail(ctx, private_refusal(*here));
        }
        all = ctx.store.followups_of(here->number);
        title = "Follow-ups of " + here->id();
    } else if (word == "mine") {
        keep_open([&](const followup& f) { return f.owner == ctx.req.user; });
        title = "Your open follow-ups";
    } else if (word == "overdue") {
        keep_open([&](const followup& f) { return is_overdue(f, ctx.cfg.hours, ctx.now); });
        title = "Overdue follow-ups";
    } else if (word.empty() || word == "open") {
        keep_open([](const followup&) { return true; });
        title = "Open follow-ups";
    } else {
        return fail(ctx, "Unknown list `" + std::string(line.word(1)) + "`. Write it as " + usage_text + ".");
    }
    sort_for_listing(all);
    auto items = nlohmann::json::array();
    for (const auto& f : all) items.push_back(followup_view(ctx, f));
    auto render = [&](std::size_t k) {
        auto shown = nlohmann::json::array();
        for (std::size_t i = 0; i < k; ++i) shown.push_back(items[i]);
        nlohmann::json data = {{"title", title}, {"items", shown}, {"count", format_count(items.size())}};
        if (k < items.size()) data["more"] = format_count(items.size() - k);
        return ctx.tpl.render("followups", data);
    };
    // As many as one answer holds, saying how many more there are: the
    // largest k that fits, by bisection. A listed follow-up takes more than 32
    // characters, which bounds k, so a list of thousands costs a few renders
    // of a few hundred lines.
    std::size_t lo = 0, hi = std::min(items.size(), templates::max_blocks_text_chars / 32);
    if (hi == items.size() && templates::fits_in_blocks(render(hi))) lo = hi;
    while (lo < hi) {
        std::size_t mid = lo + (hi - lo + 1) / 2;
        if (templates::fits_in_blocks(render(mid))) lo = mid;
        else hi = mid - 1;
    }
    std::size_t k = lo;
    decision d;
    auto text = templates::fit_text(render(k));
    d.reply = {text, templates::blocks_for(text)};
    return d;
}

decision fire_followups(const context& ctx, const incident& inc) {
    decision d;
    const auto& hours = ctx.cfg.hours;
    for (auto& f : ctx.store.followups_of(inc.number)) {
        if (!f.remind_at || *f.remind_at > ctx.now) continue;
        if (!f.is_open() || !f.due) f.remind_at.reset();
        // Never at night: a reminder missed while warroom was down, or one
        // counted into the evening, waits for the morning and is said once.
        else if (auto opens = next_working_time(hours, ctx.now); opens > ctx.now) f.remind_at = opens;
        // The due date moved later since this was armed.
        else if (local_day(hours, ctx.now) < *f.due) f.remind_at = first_reminder(f, hours, ctx.now);
        else {
            auto view = followup_view(ctx, f);
            view["id"] = inc.id();
            day today = local_day(hours, ctx.now);
            auto days_late = (today - *f.due).count();
            view["late"] = days_late == 0 ? nlohmann::json()
                                          : nlohmann::json(std::to_string(days_late) + (days_late == 1 ? " day" : " days"));
            post(d, inc, ctx.render("followup_reminder", view));
            // After the channel's: the DM is extra (it needs im:write), the channel's is the one never lost.
            if (ctx.cfg.followup_dm && !f.owner.empty()) {
                view["channel"] = channel_link(inc);
                direct_message(d, inc, f.owner, ctx.render("followup_reminder_dm", view));
            }
            // Counted from now, so reminders missed while warroom was down are said once.
            f.remind_at = next_working_time(hours, ctx.now + ctx.cfg.followup_nag);
        }
        d.followups.push_back(std::move(f));
    }
    return d;
}

namespace {

// Overdue first (the longest overdue first), then the soonest due, none last.
void sort_by_urgency(std::vector<followup>& all) {
    std::stable_sort(all.begin(), all.end(), [](const followup& a, const followup& b) {
        if (a.due.has_value() != b.due.has_value()) return a.due.has_value();
        return a.due && *a.due < *b.due;
    });
}

// Enough to act on in one message; the rest are a command away.
constexpr std::size_t max_digest_items = 60;
constexpr std::size_t max_home_items = 30;

}  // namespace

void direct_message(decision& d, const incident& inc, std::string user, message body) {
    action a;
    a.kind = action_kind::direct_message;
    a.incident = inc.number;
    a.users.push_back(std::move(user));
    a.body = std::move(body);
    d.actions.push_back(std::move(a));
}

decision followup_digest(const context& ctx) {
    decision d;
    const auto& hours = ctx.cfg.hours;
    d.next_digest = next_weekly(hours, ctx.cfg.followup_digest_at, ctx.now);
    if (ctx.cfg.followup_digest_channel.empty()) return d;
    auto open = ctx.store.open_followups();
    // The digest channel is shared: a private incident's follow-ups stay with its members.
    std::map<std::int64_t, bool> private_incident;
    std::erase_if(open, [&](const followup& f) {
        auto [at, fresh] = private_incident.try_emplace(f.incident, false);
        if (fresh) {
            auto inc = ctx.store.find(f.incident);
            at->second = inc && inc->is_private;
        }
        return at->second;
    });
    if (open.empty()) return d;  // a weekly "nothing" is noise
    sort_by_urgency(open);
    auto overdue_items = nlohmann::json::array(), open_items = nlohmann::json::array();
    std::size_t overdue = 0, shown = 0;
    for (const auto& f : open) {
        bool late = is_overdue(f, hours, ctx.now);
        overdue += late ? 1 : 0;
        if (shown == max_digest_items) continue;
        ++shown;
        (late ? overdue_items : open_items).push_back(followup_view(ctx, f));
    }
    nlohmann::json data = {{"open", format_count(open.size())},
                           {"overdue", format_count(overdue)},
                           {"updated", format_time(ctx.now)},
                           {"has_overdue", !overdue_items.empty()},
                           {"has_open", !open_items.empty()},
                           {"overdue_items", overdue_items},
                           {"open_items", open_items}};
    if (shown < open.size()) data["more"] = format_count(open.size() - shown);
    action a;
    a.kind = action_kind::post;
    a.channel = ctx.cfg.followup_digest_channel;
    a.body = ctx.render("followup_digest", data);
    d.actions.push_back(std::move(a));
    return d;
}

nlohmann::json home_followups(const context& ctx, const std::string& viewer) {
    std::vector<followup> mine;
    for (auto& f : ctx.store.open_followups())
        if (f.owner == viewer) mine.push_back(std::move(f));
    sort_by_urgency(mine);
    auto items = nlohmann::json::array();
    for (std::size_t i = 0; i < mine.size() && i < max_home_items; ++i) items.push_back(followup_view(ctx, mine[i]));
    nlohmann::json out = {{"items", items}, {"count", format_count(mine.size())}};
    if (mine.size() > max_home_items) out["more"] = format_count(mine.size() - max_home_items);
    return out;
}

}  // namespace warroom::commands
