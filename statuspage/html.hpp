// The status page as HTML: server-side, no JavaScript, no external assets
// (CSS inline, uptime bars as inline SVG), every stored field escaped.
#pragma once

#include "statuspage/status_model.hpp"

#include <cstddef>
#include <string>

namespace warroom::statuspage {

// Past incidents on `/`, newest first; the rest of the window is in the feed
// and at their own addresses (a busy quarter would make the page heavy).
constexpr std::size_t front_page_history = 25;

// `/`: overall state, active incidents, components by group with 90-day
// uptime bars, and the resolved history.
std::string render_page(const status_model& m);
// `/incidents/<public id>`: one incident's public history.
std::string render_incident(const status_model& m, const public_incident& inc);
// The one inline <style>'s text: the Content-Security-Policy allows it by hash.
std::string_view page_css();
// A plain page for 404s, in the page's look.
std::string render_not_found(const status_model& m);

}  // namespace warroom::statuspage
