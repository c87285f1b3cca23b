// What customers are told, decided from what the engine decided: e-mails
// (declaration, public update, resolution) and the Statuspage incident's
// state, as integration outbox rows (destination, target, summary, payload)
// queued in the decision's own transaction. Pure.
//
// THE PUBLIC RULE holds here as on our own status page: a private incident
// is never mailed or published, and nothing but the title, the public status,
// the impact, public text and the page's link leaves (statuspage/status_model.hpp).
#pragma once

#include "bot/email/message.hpp"
#include "bot/statuspage_api/requests.hpp"
#include "commands/decision.hpp"
#include "commands/settings.hpp"

#include <optional>
#include <string>
#include <vector>

namespace warroom::customer {

inline constexpr std::string_view email_destination = "email";
inline constexpr std::string_view statuspage_destination = "statuspage";

struct notice_settings {
    bool email = false;       // an [email] table is configured
    bool statuspage = false;  // a [statuspage_api] table is configured
    std::string install_id = "warroom";
    std::string page_url;  // our public status page, for the link in mails; empty: none
};

// One integration outbox row, before storage gives it an id.
struct notice {
    std::int64_t incident = 0;
    std::string destination;  // email_destination or statuspage_destination
    std::string target;       // "email" / the Statuspage page id
    std::string summary;      // for logs, `warroom outbox` and the console
    std::string payload;      // JSON the sender rebuilds its request from; never a secret
};

// From a committed decision's timeline: "declared" mails the severity's list;
// "public" (a public update published) mails it and publishes it on
// Statuspage (public_update_notices); "resolved" mails and resolves it;
// "status", "severity" and "reopened" update Statuspage once the incident
// has been published there.
std::vector<notice> notices_for(const commands::decision& d, const commands::settings& s, const notice_settings& n);

// THE HOOK for public updates (`/incident public`, branch `public`): one
// written for customers is mailed to the severity's list and published as
// the Statuspage incident's next update. `update_key` names the update,
// stable (its stored id), so a retried mail keeps its Message-ID.
std::vector<notice> public_update_notices(const commands::incident& inc, statuspage::public_status status,
                                          const std::string& text, const std::string& update_key,
                                          commands::time_point at, const commands::settings& s,
                                          const notice_settings& n);

// The payloads back (nullopt: not a payload this version wrote).
std::optional<email::incident_mail> read_mail(const std::string& payload);
std::optional<statuspage_api::publish_incident> read_publication(const std::string& payload);

}  // namespace warroom::customer
