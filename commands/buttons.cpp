// Block Kit buttons on the pinned summary and on the announcement.
//
// The action ids (commands/button.hpp), the block ids and the value (the
// incident number in decimal) are the contract with the transport that
// answers the clicks (bot/interactions.cpp): never rename them.
#include "commands/button.hpp"
#include "commands/handlers.hpp"
#include "templates/renderer.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <string>
#include <utility>

namespace warroom::commands {

namespace {

constexpr std::pair<button, std::string_view> button_ids[] = {
    {button::ack, "warroom_ack"},           {button::join, "warroom_join"},
    {button::update, "warroom_update"},     {button::severity, "warroom_severity"},
    {button::role, "warroom_role"},         {button::resolve, "warroom_resolve"},
    {button::followup, "warroom_followup"},  {button::public_update, "warroom_public_update"},
    {button::publish, "warroom_publish"},
};

}  // namespace

std::string_view to_string(button b) {
    for (const auto& [which, id] : button_ids)
        if (which == b) return id;
    return {};
}

std::optional<button> parse_button(std::string_view action_id) {
    for (const auto& [which, id] : button_ids)
        if (id == action_id) return which;
    return std::nullopt;
}

namespace {

// Slack's limits (SLACK.md §7).
constexpr std::size_t max_actions_elements = 25;
constexpr std::size_t max_button_value = 2000;

// Objects are built member by member, not from initializer lists: nlohmann
// copies every nested list it is given, which made the buttons of a
// declare's summary cost about as much as rendering its text.
using object_t = nlohmann::json::object_t;

nlohmann::json plain(std::string text, bool emoji = true) {
    object_t o;
    o.emplace("type", "plain_text");
    o.emplace("text", std::move(text));
    if (emoji) o.emplace("emoji", true);
    return o;
}

nlohmann::json button_element(button which, std::string_view label, const incident& inc,
                      std::string_view style = {}) {
    // The incident number in decimal: at most 20 characters of Slack's 2,000.
    static_assert(max_button_value >= 20);
    object_t b;
    b.emplace("type", "button");
    b.emplace("action_id", to_string(which));
    b.emplace("text", plain(std::string(label)));
    b.emplace("value", std::to_string(inc.number));
    if (!style.empty()) b.emplace("style", style);
    return b;
}

template <std::size_t N>
nlohmann::json actions_block(std::string_view block_id, std::array<nlohmann::json, N> buttons) {
    static_assert(N <= max_actions_elements, "Slack takes at most 25 elements in an actions block");
    nlohmann::json::array_t elements;
    elements.reserve(N);
    for (auto& b : buttons) elements.push_back(std::move(b));
    object_t block;
    block.emplace("type", "actions");
    block.emplace("block_id", block_id);
    block.emplace("elements", std::move(elements));
    return block;
}

// The announce channel as plain text can show it (no <#C…> links there).
std::string announce_channel_words(const context& ctx) {
    auto link = channel_link(ctx.cfg.announce_channel);
    return link.starts_with("#") ? link : "the announce channel";
}

}  // namespace

nlohmann::json summary_buttons(const context& ctx, const incident& inc) {
    if (!inc.is_open()) return nullptr;  // a resolved incident has nothing left to click
    auto resolve = button_element(button::resolve, "Resolve", inc, "danger");
    object_t confirm;
    confirm.emplace("title", plain("Resolve " + inc.id() + "?", false));
    // A private incident's resolution is said in its channel only.
    confirm.emplace("text", plain("Resolving " + inc.id() + " stops its reminders" +
                                      (inc.is_private ? std::string(".")
                                                      : " and tells " + announce_channel_words(ctx) + " that it is over."),
                                  false));
    confirm.emplace("confirm", plain("Resolve", false));
    confirm.emplace("deny", plain("Cancel", false));
    confirm.emplace("style", "danger");
    resolve["confirm"] = std::move(confirm);
    // Where customers read a status page, the summary opens its form too.
    if (ctx.cfg.public_page && !inc.is_private)
        return actions_block("warroom_summary_actions",
                             std::array{
                                 button_element(button::update, "Post update", inc, "primary"),
                                 button_element(button::public_update, "Public update", inc),
                                 button_element(button::severity, "Change severity", inc),
                                 button_element(button::role, "Assign role", inc),
                                 std::move(resolve),
                             });
    return actions_block("warroom_summary_actions", std::array{
                                                        button_element(button::update, "Post update", inc, "primary"),
                                                        button_element(button::severity, "Change severity", inc),
                                                        button_element(button::role, "Assign role", inc),
                                                        std::move(resolve),
                                                    });
}

nlohmann::json announce_buttons(const incident& inc) {
    return actions_block("warroom_announce_actions", std::array{
                                                         button_element(button::ack, "Acknowledge", inc),
                                                         button_element(button::join, "Join channel", inc),
                                                     });
}

nlohmann::json ack_buttons(const incident& inc) {
    return actions_block("warroom_ack_actions", std::array{button_element(button::ack, "Acknowledge", inc, "primary")});
}

nlohmann::json reminder_buttons(const incident& inc) {
    return actions_block("warroom_reminder_actions",
                         std::array{button_element(button::update, "Post update", inc, "primary")});
}

nlohmann::json draft_buttons(const incident& inc) {
    return actions_block("warroom_draft_actions", std::array{button_element(button::publish, "Publish", inc, "primary"),
                                                             button_element(button::public_update, "Edit", inc)});
}

nlohmann::json public_reminder_buttons(const incident& inc) {
    return actions_block("warroom_public_reminder_actions",
                         std::array{button_element(button::public_update, "Public update", inc, "primary")});
}

nlohmann::json resolved_buttons(const incident& inc) {
    return actions_block("warroom_resolved_actions",
                         std::array{button_element(button::followup, "Add follow-up", inc, "primary")});
}

message with_buttons(message m, const nlohmann::json& block) {
    if (block.is_null()) return m;
    auto text = block.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    // No block is shorter than a divider, {"type":"divider"}: an array shorter
    // than 50 of those cannot be full, so the buttons are appended as text
    // (most messages) instead of parsing and re-dumping every block.
    constexpr std::size_t shortest_block = sizeof(R"({"type":"divider"})") - 1;
    if (m.blocks_json.empty()) {
        m.blocks_json = "[" + text + "]";
        return m;
    }
    if (m.blocks_json.size() < (templates::max_blocks - 1) * shortest_block && m.blocks_json.back() == ']') {
        m.blocks_json.pop_back();
        bool empty_array = m.blocks_json.find_first_not_of(" \n\t[") == std::string::npos;
        m.blocks_json += (empty_array ? "" : ",") + text + "]";
        return m;
    }
    auto blocks = nlohmann::json::parse(m.blocks_json);  // non-empty: the empty case returned above
    // The buttons are what people act on: sections give way to them, never the reverse.
    // The fallback text keeps everything.
    if (blocks.size() > templates::max_blocks - 1) blocks.erase(blocks.begin() + (templates::max_blocks - 1), blocks.end());
    blocks.push_back(block);
    m.blocks_json = blocks.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return m;
}

}  // namespace warroom::commands
