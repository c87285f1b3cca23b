#include "bot/outbox_command.hpp"

#include "storage/location.hpp"

#include "bot/clock.hpp"
#include "commands/text.hpp"
#include "storage/database.hpp"
#include "storage/incident_repository.hpp"

#include <map>
#include <ostream>

namespace warroom::bot {

namespace {

std::string describe(const storage::outbox_entry& e) { return "#" + std::to_string(e.id) + " " + storage::describe_action(e); }

}  // namespace

int run_outbox_command(const config& cfg, bool retry_dead, std::ostream& out) {
    storage::database db(cfg.db_path);
    storage::incident_repository repo(db);
    if (retry_dead) {
        auto now = system_clock().now();
        auto n = repo.retry_dead(now) + repo.integrations().retry_dead(now);
        out << n << " dead letter" << (n == 1 ? "" : "s") << " queued again; a running `warroom serve` delivers "
            << (n == 1 ? "it" : "them") << " within a minute.\n";
        return 0;
    }
    auto counts = repo.outbox_counts();
    auto count = [&](const char* state) { return counts.count(state) ? counts.at(state) : 0; };
    out << "outbox of " << storage::redact_location(cfg.db_path) << ": " << count("pending") << " pending, " << count("done")
        << " delivered, " << count("dead") << " dead\n";
    // Pages (and the other destinations besides Slack): their own queue, one line per destination.
    std::map<std::string, std::map<std::string, std::size_t>> by_destination;
    for (const auto& [key, n] : repo.integrations().counts()) by_destination[key.first][key.second] = n;
    for (auto& [destination, states] : by_destination)
        out << destination << " outbox: " << states["pending"] << " pending, " << states["done"] << " delivered, "
            << states["dead"] << " dead\n";
    auto dead = repo.dead_actions(50);
    auto dead_integrations = repo.integrations().dead(50);
    if (dead.empty() && dead_integrations.empty()) return 0;
    if (!dead.empty()) {
        out << "\nDead letters (newest first): Slack refused these for good or for too long.\n";
        for (const auto& e : dead)
            out << "  " << describe(e) << ": " << e.last_error << " (" << e.attempts << " attempt"
                << (e.attempts == 1 ? "" : "s") << ", queued " << commands::format_time(e.created_at) << " UTC)\n";
    }
    if (!dead_integrations.empty()) {
        out << "\nDead pages and other deliveries (newest first): refused by the receiver, or failing for too long.\n";
        for (const auto& e : dead_integrations)
            out << "  #" << e.id << " " << e.act.summary << ": " << e.last_error << " (" << e.attempts << " attempt"
                << (e.attempts == 1 ? "" : "s") << ", queued " << commands::format_time(e.created_at) << " UTC)\n";
    }
    out << "\nFix the cause (a missing channel, the bot's membership, the token; a pager's key or URL), then run\n"
           "`warroom outbox --retry-dead` to queue them again.\n";
    return 1;  // non-zero, so scripts and monitoring notice dead letters
}

}  // namespace warroom::bot
