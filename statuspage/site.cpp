#include "statuspage/site.hpp"

#include "statuspage/api.hpp"
#include "statuspage/atom.hpp"
#include "statuspage/html.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>

namespace warroom::statuspage {

namespace {

std::string sha256_base64(std::string_view text) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    unsigned char b64[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
    int n = EVP_EncodeBlock(b64, digest, SHA256_DIGEST_LENGTH);
    return std::string(reinterpret_cast<char*>(b64), static_cast<std::size_t>(n));
}

// Nothing but the one inline stylesheet (by its hash) and same-origin links:
// no script, no frame, no form, no external asset.
const std::string& content_security_policy() {
    static const std::string csp = "default-src 'none'; style-src 'sha256-" + sha256_base64(page_css()) +
                                   "'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
                                   "frame-ancestors 'none'";
    return csp;
}

bool is_public_id(std::string_view id) {
    return id.size() == 12 &&
           std::all_of(id.begin(), id.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'); });
}

site_response finish(std::string_view method, std::string_view if_none_match, site_response r) {
    auto etag = "\"" + sha256_base64(r.body).substr(0, 22) + "\"";
    r.headers.emplace_back("Cache-Control", "public, max-age=10");
    r.headers.emplace_back("ETag", etag);
    r.headers.emplace_back("Content-Security-Policy", content_security_policy());
    r.headers.emplace_back("X-Content-Type-Options", "nosniff");
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
    r.headers.emplace_back("Access-Control-Allow-Origin", "*");  // widgets on other sites read the JSON
    if (r.status == 200 && !if_none_match.empty() &&
        (if_none_match == etag || if_none_match == "W/" + etag || if_none_match == "*")) {
        r.status = 304;
        r.body.clear();
    }
    if (method == "HEAD") r.body.clear();
    return r;
}

}  // namespace

site_response respond(std::string_view method, std::string_view target, std::string_view if_none_match,
                      const status_model& m) {
    if (method != "GET" && method != "HEAD")
        return {405, "text/plain; charset=utf-8", "read-only: GET or HEAD\n", {{"Allow", "GET, HEAD"}}};
    auto path = target.substr(0, target.find_first_of("?#"));
    constexpr std::string_view html = "text/html; charset=utf-8";
    site_response r;
    if (path == "/" || path == "/index.html") {
        r = {200, std::string(html), render_page(m), {}};
    } else if (path == "/api/v2/summary.json") {
        r = {200, "application/json", summary_json(m), {}};
    } else if (path == "/api/v2/status.json") {
        r = {200, "application/json", status_json(m), {}};
    } else if (path == "/history.atom") {
        r = {200, "application/atom+xml; charset=utf-8", history_atom(m), {}};
    } else if (path.rfind("/incidents/", 0) == 0) {
        auto id = path.substr(std::string_view("/incidents/").size());
        const public_incident* inc = is_public_id(id) ? find_incident(m, id) : nullptr;
        r = inc ? site_response{200, std::string(html), render_incident(m, *inc), {}}
                : site_response{404, std::string(html), render_not_found(m), {}};
    } else {
        r = {404, std::string(html), render_not_found(m), {}};
    }
    return finish(method, if_none_match, std::move(r));
}

}  // namespace warroom::statuspage
