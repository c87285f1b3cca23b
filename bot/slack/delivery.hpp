// Delivers the outbox to Slack: every action the engine committed, in order
// per incident, with retries by kind of failure. Runs on the network thread.
#pragma once

#include "bot/clock.hpp"
#include "bot/loop_health.hpp"
#include "bot/metrics.hpp"
#include "bot/slack/outbox_plan.hpp"
#include "bot/slack/rate_limiter.hpp"
#include "bot/slack/retry_policy.hpp"
#include "bot/slack/web_client.hpp"
#include "bot/store_ops.hpp"
#include "bot/net/async.hpp"
#include "bot/net/wakeup.hpp"
#include "storage/incident_repository.hpp"


#include <chrono>
#include <optional>
#include <string>

namespace warroom::bot {

class db_worker;

struct delivery_options {
    std::chrono::seconds max_backoff{300};
    // A transient failure older than this becomes a dead letter.
    std::chrono::seconds give_up_after{std::chrono::hours(24)};
    std::chrono::seconds auth_recheck{60};
    std::size_t batch = 50;
    // Pacing waits up to this long in line; longer, the action is deferred
    // and the rest of the queue goes on.
    std::chrono::milliseconds max_inline_wait{250};
    double pace_speed = 1.0;  // rate_limiter's speed: 1 is Slack's own pace
    // While calls fail, auth.test asks Slack this often whether it is back.
    std::chrono::seconds probe_every{5};
    // Several replicas: how often a round in progress renews this replica's
    // outbox leases (a third of `lease`); zero with one writer (SQLite).
    std::chrono::seconds renew_leases_every{0};
    // Several replicas: Slack's pace is kept for the whole fleet in the
    // database (storage::slack_pace), on top of each replica's own.
    bool fleet_pace = false;
};

class delivery {
public:
    delivery(const net::executor& ex, db_worker& db, slack::web_client& slack, metrics& m,
             const clock& clk, delivery_options opts = {});

    net::task<void> run();
    // Beside run(): keeps the leases of what this replica claimed while a round
    // is under way. One Slack call may take longer than the lease (the HTTP
    // client's timeout is 15 s for each of connect, write and read, plus a
    // resend and a wait for a pooled connection; `lease` may be 2 s), and
    // renewing only between actions would let another replica take the action
    // in hand and post it twice. Renewed on a clock instead, a lease ends only
    // when this replica stops, dies or loses its database.
    net::task<void> keep_leases();
    void wake() { wake_.notify(); }
    void stop() {
        stopping_ = true;
        wake_.notify();
        pace_.notify();
        leases_wake_.notify();
    }

    // Non-empty when Slack rejected the token: delivery waits, /healthz says 503.
    const std::string& auth_error() const { return auth_error_; }
    std::optional<commands::time_point> last_delivered() const { return last_delivered_; }
    // Whether Slack answers (for /healthz, /readyz and /metrics).
    const slack::reachability& slack_reachability() const { return reach_; }
    // The delivery loop itself: failing while its database work fails, stopped if it ended.
    const loop_health& health() const { return health_; }
    loop_health& health() { return health_; }

private:
    using outcome = slack::outbox_outcome;
    struct pause;
    net::task<pause> round();
    net::task<void> probe();
    // Drives the action's slack::outbox_plan: performs each step it names.
    net::task<outcome> deliver(const storage::outbox_entry& e, commands::incident* inc);
    // A probe's result tells reach_ nothing about deliveries: probe() reports it itself.
    net::task<slack::api_result> call(std::string_view method, const nlohmann::json& args,
                                                   bool probing = false);
    net::task<std::chrono::steady_clock::duration> fleet_wait(std::string_view method, const std::string& channel);
    net::task<void> fleet_hold(std::string_view method, std::chrono::seconds retry_after);
    net::task<void> flush_round();
    net::task<void> record(const storage::outbox_entry& e, const outcome& o);
    net::task<void> settle_owed();

    db_worker& db_;
    slack::web_client& slack_;
    metrics& metrics_;
    const clock& clock_;
    delivery_options opts_;
    net::wakeup wake_;
    net::wakeup pace_;  // only stop() cuts a pacing wait short
    net::wakeup leases_wake_;
    bool in_round_ = false;  // run() and keep_leases() share the network thread
    slack::rate_limiter limiter_;
    std::vector<std::pair<std::int64_t, commands::time_point>> deferrals_;  // paced this round
    std::vector<std::int64_t> superseded_;  // summary updates a newer one replaces, this round
    bool stopping_ = false;
    // A transient failure since the last delivery: the next delivery releases
    // what backs off. Not reach_.failing(): a refusal or a 429 ends that (Slack
    // answers) while the backlog still waits, and this clears only once the
    // release is written.
    bool slack_failing_ = false;
    slack::reachability reach_;
    loop_health health_;
    std::string auth_error_;
    std::optional<commands::time_point> last_delivered_;
    // Done in Slack, not yet recorded: the database failed when it was written.
    std::vector<store_ops::delivery_outcome> owed_;
    slack::workspace_cache workspace_;
};

}  // namespace warroom::bot
