// Interactivity payloads after the signature check: button presses and the
// declare, update, severity and role forms. Every reader is total (a value or
// Slack's inline errors, never an exception, never a crash) and what it
// accepts is well formed: a press has a user and an action, a form gives
// commands that start with a verb warroom knows.
//
// Input: the payload JSON, as the form field `payload` carries it.
#include "bot/slack/declare_modal.hpp"
#include "bot/slack/followup_modal.hpp"
#include "bot/slack/incident_modals.hpp"
#include "bot/slack/payloads.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

using namespace warroom;
using json = nlohmann::json;

namespace {

void check_errors(const json& body) {
    if (!body.is_object() || body.value("response_action", "") != "errors") fail("not a response_action: errors body");
    if (!body.contains("errors") || !body["errors"].is_object() || body["errors"].empty()) fail("errors without a field");
    for (const auto& [field, message] : body["errors"].items())
        if (field.empty() || !message.is_string() || message.get<std::string>().empty()) fail("an empty error");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto cfg = commands::default_settings();
    // As parse_interaction reads it: depth-bounded, like every JSON from outside.
    auto payload = slack::parse_json_bounded(std::string_view(reinterpret_cast<const char*>(data), size));
    if (payload.is_discarded()) return 0;

    if (auto b = bot::read_button_press(payload)) {
        if (b->user.empty() || b->action_id.empty()) fail("a press without user or action");
        if (b->incident < 0) fail("a negative incident number");
    }
    auto form = bot::read_incident_submission(payload, cfg);
    if (auto* sub = std::get_if<bot::modal_submission>(&form)) {
        if (sub->commands.empty() || sub->user.empty() || sub->incident <= 0) fail("an empty submission accepted");
        std::string id = " INC-" + std::to_string(sub->incident);
        for (const auto& c : sub->commands) {
            auto verb_end = c.find(' ');
            auto verb = c.substr(0, verb_end);
            bool known = verb == "status" || verb == "update" || verb == "severity" || cfg.find_role(verb);
            if (!known) fail("a command with an unknown verb");
            if (c.compare(verb_end, id.size(), id) != 0) fail("a command for another incident");
        }
    } else {
        check_errors(std::get<json>(form));
    }
    auto declared = bot::read_declare_submission(payload, cfg);
    if (auto* f = std::get_if<bot::declare_form>(&declared)) {
        if (f->title.empty() || f->user.empty() || !cfg.find_severity(f->severity)) fail("a bad declaration accepted");
        if (f->title.find('\n') != std::string::npos) fail("a title with a newline");
    } else {
        check_errors(std::get<json>(declared));
    }
    auto followup = bot::read_followup_submission(payload);
    if (auto* f = std::get_if<bot::followup_form>(&followup)) {
        if (f->text.empty() || f->owner.empty() || f->user.empty() || f->incident <= 0) fail("a bad follow-up accepted");
        auto c = f->command();
        if (!c.starts_with("followup INC-" + std::to_string(f->incident) + " ")) fail("a follow-up for another incident");
        if (c.find(" owner <@" + f->owner + ">") == std::string::npos) fail("a follow-up without its owner");
    } else {
        check_errors(std::get<json>(followup));
    }
    return 0;
}
