// One incident e-mail as an RFC 5322 message: multipart/alternative with a
// plain-text and an HTML part (UTF-8, quoted-printable), ready for SMTP DATA.
//
// Threading. Every message of one incident names the same thread: the first
// (the declaration's) has Message-ID <incident.ID.INSTALL@DOMAIN>, and every
// later one carries In-Reply-To and References with that id, so Gmail,
// Outlook, Apple Mail and Thunderbird all show one incident as one
// conversation, even when a reader never got the first message. The later
// subjects are the first's with "Re: ", which Gmail's threading also wants.
// The id is derived (not stored): from the incident's public id, so it is the
// same after a restart and across retries, and it never shows the internal INC number.
//
// What is in it follows the status page's public rule: the title, the public
// status and impact, the public text and the page's link; nothing internal.
#pragma once

#include "bot/email/email_config.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace warroom::email {

enum class mail_kind { declared, public_update, resolved };
std::string_view to_string(mail_kind k) noexcept;
std::optional<mail_kind> parse_mail_kind(std::string_view s) noexcept;

struct incident_mail {
    mail_kind kind = mail_kind::declared;
    std::string public_id;  // statuspage::public_id(): names the thread
    std::string title;
    std::string status;  // what customers read: "Investigating", "Resolved"
    std::string impact;  // "Major outage" …; empty: not shown
    std::string text;    // the public text; empty: a fixed sentence for the kind
    std::string link;    // the incident's public page; empty: none
    std::chrono::system_clock::time_point at{};
    // Tells one incident's later messages apart, stable across retries (the
    // outbox action's id): the same message retried keeps its Message-ID, so a
    // resend after an unknown outcome is recognised as a duplicate by clients.
    std::string key;
    std::vector<std::string> to;
};

struct mail_message {
    std::string from;             // the envelope sender
    std::vector<std::string> to;  // the envelope recipients (not in the headers: see build_mail)
    std::string message_id;       // "<…>"
    std::string thread_id;        // the first message's id ("<…>")
    std::string subject;          // as read, for logs and the console
    std::string text;             // the plain part, for the console
    std::string data;             // the whole message, CRLF line ends
};

// The thread's (the first message's) Message-ID.
std::string thread_id(std::string_view public_id, std::string_view install_id, std::string_view domain);

// The recipients are the envelope's only: the To header says
// "undisclosed-recipients:;", so customers on one list never see each other's addresses.
mail_message build_mail(const email_settings& s, std::string_view install_id, const incident_mail& m);

}  // namespace warroom::email
