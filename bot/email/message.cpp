#include "bot/email/message.hpp"

#include "bot/email/mime.hpp"

#include <functional>
#include <sstream>

namespace warroom::email {

std::string_view to_string(mail_kind k) noexcept {
    switch (k) {
        case mail_kind::declared: return "declared";
        case mail_kind::public_update: return "public_update";
        case mail_kind::resolved: return "resolved";
    }
    return "declared";
}

std::optional<mail_kind> parse_mail_kind(std::string_view s) noexcept {
    for (auto k : {mail_kind::declared, mail_kind::public_update, mail_kind::resolved})
        if (to_string(k) == s) return k;
    return std::nullopt;
}

namespace {

std::string_view fixed_sentence(mail_kind k) {
    switch (k) {
        case mail_kind::declared: return "We are investigating this issue and will send updates here.";
        case mail_kind::public_update: return "We have an update on this issue.";
        case mail_kind::resolved: return "This incident has been resolved.";
    }
    return "";
}

// Only [A-Za-z0-9.-] in the local part of a Message-ID we make: the key comes from us, but stay safe.
std::string id_safe(std::string_view s) {
    std::string out;
    for (char c : s)
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.') out += c;
    return out;
}

// A boundary that quoted-printable text can never contain: QP writes every '=' as "=3D".
std::string boundary_for(const std::string& message_id) {
    std::ostringstream b;
    b << "=_warroom_" << std::hex << std::hash<std::string>{}(message_id);
    return b.str();
}

std::string plain_part(const incident_mail& m, std::string_view text) {
    std::string out;
    out += m.title + "\n\n";
    out += "Status: " + m.status + "\n";
    if (!m.impact.empty()) out += "Impact: " + m.impact + "\n";
    out += "\n" + std::string(text) + "\n";
    if (!m.link.empty()) out += "\nFollow this incident: " + m.link + "\n";
    out += "\n-- \nYou receive this because your address is on our incident notification list.\n";
    return out;
}

std::string html_part(const incident_mail& m, std::string_view text) {
    std::string paragraphs;
    std::string line;
    std::istringstream in{std::string(text)};
    while (std::getline(in, line)) paragraphs += html_escape(line) + "<br>\n";
    std::string out =
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>" + html_escape(m.title) +
        "</title></head>\n<body style=\"font-family:sans-serif;color:#1a1a1a\">\n<h1 style=\"font-size:20px\">" +
        html_escape(m.title) + "</h1>\n<p><strong>Status:</strong> " + html_escape(m.status) + "</p>\n";
    if (!m.impact.empty()) out += "<p><strong>Impact:</strong> " + html_escape(m.impact) + "</p>\n";
    out += "<p>" + paragraphs + "</p>\n";
    if (!m.link.empty())
        out += "<p><a href=\"" + html_escape(m.link) + "\">Follow this incident on our status page</a></p>\n";
    out += "<p style=\"color:#555;font-size:12px\">You receive this because your address is on our incident "
           "notification list.</p>\n</body></html>\n";
    return out;
}

}  // namespace

std::string thread_id(std::string_view public_id, std::string_view install_id, std::string_view domain) {
    return "<incident." + id_safe(public_id) + "." + id_safe(install_id) + "@" + std::string(domain) + ">";
}

mail_message build_mail(const email_settings& s, std::string_view install_id, const incident_mail& m) {
    mail_message out;
    out.from = s.from;
    out.to = m.to;
    out.thread_id = thread_id(m.public_id, install_id, s.domain());
    const bool first = m.kind == mail_kind::declared;
    out.message_id = first ? out.thread_id
                           : "<incident." + id_safe(m.public_id) + "." + id_safe(install_id) + "." +
                                 std::string(m.kind == mail_kind::public_update ? "update" : "resolved") + "." +
                                 id_safe(m.key) + "@" + s.domain() + ">";
    std::string title = valid_utf8(m.title);
    out.subject = (first ? "" : "Re: ") + title;
    std::string text = valid_utf8(m.text.empty() ? std::string(fixed_sentence(m.kind)) : m.text);
    incident_mail clean = m;
    clean.title = title;
    out.text = plain_part(clean, text);
    std::string html = html_part(clean, text);
    std::string boundary = boundary_for(out.message_id);

    std::string d;
    d += "From: " + mailbox(s.from_name, s.from) + "\r\n";
    d += "To: undisclosed-recipients:;\r\n";
    d += "Subject: " + encode_header_text(out.subject, 9) + "\r\n";
    d += "Date: " + rfc5322_date(m.at) + "\r\n";
    d += "Message-ID: " + out.message_id + "\r\n";
    if (!first) {
        d += "In-Reply-To: " + out.thread_id + "\r\n";
        d += "References: " + out.thread_id + "\r\n";
    }
    // RFC 3834: out-of-office and other auto-responders must not answer this.
    d += "Auto-Submitted: auto-generated\r\n";
    d += "MIME-Version: 1.0\r\n";
    d += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n";
    d += "\r\n";
    d += "--" + boundary + "\r\n";
    d += "Content-Type: text/plain; charset=UTF-8\r\n";
    d += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
    d += quoted_printable(out.text) + "\r\n";
    d += "--" + boundary + "\r\n";
    d += "Content-Type: text/html; charset=UTF-8\r\n";
    d += "Content-Transfer-Encoding: quoted-printable\r\n\r\n";
    d += quoted_printable(html) + "\r\n";
    d += "--" + boundary + "--\r\n";
    out.data = std::move(d);
    return out;
}

}  // namespace warroom::email
