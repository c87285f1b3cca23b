// Atlassian Statuspage's REST API as values: the requests that create and
// update an incident and set a component's status, what an answer means, and
// the two answers we read (the created incident's id; an incident we created
// found again by its metadata). Pure: the outbox sender sends them.
//
// The create is not idempotent on Statuspage's side: two POSTs make two
// incidents. Every incident we create therefore carries our key in its
// metadata ({"warroom": {"key": …}}), so after an attempt whose outcome is
// unknown (no answer, or a crash before its id was stored) the sender lists
// the page's unresolved incidents and adopts the one with our key instead of
// creating a second (see find_by_key).
#pragma once

#include "bot/paging/request.hpp"
#include "bot/paging/result.hpp"
#include "bot/statuspage_api/publish_config.hpp"
#include "statuspage/status_model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace warroom::statuspage_api {

// One incident as Statuspage will show it, in our terms.
struct publish_incident {
    std::string key;   // ours, stable: statuspage::public_id() with install_id; in the metadata
    std::string name;  // at most 255 characters on Statuspage: longer is cut
    statuspage::public_status status = statuspage::public_status::investigating;
    statuspage::impact impact = statuspage::impact::minor;
    std::string body;  // this update's public text; empty: no new update text
    std::vector<statuspage::component_impact> components;  // our component names
};

// Our key for an incident: "<install_id>.<public id>".
std::string incident_key(std::string_view install_id, std::string_view public_id);

// POST /v1/pages/{page_id}/incidents. Components without a Statuspage id are left out.
paging::http_request create_incident(const publish_settings& s, const publish_incident& i);
// PATCH /v1/pages/{page_id}/incidents/{incident_id}. A resolved incident sets
// its components back to operational.
paging::http_request update_incident(const publish_settings& s, std::string_view incident_id, const publish_incident& i);
// PATCH /v1/pages/{page_id}/components/{component_id}.
paging::http_request set_component(const publish_settings& s, std::string_view component_id,
                                   statuspage::component_status status);
// GET /v1/pages/{page_id}/incidents/unresolved: where an incident we may have created is found again.
paging::http_request list_unresolved(const publish_settings& s);

// The "id" of a created (or updated) incident's JSON; nullopt when absent or not JSON.
std::optional<std::string> incident_id(std::string_view body);
// The id of the incident in a list whose metadata.warroom.key is `key`.
std::optional<std::string> find_by_key(std::string_view list_body, std::string_view key);

// 2xx delivered. 420 and 429 (Statuspage's rate limit: 1 request a second per
// key), 408, 5xx and no answer retry, Retry-After honoured. Other 4xx are dead
// with Statuspage's message: 401 (a wrong key), 404 (a wrong page or incident
// id), 422 (a request it refused). Nothing is retried that would be refused again.
paging::page_result classify(const paging::http_outcome& answer);

}  // namespace warroom::statuspage_api
