// The outbox worker. Each action becomes one or a few Web API calls, as its
// slack::outbox_plan says; this file only performs them (paced, counted) and
// writes the result back so a restart resumes exactly where this left off.
#include "bot/slack/delivery.hpp"

#include "bot/db_worker.hpp"
#include "commands/text.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <set>
#include <string_view>
#include <stdexcept>

namespace warroom::bot {

using json = nlohmann::json;
using commands::time_point;

namespace {

std::string describe(const storage::outbox_entry& e) {
    return storage::describe_action(e) + " (outbox #" + std::to_string(e.id) + ", attempt " +
           std::to_string(e.attempts + 1) + ")";
}

}  // namespace

delivery::delivery(const net::executor& ex, db_worker& db, slack::web_client& slack, metrics& m,
                   const clock& clk, delivery_options opts)
    : db_(db), slack_(slack), metrics_(m), clock_(clk), opts_(opts), wake_(ex), pace_(ex), leases_wake_(ex),
      limiter_(opts.pace_speed),
      reach_(slack::reachability::options{opts.probe_every, std::chrono::seconds(60)}) {}

net::task<slack::api_result> delivery::call(std::string_view method, const json& args, bool probing) {
    using steady = std::chrono::steady_clock;
    std::string channel = args.contains("channel") && args["channel"].is_string() ? args["channel"].get<std::string>() : "";
    // Waited in line so far: past max_inline_wait, this action is deferred
    // and the rest of the queue goes on.
    steady::duration waited{};
    for (;;) {
        auto wait = limiter_.wait(method, channel, steady::now());
        // This replica's own pace first (no round trip), then the fleet's.
        if (wait == steady::duration::zero()) wait = co_await fleet_wait(method, channel);
        if (wait == steady::duration::zero()) break;
        if (waited + wait > opts_.max_inline_wait) {
            slack::api_result later;
            later.error = "ratelimited";
            later.paced = true;
            later.retry_after = std::chrono::ceil<std::chrono::seconds>(wait);
            co_return later;
        }
        co_await pace_.sleep_for(wait);
        waited += wait;
        // stop() cut the wait short: this call goes, and the round ends after it.
        if (stopping_) break;
    }
    limiter_.spend(method, channel, steady::now());
    // Methods are string literals: a view keeps temporaries out of the co_await.
    auto r = co_await slack_.call(method, args);
    if (r.retry_after) {
        limiter_.pause(method, steady::now() + *r.retry_after);
        co_await fleet_hold(method, *r.retry_after);
    }
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

namespace {

std::int64_t unix_ms_now() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

// The fleet's tokens (several replicas on PostgreSQL), chat.postMessage's
// channel bucket before the method's. A database that does not answer does not
// stop Slack calls: this replica's own pace still holds, and a 429 is honoured.
net::task<std::chrono::steady_clock::duration> delivery::fleet_wait(std::string_view method, const std::string& channel) {
    if (!opts_.fleet_pace) co_return std::chrono::steady_clock::duration::zero();
    std::vector<store_ops::pace_key> keys;
    if (method == "chat.postMessage" && !channel.empty()) {
        auto l = limiter_.scaled("");
        keys.push_back({std::string(method) + " " + channel, l.per_minute, l.burst});
    }
    auto l = limiter_.scaled(method);
    keys.push_back({std::string(method), l.per_minute, l.burst});
    try {
        co_return co_await db_.run(&store_ops::take_slack_pace, std::move(keys), unix_ms_now());
    } catch (const std::exception& ex) {
        spdlog::debug("slack: the fleet's pace is out of reach ({}); {} goes at this replica's own pace", ex.what(),
                      method);
    }
    co_return std::chrono::steady_clock::duration::zero();
}

net::task<void> delivery::fleet_hold(std::string_view method, std::chrono::seconds retry_after) {
    if (!opts_.fleet_pace) co_return;
    auto l = limiter_.scaled(method);
    store_ops::pace_key key{std::string(method), l.per_minute, l.burst};
    auto until = unix_ms_now() + std::chrono::duration_cast<std::chrono::milliseconds>(retry_after).count();
    try {
        co_await db_.run(&store_ops::hold_slack_pace, std::move(key), until);
    } catch (const std::exception& ex) {
        spdlog::debug("slack: could not share {}'s Retry-After with the other replicas: {}", method, ex.what());
    }
}

// What the loop waits for after a round.
struct delivery::pause {
    enum { none, wake, pace } how = none;
    std::chrono::seconds wait{0};
};

// A round that throws (the database refused a read or a write) ends there:
// what it did not record stays pending and is tried again, so the loop only
// backs off and goes on. Nothing but stop() ends it.
net::task<void> delivery::run() {
    while (!stopping_) {
        pause next;
        std::string failure;
        in_round_ = true;
        try {
            next = co_await round();
        } catch (const std::exception& ex) {
            failure = *ex.what() ? ex.what() : "unknown error";
        } catch (...) {
            failure = "unknown error";
        }
        in_round_ = false;
        if (auto wait = health_.report("outbox delivery", " (pending actions stay queued)", failure, clock_.now())) {
            next.how = pause::pace;
            // Owed outcomes race the lease (another replica may send the action
            // again once it ends): ask every second, not on the growing backoff.
            next.wait = owed_.empty() ? *wait : std::min(*wait, std::chrono::seconds(1));
        }
        if (stopping_) break;
        if (next.how == pause::wake) {
            co_await wake_.sleep_for(next.wait);
        } else if (next.how == pause::pace) {
            // Not cut short by new commands: only stop() ends this wait.
            co_await pace_.sleep_for(next.wait);
        }
    }
}

net::task<void> delivery::keep_leases() {
    if (opts_.renew_leases_every <= std::chrono::seconds::zero()) co_return;
    while (!stopping_) {
        co_await leases_wake_.sleep_for(opts_.renew_leases_every);
        if (stopping_ || !in_round_) continue;
        try {
            auto now = clock_.now();
            co_await db_.run(&store_ops::renew_leases, now);
        } catch (const std::exception& ex) {
            // The round in hand fails on the same database and reports it (health_).
            spdlog::debug("slack: could not renew the outbox leases: {}", ex.what());
        }
    }
}

// Asks Slack whether it answers again; if it does, what backed off goes now.
net::task<void> delivery::probe() {
    json none = json::object();
    // Through call(): Slack's pace, a 429's pause and a rejected token apply to it too.
    auto r = co_await call("auth.test", none, true);
    auto now = clock_.now();
    if (!reach_.on_probe(slack::classify(r), r.error, now)) co_return;
    auto released = co_await db_.run(&store_ops::retry_backed_off, now);
    spdlog::info("slack: answers again (failing since {}): {} queued action(s) go now",
                 commands::format_time(reach_.failing_since().value_or(now)), released);
}

// Outcomes the database missed, oldest first; each leaves the list once committed.
net::task<void> delivery::settle_owed() {
    if (owed_.empty()) co_return;
    const auto count = owed_.size();
    while (!owed_.empty()) {
        auto o = owed_.front();
        o.now = clock_.now();  // the lease it renews runs from now
        co_await db_.run(&store_ops::record_outcome, std::move(o));
        owed_.erase(owed_.begin());
    }
    spdlog::info("slack: recorded the outcome of {} action(s) Slack had carried out while the database failed", count);
}

net::task<delivery::pause> delivery::round() {
    co_await settle_owed();
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
        // The round's later update_summary edits this post.
        if (inc && !o.summary_ts.empty()) inc->summary_ts = o.summary_ts;
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
net::task<void> delivery::flush_round() {
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

net::task<void> delivery::record(const storage::outbox_entry& e, const outcome& o) {
    auto now = clock_.now();
    outcome final = o;
    std::optional<time_point> retry_at;
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
            retry_at = step.retry_at;
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
                             commands::format_time(*retry_at));
            break;
        case outcome::dead: spdlog::error("slack: {} failed for good: {}; see `warroom outbox`", describe(e), final.error); break;
    }
    store_ops::delivery_outcome written;
    try {
        written.result = final.result == outcome::delivered ? store_ops::delivery_outcome::delivered
                         : final.result == outcome::retry   ? store_ops::delivery_outcome::retry
                                                            : store_ops::delivery_outcome::dead;
        written.id = e.id;
        written.incident = e.act.incident;
        written.error = final.error;
        written.retry_at = retry_at;
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
        // The action stays pending: at-least-once, never lost. What Slack already
        // did is owed to the database and written first thing when it answers
        // again, before anything is read or claimed, so a database blip shorter
        // than the lease sends nothing twice. The round ends here: whatever it
        // delivered next could not be recorded either.
        owed_.push_back(std::move(written));
        throw std::runtime_error("could not record the outcome of " + describe(e) + ": " + ex.what());
    }
}

net::task<delivery::outcome> delivery::deliver(const storage::outbox_entry& e, commands::incident* inc) {
    slack::outbox_job job{e.id, e.act, e.thread_of, e.thread_head};
    slack::outbox_plan plan(std::move(job), inc, workspace_);
    for (;;) {
        for (const auto& n : plan.take_notes()) {
            if (n.level == slack::plan_note::warn)
                spdlog::warn("slack: {}: {}", describe(e), n.text);
            else
                spdlog::info("slack: {}: {}", describe(e), n.text);
        }
        const auto& step = plan.step();
        switch (step.kind) {
            case slack::plan_step::call: {
                std::string_view method = step.method;
                const json& args = step.args;
                auto r = co_await call(method, args);
                plan.on_result(r);
                break;
            }
            case slack::plan_step::save_channel: {
                auto number = inc->number;
                auto channel_id = step.channel_id;
                auto channel_name = step.channel_name;
                co_await db_.run(&store_ops::set_channel, number, std::move(channel_id), std::move(channel_name));
                plan.on_channel_saved();
                break;
            }
            case slack::plan_step::find_thread_head: {
                auto head = step.head;
                auto ts = co_await db_.run(&store_ops::posted_ts, head);
                plan.on_thread_head(ts);
                break;
            }
            case slack::plan_step::done: co_return step.outcome;
        }
    }
}

}  // namespace warroom::bot
