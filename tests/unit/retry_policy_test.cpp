// The outbox's pure decisions: what a result means for an action, when a
// failing Slack is asked again, and a loop's failure episodes.
#include "bot/loop_health.hpp"
#include "bot/slack/retry_policy.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using warroom::slack::attempt;
using warroom::slack::failure_kind;
using warroom::slack::next_step;
using warroom::slack::outbox_step;
using warroom::slack::reachability;
using warroom::slack::retry_policy;
using warroom::slack::sys_seconds;

namespace {

const sys_seconds t0{std::chrono::seconds(1'700'000'000)};

attempt failed(failure_kind k, int before, double jitter = 0) {
    attempt a;
    a.kind = k;
    a.failed_before = before;
    a.jitter = jitter;
    return a;
}

}  // namespace

TEST_CASE("an ok call is delivered, a permanent error is dead at once") {
    retry_policy p;
    CHECK(next_step(failed(failure_kind::none, 3), t0, p).kind == outbox_step::delivered);
    auto dead = next_step(failed(failure_kind::permanent, 0), t0, p);
    CHECK(dead.kind == outbox_step::dead);
    CHECK_FALSE(dead.gave_up);
}

TEST_CASE("transient failures back off exponentially up to the cap, with bounded jitter") {
    retry_policy p;
    CHECK(*next_step(failed(failure_kind::transient, 0), t0, p).retry_at == t0 + 1s);
    CHECK(*next_step(failed(failure_kind::transient, 1), t0, p).retry_at == t0 + 2s);
    CHECK(*next_step(failed(failure_kind::transient, 5), t0, p).retry_at == t0 + 32s);
    CHECK(*next_step(failed(failure_kind::transient, 40), t0, p).retry_at == t0 + 300s);
    // Jitter adds at most a quarter, never less than nothing.
    for (double j : {0.0, 0.3, 0.999, 1.0}) {
        auto at = *next_step(failed(failure_kind::transient, 4, j), t0, p).retry_at;
        CHECK(at >= t0 + 16s);
        CHECK(at <= t0 + 20s);
    }
    CHECK(*next_step(failed(failure_kind::transient, 40, 0.999), t0, p).retry_at == t0 + 375s);
}

TEST_CASE("a 429 waits exactly Retry-After, however often it failed before") {
    retry_policy p;
    auto a = failed(failure_kind::rate_limited, 12, 0.9);
    a.retry_after = 7s;
    auto s = next_step(a, t0, p);
    CHECK(s.kind == outbox_step::retry);
    CHECK(*s.retry_at == t0 + 7s);
}

TEST_CASE("past give_up_after a failing action is dead, except while the token is rejected") {
    retry_policy p;
    auto a = failed(failure_kind::transient, 30);
    a.age = p.give_up_after + 1s;
    auto s = next_step(a, t0, p);
    CHECK(s.kind == outbox_step::dead);
    CHECK(s.gave_up);
    a.kind = failure_kind::auth;
    s = next_step(a, t0, p);
    CHECK(s.kind == outbox_step::retry);
    CHECK(*s.retry_at == t0 + p.auth_recheck);
    a.age = p.give_up_after;  // not past it yet
    a.kind = failure_kind::transient;
    CHECK(next_step(a, t0, p).kind == outbox_step::retry);
}

TEST_CASE("a Slack that stops answering is probed every few seconds, not at the backoff's pace") {
    reachability r;
    CHECK_FALSE(r.failing());
    CHECK_FALSE(r.next_probe());
    r.on_result(failure_kind::none, "", t0);
    r.on_result(failure_kind::transient, "http_500", t0 + 1s);
    CHECK(r.failing());
    CHECK(*r.failing_since() == t0 + 1s);
    CHECK_FALSE(r.probe_due(t0 + 5s));
    CHECK(r.probe_due(t0 + 6s));
    // A whole outage: every failed probe schedules the next one the same interval later.
    auto now = t0 + 6s;
    int probes = 0;
    for (; now < t0 + 10min; now += 1s) {
        if (!r.probe_due(now)) continue;
        ++probes;
        CHECK_FALSE(r.on_probe(failure_kind::transient, "network: connection refused", now));
    }
    CHECK(probes <= 10 * 12 + 1);  // bounded: twelve a minute
    CHECK(r.last_error() == "network: connection refused");
    CHECK(r.unreachable(now, 60s));
    CHECK_FALSE(r.unreachable(t0 + 30s, 60s));
    // Slack is back: the next probe (within its interval) releases the queue.
    CHECK(*r.next_probe() - now <= 5s);
    CHECK(r.on_probe(failure_kind::none, "", now));
    CHECK(*r.last_success() == now);
    // Still failing until a delivery gets through.
    CHECK(r.failing());
    r.on_result(failure_kind::none, "", now + 1s);
    CHECK_FALSE(r.failing());
    CHECK_FALSE(r.next_probe());
}

TEST_CASE("a probe that answers while deliveries still fail is asked less often each time") {
    reachability r;
    auto now = t0;
    r.on_result(failure_kind::transient, "http_503", now);
    std::vector<std::chrono::seconds> intervals;
    for (int i = 0; i < 6; ++i) {
        intervals.push_back(r.probe_interval());
        now = *r.next_probe();
        CHECK(r.on_probe(failure_kind::none, "", now));      // auth.test answers...
        r.on_result(failure_kind::transient, "http_503", now);  // ...chat.postMessage does not
    }
    CHECK(intervals == std::vector<std::chrono::seconds>{5s, 10s, 20s, 40s, 60s, 60s});
    // Any answer from a delivery, even a refusal, ends the episode.
    r.on_result(failure_kind::permanent, "channel_not_found", now);
    CHECK_FALSE(r.failing());
    CHECK(r.probe_interval() == 5s);
}

TEST_CASE("a 429 or a refusal is Slack answering") {
    reachability r;
    r.on_result(failure_kind::transient, "http_502", t0);
    r.on_result(failure_kind::rate_limited, "ratelimited", t0 + 1s);
    CHECK_FALSE(r.failing());
    CHECK_FALSE(r.last_success());
}

TEST_CASE("a loop's failures are one episode with growing waits, ended by a success") {
    warroom::bot::loop_health h;
    auto f1 = h.failed("disk I/O error", t0);
    CHECK(f1.first);
    CHECK(f1.wait == 1s);
    auto f2 = h.failed("disk I/O error", t0 + 1s);
    CHECK_FALSE(f2.first);
    CHECK(f2.wait == 2s);
    for (int i = 0; i < 10; ++i) h.failed("database is locked", t0 + 2s);
    CHECK(h.failed("database is locked", t0 + 3s).wait == 30s);
    CHECK(h.is_failing());
    CHECK(h.last_error() == "database is locked");
    CHECK(*h.failing_since() == t0);
    CHECK(*h.succeeded() == t0);
    CHECK_FALSE(h.is_failing());
    CHECK_FALSE(h.succeeded());
    CHECK(h.failed("again", t0 + 9s).first);
    CHECK(h.failed("again", t0 + 9s).wait == 2s);
    CHECK_FALSE(h.is_stopped());
    h.stopped("bad_alloc");
    CHECK(h.is_stopped());
}
