// The /incident command parser and the whole engine behind it.
//
// Input: one command per line, as typed after `/incident`. Each line goes
// through commands::command_line and parse_update, then to engine::handle
// over the in-memory store with the shipped default settings; the clock then
// moves on 7 minutes, firing every timer that comes due. A line starting with
// '>' is typed in the channel of the newest incident instead of C0, and one
// starting with '~' by user U2 instead of U1.
//
// Neither the parser nor the engine may crash or throw, an error decision
// must change nothing, the parser's words must be what its header says, and
// valid UTF-8 in (all Slack sends) must give valid UTF-8 out: Slack's API
// and the JSON we answer with take nothing else.
#include "memory_store.hpp"

#include "commands/engine.hpp"
#include "commands/parser.hpp"
#include "commands/settings.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

using namespace warroom::commands;

namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

void check_parser(std::string_view text) {
    const command_line cl(text);
    for (std::size_t i = 0; i < cl.size(); ++i) {
        const auto w = cl.word(i);
        if (w.empty()) fail("an empty word");
        for (char c : w)
            if (is_space(c)) fail("a word with a space in it");
        const auto r = cl.rest(i);
        if (r.compare(0, w.size(), w) != 0) fail("rest(i) does not start with word(i)");
        if (!r.empty() && (is_space(r.front()) || is_space(r.back()))) fail("rest(i) is not trimmed");
    }
    if (!cl.word(cl.size()).empty() || !cl.rest(cl.size()).empty()) fail("a word past the end");
    std::string lowered(cl.word(0));
    for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (cl.verb() != lowered) fail("verb() is not the lowercased first word");
    (void)parse_update(text);
}

// RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF.
bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80) { ++i; continue; }
        if (c >= 0xC2 && c <= 0xDF) n = 1;
        else if (c == 0xE0) { n = 2; lo = 0xA0; }
        else if (c == 0xED) { n = 2; hi = 0x9F; }
        else if (c >= 0xE1 && c <= 0xEF) n = 2;
        else if (c == 0xF0) { n = 3; lo = 0x90; }
        else if (c >= 0xF1 && c <= 0xF3) n = 3;
        else if (c == 0xF4) { n = 3; hi = 0x8F; }
        else return false;
        if (s.size() - i <= n) return false;
        for (std::size_t k = 1; k <= n; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) return false;
        }
        i += n + 1;
    }
    return true;
}

void check_utf8(const decision& d) {
    auto check = [](std::string_view s, const char* what) {
        if (!valid_utf8(s)) {
            std::fprintf(stderr, "fuzz_command_parser: invalid UTF-8 from valid UTF-8 in %s\n", what);
            std::abort();
        }
    };
    check(d.reply.text, "the reply");
    check(d.reply.blocks_json, "the reply's blocks");
    for (const auto& a : d.actions) {
        check(a.channel, "an action's channel");
        check(a.topic, "a topic");
        check(a.body.text, "a post");
        check(a.body.blocks_json, "a post's blocks");
    }
    for (const auto& e : d.timeline) check(e.text, "a timeline entry");
    if (d.save) {
        check(d.save->title, "a title");
        check(d.save->channel_name, "a channel name");
    }
}

// One engine for the whole run: building the settings and the templates is
// the slow part, and handle() is const.
const engine& shared_engine() {
    static const engine eng(default_settings(), warroom::templates::renderer());
    return eng;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 4096) return -1;  // longer inputs find nothing new, only slow the run
    std::string_view in(reinterpret_cast<const char*>(data), size);

    warroom::testing::memory_store store;
    // Monday 23 November 2026, 10:00 UTC: inside working hours.
    time_point now{std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} + std::chrono::hours{10}};
    int lines = 0;
    const bool utf8_in = valid_utf8(in);
    try {
        while (!in.empty() && lines++ < 24) {
            const auto nl = in.find('\n');
            std::string_view line = in.substr(0, nl);
            in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);

            std::string user = "U1", channel = "C0";
            if (!line.empty() && line.front() == '>') {
                line.remove_prefix(1);
                if (!store.incidents.empty()) channel = store.incidents.rbegin()->second.channel_name;
            }
            if (!line.empty() && line.front() == '~') {
                line.remove_prefix(1);
                user = "U2";
            }
            check_parser(line);

            const std::size_t before = store.incidents.size();
            const auto d = shared_engine().handle({user, channel, std::string(line)}, store, now);
            if (!d.ok && (d.save || !d.timeline.empty() || !d.actions.empty() || !d.followups.empty()))
                fail("an error decision that changes something");
            if (d.is_new && !d.save) fail("a new incident with nothing to save");
            if (utf8_in) check_utf8(d);
            store.apply(d);
            if (!d.is_new && store.incidents.size() != before) fail("an incident appeared without is_new");

            // Timers, as the runtime fires them.
            const auto until = now + std::chrono::minutes{7};
            while (auto due = store.next_due()) {
                if (due->at > until) break;
                now = std::max(now, due->at);
                const auto fired = shared_engine().fire(due->incident, due->kind, store, now);
                if (utf8_in) check_utf8(fired);
                store.apply(fired);
            }
            now = until;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz_command_parser: exception: %s\n", e.what());
        std::abort();
    }
    return 0;
}
