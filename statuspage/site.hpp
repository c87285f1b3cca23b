// The status site's routes, pure: a request's method, target and
// If-None-Match, and the model, in; the response out. Read-only: GET and HEAD.
#pragma once

#include "statuspage/status_model.hpp"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warroom::statuspage {

struct site_response {
    unsigned status = 200;
    std::string content_type;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

// /, /incidents/<public id>, /api/v2/summary.json, /api/v2/status.json,
// /history.atom. Every answer may be cached for 10 s (a CDN in front absorbs
// the public's traffic) and carries an ETag; a matching If-None-Match is 304.
site_response respond(std::string_view method, std::string_view target, std::string_view if_none_match,
                      const status_model& m);

}  // namespace warroom::statuspage
