// `warroom serve|console|check-config|version`, with --config and --db everywhere.
#include "bot/cli.hpp"

#include "bot/config.hpp"
#include "bot/console.hpp"
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
    app.add_option("--db", db_file, "SQLite database file (else $WARROOM_DB, else warroom.db)");

    auto* serve_cmd = app.add_subcommand("serve", "Run the bot against Slack");
    auto* console_cmd = app.add_subcommand("console", "Run the engine with this terminal as Slack");
    auto* check_cmd = app.add_subcommand("check-config", "Validate the config and print the effective settings");
    auto* version_cmd = app.add_subcommand("version", "Print the version");
    auto* outbox_cmd = app.add_subcommand("outbox", "Show Slack calls waiting or given up on (dead letters)");
    bool retry_dead = false;
    outbox_cmd->add_flag("--retry-dead", retry_dead, "Queue every dead letter again");
    for (auto* sub : {serve_cmd, console_cmd, check_cmd, version_cmd, outbox_cmd}) sub->fallthrough();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    if (!config_file.empty()) flags.config_file = config_file;
    if (!db_file.empty()) flags.db_path = db_file;

    if (version_cmd->parsed()) {
        std::cout << "warroom " << WARROOM_VERSION << "\n";
        return 0;
    }
    try {
        auto cfg = load(flags);
        if (check_cmd->parsed()) return check_config(cfg);
        if (console_cmd->parsed()) return run_console(cfg, std::cin, std::cout);
        if (outbox_cmd->parsed()) return run_outbox_command(cfg, retry_dead, std::cout);
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
