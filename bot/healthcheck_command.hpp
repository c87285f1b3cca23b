// `warroom healthcheck [--ready] [--url URL]`: GET /healthz (liveness) or, with
// --ready, /readyz (readiness: Slack reachable too) of a running `warroom serve`
// and exit 0 only on 200. For container HEALTHCHECKs and scripts, so the image
// needs no curl. Plain HTTP to a local address only.
#pragma once

#include "bot/config.hpp"

#include <iosfwd>
#include <string>

namespace warroom::bot {

// `url` empty: http://<listen address>/healthz (/readyz when `ready`), 0.0.0.0
// and :: read as loopback. A path in `url` is used as given.
int run_healthcheck_command(const config& cfg, const std::string& url, bool ready, std::ostream& out,
                            std::ostream& err);

}  // namespace warroom::bot
