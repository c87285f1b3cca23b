// The public status site's routes over arbitrary requests and public text:
// statuspage::respond (method, target and If-None-Match come from the
// internet) over a model holding a fuzzed public title and update (typed by
// responders in Slack), beside an unpublished and a private incident. Never
// a crash or an exception, and:
//   - only GET and HEAD are answered (405 otherwise); HEAD and 304 have no body;
//   - 200 only for the known routes and the published incident's address;
//   - the unpublished and the private incident never show, in any answer;
//   - the fuzzed text reaches HTML and Atom escaped (no raw `<` of it), and
//     the JSON always parses.
//
// Input: "method\ntarget\nif-none-match\npublic title\nupdate text...".
#include "statuspage/site.hpp"
#include "statuspage/status_model.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace warroom;
using namespace warroom::statuspage;

namespace {

const commands::time_point now = commands::time_point{} + std::chrono::hours(24 * 20000);
constexpr std::string_view hidden = "HIDDEN-INCIDENT";
// In front of each fuzzed piece, so finding it in a page is finding that piece, not the page's own markup.
// One marker per piece: with one for both, an empty update text ("ZQX" then the
// page's own "</span>") read as the title's "<" printed raw (a false finding).
constexpr std::string_view title_marker = "ZQT";
constexpr std::string_view text_marker = "ZQB";

stored_incident incident(std::int64_t number, std::string title, bool published, bool is_private) {
    stored_incident s;
    s.inc.number = number;
    s.inc.title = std::move(title);
    s.inc.severity = "P1";
    s.inc.declared_at = now - std::chrono::hours(2);
    s.inc.is_private = is_private;
    s.inc.impacts = {{"API", commands::component_impact::major_outage}};
    s.affected = affected_of(s.inc);
    commands::public_note n;
    n.seq = 1;
    n.text = std::string(hidden) + " text";
    n.created_at = now - std::chrono::hours(1);
    if (published) n.published_at = n.created_at;
    s.inc.public_notes.push_back(n);
    return s;
}

status_model model(std::string_view title, std::string_view text) {
    page_settings page;
    page.name = "Acme";
    page.url = "https://status.example.com/";
    page.components = {{"API", "", ""}, {"Web", "", ""}};
    auto shown = incident(1, "internal title", true, false);
    shown.inc.public_notes[0].title = std::string(title_marker) + std::string(title);
    shown.inc.public_notes[0].text = std::string(text_marker) + std::string(text);
    auto draft = incident(2, std::string(hidden) + " draft", false, false);
    auto secret = incident(3, std::string(hidden) + " private", true, true);
    return build_model(page, commands::default_settings().severities, {shown, draft, secret}, now);
}

// The piece as a page shows it: markup drops control bytes, so "HIDDEN-IN\0CIDENT"
// reads "HIDDEN-INCIDENT" there. The oracle looks for what a reader sees.
std::string shown(std::string_view piece) {
    std::string out;
    for (char c : piece)
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t' || c == '\r') out += c;
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    const auto method = next_line(in);
    const auto target = next_line(in);
    const auto etag = next_line(in);
    const auto title = next_line(in);
    const auto text = in;
    const auto title_shown = shown(title);
    const auto text_shown = shown(text);
    for (const auto& piece : {title_shown, text_shown})
        if (piece.find(hidden) != std::string::npos || piece.find(title_marker) != std::string::npos ||
            piece.find(text_marker) != std::string::npos)
            return 0;

    const auto m = model(title, text);
    if (m.active.size() != 1) fail("the published incident is not the one active incident");
    const auto r = respond(method, target, etag, m);

    if (method != "GET" && method != "HEAD") {
        if (r.status != 405) fail("a method other than GET or HEAD was not refused");
        return 0;
    }
    if (r.status != 200 && r.status != 304 && r.status != 404) fail("an unexpected status");
    if ((method == "HEAD" || r.status == 304) && !r.body.empty()) fail("a body with HEAD or 304");
    if (r.content_type.empty()) fail("no Content-Type");

    // The same request as GET, to read the body HEAD or 304 left out.
    const auto full = respond("GET", target, "", m);
    const auto path = target.substr(0, target.find_first_of("?#"));
    const bool known = path == "/" || path == "/index.html" || path == "/api/v2/summary.json" ||
                       path == "/api/v2/status.json" || path == "/history.atom" ||
                       path == "/incidents/" + m.active[0].id;
    if ((full.status == 200) != known) fail("200 for an unknown route, or not 200 for a known one");
    if (full.body.find(hidden) != std::string::npos) fail("an unpublished or private incident shows");
    const bool json = full.content_type == "application/json";
    if (json) {
        if (nlohmann::json::parse(full.body, nullptr, false).is_discarded()) fail("JSON that does not parse");
    } else {
        for (auto [piece, marker] : {std::pair{&title_shown, title_marker}, std::pair{&text_shown, text_marker}}) {
            auto lt = piece->find('<');
            if (lt == std::string::npos) continue;
            // The fuzzed text up to and including its first `<` never appears raw.
            auto raw = std::string(marker) + piece->substr(0, lt + 1);
            if (full.body.find(raw) != std::string::npos) fail("fuzzed text unescaped in markup");
        }
    }
    return 0;
}
