#include "bot/email/libcurl_api.hpp"

#include <dlfcn.h>

#include <mutex>
#include <stdexcept>
#include <string>

namespace warroom::email::curl {

namespace {

void* library() {
    static void* handle = nullptr;
    static std::once_flag once;
    std::call_once(once, [] { handle = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL); });
    if (!handle) throw std::runtime_error("sending mail needs libcurl (libcurl.so.4, Debian's libcurl4), which could "
                                          "not be loaded");
    return handle;
}

template <typename F>
F* symbol(const char* name) {
    void* f = ::dlsym(library(), name);
    if (!f) throw std::runtime_error(std::string("libcurl.so.4 has no ") + name + ": an incompatible libcurl");
    return reinterpret_cast<F*>(f);
}

}  // namespace

// Each forwards to libcurl's function of the same name, looked up once.
#define WARROOM_CURL_FORWARD(name, ...)                          \
    static auto* const f = symbol<decltype(::name)>(#name);      \
    return f(__VA_ARGS__)

CURLcode global_init(long flags) { WARROOM_CURL_FORWARD(curl_global_init, flags); }
CURL* easy_init() { WARROOM_CURL_FORWARD(curl_easy_init); }
void easy_cleanup(CURL* c) { WARROOM_CURL_FORWARD(curl_easy_cleanup, c); }
curl_slist* slist_append(curl_slist* list, const char* s) { WARROOM_CURL_FORWARD(curl_slist_append, list, s); }
void slist_free_all(curl_slist* list) { WARROOM_CURL_FORWARD(curl_slist_free_all, list); }
CURLcode easy_perform(CURL* c) { WARROOM_CURL_FORWARD(curl_easy_perform, c); }
const char* easy_strerror(CURLcode code) { WARROOM_CURL_FORWARD(curl_easy_strerror, code); }
CURLcode easy_getinfo(CURL* c, CURLINFO info, long* out) { WARROOM_CURL_FORWARD(curl_easy_getinfo, c, info, out); }

setopt_fn setopt_function() {
    static auto* const f = symbol<std::remove_pointer_t<setopt_fn>>("curl_easy_setopt");
    return f;
}

#undef WARROOM_CURL_FORWARD

}  // namespace warroom::email::curl
