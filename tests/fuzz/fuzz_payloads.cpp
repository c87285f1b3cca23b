// Slack's request bodies: every parser in bot/slack/payloads.hpp and
// bot/slack/inbound.hpp, and decide() after it, is total
// (nullopt or invalid_payload, never an exception, never a crash) and keeps
// the promises its header makes about what it returns.
//
// Input: "content-type\nbody": the first line is the Content-Type header,
// the rest the raw body (a form or Events API JSON).
#include "bot/slack/decide.hpp"
#include "bot/slack/inbound.hpp"
#include "bot/slack/payloads.hpp"
#include "commands/settings.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>
#include <variant>

using namespace warroom::slack;

namespace {

void check_form(const form& f) {
    if (auto c = parse_slash_command(f)) {
        if (c->command.empty() || c->user_id.empty() || c->channel_id.empty())
            fail("parse_slash_command accepted a command without command, user_id or channel_id");
        if (c->command != f.at("command") || c->text != (f.count("text") ? f.at("text") : ""))
            fail("parse_slash_command changed a field");
    } else if (f.count("command") && f.count("user_id") && f.count("channel_id") && !f.at("command").empty() &&
               !f.at("user_id").empty() && !f.at("channel_id").empty()) {
        fail("parse_slash_command refused a complete command");
    }
    (void)is_ssl_check(f);
    if (auto j = parse_interaction(f)) {
        if (!j->is_object()) fail("parse_interaction gave a non-object");
        auto t = j->find("type");
        if (t == j->end() || !t->is_string() || t->get_ref<const std::string&>().empty())
            fail("parse_interaction gave an object without a string type");
    }
}

void check_event(std::string_view body) {
    const auto e = parse_event(body);
    if (auto* v = std::get_if<url_verification>(&e); v && v->challenge.empty()) fail("empty challenge");
    if (auto* c = std::get_if<event_callback>(&e)) {
        if (c->event_id.empty() || c->type.empty() || c->event_time < 0) fail("incomplete event_callback");
        if (!c->event.is_object()) fail("event_callback.event is not an object");
    }
    if (auto* o = std::get_if<other_envelope>(&e); o && o->type.empty()) fail("other_envelope without type");
}

// The typed inbound and the pure step after it: total on anything signed,
// whatever it holds, over HTTP and as a Socket Mode envelope alike.
void check_inbound(std::string_view content_type, std::string_view body) {
    static const auto settings = warroom::commands::default_settings();
    (void)decide(parse_inbound(content_type, body), settings);
    auto envelope = parse_json_bounded(body);
    if (!envelope.is_discarded()) (void)decide(parse_envelope(envelope), settings);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    const auto nl = in.find('\n');
    const auto content_type = in.substr(0, nl);
    const auto body = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);

    try {
        const auto kind = classify(content_type, body);
        const auto f = parse_form(body);
        if (kind == body_kind::slash_command && (!f || !f->count("command"))) fail("slash_command without command");
        if (kind == body_kind::interaction && (!f || !f->count("payload"))) fail("interaction without payload");
        if (f) check_form(*f);
        check_event(body);
        check_inbound(content_type, body);
        // The whole input too, as a body with no Content-Type line.
        if (auto whole = parse_form(in)) check_form(*whole);
        check_event(in);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz_payloads: exception: %s\n", e.what());
        std::abort();
    }
    return 0;
}
