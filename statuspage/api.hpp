// /api/v2/summary.json and /api/v2/status.json in the shape Atlassian
// Statuspage publishes, so widgets and monitors written for it read ours.
#pragma once

#include "statuspage/status_model.hpp"

#include <string>

namespace warroom::statuspage {

std::string summary_json(const status_model& m);
std::string status_json(const status_model& m);

}  // namespace warroom::statuspage
