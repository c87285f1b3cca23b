// What customers are told after each decision: which e-mails and Statuspage
// updates are queued, and that a private incident yields none.
#include "bot/customer/notices.hpp"
#include "statuspage/status_model.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace warroom;
using Catch::Matchers::Contains;

namespace {

commands::settings settings_with_mail() {
    auto s = commands::default_settings();
    s.severities[0].email = {"ops@customer.example", "cto@customer.example"};
    return s;
}

customer::notice_settings both() {
    customer::notice_settings n;
    n.email = true;
    n.statuspage = true;
    n.install_id = "acme";
    n.page_url = "https://status.example.com";
    return n;
}

commands::decision decided(const commands::settings& s, const std::string& kind,
                           commands::incident_status status = commands::incident_status::investigating,
                           bool published = true) {
    commands::decision d;
    commands::incident inc;
    inc.number = 12;
    inc.title = "Checkout is slow";
    inc.severity = s.severities[0].name;
    inc.status = status;
    inc.declared_at = commands::time_point{std::chrono::seconds{1'796'000'000}};
    if (published) {  // customers were told: a first public update, under its own title
        commands::public_note note;
        note.seq = 1;
        note.text = "Some payments are slow.";
        note.title = "Payments are slow";
        note.created_at = inc.declared_at;
        note.published_at = inc.declared_at;
        inc.public_notes.push_back(note);
    }
    d.save = inc;
    d.timeline.push_back({12, inc.declared_at + std::chrono::seconds(60), "U1", kind, "…"});
    return d;
}

}  // namespace

TEST_CASE("notices: a declaration mails the severity's list, Statuspage hears nothing before a public update") {
    auto s = settings_with_mail();
    auto unpublished = customer::notices_for(decided(s, "declared", commands::incident_status::investigating, false), s, both());
    REQUIRE(unpublished.size() == 1);
    CHECK(unpublished[0].destination == "email");
    auto status_change = customer::notices_for(decided(s, "status", commands::incident_status::identified, false), s, both());
    CHECK(status_change.empty());  // like warroom's own page: nothing public before the first public update

    auto out = customer::notices_for(decided(s, "declared"), s, both());
    REQUIRE(out.size() == 2);
    CHECK(out[0].destination == "email");
    CHECK_THAT(out[0].summary, Contains("[email 2 recipients] declared INC-12 Payments are slow"));
    auto mail = customer::read_mail(out[0].payload);
    REQUIRE(mail);
    CHECK(mail->kind == email::mail_kind::declared);
    CHECK(mail->to == s.severities[0].email);
    CHECK(mail->public_id == statuspage::public_id(*decided(s, "declared").save));
    CHECK(mail->link == "https://status.example.com/incidents/" + mail->public_id);
    CHECK(mail->status == "Investigating");
    // The payload holds nothing internal: no INC number, no description.
    CHECK(out[0].payload.find("INC-12") == std::string::npos);

    CHECK(out[1].destination == "statuspage");
    auto pub = customer::read_publication(out[1].payload);
    REQUIRE(pub);
    CHECK(pub->key == "acme." + mail->public_id);
    CHECK(pub->status == statuspage::public_status::investigating);
    CHECK(pub->impact == statuspage::impact::critical);  // the first severity
    CHECK(pub->name == "Payments are slow");  // the public title, never the internal one
    CHECK(pub->components.empty());  // no impact set

    auto with_impact = decided(s, "status", commands::incident_status::identified);
    with_impact.save->impacts = {{"Checkout", commands::component_impact::partial_outage}};
    auto impacted = customer::notices_for(with_impact, s, both());
    REQUIRE(impacted.size() == 1);
    auto pub2 = customer::read_publication(impacted[0].payload);
    REQUIRE(pub2);
    REQUIRE(pub2->components.size() == 1);  // what /incident impact set reaches Statuspage's components
    CHECK(pub2->components[0].component == "Checkout");
    CHECK(pub2->components[0].status == statuspage::component_status::partial_outage);
}

TEST_CASE("notices: resolving mails and resolves, a status change only updates Statuspage") {
    auto s = settings_with_mail();
    auto resolved = customer::notices_for(decided(s, "resolved", commands::incident_status::resolved), s, both());
    REQUIRE(resolved.size() == 2);
    auto mail = customer::read_mail(resolved[0].payload);
    REQUIRE(mail);
    CHECK(mail->kind == email::mail_kind::resolved);
    CHECK(mail->key == "resolved-1796000060");  // a second resolution (after a reopen) is another message
    CHECK(customer::read_publication(resolved[1].payload)->status == statuspage::public_status::resolved);

    auto identified = customer::notices_for(decided(s, "status", commands::incident_status::identified), s, both());
    REQUIRE(identified.size() == 1);
    CHECK(identified[0].destination == "statuspage");
    CHECK(customer::read_publication(identified[0].payload)->status == statuspage::public_status::identified);

    CHECK(customer::notices_for(decided(s, "note"), s, both()).empty());
    CHECK(customer::notices_for(decided(s, "update"), s, both()).empty());  // internal updates never leave
}

TEST_CASE("notices: a private incident is never mailed or published") {
    auto s = settings_with_mail();
    auto d = decided(s, "declared");
    d.save->is_private = true;
    CHECK(customer::notices_for(d, s, both()).empty());
    CHECK(customer::public_update_notices(*d.save, statuspage::public_status::identified, "x", "1",
                                          d.save->declared_at, s, both())
              .empty());
}

TEST_CASE("notices: a severity without a list mails nobody, without [email] nothing is mailed") {
    auto s = commands::default_settings();
    auto out = customer::notices_for(decided(s, "declared"), s, both());
    REQUIRE(out.size() == 1);
    CHECK(out[0].destination == "statuspage");
    auto n = both();
    n.statuspage = false;
    CHECK(customer::notices_for(decided(s, "declared"), s, n).empty());
}

TEST_CASE("notices: the public-update hook mails the text and publishes it") {
    auto s = settings_with_mail();
    auto inc = *decided(s, "declared").save;
    auto out = customer::public_update_notices(inc, statuspage::public_status::monitoring, "A fix is out.", "41",
                                               inc.declared_at, s, both());
    REQUIRE(out.size() == 2);
    auto mail = customer::read_mail(out[0].payload);
    CHECK(mail->kind == email::mail_kind::public_update);
    CHECK(mail->text == "A fix is out.");
    CHECK(mail->key == "update-41");
    auto pub = customer::read_publication(out[1].payload);
    CHECK(pub->status == statuspage::public_status::monitoring);
    CHECK(pub->body == "A fix is out.");
    CHECK_FALSE(customer::read_mail("{}").has_value());
    CHECK_FALSE(customer::read_publication("not json").has_value());
}

TEST_CASE("notices: a decision that publishes a public update mails it and publishes its text") {
    auto s = settings_with_mail();
    auto d = decided(s, "public");
    commands::public_note later;  // the one this decision published, after the first
    later.seq = 2;
    later.phase = commands::public_phase::monitoring;
    later.text = "A fix is rolling out.";
    later.created_at = d.timeline[0].at;
    later.published_at = d.timeline[0].at;
    d.save->public_notes.push_back(later);
    auto out = customer::notices_for(d, s, both());
    REQUIRE(out.size() == 2);
    auto mail = customer::read_mail(out[0].payload);
    REQUIRE(mail);
    CHECK(mail->text == "A fix is rolling out.");
    CHECK(mail->key == "update-INC-12-2");
    auto pub = customer::read_publication(out[1].payload);
    REQUIRE(pub);
    CHECK(pub->status == statuspage::public_status::monitoring);
    CHECK(pub->body == "A fix is rolling out.");
}
