// The command line: subcommands and their options.
#pragma once

namespace warroom::bot {

int run_cli(int argc, char** argv);

}  // namespace warroom::bot
