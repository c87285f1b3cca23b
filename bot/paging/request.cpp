#include "bot/paging/request.hpp"

#include <algorithm>

namespace warroom::paging {

const std::string* http_request::header(std::string_view name) const {
    auto same = [&](const std::string& k) {
        return k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
                   return (a | 0x20) == (b | 0x20);  // header names are case-insensitive
               });
    };
    for (const auto& [k, v] : headers)
        if (same(k)) return &v;
    return nullptr;
}

std::string describe(const http_request& r) {
    // The query holds no secret, but the path is enough to say where it went.
    return r.method + " " + r.url.substr(0, r.url.find('?'));
}

}  // namespace warroom::paging
