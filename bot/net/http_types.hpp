// Plain HTTP request and response values, so handlers need no Beast headers.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace warroom::net {

// Header names compare case-insensitively, as HTTP requires.
struct header_less {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const;
};

struct http_request {
    std::string method;
    std::string target;
    std::map<std::string, std::string, header_less> headers;
    std::string body;
    std::string header(std::string_view name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

struct http_response {
    unsigned status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

}  // namespace warroom::net
