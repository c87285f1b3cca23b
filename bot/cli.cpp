// `warroom serve|console|check-config|outbox|backup|export|healthcheck|version`,
// with --config, --db, --log-format and --log-level everywhere.
#include "bot/cli.hpp"

#include "bot/migrate_db_command.hpp"
#include "storage/location.hpp"

#include "bot/backup_command.hpp"
#include "bot/config.hpp"
#include "bot/console.hpp"
#include "bot/export_command.hpp"
#include "bot/healthcheck_command.hpp"
#include "bot/log_format.hpp"
#include "bot/outbox_command.hpp"
#include "bot/serve.hpp"
#include "storage/database.hpp"
#include "templates/renderer.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <iostream>

namespace warroom::bot {

namespace {

config load(const config_overrides& flags) { return load_config(flags, process_environment()); }

int check_config(const config& cfg) {
    // Building the renderer validates template overrides too.
    templates::renderer tpl(cfg.settings.templates_dir);
    std::cout << describe(cfg);
    std::cout << "# config is valid (" << cfg.source << ")\n";
    return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
    CLI::App app{"warroom: Slack incident response, one binary and one SQLite file"};
    app.require_subcommand(1);
    app.fallthrough();
    config_overrides flags;
    std::string config_file, db_file;
    app.add_option("--config", config_file, "TOML config file (else $WARROOM_CONFIG, else built-in defaults)");
    app.add_option("--db", db_file, "SQLite database file or postgresql:// URL (else $WARROOM_DB, else warroom.db)");
    std::string log_format_name = "text", log_level_name = "info";
    app.add_option("--log-format", log_format_name, "Log lines on stderr: text, or json (one object a line)")
        ->envname("WARROOM_LOG_FORMAT")
        ->check(CLI::IsMember({"text", "json"}));
    app.add_option("--log-level", log_level_name, "Least severe level logged: trace, debug, info, warn, error")
        ->envname("WARROOM_LOG_LEVEL")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));

    auto* serve_cmd = app.add_subcommand("serve", "Run the bot against Slack");
    auto* console_cmd = app.add_subcommand("console", "Run the engine with this terminal as Slack");
    auto* check_cmd = app.add_subcommand("check-config", "Validate the config and print the effective settings");
    auto* version_cmd = app.add_subcommand("version", "Print the version");
    auto* outbox_cmd = app.add_subcommand("outbox", "Show Slack calls and pages waiting or given up on (dead letters)");
    bool retry_dead = false;
    outbox_cmd->add_flag("--retry-dead", retry_dead, "Queue every dead letter again");

    auto* backup_cmd = app.add_subcommand("backup", "Copy the database consistently, even while serve runs");
    std::string backup_file;
    bool backup_force = false;
    backup_cmd->add_option("FILE", backup_file, "Where the copy goes (refused if it exists)")->required();
    backup_cmd->add_flag("--force", backup_force, "Replace FILE if it exists");

    auto* export_cmd = app.add_subcommand("export", "Incidents with timeline, roles, MTTA and MTTR as CSV or JSON");
    export_options export_opts;
    export_cmd->add_option("--format", export_opts.format, "csv (one row per incident) or json")
        ->check(CLI::IsMember({"csv", "json"}));
    export_cmd->add_option("--since", export_opts.since, "Only incidents declared in this last period (30d, 12h)");
    export_cmd->add_option("--output,-o", export_opts.output, "Write to this file instead of stdout");
    export_cmd->add_flag("--followups", export_opts.followups,
                         "With --format csv: one row per follow-up (owner, due, state) of those incidents");
    export_cmd->add_flag("--exclude-private", export_opts.exclude_private,
                         "Leave out private incidents (exported marked \"private\" otherwise)");

    auto* migrate_cmd = app.add_subcommand(
        "migrate-db", "Copy every incident, timeline, timer, outbox entry and key into an empty database");
    std::string migrate_from, migrate_to;
    migrate_cmd->add_option("--from", migrate_from, "The database to copy: a SQLite file or postgresql:// URL")->required();
    migrate_cmd->add_option("--to", migrate_to, "The empty database to fill: a postgresql:// URL or a new SQLite file")
        ->required();

    auto* health_cmd = app.add_subcommand("healthcheck", "GET /healthz of a running serve; exit 0 only on 200");
    std::string health_url;
    bool health_ready = false;
    health_cmd->add_option("--url", health_url, "Address to check (default: the listen address, on loopback)");
    health_cmd->add_flag("--ready", health_ready,
                         "GET /readyz instead: fails also while Slack has been unreachable past slack_unreachable_after");

    for (auto* sub :
         {serve_cmd, console_cmd, check_cmd, version_cmd, outbox_cmd, backup_cmd, export_cmd, migrate_cmd, health_cmd})
        sub->fallthrough();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    setup_logging(*parse_log_format(log_format_name), spdlog::level::from_str(log_level_name));
    if (!config_file.empty()) flags.config_file = config_file;
    if (!db_file.empty()) flags.db_path = db_file;

    if (version_cmd->parsed()) {
        std::cout << "warroom " << WARROOM_VERSION << "\n";
        return 0;
    }
    // Needs no config: the two databases are its arguments.
    if (migrate_cmd->parsed()) return run_migrate_db_command(migrate_from, migrate_to, std::cout, std::cerr);
    try {
        auto cfg = load(flags);
        // Whatever code logs, these never reach a log line.
        add_log_secrets({cfg.bot_token, cfg.signing_secret, cfg.app_token, storage::password_in(cfg.db_path)});
        for (const auto& p : cfg.pagers) add_log_secrets({p.secret, p.webhook_secret});
        if (check_cmd->parsed()) return check_config(cfg);
        if (console_cmd->parsed()) return run_console(cfg, std::cin, std::cout);
        if (outbox_cmd->parsed()) return run_outbox_command(cfg, retry_dead, std::cout);
        if (backup_cmd->parsed()) return run_backup_command(cfg, backup_file, backup_force, std::cout, std::cerr);
        if (export_cmd->parsed()) return run_export_command(cfg, export_opts, std::cout, std::cerr);
        if (health_cmd->parsed()) return run_healthcheck_command(cfg, health_url, health_ready, std::cout, std::cerr);
        return run_serve(cfg);
    } catch (const config_error& e) {
        std::cerr << "warroom: config error: " << e.what() << "\n";
        return 2;
    } catch (const storage::storage_error& e) {
        std::cerr << "warroom: database error: " << e.what() << "\n";
        return 2;
    } catch (const templates::template_error& e) {
        std::cerr << "warroom: template error: " << e.what() << "\n";
        return 2;
    }
}

}  // namespace warroom::bot
