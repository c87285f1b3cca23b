// libcurl, loaded when the first mail is sent rather than at every start:
// with it come some twenty libraries (LDAP, Kerberos, GnuTLS, libssh2...)
// that a warroom without [email] would map, relocate and keep resident for
// nothing (issue #16: start-up and idle memory). The calls smtp_client makes,
// by their libcurl names without the curl_ prefix; the first one loads
// libcurl.so.4 (Debian's libcurl4, a dependency of the package) and throws
// std::runtime_error when it cannot be loaded.
#pragma once

#define CURL_DISABLE_TYPECHECK  // setopt is called through a pointer: the option's type is checked here instead
#include <curl/curl.h>

#include <type_traits>

namespace warroom::email::curl {

CURLcode global_init(long flags);
CURL* easy_init();
void easy_cleanup(CURL* c);
curl_slist* slist_append(curl_slist* list, const char* s);
void slist_free_all(curl_slist* list);
CURLcode easy_perform(CURL* c);
const char* easy_strerror(CURLcode code);
CURLcode easy_getinfo(CURL* c, CURLINFO info, long* out);

using setopt_fn = CURLcode (*)(CURL*, CURLoption, ...);
setopt_fn setopt_function();

// libcurl's own type rules: long, curl_off_t, a pointer or a function pointer.
template <typename T>
CURLcode easy_setopt(CURL* c, CURLoption option, T value) {
    static_assert(std::is_same_v<T, long> || std::is_same_v<T, curl_off_t> || std::is_pointer_v<T>,
                  "libcurl options take long, curl_off_t or a pointer");
    return setopt_function()(c, option, value);
}

}  // namespace warroom::email::curl
