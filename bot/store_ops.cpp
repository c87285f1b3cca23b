// The database thread's named operations: the SQL each caller needs, with its transaction.
#include "bot/store_ops.hpp"

#include "storage/slack_pace.hpp"
#include "storage/statements.hpp"

#include <chrono>


namespace warroom::bot {

namespace {

// Replicas are not woken by each other's commits: on PostgreSQL a loop looks
// again this soon at the latest, so work another replica queued or a dead
// replica left is found within it (plus the lease).
constexpr std::chrono::seconds replica_poll{2};

std::optional<commands::time_point> polled(std::optional<commands::time_point> next, commands::time_point now,
                                           bool shared) {
    if (!shared) return next;
    auto soon = now + replica_poll;
    return next && *next < soon ? next : std::optional(soon);
}

}  // namespace

std::vector<commands::outcome> store_ops::handle_batch(const std::vector<commands::request>& reqs) {
    return rt_.handle_batch(reqs);
}

bool store_ops::remember_request(std::string key, time_point now) {
    return rt_.repository().remember_request(key, now);
}

std::optional<commands::incident> store_ops::find(std::int64_t incident) { return rt_.repository().find(incident); }

bool store_ops::is_incident_channel(std::string channel) {
    return rt_.repository().is_incident_channel(channel);
}

std::optional<commands::incident> store_ops::find_by_channel(std::string channel) {
    return rt_.repository().find_by_channel(channel);
}

bool store_ops::observe(commands::observation seen) { return rt_.observe(seen); }

runtime::pager_answer_result store_ops::answer_from_pager(commands::pager_answer answer, std::string once_key) {
    return rt_.answer_from_pager(answer, once_key);
}

commands::message store_ops::home(std::string viewer) { return rt_.home(viewer); }

commands::message store_ops::join(std::int64_t incident, std::string user) { return rt_.join(incident, user); }

store_ops::timer_pass store_ops::fire_due() {
    timer_pass p;
    std::vector<time_point> deadlines;
    p.fired = rt_.fire_due(&deadlines);
    auto committed = rt_.time().precise_now();
    for (auto at : deadlines) p.lateness.push_back(committed - at);
    p.next = polled(rt_.next_deadline(), rt_.time().now(), rt_.db().is_postgres());
    return p;
}

void store_ops::forget_requests_before(time_point cutoff) { rt_.repository().forget_requests_before(cutoff); }

std::map<std::string, std::size_t> store_ops::health_check() {
    rt_.db().ensure_usable();  // deleted, replaced or damaged: 503, though reads still work
    return rt_.repository().outbox_counts();
}

store_ops::replica_status store_ops::replica_health(time_point now) {
    replica_status out;
    out.replica = rt_.replica_id();
    out.backend = rt_.db().is_postgres() ? "postgresql" : "sqlite";
    auto start = std::chrono::steady_clock::now();
    storage::count_of(rt_.db(), "SELECT 1");
    out.round_trip_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    out.leases = rt_.repository().live_leases(now);
    return out;
}

metrics::gauges store_ops::gauges() {
    metrics::gauges out;
    auto& repo = rt_.repository();
    out.open_by_severity = repo.open_by_severity();
    out.timers_armed = repo.armed_timer_count();
    out.outbox = repo.outbox_counts();
    out.integrations = repo.integrations().counts();
    return out;
}


store_ops::outbox_round store_ops::read_outbox_round(time_point now, std::size_t limit) {
    outbox_round out;
    auto& repo = rt_.repository();
    bool shared = rt_.db().is_postgres();
    // One process on SQLite: nothing to claim, and no write (no fsync) per round.
    std::optional<storage::transaction> txn;
    if (shared) {
        txn.emplace(rt_.db());
        out.entries = repo.claim_actions(now, limit, rt_.replica_id(), now + rt_.lease());
    } else {
        out.entries = repo.pending_actions(now, limit);
    }
    for (const auto& e : out.entries) {
        if (e.act.incident && !out.incidents.count(e.act.incident))
            if (auto inc = repo.find(e.act.incident)) out.incidents.emplace(e.act.incident, std::move(*inc));
        // Only the newest edit of a summary matters: a burst of changes is one chat.update.
        if (e.act.kind == commands::action_kind::update_summary && e.act.incident &&
            repo.has_newer_summary_update(e.act.incident, e.id))
            out.superseded.insert(e.id);
    }
    // Only an empty round waits for the next attempt (after one with work,
    // delivery goes straight on), and it is the one query here that grows with
    // the whole queue: the earliest of every pending incident's queue head. With
    // a backlog of 200,000 actions it took the database thread ~100 ms a round,
    // in front of the declares waiting (#16).
    if (out.entries.empty()) out.next = polled(repo.next_outbox_attempt(), now, shared);
    if (txn) txn->commit();
    return out;
}

std::size_t store_ops::settle_round(std::vector<std::pair<std::int64_t, time_point>> deferrals,
                                    std::vector<std::int64_t> superseded, time_point now) {
    auto& repo = rt_.repository();
    storage::transaction txn(rt_.db());
    for (const auto& [id, at] : deferrals) repo.defer(id, at);
    for (auto id : superseded) repo.mark_delivered(id, now);
    txn.commit();
    return deferrals.size() + superseded.size();
}

void store_ops::record_outcome(delivery_outcome o) {
    auto& repo = rt_.repository();
    storage::transaction txn(rt_.db());
    if (!o.channel_id.empty()) repo.set_channel(o.incident, o.channel_id, o.channel_name);
    if (!o.summary_ts.empty()) repo.set_summary(o.incident, o.summary_ts);
    if (!o.channel_id.empty() || !o.summary_ts.empty()) rt_.touched(o.incident);
    if (!o.posted_ts.empty()) repo.set_posted_ts(o.id, o.posted_ts);
    // Slack answers again: what was backing off goes now, not minutes from now.
    if (o.slack_is_back) repo.retry_backed_off(o.now);
    switch (o.result) {
        case delivery_outcome::delivered: repo.mark_delivered(o.id, o.now); break;
        case delivery_outcome::retry: repo.mark_failed(o.id, o.error, o.retry_at.value_or(o.now)); break;
        case delivery_outcome::dead: repo.mark_dead(o.id, o.error, o.now); break;
    }
    // Still delivering: what this replica holds stays its own for another lease.
    renew_leases(o.now);
    txn.commit();
}

void store_ops::renew_leases(time_point now) {
    if (rt_.db().is_postgres()) rt_.repository().renew_leases(rt_.replica_id(), now + rt_.lease());
}

std::chrono::milliseconds store_ops::take_slack_pace(std::vector<pace_key> keys, std::int64_t now_ms) {
    storage::slack_pace pace(rt_.db());
    for (const auto& k : keys)
        if (auto wait = pace.take(k.key, {k.per_minute, k.burst}, now_ms); wait > std::chrono::milliseconds::zero())
            return wait;
    return std::chrono::milliseconds::zero();
}

void store_ops::hold_slack_pace(pace_key key, std::int64_t until_ms) {
    storage::slack_pace(rt_.db()).hold(key.key, {key.per_minute, key.burst}, until_ms);
}

store_ops::integration_round store_ops::read_integration_round(time_point now, std::size_t limit) {
    integration_round out;
    auto& repo = rt_.repository();
    auto& queue = repo.integrations();
    out.entries = queue.due(now, limit);
    for (const auto& e : out.entries)
        if (e.act.incident && !out.channel_ids.count(e.act.incident))
            if (auto inc = repo.find(e.act.incident)) out.channel_ids.emplace(e.act.incident, inc->channel_id);
    out.next = queue.next_attempt();
    return out;
}

bool store_ops::record_integration_outcome(integration_outcome o) {
    auto& queue = rt_.repository().integrations();
    switch (o.result) {
        case integration_outcome::delivered: queue.mark_delivered(o.id, o.now); break;
        case integration_outcome::retry: queue.mark_failed(o.id, o.error, o.retry_at.value_or(o.now)); break;
        case integration_outcome::dead:
            // A page that will not go out is news for the incident's channel.
            if (o.destination == "pager" && o.incident) return rt_.page_dead(o.id, o.incident, o.target, o.error);
            queue.mark_dead(o.id, o.error, o.now);
            break;
    }
    return false;
}

std::optional<storage::statuspage_link> store_ops::statuspage_link(std::int64_t incident) {
    return storage::statuspage_links(rt_.db()).find(incident);
}

void store_ops::mark_statuspage_create(std::int64_t incident, std::int64_t entry, time_point now) {
    storage::statuspage_links(rt_.db()).mark_create_sent(incident, entry, now);
}

void store_ops::record_statuspage_id(std::int64_t incident, std::string statuspage_id, time_point now) {
    storage::statuspage_links(rt_.db()).record_id(incident, statuspage_id, now);
}

std::size_t store_ops::retry_backed_off(time_point now) { return rt_.repository().retry_backed_off(now); }

void store_ops::set_channel(std::int64_t incident, std::string channel_id, std::string channel_name) {
    rt_.repository().set_channel(incident, channel_id, channel_name);
    rt_.touched(incident);
}

std::optional<std::string> store_ops::posted_ts(std::int64_t outbox_id) { return rt_.repository().posted_ts(outbox_id); }

std::vector<store_ops::incident_history> store_ops::status_page_incidents(time_point since) {
    auto& repo = rt_.repository();
    // One read transaction: the incidents and their timelines as of one moment.
    storage::transaction txn(rt_.db());
    std::map<std::int64_t, commands::incident> found;
    for (auto& inc : repo.list_open()) found.emplace(inc.number, std::move(inc));
    for (auto& inc : repo.list_declared_since(since)) found.emplace(inc.number, std::move(inc));
    for (auto& inc : repo.list_resolved_since(since)) found.emplace(inc.number, std::move(inc));
    std::vector<incident_history> out;
    out.reserve(found.size());
    for (auto& [number, inc] : found) out.push_back({std::move(inc), repo.timeline(number)});
    txn.commit();
    return out;
}

std::vector<commands::maintenance> store_ops::status_page_maintenances(time_point since) {
    return rt_.repository().maintenances_ending_after(since);
}

void store_ops::publish_view() { rt_.publish_view(); }

void store_ops::note_failure(std::exception_ptr error) { rt_.db().note_failure(std::move(error)); }

}  // namespace warroom::bot
