// warroom's entry point: everything else lives in the libraries.
#include "bot/cli.hpp"

#include "bot/log_format.hpp"

int main(int argc, char** argv) {
    // Logs go to stderr so that stdout stays the console's conversation.
    warroom::bot::setup_logging(warroom::bot::log_format::text);
    return warroom::bot::run_cli(argc, argv);
}
