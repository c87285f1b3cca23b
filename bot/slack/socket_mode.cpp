// Socket Mode over net::websocket (TLS with verification and SNI for
// wss://, plain for ws:// in tests). One supervisor keeps a live connection;
// each connection has its own reader; envelopes are handled concurrently and
// acknowledged on the connection they came on, through a per-connection
// write queue (a WebSocket allows one write at a time).
#include "bot/slack/socket_mode.hpp"

#include "bot/metrics.hpp"
#include "bot/log_format.hpp"
#include "bot/net/async.hpp"
#include "bot/net/task_group.hpp"
#include "bot/net/wakeup.hpp"
#include "bot/net/watchdog.hpp"
#include "bot/net/websocket.hpp"
#include "bot/slack/envelope_handler.hpp"
#include "bot/slack/inbound.hpp"
#include "bot/slack/payloads.hpp"
#include "bot/slack/web_client.hpp"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <deque>
#include <random>
#include <unordered_map>
#include <vector>

namespace warroom::bot {

namespace ssl = boost::asio::ssl;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// One WebSocket connection and what Socket Mode keeps about it.
struct connection : std::enable_shared_from_this<connection> {
    connection(net::executor e, net::task_group& t, ssl::context& tls, net::ws_options o)
        : tasks(t), ws(e, tls, o), drained(e) {}

    // Queued: acks come from concurrent handlers, a WebSocket takes one write at a time.
    void send(std::string text) {
        if (broken || close_wanted) return;
        out.push_back(std::move(text));
        start_writer();
    }
    // A normal close (close frame) after the queued writes.
    void request_close() {
        if (close_wanted) return;
        close_wanted = true;
        start_writer();
    }
    void abort() { ws.abort(); }
    // An envelope's ack is queued: the last one wakes whoever waits to close.
    void envelope_done() {
        if (--in_flight == 0) drained.notify();
    }

    net::task_group& tasks;
    net::websocket ws;
    int id = 0;
    std::string host;
    std::chrono::steady_clock::time_point opened = std::chrono::steady_clock::now();
    bool retiring = false;   // Slack asked us to move on; a successor is being opened
    bool close_wanted = false;
    bool broken = false;
    int in_flight = 0;       // envelopes being handled, whose acks are still to come
    net::wakeup drained;  // notified when in_flight reaches 0

private:
    void start_writer() {
        if (writing) return;
        writing = true;
        auto self = shared_from_this();
        tasks.spawn("Socket Mode writer", self->drain(self));
    }

    net::task<void> drain(std::shared_ptr<connection> keep_alive) {
        (void)keep_alive;  // holds this connection until the queue is drained
        while (!broken) {
            if (!out.empty()) {
                std::string text = std::move(out.front());
                out.pop_front();
                auto err = co_await ws.write_text(text);
                if (!err.empty()) {
                    spdlog::warn("Socket Mode connection {}: could not send ({}); {} queued message(s) dropped", id,
                                 err, out.size());
                    out.clear();
                    broken = true;
                }
                continue;
            }
            if (close_wanted && !close_sent) {
                close_sent = true;
                auto err = co_await ws.close_normally();
                if (!err.empty()) spdlog::debug("Socket Mode connection {}: close: {}", id, err);
            }
            break;
        }
        writing = false;
    }

    std::deque<std::string> out;
    bool writing = false;
    bool close_sent = false;
};

struct dial_result {
    std::shared_ptr<connection> conn;
    std::string error;
    bool fatal = false;  // retrying would not help (bad token, Socket Mode off)
    std::optional<std::chrono::seconds> retry_after;
    int num_connections = 0;
};

// Which errors of apps.connections.open are worth retrying (SLACK.md §5).
bool fatal_open_error(const std::string& e) {
    return e == "not_authed" || e == "invalid_auth" || e == "account_inactive" || e == "team_disabled" ||
           e == "token_revoked" || e == "not_allowed_token_type" || e == "missing_scope";
}

}  // namespace

struct socket_mode_client::impl : std::enable_shared_from_this<impl> {
    impl(net::executor e, net::task_group& g, ssl::context& t, slack::web_client& api, envelope_handler& ep,
         metrics& m, socket_mode_options o)
        : ex(e), tasks(g), tls(t), app_api(api), endpoint(ep), stats(m), opts(o), wake(e), rng(std::random_device{}()) {}

    net::executor ex;
    net::task_group& tasks;
    ssl::context& tls;
    slack::web_client& app_api;
    envelope_handler& endpoint;
    metrics& stats;
    socket_mode_options opts;
    net::wakeup wake;
    net::wakeup all_closed{ex};  // a stop sleeps on it until the last connection ends
    std::mt19937 rng;

    bool stopping = false;
    std::string disabled;  // why Socket Mode stopped for good
    std::string state = "connecting";
    int next_id = 1;
    int failures = 0;  // consecutive failed or short-lived connections
    bool wait_before_next = false;  // a short-lived connection died: do not hammer apps.connections.open
    std::vector<std::shared_ptr<connection>> live;
    std::shared_ptr<connection> dialing;

    // Recently seen envelope_ids (Slack redelivers unacknowledged ones) and
    // the ack each got, so a redelivery is answered the same without acting twice.
    std::unordered_map<std::string, std::string> recent;
    std::deque<std::string> recent_order;
    static constexpr std::size_t recent_max = 4096;

    bool has_primary() const {
        for (const auto& c : live)
            if (!c->retiring && !c->close_wanted && !c->broken) return true;
        return false;
    }

    std::chrono::milliseconds backoff(std::optional<std::chrono::seconds> retry_after) {
        auto cap = std::chrono::duration_cast<std::chrono::milliseconds>(opts.max_retry);
        auto d = opts.first_retry;
        for (int i = 1; i < failures && d < cap; ++i) d *= 2;
        d = std::min(d, cap);
        std::uniform_int_distribution<long> jitter(d.count() / 2, d.count());
        std::chrono::milliseconds wait(jitter(rng));
        if (retry_after) wait = std::max(wait, std::chrono::duration_cast<std::chrono::milliseconds>(*retry_after));
        return wait;
    }

    // apps.connections.open, the WebSocket handshake, then Slack's hello.
    net::task<dial_result> open_one() {
        dial_result out;
        json no_args = json::object();
        auto opened = co_await app_api.call("apps.connections.open", no_args);
        if (!opened.ok) {
            out.error = "apps.connections.open: " + opened.error;
            out.fatal = opened.answered && fatal_open_error(opened.error);
            out.retry_after = opened.retry_after;
            co_return out;
        }
        std::string url = opened.body.is_object() && opened.body.contains("url") && opened.body["url"].is_string()
                              ? opened.body["url"].get<std::string>()
                              : "";
        if (!url.starts_with("wss://") && !url.starts_with("ws://")) {
            out.error = "apps.connections.open gave no ws:// or wss:// url";
            co_return out;
        }
        net::ws_options wo;
        wo.open_within = opts.hello_within;
        wo.idle_timeout = opts.idle_timeout;
        auto conn = std::make_shared<connection>(ex, tasks, tls, wo);
        dialing = conn;
        if (auto err = co_await conn->ws.open(url); !err.empty()) {
            dialing.reset();
            conn->abort();
            out.error = err;
            co_return out;
        }
        const std::string& where = conn->ws.where();  // never the ticket

        // Slack speaks first; keep-alive pings would keep a silent server
        // alive forever, so hello has its own deadline.
        net::watchdog hello_due(ex, opts.hello_within, [conn] { conn->abort(); });
        auto first = co_await conn->ws.read();
        hello_due.cancel();
        dialing.reset();
        if (first.end != net::ws_end::none) {
            conn->abort();
            out.error = "waiting for hello from " + where + ": " + first.error;
            co_return out;
        }
        auto hello = slack::parse_json_bounded(first.text);
        if (!hello.is_object() || hello.value("type", "") != "hello") {
            conn->abort();
            out.error = "the first message from " + where + " was not hello";
            co_return out;
        }
        conn->id = next_id++;
        conn->host = where;
        conn->opened = std::chrono::steady_clock::now();
        if (hello.contains("num_connections") && hello["num_connections"].is_number_integer())
            out.num_connections = hello["num_connections"].get<int>();
        out.conn = conn;
        co_return out;
    }

    net::task<void> run() {
        auto self = shared_from_this();
        while (!stopping) {
            if (has_primary()) {
                co_await wake.sleep_for(1h);
                continue;
            }
            state = "connecting";
            if (wait_before_next) {
                wait_before_next = false;
                auto wait = backoff(std::nullopt);
                spdlog::info("Socket Mode: reconnecting in {} ms ({} short-lived connection(s) in a row)", wait.count(),
                             failures);
                co_await wake.sleep_for(wait);
                if (stopping) break;
            }
            auto opened = co_await open_one();
            if (stopping) {
                if (opened.conn) opened.conn->abort();
                break;
            }
            if (opened.fatal) {
                disabled = opened.error;
                spdlog::error("Socket Mode stopped: {} (check SLACK_APP_TOKEN: an app-level token with "
                              "connections:write); HTTP keeps running",
                              opened.error);
                stats.count_request("socket_connection", "auth_error");
                break;
            }
            if (!opened.conn) {
                ++failures;
                auto wait = backoff(opened.retry_after);
                spdlog::warn("Socket Mode: could not connect ({}); attempt {} failed, retrying in {} ms",
                             opened.error, failures, wait.count());
                stats.count_request("socket_connection", "failed");
                co_await wake.sleep_for(wait);
                continue;
            }
            auto conn = opened.conn;
            live.push_back(conn);
            state = "connected";
            stats.count_request("socket_connection", "opened");
            spdlog::info("Socket Mode connection {} to {} ready (hello; Slack counts {} connection(s))", conn->id,
                         conn->host, opened.num_connections);
            tasks.spawn("Socket Mode reader", self->read_loop(conn));
            // A refresh: the new connection is up, now the old ones go.
            auto others = live;
            for (const auto& old : others)
                if (old != conn && old->retiring) tasks.spawn("Socket Mode retiring a connection", self->close_when_drained(old));
        }
        if (!disabled.empty()) state = "disabled: " + disabled;
        // Stop (or link_disabled): finish the acks in hand, then close normally.
        auto closing = live;
        for (const auto& c : closing) tasks.spawn("Socket Mode closing a connection", self->close_when_drained(c));
        auto give_up = std::chrono::steady_clock::now() + opts.drain_within + 2s;
        while (!live.empty() && std::chrono::steady_clock::now() < give_up)
            co_await all_closed.sleep_for(give_up - std::chrono::steady_clock::now());  // the last reader notifies
        auto remaining = live;
        for (const auto& c : remaining) c->abort();
        if (disabled.empty()) state = "stopped";
        spdlog::info("Socket Mode stopped");
    }

    net::task<void> close_when_drained(std::shared_ptr<connection> c) {
        auto deadline = std::chrono::steady_clock::now() + opts.drain_within;
        while (c->in_flight > 0 && std::chrono::steady_clock::now() < deadline)
            co_await c->drained.sleep_for(deadline - std::chrono::steady_clock::now());  // envelope_done() notifies
        c->request_close();
    }

    net::task<void> read_loop(std::shared_ptr<connection> c) {
        auto self = shared_from_this();
        std::string why;
        while (true) {
            auto r = co_await c->ws.read();
            if (r.end != net::ws_end::none) {
                if (c->close_wanted)
                    why = "closed by warroom";
                else if (r.end == net::ws_end::closed)
                    why = "closed (" + c->ws.close_reason() + ")";
                else if (r.end == net::ws_end::timeout)
                    why = "no frame for " + std::to_string(opts.idle_timeout.count()) + " s, not even a pong";
                else if (r.end == net::ws_end::dropped)
                    why = "dropped without a close frame (" + r.error + ")";
                else
                    why = r.error;
                break;
            }
            on_message(c, r.text);
        }
        std::erase(live, c);
        if (live.empty()) all_closed.notify();
        auto lived = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - c->opened);
        if (c->close_wanted || c->retiring || stopping) {
            spdlog::info("Socket Mode connection {} closed after {} s: {}", c->id, lived.count(), why);
        } else {
            // The first loss reconnects at once; a link that keeps dying young waits longer each time.
            wait_before_next = lived < 10s && failures > 0;
            failures = lived < 10s ? failures + 1 : 0;
            spdlog::warn("Socket Mode connection {} to {} lost after {} s: {}; reconnecting", c->id, c->host,
                         lived.count(), why);
            stats.count_request("socket_connection", "lost");
            if (live.empty()) state = "connecting";
        }
        c->abort();
        wake.notify();
    }

    void on_message(const std::shared_ptr<connection>& c, const std::string& text) {
        bool too_deep = false;
        auto msg = slack::parse_json_bounded(text, slack::max_json_depth, &too_deep);
        if (!msg.is_object()) {
            warn_throttled("socket_mode.bad_message", "Socket Mode connection {}: a message that is {} ({} bytes); ignored",
                           c->id, too_deep ? "nested too deeply" : "not a JSON object", text.size());
            stats.count_request("socket_message", "bad_request");
            return;
        }
        std::string type = msg.contains("type") && msg["type"].is_string() ? msg["type"].get<std::string>() : "";
        if (type == "disconnect") {
            std::string reason =
                msg.contains("reason") && msg["reason"].is_string() ? msg["reason"].get<std::string>() : "";
            stats.count_request("socket_disconnect", reason.empty() ? "unknown" : reason);
            if (reason == "link_disabled") {
                spdlog::error("Socket Mode connection {}: Slack disabled Socket Mode for this app (link_disabled); "
                              "Socket Mode stops. Turn it back on in the app's settings and restart warroom",
                              c->id);
                disabled = "link_disabled";
                stopping = true;
                wake.notify();
                return;
            }
            spdlog::info("Socket Mode connection {}: Slack asks to reconnect ({}); opening the next connection "
                         "before closing this one",
                         c->id, reason.empty() ? "no reason given" : reason);
            c->retiring = true;
            wake.notify();
            return;
        }
        if (type == "hello") {
            spdlog::debug("Socket Mode connection {}: hello again", c->id);
            return;
        }
        if (!msg.contains("envelope_id") || !msg["envelope_id"].is_string()) {
            spdlog::info("Socket Mode connection {}: ignored a message of type '{}' without envelope_id", c->id, type);
            stats.count_request("socket_message", "ignored");
            return;
        }
        ++c->in_flight;
        auto self = shared_from_this();
        tasks.spawn("Socket Mode envelope", self->handle_envelope(c, std::move(msg)));
    }

    void remember(const std::string& id, std::string ack) {
        auto [it, inserted] = recent.insert_or_assign(id, std::move(ack));
        if (!inserted) return;
        recent_order.push_back(id);
        if (recent_order.size() > recent_max) {
            recent.erase(recent_order.front());
            recent_order.pop_front();
        }
    }

    void forget(const std::string& id) { recent.erase(id); }  // its order entry expires harmlessly

    static std::string bare_ack(const std::string& envelope_id) { return dump(json{{"envelope_id", envelope_id}}); }

    net::task<void> handle_envelope(std::shared_ptr<connection> c, json env) {
        std::string id = env["envelope_id"].get<std::string>();
        std::string type = env.contains("type") && env["type"].is_string() ? env["type"].get<std::string>() : "";
        std::string kind = "socket_" + (type.empty() ? std::string("unknown") : type);
        int retry_attempt = env.contains("retry_attempt") && env["retry_attempt"].is_number_integer()
                                ? env["retry_attempt"].get<int>()
                                : 0;
        bool wants_payload = !env.contains("accepts_response_payload") || env["accepts_response_payload"] == true;

        if (auto seen = recent.find(id); seen != recent.end()) {
            // Redelivered (or a duplicate): answer as before, act once.
            spdlog::info("Socket Mode connection {}: envelope {} ({}, retry {}) seen before; acknowledged again, "
                         "not processed twice",
                         c->id, id, type, retry_attempt);
            std::string again = seen->second.empty() ? bare_ack(id) : seen->second;
            c->send(std::move(again));
            stats.count_request(kind, "duplicate");
            c->envelope_done();
            co_return;
        }
        remember(id, "");

        std::string ack = bare_ack(id);
        std::string outcome = "ok";
        bool acknowledge = true;
        auto in = slack::parse_envelope(env);
        bool event = std::holds_alternative<slack::event_callback>(in) ||
                     std::holds_alternative<slack::url_verification>(in) ||
                     std::holds_alternative<slack::other_envelope>(in);
        if (auto* bad = std::get_if<slack::invalid_request>(&in)) {
            // Acknowledged all the same: Slack would only send it again.
            bool unknown = type != "events_api" && type != "slash_commands" && type != "interactive";
            if (unknown) spdlog::info("Socket Mode: envelope {}: {}; acknowledged", id, bad->reason);
            else spdlog::warn("Socket Mode: {} envelope {}: {}; acknowledged", type, id, bad->reason);
            outcome = unknown ? "ignored" : "bad_request";
        } else if (event && !std::holds_alternative<slack::event_callback>(in)) {
            outcome = "ignored";
        } else {
            std::string retry_num = retry_attempt > 0 ? std::to_string(retry_attempt) : "";
            auto reply = co_await endpoint.answer(in, retry_num);
            if (!reply.taken) {
                // Not acknowledged: Slack redelivers it, and then it must not look seen.
                acknowledge = false;
                outcome = "error";
                forget(id);
            } else if (!event && wants_payload && !reply.body.empty()) {
                // A command's answer, or a modal's response_action (e.g. inline errors).
                auto body = json::parse(reply.body, nullptr, false);
                if (body.is_object())
                    ack = R"({"envelope_id":)" + json(id).dump() + R"(,"payload":)" + reply.body + "}";
            }
        }
        if (acknowledge) {
            if (recent.contains(id)) recent[id] = ack;
            c->send(ack);
        }
        stats.count_request(kind, outcome);
        c->envelope_done();
    }
};

socket_mode_client::socket_mode_client(net::executor ex, net::task_group& tasks, ssl::context& tls,
                                       slack::web_client& app_api, envelope_handler& endpoint, metrics& m,
                                       socket_mode_options opts)
    : impl_(std::make_shared<impl>(ex, tasks, tls, app_api, endpoint, m, opts)) {}

socket_mode_client::~socket_mode_client() = default;

net::task<void> socket_mode_client::run() {
    auto self = impl_;
    co_await self->run();
}

void socket_mode_client::stop() {
    impl_->stopping = true;
    if (impl_->dialing) impl_->dialing->abort();
    impl_->wake.notify();
}

std::string socket_mode_client::status() const { return impl_->state; }

bool socket_mode_client::healthy() const { return impl_->disabled.empty(); }

}  // namespace warroom::bot
