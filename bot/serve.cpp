// `warroom serve`: one network thread (HTTP server, outbox delivery, timers)
// and one database thread. Stopping is graceful: no new connections, the
// requests in hand finish, every accepted command is committed, then the
// database closes.
#include "bot/serve.hpp"

#include <cmath>
#include <thread>

#include "bot/db_worker.hpp"
#include "bot/event_intake.hpp"
#include "bot/interactions.hpp"
#include "bot/loop_health.hpp"
#include "bot/metrics.hpp"
#include "bot/net/async.hpp"
#include "bot/net/http_server.hpp"
#include "bot/net/stop_signals.hpp"
#include "bot/net/task_group.hpp"
#include "bot/net/tls.hpp"
#include "bot/net/wakeup.hpp"
#include "bot/pager_endpoint.hpp"
#include "bot/outbound/delivery.hpp"
#include "bot/outbound/pager_sender.hpp"
#include "bot/customer/email_sender.hpp"
#include "bot/customer/statuspage_sender.hpp"
#include "bot/read_view.hpp"
#include "bot/slack/delivery.hpp"
#include "bot/slack/socket_mode.hpp"
#include "bot/slack/web_client.hpp"
#include "bot/slack_endpoint.hpp"
#include "bot/status_site.hpp"
#include "commands/text.hpp"
#include "storage/location.hpp"
#include "storage/writer_lock.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <sys/resource.h>

#include <iostream>

namespace warroom::bot {

using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr auto stop_grace = 10s;
// After the grace, how long cancelled tasks get to unwind (they end at once
// unless one ignores cancellation: a bug, logged).
constexpr auto stop_cancel_grace = 2s;

// Fires due deadlines, then sleeps until the next one (to the millisecond:
// deadlines are whole seconds, the clock is not) or until a command may have
// armed an earlier one. The first pass fires what came due while stopped.
// A pass that throws (the database refused) backs off and tries again: the
// loop ends only when warroom stops.
net::task<void> run_timers(db_worker& db, delivery& outbox, outbound::delivery& integrations, net::wakeup& wake,
                           const clock& clk, metrics& stats, const bool& stopping, loop_health& health) {
    auto forget_before = clk.now();
    while (!stopping) {
        store_ops::timer_pass p;
        std::string failure;
        try {
            // Ahead of queued commands: an escalation is late by whatever it waits behind.
            p = co_await db.run_first(&store_ops::fire_due);
            for (auto late : p.lateness) stats.observe_timer_lateness(late);
            if (p.fired) {
                outbox.wake();
                integrations.wake();  // a missed acknowledgement pages
            }
            auto now = clk.now();
            if (now - forget_before > 1h) {
                // Slack retries within minutes; a day of event IDs is plenty for de-duplication.
                co_await db.run(&store_ops::forget_requests_before, now - 24h);
                forget_before = now;
            }
        } catch (const std::exception& e) {
            failure = *e.what() ? e.what() : "unknown error";
        }
        auto now = clk.now();
        std::chrono::milliseconds wait = 60s;
        if (auto backoff = health.report("timers: firing due deadlines", "", failure, now))
            wait = *backoff;
        else if (p.next && *p.next <= now)
            // Still due: more than one pass holds (go on at once), or a timer the engine declined (not a spin).
            wait = p.fired ? std::chrono::milliseconds(1) : std::chrono::milliseconds(1s);
        else if (p.next)
            // Woken a hair early, the next pass sees the previous second and sleeps the rest: at least 1 ms.
            wait = std::clamp(std::chrono::ceil<std::chrono::milliseconds>(*p.next - clk.precise_now()),
                              std::chrono::milliseconds(1), std::chrono::milliseconds(60s));
        co_await wake.sleep_for(wait);
    }
}

// "running", "failing for 12s: disk I/O error", or "stopped: …".
std::string loop_state(const loop_health& h, commands::time_point now) {
    if (h.is_stopped()) return "stopped: " + h.last_error();
    if (auto since = h.failing_since())
        return "failing for " + commands::format_duration(now - *since) + ": " + h.last_error();
    return "running";
}

struct health_inputs {
    db_worker& db;
    const delivery& outbox;
    const loop_health& integrations;
    const loop_health& timers;
    const socket_mode_client* socket_mode;
    const clock& clk;
    std::chrono::seconds slack_unreachable_after;
};

// /healthz (liveness: 503 only for what a restart or an operator must fix: the
// database, the token, a loop that ended) and /readyz (also 503 while Slack has
// been unreachable past the threshold, or a loop keeps failing).
net::task<net::http_response> healthz(const health_inputs& in, bool readiness) {
    json body;
    bool healthy = true;
    bool ready = true;
    std::optional<std::string> db_error;
    try {
        // Deleted, replaced or damaged: 503, though reads still work.
        body["outbox"] = co_await in.db.run(&store_ops::health_check);
        body["database"] = "ok";
        auto now = in.clk.now();
        auto r = co_await in.db.run(&store_ops::replica_health, now);
        body["replica"] = r.replica;
        body["backend"] = r.backend;
        body["database_round_trip_ms"] = std::round(r.round_trip_ms * 1000) / 1000;
        body["leases"] = r.leases;
    } catch (const std::exception& e) {
        db_error = e.what();
    }
    if (db_error) {
        spdlog::error("healthz: the database check failed: {}", *db_error);
        body["database"] = "error: " + *db_error;
        healthy = false;
    }
    auto now = in.clk.now();
    const auto& reach = in.outbox.slack_reachability();
    if (!in.outbox.auth_error().empty()) {
        body["slack"] = "token rejected: " + in.outbox.auth_error();
        healthy = false;
    } else if (auto since = reach.failing_since()) {
        bool past = reach.unreachable(now, in.slack_unreachable_after);
        body["slack"] = std::string(past ? "unreachable" : "failing") + " for " +
                        commands::format_duration(now - *since) + ": " + reach.last_error();
        if (past) ready = false;
    } else {
        body["slack"] = "ok";
    }
    if (auto last = reach.last_success()) body["last_slack_success"] = commands::format_time(*last);
    for (auto [name, h] : {std::pair{"delivery", &in.outbox.health()}, std::pair{"integrations", &in.integrations},
                            std::pair{"timers", &in.timers}}) {
        body[name] = loop_state(*h, now);
        if (h->is_stopped()) healthy = false;
        if (h->is_failing()) ready = false;
    }
    if (in.socket_mode) {
        body["socket_mode"] = in.socket_mode->status();
        if (!in.socket_mode->healthy()) healthy = false;
    }
    if (auto last = in.outbox.last_delivered()) body["last_delivered"] = commands::format_time(*last);
    bool ok = healthy && (!readiness || ready);
    body["status"] = ok ? (readiness ? "ready" : "ok") : (healthy ? "not ready" : "unhealthy");
    co_return net::http_response{ok ? 200u : 503u, "application/json",
                                 body.dump(-1, ' ', false, json::error_handler_t::replace) + "\n", {}};
}

net::task<net::http_response> metrics_page(db_worker& db, const metrics& m, const net::http_server* server,
                                           const delivery& outbox, const clock& clk) {
    metrics::gauges g;
    try {
        g = co_await db.run(&store_ops::gauges);
    } catch (const std::exception& e) {
        spdlog::error("metrics: could not read the gauges: {}", e.what());
    }
    if (server) {
        auto s = server->stats();
        g.connections_open = s.open;
        g.connections_closed_idle = s.closed_idle;
        g.connections_refused = s.refused;
        g.bodies_refused = s.body_memory_full;
    }
    if (auto last = outbox.slack_reachability().last_success())
        g.slack_since_success = std::chrono::duration_cast<std::chrono::seconds>(clk.now() - *last);
    co_return net::http_response{200, "text/plain; version=0.0.4; charset=utf-8", m.render(g), {}};
}

// PostgreSQL down at start (a restart, a failover in progress, the database
// container still starting): wait for it, saying so, rather than exit and be
// restarted in a loop. SIGTERM ends the wait (the default action: nothing is
// open yet).
void wait_for_database(const std::string& location) {
    auto wait = std::chrono::seconds(1);
    auto started = std::chrono::steady_clock::now();
    for (int attempt = 1;; ++attempt) {
        try {
            storage::database probe(location);
            if (attempt > 1)
                spdlog::info("the database is reachable after {} s; starting",
                             std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count());
            return;
        } catch (const storage::database_unavailable& e) {
            // Said at the first attempt and then about once a minute.
            if (attempt == 1 || attempt % 6 == 0)
                spdlog::warn("waiting for the database: {}; trying again every {} s", e.what(), wait.count());
        }
        std::this_thread::sleep_for(wait);
        wait = std::min(wait * 2, std::chrono::seconds(10));
    }
}

// Every connection is a file descriptor: the soft limit (often 1024) would
// be reached long before the connection cap, so take all the hard limit
// allows. Returns the descriptors available.
rlim_t raise_descriptor_limit() {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return 1024;
    if (lim.rlim_cur < lim.rlim_max) {
        rlimit want = lim;
        want.rlim_cur = lim.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &want) == 0) lim = want;
    }
    return lim.rlim_cur;
}

}  // namespace

int run_serve(const config& cfg) {
    if (cfg.bot_token.empty()) {
        std::cerr << "warroom serve: SLACK_BOT_TOKEN is not set. Set it and SLACK_SIGNING_SECRET to connect to "
                     "Slack (see README), or try `warroom console` without Slack.\n";
        return 2;
    }
    if (cfg.signing_secret.empty() && cfg.app_token.empty()) {
        std::cerr << "warroom serve: neither SLACK_SIGNING_SECRET (HTTP) nor SLACK_APP_TOKEN (Socket Mode) is set; "
                     "without one no request from Slack can be received. Copy the signing secret from your app's "
                     "Basic Information page, or create an app-level token with connections:write there.\n";
        return 2;
    }
    boost::asio::ip::tcp::endpoint listen_at;
    try {
        listen_at = net::parse_listen_address(cfg.listen);
    } catch (const std::invalid_argument& e) {
        std::cerr << "warroom serve: WARROOM_LISTEN: " << e.what() << "\n";
        return 2;
    }

    net::server_limits limits;
    limits.body_memory = cfg.body_memory_mb * 1024 * 1024;
    limits.max_connections = cfg.max_connections;
    // The database, Slack connections and logs need descriptors too.
    constexpr rlim_t reserve = 64;
    auto descriptors = raise_descriptor_limit();
    if (descriptors != RLIM_INFINITY && descriptors < limits.max_connections + reserve) {
        limits.max_connections = descriptors > 16 + reserve ? static_cast<std::size_t>(descriptors - reserve) : 16;
        spdlog::warn("only {} file descriptors (RLIMIT_NOFILE): at most {} HTTP connections instead of {}",
                     descriptors, limits.max_connections, cfg.max_connections);
    }

    // One writer per SQLite file; on PostgreSQL replicas share the database by design.
    std::string why_not;
    bool shared = storage::is_postgres_url(cfg.db_path);
    auto only_writer = shared ? std::optional<storage::writer_lock>()
                              : storage::writer_lock::acquire(cfg.db_path, why_not);
    if (!shared && !only_writer) {
        std::cerr << "warroom serve: " << why_not << ".\n";
        return 2;
    }
    if (shared) wait_for_database(cfg.db_path);
    system_clock clk;
    runtime rt(cfg, clk);
    // Reads from memory only while this process is the only writer (the lock above; see reads_from_memory).
    std::unique_ptr<read_view> reads_view;
    if (reads_from_memory(cfg)) {
        reads_view = std::make_unique<read_view>();
        rt.attach_view(reads_view.get());
    }
    db_worker db(rt);
    boost::asio::io_context io(1);
    // Every coroutine below runs in `tasks`; io.run() returns only once they
    // have all ended, so nothing declared after this line dies under a
    // pending call (see "Tasks and lifetimes" in DEVELOPERS.md).
    net::task_group tasks(io.get_executor());
    auto tls = net::verified_tls();
    slack::web_client slack_api(io.get_executor(), tls, cfg.slack_api_url, cfg.bot_token);
    metrics stats;
    delivery_options delivery_opts;
    delivery_opts.pace_speed = cfg.slack_pace;
    if (shared) delivery_opts.renew_leases_every = std::max(std::chrono::seconds(1), cfg.lease / 3);
    delivery_opts.fleet_pace = shared;
    if (cfg.slack_pace != 1.0)
        spdlog::warn("WARROOM_SLACK_PACE={}: Slack's rate limits are scaled; for tests only", cfg.slack_pace);
    delivery outbox(io.get_executor(), db, slack_api, stats, clk, delivery_opts);
    // Every destination besides Slack (pages now): one loop, one sender per
    // destination (see bot/outbound/sender.hpp for adding one).
    std::vector<std::unique_ptr<outbound::sender>> senders;
    senders.push_back(std::make_unique<outbound::pager_sender>(io.get_executor(), tls, cfg.pagers));
    if (cfg.email.enabled) senders.push_back(std::make_unique<customer_out::email_sender>(cfg.email, cfg.install_id));
    if (cfg.statuspage_api.enabled)
        senders.push_back(
            std::make_unique<customer_out::statuspage_sender>(io.get_executor(), tls, cfg.statuspage_api, db));
    outbound::delivery integrations(io.get_executor(), db, std::move(senders), stats, clk, [&outbox] { outbox.wake(); });
    net::wakeup timers_wake(io.get_executor());
    loop_health timers_health;
    bool stopping = false;

    // A command may arm a timer and queue Slack calls: both loops look again.
    auto after_command = [&] {
        timers_wake.notify();
        outbox.wake();
        integrations.wake();
    };
    // Slash commands: only when some command changed something since the last
    // look, so a burst of reads (show, list...) does not make both loops re-read
    // the database after every answer. A write always bumps rt.changes() before
    // its caller resumes, so no change is missed.
    auto after_slash_command = [&, seen = rt.changes()]() mutable {
        auto now = rt.changes();
        if (now == seen) return;
        seen = now;
        after_command();
    };
    event_intake events_in(db, slack_api);
    interactions clicks(tasks, db, slack_api, stats, cfg.settings, after_command);
    slack_endpoint events(tasks, cfg.signing_secret, db, slack_api, stats, clk, cfg.settings, events_in, clicks,
                          after_slash_command);
    // The network thread's own engine over the view (the database thread keeps the runtime's).
    std::unique_ptr<view_reader> reads;
    if (reads_view) {
        reads = std::make_unique<view_reader>(*reads_view, cfg, clk);
        events.answer_reads_with(reads.get());
    }
    // Pages answered in PagerDuty or Opsgenie (their webhooks), on the same listener as /slack/events.
    pager_endpoint pager_answers(db, stats, clk, cfg, after_command);
    // Socket Mode (SLACK_APP_TOKEN): Slack's traffic over a WebSocket we open;
    // HTTP keeps /healthz and /metrics, and /slack/events if a secret is set.
    std::unique_ptr<slack::web_client> app_api;
    std::unique_ptr<socket_mode_client> socket_mode;
    if (!cfg.app_token.empty()) {
        app_api = std::make_unique<slack::web_client>(io.get_executor(), tls, cfg.slack_api_url, cfg.app_token);
        socket_mode = std::make_unique<socket_mode_client>(io.get_executor(), tasks, tls, *app_api, events, stats);
    }
    net::http_server* http = nullptr;  // set below; /metrics reads its counters
    auto route = [&](net::http_request req) -> net::task<net::http_response> {
        if (req.target == "/slack/events" && cfg.signing_secret.empty())
            co_return net::http_response{503, "text/plain", "HTTP events are off: SLACK_SIGNING_SECRET is not set "
                                                            "(this warroom uses Socket Mode)\n", {}};
        if (req.target == "/slack/events") co_return co_await events.handle(std::move(req));
        if (req.target == "/healthz" || req.target == "/readyz") {
            health_inputs in{db, outbox, integrations.health(), timers_health, socket_mode.get(), clk, cfg.slack_unreachable_after};
            co_return co_await healthz(in, req.target == "/readyz");
        }
        if (req.target == "/metrics") co_return co_await metrics_page(db, stats, http, outbox, clk);
        if (pager_endpoint::serves(req.target)) co_return co_await pager_answers.handle(std::move(req));
        co_return net::http_response{404, "text/plain", "not found\n", {}};
    };
    net::http_server server(io, listen_at, route, limits, &tasks);
    http = &server;
    server.set_header_gate([&](const net::http_request& head, std::optional<std::uint64_t> content_length) {
        std::optional<net::http_response> refusal;
        if (head.target == "/slack/events" && !cfg.signing_secret.empty()) refusal = events.screen(head);
        if (pager_endpoint::serves(head.target)) refusal = pager_answers.screen(head, content_length);
        return refusal;
    });
    // The public status page on a listener of its own (WARROOM_STATUS_LISTEN):
    // the public never shares a port with /slack/events.
    status_site status_pages(db, cfg, clk, [&rt] { return rt.changes(); });
    std::unique_ptr<net::http_server> status_server;
    if (!cfg.status_listen.empty()) {
        try {
            auto at = net::parse_listen_address(cfg.status_listen);
            net::server_limits status_limits = limits;
            status_limits.max_body = 1024;  // read-only: GET and HEAD carry no body
            status_server = std::make_unique<net::http_server>(
                io, at, [&](net::http_request req) { return status_pages.handle(std::move(req)); }, status_limits,
                &tasks);
            status_server->start();
        } catch (const std::exception& e) {
            std::cerr << "warroom serve: cannot serve the status page on " << cfg.status_listen << ": " << e.what()
                      << "\n";
            db.stop();
            return 1;
        }
        auto page_at = status_server->local_endpoint();
        spdlog::info("status page on {}:{} ({} components)", page_at.address().to_string(), page_at.port(),
                     cfg.status_page.components.size());
    }
    try {
        server.start();
    } catch (const std::exception& e) {
        std::cerr << "warroom serve: cannot listen on " << cfg.listen << ": " << e.what() << "\n";
        db.stop();
        return 1;
    }
    auto bound = server.local_endpoint();
    spdlog::info("warroom {} serving Slack on {}:{} (database {}, Slack API {})", WARROOM_VERSION,
                 bound.address().to_string(), bound.port(), storage::redact_location(cfg.db_path), cfg.slack_api_url);

    if (!cfg.pagers.empty()) spdlog::info("pages: {}", pager_answers.status());

    auto stopped = [](loop_health& h) { return [&h](std::string_view what) { h.stopped(std::string(what)); }; };
    tasks.spawn("outbox delivery", outbox.run(), stopped(outbox.health()));
    tasks.spawn("outbox leases", outbox.keep_leases());
    tasks.spawn("integration outbox delivery", integrations.run(), stopped(integrations.health()));
    if (socket_mode) {
        spdlog::info("Socket Mode on (SLACK_APP_TOKEN set){}", cfg.signing_secret.empty()
                                                                ? "; HTTP /slack/events off (no SLACK_SIGNING_SECRET)"
                                                                : "; HTTP /slack/events on too");
        tasks.spawn("Socket Mode", socket_mode->run());
    }
    tasks.spawn("timers", run_timers(db, outbox, integrations, timers_wake, clk, stats, stopping, timers_health), stopped(timers_health));

    // The stop: no new connections and the loops end (each finishes the call
    // in hand); requests in hand get `stop_grace`; then every Slack call still
    // pending is aborted and every task cancelled. io.run() returns when the
    // last task has ended.
    auto finish = [&]() -> net::task<void> {
        bool done = co_await tasks.wait_empty(stop_grace);
        if (done) co_return;
        spdlog::warn("stopping: still busy after {} s ({}); aborting Slack calls in flight", stop_grace.count(),
                     tasks.names());
        slack_api.cancel();
        if (app_api) app_api->cancel();
        integrations.cancel();
        server.abort();
        if (status_server) status_server->abort();
        tasks.cancel();
        done = co_await tasks.wait_empty(stop_cancel_grace);
        if (done) co_return;
        // A bug: some task ignores cancellation. Leaving anyway beats never stopping.
        spdlog::error("stopping: {} did not end when cancelled; leaving anyway", tasks.names());
        io.stop();
    };
    net::stop_signals signals(io, [&](int signal) {
        spdlog::info("signal {}: stopping (no new connections; finishing requests in hand)", signal);
        stopping = true;
        server.stop();
        if (status_server) status_server->stop();
        outbox.stop();
        integrations.stop();
        if (socket_mode) socket_mode->stop();
        timers_wake.notify();
        net::spawn_unowned(io.get_executor(), finish, [](std::exception_ptr e) {
            if (e) spdlog::critical("stopping: the stop itself failed; leaving");
        });
    });

    io.run();
    db.stop();  // commits whatever was accepted before the stop
    spdlog::info("stopped; database closed cleanly");
    return 0;
}

}  // namespace warroom::bot
