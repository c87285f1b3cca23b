#include "bot/slack/followup_modal.hpp"

#include "bot/slack/block_kit_views.hpp"
#include "commands/text.hpp"

#include <nlohmann/json.hpp>

namespace warroom::bot {

using json = nlohmann::json;
using slack::input;
using slack::input_id;

namespace {

bool is_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i = 0; i < s.size(); ++i)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return false;
    return true;
}

// A Slack user ID (U…, W…): what a users_select gives, and nothing that could
// be read as more words of the command.
bool is_user_id(std::string_view s) {
    if (s.empty() || s.size() > 32) return false;
    for (char c : s)
        if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
    return true;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
}

}  // namespace

std::string followup_text_from_message(std::string_view mrkdwn) {
    std::string text;
    // A follow-up is listed one a line: line breaks and tabs become spaces, runs of them one.
    for (char c : mrkdwn) {
        bool space = c == '\n' || c == '\r' || c == '\t' || c == ' ';
        if (space && (text.empty() || text.back() == ' ')) continue;
        text += space ? ' ' : c;
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    // &amp; last, so "&amp;lt;" (a typed "&lt;") stays "&lt;".
    replace_all(text, "&lt;", "<");
    replace_all(text, "&gt;", ">");
    replace_all(text, "&amp;", "&");
    return text;  // cut by the text box itself, on a character boundary
}

json followup_view(const followup_prefill& p) {
    json meta{{"incident", p.incident}, {"channel", p.channel}};
    slack::modal view{slack::view_id::followup, "Add a follow-up", "Add",
                      meta.dump(-1, ' ', false, json::error_handler_t::replace)};
    if (!p.incident_line.empty()) view.blocks.push_back(slack::context_line(p.incident_line));
    auto text = slack::text_input({.max_length = max_followup_form_text,
                                   .placeholder = "What is to be done",
                                   .initial = followup_text_from_message(p.text)});
    view.blocks.push_back(input(input_id::text, "Follow-up", std::move(text)));
    view.blocks.push_back(input(input_id::owner, "Owner", slack::user_select(p.owner)));
    view.blocks.push_back(input(input_id::due, "Due date", slack::date_picker(), true));
    return slack::modal_view(view);
}

std::string followup_form::command() const {
    std::string line = "followup INC-" + std::to_string(incident) + " " + text + " owner <@" + owner + ">";
    if (!due.empty()) line += " due " + due;
    return line;
}

std::variant<followup_form, json> read_followup_submission(const json& payload) {
    using errors = slack::form_errors;
    followup_form out;
    out.user = slack::user_of(payload);
    out.view_id = slack::view_string(payload, "id");
    auto meta = json::parse(slack::view_string(payload, "private_metadata"), nullptr, false);
    if (meta.is_object() && meta.contains("incident") && meta["incident"].is_number_integer())
        out.incident = meta["incident"].get<std::int64_t>();
    if (out.incident <= 0)
        return slack::errors_answer(
            errors{{input_id::text, "This form lost track of its incident; close it and open it again."}});
    out.channel = slack::string_at(meta, "channel");
    if (out.user.empty())
        return slack::errors_answer(errors{{input_id::text, "Slack did not say who you are; please try again."}});
    out.text = commands::trim(slack::text_value(slack::submitted(payload, input_id::text)));
    out.owner = slack::selected_user(slack::submitted(payload, input_id::owner));
    out.due = slack::selected_date(slack::submitted(payload, input_id::due));
    errors problems;
    if (out.text.empty()) problems[input_id::text] = "Write what is to be done.";
    else if (commands::char_count(out.text) > max_followup_form_text)
        problems[input_id::text] = "At most " + std::to_string(max_followup_form_text) + " characters.";
    if (!is_user_id(out.owner)) problems[input_id::owner] = "Pick who owns it.";
    if (!out.due.empty() && !is_date(out.due)) problems[input_id::due] = "Pick a day in the calendar.";
    if (!problems.empty()) return slack::errors_answer(problems);
    return out;
}

}  // namespace warroom::bot
