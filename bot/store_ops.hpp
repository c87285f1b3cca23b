// Everything the database thread does besides group-committing commands: a
// closed set of named operations, each owning its transaction. Only this class
// (and the runtime under it) touches the repository; db_worker runs nothing else.
#pragma once

#include "bot/metrics.hpp"
#include "bot/runtime.hpp"
#include "storage/statuspage_links.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace warroom::bot {

class store_ops {
public:
    using time_point = commands::time_point;

    explicit store_ops(runtime& rt) : rt_(rt) {}

    // Group commit of /incident commands (db_worker::submit): one transaction, answers in order.
    std::vector<commands::outcome> handle_batch(const std::vector<commands::request>& reqs);

    // --- Slack requests and events ---
    // True the first time `key` is seen: Slack resends what it thinks we missed.
    bool remember_request(std::string key, time_point now);
    std::optional<commands::incident> find(std::int64_t incident);
    bool is_incident_channel(std::string channel);
    // The incident whose channel (ID or name) this is.
    std::optional<commands::incident> find_by_channel(std::string channel);
    bool observe(commands::observation seen);
    // A verified page answer from PagerDuty or Opsgenie, once per `once_key`.
    runtime::pager_answer_result answer_from_pager(commands::pager_answer answer, std::string once_key);
    // The App Home as `viewer` sees it (a private incident shows to its members only; their follow-ups).
    commands::message home(std::string viewer);
    commands::message join(std::int64_t incident, std::string user);

    // --- Timers ---
    struct timer_pass {
        std::size_t fired = 0;
        std::optional<time_point> next;
        // How late each fired timer was, committed, against its deadline.
        std::vector<std::chrono::duration<double>> lateness;
    };
    timer_pass fire_due();
    void forget_requests_before(time_point cutoff);

    // --- /healthz and /metrics ---
    // Throws when the database is deleted, replaced or damaged; else the outbox by state.
    std::map<std::string, std::size_t> health_check();
    // Which replica this is, how long a trivial query takes to come back,
    // and the live outbox leases by replica (/healthz).
    struct replica_status {
        std::string replica;
        std::string backend;  // "sqlite" or "postgresql"
        double round_trip_ms = 0;
        std::map<std::string, std::size_t> leases;
    };
    replica_status replica_health(time_point now);
    metrics::gauges gauges();

    // --- Delivery ---
    struct outbox_round {
        std::vector<storage::outbox_entry> entries;
        std::map<std::int64_t, commands::incident> incidents;
        std::set<std::int64_t> superseded;  // outbox ids of summary updates a newer one replaces
        std::optional<time_point> next;  // when the next action falls due: only for a round with none due now
    };
    // The next `limit` actions due at `now`, their incidents, and which are superseded.
    outbox_round read_outbox_round(time_point now, std::size_t limit);
    // The round's paced deferrals and superseded summary updates, in one transaction.
    std::size_t settle_round(std::vector<std::pair<std::int64_t, time_point>> deferrals,
                             std::vector<std::int64_t> superseded, time_point now);
    struct delivery_outcome {
        enum kind { delivered, retry, dead } result = delivered;
        std::int64_t id = 0;
        std::int64_t incident = 0;
        std::string error;
        std::optional<time_point> retry_at;  // when result == retry
        std::string channel_id, channel_name, summary_ts, posted_ts;
        bool slack_is_back = false;  // release what was backing off
        time_point now{};
    };
    // One commit (one fsync) for the outcome and what it taught us.
    void record_outcome(delivery_outcome o);
    // What this replica holds stays its own for another lease (PostgreSQL; nothing on SQLite).
    void renew_leases(time_point now);
    std::size_t retry_backed_off(time_point now);
    // Slack's pace shared by the fleet (PostgreSQL, storage::slack_pace): takes
    // a token of each key in turn; zero when all were granted (the call may
    // go), else how long to wait. A key refused after an earlier one granted
    // wastes that token: the fleet errs on the slow side, never the fast one.
    struct pace_key {
        std::string key;
        double per_minute = 0, burst = 0;
    };
    std::chrono::milliseconds take_slack_pace(std::vector<pace_key> keys, std::int64_t now_ms);
    // Slack's 429 on one replica holds the key for every replica.
    void hold_slack_pace(pace_key key, std::int64_t until_ms);
    void set_channel(std::int64_t incident, std::string channel_id, std::string channel_name);
    std::optional<std::string> posted_ts(std::int64_t outbox_id);

    // --- The integration outbox (pages; e-mail and Statuspage next): bot/outbound ---
    struct integration_round {
        std::vector<storage::integration_entry> entries;
        // The Slack channel ID of each entry's incident ("" until created): a
        // page links back to it, though it was queued before the channel existed.
        std::map<std::int64_t, std::string> channel_ids;
        std::optional<time_point> next;
    };
    integration_round read_integration_round(time_point now, std::size_t limit);
    struct integration_outcome {
        enum kind { delivered, retry, dead } result = delivered;
        std::int64_t id = 0;
        std::int64_t incident = 0;
        std::string destination, target;
        std::string error;
        std::optional<time_point> retry_at;
        time_point now{};
    };
    // True when it gave Slack something to deliver (a dead page is said in its channel).
    bool record_integration_outcome(integration_outcome o);

    // --- Statuspage: which of its incidents is ours (bot/customer/statuspage_sender) ---
    std::optional<storage::statuspage_link> statuspage_link(std::int64_t incident);
    // Committed before the create is sent, so a lost answer is looked for, never created twice.
    void mark_statuspage_create(std::int64_t incident, std::int64_t entry, time_point now);
    void record_statuspage_id(std::int64_t incident, std::string statuspage_id, time_point now);

    // --- The public status page ---
    struct incident_history {
        commands::incident inc;
        std::vector<commands::timeline_entry> timeline;
    };
    // Every open incident and every one declared or resolved since `since`,
    // with its timeline, oldest first: what statuspage::build_model reads.
    std::vector<incident_history> status_page_incidents(time_point since);
    // Scheduled maintenances ending after `since`, cancelled ones too.
    std::vector<commands::maintenance> status_page_maintenances(time_point since);

    // After every operation and batch, before its caller resumes (db_worker):
    // the in-memory read view learns what was committed.
    void publish_view();

    // A failure met by any operation (a damaged page) makes health report it.
    void note_failure(std::exception_ptr error);

private:
    runtime& rt_;
};

}  // namespace warroom::bot
