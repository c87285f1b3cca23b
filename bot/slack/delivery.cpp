// The outbox worker. Each action becomes one or a few Web API calls; the
// result is written back so a restart resumes exactly where this left off.
#include "bot/slack/delivery.hpp"

#include "bot/db_worker.hpp"
#include "bot/slack/block_kit.hpp"
#include "commands/text.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <set>
#include <stdexcept>

namespace warroom::bot {

namespace asio = boost::asio;
using json = nlohmann::json;
using commands::time_point;

struct delivery::outcome {
    enum { delivered, retry, dead } result = delivered;
    std::string error;
    std::optional<std::chrono::seconds> retry_after;  // Slack's 429 said when
    bool paced = false;                               // not sent yet, to keep Slack's pace
    std::optional<time_point> retry_at;               // decided by record()
    // create_channel: what Slack made, persisted at once so a retry never creates twice.
    std::string channel_id, channel_name;
    // The pinned summary's ts, stored with the post's "delivered" in one transaction.
    std::string summary_ts;
    // A thread head's ts, stored likewise, for the parts that follow in its thread.
    std::string posted_ts;

    static outcome dead_end(std::string why) {
        outcome o;
        o.result = dead;
        o.error = std::move(why);
        return o;
    }
    static outcome fail(const slack::api_result& r) {
        outcome o;
        o.error = r.error;
        o.retry_after = r.retry_after;
        o.paced = r.paced;
        switch (slack::classify(r)) {
            case slack::failure_kind::none: o.result = delivered; break;
            case slack::failure_kind::permanent: o.result = dead; break;
            default: o.result = retry; break;
        }
        return o;
    }
};

namespace {

// Slack IDs are upper case (C…, G…, D…); channel names are always lower case.
bool looks_like_id(const std::string& s) {
    if (s.size() < 2 || (s[0] != 'C' && s[0] != 'G' && s[0] != 'D')) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); });
}

std::string join_users(const std::vector<std::string>& users) {
    std::set<std::string> seen;
    std::string out;
    for (const auto& u : users) {
        if (u.empty() || !seen.insert(u).second) continue;
        if (!out.empty()) out += ',';
        out += u;
    }
    return out;
}

std::string describe(const storage::outbox_entry& e) {
    return storage::describe_action(e) + " (outbox #" + std::to_string(e.id) + ", attempt " +
           std::to_string(e.attempts + 1) + ")";
}

}  // namespace

delivery::delivery(const asio::any_io_executor& ex, db_worker& db, slack::web_client& slack, metrics& m,
                   const clock& clk, delivery_options opts)
    : db_(db), slack_(slack), metrics_(m), clock_(clk), opts_(opts), wake_(ex), pace_(ex), limiter_(opts.pace_speed),
      reach_(slack::reachability::options{opts.probe_every, std::chrono::seconds(60)}) {}

asio::awaitable<slack::api_result> delivery::call(std::string_view method, const json& args, bool probing) {
    using steady = std::chrono::steady_clock;
    std::string channel = args.contains("channel") && args["channel"].is_string() ? args["channel"].get<std::string>() : "";
    auto wait = limiter_.wait(method, channel, steady::now());
    if (wait > opts_.max_inline_wait) {
        // Too long to hold the whole queue: this action waits, the others go on.
        slack::api_result later;
        later.error = "ratelimited";
        later.paced = true;
        later.retry_after = std::chrono::ceil<std::chrono::seconds>(wait);
        co_return later;
    }
    if (wait > steady::duration::zero()) {
        pace_.expires_after(wait);
        co_await pace_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    limiter_.spend(method, channel, steady::now());
    // Methods are string literals: a view keeps temporaries out of the co_await.
    auto r = co_await slack_.call(method, args);
    if (r.retry_after) limiter_.pause(method, steady::now() + *r.retry_after);
    metrics_.count_api_call(std::string(method), r.ok ? "ok" : r.error);
    if (!probing) reach_.on_result(slack::classify(r), r.error, clock_.now());
    if (slack::classify(r) == slack::failure_kind::auth) {
        if (auth_error_.empty())
            spdlog::error("Slack rejected the bot token ({}): delivery is paused until it is fixed; check SLACK_BOT_TOKEN",
                          r.error);
        auth_error_ = r.error;
    } else if (r.answered && !r.error.starts_with("http_") && r.error != "ratelimited") {
        auth_error_.clear();
    }
    co_return r;
}

// What the loop waits for after a round.
struct delivery::pause {
    enum { none, wake, pace } how = none;
    std::chrono::seconds wait{0};
};

// A round that throws (the database refused a read or a write) ends there:
// what it did not record stays pending and is tried again, so the loop only
// backs off and goes on. Nothing but stop() ends it.
asio::awaitable<void> delivery::run() {
    while (!stopping_) {
        pause next;
        std::string failure;
        try {
            next = co_await round();
        } catch (const std::exception& ex) {
            failure = *ex.what() ? ex.what() : "unknown error";
        } catch (...) {
            failure = "unknown error";
        }
        auto now = clock_.now();
        if (!failure.empty()) {
            auto f = health_.failed(failure, now);
            if (f.first)
                spdlog::error("outbox delivery failed: {}; retrying with backoff (pending actions stay queued)",
                              failure);
            next.how = pause::pace;
            next.wait = f.wait;
        } else if (auto since = health_.succeeded()) {
            spdlog::info("outbox delivery works again after {}", commands::format_duration(now - *since));
        }
        if (stopping_) break;
        if (next.how == pause::wake) {
            co_await wake_.sleep_for(next.wait);
        } else if (next.how == pause::pace) {
            // Not cut short by new commands: only stop() ends this wait.
            pace_.expires_after(next.wait);
            co_await pace_.async_wait(asio::as_tuple(asio::use_awaitable));
        }
    }
}

// Asks Slack whether it answers again; if it does, what backed off goes now.
asio::awaitable<void> delivery::probe() {
    json none = json::object();
    // Through call(): Slack's pace, a 429's pause and a rejected token apply to it too.
    auto r = co_await call("auth.test", none, true);
    auto now = clock_.now();
    if (!reach_.on_probe(slack::classify(r), r.error, now)) co_return;
    auto released = co_await db_.run(&store_ops::retry_backed_off, now);
    spdlog::info("slack: answers again (failing since {}): {} queued action(s) go now",
                 commands::format_time(reach_.failing_since().value_or(now)), released);
}

asio::awaitable<delivery::pause> delivery::round() {
    auto now = clock_.now();
    if (auth_error_.empty() && reach_.probe_due(now)) {
        co_await probe();
        now = clock_.now();
    }
    store_ops::outbox_round w = co_await db_.run(&store_ops::read_outbox_round, now, opts_.batch);
    if (w.entries.empty()) {
        auto wait = w.next ? std::chrono::duration_cast<std::chrono::seconds>(*w.next - now) : std::chrono::seconds(60);
        // A failing Slack is asked again on time even when nothing else is due.
        if (auto probe_at = reach_.next_probe(); probe_at && auth_error_.empty())
            wait = std::min(wait, std::chrono::duration_cast<std::chrono::seconds>(*probe_at - now));
        co_return pause{pause::wake, std::clamp(wait, std::chrono::seconds(1), std::chrono::seconds(60))};
    }
    std::set<std::int64_t> held;  // incidents whose earlier action failed in this round
    std::optional<std::chrono::seconds> paced_for;  // the shortest wait Slack's pace asked for
    for (const auto& e : w.entries) {
        if (stopping_) break;
        if (e.act.incident && held.count(e.act.incident)) continue;
        if (w.superseded.count(e.id)) {
            // Not sent: a newer update of the same summary follows it in the queue.
            spdlog::debug("slack: {} superseded by a newer summary update; not sent", describe(e));
            superseded_.push_back(e.id);
            continue;
        }
        auto it = w.incidents.find(e.act.incident);
        commands::incident* inc = it == w.incidents.end() ? nullptr : &it->second;
        outcome o;
        if (!auth_error_.empty()) {
            // Nothing will get through with a rejected token: wait, do not burn attempts on it.
            o.result = outcome::retry;
            o.error = auth_error_;
        } else {
            o = co_await deliver(e, inc);
        }
        if (o.result != outcome::delivered && e.act.incident) held.insert(e.act.incident);
        if (o.paced && o.retry_after) paced_for = std::min(paced_for.value_or(*o.retry_after), *o.retry_after);
        if (inc && !o.channel_id.empty()) {
            inc->channel_id = o.channel_id;
            inc->channel_name = o.channel_name;
        }
        co_await record(e, o);
    }
    co_await flush_round();
    if (!auth_error_.empty()) co_return pause{pause::wake, opts_.auth_recheck};
    if (paced_for) {
        // Everything left waits for Slack's pace: reading the queue again
        // before a call may go would only spin through the backlog, so new
        // commands do not cut this wait short (only stop() does).
        co_return pause{pause::pace, std::clamp(*paced_for, std::chrono::seconds(1), std::chrono::seconds(5))};
    }
    co_return pause{};
}

// The round's paced deferrals and superseded summary updates, in one transaction.
asio::awaitable<void> delivery::flush_round() {
    if (deferrals_.empty() && superseded_.empty()) co_return;
    auto batch = std::move(deferrals_);
    auto superseded = std::move(superseded_);
    deferrals_.clear();
    superseded_.clear();
    try {
        co_await db_.run(&store_ops::settle_round, std::move(batch), std::move(superseded), clock_.now());
    } catch (const std::exception& ex) {
        // They stay due: paced again, or superseded again, next round.
        spdlog::error("slack: could not record paced or superseded actions: {}", ex.what());
    }
}

asio::awaitable<void> delivery::record(const storage::outbox_entry& e, const outcome& o) {
    auto now = clock_.now();
    outcome final = o;
    if (o.result == outcome::retry && o.paced) {
        // Written with the round's other deferrals in one transaction (one fsync, not fifty).
        deferrals_.emplace_back(e.id, now + *o.retry_after);
        co_return;
    }
    if (o.result == outcome::retry) {
        static thread_local std::mt19937 rng{std::random_device{}()};
        slack::attempt a;
        a.kind = !auth_error_.empty()   ? slack::failure_kind::auth
                 : o.retry_after        ? slack::failure_kind::rate_limited
                                        : slack::failure_kind::transient;
        a.retry_after = o.retry_after;
        a.failed_before = e.attempts;
        a.age = std::chrono::duration_cast<std::chrono::seconds>(now - e.created_at);
        a.jitter = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
        slack::retry_policy policy;
        policy.max_backoff = opts_.max_backoff;
        policy.give_up_after = opts_.give_up_after;
        policy.auth_recheck = opts_.auth_recheck;
        auto step = slack::next_step(a, now, policy);
        if (step.kind == slack::outbox_step::dead) {
            final.result = outcome::dead;
            final.error = o.error + " (gave up after " + commands::format_duration(now - e.created_at) + ")";
        } else {
            final.retry_at = step.retry_at;
        }
    }
    bool slack_is_back = final.result == outcome::delivered && slack_failing_;
    bool failing_after = final.result == outcome::delivered ? false
                         : final.result == outcome::retry && !o.retry_after && auth_error_.empty() ? true
                                                                                                    : slack_failing_;
    switch (final.result) {
        case outcome::delivered: last_delivered_ = now; break;
        case outcome::retry:
            if (auth_error_.empty())
                spdlog::warn("slack: {} failed: {}; retrying at {}", describe(e), final.error,
                             commands::format_time(*final.retry_at));
            break;
        case outcome::dead: spdlog::error("slack: {} failed for good: {}; see `warroom outbox`", describe(e), final.error); break;
    }
    try {
        if (!final.posted_ts.empty()) thread_ts_[e.id] = final.posted_ts;
        store_ops::delivery_outcome written;
        written.result = final.result == outcome::delivered ? store_ops::delivery_outcome::delivered
                         : final.result == outcome::retry   ? store_ops::delivery_outcome::retry
                                                            : store_ops::delivery_outcome::dead;
        written.id = e.id;
        written.incident = e.act.incident;
        written.error = final.error;
        written.retry_at = final.retry_at;
        written.channel_id = final.channel_id;
        written.channel_name = final.channel_name;
        written.summary_ts = final.summary_ts;
        written.posted_ts = final.posted_ts;
        written.slack_is_back = slack_is_back;
        written.now = now;
        co_await db_.run(&store_ops::record_outcome, std::move(written));
        // Only once written: a release that was not committed is still owed.
        slack_failing_ = failing_after;
    } catch (const std::exception& ex) {
        // The action stays pending and is tried again: at-least-once, never lost.
        // The round ends here: whatever it delivered next could not be recorded
        // either, and would only be sent twice.
        throw std::runtime_error("could not record the outcome of " + describe(e) + ": " + ex.what());
    }
}

asio::awaitable<delivery::outcome> delivery::deliver(const storage::outbox_entry& e, commands::incident* inc) {
    using commands::action_kind;
    if (e.act.kind == action_kind::create_channel) {
        if (!inc) co_return outcome::dead_end("incident not found");
        co_return co_await create_channel(e, *inc);
    }
    if (e.act.kind == action_kind::post) co_return co_await post(e, inc);
    if (e.act.kind == action_kind::update_summary) co_return co_await update_summary(e, inc);
    // invite and set_topic go to the incident's own channel.
    if (!inc || inc->channel_id.empty())
        co_return outcome::dead_end("the incident channel was never created");
    if (e.act.kind == action_kind::invite) co_return co_await invite(inc->channel_id, e.act.users);
    co_return co_await set_topic(inc->channel_id, e.act.topic);
}

asio::awaitable<delivery::outcome> delivery::create_channel(const storage::outbox_entry& e, commands::incident& inc) {
    outcome made;
    if (inc.channel_id.empty()) {
        // A taken name gets -2, -3, ...: someone may have made a channel by hand.
        for (int n = 1; n <= 50; ++n) {
            std::string name = n == 1 ? inc.channel_name : commands::channel_name_variant(inc.channel_name, n);
            json args1{{"name", name}, {"is_private", false}};
            auto r = co_await call("conversations.create", args1);
            if (r.ok) {
                made.channel_id = r.body.value("/channel/id"_json_pointer, "");
                made.channel_name = r.body.value("/channel/name"_json_pointer, name);
                break;
            }
            if (r.error != "name_taken") co_return outcome::fail(r);
            // Taken by us? A create whose answer was lost (timeout, crash) made
            // the channel already: adopt it instead of making a second one.
            outcome lookup_failed;
            auto mine = co_await own_channel_named(name, lookup_failed);
            if (lookup_failed.result != outcome::delivered) co_return lookup_failed;
            if (mine) {
                spdlog::info("slack: #{} already exists and warroom made it: adopting it for INC-{}", name, inc.number);
                made.channel_id = *mine;
                made.channel_name = name;
                break;
            }
        }
        if (made.channel_id.empty()) co_return outcome::dead_end("no free channel name");
        spdlog::info("slack: created #{} ({}) for INC-{}", made.channel_name, made.channel_id, inc.number);
        // Saved before anything else can fail, so a retry invites instead of creating again.
        auto channel_id = made.channel_id;
        auto channel_name = made.channel_name;
        co_await db_.run(&store_ops::set_channel, inc.number, std::move(channel_id), std::move(channel_name));
        inc.channel_id = made.channel_id;
        inc.channel_name = made.channel_name;
    }
    auto invited = co_await invite(inc.channel_id, e.act.users);
    invited.channel_id = made.channel_id;
    invited.channel_name = made.channel_name;
    co_return invited;
}

asio::awaitable<delivery::outcome> delivery::invite(const std::string& channel, const std::vector<std::string>& users) {
    auto list = join_users(users);
    if (list.empty()) co_return outcome{};
    json args2{{"channel", channel}, {"users", list}};
    auto r = co_await call("conversations.invite", args2);
    if (r.ok) co_return outcome{};
    bool about_a_user = r.error == "already_in_channel" || r.error == "cant_invite_self" ||
                        r.error == "user_not_found" || r.error == "cant_invite";
    if (!about_a_user) co_return outcome::fail(r);
    // Slack refuses the whole list for one bad user: invite the rest one by one.
    if (list.find(',') != std::string::npos) {
        for (const auto& user : users) {
            std::vector<std::string> one{user};
            auto single = co_await invite(channel, one);
            if (single.result != outcome::delivered) co_return single;
        }
        co_return outcome{};
    }
    // Already there, or the bot itself: the goal is met. Unknown users cannot be helped.
    if (r.error == "user_not_found" || r.error == "cant_invite")
        spdlog::warn("slack: could not invite {} to {}: {}", list, channel, r.error);
    co_return outcome{};
}

asio::awaitable<delivery::outcome> delivery::set_topic(const std::string& channel, const std::string& topic) {
    json args3{{"channel", channel}, {"topic", topic}};
    auto r = co_await call("conversations.setTopic", args3);
    if (!r.ok && r.error == "not_in_channel") {
        json args4{{"channel", channel}};
        co_await call("conversations.join", args4);
        json args5{{"channel", channel}, {"topic", topic}};
        r = co_await call("conversations.setTopic", args5);
    }
    co_return r.ok ? outcome{} : outcome::fail(r);
}

asio::awaitable<std::optional<std::string>> delivery::channel_id_for(const std::string& name_or_id, outcome& failed) {
    std::string name = name_or_id;
    if (!name.empty() && name[0] == '#') name.erase(0, 1);
    if (looks_like_id(name)) co_return name;
    if (auto it = channel_ids_.find(name); it != channel_ids_.end()) co_return it->second;
    // One walk through the channel list fills the cache for every configured channel.
    if (!co_await list_channels(failed)) co_return std::nullopt;
    if (auto it = channel_ids_.find(name); it != channel_ids_.end()) co_return it->second;
    failed = outcome::dead_end("channel_not_found: no channel named #" + name);
    co_return std::nullopt;
}

asio::awaitable<bool> delivery::list_channels(outcome& failed) {
    std::string cursor;
    for (int page = 0; page < 100; ++page) {
        json args{{"types", "public_channel,private_channel"}, {"exclude_archived", true}, {"limit", 1000}};
        if (!cursor.empty()) args["cursor"] = cursor;
        auto r = co_await call("conversations.list", args);
        if (!r.ok) {
            failed = outcome::fail(r);
            co_return false;
        }
        for (const auto& c : r.body.value("channels", json::array())) {
            if (!c.is_object() || !c.contains("name") || !c.contains("id")) continue;
            auto name = c["name"].get<std::string>();
            channel_ids_[name] = c["id"].get<std::string>();
            if (c.value("creator", "") == bot_user_ && !bot_user_.empty()) made_by_us_.insert(name);
        }
        cursor = r.body.value("/response_metadata/next_cursor"_json_pointer, "");
        if (cursor.empty()) break;
    }
    co_return true;
}

asio::awaitable<std::optional<std::string>> delivery::own_channel_named(const std::string& name, outcome& failed) {
    if (bot_user_.empty()) {
        json none = json::object();
        auto who = co_await call("auth.test", none);
        if (!who.ok) {
            failed = outcome::fail(who);
            co_return std::nullopt;
        }
        bot_user_ = who.body.value("user_id", "");
    }
    if (!co_await list_channels(failed)) co_return std::nullopt;
    auto it = channel_ids_.find(name);
    if (it == channel_ids_.end() || !made_by_us_.count(name)) co_return std::nullopt;
    co_return it->second;
}

asio::awaitable<delivery::outcome> delivery::post(const storage::outbox_entry& e, commands::incident* inc) {
    std::string channel;
    if (e.act.channel.empty()) {
        if (!inc || inc->channel_id.empty())
            co_return outcome::dead_end("the incident channel was never created");
        channel = inc->channel_id;
    } else {
        outcome failed;
        auto id = co_await channel_id_for(e.act.channel, failed);
        if (!id) co_return failed;
        channel = *id;
    }
    json args = slack::post_args(channel, e.act.body);
    args["unfurl_links"] = false;
    if (e.thread_of) {
        // A later part of a long message: in the thread of its first part.
        auto known = thread_ts_.find(e.thread_of);
        std::optional<std::string> head_ts;
        if (known != thread_ts_.end()) {
            head_ts = known->second;
        } else {
            head_ts = co_await db_.run(&store_ops::posted_ts, e.thread_of);
        }
        if (!head_ts) {
            outcome wait;
            wait.result = outcome::retry;
            wait.error = "waiting for the first part (outbox #" + std::to_string(e.thread_of) + ")";
            co_return wait;
        }
        // The first part never reached Slack: this part goes to the channel itself, not lost.
        if (!head_ts->empty()) args["thread_ts"] = *head_ts;
    }
    auto r = co_await call("chat.postMessage", args);
    if (!r.ok && r.error == "not_in_channel") {
        json args6{{"channel", channel}};
        co_await call("conversations.join", args6);
        r = co_await call("chat.postMessage", args);
    }
    if (!r.ok && (r.error == "invalid_blocks" || r.error == "msg_blocks_too_long") && args.contains("blocks")) {
        // The words matter more than the layout: send the fallback text alone.
        spdlog::warn("slack: blocks refused ({}) for {}; posting the text alone", r.error, describe(e));
        args.erase("blocks");
        r = co_await call("chat.postMessage", args);
    }
    if (!r.ok && r.error == "channel_not_found") {
        for (auto it = channel_ids_.begin(); it != channel_ids_.end();)
            it = it->second == channel ? channel_ids_.erase(it) : std::next(it);
    }
    if (!r.ok) co_return outcome::fail(r);
    outcome posted;
    if (e.thread_head) posted.posted_ts = r.body.value("ts", "");
    if (e.act.pin) {
        auto ts = r.body.value("ts", "");
        // The pinned post is the incident's summary: its ts is recorded with the
        // post's "delivered", in the same commit, so later edits (and a restart)
        // find it, and a post that is retried was never recorded as the summary.
        if (e.act.incident && e.act.channel.empty() && !ts.empty()) {
            posted.summary_ts = ts;
            if (inc) inc->summary_ts = ts;
        }
        json args7{{"channel", r.body.value("channel", channel)}, {"timestamp", ts}};
        auto pinned = co_await call("pins.add", args7);
        // The message is out; a missing pin is not worth posting it twice.
        if (!pinned.ok && pinned.error != "already_pinned")
            spdlog::warn("slack: could not pin {}: {}", describe(e), pinned.error);
    }
    co_return posted;
}

asio::awaitable<delivery::outcome> delivery::update_summary(const storage::outbox_entry& e,
                                                         const commands::incident* inc) {
    if (!inc || inc->summary_ts.empty()) {
        // Declared before schema 3, or its summary post died (that one is already a
        // dead letter): there is no message to edit, and one more dead letter per
        // change would only bury the real failure.
        spdlog::info("slack: INC-{} has no pinned summary warroom knows of; {} skipped", e.act.incident,
                     describe(e));
        co_return outcome{};
    }
    if (inc->channel_id.empty()) co_return outcome::dead_end("the incident channel was never created");
    auto args = slack::update_args(inc->channel_id, inc->summary_ts, e.act.body);
    bool has_blocks = !args["blocks"].empty();
    auto r = co_await call("chat.update", args);
    if (!r.ok && (r.error == "invalid_blocks" || r.error == "msg_blocks_too_long") && has_blocks) {
        spdlog::warn("slack: blocks refused ({}) for {}; updating with the text alone", r.error, describe(e));
        args["blocks"] = json::array();
        r = co_await call("chat.update", args);
    }
    // message_not_found, cant_update_message, channel_not_found: permanent (slack::classify), a dead letter.
    co_return r.ok ? outcome{} : outcome::fail(r);
}

}  // namespace warroom::bot
