// The encodings an Internet message needs, and nothing more: RFC 2047 encoded
// words for non-ASCII header text, quoted-printable bodies (RFC 2045), the
// RFC 5322 date, and HTML escaping for the HTML part. Pure functions.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace warroom::email {

// Header text made safe to put after "Subject: " (or in a display name):
// control characters (CR and LF above all: header injection) become spaces;
// ASCII text is folded at spaces before 78 columns; anything non-ASCII, or
// text that looks like an encoded word already, becomes UTF-8 "B" encoded
// words of at most 75 characters, each split on a character boundary, one per
// folded line. `used` is how many columns the header's name took ("Subject: " = 9).
std::string encode_header_text(std::string_view text, std::size_t used);

// A display name and address for From: `"Name" <a@b>` (encoded when needed), or just the address.
std::string mailbox(std::string_view name, std::string_view address);

// Quoted-printable with CRLF line ends: lines of at most 76 characters,
// '=' and every byte outside printable ASCII encoded, trailing spaces encoded.
// Input line ends (LF or CRLF) become hard line breaks.
std::string quoted_printable(std::string_view text);

// "Tue, 01 Dec 2026 07:04:39 +0000".
std::string rfc5322_date(std::chrono::system_clock::time_point t);

// & < > " ' escaped, for text placed in HTML.
std::string html_escape(std::string_view text);

// Invalid UTF-8 sequences replaced by U+FFFD, so every part we declare UTF-8 is.
std::string valid_utf8(std::string_view text);

}  // namespace warroom::email
