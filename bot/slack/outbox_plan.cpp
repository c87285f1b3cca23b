#include "bot/slack/outbox_plan.hpp"

#include "bot/slack/block_kit.hpp"
#include "commands/text.hpp"

#include <algorithm>

namespace warroom::slack {

using json = nlohmann::json;
using commands::action_kind;

namespace {

// A taken name gets -2, -3, ... up to this: someone may have made channels by hand.
constexpr int max_name_tries = 50;
constexpr int max_list_pages = 100;

// Slack IDs are upper case (C…, G…, D…); channel names are always lower case.
bool looks_like_id(const std::string& s) {
    if (s.size() < 2 || (s[0] != 'C' && s[0] != 'G' && s[0] != 'D')) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

std::vector<std::string> unique_users(const std::vector<std::string>& users) {
    std::vector<std::string> out;
    for (const auto& u : users)
        if (!u.empty() && std::find(out.begin(), out.end(), u) == out.end()) out.push_back(u);
    return out;
}

std::string comma_list(const std::vector<std::string>& users) {
    std::string out;
    for (const auto& u : users) {
        if (!out.empty()) out += ',';
        out += u;
    }
    return out;
}

// Errors about one user of an invite, not about the call.
bool about_a_user(const std::string& error) {
    return error == "already_in_channel" || error == "cant_invite_self" || error == "user_not_found" ||
           error == "cant_invite";
}

bool blocks_refused(const api_result& r) {
    return !r.ok && (r.error == "invalid_blocks" || r.error == "msg_blocks_too_long");
}

const std::string never_created = "the incident channel was never created";

}  // namespace

outbox_outcome outbox_outcome::dead_end(std::string why) {
    outbox_outcome o;
    o.result = dead;
    o.error = std::move(why);
    return o;
}

outbox_outcome outbox_outcome::failed(const api_result& r) {
    outbox_outcome o;
    o.error = r.error;
    o.retry_after = r.retry_after;
    o.paced = r.paced;
    switch (classify(r)) {
        case failure_kind::none: o.result = delivered; break;
        case failure_kind::permanent: o.result = dead; break;
        default: o.result = retry; break;
    }
    return o;
}

outbox_plan::outbox_plan(outbox_job job, const commands::incident* inc, workspace_cache& ws)
    : job_(std::move(job)), inc_(inc), ws_(ws) {
    start();
}

std::vector<plan_note> outbox_plan::take_notes() {
    auto out = std::move(notes_);
    notes_.clear();
    return out;
}

void outbox_plan::ask(phase p, std::string method, json args) {
    phase_ = p;
    step_ = plan_step{};
    step_.kind = plan_step::call;
    step_.method = std::move(method);
    step_.args = std::move(args);
}

void outbox_plan::finish(outbox_outcome o) {
    if (job_.act.kind == action_kind::create_channel) {
        // Even when the invite failed: the channel exists and is recorded with the outcome.
        o.channel_id = made_id_;
        o.channel_name = made_name_;
    }
    if (o.result == outbox_outcome::delivered && !o.posted_ts.empty()) ws_.thread_ts[job_.id] = o.posted_ts;
    phase_ = phase::done;
    step_ = plan_step{};
    step_.kind = plan_step::done;
    step_.outcome = std::move(o);
}

void outbox_plan::note(plan_note::level_t level, std::string text) { notes_.push_back({level, std::move(text)}); }

void outbox_plan::start() {
    switch (job_.act.kind) {
        case action_kind::create_channel:
            if (!inc_) return finish(outbox_outcome::dead_end("incident not found"));
            if (inc_->channel_id.empty()) return try_name(1);
            return start_invite(inc_->channel_id);
        case action_kind::post: return start_post();
        case action_kind::update_summary: return start_update();
        case action_kind::direct_message: return start_direct_message();
        case action_kind::archive_channel:
        case action_kind::unarchive_channel: return start_archive();
        default: break;
    }
    // invite and set_topic go to the incident's own channel.
    if (!inc_ || inc_->channel_id.empty()) return finish(outbox_outcome::dead_end(never_created));
    if (job_.act.kind == action_kind::invite) return start_invite(inc_->channel_id);
    channel_ = inc_->channel_id;
    ask(phase::topic, "conversations.setTopic", json{{"channel", channel_}, {"topic", job_.act.topic}});
}

void outbox_plan::on_result(const api_result& r) {
    switch (phase_) {
        case phase::create: return on_created(r);
        case phase::who_am_i:
            if (!r.ok) return finish(outbox_outcome::failed(r));
            ws_.bot_user = r.body.value("user_id", "");
            return start_list(after_list::adopt);
        case phase::list: return on_listed(r);
        case phase::invite_all:
        case phase::invite_one: return on_invited(r);
        case phase::topic:
            if (!r.ok && r.error == "not_in_channel" && !joined_) {
                joined_ = true;
                return ask(phase::topic_join, "conversations.join", json{{"channel", channel_}});
            }
            return finish(r.ok ? outbox_outcome{} : outbox_outcome::failed(r));
        case phase::topic_join:
            // Whether the join worked shows in the second try.
            return ask(phase::topic, "conversations.setTopic", json{{"channel", channel_}, {"topic", job_.act.topic}});
        case phase::post: return on_posted(r);
        case phase::post_join: return ask(phase::post, "chat.postMessage", args_);
        case phase::pin:
            // The message is out; a missing pin is not worth posting it twice.
            if (!r.ok && r.error != "already_pinned") note(plan_note::warn, "could not pin: " + r.error);
            return finish(pending_);
        case phase::update: return on_updated(r);
        case phase::dm_open: return on_dm_opened(r);
        case phase::archive: return on_archived(r);
        case phase::archive_join:
            return ask(phase::archive, "conversations.archive", json{{"channel", channel_}});
        case phase::save:
        case phase::thread:
        case phase::done: break;
    }
}

// --- create_channel -------------------------------------------------------

void outbox_plan::try_name(int n) {
    if (n > max_name_tries) return finish(outbox_outcome::dead_end("no free channel name"));
    name_try_ = n;
    trying_ = n == 1 ? inc_->channel_name : commands::channel_name_variant(inc_->channel_name, n);
    // A private incident's channel is private from the start: a public one made
    // private later would have been visible (and joinable) in between.
    ask(phase::create, "conversations.create", json{{"name", trying_}, {"is_private", inc_->is_private}});
}

void outbox_plan::on_created(const api_result& r) {
    if (r.ok) {
        made_id_ = r.body.value("/channel/id"_json_pointer, "");
        made_name_ = r.body.value("/channel/name"_json_pointer, trying_);
        note(plan_note::info, "created #" + made_name_ + " (" + made_id_ + ") for INC-" + std::to_string(inc_->number));
    } else if (r.error != "name_taken") {
        return finish(outbox_outcome::failed(r));
    } else {
        // Taken by us? A create whose answer was lost (timeout, crash) made
        // the channel already: adopt it instead of making a second one.
        if (ws_.bot_user.empty()) return ask(phase::who_am_i, "auth.test", json::object());
        return start_list(after_list::adopt);
    }
    // Saved before anything else can fail, so a retry invites instead of creating again.
    phase_ = phase::save;
    step_ = plan_step{};
    step_.kind = plan_step::save_channel;
    step_.channel_id = made_id_;
    step_.channel_name = made_name_;
}

void outbox_plan::on_channel_saved() {
    if (phase_ == phase::save) start_invite(made_id_);
}

// --- the channel list (adopting a channel, resolving a configured name) ----

void outbox_plan::start_list(after_list then) {
    after_ = then;
    cursor_.clear();
    page_ = 0;
    ask(phase::list, "conversations.list",
        json{{"types", "public_channel,private_channel"}, {"exclude_archived", true}, {"limit", 1000}});
}

void outbox_plan::on_listed(const api_result& r) {
    if (!r.ok) return finish(outbox_outcome::failed(r));
    // One walk through the list fills the cache for every configured channel.
    for (const auto& c : r.body.value("channels", json::array())) {
        if (!c.is_object() || !c.contains("name") || !c.contains("id") || !c["name"].is_string() ||
            !c["id"].is_string())
            continue;
        auto name = c["name"].get<std::string>();
        ws_.channel_ids[name] = c["id"].get<std::string>();
        if (!ws_.bot_user.empty() && c.value("creator", "") == ws_.bot_user) ws_.made_by_us.insert(name);
    }
    cursor_ = r.body.value("/response_metadata/next_cursor"_json_pointer, "");
    if (!cursor_.empty() && ++page_ < max_list_pages) {
        json args{{"types", "public_channel,private_channel"}, {"exclude_archived", true}, {"limit", 1000},
                  {"cursor", cursor_}};
        return ask(phase::list, "conversations.list", std::move(args));
    }
    auto found = ws_.channel_ids.find(after_ == after_list::adopt ? trying_ : wanted_);
    if (after_ == after_list::resolve) {
        if (found == ws_.channel_ids.end())
            return finish(outbox_outcome::dead_end("channel_not_found: no channel named #" + wanted_));
        return post_to(found->second);
    }
    if (found == ws_.channel_ids.end() || !ws_.made_by_us.count(trying_)) return try_name(name_try_ + 1);
    note(plan_note::info, "#" + trying_ + " already exists and warroom made it: adopting it for INC-" +
                              std::to_string(inc_->number));
    made_id_ = found->second;
    made_name_ = trying_;
    phase_ = phase::save;
    step_ = plan_step{};
    step_.kind = plan_step::save_channel;
    step_.channel_id = made_id_;
    step_.channel_name = made_name_;
}

// --- invite -----------------------------------------------------------------

void outbox_plan::start_invite(const std::string& channel) {
    channel_ = channel;
    users_ = unique_users(job_.act.users);
    if (users_.empty()) return finish(outbox_outcome{});
    ask(phase::invite_all, "conversations.invite", json{{"channel", channel_}, {"users", comma_list(users_)}});
}

void outbox_plan::on_invited(const api_result& r) {
    if (r.ok) return phase_ == phase::invite_all ? finish(outbox_outcome{}) : invite_next();
    if (!about_a_user(r.error)) return finish(outbox_outcome::failed(r));
    if (phase_ == phase::invite_all && users_.size() > 1) {
        // Slack refuses the whole list for one bad user: invite the rest one by one.
        next_user_ = 0;
        return invite_next();
    }
    // Already there, or the bot itself: the goal is met. Unknown users cannot be helped.
    if (r.error == "user_not_found" || r.error == "cant_invite") {
        const auto& who = phase_ == phase::invite_all ? users_.front() : users_[next_user_ - 1];
        note(plan_note::warn, "could not invite " + who + " to " + channel_ + ": " + r.error);
    }
    if (phase_ == phase::invite_all) return finish(outbox_outcome{});
    invite_next();
}

void outbox_plan::invite_next() {
    if (next_user_ >= users_.size()) return finish(outbox_outcome{});
    const auto& user = users_[next_user_++];
    ask(phase::invite_one, "conversations.invite", json{{"channel", channel_}, {"users", user}});
}

// --- post -------------------------------------------------------------------

void outbox_plan::start_post() {
    if (job_.act.channel.empty()) {
        if (!inc_ || inc_->channel_id.empty()) return finish(outbox_outcome::dead_end(never_created));
        return post_to(inc_->channel_id);
    }
    std::string name = job_.act.channel;
    if (name.starts_with('#')) name.erase(0, 1);
    if (looks_like_id(name)) return post_to(name);
    if (auto it = ws_.channel_ids.find(name); it != ws_.channel_ids.end()) return post_to(it->second);
    wanted_ = name;
    start_list(after_list::resolve);
}

void outbox_plan::post_to(const std::string& channel) {
    channel_ = channel;
    args_ = post_args(channel, job_.act.body);
    args_["unfurl_links"] = false;
    if (!job_.thread_of) return send_post("");
    // A later part of a long message: in the thread of its first part.
    if (auto it = ws_.thread_ts.find(job_.thread_of); it != ws_.thread_ts.end()) return send_post(it->second);
    phase_ = phase::thread;
    step_ = plan_step{};
    step_.kind = plan_step::find_thread_head;
    step_.head = job_.thread_of;
}

void outbox_plan::on_thread_head(const std::optional<std::string>& ts) {
    if (phase_ != phase::thread) return;
    if (!ts) {
        outbox_outcome wait;
        wait.result = outbox_outcome::retry;
        wait.error = "waiting for the first part (outbox #" + std::to_string(job_.thread_of) + ")";
        return finish(std::move(wait));
    }
    // "": the first part never reached Slack; this part goes to the channel itself, not lost.
    send_post(*ts);
}

void outbox_plan::send_post(const std::string& head_ts) {
    if (!head_ts.empty()) args_["thread_ts"] = head_ts;
    ask(phase::post, "chat.postMessage", args_);
}

void outbox_plan::on_posted(const api_result& r) {
    if (!r.ok && r.error == "not_in_channel" && !joined_ && !text_only_) {
        joined_ = true;
        return ask(phase::post_join, "conversations.join", json{{"channel", channel_}});
    }
    if (blocks_refused(r) && !text_only_ && args_.contains("blocks")) {
        // The words matter more than the layout: send the fallback text alone.
        text_only_ = true;
        note(plan_note::warn, "blocks refused (" + r.error + "); posting the text alone");
        args_.erase("blocks");
        return ask(phase::post, "chat.postMessage", args_);
    }
    if (!r.ok && r.error == "channel_not_found") {
        // A cached ID of a channel since deleted: the next post looks the name up again.
        std::erase_if(ws_.channel_ids, [&](const auto& kv) { return kv.second == channel_; });
    }
    if (!r.ok) return finish(outbox_outcome::failed(r));
    outbox_outcome posted;
    auto ts = r.body.value("ts", "");
    if (job_.thread_head) posted.posted_ts = ts;
    if (!job_.act.pin) return finish(std::move(posted));
    // The pinned post is the incident's summary: its ts is recorded with the
    // post's "delivered", in the same commit, so later edits (and a restart)
    // find it, and a post that is retried was never recorded as the summary.
    if (job_.act.incident && job_.act.channel.empty() && !ts.empty()) posted.summary_ts = ts;
    pending_ = std::move(posted);
    ask(phase::pin, "pins.add", json{{"channel", r.body.value("channel", channel_)}, {"timestamp", ts}});
}

// --- update_summary ---------------------------------------------------------

void outbox_plan::start_update() {
    if (!inc_ || inc_->summary_ts.empty()) {
        // Declared before schema 3, or its summary post died (that one is already a
        // dead letter): there is no message to edit, and one more dead letter per
        // change would only bury the real failure.
        note(plan_note::info, "INC-" + std::to_string(job_.act.incident) +
                                  " has no pinned summary warroom knows of; skipped");
        return finish(outbox_outcome{});
    }
    if (inc_->channel_id.empty()) return finish(outbox_outcome::dead_end(never_created));
    channel_ = inc_->channel_id;
    args_ = update_args(inc_->channel_id, inc_->summary_ts, job_.act.body);
    ask(phase::update, "chat.update", args_);
}

void outbox_plan::on_updated(const api_result& r) {
    if (blocks_refused(r) && !text_only_ && !args_["blocks"].empty()) {
        text_only_ = true;
        note(plan_note::warn, "blocks refused (" + r.error + "); updating with the text alone");
        args_["blocks"] = json::array();
        return ask(phase::update, "chat.update", args_);
    }
    // message_not_found, cant_update_message, channel_not_found: permanent (classify), a dead letter.
    finish(r.ok ? outbox_outcome{} : outbox_outcome::failed(r));
}

// --- direct_message ---------------------------------------------------------

void outbox_plan::start_direct_message() {
    if (job_.act.users.empty() || job_.act.users.front().empty())
        return finish(outbox_outcome::dead_end("a direct message to nobody"));
    // Said once when found: every reminder also went to the incident's channel.
    if (ws_.no_direct_messages) return finish(outbox_outcome{});
    ask(phase::dm_open, "conversations.open", json{{"users", job_.act.users.front()}});
}

void outbox_plan::on_dm_opened(const api_result& r) {
    if (!r.ok && r.error == "missing_scope") {
        ws_.no_direct_messages = true;
        note(plan_note::warn,
             "Slack refused a direct message (missing_scope: the app lacks im:write); follow-up reminders go to the "
             "incident channels only until warroom restarts with the scope (or set followup_dm = false)");
        return finish(outbox_outcome{});
    }
    if (!r.ok) return finish(outbox_outcome::failed(r));
    auto channel = r.body.value("/channel/id"_json_pointer, "");
    if (channel.empty()) return finish(outbox_outcome::dead_end("conversations.open gave no channel"));
    post_to(channel);
}

// --- archive_channel / unarchive_channel ----------------------------------

void outbox_plan::start_archive() {
    if (!inc_ || inc_->channel_id.empty()) return finish(outbox_outcome::dead_end(never_created));
    channel_ = inc_->channel_id;
    bool archive = job_.act.kind == action_kind::archive_channel;
    ask(phase::archive, archive ? "conversations.archive" : "conversations.unarchive", json{{"channel", channel_}});
}

void outbox_plan::on_archived(const api_result& r) {
    bool archive = job_.act.kind == action_kind::archive_channel;
    // The goal already met (a retry after a lost answer, or someone did it by hand).
    if (!r.ok && r.error == (archive ? "already_archived" : "not_archived")) return finish(outbox_outcome{});
    // A public channel the bot was removed from: it joins and archives; a
    // private one it cannot join, nor can it unarchive what it is not in.
    if (archive && !r.ok && r.error == "not_in_channel" && !joined_ && !inc_->is_private) {
        joined_ = true;
        return ask(phase::archive_join, "conversations.join", json{{"channel", channel_}});
    }
    finish(r.ok ? outbox_outcome{} : outbox_outcome::failed(r));
}

}  // namespace warroom::slack
