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
// must change nothing, and the parser's words must be what its header says.
#include "memory_store.hpp"

#include "commands/engine.hpp"
#include "commands/parser.hpp"
#include "commands/settings.hpp"

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

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "fuzz_command_parser: %s\n", what);
    std::abort();
}

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
            if (!d.ok && (d.save || !d.timeline.empty() || !d.actions.empty()))
                fail("an error decision that changes something");
            if (d.is_new && !d.save) fail("a new incident with nothing to save");
            store.apply(d);
            if (!d.is_new && store.incidents.size() != before) fail("an incident appeared without is_new");

            // Timers, as the runtime fires them.
            const auto until = now + std::chrono::minutes{7};
            while (auto due = store.next_due()) {
                if (due->at > until) break;
                now = std::max(now, due->at);
                store.apply(shared_engine().fire(due->incident, due->kind, store, now));
            }
            now = until;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz_command_parser: exception: %s\n", e.what());
        std::abort();
    }
    return 0;
}
