// Sends one incident e-mail through the real sender (email::smtp_worker over
// libcurl), for tests/integration/test_email.py against a local SMTP server.
//   send_mail KIND PUBLIC_ID KEY TITLE TO[,TO...] [TEXT]
// Settings from the environment: SMTP_URL, SMTP_FROM, SMTP_USER, SMTP_PASSWORD,
// REQUIRE_STARTTLS (1/0). Prints one line: the result kind, the Message-ID, the error.
#include "bot/email/message.hpp"
#include "bot/email/smtp_client.hpp"

#include <cstdlib>
#include <future>
#include <iostream>
#include <sstream>

using namespace warroom;

namespace {
std::string env(const char* name, const char* fallback = "") {
    const char* v = std::getenv(name);
    return v ? v : fallback;
}
}  // namespace

int main(int argc, char** argv) {
    if (argc < 6) {
        std::cerr << "usage: send_mail KIND PUBLIC_ID KEY TITLE TO[,TO...] [TEXT]\n";
        return 2;
    }
    email::email_settings s;
    s.enabled = true;
    s.smtp_url = env("SMTP_URL");
    s.from = env("SMTP_FROM", "status@example.com");
    s.from_name = "Example Status";
    s.username = env("SMTP_USER");
    s.password = env("SMTP_PASSWORD");
    s.require_starttls = env("REQUIRE_STARTTLS", "1") == "1";

    email::incident_mail m;
    auto kind = email::parse_mail_kind(argv[1]);
    if (!kind) {
        std::cerr << "unknown kind " << argv[1] << "\n";
        return 2;
    }
    m.kind = *kind;
    m.public_id = argv[2];
    m.key = argv[3];
    m.title = argv[4];
    std::stringstream to(argv[5]);
    for (std::string a; std::getline(to, a, ',');) m.to.push_back(a);
    if (argc > 6) m.text = argv[6];
    m.status = m.kind == email::mail_kind::resolved ? "Resolved" : "Investigating";
    m.impact = "Major";
    m.link = "https://status.example.com/incidents/" + m.public_id;
    m.at = std::chrono::system_clock::now();
    auto msg = email::build_mail(s, "warroom", m);

    email::smtp_worker worker(s, std::chrono::seconds(20));
    std::promise<email::send_result> done;
    worker.submit(msg, [&](email::send_result r) { done.set_value(std::move(r)); });
    auto r = done.get_future().get();
    const char* names[] = {"delivered", "retry", "dead"};
    std::cout << names[r.kind] << "\t" << msg.message_id << "\t" << r.error << "\n";
    return 0;
}
