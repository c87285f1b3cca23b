// An HTTP request to a pager, as a value: built by the wire formats, sent by
// the delivery driver. It may carry a secret (PagerDuty's routing key in the
// body, Opsgenie's key in a header, the webhook's signature), so it is built
// at each attempt and never stored or logged; log `describe(request)`.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace warroom::paging {

struct http_request {
    std::string method = "POST";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    const std::string* header(std::string_view name) const;
};

// "POST https://events.pagerduty.com/v2/enqueue": what a log line may show.
std::string describe(const http_request& r);

}  // namespace warroom::paging
