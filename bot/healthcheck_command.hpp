// `warroom healthcheck [--url URL]`: GET /healthz of a running `warroom serve`
// and exit 0 only on 200. For container HEALTHCHECKs and scripts, so the image
// needs no curl. Plain HTTP to a local address only.
#pragma once

#include "bot/config.hpp"

#include <iosfwd>
#include <string>

namespace warroom::bot {

// `url` empty: http://<listen address>/healthz, 0.0.0.0 and :: read as loopback.
int run_healthcheck_command(const config& cfg, const std::string& url, std::ostream& out, std::ostream& err);

}  // namespace warroom::bot
