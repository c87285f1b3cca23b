// Incident e-mail as a mail client reads it: headers (RFC 5322, RFC 2047),
// both MIME parts, threading, and the [email] config as an operator writes it.
#include "bot/config.hpp"
#include "bot/email/email_config.hpp"
#include "bot/email/message.hpp"
#include "bot/email/mime.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>

using namespace warroom;
using Catch::Matchers::Contains;

namespace {

email::email_settings settings() {
    email::email_settings s;
    s.enabled = true;
    s.smtp_url = "smtp://mail.example.com:587";
    s.from = "status@example.com";
    s.from_name = "Example Status";
    return s;
}

email::incident_mail mail(email::mail_kind kind) {
    email::incident_mail m;
    m.kind = kind;
    m.public_id = "k3j2h1g0f9e8";
    m.title = "Checkout is slow";
    m.status = "Investigating";
    m.impact = "Major";
    m.at = std::chrono::system_clock::from_time_t(1796108679);  // Tue, 01 Dec 2026 07:04:39 UTC
    m.key = "17";
    m.to = {"a@customer.example", "b@customer.example"};
    return m;
}

// The headers of a message (unfolded), by name.
std::map<std::string, std::string> headers_of(const std::string& data) {
    std::map<std::string, std::string> out;
    auto end = data.find("\r\n\r\n");
    std::string head = data.substr(0, end);
    std::string last;
    std::size_t i = 0;
    while (i < head.size()) {
        auto eol = head.find("\r\n", i);
        std::string line = head.substr(i, eol == std::string::npos ? std::string::npos : eol - i);
        i = eol == std::string::npos ? head.size() : eol + 2;
        if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
            out[last] += line;
            continue;
        }
        auto colon = line.find(':');
        last = line.substr(0, colon);
        out[last] = line.substr(colon + 2);
    }
    return out;
}

int b64_value(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

// Decodes the encoded words of a header value as a mail client does (whitespace between words dropped).
std::string decode_words(const std::string& v) {
    std::string out;
    std::size_t i = 0;
    while (i < v.size()) {
        auto start = v.find("=?UTF-8?B?", i);
        if (start == std::string::npos) {
            out += v.substr(i);
            break;
        }
        auto between = v.substr(i, start - i);
        if (between.find_first_not_of(" \t\r\n") != std::string::npos) out += between;
        auto stop = v.find("?=", start + 10);
        std::string b = v.substr(start + 10, stop - start - 10);
        unsigned acc = 0;
        int bits = 0;
        for (char c : b) {
            int x = b64_value(c);
            if (x < 0) continue;
            acc = (acc << 6) | static_cast<unsigned>(x);
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out += static_cast<char>((acc >> bits) & 0xFF);
            }
        }
        i = stop + 2;
    }
    return out;
}

std::string decode_qp(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '=' && i + 2 < s.size() && s[i + 1] == '\r' && s[i + 2] == '\n') {
            i += 2;
        } else if (s[i] == '=') {
            out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else if (s[i] == '\r') {
            continue;
        } else {
            out += s[i];
        }
    }
    return out;
}

// The decoded body of the part with that content type.
std::string part(const std::string& data, const std::string& type) {
    auto at = data.find("Content-Type: " + type);
    REQUIRE(at != std::string::npos);
    auto body = data.find("\r\n\r\n", at) + 4;
    auto end = data.find("\r\n--=_warroom_", body);
    return decode_qp(data.substr(body, end - body));
}

}  // namespace

TEST_CASE("e-mail: the first message starts the incident's thread, later ones reply to it") {
    auto first = email::build_mail(settings(), "acme", mail(email::mail_kind::declared));
    auto h1 = headers_of(first.data);
    CHECK(h1["Message-ID"] == "<incident.k3j2h1g0f9e8.acme@example.com>");
    CHECK(h1.count("In-Reply-To") == 0);
    CHECK(h1["Subject"] == "Checkout is slow");
    CHECK(h1["From"] == "\"Example Status\" <status@example.com>");
    CHECK(h1["Date"] == "Tue, 01 Dec 2026 07:04:39 +0000");
    CHECK(h1["MIME-Version"] == "1.0");
    CHECK(h1["Auto-Submitted"] == "auto-generated");
    // Recipients are the envelope's only: customers never see each other's addresses.
    CHECK(h1["To"] == "undisclosed-recipients:;");
    CHECK(first.data.find("customer.example") == std::string::npos);
    CHECK(first.to == std::vector<std::string>{"a@customer.example", "b@customer.example"});

    auto update = mail(email::mail_kind::public_update);
    update.text = "We found the cause.";
    auto second = email::build_mail(settings(), "acme", update);
    auto h2 = headers_of(second.data);
    CHECK(h2["In-Reply-To"] == "<incident.k3j2h1g0f9e8.acme@example.com>");
    CHECK(h2["References"] == "<incident.k3j2h1g0f9e8.acme@example.com>");
    CHECK(h2["Message-ID"] != h1["Message-ID"]);
    CHECK(h2["Subject"] == "Re: Checkout is slow");

    auto resolved = email::build_mail(settings(), "acme", mail(email::mail_kind::resolved));
    CHECK(headers_of(resolved.data)["In-Reply-To"] == h1["Message-ID"]);
    CHECK(headers_of(resolved.data)["Message-ID"] != h2["Message-ID"]);

    // Stable: the same action retried (or rebuilt after a restart) is the same message.
    CHECK(email::build_mail(settings(), "acme", update).data == second.data);
    // Two updates of one incident differ by their key.
    update.key = "18";
    CHECK(headers_of(email::build_mail(settings(), "acme", update).data)["Message-ID"] != h2["Message-ID"]);
}

TEST_CASE("e-mail: both parts carry the text, the HTML part shows markup as text") {
    auto m = mail(email::mail_kind::public_update);
    m.title = "<script>alert(1)</script> & co";
    m.text = "Payments fail for <b>some</b> cards.\nWorkaround: use PayPal = fine.";
    m.link = "https://status.example.com/incidents/k3j2h1g0f9e8";
    auto msg = email::build_mail(settings(), "acme", m);
    CHECK_THAT(headers_of(msg.data)["Content-Type"], Contains("multipart/alternative; boundary=\"=_warroom_"));
    auto text = part(msg.data, "text/plain; charset=UTF-8");
    CHECK_THAT(text, Contains("Status: Investigating"));
    CHECK_THAT(text, Contains("Payments fail for <b>some</b> cards.\nWorkaround: use PayPal = fine."));
    CHECK_THAT(text, Contains("https://status.example.com/incidents/k3j2h1g0f9e8"));
    auto html = part(msg.data, "text/html; charset=UTF-8");
    CHECK_THAT(html, Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
    CHECK_THAT(html, Contains("Payments fail for &lt;b&gt;some&lt;/b&gt; cards.<br>"));
    CHECK(html.find("<script>") == std::string::npos);
    CHECK(html.find("<b>") == std::string::npos);
    CHECK_THAT(html, Contains("href=\"https://status.example.com/incidents/k3j2h1g0f9e8\""));
    // The declaration without text gets a sentence written for customers.
    CHECK_THAT(part(email::build_mail(settings(), "acme", mail(email::mail_kind::declared)).data, "text/plain"),
               Contains("We are investigating"));
}

TEST_CASE("e-mail: no line of the message is longer than SMTP allows, and only ASCII travels") {
    auto m = mail(email::mail_kind::public_update);
    m.title = std::string(120, 'x') + " Zahlungen schlagen fehl: Größe ändern — 決済が失敗しています 🚨";
    std::string accents;
    for (int i = 0; i < 300; ++i) accents += "é";
    m.text = std::string(500, 'y') + " trailing space \n" + accents;
    auto msg = email::build_mail(settings(), "acme", m);
    std::size_t start = 0;
    while (start < msg.data.size()) {
        auto eol = msg.data.find("\r\n", start);
        REQUIRE(eol != std::string::npos);  // every line ends in CRLF
        CHECK(eol - start <= 78);
        start = eol + 2;
    }
    for (char c : msg.data) CHECK(static_cast<unsigned char>(c) < 0x80);
    CHECK(decode_words(headers_of(msg.data)["Subject"]) == "Re: " + m.title);
    CHECK_THAT(part(msg.data, "text/plain"), Contains(accents));
    CHECK_THAT(part(msg.data, "text/plain"), Contains(" trailing space \n"));
}

TEST_CASE("e-mail: a title cannot inject a header") {
    auto m = mail(email::mail_kind::declared);
    m.title = "Outage\r\nBcc: everyone@example.com";
    auto msg = email::build_mail(settings(), "acme", m);
    auto h = headers_of(msg.data);
    CHECK(h.count("Bcc") == 0);
    CHECK(h["Subject"] == "Outage  Bcc: everyone@example.com");
}

TEST_CASE("e-mail: encoded words split on character boundaries, none longer than 75") {
    std::string emoji;
    for (int i = 0; i < 40; ++i) emoji += "🚨";
    auto encoded = email::encode_header_text(emoji, 9);
    std::size_t start = 0;
    while (start < encoded.size()) {
        auto end = encoded.find("\r\n ", start);
        auto word = encoded.substr(start, end == std::string::npos ? std::string::npos : end - start);
        CHECK(word.size() <= 75);
        CHECK(decode_words(word).size() % 4 == 0);  // whole 4-byte characters in each word
        start = end == std::string::npos ? encoded.size() : end + 3;
    }
    CHECK(decode_words(encoded) == emoji);
    CHECK(email::encode_header_text("plain", 9) == "plain");
    // Text that looks like an encoded word is encoded, so a reader sees it literally.
    CHECK(decode_words(email::encode_header_text("=?UTF-8?B?SGk=?=", 9)) == "=?UTF-8?B?SGk=?=");
    // Invalid UTF-8 becomes U+FFFD instead of an undecodable header.
    CHECK(decode_words(email::encode_header_text("caf\xE9", 9)) == "caf\xEF\xBF\xBD");
}

TEST_CASE("e-mail: a non-ASCII sender name is encoded, an ASCII one quoted") {
    CHECK(email::mailbox("Statut Übersicht", "s@example.com").find("=?UTF-8?B?") == 0);
    CHECK(email::mailbox("Ops \"Team\"", "s@example.com") == "\"Ops \\\"Team\\\"\" <s@example.com>");
    CHECK(email::mailbox("", "s@example.com") == "s@example.com");
}

TEST_CASE("[email]: parsed, checked, secrets from the environment only") {
    std::string toml = R"([email]
smtp_url = "smtp://mail.example.com:587"
from = "status@example.com"
from_name = "Example Status"
username_env = "SMTP_USER"
password_env = "SMTP_PASSWORD"
)";
    auto s = email::load_email(toml, "team.toml", [](const std::string& name) -> std::optional<std::string> {
        if (name == "SMTP_USER") return "mailer";
        return std::nullopt;
    });
    CHECK(s.enabled);
    CHECK(s.require_starttls);
    CHECK(s.username == "mailer");
    CHECK(s.password.empty());
    REQUIRE(email::missing_secrets(s).size() == 1);
    CHECK(email::missing_secrets(s)[0] == "SMTP_PASSWORD is not set: e-mail cannot log in to smtp://mail.example.com:587");
    auto described = email::describe(s);
    CHECK_THAT(described, Contains("password_env = \"SMTP_PASSWORD\"  # NOT SET"));
    CHECK_THAT(described, Contains("username_env = \"SMTP_USER\"  # set (redacted)"));
    CHECK(described.find("mailer") == std::string::npos);

    auto error = [](const std::string& text) -> std::string {
        try {
            email::parse_email(text, "team.toml");
        } catch (const email::email_config_error& e) {
            return e.what();
        }
        return "";
    };
    CHECK_THAT(error("[email]\nsmtp_url = \"https://x\"\nfrom = \"a@b\"\n"), Contains("email.smtp_url: expected a URL like"));
    CHECK_THAT(error("[email]\nsmtp_url = \"smtp://x:25\"\nfrom = \"Ops <a@b>\"\n"), Contains("email.from: expected a plain address"));
    CHECK_THAT(error("[email]\nsmtp_url = \"smtp://x:25\"\nfrom = \"a@b\"\npassword_env = \"hunter2 \"\n"),
               Contains("not the secret itself"));
    CHECK_THAT(error("[email]\nsmtp_url = \"smtp://x:25\"\nfrom = \"a@b\"\npassword_env = \"P\"\n"),
               Contains("both username_env and password_env"));
    CHECK_THAT(error("[email]\nsmtp_url = \"smtp://x:25\"\nfrom = \"a@b\"\nstarttls = false\n"), Contains("no such key"));
    CHECK_FALSE(email::parse_email("", "team.toml").enabled);
}

TEST_CASE("severities' email lists: addresses checked, a list needs an [email] table") {
    auto path = (std::filesystem::temp_directory_path() / "warroom-email-test.toml").string();
    auto env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
    auto write = [&](const std::string& text) { std::ofstream(path) << text; };
    const std::string sev = "[[severities]]\nname = \"P1\"\nack_within = \"5m\"\nresolve_within = \"4h\"\n";
    write(sev + "email = [\"subscribers@example.com\"]\n\n[email]\nsmtp_url = \"smtp://m:587\"\nfrom = \"s@example.com\"\n");
    auto c = bot::load_config({path, std::nullopt}, env);
    REQUIRE(c.settings.severities.size() == 1);
    CHECK(c.settings.severities[0].email == std::vector<std::string>{"subscribers@example.com"});
    CHECK_THAT(bot::describe(c), Contains("email = [\"subscribers@example.com\"]"));
    CHECK_THAT(bot::describe(c), Contains("[email]\nsmtp_url = \"smtp://m:587\""));

    write(sev + "email = [\"subscribers@example.com\"]\n");
    CHECK_THROWS_WITH(bot::load_config({path, std::nullopt}, env), Contains("there is no [email] table"));
    write(sev + "email = [\"a@example.com, b@example.com\"]\n");
    CHECK_THROWS_WITH(bot::load_config({path, std::nullopt}, env), Contains("severities[0].email[0]: expected a plain address"));
    std::filesystem::remove(path);
}
