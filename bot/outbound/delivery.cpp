// The integration outbox's loop: read what is due, send each through its
// destination's sender, write each outcome back in its own transaction, so a
// restart resumes where this left off (at-least-once: the vendors' dedup key
// and alias make a repeated page harmless).
#include "bot/outbound/delivery.hpp"

#include "bot/db_worker.hpp"
#include "bot/slack/retry_policy.hpp"
#include "commands/text.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <random>
#include <set>
#include <stdexcept>
#include <utility>

namespace warroom::bot::outbound {

namespace {

std::string describe(const storage::integration_entry& e) {
    return e.act.summary + " (integration outbox #" + std::to_string(e.id) + ", attempt " +
           std::to_string(e.attempts + 1) + ")";
}

}  // namespace

delivery::delivery(const net::executor& ex, db_worker& db, std::vector<std::unique_ptr<sender>> senders, metrics& m,
                   const clock& clk, std::function<void()> slack_has_work, delivery_options opts)
    : db_(db),
      senders_(std::move(senders)),
      metrics_(m),
      clock_(clk),
      slack_has_work_(std::move(slack_has_work)),
      opts_(opts),
      wake_(ex) {}

sender* delivery::sender_for(const std::string& destination) {
    for (auto& s : senders_)
        if (s->destination() == destination) return s.get();
    return nullptr;
}

void delivery::cancel() {
    for (auto& s : senders_) s->cancel();
}

// Like Slack's loop: a round that throws (the database refused) backs off and
// goes on; only stop() ends it.
net::task<void> delivery::run() {
    while (!stopping_) {
        pause next;
        std::string failure;
        try {
            next = co_await round();
        } catch (const std::exception& ex) {
            failure = *ex.what() ? ex.what() : "unknown error";
        }
        if (auto wait = health_.report("integration outbox delivery", " (pending pages stay queued)", failure,
                                       clock_.now()))
            next.wait = *wait;
        if (stopping_) break;
        if (next.wait > std::chrono::seconds(0)) co_await wake_.sleep_for(next.wait);
    }
}

net::task<delivery::pause> delivery::round() {
    auto now = clock_.now();
    store_ops::integration_round w = co_await db_.run(&store_ops::read_integration_round, now, opts_.batch);
    if (w.entries.empty()) {
        auto wait = w.next ? std::chrono::duration_cast<std::chrono::seconds>(*w.next - now) : std::chrono::seconds(60);
        co_return pause{std::clamp(wait, std::chrono::seconds(1), std::chrono::seconds(60))};
    }
    // A target that failed this round is not tried again in it, and one that
    // failed last is tried after the others: a vendor that hangs costs one
    // timeout a round, after everyone else's pages went out, not one per
    // queued page before them. (Each incident's line to a target keeps its
    // order anyway: only its head is ever due.)
    std::stable_partition(w.entries.begin(), w.entries.end(), [&](const storage::integration_entry& e) {
        return !failing_.count({e.act.destination, e.act.target});
    });
    std::set<std::pair<std::string, std::string>> held;
    for (const auto& e : w.entries) {
        if (stopping_) break;
        auto line = std::make_pair(e.act.destination, e.act.target);
        if (held.count(line)) continue;
        send_result r;
        if (auto* s = sender_for(e.act.destination)) {
            send_context ctx;
            if (auto it = w.channel_ids.find(e.act.incident); it != w.channel_ids.end()) ctx.channel_id = it->second;
            ctx.now = clock_.now();
            try {
                r = co_await s->send(e, ctx);
            } catch (const std::exception& ex) {
                // A bug in a sender: the entry is retried, and the loop goes on.
                r.kind = send_result::retry;
                r.error = std::string("unexpected error: ") + ex.what();
                spdlog::critical("{}: {}: {}", e.act.destination, describe(e), r.error);
            }
        } else {
            r.kind = send_result::dead;
            r.error = "nothing in this warroom delivers to \"" + e.act.destination + "\" (a newer version queued it?)";
        }
        if (r.kind != send_result::delivered) {
            held.insert(line);
            failing_.insert(line);
        } else {
            failing_.erase(line);
        }
        co_await record(e, r);
    }
    co_return pause{};  // read again at once: more may be due
}

net::task<void> delivery::record(const storage::integration_entry& e, const send_result& r) {
    auto now = clock_.now();
    store_ops::integration_outcome written;
    written.id = e.id;
    written.incident = e.act.incident;
    written.destination = e.act.destination;
    written.target = e.act.target;
    written.now = now;
    written.error = r.error;
    switch (r.kind) {
        case send_result::delivered: written.result = store_ops::integration_outcome::delivered; break;
        case send_result::dead: written.result = store_ops::integration_outcome::dead; break;
        case send_result::retry: {
            static thread_local std::mt19937 rng{std::random_device{}()};
            slack::attempt a;
            a.kind = r.retry_after ? slack::failure_kind::rate_limited : slack::failure_kind::transient;
            a.retry_after = r.retry_after;
            a.failed_before = e.attempts;
            a.age = std::chrono::duration_cast<std::chrono::seconds>(now - e.created_at);
            a.jitter = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
            slack::retry_policy policy;
            policy.max_backoff = opts_.max_backoff;
            policy.give_up_after = opts_.give_up_after;
            auto step = slack::next_step(a, now, policy);
            if (step.kind == slack::outbox_step::dead) {
                written.result = store_ops::integration_outcome::dead;
                written.error = r.error + " (gave up after " + commands::format_duration(now - e.created_at) + ")";
            } else {
                written.result = store_ops::integration_outcome::retry;
                written.retry_at = step.retry_at;
            }
            break;
        }
    }
    const char* outcome = written.result == store_ops::integration_outcome::delivered ? "delivered"
                          : written.result == store_ops::integration_outcome::retry   ? "retry"
                                                                                      : "dead";
    metrics_.count_integration(e.act.destination, r.kind_label.empty() ? e.act.destination : r.kind_label, outcome);
    switch (written.result) {
        case store_ops::integration_outcome::delivered: spdlog::info("{}: sent {}", e.act.destination, describe(e)); break;
        case store_ops::integration_outcome::retry:
            spdlog::warn("{}: {} failed: {}; retrying at {}", e.act.destination, describe(e), written.error,
                         commands::format_time(*written.retry_at));
            break;
        case store_ops::integration_outcome::dead:
            spdlog::error("{}: {} failed for good (dead letter): {}; see `warroom outbox`", e.act.destination,
                          describe(e), written.error);
            break;
    }
    try {
        bool said = co_await db_.run(&store_ops::record_integration_outcome, std::move(written));
        if (said && slack_has_work_) slack_has_work_();
    } catch (const std::exception& ex) {
        // Still pending: sent again after the backoff, which the vendor's dedup key makes harmless.
        throw std::runtime_error("could not record the outcome of " + describe(e) + ": " + ex.what());
    }
}

}  // namespace warroom::bot::outbound
