// /history.atom: the incidents of the window as an Atom 1.0 feed (RFC 4287),
// one entry per incident, for Slack, Teams and feed readers.
#pragma once

#include "statuspage/status_model.hpp"

#include <string>

namespace warroom::statuspage {

std::string history_atom(const status_model& m);

}  // namespace warroom::statuspage
