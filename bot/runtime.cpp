// Runs engine decisions through SQLite transactions.
#include "bot/runtime.hpp"

#include "bot/customer/notices.hpp"
#include "bot/log_format.hpp"
#include "bot/paging/outbox_page.hpp"
#include "bot/read_view.hpp"

#include <algorithm>
#include <spdlog/spdlog.h>

namespace warroom::bot {

runtime::runtime(const config& cfg, const clock& clk)
    : clock_(clk),
      replica_id_(cfg.replica_id.empty() ? "warroom" : cfg.replica_id),
      lease_(cfg.lease),
      db_(cfg.db_path),
      repo_(db_),
      engine_(cfg.settings, templates::renderer(cfg.settings.templates_dir)),
      pagers_(cfg.pagers),
      install_id_(cfg.install_id) {
    // Queuing a page needs each target's kind, never its secret: the sender has those.
    for (auto& p : pagers_) {
        p.secret.clear();
        p.webhook_secret.clear();
    }
    notices_.email = cfg.email.enabled;
    notices_.statuspage = cfg.statuspage_api.enabled;
    notices_.install_id = cfg.install_id;
    notices_.page_url = cfg.status_page.url;
    while (!notices_.page_url.empty() && notices_.page_url.back() == '/') notices_.page_url.pop_back();
}

void runtime::apply(const commands::decision& d, commands::time_point now) {
    repo_.apply(d, now);
    if (view_) {  // the read view re-reads these after the commit
        if (d.save) touched(d.save->number);
        for (const auto& e : d.timeline) touched(e.incident);
        for (const auto& f : d.followups) touched(f.incident);
    }
    if (!d.ok) return;
    std::vector<storage::integration_action> queued;
    std::optional<commands::incident> other;
    for (const auto& order : d.pages) {
        const commands::incident* inc = nullptr;
        if (d.save && d.save->number == order.incident) {
            inc = &*d.save;
        } else {
            if (!other || other->number != order.incident) other = repo_.find(order.incident);
            if (!other) continue;  // the engine pages only incidents it read: a bug, not a page lost
            inc = &*other;
        }
        auto page = paging::queue_page(order, *inc, engine_.config(), pagers_, install_id_, now);
        if (!paging::takes(page.kind, order)) continue;  // PagerDuty and Opsgenie have no such events
        queued.push_back({order.incident, std::string(paging::page_destination), order.target,
                          paging::summary_line(page), paging::to_payload(page)});
    }
    // What customers are told (e-mail, Statuspage), in the same transaction as what told them.
    for (auto& n : customer::notices_for(d, engine_.config(), notices_))
        queued.push_back({n.incident, std::move(n.destination), std::move(n.target), std::move(n.summary),
                          std::move(n.payload)});
    if (!queued.empty()) repo_.integrations().enqueue(queued, now);
}

namespace {

commands::outcome answer_only(commands::message m) { return {std::nullopt, false, std::move(m)}; }

commands::outcome already_done() {
    return answer_only({"That command reached warroom twice; it was carried out once.", ""});
}

// The incident a decision changed: the one it saves, else the one its timeline or actions belong to.
std::optional<std::int64_t> acted_on(const commands::decision& d) {
    if (d.save) return d.save->number;
    for (const auto& e : d.timeline)
        if (e.incident > 0) return e.incident;
    for (const auto& a : d.actions)
        if (a.incident > 0) return a.incident;
    return std::nullopt;
}

// A command that would change something while the file is gone or damaged:
// its commit would vanish, so it is refused rather than answered as done.
commands::message cannot_save(storage::database& db, const std::string& why) {
    return {":warning: warroom cannot save: " + why + ", so nothing was recorded. Whoever runs warroom must " +
                db.restart_advice() + ".",
            ""};
}

// The one rule for every transaction here: what it wrote is committed only
// while the file is usable. When it is gone or damaged, a commit would vanish
// (or land in a file that is not ours): the writes are rolled back (by the
// transaction's destructor) and the reason returned.
std::optional<std::string> commit_if_usable(storage::database& db, storage::transaction& txn, bool wrote) {
    if (wrote)
        if (const auto& why = db.problem()) return why;
    txn.commit();
    return std::nullopt;
}

}  // namespace

// In the caller's transaction, so a key is remembered only with the command's effects.
commands::outcome runtime::decide_and_apply(const commands::request& req, commands::time_point now, bool& wrote) {
    log_scope scope({std::nullopt, req.once_key});  // JSON log lines carry the request's key
    if (!req.once_key.empty() && repo_.seen_request(req.once_key)) {
        spdlog::info("command from {} with key {} seen before; not repeated", req.user, req.once_key);
        return already_done();
    }
    auto d = engine_.handle(req, repo_, now);
    if (d.ok) {
        apply(d, now);
        // Only commands that change something need remembering; reads stay reads (no fsync).
        bool writes = d.save || !d.timeline.empty() || !d.actions.empty() || !d.maintenances.empty() ||
                      !d.pages.empty();
        if (writes && !req.once_key.empty()) repo_.remember_request(req.once_key, now);
        if (writes) changes_.fetch_add(1, std::memory_order_release);
        wrote = wrote || writes;
        if (writes) return {acted_on(d), d.is_new, std::move(d.reply)};
    }
    return answer_only(std::move(d.reply));
}

commands::outcome runtime::handle(const commands::request& req) {
    // A connection found dead (the server restarted since the last command)
    // costs the command nothing: once more on a new connection. The once-key
    // makes the retry safe even if the lost reply was COMMIT's.
    try {
        return handle_once(req);
    } catch (const storage::database_unavailable&) {
    }
    try {
        return handle_once(req);
    } catch (const storage::database_unavailable& e) {
        spdlog::error("command from {} in {} not carried out: {}: text: {:.200}", req.user, req.channel, e.what(),
                      req.text);
        return answer_only({":warning: warroom cannot reach its database; nothing was changed. Please try again in "
                            "a minute.",
                            ""});
    }
}

commands::outcome runtime::handle_once(const commands::request& req) {
    log_scope scope({std::nullopt, req.once_key});
    auto now = clock_.now();
    try {
        storage::transaction txn(db_);
        bool wrote = false;
        auto reply = decide_and_apply(req, now, wrote);
        if (auto why = commit_if_usable(db_, txn, wrote)) {
            spdlog::error("command from {} in {} refused: {}: text: {:.200}", req.user, req.channel, *why, req.text);
            return answer_only(cannot_save(db_, *why));
        }
        return reply;
    } catch (const storage::database_unavailable&) {
        throw;  // handle() retries once, then answers that the database is out of reach
    } catch (const std::exception& e) {
        db_.note_failure(std::current_exception());
        // Logged here, once; the caller gets a plain answer and nothing was stored.
        spdlog::error("command from {} in {} failed: {}: text: {:.200}", req.user, req.channel, e.what(), req.text);
        if (const auto& why = db_.problem()) return answer_only(cannot_save(db_, *why));
        return answer_only({":warning: warroom could not carry out that command (" + std::string(e.what()) +
                                "). Nothing was changed; please try again.",
                            ""});
    }
}

std::vector<commands::outcome> runtime::handle_batch(const std::vector<commands::request>& reqs) {
    std::vector<commands::outcome> replies;
    replies.reserve(reqs.size());
    auto now = clock_.now();
    try {
        storage::transaction txn(db_);
        bool wrote = false;
        for (const auto& req : reqs) replies.push_back(decide_and_apply(req, now, wrote));
        // Nothing can be saved: one by one, reads are still answered and writes refused.
        if (auto why = commit_if_usable(db_, txn, wrote)) throw storage::storage_error(*why);
        return replies;
    } catch (const std::exception& e) {
        db_.note_failure(std::current_exception());
        spdlog::warn("a batch of {} commands failed ({}); retrying them one by one", reqs.size(), e.what());
    }
    replies.clear();
    for (const auto& req : reqs) replies.push_back(handle(req));
    return replies;
}

bool runtime::observe(const commands::observation& seen) {
    auto now = clock_.now();
    try {
        storage::transaction txn(db_);
        auto d = engine_.observe(seen, repo_, now);
        if (!d.ok) return false;
        apply(d, now);
        if (commit_if_usable(db_, txn, true)) db_.ensure_usable();  // throws, saying why and what to do
        return true;
    } catch (const std::exception& e) {
        db_.note_failure(std::current_exception());
        spdlog::error("recording a Slack event in {} failed: {}", seen.channel, e.what());
        return false;
    }
}

runtime::pager_answer_result runtime::answer_from_pager(const commands::pager_answer& answer,
                                                         const std::string& once_key) {
    auto now = clock_.now();
    try {
        storage::transaction txn(db_);
        if (repo_.seen_request(once_key)) return pager_answer_result::duplicate;
        auto d = engine_.answer_from_pager(answer, repo_, now);
        if (!d.ok) return pager_answer_result::unknown_incident;
        apply(d, now);
        repo_.remember_request(once_key, now);
        if (commit_if_usable(db_, txn, true)) db_.ensure_usable();  // throws, saying why and what to do
        changes_.fetch_add(1, std::memory_order_release);
        return pager_answer_result::reflected;
    } catch (const std::exception& e) {
        db_.note_failure(std::current_exception());
        // The caller answers 500 and logs nothing more: the vendor retries.
        spdlog::error("recording INC-{} {} in {} failed (the vendor will retry): {}", answer.incident,
                      answer.what == commands::pager_answer::kind::acknowledged ? "acknowledged" : "resolved",
                      answer.provider, e.what());
        return pager_answer_result::failed;
    }
}

bool runtime::page_dead(std::int64_t outbox_id, std::int64_t incident, const std::string& target,
                        const std::string& error) {
    auto now = clock_.now();
    storage::transaction txn(db_);
    repo_.integrations().mark_dead(outbox_id, error, now);
    auto d = engine_.page_failed(incident, target, error, repo_, now);
    if (d.ok) apply(d, now);
    if (commit_if_usable(db_, txn, true)) db_.ensure_usable();  // throws, saying why and what to do
    if (d.ok) changes_.fetch_add(1, std::memory_order_release);
    return d.ok;
}

commands::message runtime::join(std::int64_t incident, const std::string& user) {
    auto now = clock_.now();
    try {
        storage::transaction txn(db_);
        auto d = engine_.join(incident, user, repo_, now);
        if (d.ok) apply(d, now);
        if (auto why = commit_if_usable(db_, txn, d.ok)) return cannot_save(db_, *why);
        return std::move(d.reply);
    } catch (const std::exception& e) {
        db_.note_failure(std::current_exception());
        spdlog::error("adding {} to INC-{}'s channel failed: {}", user, incident, e.what());
        return {":warning: warroom could not add you to the channel (" + std::string(e.what()) + "); please try again.", ""};
    }
}

commands::message runtime::home(const std::string& viewer) { return engine_.home(repo_, clock_.now(), viewer); }

std::size_t runtime::fire_due(std::vector<commands::time_point>* fired_at) {
    auto now = clock_.now();
    std::size_t fired = 0;
    std::vector<commands::time_point> deadlines;
    try {
        storage::transaction txn(db_);
        for (const auto& t : repo_.due_timers(now)) {
            auto d = engine_.fire(t.incident, t.kind, repo_, now);
            if (!d.ok) continue;
            apply(d, now);
            ++fired;
            deadlines.push_back(t.at);
        }
        // The weekly digest: armed on the first pass with a digest channel, and
        // a time missed while warroom was down fires once, the next counted from now.
        if (auto next = engine_.next_digest(now)) {
            auto at = repo_.digest_at();
            if (!at) {
                commands::decision arm;
                arm.next_digest = next;
                apply(arm, now);
            } else if (*at <= now) {
                apply(engine_.digest(repo_, now), now);
                ++fired;
                deadlines.push_back(*at);
            }
        }
        // Said once, when found; the timers wait for a restart.
        if (commit_if_usable(db_, txn, fired > 0)) return 0;
    } catch (const std::exception& e) {
        db_.note_failure(std::current_exception());
        spdlog::error("firing due timers failed (will retry): {}", e.what());
        return 0;
    }
    if (fired_at) *fired_at = std::move(deadlines);
    return fired;
}

std::optional<commands::time_point> runtime::next_deadline() {
    auto next = repo_.next_deadline();
    if (!engine_.next_digest(clock_.now())) return next;  // off: a stored time is left as it is
    auto digest = repo_.digest_at();
    if (!digest || !next) return digest ? digest : next;
    return std::min(*next, *digest);
}

void runtime::attach_view(read_view* view) {
    view_ = view;
    if (view_) view_->load(repo_);
}

void runtime::publish_view() {
    if (!view_ || touched_.empty()) return;
    try {
        view_->refresh(repo_, touched_);
    } catch (const std::exception& e) {
        // A view that missed a commit would show the past: nothing is answered from it any more.
        spdlog::error("the in-memory read view could not be updated ({}); reads go to the database from now on", e.what());
        view_->invalidate();
    }
    touched_.clear();
}

}  // namespace warroom::bot
