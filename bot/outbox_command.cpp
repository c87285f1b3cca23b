#include "bot/outbox_command.hpp"

#include "storage/location.hpp"

#include "bot/clock.hpp"
#include "commands/text.hpp"
#include "storage/database.hpp"
#include "storage/incident_repository.hpp"

#include <ostream>

namespace warroom::bot {

namespace {

std::string describe(const storage::outbox_entry& e) { return "#" + std::to_string(e.id) + " " + storage::describe_action(e); }

}  // namespace

int run_outbox_command(const config& cfg, bool retry_dead, std::ostream& out) {
    storage::database db(cfg.db_path);
    storage::incident_repository repo(db);
    if (retry_dead) {
        auto n = repo.retry_dead(system_clock().now());
        out << n << " dead letter" << (n == 1 ? "" : "s") << " queued again; a running `warroom serve` delivers "
            << (n == 1 ? "it" : "them") << " within a minute.\n";
        return 0;
    }
    auto counts = repo.outbox_counts();
    auto count = [&](const char* state) { return counts.count(state) ? counts.at(state) : 0; };
    out << "outbox of " << storage::redact_location(cfg.db_path) << ": " << count("pending") << " pending, " << count("done")
        << " delivered, " << count("dead") << " dead\n";
    auto dead = repo.dead_actions(50);
    if (dead.empty()) return 0;
    out << "\nDead letters (newest first): Slack refused these for good or for too long.\n";
    for (const auto& e : dead)
        out << "  " << describe(e) << ": " << e.last_error << " (" << e.attempts << " attempt"
            << (e.attempts == 1 ? "" : "s") << ", queued " << commands::format_time(e.created_at) << " UTC)\n";
    out << "\nFix the cause (a missing channel, the bot's membership, the token), then run\n"
           "`warroom outbox --retry-dead` to queue them again.\n";
    return 1;  // non-zero, so scripts and monitoring notice dead letters
}

}  // namespace warroom::bot
