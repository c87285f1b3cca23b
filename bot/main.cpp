// warroom's entry point: everything else lives in the libraries.
#include "bot/cli.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

int main(int argc, char** argv) {
    // Logs go to stderr so that stdout stays the console's conversation.
    spdlog::set_default_logger(spdlog::stderr_color_mt("warroom"));
    return warroom::bot::run_cli(argc, argv);
}
